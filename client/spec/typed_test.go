package spec

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// TestDocumentedSpellingsParse holds the durations and start dates docs/configuration.md shows
// (the schema's defaults, Go's duration syntax, RFC 3339 and YYYY-MM-DD) to the values they
// meant when the spec kept them as strings.
func TestDocumentedSpellingsParse(t *testing.T) {
	durations := []struct {
		field, value string
		want         time.Duration
	}{
		{"settle_lag", "1m", time.Minute},
		{"settle_lag", "30s", 30 * time.Second},
		{"settle_lag", "2m", 2 * time.Minute},
		{"settle_lag", "1h30m", 90 * time.Minute},
		{"settle_lag", "0s", 0},
		{"settle_lag", "1.5h", 90 * time.Minute},
		{"tombstone_interval", "1h", time.Hour},
		{"tombstone_interval", "0s", 0},
		{"request_timeout", "60s", time.Minute},
		{"request_timeout", "250ms", 250 * time.Millisecond},
		{"request_timeout", "10m", 10 * time.Minute},
	}
	for _, tc := range durations {
		t.Run(tc.field+"="+tc.value, func(t *testing.T) {
			s := parseBoth(t, fmt.Sprintf(`{"access_token":"a",%q:%q}`, tc.field, tc.value))
			got := map[string]time.Duration{
				"settle_lag":         s.SettleLag.Duration(),
				"tombstone_interval": s.TombstoneInterval.Duration(),
				"request_timeout":    s.RequestTimeout.Duration(),
			}[tc.field]
			if got != tc.want {
				t.Errorf("%s = %v, want %v", tc.field, got, tc.want)
			}
		})
	}
	starts := []struct {
		value string
		want  time.Time
	}{
		{"2024-01-31", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"2024-01-31T00:00:00Z", time.Date(2024, 1, 31, 0, 0, 0, 0, time.UTC)},
		{"2024-01-31T10:00:00+02:00", time.Date(2024, 1, 31, 8, 0, 0, 0, time.UTC)},
		{"2024-01-31T00:00:00.5Z", time.Date(2024, 1, 31, 0, 0, 0, 5e8, time.UTC)},
	}
	for _, tc := range starts {
		t.Run("start_date="+tc.value, func(t *testing.T) {
			s := parseBoth(t, fmt.Sprintf(`{"access_token":"a","start_date":%q}`, tc.value))
			if got := s.Start(); !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("start = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("start_date unset", func(t *testing.T) {
		if s := parseBoth(t, `{"access_token":"a"}`); !s.Start().IsZero() {
			t.Errorf("start = %v, want the zero time", s.Start())
		}
	})
}

// parseBoth checks raw against the schema and parses it, failing on either error.
func parseBoth(t *testing.T, raw string) *Spec {
	t.Helper()
	if err := ValidateJSON([]byte(raw)); err != nil {
		t.Fatalf("schema: %v", err)
	}
	s, err := Parse([]byte(raw))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return s
}

// TestTypedValuesRefused covers spellings the SDK's types parse but the spec refuses, and values
// that are no duration or time at all: each is reported with its field.
func TestTypedValuesRefused(t *testing.T) {
	runParseCases(t, []parseCase{
		{name: "negative settle lag", raw: `{"access_token":"a","settle_lag":"-1s"}`, wantErr: `settle_lag: must be a non-negative duration such as 30s or 2m, got "-1s"`},
		{name: "negative tombstone interval", raw: `{"access_token":"a","tombstone_interval":"-1h"}`, wantErr: "tombstone_interval: must be a non-negative duration"},
		{name: "number settle lag", raw: `{"access_token":"a","settle_lag":60}`, wantErr: "settle_lag: must be a non-negative duration such as 30s or 2m, got 60"},
		{name: "request timeout in words", raw: `{"access_token":"a","request_timeout":"a minute"}`, wantErr: `request_timeout: must be a duration between 1ms and 10m0s such as 60s, got "a minute"`},
		{name: "start now", raw: `{"access_token":"a","start_date":"now"}`, wantErr: `start_date: must be RFC 3339 (2024-01-31T00:00:00Z) or YYYY-MM-DD, got "now"`},
		{name: "relative start", raw: `{"access_token":"a","start_date":"7 days ago"}`, wantErr: "start_date: must be RFC 3339"},
		{name: "duration start", raw: `{"access_token":"a","start_date":"-24h"}`, wantErr: "start_date: must be RFC 3339"},
		{name: "number start", raw: `{"access_token":"a","start_date":20240131}`, wantErr: "start_date: must be RFC 3339 (2024-01-31T00:00:00Z) or YYYY-MM-DD, got 20240131"},
	})
}

// boundedField is a field whose jsonschema tag bounds it: the JSON path to it and the bound.
type boundedField struct {
	path  []string
	kind  reflect.Kind
	key   string // minimum, maximum, minLength or maxLength
	bound int
}

// boundedFields lists the bounded fields of t and of the structs it holds directly (lists and
// maps are left out: their element types are the same structs, reached here through the
// single-portal fields).
func boundedFields(t reflect.Type, prefix []string) []boundedField {
	var out []boundedField
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		path := append(append([]string{}, prefix...), name)
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && ft.PkgPath() == t.PkgPath() {
			out = append(out, boundedFields(ft, path)...)
			continue
		}
		for _, kv := range strings.Split(f.Tag.Get("jsonschema"), ",") {
			key, v, _ := strings.Cut(kv, "=")
			switch key {
			case "minimum", "maximum", "minLength", "maxLength":
				n, err := strconv.Atoi(v)
				if err != nil {
					panic(fmt.Sprintf("%s: %s=%q", strings.Join(path, "."), key, v))
				}
				out = append(out, boundedField{path: path, kind: ft.Kind(), key: key, bound: n})
			}
		}
	}
	return out
}

// TestSchemaBoundsAgreeWithValidate tries every bounded field of the schema at its bound and just
// beyond it: the schema (ValidateJSON) and Validate (through Parse) must both accept the one and
// both refuse the other, so that the bounds written in tags and in Validate never drift apart.
// Zero is "unset" to Validate (SetDefaults fills it), so below a minimum of 1 is tried with -1;
// an empty access_token is "no token" to Validate, which then asks for credentials, so its
// minLength is left to the schema.
func TestSchemaBoundsAgreeWithValidate(t *testing.T) {
	fields := boundedFields(reflect.TypeFor[Spec](), nil)
	if len(fields) < 8 {
		t.Fatalf("found %d bounded fields; the walk over the spec's tags is broken", len(fields))
	}
	for _, f := range fields {
		if f.key == "minLength" && f.path[len(f.path)-1] == "access_token" {
			continue
		}
		at, beyond := f.bound, f.bound+1
		if f.key == "minimum" || f.key == "minLength" {
			beyond = f.bound - 1
			if beyond == 0 && f.kind == reflect.Int {
				beyond = -1
			}
		}
		for _, tc := range []struct {
			n      int
			accept bool
		}{{at, true}, {beyond, false}} {
			name := fmt.Sprintf("%s %s=%d with %d", strings.Join(f.path, "."), f.key, f.bound, tc.n)
			t.Run(name, func(t *testing.T) {
				raw := specWith(t, f, tc.n)
				schemaErr, parseErr := ValidateJSON(raw), parseError(raw)
				if (schemaErr == nil) != tc.accept || (parseErr == nil) != tc.accept {
					t.Errorf("%s: schema error %v, Validate error %v; want both to %s", raw, schemaErr, parseErr, map[bool]string{true: "accept", false: "refuse"}[tc.accept])
				}
			})
		}
	}
}

// specWith is a valid spec with f set to n (a number, or a string of n characters).
func specWith(t *testing.T, f boundedField, n int) []byte {
	t.Helper()
	doc := map[string]any{"access_token": "a"}
	if f.path[0] == "oauth" {
		doc = map[string]any{"oauth": map[string]any{"client_id": "a", "client_secret": "b", "refresh_token": "c"}}
	}
	var value any = n
	if f.kind == reflect.String {
		value = strings.Repeat("a", n)
	}
	node := doc
	for _, p := range f.path[:len(f.path)-1] {
		child, ok := node[p].(map[string]any)
		if !ok {
			child = map[string]any{}
			node[p] = child
		}
		node = child
	}
	node[f.path[len(f.path)-1]] = value
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func parseError(raw []byte) error {
	_, err := Parse(raw)
	return err
}

// TestSchemaDefaultsAreTheClients holds the defaults and choices the schema's tags spell out to
// the API client's constants, which own them.
func TestSchemaDefaultsAreTheClients(t *testing.T) {
	var schema struct {
		Defs struct {
			Spec struct {
				Properties map[string]struct {
					Default any   `json:"default"`
					Enum    []any `json:"enum"`
				} `json:"properties"`
			} `json:"Spec"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal([]byte(JSONSchema), &schema); err != nil {
		t.Fatal(err)
	}
	props := schema.Defs.Spec.Properties
	if got := props["base_url"].Default; got != hubspot.DefaultBaseURL {
		t.Errorf("base_url default %v, want %s", got, hubspot.DefaultBaseURL)
	}
	version := props["api_version"]
	if version.Default != hubspot.APIVersionV3 || !reflect.DeepEqual(version.Enum, []any{hubspot.APIVersionV3, hubspot.APIVersionLatest}) {
		t.Errorf("api_version default %v, enum %v; want %s of %s, %s", version.Default, version.Enum, hubspot.APIVersionV3, hubspot.APIVersionV3, hubspot.APIVersionLatest)
	}
}
