package client_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
	"github.com/hubspot-cq/cq-plugin-hubspot/resources/services"
)

// wiredPortal serves an emulated portal through hook, which may answer a request itself.
func wiredPortal(t *testing.T, hook func(w http.ResponseWriter, r *http.Request) bool) *portal {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Counts: smallCounts})
	if err != nil {
		t.Fatal(err)
	}
	next := emu.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !hook(w, r) {
			next.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return &portal{t: t, emu: emu, url: srv.URL, state: filepath.Join(t.TempDir(), "state.json")}
}

// syncVersion syncs with a plugin of the given version whose log goes to log.
func (p *portal) syncVersion(version string, log *bytes.Buffer, raw []byte, tables ...string) error {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pl := plugin.NewPlugin("hubspot", version, client.New(version, services.Tables, client.WithLocalState(p.state)), plugin.WithJSONSchema(spec.JSONSchema))
	pl.SetLogger(zerolog.New(&lockedWriter{w: log}).Level(zerolog.DebugLevel))
	if err := pl.Init(ctx, raw, plugin.NewClientOptions{}); err != nil {
		return err
	}
	defer pl.Close(ctx)
	_, err := pl.SyncAll(ctx, plugin.SyncOptions{Tables: tables})
	return err
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

func TestRequestsCarryThePluginVersion(t *testing.T) {
	var mu sync.Mutex
	agents := map[string]int{}
	p := wiredPortal(t, func(_ http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		defer mu.Unlock()
		agents[r.UserAgent()]++
		return false
	})
	var log bytes.Buffer
	if err := p.syncVersion("v1.2.3", &log, p.spec(map[string]any{"objects": []string{"contacts"}}), "hubspot_crm_contacts"); err != nil {
		t.Fatal(err)
	}
	if len(agents) != 1 || agents["cq-plugin-hubspot/v1.2.3"] == 0 {
		t.Errorf("user agents %v, want only cq-plugin-hubspot/v1.2.3", agents)
	}
}

// A server that accepts a request and never answers fails the table once the attempts run out,
// each bounded by request_timeout; the API client's retry lines reach the plugin's log.
func TestSilentServerFailsTheTableAfterRequestTimeout(t *testing.T) {
	p := wiredPortal(t, func(_ http.ResponseWriter, r *http.Request) bool {
		if !strings.Contains(r.URL.Path, "/owners") {
			return false
		}
		<-r.Context().Done()
		return true
	})
	var log bytes.Buffer
	err := p.syncVersion("v1.2.3", &log, p.spec(map[string]any{"objects": []string{"contacts"}, "request_timeout": "100ms"}),
		"hubspot_crm_owners", "hubspot_crm_contacts")
	if err == nil || !strings.Contains(err.Error(), "default/hubspot_crm_owners: ") {
		t.Fatalf("error %v, want one naming hubspot_crm_owners", err)
	}
	if !strings.Contains(log.String(), "hubspot: retrying") || !strings.Contains(log.String(), `"portal":"default"`) {
		t.Errorf("the log has no retry line of the API client for the portal:\n%s", log.String())
	}
}

// WithLocalState keeps the cursors in its file even when the sync names a state backend, which
// would otherwise be dialled: the option, not the connection string, decides.
func TestLocalStateOptionWinsOverBackendOptions(t *testing.T) {
	p := newPortal(t, emulator.Config{Counts: map[string]int{"contacts": 5}})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pl := hsplugin.Plugin(client.WithLocalState(p.state))
	if err := pl.Init(ctx, p.spec(map[string]any{"objects": []string{"contacts"}}), plugin.NewClientOptions{}); err != nil {
		t.Fatal(err)
	}
	defer pl.Close(ctx)
	unreachable := &plugin.BackendOptions{TableName: "cq_state_hubspot", Connection: "127.0.0.1:1"}
	if _, err := pl.SyncAll(ctx, plugin.SyncOptions{Tables: []string{"hubspot_crm_contacts"}, BackendOptions: unreachable}); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(p.state); err != nil || !strings.Contains(string(data), "hubspot_crm_contacts") {
		t.Errorf("state file: %v, %.200s", err, data)
	}
}
