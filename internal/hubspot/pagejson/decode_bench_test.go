package pagejson

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// emulatorPage returns a realistic list page served by the emulator: limit contacts with every
// contact property (160 with the default seed).
func emulatorPage(tb testing.TB, limit string) []byte {
	tb.Helper()
	e, err := emulator.New(emulator.Config{Seed: 1})
	if err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	get := func(path string, q url.Values) []byte {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path+"?"+q.Encode(), nil)
		if err != nil {
			tb.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+e.Token())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			tb.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			tb.Fatalf("GET %s: %d %v", path, resp.StatusCode, err)
		}
		return body
	}
	var defs struct{ Results []struct{ Name string } }
	if err := json.Unmarshal(get("/crm/properties/2026-09/contacts", nil), &defs); err != nil {
		tb.Fatal(err)
	}
	names := make([]string, len(defs.Results))
	for i, d := range defs.Results {
		names[i] = d.Name
	}
	return get("/crm/objects/2026-09/contacts", url.Values{"limit": {limit}, "properties": {strings.Join(names, ",")}})
}

// BenchmarkDecodeListPage decodes a 100-record page of 160-property contacts with the page
// decoder, reading properties by name and by position, and, for comparison, with encoding/json (the path it replaces).
func BenchmarkDecodeListPage(b *testing.B) {
	body := emulatorPage(b, "100")
	var probe List
	if err := json.Unmarshal(body, &probe); err != nil || len(probe.Results) != 100 {
		b.Fatalf("page: %d records, %v", len(probe.Results), err)
	}
	layoutNames := slices.Sorted(maps.Keys(probe.Results[0].Properties))
	decoders := []struct {
		name   string
		decode func([]byte, *List) error
	}{
		{"by_name", func(body []byte, r *List) error { return r.decode(body, nil) }},
		{"by_position", func(body []byte, r *List) error { return r.decode(body, NewLayout(layoutNames)) }},
		{"encoding_json", func(body []byte, r *List) error { return json.Unmarshal(body, r) }},
	}
	for _, dec := range decoders {
		b.Run(dec.name, func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.ReportAllocs()
			for b.Loop() {
				var r List
				if err := dec.decode(body, &r); err != nil {
					b.Fatal(err)
				}
			}
			perRecord := float64(b.Elapsed().Nanoseconds()) / float64(b.N) / float64(len(probe.Results))
			b.ReportMetric(perRecord/1000, "µs/record")
		})
	}
}
