package incremental

import (
	"context"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

func TestReadRollingCoversEveryRecordWithinRuns(t *testing.T) {
	for _, tc := range []struct {
		name          string
		records, runs int
		// createdEachRun are added before every run, with ids above every existing one.
		createdEachRun int
		cap            int
	}{
		{name: "a walk of one run", records: 450, runs: 1},
		{name: "fewer records than runs", records: 3, runs: 24},
		{name: "slices below a page", records: 1000, runs: 24},
		{name: "slices above a page", records: 5000, runs: 4},
		{name: "records created during the walk", records: 1000, runs: 5, createdEachRun: 37},
		{name: "a capped run resumes", records: 2000, runs: 3, cap: 150},
		{name: "no records", records: 0, runs: 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api, store := newFakeAPI(), &memStore{}
			next := uint64(0)
			add := func(n int) {
				for range n {
					next += 3 // gaps between ids, as HubSpot's
					api.put(next, 1)
				}
			}
			add(tc.records)
			s := RollingStream{Key: "p/assoc/contacts/rolling", ObjectType: "contacts", Runs: tc.runs}
			seen := map[string]int{}
			atStart := map[string]bool{}
			runs := 3*tc.runs + 3
			if tc.cap > 0 {
				runs = tc.records/tc.cap + tc.runs + 1
			}
			for run := 0; run < runs; run++ {
				if run%tc.runs == 0 && tc.cap == 0 {
					// Every record existing at a walk's start must be handed over by its end.
					for id := range atStart {
						if seen[id] == 0 {
							t.Fatalf("run %d: record %s was not handed over within %d runs", run, id, tc.runs)
						}
					}
					clear(atStart)
					clear(seen)
					for _, r := range api.sorted(func(*fakeRecord) bool { return true }) {
						atStart[r.object().ID] = true
					}
				}
				add(tc.createdEachRun)
				budget := 1_000_000
				if tc.cap > 0 {
					budget = tc.cap
				}
				before := api.searches
				r := &Reader{API: api, Store: store, Budget: NewBudget(budget)}
				res, err := r.ReadRolling(context.Background(), s, func(objs []hubspot.Object) error {
					for _, o := range objs {
						seen[o.ID]++
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if tc.cap > 0 && res.Records > tc.cap {
					t.Fatalf("run %d read %d records, over the cap of %d", run, res.Records, tc.cap)
				}
				total := tc.records + (run+1)*tc.createdEachRun
				slice := (total + tc.runs - 1) / tc.runs
				if maxSearches := slice/searchPageMax + 2; api.searches-before > maxSearches {
					t.Fatalf("run %d made %d searches for a slice of about %d records", run, api.searches-before, slice)
				}
			}
			if tc.cap > 0 {
				// Capped walks take more runs; every record is still reached.
				for _, r := range api.sorted(func(*fakeRecord) bool { return true }) {
					if seen[r.object().ID] == 0 {
						t.Fatalf("record %d never handed over", r.id)
					}
				}
			}
		})
	}
}

func TestReadRollingRejectsBadCursor(t *testing.T) {
	store := &memStore{m: map[string]string{"k": `{"v":1,"phase":"incremental"`}}
	r := &Reader{API: newFakeAPI(), Store: store, Budget: NewBudget(10)}
	if _, err := r.ReadRolling(context.Background(), RollingStream{Key: "k", ObjectType: "contacts", Runs: 2}, func([]hubspot.Object) error { return nil }); err == nil {
		t.Fatal("a corrupt cursor was accepted")
	}
}
