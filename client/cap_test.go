package client_test

import (
	"fmt"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// For any cap of 100 or more, N records over T tables are all read in at most ceil(N/cap) + T
// runs, each record exactly once, and a run that emits nothing does not report the cap.
func TestSmallCapFinishesWithinTheBound(t *testing.T) {
	counts := map[string]int{"contacts": 230, "companies": 40, "deals": 170, "tickets": 60, "calls": 20, "emails": 0,
		"meetings": 35, "notes": 90, "tasks": 120, "cars": 15, "subscriptions": 55, "products": 10, "line_items": 30,
		"quotes": 12, "leads": 25, "invoices": 8, "goal_targets": 5, "feedback_submissions": 14, "communications": 20,
		"postal_mail": 6, "orders": 18, "carts": 0}
	for _, limit := range []int{100, 250} {
		t.Run(fmt.Sprintf("cap %d", limit), func(t *testing.T) {
			p := newPortal(t, emulator.Config{Seed: 5, Counts: counts})
			want := map[string]map[string]bool{} // table -> ids, live and archived
			total := 0
			for obj := range counts {
				table := "hubspot_crm_" + obj
				want[table] = map[string]bool{}
				for _, archived := range []bool{false, true} {
					for _, r := range p.emu.Records(obj, archived) {
						want[table][r.ID] = true
						total++
					}
				}
			}
			bound := (total+limit-1)/limit + len(counts)
			spec := p.spec(map[string]any{"max_records_per_sync": limit, "associations": map[string]any{"enabled": false}})
			seen := map[string]map[string]int{}
			for run := 1; ; run++ {
				if run > bound {
					t.Fatalf("not complete after %d runs (bound ceil(%d/%d) + %d)", bound, total, limit, len(counts))
				}
				msgs, rep, err := p.syncWithReport(spec, "hubspot_crm_*")
				if err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
				emitted := 0
				for table := range want {
					if seen[table] == nil {
						seen[table] = map[string]int{}
					}
					for id := range objectRows(t, msgs, table) {
						seen[table][id]++
						emitted++
					}
				}
				incomplete := rep.Incomplete()
				if emitted == 0 && len(incomplete) > 0 {
					t.Errorf("run %d emitted nothing yet reports the cap for %v", run, incomplete)
				}
				if len(incomplete) == 0 {
					t.Logf("complete after %d runs (bound %d)", run, bound)
					break
				}
			}
			for table, ids := range want {
				for id := range ids {
					if n := seen[table][id]; n != 1 {
						t.Errorf("%s: record %s emitted %d times", table, id, n)
					}
				}
				if len(seen[table]) != len(ids) {
					t.Errorf("%s: %d records emitted, the portal has %d", table, len(seen[table]), len(ids))
				}
			}
		})
	}
}
