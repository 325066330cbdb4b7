package client_test

import (
	"maps"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// The rolling refresh's first run of a walk reads one record (to learn the walk's size) and then
// pages of 200; its hand-overs must still fit Associations.BatchRead's 1,000 ids, or every run
// fails the same way.
func TestRollingRefreshOfMoreThanAThousandRecordsASlice(t *testing.T) {
	for _, tc := range []struct {
		name      string
		companies int
		runs      int
	}{
		{"refresh_runs 1, 1100 companies", 1100, 1},
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
