package incremental

import (
	"encoding/json"
	"fmt"
)

const cursorVersion = 1

// Phase is where a stream stands.
type Phase string

const (
	// PhaseBackfill reads every record through the list endpoint, resumable by its page token.
	PhaseBackfill Phase = "backfill"
	// PhaseIncremental reads records modified since the watermark through search.
	PhaseIncremental Phase = "incremental"
)

// Cursor is a stream's resumable position, stored as JSON in the state backend.
type Cursor struct {
	Version int   `json:"v"`
	Phase   Phase `json:"phase"`
	// BackfillAfter is the list endpoint's page token, or the last id read by a search backfill.
	BackfillAfter string `json:"backfill_after,omitempty"`
	// SinceMs is the last-modified watermark (epoch ms). During backfill it is where incremental
	// reads will start once the backfill is done.
	SinceMs int64 `json:"since_ms"`
	// SinceExclusive means every record modified at exactly SinceMs was read.
	SinceExclusive bool `json:"since_exclusive,omitempty"`
	// TieID is set while reading, by numeric id, the records that share the timestamp SinceMs (more
	// than one search page of them): ids up to TieID were read.
	TieID string `json:"tie_id,omitempty"`
	// ArchivedAfter is the page token of an unfinished tombstone pass.
	ArchivedAfter string `json:"archived_after,omitempty"`
	// ArchivedSinceMs: records archived before it were handed over by an earlier pass.
	ArchivedSinceMs int64 `json:"archived_since_ms,omitempty"`
	// ArchivedPassStartMs is where the unfinished tombstone pass began; it becomes ArchivedSinceMs.
	ArchivedPassStartMs int64 `json:"archived_pass_start_ms,omitempty"`
	// Filter is the stream's Stream.FilterKey when it began: records were selected with it.
	Filter string `json:"filter,omitempty"`
	// Synced means the stream's synced set (the ids its live rows have, see syncedSet) is
	// complete: a filtered stream keeps it from its start, and a stream filtered later once the
	// re-read that follows the change is done.
	Synced bool `json:"synced,omitempty"`
	// Refilter is set while the backfill that follows a change of filter re-reads every record,
	// handing over a tombstone for each that no longer matches.
	Refilter bool `json:"refilter,omitempty"`
}

func parseCursor(raw string) (Cursor, error) {
	if raw == "" {
		return Cursor{}, nil
	}
	var c Cursor
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return Cursor{}, fmt.Errorf("decode cursor %q: %w", raw, err)
	}
	if c.Version != cursorVersion {
		return Cursor{}, fmt.Errorf("cursor version %d is not supported (want %d)", c.Version, cursorVersion)
	}
	switch c.Phase {
	case PhaseBackfill, PhaseIncremental:
		return c, nil
	default:
		return Cursor{}, fmt.Errorf("phase %q is not %q or %q", c.Phase, PhaseBackfill, PhaseIncremental)
	}
}

func (c Cursor) encode() string {
	c.Version = cursorVersion
	b, _ := json.Marshal(c) // a struct of strings, ints and bools always encodes
	return string(b)
}
