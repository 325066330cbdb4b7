// Package incremental reads HubSpot object records incrementally: a resumable backfill, then
// keyset reads of what changed, then tombstones of what was archived. It owns the cursor logic and
// nothing else: records are handed to a callback, cursors to a Store.
package incremental

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

const (
	listPageMax   = 100
	searchPageMax = 200
	searchCap     = 10_000 // HubSpot refuses to page a search past this many results
	idProperty    = "hs_object_id"
)

// API is the part of the HubSpot client the reader needs.
type API interface {
	ListPage(ctx context.Context, objectType string, opts hubspot.ListOptions) (*hubspot.ObjectPage, error)
	Search(ctx context.Context, objectType string, req hubspot.SearchRequest) (*hubspot.SearchPage, error)
	BatchRead(ctx context.Context, objectType string, req hubspot.BatchReadRequest) (*hubspot.BatchResult, error)
}

// Store keeps cursors between runs: the CloudQuery state backend or the local state file.
type Store interface {
	GetKey(ctx context.Context, key string) (string, error)
	SetKey(ctx context.Context, key string, value string) error
}

// Stream is one object type read under one state key.
type Stream struct {
	Key              string
	ObjectType       string
	ModifiedProperty string   // lastmodifieddate for contacts, hs_lastmodifieddate otherwise
	Properties       []string // read by position: records carry them in Object.Values, in this order
	Tombstones       bool
	// TombstoneInterval is how long after the start of the last complete tombstone pass the next
	// one begins (0: every run); a pass the cap interrupted always continues.
	TombstoneInterval time.Duration
	// BackfillBySearch walks the backfill by numeric id through search, 200 records a request,
	// instead of the list endpoint; it suits streams that need only ids.
	BackfillBySearch bool
	// BatchSize is how many records are handed to the callback at once; the cursor is saved after
	// each hand-off. 0 means one page.
	BatchSize int
	// FullRefresh ignores the stored cursor and starts a new backfill.
	FullRefresh bool
	// Filter selects the records to hand over (HubSpot's filter groups, at most 8 filters in a
	// group and 25 with 2 more per group: the reader adds its own). A record that changed and no
	// longer matches is handed over as FilteredOut. Nil hands over every record.
	Filter []hubspot.FilterGroup
	// Gate keeps, besides, only the members of lists (nil: no gate).
	Gate *Gate
	// MergedIDs names the property among Properties that lists the ids merged into a record ("":
	// none). A record that does not match the filter but absorbed records in merges is still
	// handed over, as MergesOnly, for their tombstones.
	MergedIDs string
	// FilterKey identifies Filter and Gate's lists; when it differs from the one a stream began
	// with, the stream reads every record again.
	FilterKey string
	// Share, when set, receives the records this stream's incremental pass reads, with the values
	// of ShareProperties, for a stream of the same object type read later in the run.
	Share           *Feed
	ShareProperties []string
	// Shared, when set, is another stream's Share: the incremental pass takes its records, when
	// they cover the cursor and carry this stream's Properties, instead of searching.
	Shared *Feed
}

// Reader reads streams for one portal.
type Reader struct {
	API       API
	Store     Store
	Budget    *Budget
	SettleLag time.Duration
	// Start skips the backfill of a new stream and reads records modified since Start.
	Start  time.Time
	Now    func() time.Time
	Logger zerolog.Logger
	// Progress, when set, hears how many records each read expects to hand over.
	Progress Progress
}

// Result says what one Read did.
type Result struct {
	Records    int
	Tombstones int
	// FilteredOut counts records handed over as no longer matching the filter.
	FilteredOut int
	Phase       Phase
	// Complete is false when the record cap stopped the stream; the cursor says where to resume.
	Complete bool
}

// Read reads one stream from its stored cursor, handing records to emit. The cursor is saved only
// after the records it covers were handed over.
func (r *Reader) Read(ctx context.Context, s Stream, emit func([]hubspot.Object) error) (Result, error) {
	raw, err := r.Store.GetKey(ctx, s.Key)
	if err != nil {
		return Result{}, fmt.Errorf("read cursor %s: %w", s.Key, err)
	}
	cur, err := parseCursor(raw)
	if err != nil {
		return Result{}, fmt.Errorf("cursor %s: %w (remove the key from the state backend or state file to start this stream over with a new backfill)", s.Key, err)
	}
	now := time.Now
	if r.Now != nil {
		now = r.Now
	}
	refilter := cur.Phase != "" && cur.Filter != s.FilterKey
	wasSynced := cur.Synced
	if s.FullRefresh || refilter {
		cur = Cursor{}
	}
	var shared *Changes
	if s.Shared != nil {
		// Taken before this read's upper bound is set, so that it falls after the publisher's:
		// the publisher's next changes then begin at or before this stream's cursor, even when
		// this read searches.
		if shared, err = s.Shared.Take(ctx); err != nil {
			return Result{}, fmt.Errorf("wait for the changes of %s: %w", s.ObjectType, err)
		}
	}
	rd := &read{Reader: r, s: s, emit: emit, cur: cur, upperMs: now().Add(-r.SettleLag).UnixMilli(), shared: shared}
	if s.Share != nil {
		defer s.Share.Close() // unless published
		rd.openShare(cur, refilter)
	}
	if err := rd.openSynced(ctx, wasSynced); err != nil {
		return Result{}, err
	}
	if err := rd.openGate(ctx, cur.Phase == ""); err != nil {
		return Result{}, err
	}
	if cur.Phase == "" {
		rd.begin(now(), refilter)
	}
	err = rd.run(ctx)
	// Whatever the outcome, the set covers exactly the records handed over.
	if serr := rd.saveSynced(ctx); err == nil {
		err = serr
	}
	if err != nil {
		return rd.res, err
	}
	rd.res.Phase = rd.cur.Phase
	return rd.res, nil
}

// read is the state of one Read call.
type read struct {
	*Reader
	s       Stream
	emit    func([]hubspot.Object) error
	cur     Cursor
	upperMs int64
	res     Result

	pending []hubspot.Object
	// edgeMs and edge: ids emitted by this call at the newest modified time, which keyset reads
	// meet again at the start of their next page.
	edgeMs int64
	edge   map[string]bool
	// lateBackfill: records the backfill read after they were modified past its start, which the
	// incremental pass of the same call would otherwise hand over a second time.
	lateBackfill map[string]int64
	capped       bool
	share        *sharer  // what the incremental pass read, for s.Share (nil: not sharing)
	shared       *Changes // what s.Shared's publisher read (nil: none)
	gate         *gateState
	synced       *syncedSet
}

// begin starts a stream: a backfill, or reading from Start. After a change of filter, the
// backfill reads every record to hand over a tombstone for each that no longer matches.
func (rd *read) begin(now time.Time, refilter bool) {
	// Changes made while the backfill runs are read afterwards by search; starting a settle lag
	// early also covers clock skew between this machine and HubSpot.
	startMs := now.Add(-rd.SettleLag).UnixMilli()
	switch {
	case refilter:
		rd.cur = Cursor{Phase: PhaseBackfill, SinceMs: startMs, Refilter: true}
		rd.Logger.Info().Str("stream", rd.s.Key).Msg("record filters changed: reading every record again; those that no longer match leave as tombstones")
	case !rd.Start.IsZero():
		rd.cur = Cursor{Phase: PhaseIncremental, SinceMs: rd.Start.UnixMilli()}
	default:
		rd.cur = Cursor{Phase: PhaseBackfill, SinceMs: startMs}
		rd.Logger.Info().Str("stream", rd.s.Key).Msg("no cursor: starting a backfill")
	}
	// A filtered stream's synced set starts empty and complete, or, after a change of filter,
	// stays as complete as it was.
	rd.cur.Filter, rd.cur.Synced = rd.s.FilterKey, rd.synced != nil && (!refilter || rd.synced.complete)
}

func (rd *read) run(ctx context.Context) error {
	if rd.cur.Phase == PhaseBackfill {
		backfill := rd.backfillList
		switch {
		case rd.cur.Refilter:
		case rd.gate != nil:
			backfill = rd.backfillMembers
		case rd.s.BackfillBySearch || rd.s.Filter != nil:
			backfill = rd.backfillSearch
		}
		if err := backfill(ctx); err != nil || rd.capped {
			return rd.finish(ctx, err)
		}
		rd.cur.Phase = PhaseIncremental
		rd.cur.Synced = rd.cur.Synced || rd.cur.Refilter // every record was judged
		rd.cur.BackfillAfter, rd.cur.Refilter = "", false
	}
	if err := rd.incremental(ctx); err != nil || rd.capped {
		return rd.finish(ctx, err)
	}
	rd.publishShare()
	if err := rd.membershipChanges(ctx); err != nil || rd.capped {
		return rd.finish(ctx, err)
	}
	if rd.s.Tombstones && rd.tombstonesDue() {
		if err := rd.tombstones(ctx); err != nil || rd.capped {
			return rd.finish(ctx, err)
		}
	}
	rd.res.Complete = true
	return rd.finish(ctx, nil)
}

// finish hands over what is pending and saves the cursor, unless reading failed.
func (rd *read) finish(ctx context.Context, err error) error {
	if err != nil {
		return err
	}
	return rd.flush(ctx)
}

// budgeted runs one request under the record budget: it reserves up to limit records (waiting
// while other streams hold unsettled reservations), calls fetch with the granted count, and
// settles the reservation with the number of records fetch kept (none when it failed). It
// returns false without calling fetch when the cap is reached, and false with fetch's error.
func (rd *read) budgeted(ctx context.Context, limit int, fetch func(granted int) (kept int, err error)) (bool, error) {
	n, err := rd.Budget.Reserve(ctx, limit)
	if err != nil {
		return false, err
	}
	if n == 0 {
		rd.capped = true
		return false, nil
	}
	kept, err := fetch(n)
	if err != nil {
		kept = 0
	}
	rd.Budget.Settle(n, kept)
	return err == nil, err
}

// deliver queues records covered by the current cursor, those the filter keeps or marks as
// filtered out once it judged them (see judge), and hands them over when a batch is full.
func (rd *read) deliver(ctx context.Context, objs []hubspot.Object) error {
	if (rd.s.Filter != nil || rd.gate != nil) && (rd.cur.Phase == PhaseIncremental || rd.cur.Refilter) {
		var err error
		if objs, err = rd.judge(ctx, objs); err != nil {
			return err
		}
	}
	return rd.queue(ctx, objs)
}

// queue queues records and hands them over when a batch is full.
func (rd *read) queue(ctx context.Context, objs []hubspot.Object) error {
	rd.pending = append(rd.pending, objs...)
	if len(rd.pending) >= max(rd.s.BatchSize, 1) {
		return rd.flush(ctx)
	}
	return nil
}

func (rd *read) flush(ctx context.Context) error {
	if err := rd.handOver(); err != nil {
		return err
	}
	if err := rd.keepMembers(ctx); err != nil {
		return err
	}
	if err := rd.Store.SetKey(ctx, rd.s.Key, rd.cur.encode()); err != nil {
		return fmt.Errorf("save cursor %s: %w", rd.s.Key, err)
	}
	return nil
}

func (rd *read) backfillList(ctx context.Context) error {
	for {
		var page *hubspot.ObjectPage
		var fresh []hubspot.Object
		ok, err := rd.budgeted(ctx, listPageMax, func(n int) (int, error) {
			var err error
			page, err = rd.API.ListPage(ctx, rd.s.ObjectType, hubspot.ListOptions{Properties: rd.s.Properties, ByPosition: true, After: rd.cur.BackfillAfter, Limit: n})
			if err != nil {
				return 0, fmt.Errorf("list %s: %w", rd.s.ObjectType, err)
			}
			fresh = rd.unseen(page.Results)
			return len(fresh), nil
		})
		if !ok {
			return err
		}
		rd.cur.BackfillAfter = page.After
		if err := rd.deliver(ctx, fresh); err != nil {
			return err
		}
		if page.After == "" {
			return nil
		}
	}
}

// backfillSearch walks the settled records that match the filter by id; anything newer is read by
// the incremental pass from SinceMs.
func (rd *read) backfillSearch(ctx context.Context) error {
	rd.cur.SinceMs = min(rd.cur.SinceMs, rd.upperMs)
	settled := hubspot.Filter{PropertyName: rd.s.ModifiedProperty, Operator: "LTE", Value: ms(rd.upperMs)}
	_, err := rd.keysetByID(ctx, withEach(rd.s.Filter, settled), rd.cur.BackfillAfter, func(lastID string) {
		rd.cur.BackfillAfter = lastID
	})
	return err
}

// withEach adds filters to every group of a filter (to one group of them when it has none):
// HubSpot ORs groups, so what every record must also match goes into each.
func withEach(groups []hubspot.FilterGroup, filters ...hubspot.Filter) []hubspot.FilterGroup {
	if len(groups) == 0 {
		return []hubspot.FilterGroup{{Filters: filters}}
	}
	out := make([]hubspot.FilterGroup, len(groups))
	for i, g := range groups {
		out[i].Filters = append(slices.Clone(filters), g.Filters...)
	}
	return out
}

// judge asks HubSpot which of records read without the filter match it, by id, 100 ids a search,
// and the gate which are members. Those that match and are members are kept; the others are
// marked FilteredOut when the destination may hold them (see mayHold), and dropped otherwise:
// a record that never matched leaves no tombstone behind.
func (rd *read) judge(ctx context.Context, objs []hubspot.Object) ([]hubspot.Object, error) {
	matched, err := rd.matching(ctx, objs)
	if err != nil {
		return nil, err
	}
	merged := -1
	if rd.s.MergedIDs != "" {
		merged = slices.Index(rd.s.Properties, rd.s.MergedIDs)
	}
	kept := objs[:0:0]
	for _, o := range objs {
		rd.gate.judged(o.ID)
		switch {
		case matched[o.ID] && rd.gate.member(o.ID):
		case rd.mayHold(o.ID):
			o.FilteredOut = true
			rd.res.FilteredOut++
		case merged >= 0 && merged < len(o.Values) && o.Values[merged] != "":
			o.MergesOnly = true
		default:
			continue
		}
		kept = append(kept, o)
	}
	return kept, nil
}

// mayHold reports whether the destination may have a live row of a record: it is in the synced
// set, or the set is not complete yet (a stream filtered after it synced every record).
func (rd *read) mayHold(id string) bool {
	return !rd.cur.Synced || rd.synced.ids[id]
}

// matching returns which of objs match the filter, asking HubSpot; all of them without one.
func (rd *read) matching(ctx context.Context, objs []hubspot.Object) (map[string]bool, error) {
	matched := make(map[string]bool, len(objs))
	if rd.s.Filter == nil {
		for _, o := range objs {
			matched[o.ID] = true
		}
		return matched, nil
	}
	for chunk := range slices.Chunk(objs, hubspot.MaxFilterValues) {
		ids := make([]string, len(chunk))
		for i, o := range chunk {
			ids[i] = o.ID
		}
		page, err := rd.API.Search(ctx, rd.s.ObjectType, hubspot.SearchRequest{
			FilterGroups: withEach(rd.s.Filter, hubspot.Filter{PropertyName: idProperty, Operator: "IN", Values: ids}),
			Properties:   []string{idProperty},
			Limit:        len(ids),
		})
		if err != nil {
			return nil, fmt.Errorf("search %s for the records that match the filter: %w", rd.s.ObjectType, err)
		}
		for _, o := range page.Results {
			matched[o.ID] = true
		}
	}
	return matched, nil
}

// incremental reads records modified in [SinceMs, now - settle lag], ascending, in pages of 200
// by offset. Offsets are only trusted while they cannot have shifted or reordered a timestamp's
// records, which would skip one:
//   - a timestamp whose records straddle two pages is re-read whole, by numeric id;
//   - when the query's total changes between pages (a record was edited out of the window while we
//     read), the page is dropped and reading restarts after the last timestamp read in full;
//   - before the 10,000-result cap, reading restarts the same way, so the cap is never hit.
//
// Each restart re-reads at most one timestamp's records; more than a page of records sharing one
// timestamp are walked by id, so a bulk import of any size neither loops nor loses records.
func (rd *read) incremental(ctx context.Context) error {
	if taken, err := rd.takeShared(ctx); taken || err != nil {
		return err
	}
	after, total := 0, -1
	var lastMs int64 = -1   // modified time of the last record read at the current offset
	var from hubspot.Filter // the query's lower bound, fixed while paging by offset
	for {
		if rd.cur.TieID != "" {
			if err := rd.readTie(ctx); err != nil || rd.capped {
				return err
			}
			after, total, lastMs = 0, -1, -1
			continue
		}
		if rd.cur.SinceMs > rd.upperMs || (rd.cur.SinceMs == rd.upperMs && rd.cur.SinceExclusive) {
			return nil
		}
		if after+searchPageMax > searchCap {
			rd.restartAfter(lastMs)
			after, total, lastMs = 0, -1, -1
			continue
		}
		if after == 0 {
			from = hubspot.Filter{PropertyName: rd.s.ModifiedProperty, Operator: "GTE", Value: ms(rd.cur.SinceMs)}
			if rd.cur.SinceExclusive {
				from.Operator = "GT"
			}
		}
		var results, fresh []hubspot.Object
		var pageTotal, n int
		restart := false
		ok, err := rd.budgeted(ctx, searchPageMax, func(granted int) (int, error) {
			n = granted
			page, err := rd.API.Search(ctx, rd.s.ObjectType, hubspot.SearchRequest{
				FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{
					from,
					{PropertyName: rd.s.ModifiedProperty, Operator: "LTE", Value: ms(rd.upperMs)},
				}}},
				Sorts:      []hubspot.Sort{{PropertyName: rd.s.ModifiedProperty, Direction: "ASCENDING"}},
				Properties: rd.s.Properties,
				ByPosition: true,
				Limit:      n,
				After:      offset(after),
			})
			if err != nil {
				return 0, fmt.Errorf("search %s modified since %s: %w", rd.s.ObjectType, from.Value, err)
			}
			results, pageTotal = page.Results, page.Total
			straddles := len(results) > 0 && lastMs >= 0 && results[0].UpdatedAt.UnixMilli() == lastMs
			if restart = (total >= 0 && pageTotal != total) || straddles; restart {
				return 0, nil
			}
			if after == 0 && rd.Progress != nil {
				// The query covers everything left up to the upper bound.
				rd.Progress.Expect(rd.s.Key, rd.res.Records+pageTotal)
			}
			fresh = rd.unseen(results)
			rd.collect(fresh)
			return len(fresh), nil
		})
		if !ok {
			return err
		}
		if restart {
			rd.restartAfter(lastMs)
			after, total, lastMs = 0, -1, -1
			continue
		}
		if len(results) < n {
			// Everything up to the upper bound is read.
			rd.cur.SinceMs, rd.cur.SinceExclusive = rd.upperMs, true
			return rd.deliver(ctx, fresh)
		}
		lastMs = results[len(results)-1].UpdatedAt.UnixMilli()
		if after == 0 && from.Operator == "GTE" && lastMs == rd.cur.SinceMs {
			// A full page sharing the lower bound's timestamp: walk that timestamp by id.
			rd.cur.TieID = "0"
		} else {
			// Resuming from here re-reads this timestamp's records: duplicates are harmless.
			rd.cur.SinceMs, rd.cur.SinceExclusive = lastMs, false
		}
		after, total = after+len(results), pageTotal
		if err := rd.deliver(ctx, fresh); err != nil {
			return err
		}
	}
}

// restartAfter makes the next search start at the timestamp of the last record read: its
// records are then walked by id (those already handed over are skipped), and reading goes on
// past it.
func (rd *read) restartAfter(lastMs int64) {
	if lastMs >= 0 {
		rd.cur.SinceMs, rd.cur.TieID = lastMs, "0"
	}
}

func offset(after int) string {
	if after == 0 {
		return ""
	}
	return strconv.Itoa(after)
}

// readTie reads every record modified at exactly SinceMs by ascending numeric id, however many.
func (rd *read) readTie(ctx context.Context) error {
	at := hubspot.Filter{PropertyName: rd.s.ModifiedProperty, Operator: "EQ", Value: ms(rd.cur.SinceMs)}
	done, err := rd.keysetByID(ctx, withEach(nil, at), rd.cur.TieID, func(lastID string) { rd.cur.TieID = lastID })
	if err != nil || !done {
		return err
	}
	rd.cur.TieID, rd.cur.SinceExclusive = "", true
	return nil
}

// keysetByID pages through search results matching groups with ids above after, ascending by
// numeric id, calling advance with the last id of each page. It returns true when all were read.
func (rd *read) keysetByID(ctx context.Context, groups []hubspot.FilterGroup, after string, advance func(lastID string)) (bool, error) {
	for {
		var results, fresh []hubspot.Object
		var n int
		ok, err := rd.budgeted(ctx, searchPageMax, func(granted int) (int, error) {
			n = granted
			page, err := rd.API.Search(ctx, rd.s.ObjectType, hubspot.SearchRequest{
				FilterGroups: withEach(groups, hubspot.Filter{PropertyName: idProperty, Operator: "GT", Value: cmp.Or(after, "0")}),
				Sorts:        []hubspot.Sort{{PropertyName: idProperty, Direction: "ASCENDING"}},
				Properties:   rd.s.Properties,
				ByPosition:   true,
				Limit:        n,
			})
			if err != nil {
				return 0, fmt.Errorf("search %s by id after %s: %w", rd.s.ObjectType, cmp.Or(after, "0"), err)
			}
			results = page.Results
			fresh = rd.unseen(results)
			rd.collect(fresh)
			return len(fresh), nil
		})
		if !ok {
			return false, err
		}
		if len(results) > 0 {
			after = results[len(results)-1].ID
			advance(after)
		}
		if err := rd.deliver(ctx, fresh); err != nil {
			return false, err
		}
		if len(results) < n {
			return true, nil
		}
	}
}

// unseen drops records this call already handed over at the same modified time, and remembers
// the ones it keeps at the newest modified time, and those the backfill read past its start.
func (rd *read) unseen(objs []hubspot.Object) []hubspot.Object {
	fresh := make([]hubspot.Object, 0, len(objs))
	for _, o := range objs {
		t := o.UpdatedAt.UnixMilli()
		if (t == rd.edgeMs && rd.edge[o.ID]) || (rd.cur.Phase == PhaseIncremental && rd.lateBackfill[o.ID] == t) {
			continue
		}
		if rd.cur.Phase == PhaseBackfill && t >= rd.cur.SinceMs {
			if rd.lateBackfill == nil {
				rd.lateBackfill = map[string]int64{}
			}
			rd.lateBackfill[o.ID] = t
		}
		if t > rd.edgeMs || rd.edge == nil {
			rd.edgeMs, rd.edge = t, map[string]bool{}
		}
		if t == rd.edgeMs {
			rd.edge[o.ID] = true
		}
		fresh = append(fresh, o)
	}
	rd.res.Records += len(fresh)
	return fresh
}

// tombstonesDue reports whether a tombstone pass is in progress, or the last complete one (whose
// start, less the settle lag, is ArchivedSinceMs) began at least an interval ago.
func (rd *read) tombstonesDue() bool {
	passed := rd.cur.ArchivedSinceMs > 0
	inProgress := rd.cur.ArchivedAfter != ""
	return inProgress || !passed || rd.upperMs-rd.cur.ArchivedSinceMs >= rd.s.TombstoneInterval.Milliseconds()
}

// tombstones lists the recycle bin and hands over records archived since the last pass began.
// Archiving does not change a record's last-modified time, so search never sees it. A pass's
// watermark is its own start (less the settle lag), not the newest archive time it saw: a record
// archived during the pass behind the pass's position is then caught by the next pass.
func (rd *read) tombstones(ctx context.Context) error {
	if rd.cur.ArchivedAfter == "" {
		rd.cur.ArchivedPassStartMs = rd.upperMs
	}
	for {
		var page *hubspot.ObjectPage
		var fresh []hubspot.Object
		ok, err := rd.budgeted(ctx, listPageMax, func(n int) (int, error) {
			var err error
			page, err = rd.API.ListPage(ctx, rd.s.ObjectType, hubspot.ListOptions{Properties: rd.s.Properties, ByPosition: true, Archived: true, After: rd.cur.ArchivedAfter, Limit: n})
			if err != nil {
				return 0, fmt.Errorf("list archived %s: %w", rd.s.ObjectType, err)
			}
			for _, o := range page.Results {
				if archivedMs(o) >= rd.cur.ArchivedSinceMs {
					o.Archived = true
					fresh = append(fresh, o)
				}
			}
			return len(fresh), nil
		})
		if !ok {
			return err
		}
		rd.res.Tombstones += len(fresh)
		rd.cur.ArchivedAfter = page.After
		if page.After == "" {
			rd.cur.ArchivedSinceMs, rd.cur.ArchivedPassStartMs = rd.cur.ArchivedPassStartMs, 0
		}
		if err := rd.queue(ctx, fresh); err != nil {
			return err
		}
		if page.After == "" {
			return nil
		}
	}
}

func archivedMs(o hubspot.Object) int64 {
	if o.ArchivedAt == nil {
		return 0
	}
	return o.ArchivedAt.UnixMilli()
}

func ms(v int64) string { return strconv.FormatInt(v, 10) }
