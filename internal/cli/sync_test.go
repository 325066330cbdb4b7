package cli

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

const syncSpec = `
kind: source
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  registry: local
  tables: [hubspot_crm_owners]
  destinations: [file]
  spec:
    access_token: %TOKEN%
    base_url: %URL%
    objects: [contacts]
    %EXTRA%
---
kind: destination
spec:
  name: file
  path: cloudquery/file
  registry: cloudquery
  version: v5.4.0
  spec:
    path: %OUT%
    format: parquet
`

// A hubspot sync that fails the same way on every rerun says the fix instead of a rerun.
func TestSyncFailureSaysRerunOnlyWhenItHelps(t *testing.T) {
	cases := []struct {
		name   string
		scopes []string
		token  string
		extra  string
		want   string
	}{
		{name: "invalid spec", extra: "concurrency: 500", want: "fix the spec"},
		{name: "bad token", token: "pat-na1-wrong", want: "replace the access token"},
		{name: "missing scope", scopes: []string{"crm.objects.contacts.read"}, want: "grant the missing scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			emu, err := emulator.New(emulator.Config{Scopes: tc.scopes, Counts: map[string]int{"contacts": 5}})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(emu.Handler())
			defer srv.Close()
			token := tc.token
			if token == "" {
				token = emu.Token()
			}
			dir := t.TempDir()
			spec := strings.NewReplacer("%TOKEN%", token, "%URL%", srv.URL, "%EXTRA%", tc.extra, "%OUT%", filepath.Join(dir, "out")).Replace(syncSpec)
			path := filepath.Join(dir, "spec.yml")
			if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
				t.Fatal(err)
			}
			var stdout, stderr bytes.Buffer
			err = runSync(context.Background(), []string{path}, &stdout, &stderr)
			if err == nil {
				t.Fatal("sync succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "rerun the same command") {
				t.Errorf("error %q advises a rerun that cannot help", err)
			}
		})
	}
}
