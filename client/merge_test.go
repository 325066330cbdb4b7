package client_test

import (
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// Merged-away ids leave as tombstones even when the allow-list leaves hs_merged_object_ids out,
// and those tombstones are not records read: a cap one above the live records (the last search
// needs room for one) completes the run, though the run sends more rows than the cap.
func TestMergeTombstonesWithAnAllowListAndACap(t *testing.T) {
	counts := map[string]int{"contacts": 12}
	for _, name := range []string{"companies", "deals", "tickets", "calls", "emails", "meetings", "notes", "tasks", "cars", "subscriptions"} {
		counts[name] = 0
	}
	p := newPortal(t, emulator.Config{Seed: 3, Counts: counts, NoLimits: true})
	recs := p.emu.Records("contacts", false)
	survivor := recs[0].ID
	var merged []string
	for _, r := range recs[1:5] {
		if err := p.emu.Merge("contacts", survivor, r.ID); err != nil {
			t.Fatal(err)
		}
		merged = append(merged, r.ID)
	}
	live := len(p.emu.Records("contacts", false))
	spec := p.spec(map[string]any{"objects": []string{"contacts"}, "properties": map[string]any{"contacts": []string{"email"}},
		"max_records_per_sync": live + 1, "associations": map[string]any{"enabled": false}})
	msgs, rep, err := p.syncWithReport(spec, "hubspot_crm_contacts")
	if err != nil {
		t.Fatal(err)
	}
	if inc := rep.Incomplete(); len(inc) != 0 {
		t.Errorf("a cap of %d for %d live records stopped %v: merge tombstones were counted as records", live+1, live, inc)
	}
	rows := objectRows(t, msgs, "hubspot_crm_contacts")
	if len(rows) != live+len(merged) {
		t.Errorf("%d rows, want %d live records and %d merge tombstones", len(rows), live, len(merged))
	}
	var tombstones []string
	for _, rec := range insertsFor(msgs, "hubspot_crm_contacts") {
		if rec.Schema().HasField("hs_merged_object_ids") {
			t.Fatal("hs_merged_object_ids got a column although the allow-list leaves it out")
		}
		ids := arrowtest.Column[*array.Int64](t, rec, "id")
		reasons := arrowtest.Column[*array.String](t, rec, "archived_reason")
		into := arrowtest.Column[*array.Int64](t, rec, "merged_into_id")
		for i := range int(rec.NumRows()) {
			if reasons.Value(i) == "merged" {
				tombstones = append(tombstones, ids.ValueStr(i))
				if got := into.ValueStr(i); got != survivor {
					t.Errorf("tombstone %d merged into %s, want %s", ids.Value(i), got, survivor)
				}
			}
		}
	}
	slices.Sort(tombstones)
	if want := slices.Sorted(slices.Values(merged)); !slices.Equal(tombstones, want) {
		t.Errorf("merge tombstones %v, want %v", tombstones, want)
	}
	for _, id := range merged {
		if r, ok := rows[id]; !ok || !r.archived {
			t.Errorf("merged-away %s: row %+v, want a tombstone", id, r)
		}
	}
}
