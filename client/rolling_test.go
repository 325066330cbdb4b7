package client_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/message"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// The rolling refresh's last run of a walk reads every record left; its hand-overs must still fit
// Associations.BatchRead's 1,000 ids, or every run fails the same way.
func TestRollingRefreshOfMoreThanAThousandRecordsASlice(t *testing.T) {
	for _, tc := range []struct {
		name      string
		companies int
		runs      int
	}{
		{"refresh_runs 1, 1100 companies", 1100, 1},
		{"refresh_runs 2, 2300 companies", 2300, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counts := maps.Clone(smallCounts)
			counts["companies"] = tc.companies
			p := newPortal(t, emulator.Config{Seed: 5, Counts: counts, NoLimits: true})
			spec := p.spec(map[string]any{"objects": []string{"contacts", "companies"},
				"associations": map[string]any{"refresh_runs": tc.runs}})
			failed := 0
			for run := range 3 {
				if _, err := p.sync(spec, "hubspot_crm_associations"); err != nil {
					failed++
					t.Logf("sync %d: %v", run+1, err)
				}
			}
			if failed > 0 {
				t.Fatalf("%d of 3 syncs failed", failed)
			}
		})
	}
}

// Object types of fewer than 200 records are re-read all at once on their walk's last run, and
// the walks of the types read from end in different runs: with as many runs as types, each run
// after the first re-reads exactly one type, each of them once in refresh_runs runs.
func TestRollingRefreshStaggersObjectTypes(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 3, Counts: smallCounts, NoLimits: true})
	froms := []string{"companies", "deals", "tickets"} // what the default pairs read from
	spec := p.spec(map[string]any{"objects": []string{"contacts", "companies", "deals", "tickets"},
		"associations": map[string]any{"refresh_runs": len(froms)}})
	p.mustSync(spec, "hubspot_crm_associations")
	var order []string
	for run := range 2 * len(froms) {
		time.Sleep(1100 * time.Millisecond) // past the 1 s settle lag, so that nothing reads as changed
		reread := refreshedRecords(t, p.mustSync(spec, "hubspot_crm_associations"))
		if len(reread) != 1 {
			t.Fatalf("run %d re-read the associations of %v, want those of one object type", run+2, reread)
		}
		for from, n := range reread {
			if want := len(p.emu.Records(from, false)); n != want {
				t.Errorf("run %d re-read %d %s, want all %d", run+2, n, from, want)
			}
			order = append(order, from)
		}
	}
	for i, from := range order[len(froms):] {
		if order[i] != from {
			t.Fatalf("types re-read in runs %v, want each once every %d runs", order, len(froms))
		}
	}
	slices.Sort(order[:len(froms)])
	if !slices.Equal(order[:len(froms)], froms) {
		t.Fatalf("types re-read in runs %v, want each of %v", order, froms)
	}
}

// refreshedRecords counts, per object type, the records whose associations a sync read.
func refreshedRecords(t *testing.T, msgs message.SyncMessages) map[string]int {
	t.Helper()
	ids := map[string]map[int64]bool{}
	for _, rec := range insertsFor(msgs, "hubspot_crm_association_refreshes") {
		from := arrowtest.Column[*array.String](t, rec, "from_object_type")
		id := arrowtest.Column[*array.Int64](t, rec, "from_id")
		for i := range int(rec.NumRows()) {
			if ids[from.Value(i)] == nil {
				ids[from.Value(i)] = map[int64]bool{}
			}
			ids[from.Value(i)][id.Value(i)] = true
		}
	}
	counts := map[string]int{}
	for from, set := range ids {
		counts[from] = len(set)
	}
	return counts
}
