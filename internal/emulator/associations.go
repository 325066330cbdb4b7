package emulator

import (
	"math/bits"
	"slices"
	"sort"
)

// assocType is one association type between two object types, with its id in each direction.
// The first type of every pair is the unlabeled default; HubSpot always keeps it alongside labels.
type assocType struct {
	category      string
	ab, ba        int    // type id from a to b, and from b to a
	label, label2 string // label seen from a, and from b; "" = unlabeled (null)
}

// assocRule describes how seeded records of a relate to records of b.
type assocRule struct {
	pct        uint64 // share of a records with any association
	minN, maxN int    // targets per associated record
	primary    bool   // the first target also carries the primary type (index 1)
	labelPct   uint64 // share of first targets carrying the first USER_DEFINED label
	labelIndex int
}

// csr is a compressed adjacency list: row i spans to[off[i]:off[i+1]], sorted by target position.
type csr struct {
	off  []int32
	to   []int32
	mask []uint8
}

func (c *csr) row(pos int32) ([]int32, []uint8) {
	if int(pos)+1 >= len(c.off) {
		return nil, nil
	}
	lo, hi := c.off[pos], c.off[pos+1]
	return c.to[lo:hi], c.mask[lo:hi]
}

type edge struct {
	from, to int32
	mask     uint8
}

// countingSort orders edges stably by key in O(n).
func countingSort(edges []edge, n int, key func(edge) int32) []edge {
	next := make([]int32, n+1)
	for _, e := range edges {
		next[key(e)+1]++
	}
	for i := 1; i <= n; i++ {
		next[i] += next[i-1]
	}
	out := make([]edge, len(edges))
	for _, e := range edges {
		k := key(e)
		out[next[k]] = e
		next[k]++
	}
	return out
}

// buildCSR groups edges by from (rows sorted by to, duplicate edges merged by OR-ing masks).
func buildCSR(rows, cols int, edges []edge) csr {
	sorted := countingSort(countingSort(edges, cols, func(e edge) int32 { return e.to }), rows, func(e edge) int32 { return e.from })
	c := csr{off: make([]int32, rows+1), to: make([]int32, 0, len(sorted)), mask: make([]uint8, 0, len(sorted))}
	for i, e := range sorted {
		if i > 0 && sorted[i-1].from == e.from && sorted[i-1].to == e.to {
			c.mask[len(c.mask)-1] |= e.mask
			continue
		}
		c.to, c.mask = append(c.to, e.to), append(c.mask, e.mask)
		c.off[e.from+1]++
	}
	for i := 1; i <= rows; i++ {
		c.off[i] += c.off[i-1]
	}
	return c
}

// assocPair holds every association between records of a and b, in both directions: the seeded
// graph (immutable CSR both ways) plus overrides written by the API or the mutation hooks.
type assocPair struct {
	a, b         *table
	types        []assocType
	fwd, rev     csr
	over         map[[2]int32]uint8 // (a position, b position) -> mask replacing the seeded one
	overA, overB map[int32][]int32
}

// side is a pair seen from one of its object types.
type side struct {
	p     *assocPair
	fromA bool
}

func (s side) from() *table {
	if s.fromA {
		return s.p.a
	}
	return s.p.b
}

func (s side) to() *table {
	if s.fromA {
		return s.p.b
	}
	return s.p.a
}

// typeID and label give a type's id and label in this side's direction.
func (s side) typeID(i int) int {
	if s.fromA {
		return s.p.types[i].ab
	}
	return s.p.types[i].ba
}

func (s side) label(i int) string {
	if s.fromA {
		return s.p.types[i].label
	}
	return s.p.types[i].label2
}

// typeIndex finds the type with the given id in this direction.
func (s side) typeIndex(id int) (int, bool) {
	for i := range s.p.types {
		if s.typeID(i) == id {
			return i, true
		}
	}
	return 0, false
}

func (s side) key(from, to int32) [2]int32 {
	if s.fromA {
		return [2]int32{from, to}
	}
	return [2]int32{to, from}
}

// mask is the current set of types between from and to.
func (s side) mask(from, to int32) uint8 {
	if m, ok := s.p.over[s.key(from, to)]; ok {
		return m
	}
	c := &s.p.rev
	if s.fromA {
		c = &s.p.fwd
	}
	tos, masks := c.row(from)
	if i, ok := slices.BinarySearch(tos, to); ok {
		return masks[i]
	}
	return 0
}

// setMask replaces the set of types between from and to (0 removes the association).
func (s side) setMask(from, to int32, m uint8) {
	k := s.key(from, to)
	if _, seen := s.p.over[k]; !seen {
		s.p.overA[k[0]] = append(s.p.overA[k[0]], k[1])
		s.p.overB[k[1]] = append(s.p.overB[k[1]], k[0])
	}
	s.p.over[k] = m
}

// assocEdge is one current association seen from a record.
type assocEdge struct {
	to   int32
	mask uint8
}

// edges lists a record's current associations to live records, ascending by target id.
func (s side) edges(from int32) []assocEdge {
	c, extra := &s.p.rev, s.p.overB[from]
	if s.fromA {
		c, extra = &s.p.fwd, s.p.overA[from]
	}
	tos, masks := c.row(from)
	out := make([]assocEdge, 0, len(tos)+len(extra))
	for i, to := range tos {
		if _, over := s.p.over[s.key(from, to)]; !over {
			out = append(out, assocEdge{to, masks[i]})
		}
	}
	for _, to := range extra {
		out = append(out, assocEdge{to, s.p.over[s.key(from, to)]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].to < out[j].to })
	target := s.to()
	return slices.DeleteFunc(out, func(e assocEdge) bool { return e.mask == 0 || !target.recs[e.to].live() })
}

// typeIndexes lists the type indexes set in a mask.
func typeIndexes(m uint8) []int {
	var out []int
	for m != 0 {
		i := bits.TrailingZeros8(m)
		out = append(out, i)
		m &^= 1 << i
	}
	return out
}

// assocSpec defines one pair: its types and how seeded records associate.
type assocSpec struct {
	a, b  string
	types []assocType
	rule  assocRule
}

func hubspotType(ab, ba int) assocType { return assocType{category: "HUBSPOT_DEFINED", ab: ab, ba: ba} }
func primaryType(ab, ba int) assocType {
	return assocType{category: "HUBSPOT_DEFINED", ab: ab, ba: ba, label: "Primary", label2: "Primary"}
}
func userType(ab, ba int, label string) assocType {
	return assocType{category: "USER_DEFINED", ab: ab, ba: ba, label: label, label2: label}
}

// assocSpecs lists the portal's association pairs with HubSpot's default type ids; custom-object
// type ids are per portal and derive from the seed.
func assocSpecs(seed uint64, types []*objectType) []assocSpec {
	one := assocRule{pct: 100, minN: 1, maxN: 1}
	specs := []assocSpec{
		{"contacts", "companies", []assocType{hubspotType(279, 280), primaryType(1, 2), userType(101, 102, "Billing contact")},
			assocRule{pct: 100, minN: 1, maxN: 2, primary: true, labelPct: 12, labelIndex: 2}},
		{"deals", "contacts", []assocType{hubspotType(3, 4), userType(103, 104, "Decision maker")},
			assocRule{pct: 95, minN: 1, maxN: 3, labelPct: 15, labelIndex: 1}},
		{"deals", "companies", []assocType{hubspotType(341, 342), primaryType(5, 6)}, assocRule{pct: 90, minN: 1, maxN: 1, primary: true}},
		{"tickets", "contacts", []assocType{hubspotType(16, 15)}, one},
		{"tickets", "companies", []assocType{hubspotType(339, 340), primaryType(26, 25)}, assocRule{pct: 80, minN: 1, maxN: 1, primary: true}},
		{"tickets", "deals", []assocType{hubspotType(28, 27)}, assocRule{pct: 30, minN: 1, maxN: 1}},
	}
	engagementIDs := []struct {
		name                           string
		contact, company, deal, ticket int
	}{
		{"calls", 194, 182, 206, 220}, {"emails", 198, 186, 210, 224}, {"meetings", 200, 188, 212, 226},
		{"notes", 202, 190, 214, 228}, {"tasks", 204, 192, 216, 230},
	}
	for _, e := range engagementIDs {
		specs = append(specs,
			assocSpec{e.name, "contacts", []assocType{hubspotType(e.contact, e.contact-1)}, assocRule{pct: 100, minN: 1, maxN: 2}},
			assocSpec{e.name, "companies", []assocType{hubspotType(e.company, e.company-1)}, assocRule{pct: 70, minN: 1, maxN: 1}},
			assocSpec{e.name, "deals", []assocType{hubspotType(e.deal, e.deal-1)}, assocRule{pct: 40, minN: 1, maxN: 1}},
			assocSpec{e.name, "tickets", []assocType{hubspotType(e.ticket, e.ticket-1)}, assocRule{pct: 15, minN: 1, maxN: 1}},
		)
	}
	specs = append(specs, commerceAssocSpecs()...)
	next := 20 + int(hash3(seed, 0xa550, 0)%80)
	for _, t := range types {
		if !t.custom {
			continue
		}
		specs = append(specs,
			assocSpec{t.name, "contacts", []assocType{hubspotType(next, next+1)}, one},
			assocSpec{t.name, "companies", []assocType{hubspotType(next+2, next+3)}, assocRule{pct: 50, minN: 1, maxN: 1}},
		)
		next += 4
	}
	return specs
}

// seedPair builds one pair's seeded graph deterministically from the seed.
func seedPair(seed uint64, spec assocSpec, a, b *table) *assocPair {
	p := &assocPair{a: a, b: b, types: spec.types, over: map[[2]int32]uint8{}, overA: map[int32][]int32{}, overB: map[int32][]int32{}}
	var edges []edge
	nb := uint64(len(b.recs))
	salt := strHash(spec.a + ">" + spec.b)
	for i := range a.recs {
		if nb == 0 {
			break
		}
		h := hash3(seed, salt, a.recs[i].id)
		if h%100 >= spec.rule.pct {
			continue
		}
		n := spec.rule.minN + int((h>>8)%uint64(spec.rule.maxN-spec.rule.minN+1))
		for k := range n {
			m := uint8(1)
			if k == 0 && spec.rule.primary {
				m |= 1 << 1
			}
			if k == 0 && spec.rule.labelPct > 0 && (h>>16)%100 < spec.rule.labelPct {
				m |= 1 << spec.rule.labelIndex
			}
			edges = append(edges, edge{from: int32(i), to: int32(mix(h+uint64(k)+1) % nb), mask: m})
		}
	}
	p.fwd = buildCSR(len(a.recs), len(b.recs), edges)
	for i := range edges {
		edges[i].from, edges[i].to = edges[i].to, edges[i].from
	}
	p.rev = buildCSR(len(b.recs), len(a.recs), edges)
	return p
}

// assocStore indexes pairs by (from, to) type names in both directions.
type assocStore struct {
	pairs map[[2]string]side
}

func newAssocStore(seed uint64, types []*objectType, tables map[string]*table) *assocStore {
	s := &assocStore{pairs: map[[2]string]side{}}
	for _, spec := range assocSpecs(seed, types) {
		p := seedPair(seed, spec, tables[spec.a], tables[spec.b])
		s.pairs[[2]string{spec.a, spec.b}] = side{p, true}
		s.pairs[[2]string{spec.b, spec.a}] = side{p, false}
	}
	return s
}

// side returns the pair between two object types as seen from the first.
func (s *assocStore) side(from, to string) (side, bool) {
	sd, ok := s.pairs[[2]string{from, to}]
	return sd, ok
}

// pairsOf lists every pair involving the named type, seen from it.
func (s *assocStore) pairsOf(name string) []side {
	var out []side
	for k, sd := range s.pairs {
		if k[0] == name {
			out = append(out, sd)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].to().typ.name < out[j].to().typ.name })
	return out
}
