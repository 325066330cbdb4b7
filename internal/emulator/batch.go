package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
)

const batchMaxInputs = 100

// batchRequest is the body of every objects batch call.
type batchRequest struct {
	Inputs                []rawInput `json:"inputs"`
	Properties            []string   `json:"properties"`
	PropertiesWithHistory []string   `json:"propertiesWithHistory"`
	IDProperty            string     `json:"idProperty"`
}

// batchResponse is a batch result. In the v3 family errors make it a 207; in 2026-09 they are
// folded into the normal 200/201 body.
type batchResponse struct {
	Status      string       `json:"status"`
	Results     any          `json:"results"`
	NumErrors   int          `json:"numErrors,omitempty"`
	Errors      []batchError `json:"errors,omitempty"`
	StartedAt   string       `json:"startedAt"`
	CompletedAt string       `json:"completedAt"`
}

// batchResult shapes a batch answer for the request's path family: errors make a v3/v4 answer
// a 207.
func (c *call) batchResult(okStatus int, results any, errs []batchError) (int, any, *apiError) {
	if len(errs) > 0 && !c.v2026 {
		okStatus = http.StatusMultiStatus
	}
	return c.foldedBatchResult(okStatus, results, errs)
}

// foldedBatchResult answers status with any errors folded into the body, for routes whose spec
// lists no 207.
func (c *call) foldedBatchResult(status int, results any, errs []batchError) (int, any, *apiError) {
	now := isoMillis(c.e.nowMs())
	return status, batchResponse{Status: "COMPLETE", Results: results, NumErrors: len(errs), Errors: errs,
		StartedAt: now, CompletedAt: now}, nil
}

// notFoundError is the single batch error naming every id that was not found.
func notFoundError(t *objectType, verb string, ids []string) batchError {
	return newBatchError(catNotFound, "",
		"Could not "+verb+" some "+strings.ToUpper(t.singular)+" objects, they may be deleted or not exist. Check that ids are valid.",
		map[string][]string{"ids": ids})
}

// batch serves POST /{type}/batch/{op}.
func (e *Emulator) batch(c *call) (int, any, *apiError) {
	t, err := c.objectType("type")
	if err != nil {
		return 0, nil, err
	}
	op := c.r.PathValue("op")
	handlers := map[string]func(*call, *objectType, *batchRequest) (int, any, *apiError){
		"read": e.batchRead, "create": e.batchCreate, "update": e.batchUpdate, "upsert": e.batchUpsert, "archive": e.batchArchive,
	}
	h, ok := handlers[op]
	if !ok {
		return 0, nil, notFound("No batch operation %q; use read, create, update, upsert or archive", op)
	}
	scope := t.writeScope
	if op == "read" {
		scope = t.readScope
	}
	if err := e.requireScopes(scope); err != nil {
		return 0, nil, err
	}
	if op != "read" {
		if err := refuseReadOnly(t); err != nil {
			return 0, nil, err
		}
	}
	var req batchRequest
	if err := c.decode(&req); err != nil {
		return 0, nil, err
	}
	if len(req.Inputs) > batchMaxInputs {
		return 0, nil, badRequest("Batch input must contain at most %d inputs, got %d", batchMaxInputs, len(req.Inputs))
	}
	return h(c, t, &req)
}

func (e *Emulator) batchRead(c *call, t *objectType, req *batchRequest) (int, any, *apiError) {
	archived, err := boolParam(c.r.URL.Query(), "archived")
	if err != nil {
		return 0, nil, err
	}
	v := &view{props: selectProps(t, req.Properties), v2026: c.v2026}
	for _, n := range req.PropertiesWithHistory {
		if p := t.propByName[n]; p != nil {
			v.history = append(v.history, p)
		}
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	tb := e.tables[t.name]
	var found []int32
	var missing []string
	for _, in := range req.Inputs {
		pos, ok, err := tb.resolve(in.ID, req.IDProperty, archived)
		if err != nil {
			return 0, nil, err
		}
		if !ok {
			missing = append(missing, in.ID)
			continue
		}
		found = append(found, pos)
	}
	slices.Sort(found)
	results := make([]recordJSON, 0, len(found))
	for _, pos := range slices.Compact(found) {
		results = append(results, e.render(tb, pos, v))
	}
	var errs []batchError
	if len(missing) > 0 {
		errs = append(errs, notFoundError(t, "get", missing))
	}
	return c.batchResult(http.StatusOK, results, errs)
}

// parseInputs converts raw inputs.
func parseInputs(raw []rawInput) ([]writeInput, *apiError) {
	out := make([]writeInput, len(raw))
	for i, ri := range raw {
		in, err := ri.toInput(i)
		if err != nil {
			return nil, err
		}
		out[i] = in
	}
	return out, nil
}

func (e *Emulator) batchCreate(c *call, t *objectType, req *batchRequest) (int, any, *apiError) {
	if c.v2026 {
		var missing []string
		for i, in := range req.Inputs {
			if in.Associations == nil {
				missing = append(missing, fmt.Sprintf("inputs[%d].associations", i))
			}
		}
		if len(missing) > 0 {
			return 0, nil, badRequest("The 2026-09 batch create requires associations on every input; %s missing (send [] for a record without associations)", strings.Join(missing, ", "))
		}
	}
	inputs, err := parseInputs(req.Inputs)
	if err != nil {
		return 0, nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var errs []batchError
	if traced(inputs) {
		inputs, errs = e.splitInvalid(t, inputs, c.v2026)
	}
	positions, err := e.createAll(e.tables[t.name], inputs, c.v2026)
	if err != nil {
		return 0, nil, err
	}
	v := writtenView(t, inputs, c.v2026)
	results := make([]recordJSON, len(positions))
	for i, pos := range positions {
		results[i] = e.render(e.tables[t.name], pos, v)
	}
	return c.batchResult(http.StatusCreated, results, errs)
}

// traced reports whether every input carries an objectWriteTraceId, which turns on HubSpot's
// multi-status batch create: valid inputs are created, invalid ones come back as errors.
func traced(inputs []writeInput) bool {
	return len(inputs) > 0 && !slices.ContainsFunc(inputs, func(in writeInput) bool { return in.traceID == "" })
}

// splitInvalid keeps the inputs that pass validation and turns each other one into a batch
// error naming it in context.objectWriteTraceId, as HubSpot's multi-status answer does.
func (e *Emulator) splitInvalid(t *objectType, inputs []writeInput, rules bool) ([]writeInput, []batchError) {
	var valid []writeInput
	var errs []batchError
	for i := range inputs {
		details := e.createErrors(t, &inputs[i], rules)
		if len(details) == 0 {
			valid = append(valid, inputs[i])
			continue
		}
		be := newBatchError(catValidation, "", validationFailure(details).message,
			map[string][]string{"objectWriteTraceId": {inputs[i].traceID}})
		be.Errors = details
		errs = append(errs, be)
	}
	return valid, errs
}

// createErrors validates one create input: its properties and its associations.
func (e *Emulator) createErrors(t *objectType, in *writeInput, rules bool) []errorDetail {
	return append(e.checkProps(t, in, nil, rules), e.checkCreateAssocs(t, in)...)
}

// createAll validates every input (one bad input rejects all) and then creates the records with
// their associations. Callers hold e.mu for writing.
func (e *Emulator) createAll(tb *table, inputs []writeInput, rules bool) ([]int32, *apiError) {
	var errs []errorDetail
	for i := range inputs {
		errs = append(errs, e.createErrors(tb.typ, &inputs[i], rules)...)
	}
	if len(errs) > 0 {
		return nil, validationFailure(errs)
	}
	self := make([]int32, len(inputs))
	for i := range self {
		self[i] = -1
	}
	if err := e.uniqueClaims(tb, inputs, self); err != nil {
		return nil, err
	}
	positions := make([]int32, len(inputs))
	for i, in := range inputs {
		positions[i] = e.create(tb, in.props)
		for _, a := range in.assocs {
			for _, ty := range a.Types {
				sd, ti, _ := e.assocTypeFrom(tb.typ, ty.TypeID)
				to, _ := sd.to().livePos(a.To.ID)
				sd.setMask(positions[i], to, sd.mask(positions[i], to)|1|1<<ti)
			}
		}
	}
	return positions, nil
}

// assocTypeFrom finds the pair side and type index of an association type id leaving type t.
func (e *Emulator) assocTypeFrom(t *objectType, typeID int) (side, int, bool) {
	for _, sd := range e.assoc.pairsOf(t.name) {
		if i, ok := sd.typeIndex(typeID); ok {
			return sd, i, true
		}
	}
	return side{}, 0, false
}

// checkCreateAssocs validates associations given with a create: known types, existing targets.
func (e *Emulator) checkCreateAssocs(t *objectType, in *writeInput) []errorDetail {
	var errs []errorDetail
	for _, a := range in.assocs {
		for _, ty := range a.Types {
			sd, ti, ok := e.assocTypeFrom(t, ty.TypeID)
			switch {
			case !ok:
				errs = append(errs, propError(in, "associations", "INVALID_ASSOCIATION_TYPE", "Association type %d does not exist for %s", ty.TypeID, t.name))
			case sd.p.types[ti].category != ty.Category:
				errs = append(errs, propError(in, "associations", "INVALID_ASSOCIATION_TYPE", "Association type %d has category %s, not %s", ty.TypeID, sd.p.types[ti].category, ty.Category))
			default:
				if _, live := sd.to().livePos(a.To.ID); !live {
					errs = append(errs, propError(in, "associations", "INVALID_OBJECT_IDS", "%s %s does not exist", sd.to().typ.singular, a.To.ID))
				}
			}
		}
	}
	return errs
}

func (e *Emulator) batchUpdate(c *call, t *objectType, req *batchRequest) (int, any, *apiError) {
	inputs, err := parseInputs(req.Inputs)
	if err != nil {
		return 0, nil, err
	}
	seen := map[string]bool{}
	var dups []string
	for _, in := range inputs {
		if seen[in.idProperty+"\x00"+in.id] {
			dups = append(dups, in.id)
		}
		seen[in.idProperty+"\x00"+in.id] = true
	}
	if len(dups) > 0 {
		return 0, nil, badRequest("Duplicate IDs found in batch input: [%s]. IDs must be unique", strings.Join(dups, ", "))
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	tb := e.tables[t.name]
	var found []writeInput
	var self []int32
	var missing []string
	for _, in := range inputs {
		pos, ok, err := tb.resolve(in.id, in.idProperty, false)
		if err != nil {
			return 0, nil, err
		}
		if !ok {
			missing = append(missing, in.id)
			continue
		}
		found, self = append(found, in), append(self, pos)
	}
	if err := e.updateAll(tb, found, self, c.v2026, false); err != nil {
		return 0, nil, err
	}
	v := writtenView(t, found, c.v2026)
	results := make([]recordJSON, len(self))
	for i, pos := range self {
		results[i] = e.render(tb, pos, v)
	}
	var errs []batchError
	if len(missing) > 0 {
		errs = append(errs, notFoundError(t, "update", missing))
	}
	return c.batchResult(http.StatusOK, results, errs)
}

// updateAll validates every input against its record (one bad input rejects all) and applies them;
// force bumps last-modified even when nothing changed. Callers hold e.mu for writing.
func (e *Emulator) updateAll(tb *table, inputs []writeInput, self []int32, rules, force bool) *apiError {
	var errs []errorDetail
	for i := range inputs {
		pos := self[i]
		current := func(name string) string {
			if p := tb.typ.propByName[name]; p != nil {
				return tb.value(pos, p)
			}
			return ""
		}
		errs = append(errs, e.checkProps(tb.typ, &inputs[i], current, rules)...)
	}
	if len(errs) > 0 {
		return validationFailure(errs)
	}
	if err := e.uniqueClaims(tb, inputs, self); err != nil {
		return err
	}
	for i, in := range inputs {
		e.update(tb, self[i], in.props, force)
	}
	return nil
}

func (e *Emulator) batchUpsert(c *call, t *objectType, req *batchRequest) (int, any, *apiError) {
	inputs, err := parseInputs(req.Inputs)
	if err != nil {
		return 0, nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	tb := e.tables[t.name]
	var creates, updates []writeInput
	var self []int32
	for _, in := range inputs {
		p := t.propByName[in.idProperty]
		if p == nil || !p.unique {
			return 0, nil, badRequest("Upsert needs idProperty to be a unique property of %s (such as %s); %q is not", t.name, uniqueNames(t), in.idProperty)
		}
		if in.id == "" {
			return 0, nil, badRequest("Upsert input %d has no id value for %s", in.index, in.idProperty)
		}
		if pos, ok := tb.findUnique(p, in.id); ok {
			updates, self = append(updates, in), append(self, pos)
			continue
		}
		in.props[in.idProperty] = in.id
		creates = append(creates, in)
	}
	if err := e.updateAll(tb, updates, self, c.v2026, false); err != nil {
		return 0, nil, err
	}
	created, err := e.createAll(tb, creates, c.v2026)
	if err != nil {
		return 0, nil, err
	}
	v := writtenView(t, inputs, c.v2026)
	var results []recordJSON
	for i, pos := range append(self, created...) {
		r := e.render(tb, pos, v)
		r.New = new(i >= len(self))
		results = append(results, r)
	}
	return c.batchResult(http.StatusOK, results, nil)
}

// uniqueNames lists a type's id properties, for error messages.
func uniqueNames(t *objectType) string {
	var out []string
	for _, p := range t.props {
		if p.unique {
			out = append(out, p.name)
		}
	}
	return strings.Join(out, ", ")
}

func (e *Emulator) batchArchive(c *call, t *objectType, req *batchRequest) (int, any, *apiError) {
	e.mu.Lock()
	defer e.mu.Unlock()
	tb := e.tables[t.name]
	for _, in := range req.Inputs {
		if pos, ok := tb.livePos(in.ID); ok {
			tb.recs[pos].archivedAt = e.nowMs()
		}
	}
	return http.StatusNoContent, nil, nil
}

// singleInput decodes a single-record body into a write input.
func (c *call) singleInput() (writeInput, *apiError) {
	var raw rawInput
	if err := c.decode(&raw); err != nil {
		return writeInput{}, err
	}
	return raw.toInput(0)
}

// singleWrite reads a single-record write: the writable object type and the one input.
func (c *call) singleWrite() (*objectType, writeInput, *apiError) {
	t, err := c.writableType()
	if err != nil {
		return nil, writeInput{}, err
	}
	in, err := c.singleInput()
	return t, in, err
}

// createObject serves POST /{type}.
func (e *Emulator) createObject(c *call) (int, any, *apiError) {
	t, in, err := c.singleWrite()
	if err != nil {
		return 0, nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	tb := e.tables[t.name]
	pos, err := e.createAll(tb, []writeInput{in}, c.v2026)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, e.render(tb, pos[0], writtenView(t, []writeInput{in}, c.v2026)), nil
}

// updateObject serves PATCH /{type}/{id} (idProperty supported).
func (e *Emulator) updateObject(c *call) (int, any, *apiError) {
	t, in, err := c.singleWrite()
	if err != nil {
		return 0, nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	tb := e.tables[t.name]
	id := c.r.PathValue("id")
	pos, ok, err := tb.resolve(id, c.r.URL.Query().Get("idProperty"), false)
	if err != nil {
		return 0, nil, err
	}
	if !ok {
		return 0, nil, objectNotFound(id)
	}
	if err := e.updateAll(tb, []writeInput{in}, []int32{pos}, c.v2026, false); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, e.render(tb, pos, writtenView(t, []writeInput{in}, c.v2026)), nil
}

// archiveObject serves DELETE /{type}/{id}: 204 whether or not the record existed.
func (e *Emulator) archiveObject(c *call) (int, any, *apiError) {
	t, err := c.writableType()
	if err != nil {
		return 0, nil, err
	}
	return e.batchArchive(c, t, &batchRequest{Inputs: []rawInput{{ID: c.r.PathValue("id")}}})
}
