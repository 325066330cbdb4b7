package e2e

import (
	"encoding/json"
	"maps"
	"net"
	"net/http/httptest"
	"strings"
	"testing"

	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// TestConnectionOverTheProtocol runs `cloudquery test-connection`'s RPC against emulated portals:
// each way of failing answers its code and a message naming the fix, never the secret.
func TestConnectionOverTheProtocol(t *testing.T) {
	const secret = "shh-client-secret"
	oauth := &emulator.OAuthConfig{ClientID: "app", ClientSecret: secret, RefreshToken: "refresh-1"}
	tests := []struct {
		name string
		cfg  emulator.Config
		// spec is the spec's fields besides base_url; a "token" of "" takes the emulator's token.
		spec     map[string]any
		wantCode string // "" for success
		want     []string
	}{
		{name: "good token", spec: map[string]any{}},
		{name: "good oauth", cfg: emulator.Config{OAuth: oauth},
			spec: map[string]any{"oauth": map[string]string{"client_id": "app", "client_secret": secret, "refresh_token": "refresh-1"}}},
		{name: "bad token", spec: map[string]any{"access_token": "pat-na1-not-a-token"},
			wantCode: "UNAUTHORIZED", want: []string{"401", "create a new private app access token"}},
		{name: "revoked refresh token", cfg: emulator.Config{OAuth: oauth},
			spec:     map[string]any{"oauth": map[string]string{"client_id": "app", "client_secret": secret, "refresh_token": "refresh-0"}},
			wantCode: "UNAUTHORIZED", want: []string{"BAD_REFRESH_TOKEN", "reinstalling"}},
		{name: "missing scope", cfg: emulator.Config{Scopes: []string{"crm.objects.owners.read", "crm.objects.companies.read"}},
			spec:     map[string]any{"objects": []string{"contacts", "companies"}},
			wantCode: "ACCESS_DENIED", want: []string{"lacks scope crm.objects.contacts.read", "reading contacts", "add it to the private app"}},
		{name: "missing scope of a destination's mapping", cfg: emulator.Config{Scopes: []string{"crm.objects.owners.read", "crm.objects.contacts.read"}},
			spec: map[string]any{"mappings": []map[string]any{
				{"table": "accounts", "object": "companies"}, {"table": "people", "object": "contacts"}}},
			wantCode: "ACCESS_DENIED", want: []string{"lacks scope crm.objects.companies.read", "reading companies"}},
		{name: "portal without API access", cfg: emulator.Config{NoAPIAccess: true},
			spec:     map[string]any{},
			wantCode: "ACCESS_DENIED", want: []string{"plan lacks API access", "crm.objects.contacts.read", "crm.objects.owners.read", "upgrade the portal"}},
		{name: "unreachable", spec: map[string]any{"base_url": closedURL(t)},
			wantCode: "UNREACHABLE", want: []string{"cannot reach HubSpot", "check base_url"}},
		{name: "HubSpot failing", cfg: emulator.Config{Faults: emulator.Faults{ErrorRate: map[int]float64{503: 1}}},
			spec:     map[string]any{},
			wantCode: "CONNECTION_FAILED", want: []string{"503", "test again in a few minutes"}},
		{name: "invalid spec", spec: map[string]any{"objects": "contacts"},
			wantCode: "INVALID_SPEC", want: []string{"objects"}},
	}
	p := servePlugin(t, "tcp")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Seed, cfg.Counts, cfg.NoLimits = 7, smallCounts(), true
			emu, err := emulator.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(emu.Handler())
			t.Cleanup(srv.Close)
			spec := map[string]any{"base_url": srv.URL}
			if _, ok := tc.spec["oauth"]; !ok {
				spec["access_token"] = emu.Token()
			}
			maps.Copy(spec, tc.spec)
			raw, err := json.Marshal(spec)
			if err != nil {
				t.Fatal(err)
			}

			resp, err := p.TestConnection(callCtx(t), &pb.TestConnection_Request{Spec: raw})
			if err != nil {
				t.Fatalf("TestConnection: %v", err)
			}
			t.Logf("success %v, %s: %s", resp.Success, resp.FailureCode, resp.FailureDescription)
			if tc.wantCode == "" {
				if !resp.Success {
					t.Fatalf("failed with %s: %s", resp.FailureCode, resp.FailureDescription)
				}
				return
			}
			if resp.Success || resp.FailureCode != tc.wantCode {
				t.Fatalf("success %v, code %q (%s), want code %s", resp.Success, resp.FailureCode, resp.FailureDescription, tc.wantCode)
			}
			for _, w := range tc.want {
				if !strings.Contains(resp.FailureDescription, w) {
					t.Errorf("description %q lacks %q", resp.FailureDescription, w)
				}
			}
			if strings.Contains(resp.FailureDescription, "\n") {
				t.Errorf("description spans lines: %q", resp.FailureDescription)
			}
			for _, s := range []string{emu.Token(), secret} {
				if strings.Contains(resp.FailureDescription, s) {
					t.Errorf("description carries a secret: %q", resp.FailureDescription)
				}
			}
		})
	}
}

// closedURL is a loopback URL that refuses connections: a port that was just listened on and
// closed.
func closedURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "http://" + addr
}
