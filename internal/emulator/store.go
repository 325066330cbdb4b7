package emulator

import (
	"slices"
	"sort"
	"strconv"
	"strings"
)

// rec is the compact per-record index entry; everything else is derived or overridden.
type rec struct {
	id         uint64
	created    int64 // epoch ms
	updated    int64 // epoch ms, the last-modified property
	archivedAt int64 // epoch ms; 0 while the record is live, mergedAway once merged into another
	seeded     bool  // property values derive from (seed, id) unless overridden
}

// mergedAway marks, in archivedAt, a record merged into another: HubSpot neither lists it nor
// puts it in the recycle bin.
const mergedAway = -1

func (r *rec) live() bool { return r.archivedAt == 0 }

// archived reports a record in the recycle bin.
func (r *rec) archived() bool { return r.archivedAt > 0 }

// listed reports whether a list of live records (or of the recycle bin, with archived) shows r.
func (r *rec) listed(archived bool) bool {
	if archived {
		return r.archived()
	}
	return r.live()
}

// valueState tells an absent value (never set) from one cleared by a write, which the v3 family
// renders as "".
type valueState uint8

const (
	valAbsent valueState = iota
	valCleared
	valSet
)

// table holds one object type's records. Positions (int32) index recs, which stay in ascending id
// order; creation order equals id order.
type table struct {
	typ  *objectType
	seed uint64
	recs []rec
	over map[int32]map[string]string // written values; "" means cleared
	uniq map[string]map[string]int32 // unique property -> lower-case written value -> position
	// survivors maps a merged-away record's position to the record it was merged into.
	survivors map[int32]int32
	mod       modIndex
}

func newTable(typ *objectType, seed uint64, n int, start int64) *table {
	t := &table{
		typ:  typ,
		seed: seed,
		recs: seedRecords(seed, typ.salt, n, start),
		over: map[int32]map[string]string{},
		uniq: map[string]map[string]int32{},
	}
	t.mod.rebuild(t.recs)
	return t
}

// pos finds a record position by id text; ids must be canonical decimal numbers.
func (t *table) pos(id string) (int32, bool) {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != id {
		return 0, false
	}
	i := sort.Search(len(t.recs), func(i int) bool { return t.recs[i].id >= n })
	if i == len(t.recs) || t.recs[i].id != n {
		return 0, false
	}
	return int32(i), true
}

// livePos finds a live (not archived) record by id.
func (t *table) livePos(id string) (int32, bool) {
	p, ok := t.pos(id)
	if !ok || !t.recs[p].live() {
		return 0, false
	}
	return p, true
}

// derivedRaw computes a seeded value without applying the property's fill rate.
func (t *table) derivedRaw(pos int32, p *propDef) string {
	r := &t.recs[pos]
	if p.gen == nil {
		return ""
	}
	return p.gen(gen{t: t, pos: pos, r: r, h: hash3(t.seed, r.id, p.salt)})
}

// derived computes a seeded record's value, honouring the fill rate. A rotating guarantee gives
// every property a value on at least a quarter of the records, so no column is always empty.
func (t *table) derived(pos int32, p *propDef) string {
	r := &t.recs[pos]
	if int(pos)%4 != p.index%4 && hash3(t.seed^0xf111, r.id, p.salt)%100 >= p.fill {
		return ""
	}
	return t.derivedRaw(pos, p)
}

// lookup returns the current value of a property on a record.
func (t *table) lookup(pos int32, p *propDef) (string, valueState) {
	r := &t.recs[pos]
	switch p.sys {
	case sysID:
		return strconv.FormatUint(r.id, 10), valSet
	case sysCreated:
		return isoMillis(r.created), valSet
	case sysModified:
		return isoMillis(r.updated), valSet
	}
	if o, ok := t.over[pos]; ok {
		if v, ok := o[p.name]; ok {
			if v == "" {
				return "", valCleared
			}
			return v, valSet
		}
	}
	if r.seeded {
		if v := t.derived(pos, p); v != "" {
			return v, valSet
		}
	}
	return "", valAbsent
}

// value is lookup without the state.
func (t *table) value(pos int32, p *propDef) string {
	v, _ := t.lookup(pos, p)
	return v
}

// findUnique resolves a unique property value (e.g. an email) to a live record. Written values are
// indexed; seeded values embed the record id, so they are resolved by parsing and re-deriving.
func (t *table) findUnique(p *propDef, v string) (int32, bool) {
	key := strings.ToLower(v)
	matches := func(pos int32) bool {
		return t.recs[pos].live() && strings.ToLower(t.value(pos, p)) == key
	}
	if pos, ok := t.uniq[p.name][key]; ok && matches(pos) {
		return pos, true
	}
	if id, ok := lastDigits(v); ok {
		if pos, ok := t.pos(strconv.FormatUint(id, 10)); ok && matches(pos) {
			return pos, true
		}
	}
	return 0, false
}

// set writes (or clears, with "") one property value without touching timestamps.
func (t *table) set(pos int32, p *propDef, v string) {
	o := t.over[pos]
	if o == nil {
		o = map[string]string{}
		t.over[pos] = o
	}
	o[p.name] = v
	if p.unique && v != "" {
		u := t.uniq[p.name]
		if u == nil {
			u = map[string]int32{}
			t.uniq[p.name] = u
		}
		u[strings.ToLower(v)] = pos
	}
}

// touch moves a record's last-modified time and keeps the sorted index current.
func (t *table) touch(pos int32, at int64) {
	t.recs[pos].updated = at
	t.mod.move(pos, at, t.recs)
}

// add appends a new record with an id above every existing one.
func (t *table) add(now int64, step uint64) int32 {
	var id uint64 = 1001
	created := now
	if n := len(t.recs); n > 0 {
		last := t.recs[n-1]
		id = last.id + 1 + step%97
		created = max(now, last.created)
	}
	t.recs = append(t.recs, rec{id: id, created: created, updated: created})
	pos := int32(len(t.recs) - 1)
	t.mod.move(pos, created, t.recs)
	return pos
}

// modEntry is one (last-modified, position) key of the sorted index.
type modEntry struct {
	at  int64
	pos int32
}

func cmpMod(a, b modEntry) int {
	if a.at != b.at {
		if a.at < b.at {
			return -1
		}
		return 1
	}
	return int(a.pos) - int(b.pos)
}

// modIndex keeps records sorted by (last-modified, id) for search without full sorts per page: an
// immutable base built in one sort plus a small sorted overlay of records changed since. Base
// entries of changed records are skipped while scanning; the base is rebuilt when the overlay grows.
type modIndex struct {
	base  []modEntry
	moved map[int32]int64 // position -> current key in extra
	extra []modEntry
}

func (m *modIndex) rebuild(recs []rec) {
	m.base = make([]modEntry, len(recs))
	for i := range recs {
		m.base[i] = modEntry{recs[i].updated, int32(i)}
	}
	slices.SortFunc(m.base, cmpMod)
	m.moved, m.extra = map[int32]int64{}, nil
}

// move records that pos now has last-modified time at.
func (m *modIndex) move(pos int32, at int64, recs []rec) {
	if old, ok := m.moved[pos]; ok {
		i, _ := slices.BinarySearchFunc(m.extra, modEntry{old, pos}, cmpMod)
		m.extra = slices.Delete(m.extra, i, i+1)
	}
	m.moved[pos] = at
	e := modEntry{at, pos}
	i, _ := slices.BinarySearchFunc(m.extra, e, cmpMod)
	m.extra = slices.Insert(m.extra, i, e)
	if len(m.extra) > 1024+len(m.base)/8 {
		m.rebuild(recs)
	}
}

// scan yields positions with lo <= last-modified <= hi in (last-modified, id) order.
func (m *modIndex) scan(lo, hi int64, desc bool, yield func(int32) bool) {
	lower := func(s []modEntry, at int64) int {
		return sort.Search(len(s), func(i int) bool { return s[i].at >= at })
	}
	bi, ei := lower(m.base, lo), lower(m.extra, lo)
	bEnd, eEnd := len(m.base), len(m.extra)
	if hi < maxInt64 {
		bEnd, eEnd = lower(m.base, hi+1), lower(m.extra, hi+1)
	}
	if !desc {
		for bi < bEnd || ei < eEnd {
			if bi < bEnd && len(m.moved) > 0 {
				if _, skip := m.moved[m.base[bi].pos]; skip {
					bi++
					continue
				}
			}
			var e modEntry
			if ei >= eEnd || (bi < bEnd && cmpMod(m.base[bi], m.extra[ei]) < 0) {
				e, bi = m.base[bi], bi+1
			} else {
				e, ei = m.extra[ei], ei+1
			}
			if !yield(e.pos) {
				return
			}
		}
		return
	}
	bi, ei = bEnd-1, eEnd-1
	bStart, eStart := lower(m.base, lo), lower(m.extra, lo)
	for bi >= bStart || ei >= eStart {
		if bi >= bStart {
			if _, skip := m.moved[m.base[bi].pos]; skip {
				bi--
				continue
			}
		}
		var e modEntry
		if ei < eStart || (bi >= bStart && cmpMod(m.base[bi], m.extra[ei]) > 0) {
			e, bi = m.base[bi], bi-1
		} else {
			e, ei = m.extra[ei], ei-1
		}
		if !yield(e.pos) {
			return
		}
	}
}

const (
	maxInt64 = int64(^uint64(0) >> 1)
	minInt64 = -maxInt64 - 1
)
