package client_test

import (
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
)

// distinctCompanies returns n live companies whose domain and name no other live company shares,
// so that a lookup by either finds exactly that company.
func distinctCompanies(t *testing.T, p *destPortal, n int) []emulator.Record {
	t.Helper()
	live := p.e.Records("companies", false)
	count := map[string]int{}
	for _, r := range live {
		count["d:"+strings.ToLower(r.Properties["domain"])]++
		count["n:"+strings.ToLower(r.Properties["name"])]++
	}
	var out []emulator.Record
	for _, r := range live {
		d, name := strings.ToLower(r.Properties["domain"]), strings.ToLower(r.Properties["name"])
		if d != "" && name != "" && count["d:"+d] == 1 && count["n:"+name] == 1 {
			out = append(out, r)
		}
	}
	if len(out) < n {
		t.Fatalf("the seed has %d companies with a distinct domain and name, want %d", len(out), n)
	}
	return out[:n]
}

func TestMatchKeysTriedInOrder(t *testing.T) {
	var companies, contacts []emulator.Record // the records each case's rows name
	runWriteCases(t, []writeCase{
		{
			name: "companies by domain, then name: the first key with a value that finds a record wins",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				c := distinctCompanies(t, p, 3)
				companies = c
				return newTable("accounts", map[string]arrow.DataType{"domain": utf8, "name": utf8, "city": utf8},
						map[string]any{"domain": c[0].Properties["domain"], "name": "Renamed Zero", "city": "Oslo"},
						map[string]any{"name": c[1].Properties["name"], "city": "Bergen"},
						map[string]any{"domain": "not-yet-known.example", "name": c[2].Properties["name"], "city": "Tromso"},
						map[string]any{"domain": "brand-new-co.example", "name": "Brand New Co", "city": "Bodo"},
						map[string]any{"name": strings.ToUpper(c[1].Properties["name"]), "city": "Later"},
						map[string]any{"domain": "https://www." + c[0].Properties["domain"], "city": "Later"},
						map[string]any{"domain": "other-new-co.example", "name": c[1].Properties["name"], "city": "Later"},
						map[string]any{"name": "Brand New Co", "city": "Later"},
						map[string]any{"city": "Nowhere"},
					), map[string]any{"table": "accounts", "object": "companies", "match_key": []string{"domain", "name"}}, map[string]any{
						"objects": []string{"companies"}}
			},
			want: []want{
				synced(reverse.ActionUpdated).by("domain"),
				synced(reverse.ActionUpdated).by("name"),
				synced(reverse.ActionUpdated).by("name"),   // its domain found nothing
				synced(reverse.ActionCreated).by("domain"), // creates by the first key it has
				excluded(reverse.ReasonDuplicate).by("name"),
				excluded(reverse.ReasonDuplicate).by("domain"),
				excluded(reverse.ReasonDuplicate).by("name"), // matched row 1's company through name
				excluded(reverse.ReasonDuplicate).by("name"), // row 3 creates a company of that name
				excluded(reverse.ReasonMissingKey),
			},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				c := companies
				for row, id := range []string{c[0].ID, c[1].ID, c[2].ID} {
					if outs[int64(row)].HubSpotID != id {
						t.Errorf("row %d wrote %s, want company %s", row, outs[int64(row)].HubSpotID, id)
					}
				}
				if r, _ := p.byID("companies", c[2].ID); r.Properties["city"] != "Tromso" {
					t.Errorf("company matched by name: city %q", r.Properties["city"])
				}
				if r, ok := p.record("companies", "domain", "brand-new-co.example"); !ok || r.Properties["name"] != "Brand New Co" {
					t.Errorf("created company: %+v", r)
				}
				// Lookups stay batched: one search per key for the whole batch, none per row.
				if n := p.e.Stats().Requests[emulator.FamilySearch]; n != 2 {
					t.Errorf("%d search requests, want 2 (domain, then name for the rows still unmatched)", n)
				}
				if !strings.Contains(outs[8].Message, "domain or name") {
					t.Errorf("missing key message %q does not name both keys", outs[8].Message)
				}
			},
		},
		{
			name: "a row excluded as a duplicate by one key leaves its other keys to later rows",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				return newTable("claims", map[string]arrow.DataType{"domain": utf8, "name": utf8},
						map[string]any{"name": "Claimed Name Co"},
						map[string]any{"domain": "claims-b.example", "name": "Claimed Name Co"},
						map[string]any{"domain": "claims-b.example", "name": "Other Claims Co"},
					), map[string]any{"table": "claims", "object": "companies", "match_key": []string{"domain", "name"}}, map[string]any{
						"objects": []string{"companies"}}
			},
			want: []want{
				synced(reverse.ActionCreated).by("name"),
				excluded(reverse.ReasonDuplicate).by("domain"), // its name is row 0's
				synced(reverse.ActionCreated).by("domain"),     // row 1 created nothing
			},
		},
		{
			name: "contacts by a unique property, then email: creates upsert by the key each row has",
			build: func(t *testing.T, p *destPortal) (*table, map[string]any, map[string]any) {
				c := p.seeded("contacts", 3, "email", "external_id")
				contacts = c
				return newTable("people", map[string]arrow.DataType{"external_id": utf8, "email": utf8, "jobtitle": utf8},
					map[string]any{"external_id": c[0].Properties["external_id"], "email": c[0].Properties["email"], "jobtitle": "Zero"},
					map[string]any{"email": c[1].Properties["email"], "jobtitle": "One"},
					map[string]any{"external_id": "mk-unknown-2", "email": c[2].Properties["email"], "jobtitle": "Two"},
					map[string]any{"external_id": "mk-new-3", "email": "mk.three@example.com", "jobtitle": "Three"},
					map[string]any{"email": "mk.four@example.com", "jobtitle": "Four"},
				), map[string]any{"table": "people", "object": "contacts", "match_key": []string{"external_id", "email"}}, nil
			},
			want: []want{
				synced(reverse.ActionUpdated).by("external_id"),
				synced(reverse.ActionUpdated).by("email"),
				synced(reverse.ActionUpdated).by("email"),
				synced(reverse.ActionCreated).by("external_id"),
				synced(reverse.ActionCreated).by("email"),
			},
			check: func(t *testing.T, p *destPortal, outs map[int64]reverse.Outcome) {
				if r, ok := p.record("contacts", "external_id", "mk-new-3"); !ok || r.Properties["email"] != "mk.three@example.com" {
					t.Errorf("contact created by external_id: %+v", r)
				}
				if r, ok := p.record("contacts", "email", "mk.four@example.com"); !ok || r.Properties["jobtitle"] != "Four" {
					t.Errorf("contact created by email: %+v", r)
				}
				for row, c := range contacts {
					if outs[int64(row)].HubSpotID != c.ID {
						t.Errorf("row %d wrote %s, want contact %s", row, outs[int64(row)].HubSpotID, c.ID)
					}
				}
			},
		},
	})
}
