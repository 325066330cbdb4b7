package e2e

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// settleLag is the spec's settle_lag: records modified more recently are left for the next run.
const settleLag = time.Second

// portal is an emulated HubSpot portal served on loopback HTTP.
type portal struct {
	t     *testing.T
	emu   *emulator.Emulator
	url   string
	clock *shiftedClock
	// broken holds the path segments (object type names or ids) whose record reads answer 400.
	broken atomic.Pointer[[]string]
}

// smallCounts keeps every object type small, so a full sync takes a fraction of a second.
func smallCounts() map[string]int {
	counts := emulator.DefaultCounts()
	for name := range counts {
		counts[name] = 3
	}
	counts["contacts"], counts["companies"] = 40, 12
	return counts
}

func newPortal(t *testing.T) *portal {
	t.Helper()
	clock := &shiftedClock{}
	emu, err := emulator.New(emulator.Config{Seed: 42, Counts: smallCounts(), Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	p := &portal{t: t, emu: emu, clock: clock}
	api := emu.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.readBroken(r.URL.Path) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"status":"error","message":"e2e: reads of this object type are broken","correlationId":"e2e","category":"VALIDATION_ERROR"}`)
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

// breakReads makes every record read (list, search, batch) of an object type, named by its plural
// name and its type id, fail with a 400: an error no retry fixes.
func (p *portal) breakReads(segments ...string) { p.broken.Store(&segments) }

func (p *portal) readBroken(path string) bool {
	broken := p.broken.Load()
	if broken == nil || !(strings.HasPrefix(path, "/crm/objects/") || strings.HasPrefix(path, "/crm/v3/objects/")) {
		return false
	}
	return slices.ContainsFunc(strings.Split(path, "/"), func(seg string) bool { return slices.Contains(*broken, seg) })
}

// spec is the plugin spec for this portal with extra fields merged in.
func (p *portal) spec(extra map[string]any) []byte {
	p.t.Helper()
	s := map[string]any{
		"access_token": p.emu.Token(),
		"base_url":     p.url,
		"settle_lag":   settleLag.String(),
		// Archives reach the next run, which the convergence checks expect.
		"tombstone_interval": "0s",
		"rate_limit":         map[string]int{"burst_per_10s": 250},
	}
	maps.Copy(s, extra)
	b, err := json.Marshal(s)
	if err != nil {
		p.t.Fatal(err)
	}
	return b
}

// settledChanges makes the emulator stamp later changes one settle lag in the past: newer than
// everything a finished sync read, and old enough for the next sync to read without waiting.
func (p *portal) settledChanges() { p.clock.offset.Store(int64(-settleLag)) }

// shiftedClock is the emulator's injected clock: real time shifted by an offset the test sets.
type shiftedClock struct{ offset atomic.Int64 }

// Now is the shifted time.
func (c *shiftedClock) Now() time.Time { return time.Now().Add(time.Duration(c.offset.Load())) }
