package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
)

// fixtureEnv holds the variables the example specs reference, as a user's environment would.
var fixtureEnv = map[string]string{
	"HUBSPOT_ACCESS_TOKEN":         "pat-na1-11111111-2222-3333-4444-555555555555",
	"HUBSPOT_EU_ACCESS_TOKEN":      "pat-eu1-11111111-2222-3333-4444-555555555555",
	"HUBSPOT_CLIENT_ID":            "5c1e0d7a-0000-4000-8000-000000000001",
	"HUBSPOT_CLIENT_SECRET":        "3f0b6a2e-0000-4000-8000-000000000002",
	"HUBSPOT_REFRESH_TOKEN":        "na1-refresh-0000-0000",
	"HUBSPOT_US_REFRESH_TOKEN":     "na1-refresh-0000-0001",
	"POSTGRESQL_CONNECTION_STRING": "postgresql://cq:cq@localhost:5432/cq?sslmode=disable",
}

// pluginDoc is one document of a CloudQuery config file.
type pluginDoc struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Name         string   `yaml:"name"`
		Registry     string   `yaml:"registry"`
		Path         string   `yaml:"path"`
		Tables       []string `yaml:"tables"`
		Destinations []string `yaml:"destinations"`
		Spec         any      `yaml:"spec"`
	} `yaml:"spec"`
}

// hubspotSpecs reads a CloudQuery config file the way the CLI does (${VAR} expansion, several
// YAML documents) and returns the plugin spec of every hubspot source or destination in it.
func hubspotSpecs(t *testing.T, path string) [][]byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	expanded := os.Expand(string(raw), func(name string) string {
		v, ok := fixtureEnv[name]
		if !ok {
			t.Errorf("%s uses ${%s}, which fixtureEnv does not define", path, name)
		}
		return v
	})
	var specs [][]byte
	dec := yaml.NewDecoder(strings.NewReader(expanded))
	for {
		var doc pluginDoc
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if doc.Kind != "source" && doc.Kind != "destination" {
			t.Errorf("%s: kind %q, want source or destination", path, doc.Kind)
		}
		if doc.Spec.Name == "" || doc.Spec.Path == "" || !slices.Contains([]string{"local", "grpc", "cloudquery"}, doc.Spec.Registry) {
			t.Errorf("%s: plugin %q needs name, path and a registry of local, grpc or cloudquery", path, doc.Spec.Name)
		}
		if doc.Kind == "source" && (len(doc.Spec.Tables) == 0 || len(doc.Spec.Destinations) == 0) {
			t.Errorf("%s: source %q needs tables and destinations", path, doc.Spec.Name)
		}
		if doc.Spec.Name != "hubspot" {
			continue
		}
		b, err := json.Marshal(doc.Spec.Spec)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		specs = append(specs, b)
	}
	return specs
}

// TestFixturesPassValidateConfig checks every documented example spec in test/fixtures against the
// schema the plugin serves (what `cloudquery validate-config` does) and against the plugin's own
// checks at Init.
func TestFixturesPassValidateConfig(t *testing.T) {
	sc := specSchema(t, servePlugin(t, "tcp"))
	files, err := filepath.Glob(filepath.Join(repoRoot, "test", "fixtures", "*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("found %d fixtures, want the five documented examples: %v", len(files), files)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			specs := hubspotSpecs(t, file)
			if len(specs) != 1 {
				t.Fatalf("found %d hubspot plugin specs, want 1", len(specs))
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(specs[0]))
			if err != nil {
				t.Fatal(err)
			}
			if err := sc.Validate(doc); err != nil {
				t.Errorf("served schema rejects the example: %v", err)
			}
			if _, err := spec.Parse(specs[0]); err != nil {
				t.Errorf("the plugin rejects the example at Init: %v", err)
			}
		})
	}
}

// TestSchemaRejectsWrongSpecs checks that the served schema rejects wrong types, unknown fields,
// bad enum values and out-of-range numbers, at the right place.
func TestSchemaRejectsWrongSpecs(t *testing.T) {
	sc := specSchema(t, servePlugin(t, "unix"))
	const token = `"access_token": "pat-na1-0000", `
	for _, tc := range []struct {
		name, spec string
		at         string // instance location of the error
		says       string // part of the error's message
	}{
		{"token as number", `{"access_token": 12345}`, "/access_token", "want string"},
		{"concurrency as text", `{` + token + `"concurrency": "8"}`, "/concurrency", "want integer"},
		{"objects as text", `{` + token + `"objects": "contacts"}`, "/objects", "want array"},
		{"allow-list as text", `{` + token + `"properties": {"contacts": "email"}}`, "/properties/contacts", "want array"},
		{"unknown top-level field", `{` + token + `"acess_token": "x"}`, "", "acess_token"},
		{"unknown rate limit field", `{` + token + `"rate_limit": {"burst": 100}}`, "/rate_limit", "burst"},
		{"unknown oauth field", `{"oauth": {"client_id": "a", "client_secret": "b", "refresh_token": "c", "scope": "x"}}`, "/oauth", "scope"},
		{"api version enum", `{` + token + `"api_version": "v4"}`, "/api_version", "v3"},
		{"mapping mode enum", `{` + token + `"mappings": [{"table": "t", "object": "contacts", "mode": "merge"}]}`, "/mappings/0/mode", "upsert"},
		{"conflict enum", `{` + token + `"mappings": [{"table": "t", "object": "contacts", "conflict": "newest"}]}`, "/mappings/0/conflict", "hubspot"},
		{"on_delete enum", `{` + token + `"mappings": [{"table": "t", "object": "contacts", "on_delete": "delete"}]}`, "/mappings/0/on_delete", "archive"},
		{"pipeline mode enum", `{` + token + `"mappings": [{"table": "t", "object": "deals", "pipelines": {"mode": "fuzzy"}}]}`, "/mappings/0/pipelines/mode", "auto"},
		{"burst above HubSpot's maximum", `{` + token + `"rate_limit": {"burst_per_10s": 300}}`, "/rate_limit/burst_per_10s", "maximum"},
		{"search rate above 5", `{` + token + `"rate_limit": {"search_per_second": 10}}`, "/rate_limit/search_per_second", "maximum"},
		{"zero record cap", `{` + token + `"max_records_per_sync": 0}`, "/max_records_per_sync", "minimum"},
		{"settle lag pattern", `{` + token + `"settle_lag": "5 minutes"}`, "/settle_lag", "pattern"},
		{"portal name pattern", `{"portals": [{"name": "Sales EU", "access_token": "x"}]}`, "/portals/0/name", "pattern"},
		{"portal without name", `{"portals": [{"access_token": "x"}]}`, "/portals/0", "name"},
		{"oauth without refresh token", `{"oauth": {"client_id": "a", "client_secret": "b"}}`, "/oauth", "refresh_token"},
		{"mapping without object", `{` + token + `"mappings": [{"table": "t"}]}`, "/mappings/0", "object"},
		{"association rule without column", `{` + token + `"mappings": [{"table": "t", "object": "deals", "associations": [{"to": "companies"}]}]}`, "/mappings/0/associations/0", "column"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.spec))
			if err != nil {
				t.Fatal(err)
			}
			err = sc.Validate(doc)
			var verr *jsonschema.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("schema accepted %s (err %v)", tc.spec, err)
			}
			leaves := leafErrors(verr)
			if !slices.ContainsFunc(leaves, func(e *jsonschema.ValidationError) bool {
				return "/"+strings.Join(e.InstanceLocation, "/") == tc.at || (tc.at == "" && len(e.InstanceLocation) == 0)
			}) {
				t.Errorf("no error at %q: %v", tc.at, err)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error does not say %q: %v", tc.says, err)
			}
		})
	}
}

// leafErrors flattens a validation error to the causes that name a concrete problem.
func leafErrors(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leafErrors(c)...)
	}
	return out
}
