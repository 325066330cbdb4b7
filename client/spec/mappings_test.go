package spec

import (
	"slices"
	"strings"
	"testing"
)

func TestParseMappings(t *testing.T) {
	cases := []parseCase{
		{name: "defaults", raw: `{"access_token":"a","mappings":[{"table":"crm_contacts","object":"contacts"},{"table":"accounts","object":"companies"},{"table":"opps","object":"deals","pipelines":{}}]}`,
			check: func(t *testing.T, s *Spec) {
				c, co, d := s.Mappings[0], s.Mappings[1], s.Mappings[2]
				if c.Mode != ModeUpsert || c.Conflict != ConflictSource || c.OnDelete != DeleteIgnore || c.Portal != "default" || !slices.Equal(c.MatchKey, MatchKeys{"email"}) || !c.RequiresEmail() {
					t.Errorf("contact mapping defaults: %+v", c)
				}
				if !slices.Equal(co.MatchKey, MatchKeys{"domain"}) || co.RequiresEmail() {
					t.Errorf("company mapping defaults: %+v", co)
				}
				if !slices.Equal(d.MatchKey, MatchKeys{MatchByID}) || d.Pipelines.Mode != PipelinesByLabel {
					t.Errorf("deal mapping defaults: %+v %+v", d, d.Pipelines)
				}
				if s.ReportPath != DefaultReportPath || s.DryRun || s.FailOnRowErrors {
					t.Errorf("destination defaults: %q %v %v", s.ReportPath, s.DryRun, s.FailOnRowErrors)
				}
			}},
		{name: "association default match property", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","associations":[{"to":"companies","column":"company_id"}]}]}`,
			check: func(t *testing.T, s *Spec) {
				if got := s.Mappings[0].Associations[0].MatchProperty; got != MatchByID {
					t.Errorf("match_property = %q", got)
				}
			}},
		{name: "glob lookup", raw: `{"access_token":"a","mappings":[{"table":"crm_*","object":"contacts"},{"table":"crm_deals","object":"deals"}]}`,
			check: func(t *testing.T, s *Spec) {
				m, ok := s.MappingFor("crm_deals")
				if !ok || m.Object != "contacts" {
					t.Errorf("first matching mapping should win, got %+v", m)
				}
				if _, ok := s.MappingFor("other"); ok {
					t.Error("unmatched table found a mapping")
				}
			}},
		{name: "explicit portal", raw: `{"portals":[{"name":"eu","access_token":"a"},{"name":"us","access_token":"b"}],"mappings":[{"table":"t","object":"contacts","portal":"us"}]}`},
		{name: "portal required with several", raw: `{"portals":[{"name":"eu","access_token":"a"},{"name":"us","access_token":"b"}],"mappings":[{"table":"t","object":"contacts"}]}`, wantErr: "mappings[0].portal: required when the spec lists several portals"},
		{name: "unknown portal", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","portal":"eu"}]}`, wantErr: `mappings[0].portal: no portal named "eu"`},
		{name: "bad mode", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","mode":"merge"}]}`, wantErr: "mappings[0].mode: must be one of upsert, update, create, archive"},
		{name: "bad conflict", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","conflict":"newest"}]}`, wantErr: "mappings[0].conflict"},
		{name: "bad delete rule", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","on_delete":"delete"}]}`, wantErr: "mappings[0].on_delete"},
		{name: "bad pipeline mode", raw: `{"access_token":"a","mappings":[{"table":"t","object":"deals","pipelines":{"mode":"fuzzy"}}]}`, wantErr: "mappings[0].pipelines.mode"},
		{name: "pipelines on contacts", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","pipelines":{"mode":"auto"}}]}`, wantErr: "mappings[0].pipelines: applies to deals and tickets"},
		{name: "domain key on deals", raw: `{"access_token":"a","mappings":[{"table":"t","object":"deals","match_key":"domain"}]}`, wantErr: "mappings[0].match_key"},
		{name: "match keys in order", raw: `{"access_token":"a","mappings":[{"table":"t","object":"companies","match_key":["domain","name"]},{"table":"u","object":"contacts","match_key":"external_id"}]}`,
			check: func(t *testing.T, s *Spec) {
				if got := s.Mappings[0].MatchKey; len(got) != 2 || got[0] != "domain" || got[1] != "name" {
					t.Errorf("match_key list = %q", got)
				}
				if got := s.Mappings[1].MatchKey; len(got) != 1 || got[0] != "external_id" {
					t.Errorf("single match_key = %q", got)
				}
			}},
		{name: "match key listed twice", raw: `{"access_token":"a","mappings":[{"table":"t","object":"companies","match_key":["domain","name","domain"]}]}`,
			wantErr: `mappings[0].match_key[2]: "domain" is listed twice`},
		{name: "search key of companies in a contacts list", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","match_key":["email","name"]}]}`,
			wantErr: `mappings[0].match_key[1]: "name" matching (through search) is for companies`},
		{name: "empty match key in a list", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","match_key":["email",""]}]}`,
			wantErr: "mappings[0].match_key[1]: must name a property"},
		{name: "create with only id keys", raw: `{"access_token":"a","mappings":[{"table":"t","object":"deals","mode":"create","match_key":["id"]}]}`,
			wantErr: "mappings[0].match_key: create needs a key"},
		{name: "create with id, then a searchable key", raw: `{"access_token":"a","mappings":[{"table":"t","object":"deals","mode":"create","match_key":["id","external_deal_id"]}]}`},
		{name: "match key of the wrong type", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","match_key":7}]}`,
			wantErr: "match_key must be a property name or a list of property names"},
		{name: "create by id", raw: `{"access_token":"a","mappings":[{"table":"t","object":"deals","mode":"create"}]}`, wantErr: "mappings[0].match_key: create needs a key"},
		{name: "require_email on companies", raw: `{"access_token":"a","mappings":[{"table":"t","object":"companies","require_email":false}]}`, wantErr: "mappings[0].require_email: applies to contacts only"},
		{name: "require_email off", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","require_email":false}]}`, check: func(t *testing.T, s *Spec) {
			if s.Mappings[0].RequiresEmail() {
				t.Error("require_email false ignored")
			}
		}},
		{name: "cq column mapped", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","columns":{"_cq_id":"email"}}]}`, wantErr: "mappings[0].columns._cq_id"},
		{name: "bad glob", raw: `{"access_token":"a","mappings":[{"table":"crm_[","object":"contacts"}]}`, wantErr: "mappings[0].table: bad glob pattern"},
		{name: "duplicate table", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts"},{"table":"t","object":"deals"}]}`, wantErr: "mappings[1].table: \"t\" is already mapped by mappings[0]"},
		{name: "association without column", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","associations":[{"to":"companies","column":" "}]}]}`, wantErr: "mappings[0].associations[0].column"},
		{name: "association type and label", raw: `{"access_token":"a","mappings":[{"table":"t","object":"contacts","associations":[{"to":"companies","column":"c","type_id":1,"label":"Primary"}]}]}`, wantErr: "mappings[0].associations[0].label: set type_id or label, not both"},
		{name: "destination fields", raw: `{"access_token":"a","dry_run":true,"report_path":"/tmp/r","fail_on_row_errors":true}`, check: func(t *testing.T, s *Spec) {
			if !s.DryRun || s.ReportPath != "/tmp/r" || !s.FailOnRowErrors {
				t.Errorf("got %+v", s)
			}
		}},
	}
	runParseCases(t, cases)
}

func TestValidateJSONMappings(t *testing.T) {
	cases := []struct{ raw, want string }{
		{`{"mappings": [{"object": "contacts"}]}`, "table"},
		{`{"mappings": [{"table": "t", "object": "contacts", "mode": "merge"}]}`, "/mappings/0/mode"},
		{`{"mappings": [{"table": "t", "object": "contacts", "columns": {"a": 1}}]}`, "/mappings/0/columns/a"},
		{`{"dry_run": "yes"}`, "/dry_run"},
		{`{"mappings": [{"table": "t", "object": "companies", "match_key": ["domain", "domain"]}]}`, "/mappings/0/match_key"},
		{`{"mappings": [{"table": "t", "object": "companies", "match_key": []}]}`, "/mappings/0/match_key"},
		{`{"mappings": [{"table": "t", "object": "companies", "match_key": 3}]}`, "/mappings/0/match_key"},
	}
	for _, tc := range cases {
		err := ValidateJSON([]byte(tc.raw))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %q", tc.raw, err, tc.want)
		}
	}
}
