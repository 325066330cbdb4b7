package incremental

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// The association refresh hands each batch to Associations.BatchRead, which refuses more than
// hubspot.MaxAssociationReadInputs ids: BatchSize is a bound, whatever the pages' sizes.
func TestRollingHandsOverAtMostBatchSize(t *testing.T) {
	api, store := newFakeAPI(), &memStore{}
	for i := 1; i <= 30_000; i++ {
		api.put(uint64(i*3), 1)
	}
	r := &Reader{API: api, Store: store, Budget: NewBudget(1_000_000)}
	s := RollingStream{Key: "p/a/contacts/rolling", ObjectType: "contacts", Runs: 24, BatchSize: hubspot.MaxAssociationReadInputs}
	_, err := r.ReadRolling(context.Background(), s, func(objs []hubspot.Object) error {
		if len(objs) > hubspot.MaxAssociationReadInputs {
			return errors.New("handed over " + strconv.Itoa(len(objs)) + " records at once, over BatchSize 1000 (BatchRead of associations refuses them)")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A restart (a timestamp straddling pages) leaves the pending count off a multiple of 200; the
// hand-overs still stay within BatchSize.
func TestIncrementalHandsOverAtMostBatchSize(t *testing.T) {
	api, store := newFakeAPI(), &memStore{}
	id := uint64(0)
	ms := int64(1000)
	for range 950 { // distinct times
		id++
		ms += 10
		api.put(id, ms)
	}
	ms += 10
	for range 461 { // a group sharing one time, straddling pages
		id++
		api.put(id, ms)
	}
	for range 1600 {
		id++
		ms += 10
		api.put(id, ms)
	}
	now := time.UnixMilli(ms).Add(time.Hour)
	r := &Reader{API: api, Store: store, Budget: NewBudget(1_000_000), SettleLag: time.Minute, Start: time.UnixMilli(1), Now: func() time.Time { return now }, Logger: zerolog.Nop()}
	s := Stream{Key: "p/assoc/contacts", ObjectType: "contacts", ModifiedProperty: modifiedProp, BackfillBySearch: true, BatchSize: hubspot.MaxAssociationReadInputs}
	maxLen := 0
	_, err := r.Read(context.Background(), s, func(objs []hubspot.Object) error {
		maxLen = max(maxLen, len(objs))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if maxLen > hubspot.MaxAssociationReadInputs {
		t.Fatalf("a hand-over of %d records, over BatchSize %d", maxLen, hubspot.MaxAssociationReadInputs)
	}
}

func gateStream(members *map[string]bool) Stream {
	s := stream()
	s.Key = "default/hubspot_crm_contacts"
	s.FilterKey = "lists:42"
	s.BatchSize = 250 // as client.ReadObjects
	s.Gate = &Gate{Members: func(context.Context) ([]string, error) {
		var ids []string
		for id := range *members {
			ids = append(ids, id)
		}
		return ids, nil
	}}
	return s
}

// A list empty when the stream begins (or later) is still a known set of members: a record that
// joins it is handed over.
func TestGateFromAnEmptyListSyncsJoiners(t *testing.T) {
	h := newHarness(t)
	ids := h.seed(5)
	members := map[string]bool{}
	s := gateStream(&members)
	h.run(1000, s)
	h.now = h.now.Add(time.Hour)
	members[strconv.FormatUint(ids[2], 10)] = true // joins the list; not modified
	_, seen := h.run(1000, s)
	h.now = h.now.Add(time.Hour)
	_, seen2 := h.run(1000, s)
	if seen[strconv.FormatUint(ids[2], 10)]+seen2[strconv.FormatUint(ids[2], 10)] == 0 {
		t.Fatalf("record %d joined the gate's list and was never handed over (members key %q)", ids[2], h.store.m[s.Key+"/members"])
	}
}

// failingArchived fails the recycle-bin listing while fail is set.
type failingArchived struct {
	*fakeAPI
	fail bool
}

func (f *failingArchived) ListPage(ctx context.Context, typ string, opts hubspot.ListOptions) (*hubspot.ObjectPage, error) {
	if opts.Archived && f.fail {
		return nil, errors.New("503 after retries")
	}
	return f.fakeAPI.ListPage(ctx, typ, opts)
}

// The members are kept only with the records of their changes handed over: a failure later in
// the same Read (the tombstone pass) leaves the next run to compare with the old members again,
// although the sync flushes the state whether or not a table failed.
func TestGateJoinSurvivesALaterFailure(t *testing.T) {
	h := newHarness(t)
	ids := h.seed(5)
	id := func(i int) string { return strconv.FormatUint(ids[i], 10) }
	members := map[string]bool{id(0): true}
	s := gateStream(&members)
	api := &failingArchived{fakeAPI: h.api}
	read := func(fail bool) (map[string]int, error) {
		api.fail = fail
		r := &Reader{API: api, Store: h.store, Budget: NewBudget(1000), SettleLag: time.Minute, Now: func() time.Time { return h.now }, Logger: zerolog.Nop()}
		seen := map[string]int{}
		_, err := r.Read(context.Background(), s, func(objs []hubspot.Object) error {
			for _, o := range objs {
				seen[o.ID]++
			}
			return nil
		})
		return seen, err
	}
	if _, err := read(false); err != nil {
		t.Fatal(err)
	}
	h.now = h.now.Add(2 * time.Hour) // the tombstone interval (0) is due every run anyway
	members[id(3)] = true            // joins; not modified
	seen1, err := read(true)
	if err == nil {
		t.Fatal("the failing tombstone pass did not fail the read")
	}
	h.now = h.now.Add(time.Hour)
	seen2, err := read(false)
	if err != nil {
		t.Fatal(err)
	}
	if seen1[id(3)]+seen2[id(3)] == 0 {
		t.Fatalf("record %s joined the list, the run failed after saving the members, and the rerun never handed it over", id(3))
	}
}

// A membership change the cap interrupts part-way reports the stream incomplete.
func TestGateCapMidMembershipChangeIsReported(t *testing.T) {
	h := newHarness(t)
	ids := h.seed(10)
	members := map[string]bool{}
	for _, i := range ids[:2] {
		members[strconv.FormatUint(i, 10)] = true
	}
	s := gateStream(&members)
	s.Tombstones = false
	h.run(1000, s)
	h.now = h.now.Add(time.Hour)
	for _, i := range ids[2:] {
		members[strconv.FormatUint(i, 10)] = true // 8 join
	}
	res, seen := h.run(5, s)
	if res.Complete {
		t.Fatalf("a run whose cap (5) stopped 8 joined records reported the stream complete; handed over %d", len(seen))
	}
}
