package client_test

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// requestLog records the requests a handler served, as "METHOD path".
type requestLog struct {
	mu   sync.Mutex
	seen []string
}

func (l *requestLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.seen = append(l.seen, r.Method+" "+r.URL.Path)
		l.mu.Unlock()
		next.ServeHTTP(w, r)
	})
}

// since returns the requests served after the first n.
func (l *requestLog) since(n int) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.seen[n:])
}

func (l *requestLog) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.seen)
}

// countedPortal is newPortal with every request recorded.
func countedPortal(t *testing.T, cfg emulator.Config) (*portal, *requestLog) {
	t.Helper()
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := &requestLog{}
	srv := httptest.NewServer(log.wrap(emu.Handler()))
	t.Cleanup(srv.Close)
	return &portal{t: t, emu: emu, url: srv.URL, state: filepath.Join(t.TempDir(), "state.json")}, log
}

// A run where nothing changed costs at most 2 requests per selected object table plus 3, and
// discovery reads only what the run selects.
func TestNothingChangedRunCostsTheFloor(t *testing.T) {
	p, log := countedPortal(t, emulator.Config{Seed: 3, NoLimits: true, Counts: smallCounts})
	objectTables := []string{
		"hubspot_crm_contacts", "hubspot_crm_companies", "hubspot_crm_deals", "hubspot_crm_tickets",
		"hubspot_crm_calls", "hubspot_crm_emails", "hubspot_crm_meetings", "hubspot_crm_notes", "hubspot_crm_tasks",
		"hubspot_crm_cars", "hubspot_crm_subscriptions",
	}
	spec := p.spec(nil)
	p.mustSync(spec, "*")

	tests := []struct {
		name   string
		tables []string
		max    int
	}{
		{name: "contacts alone", tables: objectTables[:1], max: 5},
		{name: "every object table", tables: objectTables, max: 2*len(objectTables) + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := log.len()
			p.mustSync(spec, tt.tables...)
			if got := log.since(before); len(got) > tt.max {
				t.Errorf("%d requests, want at most %d: %v", len(got), tt.max, got)
			}
		})
	}

	t.Run("contacts alone reads no other type's definitions", func(t *testing.T) {
		before := log.len()
		p.mustSync(spec, "hubspot_crm_contacts")
		for _, req := range log.since(before) {
			_, path, _ := strings.Cut(req, " ")
			typ, isProperties := strings.CutPrefix(path, "/crm/v3/properties/")
			if strings.HasPrefix(path, "/crm-object-schemas/") || (isProperties && typ != "0-1" && typ != "contacts") {
				t.Errorf("a contacts-only run requested %s", req)
			}
		}
	})
}
