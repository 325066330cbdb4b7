package hubspot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// PipelinesService reads deal and ticket pipelines.
// See https://developers.hubspot.com/docs/api/crm/pipelines.
type PipelinesService struct {
	client *Client
}

// Pipeline is a deal or ticket pipeline with its stages. Deals store its id in `pipeline`,
// tickets in `hs_pipeline`.
type Pipeline struct {
	ID           string     `json:"id"`
	Label        string     `json:"label"`
	DisplayOrder int        `json:"displayOrder"`
	Archived     bool       `json:"archived"`
	CreatedAt    *time.Time `json:"-"` // nil for the default pipeline, which HubSpot dates 0
	UpdatedAt    time.Time  `json:"-"`
	Stages       []Stage    `json:"stages"`
}

// Stage is a pipeline stage. Metadata holds probability (deals) or ticketState (tickets).
type Stage struct {
	ID           string            `json:"id"`
	Label        string            `json:"label"`
	DisplayOrder int               `json:"displayOrder"`
	Archived     bool              `json:"archived"`
	Metadata     map[string]string `json:"-"`
	CreatedAt    *time.Time        `json:"-"` // nil for the default pipeline's stages
	UpdatedAt    time.Time         `json:"-"`
}

type timestampsWire struct {
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// created is the creation time, or nil where HubSpot gives 0: its default pipelines and their
// stages have no creation time.
func (w timestampsWire) created() *time.Time {
	if w.CreatedAt.IsZero() || w.CreatedAt.Equal(time.Unix(0, 0)) {
		return nil
	}
	return &w.CreatedAt
}

// UnmarshalJSON reads the pipeline and its timestamps.
func (p *Pipeline) UnmarshalJSON(data []byte) error {
	type plain Pipeline
	var w struct {
		plain
		timestampsWire
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*p = Pipeline(w.plain)
	p.CreatedAt, p.UpdatedAt = w.created(), w.timestampsWire.UpdatedAt
	return nil
}

// UnmarshalJSON reads the stage, its timestamps and its metadata values as text.
func (s *Stage) UnmarshalJSON(data []byte) error {
	type plain Stage
	var w struct {
		plain
		timestampsWire
		Metadata map[string]flexString `json:"metadata"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*s = Stage(w.plain)
	s.CreatedAt, s.UpdatedAt = w.created(), w.timestampsWire.UpdatedAt
	if w.Metadata != nil {
		s.Metadata = make(map[string]string, len(w.Metadata))
		for k, v := range w.Metadata {
			s.Metadata[k] = string(v)
		}
	}
	return nil
}

// List returns the pipelines of objectType ("deals" or "tickets").
func (s *PipelinesService) List(ctx context.Context, objectType string) ([]Pipeline, error) {
	if objectType == "" {
		return nil, errors.New("list pipelines: object type is empty")
	}
	resp, _, err := call[struct {
		Results []Pipeline `json:"results"`
	}](ctx, s.client, request{method: http.MethodGet, path: s.client.path(areaPipelines, objectType), family: familyOther, idempotent: true})
	if err != nil {
		return nil, fmt.Errorf("list %s pipelines: %w", objectType, err)
	}
	return resp.Results, nil
}
