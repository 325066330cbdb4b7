package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// PropertiesService reads property definitions.
// See https://developers.hubspot.com/docs/api/crm/properties.
type PropertiesService struct {
	client *Client
}

// Property is a property definition of an object type.
type Property struct {
	Name                 string               `json:"name"`
	Label                string               `json:"label"`
	Type                 string               `json:"type"`      // string, number, bool, date, datetime, enumeration, phone_number, ...
	FieldType            string               `json:"fieldType"` // checkbox marks a multi-select enumeration (values joined by ";")
	GroupName            string               `json:"groupName"`
	Description          string               `json:"description"`
	Options              []PropertyOption     `json:"options"`
	Calculated           bool                 `json:"calculated"`
	HasUniqueValue       bool                 `json:"hasUniqueValue"` // usable as an upsert idProperty
	Hidden               bool                 `json:"hidden"`
	HubspotDefined       bool                 `json:"hubspotDefined"`
	ModificationMetadata ModificationMetadata `json:"modificationMetadata"`
	ReferencedObjectType string               `json:"referencedObjectType"`
}

// InValue is v as an IN or NOT_IN search filter must carry it for this property: HubSpot compares
// a text property's values lower-cased with the filter's as sent ("values must be lowercase"), so
// "Acme Inc" would find nothing.
func (p Property) InValue(v string) string {
	if p.Type == "string" {
		return strings.ToLower(v)
	}
	return v
}

// PropertyOption is one choice of an enumeration property.
type PropertyOption struct {
	Label        string `json:"label"`
	Value        string `json:"value"`
	DisplayOrder int    `json:"displayOrder"`
	Hidden       bool   `json:"hidden"`
}

// ModificationMetadata says whether a property or its value can be changed.
type ModificationMetadata struct {
	Archivable         bool `json:"archivable"`
	ReadOnlyDefinition bool `json:"readOnlyDefinition"`
	ReadOnlyValue      bool `json:"readOnlyValue"` // writing it is a VALIDATION_ERROR
}

// List returns every property definition of objectType.
func (s *PropertiesService) List(ctx context.Context, objectType string) ([]Property, error) {
	if objectType == "" {
		return nil, errors.New("list properties: object type is empty")
	}
	resp, _, err := call[struct {
		Results []Property `json:"results"`
	}](ctx, s.client, request{method: http.MethodGet, path: s.client.path(areaProperties, objectType), family: familyOther, idempotent: true})
	if err != nil {
		return nil, fmt.Errorf("list %s properties: %w", objectType, err)
	}
	return resp.Results, nil
}
