package client_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

func TestMigrateRejectsMappingsThatCannotWork(t *testing.T) {
	p := newDestPortal(t)
	cases := []struct {
		name    string
		object  string
		cols    map[string]arrow.DataType
		mapping map[string]any
		want    []string // substrings of the error
	}{
		{"unknown property", "contacts", map[string]arrow.DataType{"email": utf8, "score": f64},
			map[string]any{"columns": map[string]string{"score": "lead_scoore"}}, []string{`table "t"`, `column "score"`, `property "lead_scoore"`, "no such property"}},
		{"read-only property", "contacts", map[string]arrow.DataType{"email": utf8, "visits": f64},
			map[string]any{"columns": map[string]string{"visits": "hs_analytics_num_visits"}}, []string{`column "visits"`, `property "hs_analytics_num_visits"`, "read-only"}},
		{"calculated property", "contacts", map[string]arrow.DataType{"email": utf8, "deals": f64},
			map[string]any{"columns": map[string]string{"deals": "num_associated_deals"}}, []string{`column "deals"`, `property "num_associated_deals"`, "calculated"}},
		{"required property unmapped", "deals", map[string]arrow.DataType{"external_deal_id": utf8, "dealname": utf8},
			map[string]any{"match_key": "external_deal_id"}, []string{`table "t"`, `property "dealstage"`, "required to create deals"}},
		{"type that cannot convert", "contacts", map[string]arrow.DataType{"email": utf8, "date_of_birth": boolT},
			map[string]any{}, []string{`column "date_of_birth"`, `property "date_of_birth"`, "cannot convert to date"}},
		{"list to a single-select", "contacts", map[string]arrow.DataType{"email": utf8, "hs_language": arrow.ListOf(utf8)},
			map[string]any{}, []string{`column "hs_language"`, "multi-select"}},
		{"match key not unique", "contacts", map[string]arrow.DataType{"firstname": utf8},
			map[string]any{"match_key": "firstname", "require_email": false}, []string{`property "firstname"`, "not unique"}},
		{"match key column missing", "contacts", map[string]arrow.DataType{"firstname": utf8},
			map[string]any{}, []string{`property "email"`, "no column maps to the match_key"}},
		{"one of several match keys not unique", "companies", map[string]arrow.DataType{"domain": utf8, "industry": utf8},
			map[string]any{"match_key": []string{"domain", "industry"}}, []string{`table "t"`, `property "industry"`, "match_key", "not unique"}},
		{"one of several match keys without a column", "companies", map[string]arrow.DataType{"domain": utf8},
			map[string]any{"match_key": []string{"domain", "name"}}, []string{`table "t"`, `property "name"`, "no column maps to the match_key"}},
		{"two names of one match key", "deals", map[string]arrow.DataType{"id": utf8, "amount": f64},
			map[string]any{"match_key": []string{"id", "hs_object_id"}, "mode": "update"}, []string{`table "t"`, `"id" and "hs_object_id"`, "list it once"}},
		{"mapped column missing", "contacts", map[string]arrow.DataType{"email": utf8},
			map[string]any{"columns": map[string]string{"nope": "firstname"}}, []string{`column "nope"`, "no such column"}},
		{"unknown association label", "contacts", map[string]arrow.DataType{"email": utf8, "company_id": utf8},
			map[string]any{"associations": []map[string]any{{"to": "companies", "column": "company_id", "label": "Best friend"}}}, []string{`column "company_id"`, "associations[0]", "Best friend"}},
		{"unknown object", "spaceships", map[string]arrow.DataType{"id": utf8},
			map[string]any{}, []string{`table "t"`, "spaceships"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := map[string]any{"table": "t", "object": tc.object}
			for k, v := range tc.mapping {
				m[k] = v
			}
			err := write(context.Background(), t, p.specFor(t, t.TempDir(), nil, m), newTable("t", tc.cols))
			if err == nil {
				t.Fatal("migrate accepted the mapping")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), p.e.Token()) {
				t.Error("the error carries the token")
			}
		})
	}
}

func TestTableWithoutMappingFails(t *testing.T) {
	p := newDestPortal(t)
	err := write(context.Background(), t, p.specFor(t, t.TempDir(), nil, map[string]any{"table": "other", "object": "contacts"}),
		newTable("crm_contacts", map[string]arrow.DataType{"email": utf8}))
	if err == nil || !strings.Contains(err.Error(), `table "crm_contacts"`) || !strings.Contains(err.Error(), "no entry of mappings") {
		t.Fatalf("error %v", err)
	}
}

func TestFailOnRowErrors(t *testing.T) {
	p := newDestPortal(t)
	tb := newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "lifecyclestage": utf8},
		map[string]any{"email": "x.y@example.com", "lifecyclestage": "bogus"})
	m := map[string]any{"table": "crm_contacts", "object": "contacts"}
	if err := write(context.Background(), t, p.specFor(t, t.TempDir(), nil, m), tb); err != nil {
		t.Fatalf("row failures failed the sync by default: %v", err)
	}
	err := write(context.Background(), t, p.specFor(t, t.TempDir(), map[string]any{"fail_on_row_errors": true}, m), tb)
	if err == nil || !strings.Contains(err.Error(), "1 rows failed") {
		t.Fatalf("error %v, want the row failure to fail the sync", err)
	}
}

func TestReadIsNotSupported(t *testing.T) {
	p := newDestPortal(t)
	pl := hsplugin.Plugin()
	if err := pl.Init(context.Background(), p.specFor(t, t.TempDir(), nil), plugin.NewClientOptions{}); err != nil {
		t.Fatal(err)
	}
	defer pl.Close(context.Background())
	err := pl.Read(context.Background(), newTable("t", nil).def, make(chan arrow.Record))
	if !errors.Is(err, client.ErrReadNotSupported) {
		t.Fatalf("read: %v", err)
	}
	if err := pl.WriteAll(context.Background(), []message.WriteMessage{}); err != nil {
		t.Fatalf("empty write: %v", err)
	}
}
