package client

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
)

// TestLoggerNamesTheRole: the SDK's serve logs as hubspot-source whatever the spec; once Init has
// the spec, a destination's lines say hubspot-destination, once, with the invocation id kept.
func TestLoggerNamesTheRole(t *testing.T) {
	tests := []struct {
		name, spec, wantModule string
	}{
		{"source", `{"access_token": "pat-na1-0000"}`, "hubspot-source"},
		{"destination", `{"access_token": "pat-na1-0000", "mappings": [{"table": "people", "object": "contacts"}]}`, "hubspot-destination"},
	}
	noTables := func(*Catalog, *spec.Spec) TableSet { return TableSet{} }
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			served := zerolog.New(&out).With().Str("module", "hubspot-source").Str("invocation_id", "inv-1").Logger()
			pc, err := New("v1.2.3", noTables)(context.Background(), served, []byte(tc.spec),
				plugin.NewClientOptions{InvocationID: "inv-1", PluginMeta: plugin.Meta{Name: "hubspot"}})
			if err != nil {
				t.Fatal(err)
			}
			pc.(*Client).logger.Info().Msg("hello")

			line := out.String()
			if n := strings.Count(line, `"module":`); n != 1 {
				t.Errorf("module appears %d times in %s", n, line)
			}
			var fields map[string]any
			if err := json.Unmarshal([]byte(line), &fields); err != nil {
				t.Fatalf("log line %q: %v", line, err)
			}
			if fields["module"] != tc.wantModule || fields["invocation_id"] != "inv-1" {
				t.Errorf("module %v, invocation_id %v; want %s, inv-1", fields["module"], fields["invocation_id"], tc.wantModule)
			}
		})
	}
}
