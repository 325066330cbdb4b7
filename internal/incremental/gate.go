package incremental

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// Gate keeps only the records that are members of lists (HubSpot's list memberships). A record
// that joins or leaves without otherwise changing is handed over, or leaves as FilteredOut, in
// the next run: joining or leaving a list does not change a record's last-modified time, so each
// run compares the members with those of the run before (kept in the state).
type Gate struct {
	// Members reads the ids of the current members.
	Members func(ctx context.Context) ([]string, error)
}

// gateState is what one Read knows of the gate's lists.
type gateState struct {
	members map[string]bool
	// before: the members when the last run ended (or the backfill began); nil when unknown.
	before map[string]bool
	// seen: records this Read judged, whose membership is settled by that.
	seen map[string]bool
	// compared: the changes since before were handed over; the members are kept once they are.
	compared bool
}

func (g *gateState) member(id string) bool { return g == nil || g.members[id] }

func (g *gateState) judged(id string) {
	if g != nil {
		g.seen[id] = true
	}
}

func (rd *read) membersKey() string { return rd.s.Key + "/members" }

// openGate reads the current members and those of the run before. A stream that begins now
// keeps the current members as its starting point: its backfill hands over these.
func (rd *read) openGate(ctx context.Context, beginning bool) error {
	if rd.s.Gate == nil {
		return nil
	}
	ids, err := rd.s.Gate.Members(ctx)
	if err != nil {
		return fmt.Errorf("read the members of %s's lists: %w", rd.s.ObjectType, err)
	}
	g := &gateState{members: make(map[string]bool, len(ids)), seen: map[string]bool{}}
	for _, id := range ids {
		g.members[id] = true
	}
	rd.gate = g
	if beginning || rd.cur.Filter != rd.s.FilterKey {
		return rd.saveMembers(ctx)
	}
	raw, err := rd.Store.GetKey(ctx, rd.membersKey())
	if err != nil {
		return fmt.Errorf("read cursor %s: %w", rd.membersKey(), err)
	}
	if raw == "" {
		return nil
	}
	if g.before, err = decodeIDs(raw); err != nil {
		return fmt.Errorf("cursor %s: %w (remove the key to compare the next run's members with this run's)", rd.membersKey(), err)
	}
	return nil
}

// saveMembers keeps the current members as those the next run compares with.
func (rd *read) saveMembers(ctx context.Context) error {
	enc, err := encodeIDs(rd.gate.members)
	if err != nil {
		return err
	}
	if err := rd.Store.SetKey(ctx, rd.membersKey(), enc); err != nil {
		return fmt.Errorf("save cursor %s: %w", rd.membersKey(), err)
	}
	rd.gate.before = nil // saved: compared with already
	return nil
}

// backfillMembers reads the members themselves, 100 a request in ascending id order, rather than
// every record: a gate's lists usually hold a small part of the records.
func (rd *read) backfillMembers(ctx context.Context) error {
	after := cmp.Or(rd.cur.BackfillAfter, "0")
	ids := slices.DeleteFunc(sortedIDs(slices.Collect(maps.Keys(rd.gate.members))), func(id string) bool {
		return hubspot.CompareIDs(id, after) <= 0
	})
	for len(ids) > 0 {
		objs, read, err := rd.readByID(ctx, ids[:min(len(ids), hubspot.MaxBatchInputs)])
		if err != nil || read == 0 {
			return err
		}
		rd.cur.BackfillAfter = ids[read-1]
		if objs, err = rd.judge(ctx, rd.unseen(objs)); err != nil {
			return err
		}
		if err := rd.queue(ctx, objs); err != nil {
			return err
		}
		ids = ids[read:]
	}
	return nil
}

// membershipChanges hands over the records that joined the lists since the run before, and
// tombstones of those that left, leaving out records this run judged already. It then keeps the
// members for the next run.
func (rd *read) membershipChanges(ctx context.Context) error {
	g := rd.gate
	if g == nil || g.before == nil {
		return nil
	}
	var joined, left []string
	for id := range g.members {
		if !g.before[id] && !g.seen[id] {
			joined = append(joined, id)
		}
	}
	for id := range g.before {
		if !g.members[id] && !g.seen[id] {
			left = append(left, id)
		}
	}
	for chunk := range slices.Chunk(sortedIDs(joined), hubspot.MaxBatchInputs) {
		objs, read, err := rd.readByID(ctx, chunk)
		if err != nil || read < len(chunk) {
			rd.capped = rd.capped || err == nil // the next run compares with the same members again
			return err
		}
		rd.res.Records += len(objs)
		if err := rd.deliver(ctx, objs); err != nil { // the judge keeps those that match
			return err
		}
	}
	for chunk := range slices.Chunk(sortedIDs(left), hubspot.MaxBatchInputs) {
		objs, read, err := rd.readByID(ctx, chunk)
		if err != nil || read < len(chunk) {
			rd.capped = rd.capped || err == nil
			return err
		}
		rd.res.Records += len(objs)
		objs = slices.DeleteFunc(objs, func(o hubspot.Object) bool { return !rd.mayHold(o.ID) })
		for i := range objs {
			objs[i].FilteredOut = true
		}
		rd.res.FilteredOut += len(objs)
		if err := rd.queue(ctx, objs); err != nil {
			return err
		}
	}
	if len(joined)+len(left) > 0 {
		rd.Logger.Info().Str("stream", rd.s.Key).Int("joined", len(joined)).Int("left", len(left)).Msg("list memberships changed")
	}
	g.compared = true // kept by the next flush, with the records above handed over
	return nil
}

// keepMembers saves the current members once the changes since the last were handed over. flush
// calls it after the hand-over: a Read that fails before leaves the next run to compare with the
// same members again.
func (rd *read) keepMembers(ctx context.Context) error {
	if rd.gate == nil || !rd.gate.compared {
		return nil
	}
	rd.gate.compared = false
	return rd.saveMembers(ctx)
}

// readByID reads the first of ids the record budget allows, returning the records and how many
// ids it read (0 when the cap is reached: rd.capped says so). Ids HubSpot no longer has (archived
// or merged away since) are left to the tombstone pass and the merge tombstones.
func (rd *read) readByID(ctx context.Context, ids []string) ([]hubspot.Object, int, error) {
	var objs []hubspot.Object
	read := 0
	_, err := rd.budgeted(ctx, len(ids), func(granted int) (int, error) {
		res, err := rd.API.BatchRead(ctx, rd.s.ObjectType, hubspot.BatchReadRequest{IDs: ids[:granted], Properties: rd.s.Properties, ByPosition: true})
		if err != nil {
			return 0, fmt.Errorf("read %d %s by id: %w", granted, rd.s.ObjectType, err)
		}
		read = granted
		for _, e := range res.Errors {
			if e.Category != "OBJECT_NOT_FOUND" {
				return 0, fmt.Errorf("read %s by id: %w", rd.s.ObjectType, e)
			}
		}
		for _, o := range res.Results {
			objs = append(objs, o.Object)
		}
		return len(objs), nil
	})
	return objs, read, err
}

// sortedIDs orders record ids as numbers.
func sortedIDs(ids []string) []string {
	slices.SortFunc(ids, hubspot.CompareIDs)
	return ids
}
