package emulator

import (
	"fmt"
	"maps"
	"strconv"
	"time"
)

// Record is the ground truth of one record, for convergence tests.
type Record struct {
	ID         string
	Properties map[string]string // every property with a value
	CreatedAt  time.Time
	UpdatedAt  time.Time
	Archived   bool
	ArchivedAt time.Time
}

// asError keeps a nil *apiError from becoming a non-nil error.
func asError(err *apiError) error {
	if err == nil {
		return nil
	}
	return err
}

// tableOf resolves a type name (or type id) for the hooks. Callers hold e.mu.
func (e *Emulator) tableOf(objectType string) (*table, error) {
	t, err := e.resolveType(objectType)
	if err != nil {
		return nil, fmt.Errorf("unknown object type %q", objectType)
	}
	return e.tables[t.name], nil
}

// Create adds a record as the API would (same validation, v3 rules) and returns its id.
func (e *Emulator) Create(objectType string, props map[string]string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	tb, err := e.tableOf(objectType)
	if err != nil {
		return "", fmt.Errorf("create: %w", err)
	}
	pos, aerr := e.createAll(tb, []writeInput{{props: maps.Clone(props)}}, false)
	if aerr != nil {
		return "", fmt.Errorf("create %s: %w", objectType, aerr)
	}
	return strconv.FormatUint(tb.recs[pos[0]].id, 10), nil
}

// Update writes properties (same validation as the API) and bumps last-modified to now.
func (e *Emulator) Update(objectType, id string, props map[string]string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	tb, pos, err := e.liveRecord(objectType, id)
	if err != nil {
		return fmt.Errorf("update: %w", err)
	}
	if err := asError(e.updateAll(tb, []writeInput{{props: maps.Clone(props)}}, []int32{pos}, false, true)); err != nil {
		return fmt.Errorf("update %s %s: %w", objectType, id, err)
	}
	return nil
}

// liveRecord finds a live record for a hook. Callers hold e.mu.
func (e *Emulator) liveRecord(objectType, id string) (*table, int32, error) {
	tb, err := e.tableOf(objectType)
	if err != nil {
		return nil, 0, err
	}
	pos, ok := tb.livePos(id)
	if !ok {
		return nil, 0, fmt.Errorf("%s %s not found", objectType, id)
	}
	return tb, pos, nil
}

// Archive moves a record to the recycle bin. Like HubSpot, it does not change last-modified.
func (e *Emulator) Archive(objectType, id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	tb, pos, err := e.liveRecord(objectType, id)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	tb.recs[pos].archivedAt = e.nowMs()
	return nil
}

// Merge merges mergedID into primaryID as the merge endpoint does (see merge): the merged record
// stops being listed, its associations move to the primary, the primary's hs_merged_object_ids
// names it and its last-modified time moves.
func (e *Emulator) Merge(objectType, primaryID, mergedID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	tb, err := e.tableOf(objectType)
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	if _, err := e.merge(tb, primaryID, mergedID); err != nil {
		return fmt.Errorf("merge %s %s into %s: %w", objectType, mergedID, primaryID, err)
	}
	return nil
}

// SetModified gives many records one identical last-modified time, as a bulk import does.
func (e *Emulator) SetModified(objectType string, ids []string, at time.Time) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	tb, err := e.tableOf(objectType)
	if err != nil {
		return fmt.Errorf("set modified: %w", err)
	}
	positions := make([]int32, len(ids))
	for i, id := range ids {
		pos, ok := tb.pos(id)
		if !ok {
			return fmt.Errorf("set modified: %s %s not found", objectType, id)
		}
		positions[i] = pos
	}
	for _, pos := range positions {
		tb.touch(pos, at.UnixMilli())
	}
	return nil
}

// Associate adds an association of the given type id (in the from->to direction) plus the
// unlabeled default; the inverse direction follows. Last-modified does not change.
func (e *Emulator) Associate(fromType, fromID, toType, toID string, typeID int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	sd, from, to, err := e.pairRecords(fromType, fromID, toType, toID)
	if err != nil {
		return fmt.Errorf("associate: %w", err)
	}
	i, ok := sd.typeIndex(typeID)
	if !ok {
		return fmt.Errorf("associate: no association type %d from %s to %s", typeID, fromType, toType)
	}
	sd.setMask(from, to, sd.mask(from, to)|1|1<<i)
	return nil
}

// Disassociate removes every association type between two records, in both directions.
func (e *Emulator) Disassociate(fromType, fromID, toType, toID string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	sd, from, to, err := e.pairRecords(fromType, fromID, toType, toID)
	if err != nil {
		return fmt.Errorf("disassociate: %w", err)
	}
	sd.setMask(from, to, 0)
	return nil
}

// pairRecords resolves two live records and the pair between their types. Callers hold e.mu.
func (e *Emulator) pairRecords(fromType, fromID, toType, toID string) (side, int32, int32, error) {
	fromTb, from, err := e.liveRecord(fromType, fromID)
	if err != nil {
		return side{}, 0, 0, err
	}
	toTb, to, err := e.liveRecord(toType, toID)
	if err != nil {
		return side{}, 0, 0, err
	}
	sd, ok := e.assoc.side(fromTb.typ.name, toTb.typ.name)
	if !ok {
		return side{}, 0, 0, fmt.Errorf("no associations between %s and %s", fromType, toType)
	}
	return sd, from, to, nil
}

// Records returns the current state of every live (or every archived) record, ids ascending.
func (e *Emulator) Records(objectType string, archived bool) []Record {
	e.mu.RLock()
	defer e.mu.RUnlock()
	tb, err := e.tableOf(objectType)
	if err != nil {
		return nil
	}
	var out []Record
	for i := range tb.recs {
		r := &tb.recs[i]
		if !r.listed(archived) {
			continue
		}
		rec := Record{ID: strconv.FormatUint(r.id, 10), Properties: map[string]string{},
			CreatedAt: time.UnixMilli(r.created).UTC(), UpdatedAt: time.UnixMilli(r.updated).UTC(), Archived: r.archived()}
		if r.archived() {
			rec.ArchivedAt = time.UnixMilli(r.archivedAt).UTC()
		}
		for _, p := range tb.typ.props {
			if v, st := tb.lookup(int32(i), p); st == valSet {
				rec.Properties[p.name] = v
			}
		}
		out = append(out, rec)
	}
	return out
}

// Associations returns the ids associated with a record (ground truth), ascending.
func (e *Emulator) Associations(fromType, fromID, toType string) ([]string, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	fromTb, pos, err := e.liveRecord(fromType, fromID)
	if err != nil {
		return nil, fmt.Errorf("associations: %w", err)
	}
	toTb, err := e.tableOf(toType)
	if err != nil {
		return nil, fmt.Errorf("associations: %w", err)
	}
	sd, ok := e.assoc.side(fromTb.typ.name, toTb.typ.name)
	if !ok {
		return nil, nil
	}
	var out []string
	for _, ed := range sd.edges(pos) {
		out = append(out, strconv.FormatUint(toTb.recs[ed.to].id, 10))
	}
	return out, nil
}
