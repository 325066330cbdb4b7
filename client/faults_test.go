package client_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// injected is the fault mix: every retryable status HubSpot answers with, resets, truncated
// bodies and a little latency.
var injected = emulator.Faults{
	ErrorRate: map[int]float64{429: 0.006, 500: 0.005, 502: 0.02, 503: 0.02, 504: 0.02, 423: 0.004, 477: 0.004},
	ResetRate: 0.04, TruncateRate: 0.04, Latency: time.Millisecond,
}

// expireEvery is how many API requests pass between two expiries of every OAuth access token.
const expireEvery = 15

// faultyPortal serves an OAuth portal whose emulator clock runs one settle lag (the spec's 1 s)
// behind, so a change made between syncs is settled when the next sync starts yet later than the
// cursor the previous sync saved, and whose access tokens all expire every expireEvery API
// requests, in the middle of syncs.
func faultyPortal(t *testing.T) (*portal, *atomic.Int64) {
	t.Helper()
	emu, err := emulator.New(emulator.Config{
		Seed: 17, Faults: injected, Now: func() time.Time { return time.Now().Add(-time.Second) },
		OAuth: &emulator.OAuthConfig{ClientID: "app", ClientSecret: "shh-secret", RefreshToken: "refresh-1"},
		Counts: map[string]int{"contacts": 2000, "companies": 200, "deals": 0, "tickets": 0, "calls": 0, "emails": 0,
			"meetings": 0, "notes": 0, "tasks": 0, "cars": 0, "subscriptions": 0},
	})
	if err != nil {
		t.Fatal(err)
	}
	var expiries atomic.Int64
	var requests atomic.Int64
	next := emu.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/oauth/") && requests.Add(1)%expireEvery == 0 {
			emu.ExpireTokens()
			expiries.Add(1)
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return &portal{t: t, emu: emu, url: srv.URL, state: filepath.Join(t.TempDir(), "state.json")}, &expiries
}

// TestFaultsFailLoudlyOrConverge syncs through injected faults and token expiry: every sync either
// fails with an error or delivers every change; reruns converge on exactly the portal's records.
func TestFaultsFailLoudlyOrConverge(t *testing.T) {
	p, expiries := faultyPortal(t)
	// Every run lists the recycle bin, so that each one must deliver the archives before it.
	spec := p.spec(map[string]any{"access_token": nil, "objects": []string{"contacts", "companies"}, "tombstone_interval": "0s",
		"oauth": map[string]string{"client_id": "app", "client_secret": "shh-secret", "refresh_token": "refresh-1"}})
	tables := []string{"hubspot_crm_contacts", "hubspot_crm_companies"}
	dest := map[string]map[string]row{}
	// syncOnce runs one sync, keeping whatever rows it sent (a destination keeps them even when the
	// sync fails), and checks that a sync reporting success delivered everything.
	syncOnce := func(label string) error {
		msgs, err := p.sync(spec, tables...)
		for _, table := range tables {
			if dest[table] == nil {
				dest[table] = map[string]row{}
			}
			for id, r := range objectRows(t, msgs, table) {
				dest[table][id] = r
			}
		}
		if err == nil {
			checkConverged(t, label, p.emu, dest)
		}
		return err
	}
	for round := range 3 {
		if round > 0 {
			mutate(t, p.emu, round)
		}
		var err error
		for run := 1; run <= 8; run++ {
			if err = syncOnce(fmt.Sprintf("round %d run %d", round, run)); err == nil {
				break
			}
			t.Logf("round %d run %d failed loudly: %v", round, run, err)
			if strings.Contains(err.Error(), "shh-secret") || strings.Contains(err.Error(), "refresh-1") {
				t.Errorf("error leaks a secret: %v", err)
			}
		}
		if err != nil {
			t.Fatalf("round %d: no sync succeeded in 8 runs: %v", round, err)
		}
	}
	faulty := p.emu.Stats()
	p.emu.SetFaults(emulator.Faults{})
	if err := syncOnce("final run without faults"); err != nil {
		t.Fatalf("sync without faults: %v", err)
	}
	checkBoundedRetries(t, faulty, expiries.Load())
}

// mutate changes contacts and companies between syncs: updates, creates, archives and a bulk
// update giving many contacts one timestamp.
func mutate(t *testing.T, emu *emulator.Emulator, round int) {
	t.Helper()
	contacts := emu.Records("contacts", false)
	for _, r := range contacts[:30] {
		must(t, emu.Update("contacts", r.ID, map[string]string{"firstname": "Round" + strconv.Itoa(round)}))
	}
	for _, r := range contacts[30:35] {
		must(t, emu.Archive("contacts", r.ID))
	}
	for i := range 10 {
		_, err := emu.Create("contacts", map[string]string{"email": fmt.Sprintf("r%d-%d@example.com", round, i)})
		must(t, err)
	}
	var bulk []string
	for _, r := range contacts[100:400] {
		bulk = append(bulk, r.ID)
	}
	must(t, emu.SetModified("contacts", bulk, time.Now().Add(-time.Second)))
	companies := emu.Records("companies", false)
	for _, r := range companies[:5] {
		must(t, emu.Update("companies", r.ID, map[string]string{"name": "Renamed " + strconv.Itoa(round)}))
	}
	must(t, emu.Archive("companies", companies[5].ID))
}

// checkConverged compares the destination with the portal: every live record at its latest
// version, every archived one as a tombstone, nothing else.
func checkConverged(t *testing.T, label string, emu *emulator.Emulator, dest map[string]map[string]row) {
	t.Helper()
	for _, obj := range []string{"contacts", "companies"} {
		want := map[string]row{}
		for _, archived := range []bool{false, true} {
			for _, r := range emu.Records(obj, archived) {
				want[r.ID] = row{updatedMs: r.UpdatedAt.UnixMilli(), archived: archived}
			}
		}
		got := dest["hubspot_crm_"+obj]
		var missing, stale, extra []string
		for id, w := range want {
			g, ok := got[id]
			switch {
			case !ok:
				missing = append(missing, id)
			case g != w:
				stale = append(stale, id)
			}
		}
		for id := range got {
			if _, ok := want[id]; !ok {
				extra = append(extra, id)
			}
		}
		if len(missing)+len(stale)+len(extra) > 0 {
			t.Errorf("%s: sync returned nil but %s differ from the portal: %d missing %.5v, %d stale %.5v, %d unknown %.5v (of %d)",
				label, obj, len(missing), missing, len(stale), stale, len(extra), extra, len(want))
		}
	}
}

// checkBoundedRetries asserts from the emulator's side that faults were really injected and that
// the client's retries stayed within its policy: no call was tried more than MaxAttempts times, and
// the errors the client provoked itself (beyond the injected ones) are the few 401s that follow a
// token expiry.
func checkBoundedRetries(t *testing.T, s emulator.Stats, expiries int64) {
	t.Helper()
	total := s.Total()
	injectedCount := 0
	for _, n := range s.Faults {
		injectedCount += n
	}
	errorResponses := 0
	for _, n := range s.Errors {
		errorResponses += n
	}
	for _, n := range s.RateLimited {
		errorResponses += n
	}
	injectedStatuses := 0
	for status := range injected.ErrorRate {
		injectedStatuses += s.Faults[strconv.Itoa(status)]
	}
	provoked := errorResponses - injectedStatuses - s.Errors[http.StatusUnauthorized]
	succeeded := total - errorResponses - s.Faults["reset"] - s.Faults["truncate"]
	t.Logf("requests %d, succeeded %d, injected faults %v, error responses %v, token expiries %d", total, succeeded, s.Faults, s.Errors, expiries)

	if injectedCount == 0 || expiries == 0 || s.Errors[http.StatusUnauthorized] == 0 {
		t.Fatalf("the test injected nothing: faults %v, expiries %d, 401s %d", s.Faults, expiries, s.Errors[http.StatusUnauthorized])
	}
	if provoked != 0 {
		t.Errorf("%d error responses beyond the injected faults and expired tokens: %v", provoked, s.Errors)
	}
	// Concurrent calls in flight when a token expires each see one 401 before the refresh.
	if max401 := expiries * 16; int64(s.Errors[http.StatusUnauthorized]) > max401 {
		t.Errorf("%d 401s for %d token expiries: the client keeps using expired tokens", s.Errors[http.StatusUnauthorized], expiries)
	}
	maxAttempts := hubspot.DefaultRetryPolicy().MaxAttempts
	if total > maxAttempts*succeeded {
		t.Errorf("%d requests for %d successful responses: more than %d attempts per call", total, succeeded, maxAttempts)
	}
	rate := injected.ResetRate + injected.TruncateRate
	for _, r := range injected.ErrorRate {
		rate += r
	}
	// Failed attempts should appear at the injected rate; a retry storm multiplies them.
	if share := float64(total-succeeded) / float64(total); share > 2*rate+0.02 {
		t.Errorf("%.1f%% of requests failed with %.1f%% injected: retries amplify failures", 100*share, 100*rate)
	}
}

// TestTokenRefreshRetriesThrottling answers the first OAuth token request with HubSpot's 423
// (portal locked) or 477 (migration in progress), both with Retry-After: the refresh must wait and
// retry like any API call, not fail as if the credentials were wrong.
func TestTokenRefreshRetriesThrottling(t *testing.T) {
	for _, tc := range []struct {
		status   int
		category string
	}{{http.StatusLocked, "LOCKED"}, {477, "MIGRATION_IN_PROGRESS"}} {
		t.Run(strconv.Itoa(tc.status), func(t *testing.T) {
			oauth := &emulator.OAuthConfig{ClientID: "app", ClientSecret: "shh-secret", RefreshToken: "refresh-1"}
			emu, err := emulator.New(emulator.Config{Counts: smallCounts, OAuth: oauth})
			must(t, err)
			var refused atomic.Bool
			next := emu.Handler()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/oauth/v1/token" && refused.CompareAndSwap(false, true) {
					w.Header().Set("Content-Type", "application/json")
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(tc.status)
					fmt.Fprintf(w, `{"status":"error","message":"Retry later.","category":%q,"correlationId":"00000000-0000-0000-0000-000000000000"}`, tc.category)
					return
				}
				next.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			p := &portal{t: t, emu: emu, url: srv.URL, state: filepath.Join(t.TempDir(), "state.json")}
			spec := p.spec(map[string]any{"access_token": nil, "objects": []string{"contacts"},
				"oauth": map[string]string{"client_id": "app", "client_secret": "shh-secret", "refresh_token": "refresh-1"}})
			msgs, err := p.sync(spec, "hubspot_crm_contacts")
			if err != nil {
				t.Fatalf("sync after a %d from the token endpoint: %v", tc.status, err)
			}
			if n := len(objectRows(t, msgs, "hubspot_crm_contacts")); n != smallCounts["contacts"] {
				t.Errorf("%d contacts, want %d", n, smallCounts["contacts"])
			}
		})
	}
}
