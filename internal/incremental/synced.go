package incremental

import (
	"context"
	"fmt"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// syncedSet is, for a filtered stream, the ids of the records whose latest row handed over is
// live: the records the destination holds. A record that no longer matches gets a tombstone only
// if it is in the set, so records that never matched leave nothing behind however often they
// change. It is kept in the state beside the cursor (about 3 bytes a record).
type syncedSet struct {
	ids      map[string]bool
	complete bool // read from a complete set (Cursor.Synced) before this Read
	changed  bool
}

func (rd *read) syncedKey() string { return rd.s.Key + "/synced" }

// openSynced reads the synced set of a filtered stream; other streams keep none. complete is
// whether the stream's cursor, as stored, said the set was complete.
func (rd *read) openSynced(ctx context.Context, complete bool) error {
	if rd.s.Filter == nil && rd.s.Gate == nil {
		return nil
	}
	rd.synced = &syncedSet{ids: map[string]bool{}, complete: complete}
	raw, err := rd.Store.GetKey(ctx, rd.syncedKey())
	if err != nil {
		return fmt.Errorf("read cursor %s: %w", rd.syncedKey(), err)
	}
	if raw == "" {
		return nil
	}
	if rd.synced.ids, err = decodeIDs(raw); err != nil {
		return fmt.Errorf("cursor %s: %w (remove it and the stream's cursor to start the stream over)", rd.syncedKey(), err)
	}
	return nil
}

// note records records handed over: live ones are held by the destination, tombstones are not.
func (s *syncedSet) note(objs []hubspot.Object) {
	if s == nil {
		return
	}
	for _, o := range objs {
		if o.MergesOnly {
			continue // not held, and not a tombstone of its own
		}
		live := !o.Archived && !o.FilteredOut
		if s.ids[o.ID] != live {
			s.changed = true
			if live {
				s.ids[o.ID] = true
			} else {
				delete(s.ids, o.ID)
			}
		}
	}
}

func (rd *read) saveSynced(ctx context.Context) error {
	if rd.synced == nil || !rd.synced.changed {
		return nil
	}
	enc, err := encodeIDs(rd.synced.ids)
	if err != nil {
		return err
	}
	if err := rd.Store.SetKey(ctx, rd.syncedKey(), enc); err != nil {
		return fmt.Errorf("save cursor %s: %w", rd.syncedKey(), err)
	}
	rd.synced.changed = false
	return nil
}
