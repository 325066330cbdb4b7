package reverse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// row is one input row on its way to an outcome.
type row struct {
	index    int64
	keyTexts []string // per match key: the key as the row has it
	keys     []string // per match key: normalized, "" when the row has none
	// via is the match key that identifies the row: the one that found its record, else the one
	// that creates it, else the first it has a value for; -1 for none. keyText and key are its values.
	via     int
	keyText string
	key     string
	claims  []string          // identities this row holds in the run (see claimFor)
	props   map[string]string // wire values of the row's non-empty values
	targets []string          // per association rule: the target key to look up, "" for none
	toIDs   []string          // per association rule: the target record id

	current *hubspot.Object   // the matched record, nil when none
	changes map[string]string // properties to write
	op      writeOp
	id      string
	created bool

	status   Status
	action   Action
	category string
	message  string
}

func (r *row) exclude(reason, format string, args ...any) {
	r.status, r.action, r.category, r.message = StatusExcluded, ActionNone, reason, fmt.Sprintf(format, args...)
}

func (r *row) fail(f failure) {
	r.status, r.category, r.message = StatusFailed, f.category, f.message
}

func (r *row) sync(action Action, id string) {
	r.status, r.action, r.id = StatusSynced, action, id
}

func (r *row) pending() bool { return r.status == "" }

// identify makes match key k the one that identifies the row.
func (r *row) identify(k int) {
	r.via, r.keyText, r.key = k, r.keyTexts[k], r.keys[k]
}

// firstKey is the first match key the row has a value for that satisfies ok, or -1.
func (r *row) firstKey(ok func(k int) bool) int {
	for k, v := range r.keys {
		if v != "" && ok(k) {
			return k
		}
	}
	return -1
}

func (r *row) outcome(b *batch, now time.Time) Outcome {
	o := Outcome{Table: b.plan.Table, Object: b.plan.Object.Name, Portal: b.plan.Target.Name, Row: r.index,
		Key: r.keyText, HubSpotID: r.id, Status: r.status, Action: r.action, Category: r.category, Message: r.message,
		Time: now, DryRun: b.run.opts.DryRun}
	if r.via >= 0 {
		o.MatchKey = b.plan.keys[r.via].name
	}
	if b.archiveOnly {
		o.Row = -1 // delete messages are not input rows
	}
	return o
}

// batch is one record batch of one table, planned and applied together.
type batch struct {
	run         *Run
	plan        *Plan
	api         *hubspot.Client
	rows        []*row
	archiveOnly bool // a delete message: archive the keyed records
}

func (r *Run) newBatch(plan *Plan) *batch {
	return &batch{run: r, plan: plan, api: plan.Target.API}
}

// newRow is an empty row of the plan.
func (b *batch) newRow(index int64) *row {
	p := b.plan
	r := &row{index: index, via: -1, keyTexts: make([]string, len(p.keys)), keys: make([]string, len(p.keys)),
		props: map[string]string{}, targets: make([]string, len(p.assocs)), toIDs: make([]string, len(p.assocs))}
	b.rows = append(b.rows, r)
	return r
}

// addRow adds a row that carries only match key k.
func (b *batch) addRow(k int, keyText string) *row {
	r := b.newRow(int64(len(b.rows)))
	r.keyTexts[k], r.keys[k] = keyText, b.plan.keys[k].normalize(keyText)
	r.identify(k)
	if r.key == "" {
		r.exclude(ReasonMissingKey, "no usable %s", b.plan.keys[k].name)
	}
	return r
}

// convert reads a record's rows: wire values, key and association keys, then the checks that need
// no request (values, email, key, pipeline, duplicates).
func (b *batch) convert(rec arrow.Record) {
	p := b.plan
	n := int(rec.NumRows())
	base := b.run.reserve(p.Table, n)
	col := func(name string) arrow.Array {
		if idx := rec.Schema().FieldIndices(name); len(idx) > 0 {
			return rec.Column(idx[0])
		}
		return nil
	}
	cols := make([]arrow.Array, len(p.columns))
	for i, c := range p.columns {
		cols[i] = col(c.name)
	}
	keyCols := make([]arrow.Array, len(p.keys))
	for k, key := range p.keys {
		keyCols[k] = col(key.column)
	}
	assocCols := make([]arrow.Array, len(p.assocs))
	for i, a := range p.assocs {
		assocCols[i] = col(a.rule.Column)
	}
	for i := range n {
		r := b.newRow(base + int64(i))
		var convErr error
		for j, c := range p.columns {
			if cols[j] == nil {
				continue
			}
			v, err := c.conv(cols[j], i)
			var ve *valueError
			if errors.As(err, &ve) && convErr == nil {
				convErr = &valueError{category: ve.category, message: fmt.Sprintf("column %q (property %s): %s", c.name, c.prop.Name, ve.message)}
			}
			if v != "" {
				r.props[c.prop.Name] = v
			}
		}
		for k, key := range p.keys {
			switch {
			case key.kind != keyByID:
				r.keyTexts[k] = r.props[key.property]
			case keyCols[k] != nil:
				r.keyTexts[k], _ = p.idConv(keyCols[k], i)
			}
			r.keys[k] = key.normalize(r.keyTexts[k])
		}
		if k := r.firstKey(anyKey); k >= 0 {
			r.identify(k)
		}
		for j, a := range p.assocs {
			if v, err := a.conv(assocCols[j], i); err == nil {
				r.targets[j] = a.target.lookup(v)
			}
		}
		b.check(r, convErr)
	}
}

// check applies the row checks that need no request, in Data Sync's order.
func (b *batch) check(r *row, convErr error) {
	p := b.plan
	if convErr != nil {
		r.fail(describeFailure(convErr))
		return
	}
	if p.Mapping.RequireEmail {
		email := r.props["email"]
		if email == "" {
			r.exclude(ReasonNoEmail, "the row has no email (require_email is on)")
			return
		}
		if !validEmail(email) {
			r.exclude(ReasonInvalidEmail, "%q is not a valid email address", email)
			return
		}
	}
	if r.via < 0 {
		r.exclude(ReasonMissingKey, "the row has no usable %s (match_key)", p.Mapping.matchKeys())
		return
	}
	if pr := p.pipelines; pr != nil && !b.archiveOnly {
		pipe, stage := r.props[pr.props[0]], r.props[pr.props[1]]
		if pipe != "" || stage != "" {
			pid, sid, ok := pr.resolve(pipe, stage)
			if !ok {
				r.exclude(ReasonNoPipeline, "no %s mapping for pipeline %q, stage %q", p.Mapping.Pipelines.Match, pipe, stage)
				return
			}
			setOrDelete(r.props, pr.props[0], pid)
			setOrDelete(r.props, pr.props[1], sid)
		}
	}
}

func anyKey(int) bool { return true }

// claimFor is the identity a row holds in its table for the run under a property's normalized
// value; record ids are claimed under hs_object_id, like the id key.
func claimFor(property, value string) string { return property + "\x00" + value }

// claim makes the row hold identity, or excludes it as a duplicate of the row that holds it.
func (b *batch) claim(r *row, identity, what string) bool {
	if slices.Contains(r.claims, identity) {
		return true
	}
	if first := b.run.claim(b.plan.Table, identity, r.index); first >= 0 {
		r.exclude(ReasonDuplicate, "row %d has the same %s; the first row with a key wins", first, what)
		return false
	}
	r.claims = append(r.claims, identity)
	return true
}

// claimKey claims the row's value of match key k: later rows with the same value are duplicates.
func (b *batch) claimKey(r *row, k int) bool {
	key := b.plan.keys[k]
	return b.claim(r, claimFor(key.property, r.keys[k]), key.name)
}

func setOrDelete(m map[string]string, k, v string) {
	if v == "" {
		delete(m, k)
		return
	}
	m[k] = v
}

// validEmail accepts a bare address with a dotted domain, as HubSpot does.
func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

// execute runs the plan: association targets, matching, diff, writes, associations.
func (b *batch) execute(ctx context.Context) error {
	if err := b.resolveTargets(ctx); err != nil {
		return err
	}
	if err := b.reconcile(ctx); err != nil {
		return err
	}
	if err := b.match(ctx); err != nil {
		return err
	}
	b.decide()
	if err := b.write(ctx); err != nil {
		return err
	}
	return b.associate(ctx)
}

// pendingRows lists the rows still without an outcome.
func (b *batch) pendingRows() []*row {
	var out []*row
	for _, r := range b.rows {
		if r.pending() {
			out = append(out, r)
		}
	}
	return out
}

// resolveTargets looks up every association target and excludes rows whose target is missing.
func (b *batch) resolveTargets(ctx context.Context) error {
	for i, a := range b.plan.assocs {
		var lookups []string
		seen := map[string]bool{}
		for _, r := range b.pendingRows() {
			if v := r.targets[i]; v != "" && !seen[v] {
				seen[v] = true
				lookups = append(lookups, v)
			}
		}
		found, err := b.find(ctx, a.target, lookups, nil)
		if err != nil {
			return fmt.Errorf("association targets (%s): %w", a.target.object.Name, err)
		}
		for _, r := range b.pendingRows() {
			if r.targets[i] == "" {
				continue
			}
			o, ok := found[a.target.normalize(r.targets[i])]
			if !ok {
				r.exclude(ReasonTargetMissing, "no %s with %s %q to associate with", a.target.object.Name, a.rule.MatchProperty, r.targets[i])
				continue
			}
			r.toIDs[i] = o.ID
		}
	}
	return nil
}

// find looks keys up in chunks, several chunks at a time.
func (b *batch) find(ctx context.Context, f finder, lookups, props []string) (map[string]*hubspot.Object, error) {
	out := map[string]*hubspot.Object{}
	var mu sync.Mutex
	size := hubspot.MaxBatchInputs
	if f.kind == keyBySearch {
		size = searchValuesPerRequest
	}
	err := forChunks(ctx, lookups, size, b.run.opts.Concurrency, func(ctx context.Context, part []string) error {
		found, err := f.find(ctx, b.api, part, props)
		if err != nil {
			return err
		}
		mu.Lock()
		defer mu.Unlock()
		for k, o := range found {
			f.keep(out, k, o)
		}
		return nil
	})
	return out, err
}

// match reads the current record of every pending row with the mapped properties, trying the
// match keys in order: each key is looked up in batches for the rows still unmatched that have
// a value for it. A matched row is identified by the key that matched, an unmatched one by the
// key that creates its record. Then the rows claim their identities in row order (see claimRows).
func (b *batch) match(ctx context.Context) error {
	p := b.plan
	rows := b.pendingRows()
	recovered := b.run.recoveredRecords(p.Table)
	for k, key := range p.keys {
		var todo []*row
		var lookups []string
		seen := map[string]bool{}
		for _, r := range rows {
			if r.current != nil || r.keys[k] == "" {
				continue
			}
			todo = append(todo, r)
			if !seen[r.keys[k]] {
				seen[r.keys[k]] = true
				lookups = append(lookups, key.lookup(r.keyTexts[k]))
			}
		}
		found, err := b.find(ctx, key.finder, lookups, p.readProps)
		if err != nil {
			return fmt.Errorf("match %s rows to %s by %s: %w", p.Table, p.Object.Name, key.name, err)
		}
		for _, r := range todo {
			if o := cmp.Or(found[r.keys[k]], recovered[key.property][r.keys[k]]); o != nil {
				r.current = o
				r.identify(k)
			}
		}
	}
	for _, r := range rows {
		if r.current == nil {
			if k := r.firstKey(func(k int) bool { return p.keys[k].kind != keyByID }); k >= 0 {
				r.identify(k)
			}
		}
	}
	if !b.archiveOnly {
		b.claimRows(rows)
	}
	return nil
}

// claimRows applies "the first row with a key wins" once rows are matched: a matched row claims
// the key that matched and its record (rows matched by different keys never write one record);
// a row that creates a record claims each key it has a value for, since the next run would
// match its record by any of them. A row that meets a claim of an earlier row is a duplicate.
func (b *batch) claimRows(rows []*row) {
	for _, r := range rows {
		if r.current != nil {
			if b.claimKey(r, r.via) {
				b.claim(r, claimFor("hs_object_id", r.current.ID), fmt.Sprintf("%s record %s", b.plan.Object.Name, r.current.ID))
			}
			continue
		}
		b.claimKeys(r)
	}
}

// claimKeys claims, for a row that creates a record, every key it has a value for, or none: a
// row excluded as a duplicate by one key must not keep later rows from the others.
func (b *batch) claimKeys(r *row) {
	var identities []string
	var keys []int
	for k, key := range b.plan.keys {
		if r.keys[k] != "" {
			identities, keys = append(identities, claimFor(key.property, r.keys[k])), append(keys, k)
		}
	}
	if first, i := b.run.claimAll(b.plan.Table, identities, r.index); first >= 0 {
		r.exclude(ReasonDuplicate, "row %d has the same %s; the first row with a key wins", first, b.plan.keys[keys[i]].name)
		return
	}
	r.claims = append(r.claims, identities...)
}

// recoveredRecords are the records journaled creates of an earlier run made for table, by match
// key property and key, in case the search index has not caught up with them yet.
func (r *Run) recoveredRecords(table string) map[string]map[string]*hubspot.Object {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.recovered[table]
}

// decide gives every pending row its write (or its outcome when there is nothing to write).
func (b *batch) decide() {
	p := b.plan
	mode := p.Mapping.Mode
	if b.archiveOnly {
		mode = ModeArchive
	}
	for _, r := range b.pendingRows() {
		key := p.keys[r.via]
		switch {
		case r.current != nil && mode == ModeArchive:
			r.op, r.id = opArchive, r.current.ID
		case r.current != nil && mode == ModeCreate:
			r.id = r.current.ID
			r.exclude(ReasonExists, "record %s already has this %s (mode create never updates)", r.current.ID, key.name)
		case r.current != nil:
			r.id = r.current.ID
			r.changes = b.diff(r)
			switch {
			case len(r.changes) == 0:
				r.sync(ActionUnchanged, r.current.ID)
			case key.kind == keyByUnique && mode == ModeUpsert:
				// Updates and creates then share full upsert batches instead of filling two.
				r.op = opUpsert
			default:
				r.op = opUpdate
			}
		case mode == ModeUpdate || mode == ModeArchive || key.kind == keyByID:
			r.exclude(ReasonNoMatch, "no %s with %s", p.Object.Name, p.describeKeys(r))
		case key.kind == keyByUnique && mode == ModeUpsert:
			r.op, r.changes = opUpsert, r.props
		default:
			r.op, r.changes = opCreate, r.props
		}
	}
}

// describeKeys names the match keys a row has values for, as `domain "x" or name "y"`.
func (p *Plan) describeKeys(r *row) string {
	var parts []string
	for k, key := range p.keys {
		if r.keys[k] != "" {
			parts = append(parts, fmt.Sprintf("%s %q", key.name, r.keyTexts[k]))
		}
	}
	return strings.Join(parts, " or ")
}

// diff lists the row's properties that would change the record under the conflict rule: with
// `source` any differing row value; with `hubspot` only values for properties empty in HubSpot.
// Empty row values never change anything.
func (b *batch) diff(r *row) map[string]string {
	p := b.plan
	matched := p.keys[r.via]
	out := map[string]string{}
	for _, c := range p.columns {
		name := c.prop.Name
		v, ok := r.props[name]
		if !ok || (matched.kind != keyByID && name == matched.property) {
			continue
		}
		cur := ""
		if x := r.current.Properties[name]; x != nil {
			cur = *x
		}
		switch {
		case p.Mapping.Conflict == ConflictHubSpot && cur != "":
		case sameValue(c.prop, cur, v):
		default:
			out[name] = v
		}
	}
	if pr := p.pipelines; pr != nil {
		// A stage belongs to one pipeline: when the stage changes, send the pipeline with it.
		if _, moved := out[pr.props[1]]; moved && r.props[pr.props[0]] != "" {
			out[pr.props[0]] = r.props[pr.props[0]]
		}
	}
	return out
}

// forChunks calls fn on consecutive chunks of items, up to conc at a time, and returns the first
// error; the other calls see a cancelled context.
func forChunks[T any](ctx context.Context, items []T, size, conc int, fn func(context.Context, []T) error) error {
	if len(items) == 0 {
		return nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, max(conc, 1))
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := 0; i < len(items); i += size {
		part := items[i:min(i+size, len(items))]
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := fn(ctx, part); err != nil {
				once.Do(func() { first = err; cancel(err) })
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return context.Cause(ctx)
}
