package client_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

// failingOwnersPortal serves an emulated portal that answers 503 to every owners request.
func failingOwnersPortal(t *testing.T) *portal {
	t.Helper()
	return wiredPortal(t, func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "/owners") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"error","message":"Service unavailable","category":"SERVICE_UNAVAILABLE","correlationId":"c0ffee"}`))
		return true
	})
}

// A table resolved by the SDK's scheduler that fails must fail the sync with one line naming the
// table and the cause, as object tables do.
func TestScheduledTableFailureFailsTheSync(t *testing.T) {
	allButOwners := []string{"crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read", "tickets",
		"crm.objects.custom.read", "crm.schemas.custom.read", "sales-email-read"}
	cases := []struct {
		name    string
		portal  func(t *testing.T) *portal
		extra   map[string]any
		tables  []string
		wantErr []string
	}{
		{
			name:   "daily budget spent",
			portal: func(t *testing.T) *portal { return newPortal(t, emulator.Config{Counts: smallCounts}) },
			extra: map[string]any{"objects": []string{"deals"},
				// Each table needs two requests (owners: active and archived; pipelines: the deals
				// discovery and the pipelines), so a budget of one fails both whichever goes first.
				"rate_limit": map[string]int{"burst_per_10s": 250, "daily_budget": 1}},
			tables:  []string{"hubspot_crm_owners", "hubspot_crm_pipelines"},
			wantErr: []string{"default/hubspot_crm_owners: ", "default/hubspot_crm_pipelines: ", "daily"},
		},
		{
			name: "missing owners scope",
			portal: func(t *testing.T) *portal {
				return newPortal(t, emulator.Config{Counts: smallCounts, Scopes: allButOwners})
			},
			extra:   map[string]any{"objects": []string{"deals"}},
			tables:  []string{"hubspot_crm_owners", "hubspot_crm_pipelines"},
			wantErr: []string{"default/hubspot_crm_owners: ", "crm.objects.owners.read"},
		},
		{
			name:    "six 503s in a row",
			portal:  failingOwnersPortal,
			extra:   map[string]any{"objects": []string{"deals"}},
			tables:  []string{"hubspot_crm_owners"},
			wantErr: []string{"default/hubspot_crm_owners: ", "503"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.portal(t)
			_, err := p.sync(p.spec(tc.extra), tc.tables...)
			if err == nil {
				t.Fatal("sync succeeded, want an error naming the failed table")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
		})
	}
}

// syncWithReport runs one sync like portal.sync, filling a client.Report.
func (p *portal) syncWithReport(spec []byte, tables ...string) (message.SyncMessages, *client.Report, error) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep := &client.Report{}
	pl := hsplugin.Plugin(client.WithReport(rep), client.WithLocalState(p.state))
	if err := pl.Init(ctx, spec, plugin.NewClientOptions{}); err != nil {
		return nil, nil, err
	}
	defer pl.Close(ctx)
	msgs, err := pl.SyncAll(ctx, plugin.SyncOptions{Tables: tables})
	return msgs, rep, err
}

// The report behind `hubspot sync`'s summary names failed tables with their cause and object
// types skipped for a missing scope with the scope.
func TestReportNamesFailedAndSkippedTables(t *testing.T) {
	var scopes []string
	for _, s := range []string{"crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read", "tickets",
		"crm.objects.custom.read", "crm.schemas.custom.read", "sales-email-read"} {
		if s != "tickets" {
			scopes = append(scopes, s)
		}
	}
	p := newPortal(t, emulator.Config{Counts: smallCounts, Scopes: scopes})
	// Tickets are selected through a pattern: a run skips only what it selects.
	_, rep, err := p.syncWithReport(p.spec(nil), "hubspot_crm_contacts", "hubspot_crm_t*", "hubspot_crm_owners")
	if err == nil {
		t.Fatal("sync succeeded without the owners scope")
	}
	failed := rep.Failed()
	if len(failed) != 1 || failed[0].Table != "default/hubspot_crm_owners" || !strings.Contains(failed[0].Err.Error(), "crm.objects.owners.read") {
		t.Errorf("failed tables %v, want default/hubspot_crm_owners for crm.objects.owners.read", failed)
	}
	want := client.Skipped{Portal: "default", Object: "tickets", MissingScopes: []string{"tickets"}}
	if skipped := rep.Skipped(); !slices.ContainsFunc(skipped, func(s client.Skipped) bool {
		return s.Portal == want.Portal && s.Object == want.Object && slices.Equal(s.MissingScopes, want.MissingScopes)
	}) {
		t.Errorf("skipped %v, want %v among them", skipped, want)
	}
}
