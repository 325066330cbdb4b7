package emulator

import (
	"runtime"
	"testing"
	"time"
)

// TestScaleMillionContacts builds a portal of 1,000,000 contacts and pages a search near the end of
// the last-modified index: creation must stay fast and memory compact, searches must use indexes.
func TestScaleMillionContacts(t *testing.T) {
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	counts := smallCounts()
	counts["contacts"] = 1_000_000
	h := newHarness(t, Config{Seed: 99, Counts: counts})
	built := time.Since(start)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("built 1M contacts in %v, heap +%d MiB", built, heap>>20)
	if heap > 1<<30 {
		t.Errorf("heap grew by %d MiB for 1M contacts; want well under 1 GiB", heap>>20)
	}
	cutoff := h.clock.Now().Add(-30 * 24 * time.Hour).UnixMilli()
	body := map[string]any{
		"limit": 200,
		"sorts": []any{map[string]any{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}},
		"filterGroups": []any{map[string]any{"filters": []any{
			map[string]any{"propertyName": "lastmodifieddate", "operator": "GTE", "value": cutoff},
		}}},
		"properties": []string{"email", "firstname"},
	}
	qStart := time.Now()
	st, resp := h.call("POST", "/crm/v3/objects/contacts/search", body)
	t.Logf("search page in %v, total %v", time.Since(qStart), resp["total"])
	if st != 200 || length(resp["results"]) != 200 {
		t.Fatalf("search: status %d, %d results", st, length(resp["results"]))
	}
	st, resp = h.call("GET", "/crm/v3/objects/contacts?limit=100", nil)
	if st != 200 || length(resp["results"]) != 100 {
		t.Fatalf("list: status %d", st)
	}
}
