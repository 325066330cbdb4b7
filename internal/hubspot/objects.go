package hubspot

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot/pagejson"
)

// ObjectsService reads and writes CRM records of any object type. objectType is a plural name
// ("contacts"), a type id ("0-1", "2-1234") or a custom object's fully qualified name.
// See https://developers.hubspot.com/docs/api/crm/understanding-the-crm.
type ObjectsService struct {
	client *Client
}

// Object is one CRM record, as record pages carry it (see pagejson.Object).
type Object = pagejson.Object

// AssociationRef is an associated record listed with an object.
type AssociationRef = pagejson.AssociationRef

// ListOptions selects what ListPage returns.
type ListOptions struct {
	Properties   []string // property names; any number, see ListPage
	Associations []string // object types whose associated ids to include
	Archived     bool     // list only archived records (the recycle bin)
	After        string   // cursor from a previous page; "" starts at the beginning
	Limit        int      // page size, 1..100; default 100
	ByPosition   bool     // fill Object.Values in the order of Properties instead of Object.Properties
}

// ObjectPage is one page of a list.
type ObjectPage struct {
	Results []Object
	After   string // cursor of the next page, "" on the last page
}

const (
	defaultListLimit = 100
	// urlBudget keeps request URLs well below HubSpot's ~16 k limit (414 URI Too Long).
	urlBudget = 8000
)

// ListPage reads one page of records. Property names that would push the URL past a safe length
// are read with POST batch/read for the page's ids and merged, so any number of names works;
// typical lists stay at one request per page.
// See https://developers.hubspot.com/docs/api/crm/contacts (GET /crm/v3/objects/{type}).
func (s *ObjectsService) ListPage(ctx context.Context, objectType string, opts ListOptions) (*ObjectPage, error) {
	if objectType == "" {
		return nil, errors.New("list: object type is empty")
	}
	limit := opts.Limit
	if limit <= 0 {
		limit = defaultListLimit
	}
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if opts.After != "" {
		q.Set("after", opts.After)
	}
	setReadQuery(q, opts.Associations, opts.Archived)
	path := s.client.path(areaObjects, objectType)
	rest := s.client.fitProperties(path, q, opts.Properties)
	l := layoutOf(opts.ByPosition, opts.Properties)
	resp, _, err := call[pagejson.List](ctx, s.client, request{method: http.MethodGet, path: path, query: q, family: familyList, idempotent: true, layout: l})
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", objectType, err)
	}
	if err := s.fillProperties(ctx, objectType, opts.Archived, resp.Results, rest, l); err != nil {
		return nil, fmt.Errorf("list %s: %w", objectType, err)
	}
	after := resp.Paging.After()
	if err := checkAdvance(opts.After, after); err != nil {
		return nil, fmt.Errorf("list %s: %w", objectType, err)
	}
	return &ObjectPage{Results: resp.Results, After: after}, nil
}

// List walks the pages from opts.After to the end, stopping at the first error.
func (s *ObjectsService) List(ctx context.Context, objectType string, opts ListOptions) iter.Seq2[*ObjectPage, error] {
	return walk(opts.After, func(after string) (*ObjectPage, string, error) {
		opts.After = after
		page, err := s.ListPage(ctx, objectType, opts)
		if err != nil {
			return nil, "", err
		}
		return page, page.After, nil
	})
}

// GetOptions selects what Get returns.
type GetOptions struct {
	Properties   []string
	Associations []string
	IDProperty   string // read by a unique property's value instead of the record id
	Archived     bool
}

// Get reads one record by id (or by the IDProperty's value). A missing record is an error for
// which IsNotFound is true.
func (s *ObjectsService) Get(ctx context.Context, objectType, id string, opts GetOptions) (*Object, error) {
	if objectType == "" || id == "" {
		return nil, errors.New("get: object type and id are required")
	}
	q := url.Values{}
	setReadQuery(q, opts.Associations, opts.Archived)
	if opts.IDProperty != "" {
		q.Set("idProperty", opts.IDProperty)
	}
	path := s.client.path(areaObjects, objectType, id)
	rest := s.client.fitProperties(path, q, opts.Properties)
	obj, _, err := call[Object](ctx, s.client, request{method: http.MethodGet, path: path, query: q, family: familyOther, idempotent: true})
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", objectType, id, err)
	}
	objs := []Object{obj}
	if err := s.fillProperties(ctx, objectType, opts.Archived, objs, rest, nil); err != nil {
		return nil, fmt.Errorf("get %s %s: %w", objectType, id, err)
	}
	return &objs[0], nil
}

func setReadQuery(q url.Values, associations []string, archived bool) {
	if len(associations) > 0 {
		q.Set("associations", strings.Join(associations, ","))
	}
	if archived {
		q.Set("archived", "true")
	}
}
