package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// mergedIDsName is the read-only property listing, on a surviving record, every id merged into it.
const mergedIDsName = "hs_merged_object_ids"

// mergedIDsProp defines mergedIDsName for an object type that HubSpot merges; its presence is what
// makes a type mergeable. Only merges set it: seeded records have merged nothing.
func mergedIDsProp(labelSingular string) *propDef {
	return prop(mergedIDsName, "Merged "+labelSingular+" IDs", kText).readonly().withGen(func(gen) string { return "" })
}

// mergeable reports whether HubSpot merges records of t: contacts, companies, deals, tickets and
// custom objects do; engagements have no merge endpoint in HubSpot's specs.
func (t *objectType) mergeable() bool { return t.propByName[mergedIDsName] != nil }

// mergeInput is the body of POST /{type}/merge (PublicMergeInput).
type mergeInput struct {
	PrimaryObjectID string `json:"primaryObjectId"`
	ObjectIDToMerge string `json:"objectIdToMerge"`
}

// mergeObjects serves POST /{type}/merge: 200 with the surviving record.
func (e *Emulator) mergeObjects(c *call) (int, any, *apiError) {
	t, err := c.writableType()
	if err != nil {
		return 0, nil, err
	}
	var in mergeInput
	if err := c.decode(&in); err != nil {
		return 0, nil, err
	}
	switch {
	case in.PrimaryObjectID == "":
		return 0, nil, badRequest("Invalid input JSON: primaryObjectId is required")
	case in.ObjectIDToMerge == "":
		return 0, nil, badRequest("Invalid input JSON: objectIdToMerge is required")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	tb := e.tables[t.name]
	pos, err := e.merge(tb, in.PrimaryObjectID, in.ObjectIDToMerge)
	if err != nil {
		return 0, nil, err
	}
	v := &view{props: selectProps(t, append(slices.Clone(t.defaults), mergedIDsName)), v2026: c.v2026}
	return http.StatusOK, e.render(tb, pos, v), nil
}

// merge merges the record mergedID into primaryID as HubSpot does: the merged record stops being
// listed anywhere (it is not archived), its associations move to the primary, the primary's
// hs_merged_object_ids gains its id and every id it had absorbed, and the primary's last-modified
// time moves. It returns the primary's position. Callers hold e.mu for writing.
func (e *Emulator) merge(tb *table, primaryID, mergedID string) (int32, *apiError) {
	t := tb.typ
	if !t.mergeable() {
		return 0, badRequest("Merging %s is not supported: HubSpot merges contacts, companies, deals, tickets and custom objects", t.name)
	}
	if primaryID == mergedID {
		return 0, badRequest("Cannot merge object %s into itself: objectIdToMerge must name another record", mergedID)
	}
	primary, err := tb.mergeCandidate(primaryID)
	if err != nil {
		return 0, err
	}
	merged, err := tb.mergeCandidate(mergedID)
	if err != nil {
		return 0, err
	}
	for _, sd := range e.assoc.pairsOf(t.name) {
		for _, ed := range sd.edges(merged) {
			sd.setMask(primary, ed.to, sd.mask(primary, ed.to)|ed.mask)
		}
	}
	p := t.propByName[mergedIDsName]
	ids := slices.Concat(splitIDs(tb.value(primary, p)), []string{mergedID}, splitIDs(tb.value(merged, p)))
	tb.set(primary, p, strings.Join(ids, ";"))
	tb.recs[merged].archivedAt = mergedAway
	if tb.survivors == nil {
		tb.survivors = map[int32]int32{}
	}
	tb.survivors[merged] = primary
	tb.touch(primary, max(e.nowMs(), tb.recs[primary].created))
	return primary, nil
}

// mergeCandidate finds a live record that a merge names: 404 for an id that matches no live
// record, 400 naming the survivor for one already merged away.
func (tb *table) mergeCandidate(id string) (int32, *apiError) {
	pos, ok := tb.pos(id)
	if !ok || tb.recs[pos].archived() {
		return 0, objectNotFound(id)
	}
	if s, merged := tb.survivor(pos); merged {
		return 0, badRequest("Object %s was already merged into %d: merge with %d instead", id, tb.recs[s].id, tb.recs[s].id)
	}
	return pos, nil
}

// survivor follows merges from pos to the record that absorbed it last; false when pos was never
// merged away.
func (tb *table) survivor(pos int32) (int32, bool) {
	s, merged := tb.survivors[pos]
	if !merged {
		return pos, false
	}
	for {
		next, again := tb.survivors[s]
		if !again {
			return s, true
		}
		s = next
	}
}

// splitIDs reads a semicolon-separated id list; "" is none.
func splitIDs(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, ";")
}

// mergedContact resolves a merged-away contact id to its live survivor: HubSpot answers a read of
// such an id with the contact it was merged into. Other types answer 404. Callers hold e.mu.
func (tb *table) mergedContact(id string) (int32, bool) {
	if tb.typ.name != "contacts" {
		return 0, false
	}
	pos, ok := tb.pos(id)
	if !ok {
		return 0, false
	}
	s, merged := tb.survivor(pos)
	return s, merged && tb.recs[s].live()
}
