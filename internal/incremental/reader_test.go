package incremental

import (
	"context"
	"errors"
	"math/rand"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

var base = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// harness runs a stream repeatedly against one fake portal and store, like consecutive syncs.
type harness struct {
	t     *testing.T
	api   *fakeAPI
	store *memStore
	now   time.Time
	// latest holds, per id, the newest state handed over by any run: the destination's view.
	latest map[string]int64
	// progress, when set, hears each run's expected record counts.
	progress Progress
}

func newHarness(t *testing.T) *harness {
	return &harness{t: t, api: newFakeAPI(), store: &memStore{}, now: base, latest: map[string]int64{}}
}

// run reads the stream once with a record cap and returns the result and how often each id came.
func (h *harness) run(capacity int, s Stream, mutate ...func(*Reader)) (Result, map[string]int) {
	h.t.Helper()
	r := &Reader{API: h.api, Store: h.store, Budget: NewBudget(capacity), SettleLag: time.Minute, Now: func() time.Time { return h.now }, Logger: zerolog.Nop(), Progress: h.progress}
	for _, m := range mutate {
		m(r)
	}
	ctx := context.Background()
	seen := map[string]int{}
	res, err := r.Read(ctx, s, func(objs []hubspot.Object) error {
		for _, o := range objs {
			seen[o.ID]++
			h.latest[o.ID] = o.UpdatedAt.UnixMilli()
			if o.Archived {
				h.latest[o.ID] = -1
			}
		}
		return nil
	})
	if err != nil {
		h.t.Fatalf("read: %v", err)
	}
	return res, seen
}

// assertConverged checks that the destination view equals the portal: every live record at its
// latest modification, every archived one as a tombstone.
func (h *harness) assertConverged() {
	h.t.Helper()
	h.api.mu.Lock()
	defer h.api.mu.Unlock()
	if len(h.latest) != len(h.api.recs) {
		h.t.Errorf("destination holds %d records, portal %d", len(h.latest), len(h.api.recs))
	}
	for id, r := range h.api.recs {
		want := r.ms
		if r.archived {
			want = -1
		}
		if got, ok := h.latest[strconv.FormatUint(id, 10)]; !ok || got != want {
			h.t.Errorf("record %d: destination has %d (present %t), portal %d", id, got, ok, want)
		}
	}
}

func assertOnce(t *testing.T, seen map[string]int) {
	t.Helper()
	for id, n := range seen {
		if n != 1 {
			t.Errorf("record %s handed over %d times in one run", id, n)
		}
	}
}

func stream() Stream {
	return Stream{Key: "default/hubspot_crm_deals", ObjectType: "deals", ModifiedProperty: modifiedProp, Tombstones: true}
}

// seed puts n records with ids spanning digit lengths (text order differs from numeric order).
func (h *harness) seed(n int) []uint64 {
	ids := make([]uint64, n)
	for i := range n {
		ids[i] = uint64(7199 + i*37_117_113)
		h.api.put(ids[i], base.Add(-time.Duration(n-i)*time.Hour).UnixMilli())
	}
	return ids
}

func TestBackfillThenIncrementalConverges(t *testing.T) {
	h := newHarness(t)
	ids := h.seed(250)
	res, seen := h.run(10_000, stream())
	if !res.Complete || res.Records != 250 || len(seen) != 250 {
		t.Fatalf("first run: %+v, %d distinct", res, len(seen))
	}
	assertOnce(t, seen)
	h.assertConverged()

	h.now = base.Add(time.Hour)
	for _, id := range ids[:30] {
		h.api.put(id, base.Add(30*time.Minute).UnixMilli())
	}
	for i := range 10 {
		h.api.put(uint64(900_000_000_000+i), base.Add(40*time.Minute).UnixMilli())
	}
	for _, id := range ids[100:105] {
		h.api.archive(id, base.Add(45*time.Minute).UnixMilli())
	}
	searchesBefore := h.api.searches
	res, seen = h.run(10_000, stream())
	if !res.Complete || res.Records != 40 || res.Tombstones != 5 {
		t.Fatalf("second run: %+v", res)
	}
	assertOnce(t, seen)
	h.assertConverged()
	if got := h.api.searches - searchesBefore; got != 1 {
		t.Errorf("40 changes took %d searches, want 1", got)
	}

	h.now = base.Add(2 * time.Hour)
	res, seen = h.run(10_000, stream())
	if res.Records != 0 || res.Tombstones != 0 || len(seen) != 0 {
		t.Errorf("third run with no changes handed over %+v", res)
	}
}

func TestCapStopsAndResumesExactlyOnce(t *testing.T) {
	h := newHarness(t)
	h.seed(3500)
	total := map[string]int{}
	for run := 1; run <= 4; run++ {
		res, seen := h.run(1000, stream())
		for id, n := range seen {
			total[id] += n
		}
		wantComplete := run == 4
		if res.Complete != wantComplete {
			t.Errorf("run %d: complete=%t, want %t", run, res.Complete, wantComplete)
		}
		wantRecords := 1000
		if run == 4 {
			wantRecords = 500
		}
		if res.Records != wantRecords {
			t.Errorf("run %d: %d records, want %d", run, res.Records, wantRecords)
		}
	}
	if len(total) != 3500 {
		t.Errorf("four runs delivered %d distinct records, want 3500", len(total))
	}
	assertOnce(t, total)
}

func TestTiesBeyondTheSearchCap(t *testing.T) {
	h := newHarness(t)
	h.seed(100)
	h.run(100_000, stream())

	// A bulk import: 15,000 records share one last-modified timestamp.
	h.now = base.Add(time.Hour)
	bulk := base.Add(10 * time.Minute).UnixMilli()
	for i := range 15_000 {
		h.api.put(uint64(1_000_000+i*13), bulk)
	}
	total := map[string]int{}
	res, seen := h.run(7000, stream())
	for id, n := range seen {
		total[id] += n
	}
	assertOnce(t, seen)
	if res.Complete || res.Records != 7000 {
		t.Fatalf("capped run: %+v", res)
	}
	res, seen = h.run(100_000, stream())
	for id, n := range seen {
		total[id] += n
	}
	if !res.Complete || len(total) != 15_000 {
		t.Fatalf("resumed run: %+v; %d distinct over both runs", res, len(total))
	}
	assertOnce(t, total)
	h.assertConverged()
}

func TestChangesDuringAReadLoseNothing(t *testing.T) {
	h := newHarness(t)
	h.seed(10)
	h.run(100_000, stream())
	h.now = base.Add(2 * time.Hour)
	for i := range 1000 {
		h.api.put(uint64(50_000+i), base.Add(time.Duration(i)*time.Second).UnixMilli())
	}
	// While the reader pages, records it has not reached yet move past the window (edited now),
	// which would shift every later offset under offset paging.
	h.api.beforeSearch = func(n int) {
		if n > 0 && n < 4 {
			h.api.put(uint64(50_000+900+n), h.now.UnixMilli())
		}
	}
	_, seen := h.run(100_000, stream())
	assertOnce(t, seen)
	for i := range 1000 {
		moved := i > 900 && i < 904
		if _, ok := seen[strconv.Itoa(50_000+i)]; !ok && !moved {
			t.Errorf("record %d was never read", 50_000+i)
		}
	}
	h.api.beforeSearch = nil
	h.now = h.now.Add(2 * time.Minute)
	h.run(100_000, stream())
	h.assertConverged()
}

func TestSettleLagLeavesRecentChangesForLater(t *testing.T) {
	h := newHarness(t)
	h.seed(5)
	h.run(100, stream())
	h.api.put(42, base.Add(-10*time.Second).UnixMilli()) // inside the one-minute settle lag
	_, seen := h.run(100, stream())
	if seen["42"] != 0 {
		t.Fatal("an unsettled record was read")
	}
	h.now = base.Add(2 * time.Minute)
	_, seen = h.run(100, stream())
	if seen["42"] != 1 {
		t.Fatalf("the settled record came %d times, want 1", seen["42"])
	}
}

func TestStartDateSkipsBackfill(t *testing.T) {
	h := newHarness(t)
	h.seed(48) // one per hour over the two days before base
	_, seen := h.run(100, stream(), func(r *Reader) { r.Start = base.Add(-6 * time.Hour) })
	if h.api.lists > 1 { // the tombstone pass lists the recycle bin once
		t.Errorf("start_date still listed %d pages", h.api.lists)
	}
	if len(seen) != 6 {
		t.Errorf("start_date 6 hours back read %d records, want 6", len(seen))
	}
}

func TestSearchBackfillComparesIDsAsNumbers(t *testing.T) {
	h := newHarness(t)
	for _, id := range []uint64{7199, 719869649082, 72, 8, 1_000_000_000_000} {
		h.api.put(id, base.Add(-time.Hour).UnixMilli())
	}
	s := stream()
	s.BackfillBySearch, s.Tombstones, s.BatchSize = true, false, 1000
	var batches int
	r := &Reader{API: h.api, Store: h.store, Budget: NewBudget(100), SettleLag: time.Minute, Now: func() time.Time { return h.now }, Logger: zerolog.Nop()}
	seen := map[string]int{}
	if _, err := r.Read(context.Background(), s, func(objs []hubspot.Object) error {
		batches++
		for _, o := range objs {
			seen[o.ID]++
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 5 || batches != 1 {
		t.Errorf("read %v in %d batches, want all 5 ids in 1 batch", seen, batches)
	}
}

func TestCursorAdvancesOnlyAfterHandOver(t *testing.T) {
	h := newHarness(t)
	h.seed(250)
	r := &Reader{API: h.api, Store: h.store, Budget: NewBudget(1000), SettleLag: time.Minute, Now: func() time.Time { return h.now }, Logger: zerolog.Nop()}
	calls := 0
	boom := errors.New("destination closed")
	_, err := r.Read(context.Background(), stream(), func([]hubspot.Object) error {
		calls++
		if calls == 2 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want the hand-over's", err)
	}
	cur, _ := parseCursor(h.store.m[stream().Key])
	if cur.BackfillAfter == "" || cur.Phase != PhaseBackfill {
		t.Fatalf("cursor after one good page: %+v", cur)
	}
	_, seen := h.run(1000, stream())
	if len(seen) != 150 {
		t.Errorf("rerun read %d records, want the 150 not handed over", len(seen))
	}
}

func TestCorruptCursorIsAnError(t *testing.T) {
	cases := []struct {
		name, raw string
		want      []string
	}{
		{"not json", "{not json", []string{"remove the key"}},
		{"unknown phase", `{"v":1,"phase":"backfil","since_ms":1}`, []string{stream().Key, `"backfil"`, "remove the key"}},
		{"newer version", `{"v":2,"phase":"backfill"}`, []string{"version 2", "remove the key"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.store.m = map[string]string{stream().Key: tc.raw}
			r := &Reader{API: h.api, Store: h.store, Budget: NewBudget(10), Logger: zerolog.Nop()}
			_, err := r.Read(context.Background(), stream(), func([]hubspot.Object) error { return nil })
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func TestRecordArchivedBehindTheTombstonePassIsCaughtNextRun(t *testing.T) {
	h := newHarness(t)
	ids := h.seed(300)
	for _, id := range ids[100:250] { // two pages of recycle bin
		h.api.archive(id, base.Add(-3*time.Hour).UnixMilli())
	}
	h.run(100_000, stream())
	h.now = base.Add(time.Hour)
	// While the pass reads its second page, a low id (behind the pass) is archived, then a high id.
	h.api.beforeList = func(opts hubspot.ListOptions) {
		if opts.Archived && opts.After != "" {
			h.api.archive(ids[5], h.now.Add(-2*time.Second).UnixMilli())
			h.api.archive(ids[290], h.now.Add(-time.Second).UnixMilli())
			h.api.beforeList = nil
		}
	}
	h.run(100_000, stream())
	h.now = base.Add(2 * time.Hour)
	h.run(100_000, stream())
	h.assertConverged()
}

func TestUnstableTieOrderLosesNothing(t *testing.T) {
	h := newHarness(t)
	h.seed(10)
	h.run(100_000, stream())
	h.now = base.Add(2 * time.Hour)
	// 3,000 records in groups of 7 sharing a timestamp: groups straddle page boundaries, and the
	// index returns each group in a different order on every search.
	for i := range 3000 {
		h.api.put(uint64(80_000+i), base.Add(time.Duration(i/7)*time.Millisecond).UnixMilli())
	}
	h.api.shuffleTies = rand.New(rand.NewSource(1))
	_, seen := h.run(100_000, stream())
	assertOnce(t, seen)
	if len(seen) != 3000 {
		t.Errorf("read %d of 3000 changed records", len(seen))
	}
	h.assertConverged()
}

func TestIncrementalRequestsPerThousand(t *testing.T) {
	cases := []struct {
		name     string
		perStamp int
		want     float64
	}{
		{"distinct timestamps", 1, 5.2},
		{"imports of 100 records per timestamp", 100, 5.2},
		{"imports of 333 records per timestamp, re-read by id because tie order is not stable", 333, 12.5},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			h.seed(1)
			h.run(100_000, stream())
			h.now = base.Add(2 * time.Hour)
			const n = 20_000
			for i := range n {
				h.api.put(uint64(100_000+i), base.Add(time.Duration(i/tc.perStamp)*time.Millisecond).UnixMilli())
			}
			before := h.api.searches + h.api.lists
			_, seen := h.run(100_000, stream())
			if len(seen) != n {
				t.Fatalf("read %d of %d", len(seen), n)
			}
			per := float64(h.api.searches+h.api.lists-before) * 1000 / n
			if per > tc.want {
				t.Errorf("%.2f requests per 1,000 changed records, want at most %.2f", per, tc.want)
			}
		})
	}
}

// A new tombstone pass starts only once the last complete one started an interval ago; a pass the
// cap interrupted goes on at the next run whatever the interval.
func TestTombstoneInterval(t *testing.T) {
	archivedLists := func(h *harness) int {
		h.api.mu.Lock()
		defer h.api.mu.Unlock()
		return h.api.archivedLists
	}
	tests := []struct {
		name     string
		interval time.Duration
		after    time.Duration // from the first run's start to the second's
		want     int           // recycle-bin pages listed by the second run
		wantSeen int           // tombstones handed over by the second run
	}{
		{name: "every run when zero", interval: 0, after: time.Minute, want: 1, wantSeen: 1},
		{name: "skipped within the interval", interval: time.Hour, after: 59 * time.Minute, want: 0, wantSeen: 0},
		{name: "due once the interval passed", interval: time.Hour, after: time.Hour, want: 1, wantSeen: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			ids := h.seed(20)
			s := stream()
			s.TombstoneInterval = tt.interval
			h.run(10_000, s)
			h.now = base.Add(tt.after)
			h.api.archive(ids[3], h.now.Add(-2*time.Minute).UnixMilli())
			before := archivedLists(h)
			res, _ := h.run(10_000, s)
			if got := archivedLists(h) - before; got != tt.want {
				t.Errorf("recycle-bin pages listed = %d, want %d", got, tt.want)
			}
			if res.Tombstones != tt.wantSeen || !res.Complete {
				t.Errorf("result %+v, want %d tombstones and complete", res, tt.wantSeen)
			}
		})
	}

	t.Run("a pass in progress continues within the interval", func(t *testing.T) {
		h := newHarness(t)
		ids := h.seed(300)
		s := stream()
		s.TombstoneInterval = time.Hour
		h.run(10_000, s)
		h.now = base.Add(2 * time.Hour)
		for _, id := range ids[:150] { // two pages of recycle bin
			h.api.archive(id, h.now.Add(-time.Hour).UnixMilli())
		}
		// The cap leaves room for the first recycle-bin page only.
		if res, _ := h.run(100, s); res.Complete || res.Tombstones != 100 {
			t.Fatalf("capped run: %+v, want 100 tombstones and incomplete", res)
		}
		h.now = h.now.Add(time.Minute)
		before := archivedLists(h)
		res, _ := h.run(10_000, s)
		if got := archivedLists(h) - before; got != 1 || res.Tombstones != 50 || !res.Complete {
			t.Errorf("resumed pass: %d pages, %+v; want the last page with 50 tombstones", got, res)
		}
		h.assertConverged()
	})
}

// expectations records what a read announced through Progress.
type expectations map[string][]int

func (e expectations) Expect(stream string, records int) { e[stream] = append(e[stream], records) }

// Each query over the incremental window announces, once, what the read will hand over in all;
// the list backfill, which has no total, announces nothing of its own.
func TestProgressHearsSearchTotals(t *testing.T) {
	h := newHarness(t)
	ids := h.seed(250)
	steps := []struct {
		name    string
		changed []uint64
		want    []int
	}{
		{name: "backfill, then an empty window", want: []int{250}},
		{name: "40 changes in one page", changed: ids[:40], want: []int{40}},
		{name: "250 changes over two pages", changed: ids, want: []int{250}},
		{name: "nothing changed", want: []int{0}},
	}
	for i, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			heard := expectations{}
			h.progress = heard
			h.now = base.Add(time.Duration(i+1) * time.Hour)
			for j, id := range step.changed {
				h.api.put(id, h.now.Add(-30*time.Minute+time.Duration(j)*time.Millisecond).UnixMilli())
			}
			res, _ := h.run(10_000, stream())
			got := heard[stream().Key]
			if !slices.Equal(got, step.want) {
				t.Errorf("expected counts %v, want %v", got, step.want)
			}
			if len(got) > 0 && got[len(got)-1] != res.Records {
				t.Errorf("last estimate %d, read handed over %d", got[len(got)-1], res.Records)
			}
		})
	}
}
