package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// ListsService reads HubSpot lists (segments) and their memberships, and changes the members of
// MANUAL and SNAPSHOT lists. See https://developers.hubspot.com/docs/api/crm/lists.
type ListsService struct {
	client *Client
}

// List processing types: MANUAL and SNAPSHOT lists take members through the API; a DYNAMIC
// list's members follow its filters.
const (
	ListManual   = "MANUAL"
	ListDynamic  = "DYNAMIC"
	ListSnapshot = "SNAPSHOT"
)

// Page sizes: the most lists a search returns, and the most members a memberships page holds.
const (
	MaxListSearchCount  = 500
	MaxMembershipsLimit = 250
)

// List is one list's definition.
type List struct {
	ID               string
	Name             string
	ObjectTypeID     string // the type of its members: 0-1 for contacts, 0-2 for companies, ...
	ProcessingType   string // MANUAL, DYNAMIC or SNAPSHOT
	ProcessingStatus string
	Version          int
	// Size is the number of members: hs_list_size in a search, size in a fetch; nil when
	// HubSpot sent neither.
	Size             *int64
	CreatedAt        time.Time
	UpdatedAt        time.Time
	FiltersUpdatedAt *time.Time
	DeletedAt        *time.Time
	// Properties are the list properties a search returned (hs_list_size,
	// hs_last_record_added_at, ...) as text, numbers in their JSON form; nulls are left out.
	Properties map[string]string
	// Filters is a DYNAMIC list's filter branch as HubSpot sent it, when Get asked for it.
	Filters json.RawMessage
}

// UnmarshalJSON reads a list as search and fetch return it, size from either place.
func (l *List) UnmarshalJSON(data []byte) error {
	var w struct {
		ListID           flexString `json:"listId"`
		Name             string     `json:"name"`
		ObjectTypeID     string     `json:"objectTypeId"`
		ProcessingType   string     `json:"processingType"`
		ProcessingStatus string     `json:"processingStatus"`
		ListVersion      int        `json:"listVersion"`
		Size             *int64     `json:"size"`
		CreatedAt        time.Time  `json:"createdAt"`
		UpdatedAt        time.Time  `json:"updatedAt"`
		FiltersUpdatedAt *time.Time `json:"filtersUpdatedAt"`
		DeletedAt        *time.Time `json:"deletedAt"`
		// Typed as strings in the spec, but its own example sends numbers; null is no value.
		AdditionalProperties map[string]*flexString `json:"additionalProperties"`
		FilterBranch         json.RawMessage        `json:"filterBranch"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*l = List{ID: string(w.ListID), Name: w.Name, ObjectTypeID: w.ObjectTypeID, ProcessingType: w.ProcessingType,
		ProcessingStatus: w.ProcessingStatus, Version: w.ListVersion, Size: w.Size, CreatedAt: w.CreatedAt, UpdatedAt: w.UpdatedAt,
		FiltersUpdatedAt: w.FiltersUpdatedAt, DeletedAt: w.DeletedAt, Filters: w.FilterBranch}
	if w.AdditionalProperties != nil {
		l.Properties = make(map[string]string, len(w.AdditionalProperties))
		for k, v := range w.AdditionalProperties {
			if v != nil {
				l.Properties[k] = string(*v)
			}
		}
	}
	if s, ok := l.Properties["hs_list_size"]; ok && l.Size == nil {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("list %s: hs_list_size %q: %w", w.ListID, s, err)
		}
		l.Size = &n
	}
	return nil
}

// ListSearch narrows Search; the zero value finds every list.
type ListSearch struct {
	Query           string   // part of the list name
	ProcessingTypes []string // MANUAL, DYNAMIC, SNAPSHOT; empty for all
	ListIDs         []string // empty for all
	ObjectTypeID    string   // e.g. 0-1; empty for all
	// AdditionalProperties are list properties wanted besides the ones HubSpot always returns.
	AdditionalProperties []string
}

// listSearchBody is the request body; every field either version's spec requires is sent, empty
// ones as [] (the 2026-09 spec requires listIds and processingTypes too).
type listSearchBody struct {
	Query                string   `json:"query,omitempty"`
	ProcessingTypes      []string `json:"processingTypes"`
	ListIDs              []string `json:"listIds"`
	ObjectTypeID         string   `json:"objectTypeId,omitempty"`
	AdditionalProperties []string `json:"additionalProperties"`
	Offset               int      `json:"offset"`
	Count                int      `json:"count"`
}

// ListPage is one answer of a list search.
type ListPage struct {
	Lists []List
	// Total is how many lists matched when HubSpot answered.
	Total int
}

// Search yields every list matching q, a page (one request) of up to MaxListSearchCount lists
// at a time, stopping at the first error. Pages are taken by offset: All reads them as a whole.
func (s *ListsService) Search(ctx context.Context, q ListSearch) iter.Seq2[*ListPage, error] {
	return func(yield func(*ListPage, error) bool) {
		body := listSearchBody{Query: q.Query, ProcessingTypes: orEmpty(q.ProcessingTypes), ListIDs: orEmpty(q.ListIDs),
			ObjectTypeID: q.ObjectTypeID, AdditionalProperties: orEmpty(q.AdditionalProperties), Count: MaxListSearchCount}
		for {
			resp, _, err := call[struct {
				Lists   []List `json:"lists"`
				HasMore bool   `json:"hasMore"`
				Offset  int    `json:"offset"`
				Total   int    `json:"total"`
			}](ctx, s.client, request{method: http.MethodPost, path: s.client.path(areaLists, "search"), body: body, family: familyOther, idempotent: true})
			if err != nil {
				yield(nil, fmt.Errorf("search lists (offset %d): %w", body.Offset, err))
				return
			}
			if !yield(&ListPage{Lists: resp.Lists, Total: resp.Total}, nil) || !resp.HasMore {
				return
			}
			if resp.Offset <= body.Offset {
				yield(nil, fmt.Errorf("search lists: offset %d did not advance past %d", resp.Offset, body.Offset))
				return
			}
			body.Offset = resp.Offset
		}
	}
}

// maxListReads bounds how many times in all All reads the lists while they keep changing under it.
const maxListReads = 3

// All returns every list matching q. A search pages by offset, so a list deleted while it pages
// moves the later lists back and the next page skips one. All returns the first read whose pages
// all report the same total. When the lists keep changing for maxListReads reads, it returns
// every list any read found, each as last read, and logs a warning: a list deleted meanwhile may
// be among them, a live one is not lost. A deletion and a creation between the same two pages
// leave the total as it was, and go unseen.
func (s *ListsService) All(ctx context.Context, q ListSearch) ([]List, error) {
	var (
		merged []List
		index  = map[string]int{}
	)
	for read := 1; ; read++ {
		lists, totals, err := s.readAll(ctx, q)
		if err != nil {
			return nil, err
		}
		if len(slices.Compact(slices.Clone(totals))) <= 1 { // every page reported one total
			return lists, nil
		}
		for _, l := range lists {
			if i, seen := index[l.ID]; seen {
				merged[i] = l
				continue
			}
			index[l.ID] = len(merged)
			merged = append(merged, l)
		}
		if read == maxListReads {
			s.client.logger.WarnContext(ctx, "lists kept changing while the search paged: kept every list any read found",
				"reads", read, "totals", totals, "lists", len(merged))
			return merged, nil
		}
	}
}

// readAll reads every page of a search once, and the total each page reported.
func (s *ListsService) readAll(ctx context.Context, q ListSearch) ([]List, []int, error) {
	var (
		lists  []List
		totals []int
	)
	for page, err := range s.Search(ctx, q) {
		if err != nil {
			return nil, nil, err
		}
		lists = append(lists, page.Lists...)
		totals = append(totals, page.Total)
	}
	return lists, totals, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// ListGetOptions shapes Get.
type ListGetOptions struct {
	// IncludeFilters asks for a DYNAMIC list's filter branch (List.Filters).
	IncludeFilters bool
}

// Get fetches one list by its id; a list that does not exist is a 404 (see IsNotFound).
func (s *ListsService) Get(ctx context.Context, listID string, opts ListGetOptions) (*List, error) {
	q := url.Values{}
	if opts.IncludeFilters {
		q.Set("includeFilters", "true")
	}
	resp, _, err := call[struct {
		List List `json:"list"`
	}](ctx, s.client, request{method: http.MethodGet, path: s.client.path(areaLists, listID), query: q, family: familyOther, idempotent: true})
	if err != nil {
		return nil, fmt.Errorf("get list %s: %w", listID, err)
	}
	return &resp.List, nil
}

// Membership is one record in a list.
type Membership struct {
	RecordID string
	// JoinedAt is when the record was added to the list.
	JoinedAt time.Time
}

// MembershipPage is one page of a list's members, in ascending record id order.
type MembershipPage struct {
	Members []Membership
	// After resumes after this page; "" on the last page.
	After string
}

// MembershipOptions shapes Memberships.
type MembershipOptions struct {
	// After resumes from a page's After cursor; "" starts at the first member.
	After string
	// Limit is the page size, at most MaxMembershipsLimit; 0 means MaxMembershipsLimit.
	Limit int
}

// Memberships yields a list's members a page (one request) at a time, ascending by record id,
// stopping at the first error.
func (s *ListsService) Memberships(ctx context.Context, listID string, opts MembershipOptions) iter.Seq2[*MembershipPage, error] {
	limit := opts.Limit
	if limit == 0 {
		limit = MaxMembershipsLimit
	}
	return func(yield func(*MembershipPage, error) bool) {
		if limit < 0 || limit > MaxMembershipsLimit {
			yield(nil, fmt.Errorf("list %s memberships: limit %d: use 1 to %d", listID, limit, MaxMembershipsLimit))
			return
		}
		for page, err := range walk(opts.After, func(after string) (*MembershipPage, string, error) {
			q := url.Values{"limit": {strconv.Itoa(limit)}}
			if after != "" {
				q.Set("after", after)
			}
			resp, _, err := call[struct {
				Results []struct {
					RecordID            flexString `json:"recordId"`
					MembershipTimestamp time.Time  `json:"membershipTimestamp"`
				} `json:"results"`
				Paging *paging `json:"paging"`
			}](ctx, s.client, request{method: http.MethodGet, path: s.client.path(areaLists, listID, "memberships"), query: q, family: familyLists, idempotent: true})
			if err != nil {
				return nil, "", fmt.Errorf("list %s memberships: %w", listID, err)
			}
			page := &MembershipPage{Members: make([]Membership, len(resp.Results)), After: resp.Paging.After()}
			for i, r := range resp.Results {
				page.Members[i] = Membership{RecordID: string(r.RecordID), JoinedAt: r.MembershipTimestamp}
			}
			return page, page.After, nil
		}) {
			if !yield(page, err) || err != nil {
				return
			}
		}
	}
}

// MembershipChange is what an add or remove did: the records added or removed, and those HubSpot
// does not know (members added again and non-members removed are in neither).
type MembershipChange struct {
	Added, Removed, Missing []string
}

// AddMembers adds records to a MANUAL or SNAPSHOT list (a DYNAMIC list refuses with a 400).
// Adding a member again changes nothing, so the call is safe to repeat.
func (s *ListsService) AddMembers(ctx context.Context, listID string, recordIDs []string) (*MembershipChange, error) {
	return s.changeMembers(ctx, "add", listID, recordIDs)
}

// RemoveMembers removes records from a MANUAL or SNAPSHOT list; safe to repeat.
func (s *ListsService) RemoveMembers(ctx context.Context, listID string, recordIDs []string) (*MembershipChange, error) {
	return s.changeMembers(ctx, "remove", listID, recordIDs)
}

func (s *ListsService) changeMembers(ctx context.Context, verb, listID string, recordIDs []string) (*MembershipChange, error) {
	resp, _, err := call[struct {
		Added   []string `json:"recordsIdsAdded"`
		Removed []string `json:"recordIdsRemoved"`
		Missing []string `json:"recordIdsMissing"`
	}](ctx, s.client, request{method: http.MethodPut, path: s.client.path(areaLists, listID, "memberships", verb), body: orEmpty(recordIDs), family: familyLists, idempotent: true})
	if err != nil {
		return nil, fmt.Errorf("%s %d records to list %s: %w", verb, len(recordIDs), listID, err)
	}
	return &MembershipChange{Added: resp.Added, Removed: resp.Removed, Missing: resp.Missing}, nil
}

// RecordList is one list a record belongs to.
type RecordList struct {
	ListID       string
	FirstAddedAt time.Time
	LastAddedAt  time.Time
}

// RecordLists returns the lists a record belongs to; objectTypeID is a type id such as 0-1.
func (s *ListsService) RecordLists(ctx context.Context, objectTypeID, recordID string) ([]RecordList, error) {
	resp, _, err := call[struct {
		Results []struct {
			ListID              flexString `json:"listId"`
			FirstAddedTimestamp time.Time  `json:"firstAddedTimestamp"`
			LastAddedTimestamp  time.Time  `json:"lastAddedTimestamp"`
		} `json:"results"`
	}](ctx, s.client, request{method: http.MethodGet, path: s.client.path(areaLists, "records", objectTypeID, recordID, "memberships"), family: familyLists, idempotent: true})
	if err != nil {
		return nil, fmt.Errorf("lists of %s %s: %w", objectTypeID, recordID, err)
	}
	out := make([]RecordList, len(resp.Results))
	for i, r := range resp.Results {
		out[i] = RecordList{ListID: string(r.ListID), FirstAddedAt: r.FirstAddedTimestamp, LastAddedAt: r.LastAddedTimestamp}
	}
	return out, nil
}
