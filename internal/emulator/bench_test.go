package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// benchEmulator builds a mid-sized portal shared by the benchmarks.
func benchEmulator(b *testing.B) *Emulator {
	b.Helper()
	counts := DefaultCounts()
	counts["contacts"] = 100_000
	e, err := New(Config{Seed: 11, Counts: counts, Now: newFakeClock().Now, NoLimits: true})
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// serve runs one request straight through the handler and fails on a non-200 answer.
func serve(b *testing.B, h http.Handler, token string, req *http.Request) {
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %.300s", rec.Code, rec.Body.String())
	}
}

// BenchmarkListPage measures one list page of 100 contacts with every property.
func BenchmarkListPage(b *testing.B) {
	e := benchEmulator(b)
	var names []string
	for _, p := range e.typeKeys["contacts"].props {
		names = append(names, p.name)
	}
	url := "/crm/v3/objects/contacts?limit=100&properties=" + strings.Join(names, ",")
	h := e.Handler()
	b.ReportAllocs()
	for b.Loop() {
		serve(b, h, e.Token(), httptest.NewRequest("GET", url, nil))
	}
}

// BenchmarkSearchPage measures one incremental-sync search page: last-modified window, ascending
// sort, 200 results, over 100,000 contacts.
func BenchmarkSearchPage(b *testing.B) {
	e := benchEmulator(b)
	body, _ := json.Marshal(map[string]any{
		"limit":        200,
		"after":        "1000",
		"sorts":        []any{map[string]any{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}},
		"filterGroups": groups([]map[string]any{filter("lastmodifieddate", "GTE", e.startMs-365*dayMs)}),
		"properties":   []string{"email", "firstname", "lastname", "phone", "lifecyclestage"},
	})
	h := e.Handler()
	b.ReportAllocs()
	for b.Loop() {
		serve(b, h, e.Token(), httptest.NewRequest("POST", "/crm/v3/objects/contacts/search", bytes.NewReader(body)))
	}
}
