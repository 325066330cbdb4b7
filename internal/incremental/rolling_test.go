package incremental

import (
	"context"
	"fmt"
	"math/rand"
	"slices"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// rollingPortal is one object type's records and the rolling stream that walks them, run after
// run, as the association table does.
type rollingPortal struct {
	t     *testing.T
	api   *limitsAPI
	store *memStore
	s     RollingStream
	next  uint64
	// budget caps the records of each run (0: no cap).
	budget int
}

// limitsAPI notes the limit of every search.
type limitsAPI struct {
	*fakeAPI
	limits []int
}

func (a *limitsAPI) Search(ctx context.Context, objectType string, req hubspot.SearchRequest) (*hubspot.SearchPage, error) {
	a.limits = append(a.limits, req.Limit)
	return a.fakeAPI.Search(ctx, objectType, req)
}

func newRollingPortal(t *testing.T, records, runs, phase int) *rollingPortal {
	p := &rollingPortal{t: t, api: &limitsAPI{fakeAPI: newFakeAPI()}, store: &memStore{},
		s: RollingStream{Key: "p/assoc/contacts/rolling", ObjectType: "contacts", Runs: runs, Phase: phase, BatchSize: hubspot.MaxAssociationReadInputs}}
	p.create(records)
	return p
}

// create adds records with ids above every existing one, as HubSpot gives them.
func (p *rollingPortal) create(n int) {
	for range n {
		p.next += 3 // gaps between ids, as HubSpot's
		p.api.put(p.next, 1)
	}
}

// archive archives n records present, picked by rng.
func (p *rollingPortal) archive(rng *rand.Rand, n int) {
	present := p.present()
	for _, i := range rng.Perm(len(present))[:min(n, len(present))] {
		p.api.archive(present[i], 1)
	}
}

func (p *rollingPortal) present() []uint64 {
	var ids []uint64
	for _, r := range p.api.sorted(func(r *fakeRecord) bool { return !r.archived }) {
		ids = append(ids, r.id)
	}
	return ids
}

// run runs the stream once and returns the ids handed over, in order, and the limits of the
// searches it sent.
func (p *rollingPortal) run() (handed []uint64, limits []int) {
	p.t.Helper()
	p.api.limits = nil
	budget := 1_000_000
	if p.budget > 0 {
		budget = p.budget
	}
	r := &Reader{API: p.api, Store: p.store, Budget: NewBudget(budget)}
	res, err := r.ReadRolling(context.Background(), p.s, func(objs []hubspot.Object) error {
		if len(objs) > hubspot.MaxAssociationReadInputs {
			return fmt.Errorf("%d records handed over at once, over %d", len(objs), hubspot.MaxAssociationReadInputs)
		}
		for _, o := range objs {
			var id uint64
			fmt.Sscan(o.ID, &id)
			handed = append(handed, id)
		}
		return nil
	})
	if err != nil {
		p.t.Fatal(err)
	}
	if res.Records != len(handed) {
		p.t.Fatalf("the run reports %d records, handed over %d", res.Records, len(handed))
	}
	if !slices.IsSorted(handed) {
		p.t.Fatalf("records handed over out of id order: %v", handed)
	}
	return handed, slices.Clone(p.api.limits)
}

// coverage fails when a record present goes `within` runs in a row without being handed over.
type coverage struct {
	// last is the run each record present was last handed over in, or the run before it existed.
	last map[uint64]int
}

func (c *coverage) check(t *testing.T, run int, present, handed []uint64, within int) {
	t.Helper()
	if c.last == nil {
		c.last = map[uint64]int{}
	}
	now := map[uint64]int{}
	for _, id := range present {
		last, ok := c.last[id]
		if !ok {
			last = run - 1
		}
		now[id] = last
	}
	for _, id := range handed {
		if _, ok := now[id]; ok {
			now[id] = run
		}
	}
	for id, last := range now {
		if run-last >= within {
			t.Fatalf("run %d: record %d was last handed over in run %d, not within %d runs", run, id, last, within)
		}
	}
	c.last = now
}

func TestReadRollingCoversEveryRecordWithinRuns(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		records, runs, phase int
		// createdEachRun and archivedEachRun change the records before every run.
		createdEachRun, archivedEachRun int
	}{
		{name: "a walk of one run", records: 450, runs: 1},
		{name: "fewer records than runs", records: 3, runs: 24},
		{name: "a small type", records: 150, runs: 6, phase: 2},
		{name: "slices below a page", records: 1000, runs: 24, phase: 5},
		{name: "slices above a page", records: 5000, runs: 4, phase: 3},
		{name: "records created during the walk", records: 1000, runs: 5, createdEachRun: 37},
		{name: "records created and archived", records: 2000, runs: 8, phase: 7, createdEachRun: 23, archivedEachRun: 41},
		{name: "many archived, few created", records: 4000, runs: 10, phase: 1, createdEachRun: 5, archivedEachRun: 150},
		{name: "a small type shrinking", records: 300, runs: 6, archivedEachRun: 11},
		{name: "no records", records: 0, runs: 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newRollingPortal(t, tc.records, tc.runs, tc.phase)
			rng := rand.New(rand.NewSource(int64(tc.records)))
			var cov coverage
			for run := range 3 * tc.runs {
				if run > 0 {
					p.create(tc.createdEachRun)
					p.archive(rng, tc.archivedEachRun)
				}
				present := p.present()
				handed, limits := p.run()
				cov.check(t, run, present, handed, tc.runs)
				for i, limit := range limits {
					if limit != searchPageMax && !(run == 0 && i == 0 && limit == 1) {
						t.Fatalf("run %d searched %d records at once; only a walk's first search, for its size, is not a full page", run, limit)
					}
				}
			}
		})
	}
}

func TestReadRollingReadsFullPagesOfALargeType(t *testing.T) {
	const records, runs = 2000, 24
	p := newRollingPortal(t, records, runs, 0)
	var searches, read int
	for run := range runs {
		handed, limits := p.run()
		searches += len(limits)
		read += len(handed)
		if len(handed)%searchPageMax != 0 {
			t.Errorf("run %d handed over %d records, not whole pages of %d", run, len(handed), searchPageMax)
		}
	}
	// One search for the walk's size, one per page, and one on the last run that finds the end.
	if want := 1 + records/searchPageMax + 1; searches != want {
		t.Errorf("a walk over %d records sent %d searches, want %d", records, searches, want)
	}
	if read != records {
		t.Errorf("a walk handed over %d records, want each of the %d once", read, records)
	}
}

func TestReadRollingSmallTypeSearchesOnItsLastRunOnly(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		records, runs, phase int
	}{
		{"phase 0", 120, 6, 0},
		{"phase part-way", 120, 6, 4},
		{"last phase", 199, 6, 5},
		{"no records", 0, 4, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newRollingPortal(t, tc.records, tc.runs, tc.phase)
			for run := range 3 * tc.runs {
				handed, limits := p.run()
				last := (run+tc.phase+1)%tc.runs == 0
				wantSearches := 0
				switch {
				case run == 0 && last:
					wantSearches = 2 // the walk's size, then its records
				case run == 0 || last:
					wantSearches = 1
				}
				if len(limits) != wantSearches {
					t.Errorf("run %d (last of its walk: %t) sent %d searches, want %d", run, last, len(limits), wantSearches)
				}
				if want := map[bool]int{true: tc.records}[last]; len(handed) != want {
					t.Errorf("run %d (last of its walk: %t) handed over %d records, want %d", run, last, len(handed), want)
				}
			}
		})
	}
}

func TestReadRollingPhasesSpreadSmallTypes(t *testing.T) {
	for _, tc := range []struct{ types, runs int }{{22, 24}, {30, 8}, {3, 3}, {5, 24}} {
		t.Run(fmt.Sprintf("%d types, %d runs", tc.types, tc.runs), func(t *testing.T) {
			portals := make([]*rollingPortal, tc.types)
			for i := range portals {
				portals[i] = newRollingPortal(t, 100, tc.runs, i*tc.runs/tc.types)
			}
			most := (tc.types+tc.runs-1)/tc.runs + 1
			for run := range 3 * tc.runs {
				reading := 0
				for _, p := range portals {
					if handed, _ := p.run(); len(handed) > 0 {
						reading++
					}
				}
				if reading > most {
					t.Fatalf("run %d: %d of %d types read their records, want at most %d", run, reading, tc.types, most)
				}
			}
		})
	}
}

func TestReadRollingRefreshRunsChange(t *testing.T) {
	for _, tc := range []struct {
		name       string
		records    int
		from, to   int
		changeAt   int
		phase      int
		archivedAt int
	}{
		{name: "fewer runs, small type", records: 150, from: 24, to: 6, changeAt: 30, phase: 3},
		{name: "fewer runs, large type", records: 5000, from: 24, to: 6, changeAt: 30, phase: 3},
		{name: "more runs, large type", records: 5000, from: 6, to: 24, changeAt: 9, phase: 2},
		{name: "down to one run", records: 900, from: 10, to: 1, changeAt: 14},
		{name: "up from one run", records: 900, from: 1, to: 10, changeAt: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newRollingPortal(t, tc.records, tc.from, tc.phase)
			rng := rand.New(rand.NewSource(1))
			var cov coverage
			for run := range tc.changeAt + 3*tc.to {
				if run == tc.changeAt {
					p.s.Runs = tc.to
				}
				p.create(7)
				p.archive(rng, 5)
				present := p.present()
				handed, _ := p.run()
				// The walk under way goes on at the new pace: until it ends, the larger of the
				// two counts of runs holds.
				cov.check(t, run, present, handed, max(tc.from, tc.to))
			}
			// A walk begun after the change keeps the new count.
			cov = coverage{}
			for run := range 3 * tc.to {
				present := p.present()
				handed, _ := p.run()
				cov.check(t, run, present, handed, tc.to)
			}
		})
	}
}

func TestReadRollingCappedWalkResumes(t *testing.T) {
	const records, runs, budget = 2000, 3, 150
	p := newRollingPortal(t, records, runs, 0)
	p.budget = budget
	seen := map[uint64]bool{}
	for run := range records/budget + runs + 1 {
		handed, _ := p.run()
		if len(handed) > budget {
			t.Fatalf("run %d read %d records, over the cap of %d", run, len(handed), budget)
		}
		for _, id := range handed {
			seen[id] = true
		}
	}
	for _, id := range p.present() {
		if !seen[id] {
			t.Fatalf("record %d never handed over", id)
		}
	}
}

// Cursors saved before walks read whole pages have the same version and fields, less runs, skip
// and end.
func TestReadRollingTakesOverOldCursors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cursor string
		// wantFirst is the first id the next walk hands over (0: any).
		wantFirst uint64
	}{
		{name: "between walks", cursor: `{"v":1,"run":0,"total":0,"done":0}`},
		{name: "mid-walk", cursor: `{"v":1,"after_id":"150","run":5,"total":300,"done":50}`, wantFirst: 153},
		{name: "past refresh_runs", cursor: `{"v":1,"after_id":"150","run":30,"total":300,"done":50}`, wantFirst: 153},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const runs = 6
			p := newRollingPortal(t, 300, runs, 2)
			p.store.m = map[string]string{p.s.Key: tc.cursor}
			var first uint64
			var cov coverage
			for run := range 3 * runs {
				present := p.present()
				handed, _ := p.run()
				if first == 0 && len(handed) > 0 {
					first = handed[0]
				}
				// The walk under way, begun at a slice a run, may now take a record up to
				// twice refresh_runs between reads once; later walks keep refresh_runs.
				cov.check(t, run, present, handed, 2*runs-1)
			}
			if tc.wantFirst != 0 && first != tc.wantFirst {
				t.Errorf("the walk under way went on from record %d, want %d", first, tc.wantFirst)
			}
		})
	}
}

func TestReadRollingRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		name   string
		cursor string
		s      RollingStream
	}{
		{"corrupt cursor", `{"v":1,"phase":"incremental"`, RollingStream{Key: "k", ObjectType: "contacts", Runs: 2}},
		{"negative run", `{"v":1,"run":-2,"total":5,"done":0}`, RollingStream{Key: "k", ObjectType: "contacts", Runs: 2}},
		{"no runs", "", RollingStream{Key: "k", ObjectType: "contacts"}},
		{"phase past runs", "", RollingStream{Key: "k", ObjectType: "contacts", Runs: 4, Phase: 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := &memStore{m: map[string]string{"k": tc.cursor}}
			r := &Reader{API: newFakeAPI(), Store: store, Budget: NewBudget(10)}
			if _, err := r.ReadRolling(context.Background(), tc.s, func([]hubspot.Object) error { return nil }); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}
