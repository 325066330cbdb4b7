package incremental

import (
	"cmp"
	"context"
	"fmt"
	"math/rand"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

const modifiedProp = "hs_lastmodifieddate"

// fakeRecord is one record of fakeAPI's portal.
type fakeRecord struct {
	id         uint64
	ms         int64 // last modified
	archived   bool
	archivedAt int64
}

// fakeAPI is a small portal answering list and search the way HubSpot does for the filters the
// reader sends, including the 10,000-result cap and ids compared as numbers.
type fakeAPI struct {
	mu       sync.Mutex
	recs     map[uint64]*fakeRecord
	searches int
	lists    int
	// archivedLists counts the list calls for the recycle bin (archived=true).
	archivedLists int
	batchReads    int
	// beforeSearch and beforeList run before each search or list call, outside the lock, to
	// change records mid-read.
	beforeSearch func(n int)
	beforeList   func(opts hubspot.ListOptions)
	// shuffleTies orders records sharing a modified time differently on every search, as a search
	// index may after its segments change.
	shuffleTies *rand.Rand
}

func newFakeAPI() *fakeAPI { return &fakeAPI{recs: map[uint64]*fakeRecord{}} }

func (f *fakeAPI) put(id uint64, ms int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recs[id] = &fakeRecord{id: id, ms: ms}
}

func (f *fakeAPI) archive(id uint64, at int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.recs[id].archived, f.recs[id].archivedAt = true, at
}

func (f *fakeAPI) sorted(keep func(*fakeRecord) bool) []*fakeRecord {
	var out []*fakeRecord
	for _, r := range f.recs {
		if keep(r) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b *fakeRecord) int { return cmpU(a.id, b.id) })
	return out
}

func (f *fakeAPI) ListPage(_ context.Context, _ string, opts hubspot.ListOptions) (*hubspot.ObjectPage, error) {
	if f.beforeList != nil {
		f.beforeList(opts)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lists++
	if opts.Archived {
		f.archivedLists++
	}
	after, _ := strconv.ParseUint(opts.After, 10, 64)
	recs := f.sorted(func(r *fakeRecord) bool { return r.archived == opts.Archived && r.id > after })
	limit := min(opts.Limit, 100)
	page := &hubspot.ObjectPage{}
	for i, r := range recs {
		if i == limit {
			page.After = strconv.FormatUint(recs[i-1].id, 10)
			break
		}
		page.Results = append(page.Results, r.object())
	}
	return page, nil
}

func (f *fakeAPI) Search(_ context.Context, _ string, req hubspot.SearchRequest) (*hubspot.SearchPage, error) {
	f.mu.Lock()
	n := f.searches
	f.searches++
	hook := f.beforeSearch
	f.mu.Unlock()
	if hook != nil {
		hook(n)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	offset, _ := strconv.Atoi(cmp.Or(req.After, "0"))
	if offset+req.Limit > 10_000 {
		return nil, fmt.Errorf("400: paging past 10,000 results")
	}
	recs := f.sorted(func(r *fakeRecord) bool {
		if r.archived {
			return false
		}
		for _, flt := range req.FilterGroups[0].Filters {
			if !matches(r, flt) {
				return false
			}
		}
		return true
	})
	if req.Sorts[0].PropertyName == modifiedProp {
		if f.shuffleTies != nil {
			f.shuffleTies.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
		}
		slices.SortStableFunc(recs, func(a, b *fakeRecord) int { return int(a.ms - b.ms) })
	}
	page := &hubspot.SearchPage{Total: len(recs)}
	for i := offset; i < len(recs) && i < offset+req.Limit; i++ {
		page.Results = append(page.Results, recs[i].object())
	}
	if offset+req.Limit < len(recs) {
		page.After = strconv.Itoa(offset + req.Limit)
	}
	return page, nil
}

func matches(r *fakeRecord, f hubspot.Filter) bool {
	v, _ := strconv.ParseInt(f.Value, 10, 64)
	got := r.ms
	if f.PropertyName == idProperty {
		got = int64(r.id)
	}
	switch f.Operator {
	case "GT":
		return got > v
	case "GTE":
		return got >= v
	case "LT":
		return got < v
	case "LTE":
		return got <= v
	case "EQ":
		return got == v
	}
	panic("operator " + f.Operator)
}

func (r *fakeRecord) object() hubspot.Object {
	o := hubspot.Object{ID: strconv.FormatUint(r.id, 10), UpdatedAt: time.UnixMilli(r.ms).UTC(), Archived: r.archived}
	if r.archived {
		at := time.UnixMilli(r.archivedAt).UTC()
		o.ArchivedAt = &at
	}
	return o
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// memStore is an in-memory cursor store.
type memStore struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memStore) GetKey(_ context.Context, k string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[k], nil
}

func (s *memStore) SetKey(_ context.Context, k, v string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[k] = v
	return nil
}

func (f *fakeAPI) BatchRead(_ context.Context, _ string, req hubspot.BatchReadRequest) (*hubspot.BatchResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batchReads++
	res := &hubspot.BatchResult{}
	for _, id := range req.IDs {
		n, _ := strconv.ParseUint(id, 10, 64)
		if r, ok := f.recs[n]; ok && !r.archived {
			res.Results = append(res.Results, hubspot.BatchObject{Object: r.object()})
		} else {
			res.Errors = append(res.Errors, hubspot.BatchError{Status: "error", Category: "OBJECT_NOT_FOUND", IDs: []string{id}})
		}
	}
	return res, nil
}
