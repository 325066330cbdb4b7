package emulator

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

const (
	listMaxLimit       = 100
	embeddedAssocLimit = 100 // associations embedded in object reads; the rest via associations v4
)

// recordJSON is a record as the objects API returns it.
type recordJSON struct {
	ID                    string                    `json:"id"`
	Properties            map[string]*string        `json:"properties"`
	PropertiesWithHistory map[string][]historyJSON  `json:"propertiesWithHistory,omitempty"`
	CreatedAt             string                    `json:"createdAt"`
	UpdatedAt             string                    `json:"updatedAt"`
	Archived              bool                      `json:"archived"`
	ArchivedAt            string                    `json:"archivedAt,omitempty"`
	Associations          map[string]embeddedAssocs `json:"associations,omitempty"`
	New                   *bool                     `json:"new,omitempty"`
}

// historyJSON is one version of a property value.
type historyJSON struct {
	Value      string `json:"value"`
	Timestamp  string `json:"timestamp"`
	SourceType string `json:"sourceType"`
}

type embeddedAssocs struct {
	Results []embeddedAssoc `json:"results"`
	Paging  *paging         `json:"paging,omitempty"`
}

type embeddedAssoc struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

type paging struct {
	Next pageNext `json:"next"`
}

type pageNext struct {
	After string `json:"after"`
	Link  string `json:"link,omitempty"`
}

// view says which parts of a record to render.
type view struct {
	props   []*propDef
	history []*propDef
	assocs  []side
	v2026   bool
}

// selectProps picks the requested known properties (unknown names are ignored), or the type's
// defaults when none are requested; id, created and last-modified always come back.
func selectProps(t *objectType, names []string) []*propDef {
	if len(names) == 0 {
		names = t.defaults
	}
	names = append([]string{"hs_object_id", t.createdProp, t.modifiedProp}, names...)
	seen := map[string]bool{}
	var out []*propDef
	for _, n := range names {
		if p := t.propByName[n]; p != nil && !seen[n] {
			seen[n] = true
			out = append(out, p)
		}
	}
	return out
}

// readView builds the view of a read request from its query (properties, propertiesWithHistory,
// associations), checking the scopes embedded associations need.
func (c *call) readView(t *objectType, q url.Values) (*view, *apiError) {
	v := &view{props: selectProps(t, listParam(q, "properties")), v2026: c.v2026}
	for _, n := range listParam(q, "propertiesWithHistory") {
		if p := t.propByName[n]; p != nil {
			v.history = append(v.history, p)
		}
	}
	for _, n := range listParam(q, "associations") {
		to, err := c.e.resolveType(n)
		if err != nil {
			return nil, badRequest("Unable to infer object type from: %s", n)
		}
		if err := c.e.requireScopes(to.readScope); err != nil {
			return nil, err
		}
		if sd, ok := c.e.assoc.side(t.name, to.name); ok {
			v.assocs = append(v.assocs, sd)
		}
	}
	return v, nil
}

// render builds the JSON of one record. Callers hold e.mu.
func (e *Emulator) render(t *table, pos int32, v *view) recordJSON {
	r := &t.recs[pos]
	out := recordJSON{
		ID:         strconv.FormatUint(r.id, 10),
		Properties: make(map[string]*string, len(v.props)),
		CreatedAt:  isoMillis(r.created),
		UpdatedAt:  isoMillis(r.updated),
		Archived:   r.archived(),
	}
	if r.archived() {
		out.ArchivedAt = isoMillis(r.archivedAt)
	}
	for _, p := range v.props {
		val, state := t.lookup(pos, p)
		switch {
		case state == valSet:
			out.Properties[p.name] = &val
		case v.v2026:
			out.Properties[p.name] = nil
		case state == valCleared:
			out.Properties[p.name] = new(string)
		}
	}
	if len(v.history) > 0 {
		out.PropertiesWithHistory = map[string][]historyJSON{}
		for _, p := range v.history {
			h := []historyJSON{}
			if val, state := t.lookup(pos, p); state == valSet {
				source := "API"
				if r.seeded {
					source = "IMPORT"
				}
				h = append(h, historyJSON{Value: val, Timestamp: isoMillis(r.updated), SourceType: source})
			}
			out.PropertiesWithHistory[p.name] = h
		}
	}
	if len(v.assocs) > 0 {
		out.Associations = map[string]embeddedAssocs{}
		for _, sd := range v.assocs {
			edges := sd.edges(pos)
			block := embeddedAssocs{Results: []embeddedAssoc{}}
			for i, ed := range edges {
				if i == embeddedAssocLimit {
					block.Paging = &paging{Next: pageNext{After: encodeAfter(sd.to().recs[ed.to].id)}}
					break
				}
				id := strconv.FormatUint(sd.to().recs[ed.to].id, 10)
				for _, ti := range typeIndexes(ed.mask) {
					block.Results = append(block.Results, embeddedAssoc{ID: id, Type: sd.embeddedTypeName(ti)})
				}
			}
			if len(edges) > 0 {
				out.Associations[sd.to().typ.name] = block
			}
		}
	}
	return out
}

// embeddedTypeName is the v3 "type" string of an association type, e.g. contact_to_company.
func (s side) embeddedTypeName(i int) string {
	base := s.from().typ.singular + "_to_" + s.to().typ.singular
	at := s.p.types[i]
	hasPrimary := len(s.p.types) > 1 && s.p.types[1].label == "Primary"
	switch {
	case at.category == "USER_DEFINED":
		return strings.ReplaceAll(strings.ToLower(s.label(i)), " ", "_")
	case i == 0 && hasPrimary:
		return base + "_unlabeled"
	default:
		return base
	}
}

// encodeAfter and decodeAfter make list cursors opaque: clients must pass them back, not compute them.
func encodeAfter(id uint64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("cursor:" + strconv.FormatUint(id, 10)))
}

func decodeAfter(s string) (uint64, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, false
	}
	rest, ok := strings.CutPrefix(string(raw), "cursor:")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 10, 64)
	return n, err == nil
}

type listResponse struct {
	Results []recordJSON `json:"results"`
	Paging  *paging      `json:"paging,omitempty"`
}

// listObjects serves GET /{type}: pages in id order; archived=true lists only the recycle bin.
func (e *Emulator) listObjects(c *call) (int, any, *apiError) {
	t, err := c.readableType()
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	limit, err := intParam(q, "limit", 10, listMaxLimit)
	if err != nil {
		return 0, nil, err
	}
	archived, err := boolParam(q, "archived")
	if err != nil {
		return 0, nil, err
	}
	var from uint64
	if a := q.Get("after"); a != "" {
		var ok bool
		if from, ok = decodeAfter(a); !ok {
			return 0, nil, badRequest("Invalid after value %q: pass back paging.next.after unchanged", a)
		}
	}
	v, err := c.readView(t, q)
	if err != nil {
		return 0, nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	tb := e.tables[t.name]
	resp := listResponse{Results: []recordJSON{}}
	i := sort.Search(len(tb.recs), func(i int) bool { return tb.recs[i].id >= from })
	for ; i < len(tb.recs); i++ {
		if !tb.recs[i].listed(archived) {
			continue
		}
		if len(resp.Results) == limit {
			after := encodeAfter(tb.recs[i].id)
			resp.Paging = &paging{Next: pageNext{After: after, Link: c.r.URL.Path + "?after=" + after}}
			break
		}
		resp.Results = append(resp.Results, e.render(tb, int32(i), v))
	}
	return http.StatusOK, resp, nil
}

// getObject serves GET /{type}/{id}, by record id or by a unique property (idProperty).
func (e *Emulator) getObject(c *call) (int, any, *apiError) {
	t, err := c.readableType()
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	archived, err := boolParam(q, "archived")
	if err != nil {
		return 0, nil, err
	}
	v, err := c.readView(t, q)
	if err != nil {
		return 0, nil, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	tb := e.tables[t.name]
	id := c.r.PathValue("id")
	pos, ok, err := tb.resolve(id, q.Get("idProperty"), archived)
	if err != nil {
		return 0, nil, err
	}
	if !ok && !archived && q.Get("idProperty") == "" {
		pos, ok = tb.mergedContact(id)
	}
	if !ok {
		return 0, nil, objectNotFound(id)
	}
	return http.StatusOK, e.render(tb, pos, v), nil
}

// resolve finds a record by id or by unique property value. archived selects the recycle bin.
func (t *table) resolve(id, idProperty string, archived bool) (int32, bool, *apiError) {
	if idProperty == "" || idProperty == "hs_object_id" {
		pos, ok := t.pos(id)
		return pos, ok && t.recs[pos].listed(archived), nil
	}
	p := t.typ.propByName[idProperty]
	if p == nil || !p.unique {
		return 0, false, badRequest("%s is not a unique property of %s; idProperty must name a property with unique values", idProperty, t.typ.name)
	}
	if archived {
		return 0, false, nil
	}
	pos, ok := t.findUnique(p, id)
	return pos, ok, nil
}
