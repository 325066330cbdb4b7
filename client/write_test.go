package client_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
)

// want is the expected outcome of one row.
type want struct {
	status   reverse.Status
	action   reverse.Action
	category string // prefix
	matchKey string // the report's match_key; "" is not checked
}

func synced(a reverse.Action) want { return want{status: reverse.StatusSynced, action: a} }
func excluded(c string) want       { return want{status: reverse.StatusExcluded, category: c} }
func failed(c string) want         { return want{status: reverse.StatusFailed, category: c} }

// by expects the row to be identified by match key k.
func (w want) by(k string) want { w.matchKey = k; return w }

// writeCase is one reverse-ETL scenario run through p.Init / p.WriteAll against the emulator.
type writeCase struct {
	name string
	// build returns the incoming table, the mapping and extra top-level spec fields.
	build func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any)
	want  []want // per row index
	check func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome)
}

func TestWriteModesAndRules(t *testing.T) {
	cases := []writeCase{
		{
			name: "upsert contacts by email: update, unchanged, create, exclusions, duplicates",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				c := p.seeded("contacts", 2, "email", "firstname")
				return newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "firstname": utf8, "unknown_col": f64},
					map[string]any{"email": c[0].Properties["email"], "firstname": "Changed"},
					map[string]any{"email": strings.ToUpper(c[1].Properties["email"]), "firstname": c[1].Properties["firstname"]},
					map[string]any{"email": "new.person@example.com", "firstname": "New"},
					map[string]any{"email": "not-an-email", "firstname": "Bad"},
					map[string]any{"firstname": "NoEmail"},
					map[string]any{"email": "New.Person@example.com", "firstname": "Second"},
				), map[string]any{"table": "crm_contacts", "object": "contacts"}, nil
			},
			want: []want{synced(reverse.ActionUpdated), synced(reverse.ActionUnchanged), synced(reverse.ActionCreated),
				excluded(reverse.ReasonInvalidEmail), excluded(reverse.ReasonNoEmail), excluded(reverse.ReasonDuplicate)},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				if r, _ := p.byID("contacts", outs[0].HubSpotID); r.Properties["firstname"] != "Changed" {
					t.Errorf("updated contact: %v", r.Properties["firstname"])
				}
				if r, ok := p.record("contacts", "email", "new.person@example.com"); !ok || r.Properties["firstname"] != "New" || r.ID != outs[2].HubSpotID {
					t.Errorf("created contact: %+v (outcome id %s)", r, outs[2].HubSpotID)
				}
			},
		},
		{
			name: "conflict source: row values overwrite, empty row values change nothing",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				c := p.seeded("contacts", 2, "email", "firstname", "lastname")
				return newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "firstname": utf8, "lastname": utf8},
					map[string]any{"email": c[0].Properties["email"], "firstname": nil, "lastname": ""},
					map[string]any{"email": c[1].Properties["email"], "firstname": "Overwritten"},
				), map[string]any{"table": "crm_contacts", "object": "contacts", "conflict": "source"}, nil
			},
			want: []want{synced(reverse.ActionUnchanged), synced(reverse.ActionUpdated)},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				if r, _ := p.byID("contacts", outs[0].HubSpotID); r.Properties["firstname"] == "" || r.Properties["lastname"] == "" {
					t.Errorf("empty row values cleared HubSpot values: %v", r.Properties)
				}
				if r, _ := p.byID("contacts", outs[1].HubSpotID); r.Properties["firstname"] != "Overwritten" {
					t.Errorf("source value not written: %v", r.Properties["firstname"])
				}
			},
		},
		{
			name: "conflict hubspot: only empty HubSpot properties are filled",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				c := p.seeded("contacts", 1, "email", "firstname")[0]
				var empty emulator.Record
				for _, r := range p.e.Records("contacts", false) {
					if r.Properties["email"] != "" && r.Properties["jobtitle"] == "" {
						empty = r
						break
					}
				}
				return newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "firstname": utf8, "jobtitle": utf8},
					map[string]any{"email": c.Properties["email"], "firstname": "Ignored"},
					map[string]any{"email": empty.Properties["email"], "jobtitle": "Filled"},
				), map[string]any{"table": "crm_contacts", "object": "contacts", "conflict": "hubspot"}, nil
			},
			want: []want{synced(reverse.ActionUnchanged), synced(reverse.ActionUpdated)},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				if r, _ := p.byID("contacts", outs[0].HubSpotID); r.Properties["firstname"] == "Ignored" {
					t.Error("hubspot-wins mapping overwrote a HubSpot value")
				}
				if r, _ := p.byID("contacts", outs[1].HubSpotID); r.Properties["jobtitle"] != "Filled" {
					t.Errorf("empty HubSpot property not filled: %q", r.Properties["jobtitle"])
				}
			},
		},
		{
			name: "update by id: unknown ids are excluded, types converted",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				d := p.seeded("deals", 1, "dealname")[0]
				return newTable("deal_scores", map[string]arrow.DataType{"deal_id": i64, "amount": f64, "closedate": arrow.FixedWidthTypes.Timestamp_us},
					map[string]any{"deal_id": mustInt(d.ID), "amount": 1234.5, "closedate": time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)},
					map[string]any{"deal_id": int64(999999999999), "amount": 1.0},
				), map[string]any{"table": "deal_scores", "object": "deals", "mode": "update", "columns": map[string]string{"deal_id": "id"}}, nil
			},
			want: []want{synced(reverse.ActionUpdated), excluded(reverse.ReasonNoMatch)},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				r, _ := p.byID("deals", outs[0].HubSpotID)
				if r.Properties["amount"] != "1234.5" || r.Properties["closedate"] != "2026-03-04T05:06:07.000Z" {
					t.Errorf("converted values: amount %q closedate %q", r.Properties["amount"], r.Properties["closedate"])
				}
			},
		},
		{
			name: "create companies by domain: existing domains are left alone",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				c := p.seeded("companies", 1, "domain", "name")[0]
				return newTable("accounts", map[string]arrow.DataType{"domain": utf8, "name": utf8},
					map[string]any{"domain": "https://www.brand-new.example/about", "name": "Brand New"},
					map[string]any{"domain": strings.ToUpper(c.Properties["domain"]), "name": "Other name"},
				), map[string]any{"table": "accounts", "object": "companies", "mode": "create"}, nil
			},
			want: []want{synced(reverse.ActionCreated), excluded(reverse.ReasonExists)},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				if r, ok := p.byID("companies", outs[0].HubSpotID); !ok || r.Properties["name"] != "Brand New" {
					t.Errorf("created company: %+v", r)
				}
				if r, _ := p.byID("companies", outs[1].HubSpotID); r.Properties["name"] == "Other name" {
					t.Error("create mode updated an existing company")
				}
			},
		},
		{
			name: "upsert companies by name through search",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				c := p.seeded("companies", 1, "name")[0]
				return newTable("accounts", map[string]arrow.DataType{"company": utf8, "city": utf8},
					map[string]any{"company": c.Properties["name"], "city": "Reykjavik"},
					map[string]any{"company": "Nonesuch Holdings", "city": "Oslo"},
				), map[string]any{"table": "accounts", "object": "companies", "match_key": "name", "columns": map[string]string{"company": "name"}}, nil
			},
			want: []want{synced(reverse.ActionUpdated), synced(reverse.ActionCreated)},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				if r, _ := p.byID("companies", outs[0].HubSpotID); r.Properties["city"] != "Reykjavik" {
					t.Errorf("matched company city %q", r.Properties["city"])
				}
			},
		},
		{
			name: "upsert contacts by a unique property without requiring email",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				c := p.seeded("contacts", 1, "external_id")[0]
				return newTable("people", map[string]arrow.DataType{"external_id": utf8, "jobtitle": utf8},
					map[string]any{"external_id": c.Properties["external_id"], "jobtitle": "CTO"},
					map[string]any{"external_id": "ext-new-1", "jobtitle": "Intern"},
				), map[string]any{"table": "people", "object": "contacts", "match_key": "external_id", "require_email": false}, nil
			},
			want: []want{synced(reverse.ActionUpdated), synced(reverse.ActionCreated)},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				if r, ok := p.record("contacts", "external_id", "ext-new-1"); !ok || r.Properties["jobtitle"] != "Intern" {
					t.Errorf("upserted contact: %+v", r)
				}
			},
		},
		{
			name: "archive mode",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				c := p.seeded("contacts", 1, "email")[0]
				return newTable("churned", map[string]arrow.DataType{"email": utf8},
					map[string]any{"email": c.Properties["email"]},
					map[string]any{"email": "nobody@nowhere.example"},
				), map[string]any{"table": "churned", "object": "contacts", "mode": "archive"}, nil
			},
			want: []want{synced(reverse.ActionArchived), excluded(reverse.ReasonNoMatch)},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				if _, live := p.byID("contacts", outs[0].HubSpotID); live {
					t.Error("archived contact is still live")
				}
			},
		},
		{
			name: "deal pipelines and stages auto-mapped by similarity",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				return newTable("opportunities", map[string]arrow.DataType{"external_deal_id": utf8, "dealname": utf8, "pipeline": utf8, "dealstage": utf8},
					map[string]any{"external_deal_id": "opp-1", "dealname": "One", "pipeline": "sales pipeline", "dealstage": "closed-won"},
					map[string]any{"external_deal_id": "opp-2", "dealname": "Two", "pipeline": "Renewal", "dealstage": "negotiations"},
					map[string]any{"external_deal_id": "opp-3", "dealname": "Three", "pipeline": "Sales", "dealstage": "Frobnicated"},
				), map[string]any{"table": "opportunities", "object": "deals", "match_key": "external_deal_id", "pipelines": map[string]any{"mode": "auto"}}, nil
			},
			want: []want{synced(reverse.ActionCreated), synced(reverse.ActionCreated), excluded(reverse.ReasonNoPipeline)},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				r, _ := p.record("deals", "external_deal_id", "opp-1")
				if r.Properties["pipeline"] != "default" || r.Properties["dealstage"] != "closedwon" {
					t.Errorf("opp-1 pipeline %q stage %q", r.Properties["pipeline"], r.Properties["dealstage"])
				}
				r, _ = p.record("deals", "external_deal_id", "opp-2")
				if r.Properties["pipeline"] == "default" || r.Properties["dealstage"] == "" {
					t.Errorf("opp-2 pipeline %q stage %q", r.Properties["pipeline"], r.Properties["dealstage"])
				}
			},
		},
		{
			name: "labelled associations only to records that exist",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				c := p.seeded("contacts", 1, "email")[0]
				co := p.seeded("companies", 1, "domain")[0]
				return newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "employer_domain": utf8},
						map[string]any{"email": c.Properties["email"], "employer_domain": co.Properties["domain"]},
						map[string]any{"email": "fresh.contact@example.com", "employer_domain": co.Properties["domain"]},
						map[string]any{"email": "orphan@example.com", "employer_domain": "no-such-company.example"},
					), map[string]any{"table": "crm_contacts", "object": "contacts",
						"associations": []map[string]any{{"to": "companies", "column": "employer_domain", "match_property": "domain", "label": "Billing contact"}}}, map[string]any{
						"objects": []string{"contacts", "companies"}}
			},
			want: []want{synced(reverse.ActionUnchanged), synced(reverse.ActionCreated), excluded(reverse.ReasonTargetMissing)},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				co := p.seeded("companies", 1, "domain")[0]
				for _, row := range []int64{0, 1} {
					ids, err := p.e.Associations("contacts", outs[row].HubSpotID, "companies")
					if err != nil || !contains(ids, co.ID) {
						t.Errorf("row %d: contact %s associations %v (err %v), want company %s", row, outs[row].HubSpotID, ids, err, co.ID)
					}
				}
				if _, ok := p.record("contacts", "email", "orphan@example.com"); ok {
					t.Error("a row whose association target is missing was written")
				}
			},
		},
		{
			name: "invalid option and value are row failures, not batch failures",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				c := p.seeded("contacts", 2, "email")
				return newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "lifecyclestage": utf8, "hs_language": utf8, "date_of_birth": utf8},
					map[string]any{"email": c[0].Properties["email"], "lifecyclestage": "not-a-stage"},
					map[string]any{"email": c[1].Properties["email"], "hs_language": "de", "date_of_birth": "1990-02-03"},
					map[string]any{"email": "valid.new@example.com", "date_of_birth": "yesterday"},
				), map[string]any{"table": "crm_contacts", "object": "contacts"}, nil
			},
			want: []want{failed(reverse.CategoryInvalidOption), synced(reverse.ActionUpdated), failed(reverse.CategoryInvalidValue)},
		},
		{
			name: "rejected batch is split: bad rows fail with HubSpot's category, good rows are written",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				return newTable("people", map[string]arrow.DataType{"external_id": utf8, "email": utf8},
					map[string]any{"external_id": "split-1", "email": "ok.one@example.com"},
					map[string]any{"external_id": "split-2", "email": "broken@@example"},
					map[string]any{"external_id": "split-3", "email": "ok.three@example.com"},
					map[string]any{"external_id": "split-4", "email": "also broken"},
					map[string]any{"external_id": "split-5", "email": "ok.five@example.com"},
				), map[string]any{"table": "people", "object": "contacts", "match_key": "external_id", "require_email": false}, nil
			},
			want: []want{synced(reverse.ActionCreated), failed("VALIDATION_ERROR"), synced(reverse.ActionCreated), failed("VALIDATION_ERROR"), synced(reverse.ActionCreated)},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				for _, id := range []string{"split-1", "split-3", "split-5"} {
					if _, ok := p.record("contacts", "external_id", id); !ok {
						t.Errorf("good row %s not written", id)
					}
				}
				if !strings.Contains(outs[1].Message, "broken@@example") {
					t.Errorf("failure message %q does not carry HubSpot's message", outs[1].Message)
				}
			},
		},
		{
			name: "a traced create answered multi-status fails each bad row with its own error",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				return newTable("people", map[string]arrow.DataType{"external_id": utf8, "email": utf8},
					map[string]any{"external_id": "trace-1", "email": "ok.one@example.com"},
					map[string]any{"external_id": "trace-2", "email": "broken@@example"},
					map[string]any{"external_id": "trace-3", "email": "also broken"},
				), map[string]any{"table": "people", "object": "contacts", "match_key": "external_id", "mode": "create", "require_email": false}, nil
			},
			want: []want{synced(reverse.ActionCreated), failed("VALIDATION_ERROR"), failed("VALIDATION_ERROR")},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				// HubSpot ties each error to its input by context.objectWriteTraceId.
				for row, value := range map[int64]string{1: "broken@@example", 2: "also broken"} {
					if !strings.Contains(outs[row].Message, value) {
						t.Errorf("row %d: failure message %q is not HubSpot's message about %q", row, outs[row].Message, value)
					}
				}
			},
		},
	}
	runWriteCases(t, cases)
}

// runWriteCases runs each case against a fresh portal and checks every row's outcome.
func runWriteCases(t *testing.T, cases []writeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newDestPortal(t)
			tb, mapping, extra := tc.build(t, p)
			dir := t.TempDir()
			if err := write(context.Background(), t, p.specFor(t, dir, extra, mapping), tb); err != nil {
				t.Fatalf("write: %v", err)
			}
			outs := byRow(outcomes(t, dir), tb.def.Name)
			if len(outs) != len(tc.want) {
				t.Fatalf("%d outcomes, want %d: %+v", len(outs), len(tc.want), outs)
			}
			for i, w := range tc.want {
				o := outs[int64(i)]
				if o.Status != w.status || o.Action != w.action || !strings.HasPrefix(o.Category, w.category) {
					t.Errorf("row %d: %s/%s/%s (%s), want %s/%s/%s", i, o.Status, o.Action, o.Category, o.Message, w.status, w.action, w.category)
				}
				if w.matchKey != "" && o.MatchKey != w.matchKey {
					t.Errorf("row %d: match_key %q, want %q", i, o.MatchKey, w.matchKey)
				}
			}
			if tc.check != nil {
				tc.check(t, p, outs)
			}
		})
	}
}

func contains(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

func mustInt(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}
