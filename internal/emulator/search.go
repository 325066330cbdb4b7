package emulator

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// HubSpot's search limits.
const (
	searchMaxGroups         = 5
	searchMaxFiltersInGroup = 10
	searchMaxFilters        = 25
	searchMaxValues         = 100 // in one IN or NOT_IN filter
	searchMaxLimit          = 200
	searchMaxResults        = 10_000
)

type searchRequest struct {
	FilterGroups []struct {
		Filters []searchFilter `json:"filters"`
	} `json:"filterGroups"`
	Sorts      []json.RawMessage `json:"sorts"`
	Query      string            `json:"query"`
	Properties []string          `json:"properties"`
	Limit      *int              `json:"limit"`
	After      json.RawMessage   `json:"after"`
}

type searchFilter struct {
	PropertyName string            `json:"propertyName"`
	Operator     string            `json:"operator"`
	Value        json.RawMessage   `json:"value"`
	HighValue    json.RawMessage   `json:"highValue"`
	Values       []json.RawMessage `json:"values"`
}

type searchResponse struct {
	Total   int          `json:"total"`
	Results []recordJSON `json:"results"`
	Paging  *searchPage  `json:"paging,omitempty"`
}

type searchPage struct {
	Next struct {
		After string `json:"after"`
	} `json:"next"`
}

// pred tests one record position.
type pred func(tb *table, pos int32) bool

// bounds is an inclusive range on an indexed key (epoch ms or id).
type bounds struct{ lo, hi int64 }

var fullBounds = bounds{minInt64, maxInt64}

// query is a compiled search.
type query struct {
	groups  [][]pred // OR of ANDs; none = everything
	ranges  map[sysKind]bounds
	sortBy  *propDef
	desc    bool
	after   int
	limit   int
	cutoff  int64 // records modified after this are not yet visible
	textAll pred
}

// search serves POST /{type}/search.
func (e *Emulator) search(c *call) (int, any, *apiError) {
	t, err := c.readableType()
	if err != nil {
		return 0, nil, err
	}
	var req searchRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if missing := req.missing(); c.v2026 && len(missing) > 0 {
		return 0, nil, badRequest("The 2026-09 search request requires %s: send every one of after, filterGroups, sorts, properties and limit (\"\" and [] when empty)", strings.Join(missing, ", "))
	}
	q, err := compileSearch(t, &req)
	if err != nil {
		return 0, nil, err
	}
	q.cutoff = maxInt64
	if lag := e.cfg.SearchLag; lag > 0 {
		q.cutoff = e.nowMs() - lag.Milliseconds()
	}
	v := &view{props: selectProps(t, req.Properties), v2026: c.v2026}
	e.mu.RLock()
	defer e.mu.RUnlock()
	tb := e.tables[t.name]
	total, page := q.run(tb)
	resp := searchResponse{Total: total, Results: make([]recordJSON, len(page))}
	for i, pos := range page {
		resp.Results[i] = e.render(tb, pos, v)
	}
	if next := q.after + q.limit; next < total && q.limit > 0 {
		resp.Paging = &searchPage{}
		resp.Paging.Next.After = strconv.Itoa(next)
	}
	return http.StatusOK, resp, nil
}

// missing names the fields the 2026-09 spec requires that the body leaves out (or sends as
// null); v3 lists them as required too, but accepts {}.
func (req *searchRequest) missing() []string {
	var out []string
	for _, f := range []struct {
		name    string
		present bool
	}{
		{"after", len(req.After) > 0 && string(req.After) != "null"},
		{"filterGroups", req.FilterGroups != nil},
		{"sorts", req.Sorts != nil},
		{"properties", req.Properties != nil},
		{"limit", req.Limit != nil},
	} {
		if !f.present {
			out = append(out, f.name)
		}
	}
	return out
}

// compileSearch validates a search body against HubSpot's limits and compiles it.
func compileSearch(t *objectType, req *searchRequest) (*query, *apiError) {
	q := &query{limit: 10, ranges: map[sysKind]bounds{}}
	if len(req.FilterGroups) > searchMaxGroups {
		return nil, badRequest("Too many filter groups: %d. The maximum is %d", len(req.FilterGroups), searchMaxGroups)
	}
	n := 0
	for _, g := range req.FilterGroups {
		if len(g.Filters) > searchMaxFiltersInGroup {
			return nil, badRequest("Too many filters in a filter group: %d. The maximum is %d", len(g.Filters), searchMaxFiltersInGroup)
		}
		n += len(g.Filters)
		var group []pred
		for _, f := range g.Filters {
			p, err := compileFilter(t, f)
			if err != nil {
				return nil, err
			}
			group = append(group, p)
		}
		q.groups = append(q.groups, group)
	}
	if n > searchMaxFilters {
		return nil, badRequest("Too many filters: %d. The maximum across all filter groups is %d", n, searchMaxFilters)
	}
	if len(req.FilterGroups) == 1 {
		for _, f := range req.FilterGroups[0].Filters {
			if p := t.propByName[f.PropertyName]; p != nil && p.sys != sysNone {
				q.narrow(p.sys, f)
			}
		}
	}
	if err := q.compileSort(t, req.Sorts); err != nil {
		return nil, err
	}
	if req.Limit != nil {
		if *req.Limit < 0 || *req.Limit > searchMaxLimit {
			return nil, badRequest("limit must be between 0 and %d, got %d", searchMaxLimit, *req.Limit)
		}
		q.limit = *req.Limit
	}
	if s := scalar(req.After); s != "" {
		after, err := strconv.Atoi(s)
		if err != nil || after < 0 {
			return nil, badRequest("after must be a non-negative integer offset, got %s", req.After)
		}
		if after >= searchMaxResults {
			return nil, badRequest("Search results are capped at %d: after=%d is past the cap. Narrow the query instead of paging further", searchMaxResults, after)
		}
		q.after = after
	}
	if terms := tokens(req.Query); len(terms) > 0 {
		q.textAll = textPred(t, terms)
	}
	return q, nil
}

// compileSort accepts one sort, as {propertyName, direction} or as a "name" / "-name" string.
func (q *query) compileSort(t *objectType, sorts []json.RawMessage) *apiError {
	if len(sorts) > 1 {
		return badRequest("Only one sort is supported, got %d", len(sorts))
	}
	if len(sorts) == 0 {
		return nil
	}
	var name, dir string
	var s string
	if err := json.Unmarshal(sorts[0], &s); err == nil {
		name, dir = s, "ASCENDING"
		if rest, ok := strings.CutPrefix(s, "-"); ok {
			name, dir = rest, "DESCENDING"
		}
	} else {
		var obj struct{ PropertyName, Direction string }
		if err := json.Unmarshal(sorts[0], &obj); err != nil {
			return badRequest("Invalid sort %s: use {\"propertyName\", \"direction\"} or a property name", sorts[0])
		}
		name, dir = obj.PropertyName, obj.Direction
		if dir == "" {
			dir = "ASCENDING"
		}
	}
	p := t.propByName[name]
	if p == nil {
		return badRequest("Cannot sort by %q: the property does not exist on %s", name, t.name)
	}
	switch dir {
	case "ASCENDING":
	case "DESCENDING":
		q.desc = true
	default:
		return badRequest("Invalid sort direction %q: use ASCENDING or DESCENDING", dir)
	}
	q.sortBy = p
	return nil
}

// narrow tightens the scan range of an indexed key from a filter of the only group.
func (q *query) narrow(k sysKind, f searchFilter) {
	b, ok := q.ranges[k]
	if !ok {
		b = fullBounds
	}
	v, err := strconv.ParseInt(scalar(f.Value), 10, 64)
	if err != nil && f.Operator != "BETWEEN" {
		return
	}
	switch f.Operator {
	case "EQ":
		b.lo, b.hi = max(b.lo, v), min(b.hi, v)
	case "GT":
		b.lo = max(b.lo, v+1)
	case "GTE":
		b.lo = max(b.lo, v)
	case "LT":
		b.hi = min(b.hi, v-1)
	case "LTE":
		b.hi = min(b.hi, v)
	case "BETWEEN":
		lo, err1 := strconv.ParseInt(scalar(f.Value), 10, 64)
		hi, err2 := strconv.ParseInt(scalar(f.HighValue), 10, 64)
		if err1 != nil || err2 != nil {
			return
		}
		b.lo, b.hi = max(b.lo, lo), min(b.hi, hi)
	default:
		return
	}
	q.ranges[k] = b
}

// scalar reads a JSON string, number or boolean as text ("" for null or absent).
func scalar(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// numeric reports whether a property compares as a number (dates as epoch ms).
func numeric(p *propDef) bool {
	return p.sys != sysNone || p.typ == "number" || p.typ == "date" || p.typ == "datetime"
}

// numberOf reads a record's value of a numeric property; dates become epoch ms.
func numberOf(tb *table, pos int32, p *propDef) (float64, bool) {
	r := &tb.recs[pos]
	switch p.sys {
	case sysID:
		return float64(r.id), true
	case sysCreated:
		return float64(r.created), true
	case sysModified:
		return float64(r.updated), true
	}
	v := tb.value(pos, p)
	if v == "" {
		return 0, false
	}
	switch p.typ {
	case "date":
		d, err := time.Parse(time.DateOnly, v)
		return float64(d.UnixMilli()), err == nil
	case "datetime":
		d, err := time.Parse(time.RFC3339Nano, v)
		return float64(d.UnixMilli()), err == nil
	}
	f, err := strconv.ParseFloat(v, 64)
	return f, err == nil
}

// operand parses a filter value for a property: numbers for numeric properties (dates only as
// epoch milliseconds, as HubSpot requires), lower-case text otherwise.
func operand(p *propDef, raw json.RawMessage) (float64, string, *apiError) {
	s := scalar(raw)
	if !numeric(p) {
		return 0, strings.ToLower(s), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) {
		if p.typ == "date" || p.typ == "datetime" {
			return 0, "", badRequest("%q is not a valid value for %s: date and datetime filters take epoch milliseconds", s, p.name)
		}
		return 0, "", badRequest("%q is not a valid number for %s", s, p.name)
	}
	return f, "", nil
}

// compileFilter turns one filter into a predicate.
func compileFilter(t *objectType, f searchFilter) (pred, *apiError) {
	p := t.propByName[f.PropertyName]
	if p == nil {
		return nil, badRequest("Property %q does not exist on %s and cannot be used in a filter", f.PropertyName, t.name)
	}
	has := func(tb *table, pos int32) bool { _, st := tb.lookup(pos, p); return p.sys != sysNone || st == valSet }
	switch f.Operator {
	case "HAS_PROPERTY":
		return has, nil
	case "NOT_HAS_PROPERTY":
		return func(tb *table, pos int32) bool { return !has(tb, pos) }, nil
	case "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN":
		pattern := tokens(scalar(f.Value))
		if len(pattern) == 0 {
			return nil, badRequest("%s on %s needs a value", f.Operator, p.name)
		}
		neg := f.Operator == "NOT_CONTAINS_TOKEN"
		return func(tb *table, pos int32) bool {
			return containsTokens(tokens(tb.value(pos, p)), pattern) != neg
		}, nil
	case "IN", "NOT_IN":
		if len(f.Values) == 0 {
			return nil, badRequest("%s on %s needs values", f.Operator, p.name)
		}
		if len(f.Values) > searchMaxValues {
			return nil, badRequest("Too many values in the %s filter on %s: %d. The maximum is %d", f.Operator, p.name, len(f.Values), searchMaxValues)
		}
		var eqs []pred
		for _, raw := range f.Values {
			// HubSpot compares string values lower-cased with IN values as sent ("values must be
			// lowercase"), so a value with capitals matches nothing.
			if v := scalar(raw); p.typ == "string" && v != strings.ToLower(v) {
				continue
			}
			eq, err := compareFilter(p, "EQ", raw)
			if err != nil {
				return nil, err
			}
			eqs = append(eqs, eq)
		}
		in := func(tb *table, pos int32) bool {
			return slices.ContainsFunc(eqs, func(eq pred) bool { return eq(tb, pos) })
		}
		if f.Operator == "NOT_IN" {
			return func(tb *table, pos int32) bool { return !in(tb, pos) }, nil
		}
		return in, nil
	case "BETWEEN":
		lo, err := compareFilter(p, "GTE", f.Value)
		if err != nil {
			return nil, err
		}
		hi, err := compareFilter(p, "LTE", f.HighValue)
		if err != nil {
			return nil, err
		}
		return func(tb *table, pos int32) bool { return lo(tb, pos) && hi(tb, pos) }, nil
	case "EQ", "NEQ", "LT", "LTE", "GT", "GTE":
		if scalar(f.Value) == "" {
			return nil, badRequest("%s on %s needs a value", f.Operator, p.name)
		}
		return compareFilter(p, f.Operator, f.Value)
	}
	return nil, badRequest("Unknown operator %q. Use one of LT, LTE, GT, GTE, EQ, NEQ, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN, NOT_CONTAINS_TOKEN", f.Operator)
}

// compareFilter builds EQ/NEQ/LT/LTE/GT/GTE. Records without a value match only NEQ. Multi-select
// values match EQ when any selected option matches.
func compareFilter(p *propDef, op string, raw json.RawMessage) (pred, *apiError) {
	num, text, err := operand(p, raw)
	if err != nil {
		return nil, err
	}
	test := func(c int) bool {
		switch op {
		case "EQ":
			return c == 0
		case "NEQ":
			return c != 0
		case "LT":
			return c < 0
		case "LTE":
			return c <= 0
		case "GT":
			return c > 0
		}
		return c >= 0
	}
	if numeric(p) {
		return func(tb *table, pos int32) bool {
			v, ok := numberOf(tb, pos, p)
			if !ok {
				return op == "NEQ"
			}
			return test(cmpFloat(v, num))
		}, nil
	}
	multi := p.fieldType == "checkbox"
	return func(tb *table, pos int32) bool {
		v := strings.ToLower(tb.value(pos, p))
		if v == "" {
			return op == "NEQ"
		}
		if multi && (op == "EQ" || op == "NEQ") {
			return slices.Contains(strings.Split(v, ";"), text) == (op == "EQ")
		}
		return test(strings.Compare(v, text))
	}, nil
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// tokens splits text into lower-case word tokens; '*' stays as a wildcard.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '*'
	})
}

// containsTokens reports whether every pattern token matches some value token.
func containsTokens(have, pattern []string) bool {
	for _, pt := range pattern {
		if !slices.ContainsFunc(have, func(h string) bool { return globMatch(pt, h) }) {
			return false
		}
	}
	return true
}

// globMatch matches s against a pattern where '*' stands for any run of characters.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, part := range parts[1 : len(parts)-1] {
		i := strings.Index(s, part)
		if i < 0 {
			return false
		}
		s = s[i+len(part):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// textPred matches the free-text query: every term prefixes a token of a searchable property.
func textPred(t *objectType, terms []string) pred {
	var props []*propDef
	for _, n := range t.searchable {
		props = append(props, t.propByName[n])
	}
	return func(tb *table, pos int32) bool {
		var have []string
		for _, p := range props {
			have = append(have, tokens(tb.value(pos, p))...)
		}
		for _, term := range terms {
			if !slices.ContainsFunc(have, func(h string) bool { return strings.HasPrefix(h, term) }) {
				return false
			}
		}
		return true
	}
}

// matches applies visibility (live, settled) and the filters.
func (q *query) matches(tb *table, pos int32) bool {
	r := &tb.recs[pos]
	if !r.live() || r.updated > q.cutoff {
		return false
	}
	if q.textAll != nil && !q.textAll(tb, pos) {
		return false
	}
	if len(q.groups) == 0 {
		return true
	}
	for _, g := range q.groups {
		ok := true
		for _, p := range g {
			if !p(tb, pos) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// run counts every match and returns the requested page. Sorts on id, creation and last-modified
// walk sorted indexes within the narrowed ranges; other sorts collect and sort the matches.
func (q *query) run(tb *table) (int, []int32) {
	total := 0
	var page []int32
	visit := func(pos int32) bool {
		if q.matches(tb, pos) {
			if total >= q.after && len(page) < q.limit {
				page = append(page, pos)
			}
			total++
		}
		return true
	}
	switch {
	case q.sortBy != nil && q.sortBy.sys == sysModified:
		b := q.bound(sysModified)
		tb.mod.scan(b.lo, b.hi, q.desc, visit)
	case q.sortBy == nil || q.sortBy.sys != sysNone:
		lo, hi := q.positionRange(tb)
		if q.desc {
			for pos := hi - 1; pos >= lo; pos-- {
				visit(int32(pos))
			}
		} else {
			for pos := lo; pos < hi; pos++ {
				visit(int32(pos))
			}
		}
	default:
		lo, hi := q.positionRange(tb)
		var all []int32
		for pos := lo; pos < hi; pos++ {
			if q.matches(tb, int32(pos)) {
				all = append(all, int32(pos))
			}
		}
		q.sortByValue(tb, all)
		total = len(all)
		page = all[min(q.after, total):min(q.after+q.limit, total)]
	}
	return total, page
}

func (q *query) bound(k sysKind) bounds {
	if b, ok := q.ranges[k]; ok {
		return b
	}
	return fullBounds
}

// positionRange narrows [lo, hi) positions using id and creation-time ranges; both ascend with
// position.
func (q *query) positionRange(tb *table) (int, int) {
	lo, hi := 0, len(tb.recs)
	if b, ok := q.ranges[sysID]; ok {
		lo = max(lo, sort.Search(len(tb.recs), func(i int) bool { return int64(tb.recs[i].id) >= b.lo }))
		hi = min(hi, sort.Search(len(tb.recs), func(i int) bool { return b.hi != maxInt64 && int64(tb.recs[i].id) > b.hi }))
	}
	if b, ok := q.ranges[sysCreated]; ok {
		lo = max(lo, sort.Search(len(tb.recs), func(i int) bool { return tb.recs[i].created >= b.lo }))
		hi = min(hi, sort.Search(len(tb.recs), func(i int) bool { return b.hi != maxInt64 && tb.recs[i].created > b.hi }))
	}
	return lo, max(lo, hi)
}

// sortByValue orders matches by a non-indexed property (records without a value last), then id.
func (q *query) sortByValue(tb *table, all []int32) {
	p := q.sortBy
	type keyed struct {
		pos  int32
		has  bool
		num  float64
		text string
	}
	keys := make([]keyed, len(all))
	for i, pos := range all {
		k := keyed{pos: pos}
		if numeric(p) {
			k.num, k.has = numberOf(tb, pos, p)
		} else {
			k.text = strings.ToLower(tb.value(pos, p))
			k.has = k.text != ""
		}
		keys[i] = k
	}
	slices.SortStableFunc(keys, func(a, b keyed) int {
		if a.has != b.has {
			if a.has {
				return -1
			}
			return 1
		}
		c := cmpFloat(a.num, b.num)
		if !numeric(p) {
			c = strings.Compare(a.text, b.text)
		}
		if q.desc {
			c = -c
		}
		return c
	})
	for i, k := range keys {
		all[i] = k.pos
	}
}
