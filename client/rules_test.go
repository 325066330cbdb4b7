package client

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
)

// Every word the spec's schema accepts must reach the engine as one of its rules: a value
// missing here would reach the engine as no rule at all.
func TestEveryRuleOfTheSpecHasAnEngineRule(t *testing.T) {
	var schema struct {
		Defs map[string]struct {
			Properties map[string]struct {
				Enum []string `json:"enum"`
			} `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal([]byte(spec.JSONSchema), &schema); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		def, field string
		translates func(string) bool
	}{
		{"Mapping", "mode", func(v string) bool { return engineModes[v] != "" }},
		{"Mapping", "conflict", func(v string) bool { return engineConflicts[v] != "" }},
		{"Mapping", "on_delete", func(v string) bool { return engineDeleteRules[v] != "" }},
		{"PipelineMapping", "mode", func(v string) bool { return enginePipelineMatches[v] != "" }},
	}
	for _, tc := range cases {
		values := schema.Defs[tc.def].Properties[tc.field].Enum
		if len(values) == 0 {
			t.Fatalf("the schema lists no values of %s.%s", tc.def, tc.field)
		}
		for _, v := range values {
			if !tc.translates(v) {
				t.Errorf("%s.%s %q has no engine rule", tc.def, tc.field, v)
			}
		}
	}
}

func TestEngineRulesTranslateAMapping(t *testing.T) {
	s, err := spec.Parse([]byte(`{"access_token": "pat-na1-x", "mappings": [
		{"table": "deals", "object": "deals", "mode": "create", "match_key": ["dealname", "id"],
		 "columns": {"name": "dealname", "note": ""}, "conflict": "hubspot", "on_delete": "archive", "strict_columns": true,
		 "pipelines": {"mode": "auto", "map": {"S": "Sales"}},
		 "associations": [{"to": "companies", "column": "domain", "match_property": "domain", "label": "Partner"}, {"to": "contacts", "column": "cid", "type_id": 3}]},
		{"table": "people", "object": "contacts"},
		{"table": "leads", "object": "contacts", "require_email": false}]}`))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		table string
		want  reverse.Mapping
	}{
		{"deals", reverse.Mapping{Object: "deals", Mode: reverse.ModeCreate, MatchKey: []string{"dealname", "id"},
			Columns: map[string]string{"name": "dealname", "note": ""}, Conflict: reverse.ConflictHubSpot, OnDelete: reverse.DeleteArchive,
			StrictColumns: true, Pipelines: &reverse.PipelineRules{Match: reverse.PipelinesAuto, Map: map[string]string{"S": "Sales"}},
			Associations: []reverse.AssociationRule{
				{To: "companies", Column: "domain", MatchProperty: "domain", Label: "Partner"},
				{To: "contacts", Column: "cid", MatchProperty: reverse.MatchByID, TypeID: 3}}}},
		{"people", reverse.Mapping{Object: "contacts", Mode: reverse.ModeUpsert, MatchKey: []string{"email"},
			Conflict: reverse.ConflictSource, RequireEmail: true, OnDelete: reverse.DeleteIgnore}},
		{"leads", reverse.Mapping{Object: "contacts", Mode: reverse.ModeUpsert, MatchKey: []string{"email"},
			Conflict: reverse.ConflictSource, OnDelete: reverse.DeleteIgnore}},
	}
	for _, tc := range cases {
		m, ok := s.MappingFor(tc.table)
		if !ok {
			t.Fatalf("no mapping for %s", tc.table)
		}
		if got := engineRules(m); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: engine rules\n%+v\nwant\n%+v", tc.table, got, tc.want)
		}
	}
}
