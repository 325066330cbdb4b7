package spec

import (
	"strings"
	"testing"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// parseCase is a spec and what Parse should make of it.
type parseCase struct {
	name    string
	raw     string
	wantErr string // substring; "" means valid
	check   func(*testing.T, *Spec)
}

func runParseCases(t *testing.T, cases []parseCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Parse([]byte(tc.raw))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

func TestParse(t *testing.T) {
	cases := []parseCase{
		{name: "null spec is empty", raw: `null`, check: func(t *testing.T, s *Spec) {
			if len(s.Portals) != 0 || s.MaxRecordsPerSync != DefaultMaxRecordsPerSync {
				t.Errorf("got %+v", s)
			}
		}},
		{name: "defaults", raw: `{"access_token":"pat-na1-x"}`, check: func(t *testing.T, s *Spec) {
			p := s.Portals[0]
			if p.Name != "default" || p.BaseURL != hubspot.DefaultBaseURL || p.RateLimit.BurstPer10s != 100 || p.RateLimit.SearchPerSecond != 5 {
				t.Errorf("portal defaults: %+v %+v", p, p.RateLimit)
			}
			if timeout := s.RequestTimeout.Duration(); timeout != DefaultRequestTimeout {
				t.Errorf("request_timeout %v; want %v", timeout, DefaultRequestTimeout)
			}
			if s.APIVersion != "v3" || s.Objects[0] != "*" || s.Concurrency != 8 || s.SettleLag.Duration() != time.Minute || s.TombstoneInterval.Duration() != time.Hour || !*s.Tombstones || !*s.Associations.Enabled {
				t.Errorf("spec defaults: %+v", s)
			}
		}},
		{name: "request timeout", raw: `{"access_token":"a","request_timeout":"90s"}`, check: func(t *testing.T, s *Spec) {
			if d := s.RequestTimeout.Duration(); d.Seconds() != 90 {
				t.Errorf("request_timeout %v, want 90s", d)
			}
		}},
		{name: "zero request timeout", raw: `{"access_token":"a","request_timeout":"0s"}`, wantErr: "request_timeout: must be a duration between"},
		{name: "huge request timeout", raw: `{"access_token":"a","request_timeout":"2h"}`, wantErr: "request_timeout: must be a duration between"},
		{name: "request timeout not a duration", raw: `{"access_token":"a","request_timeout":"soon"}`, wantErr: "request_timeout"},
		{name: "opt-in api version", raw: `{"access_token":"a","api_version":"2026-09"}`},
		{name: "oauth", raw: `{"oauth":{"client_id":"a","client_secret":"b","refresh_token":"c"}}`},
		{name: "multi portal", raw: `{"portals":[{"name":"eu","access_token":"a"},{"name":"us","access_token":"b","rate_limit":{"burst_per_10s":190}}]}`, check: func(t *testing.T, s *Spec) {
			if len(s.Portals) != 2 || s.Portals[1].RateLimit.BurstPer10s != 190 || s.Portals[0].RateLimit.BurstPer10s != 100 {
				t.Errorf("portals: %+v", s.Portals)
			}
		}},
		{name: "loopback http", raw: `{"access_token":"a","base_url":"http://127.0.0.1:8080"}`},
		{name: "loopback http, host in capitals", raw: `{"access_token":"a","base_url":"http://LocalHost:8080"}`},
		{name: "remote http refused", raw: `{"access_token":"a","base_url":"http://api.example.com"}`, wantErr: "base_url: plain http is allowed only for loopback"},
		{name: "no credentials in portal", raw: `{"portals":[{"name":"eu"}]}`, wantErr: "portals[0].access_token: set access_token"},
		{name: "both credentials", raw: `{"access_token":"a","oauth":{"client_id":"a","client_secret":"b","refresh_token":"c"}}`, wantErr: "access_token: set access_token or oauth, not both"},
		{name: "portals and top-level token", raw: `{"access_token":"a","portals":[{"name":"eu","access_token":"b"}]}`, wantErr: "portals: use either"},
		{name: "duplicate portal", raw: `{"portals":[{"name":"eu","access_token":"a"},{"name":"eu","access_token":"b"}]}`, wantErr: "portals[1].name: portal \"eu\" is listed twice"},
		{name: "bad api version", raw: `{"access_token":"a","api_version":"v4"}`, wantErr: "api_version"},
		{name: "burst too high", raw: `{"access_token":"a","rate_limit":{"burst_per_10s":500}}`, wantErr: "rate_limit.burst_per_10s: must be between 1 and 250"},
		{name: "search too fast", raw: `{"access_token":"a","rate_limit":{"search_per_second":9}}`, wantErr: "rate_limit.search_per_second"},
		{name: "bad start date", raw: `{"access_token":"a","start_date":"yesterday"}`, wantErr: "start_date: must be RFC 3339"},
		{name: "date start date", raw: `{"access_token":"a","start_date":"2024-01-31"}`},
		{name: "bad settle lag", raw: `{"access_token":"a","settle_lag":"soon"}`, wantErr: "settle_lag: must be a non-negative duration"},
		{name: "tombstones every run", raw: `{"access_token":"a","tombstone_interval":"0s"}`, check: func(t *testing.T, s *Spec) {
			if d := s.TombstoneInterval.Duration(); d != 0 {
				t.Errorf("tombstone_interval %v; want 0", d)
			}
		}},
		{name: "bad tombstone interval", raw: `{"access_token":"a","tombstone_interval":"daily"}`, wantErr: "tombstone_interval: must be a non-negative duration"},
		{name: "list refresh defaults to a day of hourly runs", raw: `{"access_token":"a"}`, check: func(t *testing.T, s *Spec) {
			if s.ListMemberships.RefreshRuns != DefaultListRefreshRuns || s.ListMemberships.FullRefresh {
				t.Errorf("list_memberships %+v, want refresh_runs %d", *s.ListMemberships, DefaultListRefreshRuns)
			}
		}},
		{name: "negative list refresh runs", raw: `{"access_token":"a","list_memberships":{"refresh_runs":-1}}`, wantErr: "list_memberships.refresh_runs: must be at least 1"},
		{name: "bad pair", raw: `{"access_token":"a","associations":{"pairs":["contacts"]}}`, wantErr: "associations.pairs[0]"},
		{name: "unknown field", raw: `{"access_token":"a","acess_token":"b"}`, wantErr: "unknown field \"acess_token\""},
		{name: "unexpanded variable", raw: `{"access_token":"${HUBSPOT_TOKEN}"}`, wantErr: "unexpanded ${HUBSPOT_TOKEN}: set the environment variable HUBSPOT_TOKEN"},
		{name: "cap zero means default", raw: `{"access_token":"a","max_records_per_sync":0}`},
		{name: "negative cap", raw: `{"access_token":"a","max_records_per_sync":-5}`, wantErr: "max_records_per_sync: must be at least 1"},
	}
	runParseCases(t, cases)
}

func TestValidateJSONNamesThePath(t *testing.T) {
	cases := []struct{ raw, want string }{
		{`{"access_token": 5}`, "/access_token"},
		{`{"rate_limit": {"burst_per_10s": "fast"}}`, "/rate_limit/burst_per_10s"},
		{`{"objects": "contacts"}`, "/objects"},
		{`{"settle_lag": "soon"}`, "/settle_lag"},
		{`{"tombstone_interval": "daily"}`, "/tombstone_interval"},
		{`{"portals": [{"access_token": "a"}]}`, "name"},
	}
	for _, tc := range cases {
		err := ValidateJSON([]byte(tc.raw))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one naming %q", tc.raw, err, tc.want)
		}
	}
	for _, ok := range []string{``, `null`, `{"access_token":"a","settle_lag":"30s","objects":["contacts"]}`} {
		if err := ValidateJSON([]byte(ok)); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
}

func TestSecretsStayOutOfErrors(t *testing.T) {
	const token = "pat-na1-SECRET-0123456789"
	for _, raw := range []string{
		`{"access_token":"` + token + `","base_url":"http://example.com"}`,
		`{"access_token":"` + token + `","api_version":"v9"}`,
		`{"oauth":{"client_id":"a","client_secret":"` + token + `","refresh_token":""}}`,
	} {
		_, err := Parse([]byte(raw))
		if err == nil {
			t.Fatalf("%s: no error", raw)
		}
		if strings.Contains(err.Error(), token) {
			t.Errorf("error leaks the secret: %v", err)
		}
	}
}
