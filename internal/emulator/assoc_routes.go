package emulator

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

const (
	assocReadMaxInputs   = 1000
	assocCreateMaxInputs = 2000
	assocPageSize        = 500
)

// assocTypeJSON is one association type of an association (and one label of the labels API).
type assocTypeJSON struct {
	Category string  `json:"category"`
	TypeID   int     `json:"typeId"`
	Label    *string `json:"label"`
}

type assocTarget struct {
	ToObjectID       uint64          `json:"toObjectId"`
	AssociationTypes []assocTypeJSON `json:"associationTypes"`
}

type assocReadResult struct {
	From struct {
		ID string `json:"id"`
	} `json:"from"`
	To     []assocTarget `json:"to"`
	Paging *paging       `json:"paging,omitempty"`
}

type idRef struct {
	ID string `json:"id"`
}

// pairCall resolves the {from}/{to} path values to a pair side and checks scopes.
func (c *call) pairCall(write bool) (side, *apiError) {
	from, err := c.objectType("from")
	if err != nil {
		return side{}, err
	}
	to, err := c.objectType("to")
	if err != nil {
		return side{}, err
	}
	scopes := []string{from.readScope, to.readScope}
	if write {
		scopes = []string{from.writeScope, to.writeScope}
	}
	if err := c.e.requireScopes(scopes...); err != nil {
		return side{}, err
	}
	sd, ok := c.e.assoc.side(from.name, to.name)
	if !ok {
		return side{}, badRequest("No association types exist between %s and %s", from.name, to.name)
	}
	return sd, nil
}

// typesJSON lists the types of a mask in the side's direction.
func (s side) typesJSON(mask uint8) []assocTypeJSON {
	var out []assocTypeJSON
	for _, i := range typeIndexes(mask) {
		t := assocTypeJSON{Category: s.p.types[i].category, TypeID: s.typeID(i)}
		if l := s.label(i); l != "" {
			t.Label = &l
		}
		out = append(out, t)
	}
	return out
}

// targetsPage renders a record's associations from the cursor on, one page at most.
func (s side) targetsPage(pos int32, after uint64, limit int) ([]assocTarget, *paging) {
	to := s.to()
	out := []assocTarget{}
	for _, ed := range s.edges(pos) {
		id := to.recs[ed.to].id
		if id < after {
			continue
		}
		if len(out) == limit {
			return out, &paging{Next: pageNext{After: encodeAfter(id)}}
		}
		out = append(out, assocTarget{ToObjectID: id, AssociationTypes: s.typesJSON(ed.mask)})
	}
	return out, nil
}

// assocBatchRead serves POST .../{from}/{to}/batch/read. Ids without associations come back as
// NO_ASSOCIATIONS_FOUND errors (207 in v4, folded in 2026-09); long lists page per input.
func (e *Emulator) assocBatchRead(c *call) (int, any, *apiError) {
	sd, err := c.pairCall(false)
	if err != nil {
		return 0, nil, err
	}
	var req struct {
		Inputs []struct {
			ID    string `json:"id"`
			After string `json:"after"`
		} `json:"inputs"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if len(req.Inputs) > assocReadMaxInputs {
		return 0, nil, badRequest("Batch input must contain at most %d inputs, got %d", assocReadMaxInputs, len(req.Inputs))
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	results := []assocReadResult{}
	var errs []batchError
	for _, in := range req.Inputs {
		var after uint64
		if in.After != "" {
			var ok bool
			if after, ok = decodeAfter(in.After); !ok {
				return 0, nil, badRequest("Invalid after value %q for input %s", in.After, in.ID)
			}
		}
		var targets []assocTarget
		var pg *paging
		if pos, ok := sd.from().livePos(in.ID); ok {
			targets, pg = sd.targetsPage(pos, after, assocPageSize)
		}
		if len(targets) == 0 {
			errs = append(errs, newBatchError(catNotFound, "crm.associations.NO_ASSOCIATIONS_FOUND",
				fmt.Sprintf("No %s is associated with %s %s.", sd.to().typ.singular, sd.from().typ.singular, in.ID),
				map[string][]string{"fromObjectId": {in.ID}}))
			continue
		}
		r := assocReadResult{To: targets, Paging: pg}
		r.From.ID = in.ID
		results = append(results, r)
	}
	return c.batchResult(http.StatusOK, results, errs)
}

// assocCreateResult describes the associations of one created pair.
type assocCreateResult struct {
	FromObjectTypeID string   `json:"fromObjectTypeId"`
	FromObjectID     uint64   `json:"fromObjectId"`
	ToObjectTypeID   string   `json:"toObjectTypeId"`
	ToObjectID       uint64   `json:"toObjectId"`
	Labels           []string `json:"labels"`
}

type assocWriteInput struct {
	From  idRef            `json:"from"`
	To    idRef            `json:"to"`
	Types []assocTypeInput `json:"types"`
}

// assocWrite validates and applies association writes; typesOf gives each input's type indexes.
// Inputs whose records do not exist become per-input errors; an unknown type rejects the batch.
func (e *Emulator) assocWrite(c *call, inputs []assocWriteInput, typesOf func(side, assocWriteInput) ([]int, *apiError)) (int, any, *apiError) {
	sd, err := c.pairCall(true)
	if err != nil {
		return 0, nil, err
	}
	if len(inputs) > assocCreateMaxInputs {
		return 0, nil, badRequest("Batch input must contain at most %d inputs, got %d", assocCreateMaxInputs, len(inputs))
	}
	idx := make([][]int, len(inputs))
	for i, in := range inputs {
		if idx[i], err = typesOf(sd, in); err != nil {
			return 0, nil, err
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	results := []assocCreateResult{}
	var errs []batchError
	for i, in := range inputs {
		from, okFrom := sd.from().livePos(in.From.ID)
		to, okTo := sd.to().livePos(in.To.ID)
		if !okFrom || !okTo {
			errs = append(errs, newBatchError(catValidation, "crm.associations.INVALID_OBJECT_IDS",
				fmt.Sprintf("Could not associate %s %s with %s %s: both records must exist", sd.from().typ.singular, in.From.ID, sd.to().typ.singular, in.To.ID),
				map[string][]string{"fromObjectId": {in.From.ID}, "toObjectId": {in.To.ID}}))
			continue
		}
		m := sd.mask(from, to) | 1
		for _, ti := range idx[i] {
			m |= 1 << ti
		}
		sd.setMask(from, to, m)
		var labels []string
		for _, ti := range typeIndexes(m) {
			if l := sd.label(ti); l != "" {
				labels = append(labels, l)
			}
		}
		results = append(results, assocCreateResult{FromObjectTypeID: sd.from().typ.typeID, FromObjectID: sd.from().recs[from].id,
			ToObjectTypeID: sd.to().typ.typeID, ToObjectID: sd.to().recs[to].id, Labels: append([]string{}, labels...)})
	}
	return c.batchResult(http.StatusCreated, results, errs)
}

// assocBatchCreate serves POST .../batch/create with explicit types (labels).
func (e *Emulator) assocBatchCreate(c *call) (int, any, *apiError) {
	var req struct {
		Inputs []assocWriteInput `json:"inputs"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	return e.assocWrite(c, req.Inputs, func(sd side, in assocWriteInput) ([]int, *apiError) {
		if len(in.Types) == 0 {
			return nil, badRequest("Association input %s -> %s has no types", in.From.ID, in.To.ID)
		}
		var out []int
		for _, t := range in.Types {
			i, ok := sd.typeIndex(t.TypeID)
			if !ok || sd.p.types[i].category != t.Category {
				return nil, badRequest("Association type %d (%s) does not exist from %s to %s", t.TypeID, t.Category, sd.from().typ.name, sd.to().typ.name)
			}
			out = append(out, i)
		}
		return out, nil
	})
}

// assocBatchDefault serves POST .../batch/associate/default: the unlabeled type only.
func (e *Emulator) assocBatchDefault(c *call) (int, any, *apiError) {
	var req struct {
		Inputs []assocWriteInput `json:"inputs"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	return e.assocWrite(c, req.Inputs, func(side, assocWriteInput) ([]int, *apiError) { return []int{0}, nil })
}

// assocBatchArchive serves POST .../batch/archive: removes every type between the pairs; 204.
func (e *Emulator) assocBatchArchive(c *call) (int, any, *apiError) {
	sd, err := c.pairCall(true)
	if err != nil {
		return 0, nil, err
	}
	var req struct {
		Inputs []struct {
			From idRef   `json:"from"`
			To   []idRef `json:"to"`
		} `json:"inputs"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if len(req.Inputs) > assocCreateMaxInputs {
		return 0, nil, badRequest("Batch input must contain at most %d inputs, got %d", assocCreateMaxInputs, len(req.Inputs))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, in := range req.Inputs {
		from, ok := sd.from().pos(in.From.ID)
		if !ok {
			continue
		}
		for _, t := range in.To {
			if to, ok := sd.to().pos(t.ID); ok {
				sd.setMask(from, to, 0)
			}
		}
	}
	return http.StatusNoContent, nil, nil
}

// assocLabels serves GET .../{from}/{to}/labels.
func (e *Emulator) assocLabels(c *call) (int, any, *apiError) {
	sd, err := c.pairCall(false)
	if err != nil {
		return 0, nil, err
	}
	all := uint8(1<<len(sd.p.types) - 1)
	return http.StatusOK, map[string]any{"results": sd.typesJSON(all)}, nil
}

// assocList serves GET /crm/v4/objects/{from}/{id}/associations/{to}?limit&after.
func (e *Emulator) assocList(c *call) (int, any, *apiError) {
	sd, err := c.pairCall(false)
	if err != nil {
		return 0, nil, err
	}
	q := c.r.URL.Query()
	limit, err := intParam(q, "limit", assocPageSize, assocPageSize)
	if err != nil {
		return 0, nil, err
	}
	var after uint64
	if a := q.Get("after"); a != "" {
		var ok bool
		if after, ok = decodeAfter(a); !ok {
			return 0, nil, badRequest("Invalid after value %q", a)
		}
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	id := c.r.PathValue("id")
	pos, ok := sd.from().livePos(id)
	if !ok {
		return 0, nil, notFound("%s %s does not exist", strings.ToUpper(sd.from().typ.singular[:1])+sd.from().typ.singular[1:], id)
	}
	targets, pg := sd.targetsPage(pos, after, limit)
	if pg != nil {
		pg.Next.Link = c.r.URL.Path + "?after=" + pg.Next.After + "&limit=" + strconv.Itoa(limit)
	}
	return http.StatusOK, struct {
		Results []assocTarget `json:"results"`
		Paging  *paging       `json:"paging,omitempty"`
	}{targets, pg}, nil
}
