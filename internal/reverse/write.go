package reverse

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// writeOp is the write a row needs.
type writeOp int

const (
	opNone    writeOp = iota
	opUpdate          // batch update by id, changed properties only
	opUpsert          // batch upsert by a unique property: idempotent
	opCreate          // batch create: recovered by lookup after an ambiguous failure
	opArchive         // batch archive by id
)

var opActions = map[writeOp]Action{opUpdate: ActionUpdated, opUpsert: ActionCreated, opCreate: ActionCreated, opArchive: ActionArchived}

// actionOf is what a row's write does. The pre-read says what an upsert does: a row without a
// record creates one, even when a re-sent upsert (after a lost answer) hears new=false from its
// first attempt's record.
func actionOf(op writeOp, r *row) Action {
	if op == opUpsert && r.current != nil {
		return ActionUpdated
	}
	return opActions[op]
}

// write sends the planned writes, 100 rows a request, or in a dry run records what they would do.
func (b *batch) write(ctx context.Context) error {
	for _, op := range []writeOp{opUpdate, opUpsert, opCreate, opArchive} {
		var rows []*row
		for _, r := range b.pendingRows() {
			if r.op == op {
				rows = append(rows, r)
			}
		}
		if b.run.opts.DryRun {
			for _, r := range rows {
				r.sync(actionOf(op, r), r.id)
				r.message = fmt.Sprintf("dry run: would write %d properties", len(r.changes))
			}
			continue
		}
		for _, group := range b.requestGroups(op, rows) {
			err := forChunks(ctx, group, hubspot.MaxBatchInputs, b.run.opts.Concurrency, func(ctx context.Context, part []*row) error {
				return b.send(ctx, op, part, ambiguousRetries)
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// requestGroups splits the rows of one write into the groups that can share requests: creates
// and upserts name the record by its key, so each match key has its own requests; updates and
// archives name records by id and share them all.
func (b *batch) requestGroups(op writeOp, rows []*row) [][]*row {
	if op != opCreate && op != opUpsert {
		return [][]*row{rows}
	}
	groups := make([][]*row, len(b.plan.keys))
	for _, r := range rows {
		groups[r.via] = append(groups[r.via], r)
	}
	return groups
}

// keyOf is the match key that identifies rows of one request group.
func (b *batch) keyOf(rows []*row) matchKey { return b.plan.keys[rows[0].via] }

// send writes rows with one request. A request HubSpot rejects as a whole (400, 409) is split
// in halves until the bad rows stand alone and fail with HubSpot's category and message; the
// good rows are written. An ambiguous create is looked up before it is sent again. A create is
// journaled before it is sent and settled once its outcome is known; an error that leaves the
// outcome unknown leaves it journaled for the next run to look up.
func (b *batch) send(ctx context.Context, op writeOp, rows []*row, retries int) error {
	entry, err := b.journalCreate(op, rows)
	if err != nil {
		return err
	}
	res, err := b.call(ctx, op, rows)
	var amb *hubspot.AmbiguousWriteError
	switch {
	case err == nil:
		b.apply(op, rows, res)
		if unsettledRows(rows) {
			return nil
		}
		return b.settle(entry, rows)
	case errors.As(err, &amb) && op == opCreate:
		return b.recoverCreate(ctx, rows, retries, err, entry)
	case !rejectsRows(err):
		return err
	}
	if err := b.settle(entry, rows); err != nil {
		return err
	}
	if len(rows) == 1 {
		rows[0].fail(describeFailure(err))
		return nil
	}
	half := len(rows) / 2
	if err := b.send(ctx, op, rows[:half], retries); err != nil {
		return err
	}
	return b.send(ctx, op, rows[half:], retries)
}

// rejectsRows reports an error that blames the request's inputs rather than the connection,
// the credentials or the rate limits.
func rejectsRows(err error) bool {
	var apiErr *hubspot.APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	return apiErr.StatusCode == http.StatusBadRequest || apiErr.StatusCode == http.StatusConflict
}

func (b *batch) call(ctx context.Context, op writeOp, rows []*row) (*hubspot.BatchResult, error) {
	objects, typ := b.api.Objects, b.plan.Object.TypeID
	inputs := make([]hubspot.ObjectInput, len(rows))
	for i, r := range rows {
		inputs[i] = hubspot.ObjectInput{Properties: r.changes}
		switch op {
		case opUpdate, opArchive:
			inputs[i].ID = r.id
		case opUpsert:
			key := b.keyOf(rows)
			inputs[i].ID, inputs[i].IDProperty = key.lookup(r.keyText), key.property
		case opCreate:
			inputs[i].ObjectWriteTraceID = strconv.FormatInt(r.index, 10)
		}
	}
	switch op {
	case opUpdate:
		return objects.BatchUpdate(ctx, typ, inputs)
	case opUpsert:
		return objects.BatchUpsert(ctx, typ, inputs)
	case opCreate:
		return objects.BatchCreate(ctx, typ, inputs)
	}
	ids := make([]string, len(inputs))
	for i, in := range inputs {
		ids[i] = in.ID
	}
	return &hubspot.BatchResult{Results: make([]hubspot.BatchObject, 0)}, objects.BatchArchive(ctx, typ, ids)
}

// apply reads a batch answer record by record: results by id or key, errors by the ids or
// write trace ids in their context. A row the answer does not account for fails as unconfirmed.
func (b *batch) apply(op writeOp, rows []*row, res *hubspot.BatchResult) {
	if op == opArchive {
		for _, r := range rows {
			r.sync(ActionArchived, r.id)
		}
		return
	}
	key := b.keyOf(rows)
	byID, byKey, byTrace := map[string]*row{}, map[string]*row{}, map[string]*row{}
	for _, r := range rows {
		byKey[r.key] = r
		byTrace[strconv.FormatInt(r.index, 10)] = r
		if r.id != "" {
			byID[r.id] = r
		}
	}
	for _, o := range res.Results {
		r := byID[o.ID]
		if r == nil && key.kind != keyByID {
			r = byKey[key.keyOf(&o.Object)]
		}
		if r == nil || !r.pending() {
			continue
		}
		action := actionOf(op, r)
		r.created = action == ActionCreated
		r.sync(action, o.ID)
	}
	var unattributed *hubspot.BatchError
	for i, e := range res.Errors {
		matched := false
		for _, r := range rowsNamedBy(e, byID, byKey, byTrace, key.finder) {
			if r.pending() {
				r.fail(describeFailure(e))
				matched = true
			}
		}
		if !matched && unattributed == nil {
			unattributed = &res.Errors[i]
		}
	}
	for _, r := range rows {
		if !r.pending() {
			continue
		}
		if unattributed != nil {
			r.fail(describeFailure(*unattributed))
			continue
		}
		r.fail(failure{CategoryUnconfirmed, "HubSpot's answer neither confirmed nor rejected this row; rerun to check it"})
	}
}

// rowsNamedBy finds the rows a batch error is about, by write trace id or by the ids (record ids
// or key values) in its context.
func rowsNamedBy(e hubspot.BatchError, byID, byKey, byTrace map[string]*row, key finder) []*row {
	if r := byTrace[e.ObjectWriteTraceID]; e.ObjectWriteTraceID != "" && r != nil {
		return []*row{r}
	}
	var out []*row
	for _, id := range e.IDs {
		if r := byID[id]; r != nil {
			out = append(out, r)
		} else if r := byKey[key.normalize(id)]; r != nil {
			out = append(out, r)
		}
	}
	return out
}

// recoverCreate handles a create whose outcome is unknown: it looks for the rows' keys, counts
// the records found as created, and sends the rest again, a bounded number of times. Keys that
// need a search are looked for again after the search index had time to settle. The journaled
// create stays unsettled when rows are left failing as ambiguous.
func (b *batch) recoverCreate(ctx context.Context, rows []*row, retries int, cause error, entry int64) error {
	again, err := b.lookupCreated(ctx, rows)
	if err == nil && len(again) > 0 && b.keyOf(rows).kind == keyBySearch {
		if err = b.run.wait(ctx, b.run.opts.SearchSettle); err == nil {
			again, err = b.lookupCreated(ctx, again)
		}
	}
	if err != nil {
		return fmt.Errorf("look for records an interrupted create may have made: %w", err)
	}
	b.run.opts.Logger.Warn().Str("table", b.plan.Table).Int("found", len(rows)-len(again)).Int("resent", len(again)).
		Msg("a create request was interrupted: found the records it made before sending the rest again")
	if retries == 0 && len(again) > 0 {
		for _, r := range again {
			r.fail(describeFailure(cause))
		}
		return nil
	}
	if err := b.settle(entry, rows); err != nil {
		return err
	}
	if len(again) == 0 {
		return nil
	}
	return b.send(ctx, opCreate, again, retries-1)
}

// lookupCreated marks the rows whose key now has a record as created and returns the others.
func (b *batch) lookupCreated(ctx context.Context, rows []*row) ([]*row, error) {
	key := b.keyOf(rows)
	lookups := make([]string, len(rows))
	for i, r := range rows {
		lookups[i] = key.lookup(r.keyText)
	}
	found, err := key.find(ctx, b.api, lookups, nil)
	if err != nil {
		return nil, err
	}
	var missing []*row
	for _, r := range rows {
		if o, ok := found[r.key]; ok {
			r.created = true
			r.sync(ActionCreated, o.ID)
			continue
		}
		missing = append(missing, r)
	}
	return missing, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// associate creates the missing associations of the synced rows, reading the existing ones first
// (1,000 records a request) and creating 2,000 a request. A failed association fails its row.
func (b *batch) associate(ctx context.Context) error {
	p := b.plan
	for i, a := range p.assocs {
		var pairs []pair
		for _, r := range b.rows {
			if r.status == StatusSynced && r.id != "" && r.toIDs[i] != "" && r.action != ActionArchived {
				pairs = append(pairs, pair{row: r, from: r.id, to: r.toIDs[i]})
			}
		}
		have, err := existingPairs(ctx, b.api, p.Object, a, pairs)
		if err != nil {
			return err
		}
		pairs = slices.DeleteFunc(pairs, func(x pair) bool { return have[[2]string{x.from, x.to}] })
		if b.run.opts.DryRun {
			for _, x := range pairs {
				x.row.message += fmt.Sprintf("; would associate with %s %s", a.target.object.Name, x.to)
			}
			continue
		}
		err = forChunks(ctx, pairs, hubspot.MaxAssociationCreateInputs, b.run.opts.Concurrency, func(ctx context.Context, part []pair) error {
			return b.createAssociations(ctx, a, part)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *batch) createAssociations(ctx context.Context, a *assocPlan, pairs []pair) error {
	inputs := make([]hubspot.AssociationInput, len(pairs))
	for i, x := range pairs {
		inputs[i] = hubspot.AssociationInput{FromID: x.from, ToID: x.to, Types: []hubspot.AssociationTypeSpec{a.kind}}
	}
	from, to := b.plan.Object, a.target.object
	res, err := b.api.Associations.BatchCreate(ctx, from.TypeID, to.TypeID, inputs)
	var amb *hubspot.AmbiguousWriteError
	if errors.As(err, &amb) {
		// Creating an association that exists changes nothing, so sending it again is safe.
		res, err = b.api.Associations.BatchCreate(ctx, from.TypeID, to.TypeID, inputs)
	}
	if rejectsRows(err) {
		for _, x := range pairs {
			b.failAssociation(x.row, a, describeFailure(err))
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("associate %s with %s: %w", from.Name, to.Name, err)
	}
	for _, e := range res.Errors {
		for _, x := range pairs {
			if slices.Contains(e.IDs, x.from) || slices.Contains(e.IDs, x.to) || len(e.IDs) == 0 {
				b.failAssociation(x.row, a, describeFailure(e))
			}
		}
	}
	return nil
}

// failAssociation fails a row whose record was written but whose association was refused.
func (b *batch) failAssociation(r *row, a *assocPlan, f failure) {
	f.message = fmt.Sprintf("record %s written (%s), but the association with %s failed: %s", r.id, r.action, a.target.object.Name, f.message)
	r.fail(f)
}
