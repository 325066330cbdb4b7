package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// OwnersService reads the portal's owners (users who can own records).
// See https://developers.hubspot.com/docs/api/crm/owners.
type OwnersService struct {
	client *Client
}

// Owner is a HubSpot user, or a queue of them, that records reference in hubspot_owner_id.
type Owner struct {
	ID, Email, FirstName, LastName string
	// Type is PERSON or QUEUE.
	Type string
	// UserID is the person's HubSpot user id, deactivated or not; nil for a queue.
	UserID               *int64
	Teams                []Team
	CreatedAt, UpdatedAt time.Time
	Archived             bool
}

// Team is a team an owner belongs to.
type Team struct {
	ID, Name string
	Primary  bool
}

// UnmarshalJSON reads ids given as strings or numbers.
func (o *Owner) UnmarshalJSON(data []byte) error {
	var w struct {
		ID        flexString `json:"id"`
		Email     string     `json:"email"`
		FirstName string     `json:"firstName"`
		LastName  string     `json:"lastName"`
		Type      string     `json:"type"`
		UserID    flexString `json:"userId"`
		// HubSpot nulls userId once the user is deactivated and keeps the id here.
		UserIDIncludingInactive flexString `json:"userIdIncludingInactive"`
		Teams                   []struct {
			ID      flexString `json:"id"`
			Name    string     `json:"name"`
			Primary bool       `json:"primary"`
		} `json:"teams"`
		CreatedAt time.Time `json:"createdAt"`
		UpdatedAt time.Time `json:"updatedAt"`
		Archived  bool      `json:"archived"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*o = Owner{ID: string(w.ID), Email: w.Email, FirstName: w.FirstName, LastName: w.LastName, Type: w.Type,
		CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt, Archived: w.Archived}
	if w.UserID == "" {
		w.UserID = w.UserIDIncludingInactive
	}
	if w.UserID != "" {
		uid, err := strconv.ParseInt(string(w.UserID), 10, 64)
		if err != nil {
			return fmt.Errorf("owner %s: userId: %w", w.ID, err)
		}
		o.UserID = &uid
	}
	for _, t := range w.Teams {
		o.Teams = append(o.Teams, Team{ID: string(t.ID), Name: t.Name, Primary: t.Primary})
	}
	return nil
}

// ownersPageSize is the owners endpoint's maximum page size.
const ownersPageSize = 500

// List yields every owner (only archived ones when archived is true), stopping at the first
// error.
func (s *OwnersService) List(ctx context.Context, archived bool) iter.Seq2[Owner, error] {
	pages := walk("", func(after string) ([]Owner, string, error) {
		q := url.Values{"limit": {strconv.Itoa(ownersPageSize)}, "archived": {strconv.FormatBool(archived)}}
		if after != "" {
			q.Set("after", after)
		}
		resp, _, err := call[struct {
			Results []Owner `json:"results"`
			Paging  *paging `json:"paging"`
		}](ctx, s.client, request{method: http.MethodGet, path: s.client.path(areaOwners), query: q, family: familyOther, idempotent: true})
		if err != nil {
			return nil, "", fmt.Errorf("list owners: %w", err)
		}
		return resp.Results, resp.Paging.After(), nil
	})
	return func(yield func(Owner, error) bool) {
		for page, err := range pages {
			if err != nil {
				yield(Owner{}, err)
				return
			}
			for _, o := range page {
				if !yield(o, nil) {
					return
				}
			}
		}
	}
}
