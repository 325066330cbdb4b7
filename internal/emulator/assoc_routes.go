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

// assocTarget is HubSpot's MultiAssociatedObjectWithLabel, whose toObjectId both specs type as
// a string.
type assocTarget struct {
	ToObjectID       string          `json:"toObjectId"`
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
		out = append(out, assocTarget{ToObjectID: strconv.FormatUint(id, 10), AssociationTypes: s.typesJSON(ed.mask)})
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

// labelsBetween is HubSpot's LabelsBetweenObjectPair: the labels of one associated pair.
type labelsBetween struct {
	FromObjectTypeID string   `json:"fromObjectTypeId"`
	FromObjectID     string   `json:"fromObjectId"`
	ToObjectTypeID   string   `json:"toObjectTypeId"`
	ToObjectID       string   `json:"toObjectId"`
	Labels           []string `json:"labels"`
}

// defaultAssociation is HubSpot's PublicDefaultAssociation: one pair given the default type.
type defaultAssociation struct {
	From            idRef          `json:"from"`
	To              idRef          `json:"to"`
	AssociationSpec assocTypeInput `json:"associationSpec"`
}

type assocWriteInput struct {
	From  idRef            `json:"from"`
	To    idRef            `json:"to"`
	Types []assocTypeInput `json:"types"`
}

// recPair is one pair of live records an association write applies to, by position.
type recPair struct{ from, to int32 }

// assocWrite validates association writes and applies each with apply, under the write lock, so
// apply may also render the pair; typesOf gives each input's type indexes. Inputs whose records
// do not exist become per-input errors; an unknown type rejects the batch.
func (e *Emulator) assocWrite(c *call, inputs []assocWriteInput, typesOf func(side, assocWriteInput) ([]int, *apiError),
	apply func(sd side, p recPair, types []int)) ([]batchError, *apiError) {
	sd, err := c.pairCall(true)
	if err != nil {
		return nil, err
	}
	if len(inputs) > assocCreateMaxInputs {
		return nil, badRequest("Batch input must contain at most %d inputs, got %d", assocCreateMaxInputs, len(inputs))
	}
	idx := make([][]int, len(inputs))
	for i, in := range inputs {
		if idx[i], err = typesOf(sd, in); err != nil {
			return nil, err
		}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []batchError
	for i, in := range inputs {
		from, okFrom := sd.from().livePos(in.From.ID)
		to, okTo := sd.to().livePos(in.To.ID)
		if !okFrom || !okTo {
			errs = append(errs, invalidPair(sd, in.From.ID, okFrom, in.To.ID, okTo))
			continue
		}
		apply(sd, recPair{from, to}, idx[i])
	}
	return errs, nil
}

// defaultTypeOnly is typesOf for writes of the unlabeled type alone.
func defaultTypeOnly(side, assocWriteInput) ([]int, *apiError) { return nil, nil }

// explicitTypes is typesOf for writes naming their types.
func explicitTypes(sd side, in assocWriteInput) ([]int, *apiError) {
	return sd.typeIndexesOf(in.Types, in.From.ID, in.To.ID)
}

// invalidPair is the error for an association whose records do not both exist. HubSpot names the
// missing records in context: objectId, objectType (upper-case singular) and INVALID_OBJECT_IDS.
func invalidPair(sd side, fromID string, fromOK bool, toID string, toOK bool) batchError {
	context := map[string][]string{}
	for _, r := range []struct {
		typ *objectType
		id  string
		ok  bool
	}{{sd.from().typ, fromID, fromOK}, {sd.to().typ, toID, toOK}} {
		if r.ok {
			continue
		}
		kind := strings.ToUpper(r.typ.singular)
		context["objectId"] = append(context["objectId"], r.id)
		context["objectType"] = append(context["objectType"], kind)
		context["INVALID_OBJECT_IDS"] = append(context["INVALID_OBJECT_IDS"], kind+"="+r.id+" is not valid")
	}
	return newBatchError(catValidation, "crm.associations.INVALID_OBJECT_IDS", "One or more associations are invalid", context)
}

// addTypes sets the default type and the given types on a pair, keeping the ones it has.
func addTypes(sd side, p recPair, types []int) {
	m := sd.mask(p.from, p.to) | 1
	for _, ti := range types {
		m |= 1 << ti
	}
	sd.setMask(p.from, p.to, m)
}

// labelsOf renders a pair's current labels.
func (sd side) labelsOf(p recPair) labelsBetween {
	labels := []string{}
	for _, ti := range typeIndexes(sd.mask(p.from, p.to)) {
		if l := sd.label(ti); l != "" {
			labels = append(labels, l)
		}
	}
	return labelsBetween{FromObjectTypeID: sd.from().typ.typeID, FromObjectID: strconv.FormatUint(sd.from().recs[p.from].id, 10),
		ToObjectTypeID: sd.to().typ.typeID, ToObjectID: strconv.FormatUint(sd.to().recs[p.to].id, 10), Labels: labels}
}

// defaultOf renders a pair given the default type.
func (sd side) defaultOf(p recPair) defaultAssociation {
	return defaultAssociation{From: idRef{strconv.FormatUint(sd.from().recs[p.from].id, 10)},
		To:              idRef{strconv.FormatUint(sd.to().recs[p.to].id, 10)},
		AssociationSpec: assocTypeInput{Category: sd.p.types[0].category, TypeID: sd.typeID(0)}}
}

// typeIndexesOf validates explicit association types (labels) in the side's direction.
func (sd side) typeIndexesOf(types []assocTypeInput, fromID, toID string) ([]int, *apiError) {
	if len(types) == 0 {
		return nil, badRequest("Association input %s -> %s has no types", fromID, toID)
	}
	var out []int
	for _, t := range types {
		i, ok := sd.typeIndex(t.TypeID)
		if !ok || sd.p.types[i].category != t.Category {
			return nil, badRequest("Association type %d (%s) does not exist from %s to %s", t.TypeID, t.Category, sd.from().typ.name, sd.to().typ.name)
		}
		out = append(out, i)
	}
	return out, nil
}

// assocBatchCreate serves POST .../batch/create with explicit types (labels): 201, or 207 with
// errors, in v4; 200 with folded errors in 2026-09, as each spec lists.
func (e *Emulator) assocBatchCreate(c *call) (int, any, *apiError) {
	var req struct {
		Inputs []assocWriteInput `json:"inputs"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	results := []labelsBetween{}
	errs, err := e.assocWrite(c, req.Inputs, explicitTypes, func(sd side, p recPair, types []int) {
		addTypes(sd, p, types)
		results = append(results, sd.labelsOf(p))
	})
	if err != nil {
		return 0, nil, err
	}
	if c.v2026 {
		return c.batchResult(http.StatusOK, results, errs)
	}
	return c.batchResult(http.StatusCreated, results, errs)
}

// assocBatchDefault serves POST .../batch/associate/default: the unlabeled type only. Both specs
// list 200 alone, so errors are folded into a 200 in v4 too.
func (e *Emulator) assocBatchDefault(c *call) (int, any, *apiError) {
	var req struct {
		Inputs []assocWriteInput `json:"inputs"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	results := []defaultAssociation{}
	errs, err := e.assocWrite(c, req.Inputs, defaultTypeOnly, func(sd side, p recPair, types []int) {
		addTypes(sd, p, types)
		results = append(results, sd.defaultOf(p))
	})
	if err != nil {
		return 0, nil, err
	}
	return c.foldedBatchResult(http.StatusOK, results, errs)
}

// assocBatchLabelsArchive serves POST .../batch/labels/archive: removes the given types from each
// pair; removing the default type removes the association. 204 in v4, 200 in 2026-09.
func (e *Emulator) assocBatchLabelsArchive(c *call) (int, any, *apiError) {
	var req struct {
		Inputs []assocWriteInput `json:"inputs"`
	}
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	errs, err := e.assocWrite(c, req.Inputs, explicitTypes, func(sd side, p recPair, types []int) {
		m := sd.mask(p.from, p.to)
		for _, ti := range types {
			m &^= 1 << ti
		}
		if m&1 == 0 {
			m = 0
		}
		sd.setMask(p.from, p.to, m)
	})
	if err != nil {
		return 0, nil, err
	}
	return c.archiveResult(errs)
}

// archiveResult is an association archive's answer, as each spec lists: 204 without a body in
// v4, which has no room for errors; in 2026-09 a batch response with 200, errs folded in.
func (c *call) archiveResult(errs []batchError) (int, any, *apiError) {
	if c.v2026 {
		return c.batchResult(http.StatusOK, []any{}, errs)
	}
	return http.StatusNoContent, nil, nil
}

// assocBatchArchive serves POST .../batch/archive: removes every type between the pairs; a pair
// naming a record that does not exist is an error where the version has room for one.
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
	var errs []batchError
	for _, in := range req.Inputs {
		for _, t := range in.To {
			if okFrom, okTo := sd.removePair(in.From.ID, t.ID); !okFrom || !okTo {
				errs = append(errs, invalidPair(sd, in.From.ID, okFrom, t.ID, okTo))
			}
		}
	}
	return c.archiveResult(errs)
}

// removePair removes every type between two records and reports whether each exists. Callers
// hold e.mu.
func (sd side) removePair(fromID, toID string) (okFrom, okTo bool) {
	from, okFrom := sd.from().pos(fromID)
	to, okTo := sd.to().pos(toID)
	if okFrom && okTo {
		sd.setMask(from, to, 0)
	}
	return okFrom, okTo
}

// recordPair reads a per-record association route's input: from {from}/{id} to {to}/{toId}.
func (c *call) recordPair() assocWriteInput {
	return assocWriteInput{From: idRef{c.r.PathValue("id")}, To: idRef{c.r.PathValue("toId")}}
}

// singlePair turns a per-record write's single result into its answer, or its error into a 400.
func singlePair[T any](results []T, errs []batchError) (T, *apiError) {
	var zero T
	if len(errs) > 0 {
		err := newError(http.StatusBadRequest, errs[0].Category, "%s", errs[0].Message)
		err.subCategory, err.context = errs[0].SubCategory, errs[0].Context
		return zero, err
	}
	return results[0], nil
}

// assocPutDefault serves PUT /objects/{from}/{id}/associations/default/{to}/{toId}: 200 with a
// batch response of the one default association, as the spec lists.
func (e *Emulator) assocPutDefault(c *call) (int, any, *apiError) {
	var results []defaultAssociation
	errs, err := e.assocWrite(c, []assocWriteInput{c.recordPair()}, defaultTypeOnly, func(sd side, p recPair, types []int) {
		addTypes(sd, p, types)
		results = append(results, sd.defaultOf(p))
	})
	if err != nil {
		return 0, nil, err
	}
	if _, err := singlePair(results, errs); err != nil {
		return 0, nil, err
	}
	return c.foldedBatchResult(http.StatusOK, results, nil)
}

// assocPutLabels serves PUT /objects/{from}/{id}/associations/{to}/{toId} with an array of types
// in the body: 201 with the pair's labels, as the spec lists.
func (e *Emulator) assocPutLabels(c *call) (int, any, *apiError) {
	in := c.recordPair()
	if err := c.decode(&in.Types); err != nil {
		return 0, nil, err
	}
	var results []labelsBetween
	errs, err := e.assocWrite(c, []assocWriteInput{in}, explicitTypes, func(sd side, p recPair, types []int) {
		addTypes(sd, p, types)
		results = append(results, sd.labelsOf(p))
	})
	if err != nil {
		return 0, nil, err
	}
	result, err := singlePair(results, errs)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, result, nil
}

// assocDelete serves DELETE /objects/{from}/{id}/associations/{to}/{toId}: removes every type
// between the pair; 204 whether or not they were associated.
func (e *Emulator) assocDelete(c *call) (int, any, *apiError) {
	sd, err := c.pairCall(true)
	if err != nil {
		return 0, nil, err
	}
	in := c.recordPair()
	e.mu.Lock()
	defer e.mu.Unlock()
	sd.removePair(in.From.ID, in.To.ID)
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
