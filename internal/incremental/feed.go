package incremental

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// maxShared bounds the changes one stream keeps for another: an id, a time and a few short values
// per record, a few megabytes at most. A run with more changes than that is rare, and the other
// stream then searches for them itself.
const maxShared = 10_000

// Feed hands what one stream's incremental pass read (Stream.Share) to another stream of the same
// object type later in the same run (Stream.Shared), which takes those records instead of
// searching HubSpot for the same changes again: the associations table reads the associations
// of the records the object table found changed.
type Feed struct {
	decided, done        chan struct{}
	decideOnce, doneOnce sync.Once
	will                 bool
	changes              *Changes
}

// Changes are the records modified in a window of modified times, as one incremental pass read
// them.
type Changes struct {
	// FromMs and FromExclusive are the window's lower bound: the pass's cursor as it began.
	FromMs        int64
	FromExclusive bool
	// UpperMs is the window's upper bound, inclusive.
	UpperMs int64
	// Properties name the values the records carry, in order.
	Properties []string
	Records    []hubspot.Object
}

// NewFeed returns a feed nothing was published to yet.
func NewFeed() *Feed {
	return &Feed{decided: make(chan struct{}), done: make(chan struct{})}
}

// promise tells readers of the feed, as the publishing stream begins, whether it will publish.
func (f *Feed) promise(will bool) {
	f.decideOnce.Do(func() {
		f.will = will
		close(f.decided)
	})
}

func (f *Feed) publish(c *Changes) {
	f.doneOnce.Do(func() {
		f.changes = c
		close(f.done)
	})
}

// Close ends the feed without publishing, when nothing was published yet: the publishing stream
// stopped, failed, or never began. Closing twice is harmless.
func (f *Feed) Close() {
	f.promise(false)
	f.publish(nil)
}

// Take waits for the publishing stream's changes and returns them, or nil when it will publish
// none: until the publisher has read its cursor and said whether it will publish, then, if it
// will, until it has read its changes.
func (f *Feed) Take(ctx context.Context) (*Changes, error) {
	select {
	case <-f.decided:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !f.will {
		return nil, nil
	}
	select {
	case <-f.done:
		return f.changes, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// covers reports whether the changes hold every record modified after cur's watermark up to
// their upper bound.
func (c *Changes) covers(cur Cursor) bool {
	startsBefore := c.FromMs < cur.SinceMs || (c.FromMs == cur.SinceMs && (!c.FromExclusive || cur.SinceExclusive))
	return startsBefore && c.UpperMs >= cur.SinceMs
}

// sharer collects, for Stream.Share, the records a publishing stream's incremental pass hands over,
// keeping only the values the feed's readers need.
type sharer struct {
	from    Cursor
	index   []int // position in the stream's Properties of each shared property
	records []hubspot.Object
}

// openShare begins sharing when the stream starts this call in the incremental phase, with
// nothing half-read, and reads every property the feed's readers need; it tells the feed either way.
func (rd *read) openShare(cur Cursor, refilter bool) {
	if rd.s.Share == nil {
		return
	}
	var index []int
	for _, p := range rd.s.ShareProperties {
		i := slices.Index(rd.s.Properties, p)
		if i < 0 {
			index = nil
			break
		}
		index = append(index, i)
	}
	will := cur.Phase == PhaseIncremental && cur.TieID == "" && !rd.s.FullRefresh && !refilter && len(index) == len(rd.s.ShareProperties)
	rd.s.Share.promise(will)
	if will {
		rd.share = &sharer{from: cur, index: index}
	}
}

// collect keeps records handed over by the incremental pass; past maxShared it gives up sharing.
func (rd *read) collect(objs []hubspot.Object) {
	if rd.share == nil {
		return
	}
	if len(rd.share.records)+len(objs) > maxShared {
		rd.share = nil
		rd.s.Share.Close()
		return
	}
	for _, o := range objs {
		values := make([]string, len(rd.share.index))
		for i, at := range rd.share.index {
			if at < len(o.Values) {
				values[i] = o.Values[at]
			}
		}
		rd.share.records = append(rd.share.records, hubspot.Object{ID: o.ID, UpdatedAt: o.UpdatedAt, Values: values})
	}
}

// publishShare publishes what the incremental pass read, once it read everything up to its upper
// bound.
func (rd *read) publishShare() {
	if rd.share == nil {
		return
	}
	rd.s.Share.publish(&Changes{
		FromMs: rd.share.from.SinceMs, FromExclusive: rd.share.from.SinceExclusive,
		UpperMs:    rd.upperMs,
		Properties: rd.s.ShareProperties,
		Records:    rd.share.records,
	})
	rd.share = nil
}

// takeShared reads the incremental window from the feed's changes instead of searching, when they
// cover the cursor: in pages of a search's size under the record budget, advancing the cursor as
// a search would. It returns false when the stream must search.
func (rd *read) takeShared(ctx context.Context) (bool, error) {
	c := rd.shared
	if c == nil || rd.cur.TieID != "" || !slices.Equal(c.Properties, rd.s.Properties) || !c.covers(rd.cur) {
		return false, nil
	}
	var due []hubspot.Object
	for _, o := range c.Records {
		t := o.UpdatedAt.UnixMilli()
		if t > rd.cur.SinceMs || (t == rd.cur.SinceMs && !rd.cur.SinceExclusive) {
			due = append(due, o)
		}
	}
	slices.SortStableFunc(due, func(a, b hubspot.Object) int {
		return cmp.Or(a.UpdatedAt.Compare(b.UpdatedAt), hubspot.CompareIDs(a.ID, b.ID))
	})
	if rd.Progress != nil {
		rd.Progress.Expect(rd.s.Key, rd.res.Records+len(due))
	}
	for page := range slices.Chunk(due, searchPageMax) {
		var fresh []hubspot.Object
		var granted int
		ok, err := rd.budgeted(ctx, len(page), func(n int) (int, error) {
			granted = n
			fresh = rd.unseen(page[:n])
			return len(fresh), nil
		})
		if !ok {
			return true, err
		}
		// Resuming from here re-reads this time's records, as after a search page.
		rd.cur.SinceMs, rd.cur.SinceExclusive = page[granted-1].UpdatedAt.UnixMilli(), false
		if err := rd.deliver(ctx, fresh); err != nil {
			return true, err
		}
		if granted < len(page) {
			rd.capped = true
			return true, nil
		}
	}
	rd.cur.SinceMs, rd.cur.SinceExclusive = c.UpperMs, true
	return true, nil
}
