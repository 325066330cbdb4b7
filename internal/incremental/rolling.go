package incremental

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// RollingStream walks an object type's records by ascending numeric id, so that every record is
// handed over at least once every Runs runs however little it changes. A run reads only whole
// pages of 200 records, once its walk has fallen a page behind an even pace, and the walk's last
// run reads every record left: a type of fewer than 200 records is read once a walk, all at once.
type RollingStream struct {
	Key        string
	ObjectType string
	// Runs is how many runs one walk over every record takes at most.
	Runs int
	// Phase, from 0 to Runs-1, is how far into a walk a stream without a cursor begins: its first
	// walk is Runs-Phase runs long. Streams given different phases end their walks, and read
	// their small types, in different runs.
	Phase int
	// Properties are read with each record (by position, as Stream.Properties).
	Properties []string
	// BatchSize is how many records are handed over at once (0: one page); the cursor is saved
	// once the whole slice was handed over.
	BatchSize int
}

// rollingCursor is where a walk stands. Run k of a walk reads whole pages while fewer than
// ceil((k-Skip)*Total/(Runs-Skip)) records were handed over since the walk began; its last run
// reads to the end, so records created during the walk are covered too.
type rollingCursor struct {
	Version int    `json:"v"`
	AfterID string `json:"after_id,omitempty"`
	// Run is the walk's next run, from Skip+1 to Runs; 0 begins a walk the way a stream without
	// a cursor does (cursors of earlier versions hold 0 between walks).
	Run int `json:"run"`
	// Total is how many records the walk expects, -1 until a search learned it; Done how many it
	// handed over.
	Total int `json:"total"`
	Done  int `json:"done"`
	// Runs is the stream's Runs when the cursor was saved (0 in cursors of earlier versions: the
	// stream's). Skip is how many runs the walk began past its first.
	Runs int `json:"runs,omitempty"`
	Skip int `json:"skip,omitempty"`
	// End: the walk reached its last record before its last run, which then reads only the records
	// created since.
	End bool `json:"end,omitempty"`
}

// parseRollingCursor reads a saved cursor ("" for none) and fits it to a stream of the given
// runs: a walk under way when Runs changed goes on from the same share of the walk, at the new
// pace.
func parseRollingCursor(raw string, runs, phase int) (rollingCursor, error) {
	var cur rollingCursor
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &cur); err != nil || cur.Version != cursorVersion ||
			cur.Run < 0 || cur.Done < 0 || cur.Skip < 0 || cur.Runs < 0 || cur.Total < -1 || (cur.Run > 0 && cur.Skip >= cur.Run) {
			return rollingCursor{}, fmt.Errorf("%q is not a rolling cursor of version %d", raw, cursorVersion)
		}
	}
	if cur.Run == 0 {
		return rollingCursor{Run: phase + 1, Skip: phase, Total: -1}, nil
	}
	if from := cmp.Or(cur.Runs, runs); from != runs {
		cur.Run = 1 + (cur.Run-1)*runs/from
		cur.Skip = cur.Skip * runs / from
	}
	cur.Run = min(cur.Run, runs) // a cursor of an earlier version may have counted past a lower Runs
	return cur, nil
}

// ReadRolling hands over this run's share of the stream's walk, in pages of 200 records: none
// until the walk falls a whole page behind its pace, everything left on its last run. A stream
// without a cursor spends one more search to learn how many records its first walk covers; later
// walks expect at least what the walk before them handed over.
func (r *Reader) ReadRolling(ctx context.Context, s RollingStream, emit func([]hubspot.Object) error) (Result, error) {
	if s.Runs < 1 {
		return Result{}, fmt.Errorf("rolling stream %s: runs must be at least 1, got %d", s.Key, s.Runs)
	}
	if s.Phase < 0 || s.Phase >= s.Runs {
		return Result{}, fmt.Errorf("rolling stream %s: phase must be from 0 to runs-1 (%d), got %d", s.Key, s.Runs-1, s.Phase)
	}
	raw, err := r.Store.GetKey(ctx, s.Key)
	if err != nil {
		return Result{}, fmt.Errorf("read cursor %s: %w", s.Key, err)
	}
	cur, err := parseRollingCursor(raw, s.Runs, s.Phase)
	if err != nil {
		return Result{}, fmt.Errorf("cursor %s: %w (remove the key from the state backend or state file to start the walk over)", s.Key, err)
	}
	rd := &read{Reader: r, s: Stream{Key: s.Key, ObjectType: s.ObjectType, BatchSize: s.BatchSize}, emit: emit}
	walked, err := rd.rollOn(ctx, s, &cur)
	if err != nil {
		return rd.res, err
	}
	if err := rd.handOver(); err != nil {
		return rd.res, err
	}
	if !rd.capped { // a capped run goes on from AfterID in the next one
		cur = cur.next(s.Runs, walked)
	}
	cur.Version, cur.Runs = cursorVersion, s.Runs
	b, _ := json.Marshal(cur) // ints, strings and bools always encode
	if err := r.Store.SetKey(ctx, s.Key, string(b)); err != nil {
		return rd.res, fmt.Errorf("save cursor %s: %w", s.Key, err)
	}
	rd.res.Complete = !rd.capped
	return rd.res, nil
}

// rollOn reads the pages due in this run, handing them over BatchSize at a time, and reports
// whether the walk reached its last record.
func (rd *read) rollOn(ctx context.Context, s RollingStream, cur *rollingCursor) (bool, error) {
	if cur.Total < 0 {
		page, _, err := rd.searchAfter(ctx, s, cur.AfterID, 1)
		if err != nil || page == nil {
			return false, err
		}
		cur.Total = page.Total
	}
	last := cur.Run == s.Runs
	for last || !cur.End {
		if !last && cur.due(s.Runs) < searchPageMax {
			return false, nil
		}
		page, short, err := rd.searchAfter(ctx, s, cur.AfterID, searchPageMax)
		if err != nil || page == nil {
			return false, err
		}
		if n := len(page.Results); n > 0 {
			cur.AfterID, cur.Done = page.Results[n-1].ID, cur.Done+n
			rd.res.Records += n
			rd.pending = append(rd.pending, page.Results...)
			if len(rd.pending) >= max(s.BatchSize, 1) {
				if err := rd.handOver(); err != nil {
					return false, err
				}
			}
		}
		if short {
			return true, nil
		}
	}
	return false, nil
}

// searchAfter searches up to limit records with ids above after, in id order, as far as the
// record cap allows: no page once it is spent. short tells a page that ended at the last record.
func (rd *read) searchAfter(ctx context.Context, s RollingStream, after string, limit int) (page *hubspot.SearchPage, short bool, err error) {
	after = cmp.Or(after, "0")
	_, err = rd.budgeted(ctx, limit, func(granted int) (int, error) {
		got, err := rd.API.Search(ctx, s.ObjectType, hubspot.SearchRequest{
			FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: idProperty, Operator: "GT", Value: after}}}},
			Sorts:        []hubspot.Sort{{PropertyName: idProperty, Direction: "ASCENDING"}},
			Properties:   s.Properties,
			ByPosition:   true,
			Limit:        granted,
		})
		if err != nil {
			return 0, fmt.Errorf("search %s by id after %s: %w", s.ObjectType, after, err)
		}
		page, short = got, len(got.Results) < granted
		return len(got.Results), nil
	})
	return page, short, err
}

// due is how many records the walk's current run, short of its last, has to catch up on.
func (cur rollingCursor) due(runs int) int {
	return ((cur.Run-cur.Skip)*cur.Total+runs-cur.Skip-1)/(runs-cur.Skip) - cur.Done
}

// next is where the walk stands after a run that the record cap did not stop.
func (cur rollingCursor) next(runs int, walked bool) rollingCursor {
	switch {
	case walked && cur.Run == runs:
		// The next walk expects no fewer records than this one did: a smaller total would slow
		// it, and a record this walk reached by some run could then wait past Runs runs.
		return rollingCursor{Run: 1, Total: max(cur.Total, cur.Done)}
	case walked:
		cur.End = true
	}
	cur.Run++
	return cur
}

// handOver gives the pending records to the callback, BatchSize at most at a time (all at once
// without one), and notes them in the synced set. Restarts and short pages leave the pending
// count anywhere, and a callback may have a hard limit (HubSpot's 1,000 ids of an association
// batch read).
func (rd *read) handOver() error {
	size := rd.s.BatchSize
	if size <= 0 {
		size = max(len(rd.pending), 1)
	}
	for batch := range slices.Chunk(rd.pending, size) {
		if err := rd.emit(batch); err != nil {
			rd.pending = nil
			return err
		}
		rd.synced.note(batch)
	}
	rd.pending = nil
	return nil
}
