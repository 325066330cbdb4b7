package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// Filter is one search condition. Operators: LT LTE GT GTE EQ NEQ BETWEEN IN NOT_IN HAS_PROPERTY
// NOT_HAS_PROPERTY CONTAINS_TOKEN NOT_CONTAINS_TOKEN. Dates compare as epoch milliseconds.
type Filter struct {
	PropertyName string   `json:"propertyName"`
	Operator     string   `json:"operator"`
	Value        string   `json:"value,omitempty"`
	HighValue    string   `json:"highValue,omitempty"` // upper bound of BETWEEN
	Values       []string `json:"values,omitempty"`    // IN, NOT_IN
}

// FilterGroup ANDs its filters; a search ORs its groups (at most 5 groups, 18 filters).
type FilterGroup struct {
	Filters []Filter `json:"filters"`
}

// Sort orders search results; HubSpot honours one.
type Sort struct {
	PropertyName string `json:"propertyName"`
	Direction    string `json:"direction,omitempty"` // "ASCENDING" or "DESCENDING"
}

// SearchRequest is the body of a CRM search. No query can page past 10,000 results.
type SearchRequest struct {
	FilterGroups []FilterGroup `json:"filterGroups,omitempty"`
	Sorts        []Sort        `json:"sorts,omitempty"`
	Query        string        `json:"query,omitempty"`
	Properties   []string      `json:"properties,omitempty"`
	Limit        int           `json:"limit"` // 1..200; default 200
	After        string        `json:"after,omitempty"`
	ByPosition   bool          `json:"-"` // fill Object.Values in the order of Properties instead of Object.Properties
}

// SearchPage is one page of search results.
type SearchPage struct {
	Total   int
	Results []Object
	After   string // offset of the next page, "" on the last page
}

const defaultSearchLimit = 200

type searchResponse struct {
	Total int `json:"total"`
	listResponse
}

// Search runs one page of a CRM search. Search has its own per-second limit, which the
// limiter applies. See https://developers.hubspot.com/docs/api/crm/search.
func (s *ObjectsService) Search(ctx context.Context, objectType string, req SearchRequest) (*SearchPage, error) {
	if objectType == "" {
		return nil, errors.New("search: object type is empty")
	}
	if req.Limit <= 0 {
		req.Limit = defaultSearchLimit
	}
	resp, _, err := call[searchResponse](ctx, s.client, request{
		method: http.MethodPost, path: s.client.path(areaObjects, objectType, "search"),
		body: req, family: familySearch, idempotent: true, layout: newLayout(req.ByPosition, req.Properties),
	})
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", objectType, err)
	}
	return &SearchPage{Total: resp.Total, Results: resp.Results, After: resp.Paging.after()}, nil
}
