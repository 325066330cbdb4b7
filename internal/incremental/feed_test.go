package incremental

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strconv"
	"testing"
	"time"
)

// consumerStream reads the same object type as stream() under its own key, as the associations
// table does.
func consumerStream() Stream {
	return Stream{Key: "default/hubspot_crm_associations/deals", ObjectType: "deals", ModifiedProperty: modifiedProp, BackfillBySearch: true}
}

// feedRun runs the publishing stream, then the consumer with what it shared, and returns the ids
// the consumer handed over and the searches it made.
func (h *harness) feedRun(publisher, consumer Stream, publisherCap, consumerCap int) (map[string]int, int) {
	h.t.Helper()
	feed := NewFeed()
	publisher.Share, consumer.Shared = feed, feed
	h.run(publisherCap, publisher)
	before := h.api.searches
	_, seen := h.run(consumerCap, consumer)
	return seen, h.api.searches - before
}

// changeSome modifies the first n records and adds m new ones, at distinct times before now, and
// returns every id changed.
func (h *harness) changeSome(ids []uint64, n, m int) []string {
	var changed []string
	for i, id := range ids[:n] {
		h.api.put(id, h.now.Add(-time.Duration(30+i)*time.Minute).UnixMilli())
		changed = append(changed, strconv.FormatUint(id, 10))
	}
	for i := range m {
		id := uint64(900_000_000_000 + int(h.now.Unix())%1000*1000 + i)
		h.api.put(id, h.now.Add(-time.Duration(5+i)*time.Minute).UnixMilli())
		changed = append(changed, strconv.FormatUint(id, 10))
	}
	slices.Sort(changed)
	return changed
}

func sortedSeen(seen map[string]int) []string {
	return slices.Sorted(maps.Keys(seen))
}

// Once both streams read incrementally, the consumer takes the publisher's changes: the same
// records a search would find, without a request.
func TestSharedChangesSpareTheSearch(t *testing.T) {
	h := newHarness(t)
	ids := h.seed(250)
	if seen, _ := h.feedRun(stream(), consumerStream(), 10_000, 10_000); len(seen) != 250 {
		t.Fatalf("first run: the consumer's backfill read %d of 250 records", len(seen))
	}
	for run := 1; run <= 3; run++ {
		h.now = h.now.Add(time.Hour)
		want := h.changeSome(ids[run*10:], 30, 10)
		seen, searches := h.feedRun(stream(), consumerStream(), 10_000, 10_000)
		assertOnce(t, seen)
		if got := sortedSeen(seen); !slices.Equal(got, want) {
			t.Errorf("run %d: the consumer handed over %d records, want the %d changed: %v", run, len(got), len(want), got)
		}
		if searches != 0 {
			t.Errorf("run %d: the consumer searched %d times, want none", run, searches)
		}
	}
	h.now = h.now.Add(time.Hour)
	if seen, searches := h.feedRun(stream(), consumerStream(), 10_000, 10_000); len(seen) != 0 || searches != 0 {
		t.Errorf("run without changes: the consumer handed over %d records with %d searches, want none", len(seen), searches)
	}
}

// Whenever the publisher's changes cannot stand for the consumer's window, the consumer searches
// and loses nothing.
func TestConsumerSearchesWhenTheFeedFallsShort(t *testing.T) {
	cases := []struct {
		name string
		// setup runs between the first (backfill) run and the checked one; it returns the
		// publisher and consumer streams, the publisher's record cap and the changed ids.
		setup func(h *harness, ids []uint64) (publisher, consumer Stream, publisherCap int, want []string)
	}{
		{"publisher stopped by the record cap", func(h *harness, ids []uint64) (Stream, Stream, int, []string) {
			return stream(), consumerStream(), 5, h.changeSome(ids, 30, 10)
		}},
		{"consumer missed the publisher's last run", func(h *harness, ids []uint64) (Stream, Stream, int, []string) {
			want := h.changeSome(ids, 20, 0)
			h.now = h.now.Add(time.Hour)
			h.run(10_000, stream()) // the consumer did not run
			h.now = h.now.Add(time.Hour)
			return stream(), consumerStream(), 10_000, append(want, h.changeSome(ids[100:], 5, 0)...)
		}},
		{"publisher reads a full refresh", func(h *harness, ids []uint64) (Stream, Stream, int, []string) {
			p := stream()
			p.FullRefresh = true
			return p, consumerStream(), 10_000, h.changeSome(ids, 30, 10)
		}},
		{"publisher lacks a property the consumer reads", func(h *harness, ids []uint64) (Stream, Stream, int, []string) {
			p, c := stream(), consumerStream()
			c.Properties = []string{modifiedProp}
			p.ShareProperties = c.Properties
			return p, c, 10_000, h.changeSome(ids, 30, 10)
		}},
		{"more changes than a feed keeps", func(h *harness, ids []uint64) (Stream, Stream, int, []string) {
			want := h.changeSome(ids, 0, 0)
			for i := range maxShared + 1 {
				id := uint64(500_000_000_000 + i)
				h.api.put(id, h.now.Add(-30*time.Minute).Add(time.Duration(i)*time.Millisecond).UnixMilli())
				want = append(want, strconv.FormatUint(id, 10))
			}
			slices.Sort(want)
			return stream(), consumerStream(), 100_000, want
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			ids := h.seed(250)
			h.feedRun(stream(), consumerStream(), 10_000, 10_000)
			h.now = h.now.Add(time.Hour)
			publisher, consumer, publisherCap, want := tc.setup(h, ids)
			seen, searches := h.feedRun(publisher, consumer, publisherCap, 100_000)
			slices.Sort(want)
			if got := sortedSeen(seen); !slices.Equal(got, slices.Compact(want)) {
				t.Errorf("the consumer handed over %d records, want the %d changed", len(got), len(want))
			}
			if searches == 0 {
				t.Error("the consumer took changes that do not cover its window")
			}
		})
	}
}

// A consumer the record cap stops while taking changes resumes by search next run, where it stopped.
func TestConsumerCappedWhileTakingResumes(t *testing.T) {
	h := newHarness(t)
	ids := h.seed(250)
	h.feedRun(stream(), consumerStream(), 10_000, 10_000)
	h.now = h.now.Add(time.Hour)
	want := h.changeSome(ids, 30, 10)
	first, searches := h.feedRun(stream(), consumerStream(), 10_000, 15)
	if len(first) != 15 || searches != 0 {
		t.Fatalf("capped at 15: handed over %d records with %d searches", len(first), searches)
	}
	h.now = h.now.Add(time.Hour)
	second, _ := h.feedRun(stream(), consumerStream(), 10_000, 10_000)
	maps.Copy(first, second)
	if got := sortedSeen(first); !slices.Equal(got, want) {
		t.Errorf("over two runs the consumer handed over %d records, want the %d changed", len(got), len(want))
	}
}

// The consumer waits for changes a running publisher promised, and not for a publisher that
// promised none; a cancelled context ends the wait.
func TestTakeWaitsOnlyForPromisedChanges(t *testing.T) {
	ctx := context.Background()
	t.Run("promised none", func(t *testing.T) {
		f := NewFeed()
		f.promise(false)
		if c, err := f.Take(ctx); c != nil || err != nil {
			t.Errorf("Take = %v, %v; want nil, nil at once", c, err)
		}
	})
	t.Run("promised, then published", func(t *testing.T) {
		f := NewFeed()
		f.promise(true)
		want := &Changes{UpperMs: 42}
		go func() {
			time.Sleep(10 * time.Millisecond)
			f.publish(want)
		}()
		if c, err := f.Take(ctx); c != want || err != nil {
			t.Errorf("Take = %v, %v; want the published changes", c, err)
		}
	})
	t.Run("promised, then closed", func(t *testing.T) {
		f := NewFeed()
		f.promise(true)
		go f.Close()
		if c, err := f.Take(ctx); c != nil || err != nil {
			t.Errorf("Take = %v, %v; want nil, nil", c, err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		f := NewFeed()
		ctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := f.Take(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Take = %v; want context.Canceled", err)
		}
	})
}
