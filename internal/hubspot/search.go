package hubspot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot/pagejson"
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

// Limits HubSpot puts on one search's filters.
const (
	MaxFilterGroups    = 5
	MaxFiltersPerGroup = 10
	MaxFilters         = 25  // in all groups together
	MaxFilterValues    = 100 // in one IN or NOT_IN filter
)

// FilterGroup ANDs its filters; a search ORs its groups (see MaxFilterGroups and the others).
type FilterGroup struct {
	Filters []Filter `json:"filters"`
}

// sortAscending is the one direction every API version can express.
const sortAscending = "ASCENDING"

// Sort orders search results; HubSpot honours one, ascending (see Search).
type Sort struct {
	PropertyName string
	Direction    string // "" or "ASCENDING"
}

// SearchRequest is a CRM search; Search sends it in the shape the API specs declare. No query
// can page past 10,000 results.
type SearchRequest struct {
	FilterGroups []FilterGroup
	Sorts        []Sort
	Query        string
	Properties   []string
	Limit        int    // 1..200; default 200
	After        string // the offset of the page, "" for the first
	ByPosition   bool   // fill Object.Values in the order of Properties instead of Object.Properties
}

// SearchPage is one page of search results.
type SearchPage struct {
	Total   int
	Results []Object
	After   string // offset of the next page, "" on the last page
}

const defaultSearchLimit = 200

// Search runs one page of a CRM search. Search has its own per-second limit, which the
// limiter applies. The body takes the shape both versions' specs declare, as HubSpot's official
// SDKs send it: sorts are bare property names, so a DESCENDING sort is refused.
// See https://developers.hubspot.com/docs/api/crm/search.
func (s *ObjectsService) Search(ctx context.Context, objectType string, req SearchRequest) (*SearchPage, error) {
	if objectType == "" {
		return nil, errors.New("search: object type is empty")
	}
	if req.Limit <= 0 {
		req.Limit = defaultSearchLimit
	}
	body, err := newSearchBody(req)
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", objectType, err)
	}
	resp, _, err := call[pagejson.Search](ctx, s.client, request{
		method: http.MethodPost, path: s.client.path(areaObjects, objectType, "search"),
		body: body, family: familySearch, idempotent: true, layout: layoutOf(req.ByPosition, req.Properties),
	})
	if err != nil {
		return nil, fmt.Errorf("search %s: %w", objectType, err)
	}
	return &SearchPage{Total: resp.Total, Results: resp.Results, After: resp.Paging.After()}, nil
}

// searchBody is the search request as the v3 and 2026-09 specs declare it: sorts are property
// names, and filterGroups, sorts, properties, limit and after are all required.
type searchBody struct {
	FilterGroups []FilterGroup `json:"filterGroups"`
	Sorts        []string      `json:"sorts"`
	Query        string        `json:"query,omitempty"`
	Properties   []string      `json:"properties"`
	Limit        int           `json:"limit"`
	After        string        `json:"after"`
}

// firstPageOffset is the after of a search's first page: search cursors are result offsets.
const firstPageOffset = "0"

func newSearchBody(req SearchRequest) (searchBody, error) {
	b := searchBody{
		FilterGroups: nonNil(req.FilterGroups),
		Sorts:        make([]string, 0, len(req.Sorts)),
		Query:        req.Query,
		Properties:   nonNil(req.Properties),
		Limit:        req.Limit,
		After:        cmp.Or(req.After, firstPageOffset),
	}
	for _, s := range req.Sorts {
		if s.Direction != "" && s.Direction != sortAscending {
			return searchBody{}, fmt.Errorf("sort %s %s: search sorts are property names, which HubSpot orders ascending", s.PropertyName, s.Direction)
		}
		b.Sorts = append(b.Sorts, s.PropertyName)
	}
	return b, nil
}

// nonNil makes a nil slice encode as [] where a spec requires the member.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
