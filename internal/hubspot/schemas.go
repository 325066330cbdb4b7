package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
)

// SchemasService reads custom object schemas.
// See https://developers.hubspot.com/docs/api/crm/crm-custom-objects.
type SchemasService struct {
	client *Client
}

// Schema describes a custom object type.
type Schema struct {
	ID                     string              `json:"id"`
	Name                   string              `json:"name"`
	ObjectTypeID           string              `json:"objectTypeId"` // 2-NNNN, usable as an object type
	FullyQualifiedName     string              `json:"fullyQualifiedName"`
	PrimaryDisplayProperty string              `json:"primaryDisplayProperty"`
	Labels                 SchemaLabels        `json:"labels"`
	Properties             []Property          `json:"properties"`
	RequiredProperties     []string            `json:"requiredProperties"`
	Associations           []SchemaAssociation `json:"associations"`
}

// SchemaLabels are a custom object's display names.
type SchemaLabels struct {
	Singular string `json:"singular"`
	Plural   string `json:"plural"`
}

// SchemaAssociation is an association type a custom object defines.
type SchemaAssociation struct {
	ID               string
	Name             string
	FromObjectTypeID string
	ToObjectTypeID   string
}

// UnmarshalJSON accepts the association id as a string or a number.
func (a *SchemaAssociation) UnmarshalJSON(data []byte) error {
	var w struct {
		ID               flexString `json:"id"`
		Name             string     `json:"name"`
		FromObjectTypeID string     `json:"fromObjectTypeId"`
		ToObjectTypeID   string     `json:"toObjectTypeId"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*a = SchemaAssociation{ID: string(w.ID), Name: w.Name, FromObjectTypeID: w.FromObjectTypeID, ToObjectTypeID: w.ToObjectTypeID}
	return nil
}

// List returns the portal's custom object schemas.
func (s *SchemasService) List(ctx context.Context) ([]Schema, error) {
	resp, _, err := call[struct {
		Results []Schema `json:"results"`
	}](ctx, s.client, request{method: http.MethodGet, path: s.client.path(areaSchemas), family: familyOther, idempotent: true})
	if err != nil {
		return nil, fmt.Errorf("list schemas: %w", err)
	}
	return resp.Results, nil
}
