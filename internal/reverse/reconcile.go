package reverse

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// journalCreate journals a create request for rows before it is sent; other writes, and runs
// without a journal, need no entry (0). An upsert is idempotent by its unique key: re-sending it
// after a kill cannot duplicate a record.
func (b *batch) journalCreate(op writeOp, rows []*row) (int64, error) {
	j := b.run.journal()
	if j == nil || op != opCreate {
		return 0, nil
	}
	p := b.plan
	keys := make([]journalKey, len(rows))
	for i, r := range rows {
		keys[i] = journalKey{Key: r.key, Sent: r.keyText}
	}
	id, err := j.begin(journalEntry{Portal: p.Target.Name, Table: p.Table, Object: p.Object.Name, Property: p.keys[rows[0].via].property,
		Keys: keys, Sent: b.run.opts.Now().UTC()})
	if err != nil {
		return 0, fmt.Errorf("journal a create of %d %s before sending it: %w", len(rows), p.Object.Name, err)
	}
	return id, nil
}

// settle marks a journaled create of rows settled; 0 is no entry. The records it made by a key
// matched through search stay journaled until the search index surely shows them: a rerun
// meanwhile reads them by id instead of creating them again. The wait counts from the answer,
// since the request may have waited for the rate limit long after it was journaled.
func (b *batch) settle(id int64, rows []*row) error {
	if id == 0 {
		return nil
	}
	var made []journalKey
	if b.keyOf(rows).kind == keyBySearch {
		for _, r := range rows {
			if r.created {
				made = append(made, journalKey{Key: r.key, Sent: r.keyText, Record: r.id})
			}
		}
	}
	if err := b.run.journal().settle(id, made, b.run.opts.Now().Add(b.run.opts.SearchSettle)); err != nil {
		return fmt.Errorf("settle a journaled create: %w", err)
	}
	return nil
}

// reconcile looks up, once per table and run, the keys of the creates earlier runs journaled
// and never settled (a killed run), and reads by id the records their settled creates made that
// search may not show yet, before this run creates anything for the table. The records found
// are matched like any other, so their rows are updated or left unchanged, never created again.
// A key found by search is only trusted missing once the search index has settled past the
// journaled send time.
func (b *batch) reconcile(ctx context.Context) error {
	r, p := b.run, b.plan
	j := r.journal()
	if j == nil || b.archiveOnly {
		return nil
	}
	r.reconcileMu.Lock()
	defer r.reconcileMu.Unlock()
	done := [2]string{p.Target.Name, p.Table}
	if r.reconciled[done] {
		return nil
	}
	entries, made := j.unsettled(p.Target.Name, p.Table), j.recentlyMade(p.Target.Name, p.Table)
	if len(entries) == 0 && len(made) == 0 {
		r.reconciled[done] = true
		return nil
	}
	recovered, err := b.readMade(ctx, made)
	if err != nil {
		return fmt.Errorf("reconcile journaled creates of %s: %w", p.Table, err)
	}
	groups := map[[2]string][]journalEntry{}
	for _, e := range entries {
		k := [2]string{e.Object, e.Property}
		groups[k] = append(groups[k], e)
	}
	keys, records := 0, 0
	for _, g := range slices.SortedFunc(maps.Keys(groups), func(a, b [2]string) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) }) {
		obj, err := p.Target.Object(ctx, g[0])
		if err != nil {
			return fmt.Errorf("reconcile journaled creates of %s: %w", p.Table, err)
		}
		f, err := newFinder(obj, g[1])
		if err != nil {
			return fmt.Errorf("reconcile journaled creates of %s: %w", p.Table, err)
		}
		current := obj == p.Object && slices.ContainsFunc(p.keys, func(k matchKey) bool { return k.finder == f })
		var props []string
		if current {
			props = p.readProps
		}
		found, n, err := b.lookupJournaled(ctx, f, groups[g], props)
		if err != nil {
			return fmt.Errorf("reconcile journaled creates of %s: %w", p.Table, err)
		}
		keys += n
		if current {
			maps.Copy(keyed(recovered, f.property), found)
			records += len(found)
		}
	}
	if err := j.settleAll(entries); err != nil {
		return fmt.Errorf("reconcile journaled creates of %s: %w", p.Table, err)
	}
	r.mu.Lock()
	r.recovered[p.Table] = recovered
	r.mu.Unlock()
	r.reconciled[done] = true
	if len(entries) > 0 {
		r.opts.Logger.Info().Str("table", p.Table).Int("requests", len(entries)).Int("keys", keys).Int("found", records).
			Msg("looked up the creates an interrupted run had in flight: the records found are matched, not created again")
	}
	return nil
}

// readMade reads by id the records that earlier runs' creates in made (settled, keyed by search)
// made, and returns them by key property and normalized key. Only this plan's keys are read: the
// others match no row. A record whose key changed since is left to search.
func (b *batch) readMade(ctx context.Context, made []journalEntry) (map[string]map[string]*hubspot.Object, error) {
	p := b.plan
	type madeKey struct {
		f   finder
		key string
	}
	byID := map[string][]madeKey{}
	for _, e := range made {
		k := slices.IndexFunc(p.keys, func(k matchKey) bool { return k.property == e.Property })
		if e.Object != p.Object.Name || k < 0 {
			continue
		}
		f := p.keys[k].finder
		for _, m := range e.Keys {
			byID[m.Record] = append(byID[m.Record], madeKey{f, f.normalize(m.Sent)})
		}
	}
	out := map[string]map[string]*hubspot.Object{}
	if len(byID) == 0 {
		return out, nil
	}
	byRecord, err := newFinder(p.Object, MatchByID)
	if err != nil {
		return nil, err
	}
	found, err := b.find(ctx, byRecord, slices.Sorted(maps.Keys(byID)), p.readProps)
	if err != nil {
		return nil, fmt.Errorf("read the records recent creates made: %w", err)
	}
	for id, o := range found {
		for _, m := range byID[id] {
			if m.f.keyOf(o) == m.key {
				m.f.keep(keyed(out, m.f.property), m.key, o)
			}
		}
	}
	return out, nil
}

// keyed is the map of records by key of one key property in recovered, made when missing.
func keyed(recovered map[string]map[string]*hubspot.Object, property string) map[string]*hubspot.Object {
	if recovered[property] == nil {
		recovered[property] = map[string]*hubspot.Object{}
	}
	return recovered[property]
}

// lookupJournaled looks journaled keys up and returns the records found by normalized key, and
// how many distinct keys there were. Search results lag behind writes, so a key not found by
// search is looked for again once the index has settled past the time its create was sent.
func (b *batch) lookupJournaled(ctx context.Context, f finder, entries []journalEntry, props []string) (map[string]*hubspot.Object, int, error) {
	sent := map[string]time.Time{}
	asSent := map[string]string{}
	for _, e := range entries {
		for _, k := range e.Keys {
			key := f.normalize(k.Sent)
			if key == "" {
				continue
			}
			asSent[key] = k.Sent
			if e.Sent.After(sent[key]) {
				sent[key] = e.Sent
			}
		}
	}
	lookups := func(keys []string) []string {
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = f.lookup(asSent[k])
		}
		return out
	}
	all := slices.Sorted(maps.Keys(asSent))
	found, err := b.find(ctx, f, lookups(all), props)
	if err != nil || f.kind != keyBySearch {
		return found, len(all), err
	}
	// The journal time is when the create was about to go out; the request itself may have waited
	// for the rate limit or retried a 429 for minutes after it. It surely left before this run
	// started (the report folder's lock keeps runs apart), so the index has settled past every
	// journaled create a settle time after this run's start.
	var missing []string
	var settled time.Time
	for _, k := range all {
		if found[k] == nil {
			missing = append(missing, k)
			settled = maxTime(settled, maxTime(sent[k], b.run.started).Add(b.run.opts.SearchSettle))
		}
	}
	if len(missing) == 0 {
		return found, len(all), nil
	}
	b.run.opts.Logger.Info().Str("table", b.plan.Table).Int("keys", len(missing)).Time("until", settled).
		Msg("waiting for HubSpot's search index to settle before trusting that journaled creates made no record")
	if err := b.run.wait(ctx, settled.Sub(b.run.opts.Now())); err != nil {
		return nil, 0, err
	}
	again, err := b.find(ctx, f, lookups(missing), props)
	if err != nil {
		return nil, 0, err
	}
	maps.Copy(found, again)
	return found, len(all), nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// unsettledRows reports rows a create answer left unconfirmed: their create stays journaled.
func unsettledRows(rows []*row) bool {
	return slices.ContainsFunc(rows, func(r *row) bool { return r.category == CategoryUnconfirmed })
}
