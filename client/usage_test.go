package client_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// rate_limit.daily_budget holds across runs of the same UTC day: the count is kept in the state
// with the cursors, so a second run stops where the day's budget ends. The first run costs 4
// requests (discovery, backfill, search, recycle bin) and fits in 5; the second needs 2 more
// (discovery, search: the recycle bin waits for tombstone_interval) and does not.
func TestDailyBudgetHoldsAcrossRuns(t *testing.T) {
	p := newPortal(t, emulator.Config{Counts: smallCounts})
	spec := p.spec(map[string]any{"objects": []string{"contacts"}, "rate_limit": map[string]int{"burst_per_10s": 250, "daily_budget": 5}})
	if _, err := p.sync(spec, "hubspot_crm_contacts"); err != nil {
		t.Fatalf("first run, within the budget: %v", err)
	}
	state, err := os.ReadFile(p.state)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(state), "default/rate_limit/daily_usage") {
		t.Errorf("the state file keeps no daily usage:\n%s", state)
	}
	_, err = p.sync(spec, "hubspot_crm_contacts")
	if !errors.Is(err, hubspot.ErrDailyBudgetExhausted) {
		t.Fatalf("second run: error %v, want the daily budget spent", err)
	}
}

// The report counts every request the portal's client made, discovery included, also when
// Sync fails before reading any table.
func TestReportCountsRequestsOfAFailedSync(t *testing.T) {
	p := newPortal(t, emulator.Config{Counts: smallCounts})
	must(t, os.WriteFile(p.state, []byte(`{"version":1,"keys":{"default/rate_limit/daily_usage":"not json"}}`), 0o600))
	_, rep, err := p.syncWithReport(p.spec(map[string]any{"objects": []string{"contacts"}}), "hubspot_crm_contacts")
	if err == nil || !strings.Contains(err.Error(), "default/rate_limit/daily_usage") {
		t.Fatalf("error %v, want one naming the daily usage key", err)
	}
	if got, want := rep.Requests()["default"].Requests, int64(p.emu.Stats().Total()); got != want || got == 0 {
		t.Errorf("report counts %d requests, the portal answered %d", got, want)
	}
}
