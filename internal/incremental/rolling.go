package incremental

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// RollingStream walks an object type's records by ascending numeric id, one slice per run, so
// that every record is handed over at least once every Runs runs however little it changes.
type RollingStream struct {
	Key        string
	ObjectType string
	// Runs is how many runs one walk over every record takes at most.
	Runs int
	// Properties are read with each record (by position, as Stream.Properties).
	Properties []string
	// BatchSize is how many records are handed over at once (0: one page); the cursor is saved
	// once the whole slice was handed over.
	BatchSize int
}

// rollingCursor is where a walk stands. A walk's run k hands over records until ceil(k*Total/Runs)
// of them were handed over since the walk began; its last run reads to the end, so records
// created during the walk are covered too.
type rollingCursor struct {
	Version int    `json:"v"`
	AfterID string `json:"after_id,omitempty"`
	// Run is the walk's current run, from 1; 0 starts a new walk.
	Run int `json:"run"`
	// Total is how many records matched when the walk began; Done how many it handed over since.
	Total int `json:"total"`
	Done  int `json:"done"`
}

// ReadRolling hands over this run's slice of the stream's walk, in pages of up to 200 records.
// It costs one search per 200 records of the slice, plus one at the start of each walk, which
// learns how many records the walk covers.
func (r *Reader) ReadRolling(ctx context.Context, s RollingStream, emit func([]hubspot.Object) error) (Result, error) {
	if s.Runs < 1 {
		return Result{}, fmt.Errorf("rolling stream %s: runs must be at least 1, got %d", s.Key, s.Runs)
	}
	raw, err := r.Store.GetKey(ctx, s.Key)
	if err != nil {
		return Result{}, fmt.Errorf("read cursor %s: %w", s.Key, err)
	}
	var cur rollingCursor
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &cur); err != nil || cur.Version != cursorVersion {
			return Result{}, fmt.Errorf("cursor %s: %q is not a rolling cursor of version %d (remove the key from the state backend or state file to start the walk over)", s.Key, raw, cursorVersion)
		}
	}
	if cur.Run == 0 || cur.Run > s.Runs {
		cur = rollingCursor{Run: 1, Total: -1}
	}
	rd := &read{Reader: r, s: Stream{Key: s.Key, ObjectType: s.ObjectType, BatchSize: s.BatchSize}, emit: emit}
	walked := false
	for !walked {
		limit := searchPageMax
		if cur.Total < 0 {
			limit = 1 // a walk's first search learns its size
		} else if cur.Run < s.Runs {
			due := (cur.Run*cur.Total+s.Runs-1)/s.Runs - cur.Done
			if due <= 0 {
				break
			}
			limit = min(limit, due)
		}
		var page *hubspot.SearchPage
		ok, err := rd.budgeted(ctx, limit, func(granted int) (int, error) {
			limit = granted
			var err error
			page, err = r.API.Search(ctx, s.ObjectType, hubspot.SearchRequest{
				FilterGroups: []hubspot.FilterGroup{{Filters: []hubspot.Filter{{PropertyName: idProperty, Operator: "GT", Value: cmp.Or(cur.AfterID, "0")}}}},
				Sorts:        []hubspot.Sort{{PropertyName: idProperty, Direction: "ASCENDING"}},
				Properties:   s.Properties,
				ByPosition:   true,
				Limit:        granted,
			})
			if err != nil {
				return 0, fmt.Errorf("search %s by id after %s: %w", s.ObjectType, cmp.Or(cur.AfterID, "0"), err)
			}
			return len(page.Results), nil
		})
		if err != nil {
			return rd.res, err
		}
		if !ok {
			break // capped: the next run goes on from AfterID
		}
		if cur.Total < 0 {
			cur.Total = page.Total
		}
		if n := len(page.Results); n > 0 {
			cur.AfterID, cur.Done = page.Results[n-1].ID, cur.Done+n
			rd.res.Records += n
			rd.pending = append(rd.pending, page.Results...)
			if len(rd.pending) >= max(s.BatchSize, 1) {
				if err := rd.handOver(); err != nil {
					return rd.res, err
				}
			}
		}
		walked = len(page.Results) < limit
	}
	if err := rd.handOver(); err != nil {
		return rd.res, err
	}
	switch {
	case walked:
		cur = rollingCursor{} // the next run begins a new walk
	case !rd.capped:
		cur.Run++
	}
	cur.Version = cursorVersion
	b, _ := json.Marshal(cur) // ints and strings always encode
	if err := r.Store.SetKey(ctx, s.Key, string(b)); err != nil {
		return rd.res, fmt.Errorf("save cursor %s: %w", s.Key, err)
	}
	rd.res.Complete = !rd.capped
	return rd.res, nil
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
