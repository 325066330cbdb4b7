package client_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

// Init builds the API clients only: the source discovers when tables are selected, and a
// reverse-ETL destination never runs the source's discovery.
func TestInitCallsNoAPI(t *testing.T) {
	p, log := countedPortal(t, emulator.Config{NoLimits: true, Counts: smallCounts})
	mappings := []map[string]any{{"table": "crm_contacts", "object": "contacts", "match_key": "email"}}
	for _, tc := range []struct {
		name string
		spec []byte
	}{
		{"source", p.spec(nil)},
		{"destination", p.spec(map[string]any{"mappings": mappings, "report_path": t.TempDir()})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := log.len()
			pl := hsplugin.Plugin()
			must(t, pl.Init(context.Background(), tc.spec, plugin.NewClientOptions{}))
			defer pl.Close(context.Background())
			if got := log.since(before); len(got) > 0 {
				t.Errorf("Init sent %v", got)
			}
		})
	}
}

// Spec problems that discovery finds fail the run that selects the object, with the same message
// Init used to give.
func TestDiscoveryErrorsNameTheField(t *testing.T) {
	p := newPortal(t, emulator.Config{NoLimits: true, Counts: smallCounts})
	for _, tc := range []struct {
		name   string
		extra  map[string]any
		tables []string
		want   string
	}{
		{name: "unknown object", extra: map[string]any{"objects": []string{"contacts", "widgets"}}, tables: []string{"*"},
			want: `objects: portal default: "widgets" is neither a standard object nor a custom object of this portal`},
		{name: "unknown object named by its table", extra: map[string]any{"objects": []string{"widgets"}}, tables: []string{"hubspot_crm_widgets"},
			want: `"widgets" is neither a standard object nor a custom object`},
		{name: "unknown property", extra: map[string]any{"properties": map[string][]string{"contacts": {"email", "shoe_size"}}}, tables: []string{"hubspot_crm_contacts"},
			want: `properties.contacts: portal default: "shoe_size" is not a property of this object`},
		{name: "unknown property of a custom object", extra: map[string]any{"properties": map[string][]string{"cars": {"wheels"}}}, tables: []string{"hubspot_crm_cars"},
			want: `properties.cars: portal default: "wheels" is not a property of this object`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.sync(p.spec(tc.extra), tc.tables...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// A custom object's definitions come with the schema list, which needs another scope than reading
// its records: a token without the read scope skips custom objects selected through `*` and
// reports them, as discovery does for standard objects.
func TestUnreadableCustomObjectsAreSkipped(t *testing.T) {
	scopes := []string{"crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read", "tickets",
		"crm.schemas.custom.read", "crm.objects.owners.read", "sales-email-read"}
	p := newPortal(t, emulator.Config{NoLimits: true, Counts: smallCounts, Scopes: scopes})
	msgs, rep, err := p.syncWithReport(p.spec(nil), "hubspot_crm_contacts", "hubspot_crm_cars", "hubspot_crm_associations")
	if err != nil {
		t.Fatalf("sync: %v", err)
	}
	if len(insertsFor(msgs, "hubspot_crm_contacts")) == 0 || len(insertsFor(msgs, "hubspot_crm_cars")) != 0 {
		t.Error("want contacts synced and cars skipped")
	}
	if !slices.ContainsFunc(rep.Skipped(), func(s client.Skipped) bool {
		return s.Object == "cars" && slices.Equal(s.MissingScopes, []string{"crm.objects.custom.read"})
	}) {
		t.Errorf("skipped %v, want cars for crm.objects.custom.read", rep.Skipped())
	}

	t.Run("named, it fails", func(t *testing.T) {
		_, err := p.sync(p.spec(map[string]any{"objects": []string{"cars"}}), "hubspot_crm_cars")
		if err == nil || !strings.Contains(err.Error(), "crm.objects.custom.read") {
			t.Fatalf("error %v, want one naming crm.objects.custom.read", err)
		}
	})
}

// Tables may be called more than once and at the same time (GetTables, then Sync); definitions
// are read once per object type, and the properties table reads none that the object tables'
// discovery read.
func TestDefinitionsAreReadOnce(t *testing.T) {
	p, log := countedPortal(t, emulator.Config{NoLimits: true, Counts: smallCounts})
	ctx := context.Background()
	pl := hsplugin.Plugin()
	must(t, pl.Init(ctx, p.spec(nil), plugin.NewClientOptions{}))
	defer pl.Close(ctx)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := pl.Tables(ctx, plugin.TableOptions{Tables: []string{"*"}}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	msgs, err := pl.SyncAll(ctx, plugin.SyncOptions{Tables: []string{"hubspot_crm_*"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(insertsFor(msgs, "hubspot_crm_properties")) == 0 {
		t.Error("hubspot_crm_properties got no rows")
	}
	times := map[string]int{}
	for _, req := range log.since(0) {
		if strings.Contains(req, "/properties/") || strings.Contains(req, "/crm-object-schemas/") {
			times[req]++
		}
	}
	if len(times) != len(client.StandardObjects)+1 {
		t.Errorf("definitions requested: %v, want each standard object's properties and the schema list", times)
	}
	for req, n := range times {
		if n != 1 {
			t.Errorf("%s requested %d times", req, n)
		}
	}
}

// A client serving both roles reads each object type's definitions once: the destination's
// mappings take them from the source's discovery, or the source from the destination's, and a
// custom object's definitions come with the schema list in either role.
func TestSourceAndDestinationShareDefinitions(t *testing.T) {
	mappings := []map[string]any{
		{"table": "crm_contacts", "object": "contacts"},
		{"table": "crm_cars", "object": "cars", "match_key": "id"},
	}
	migrate := []message.WriteMessage{
		&message.WriteMigrateTable{Table: newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "firstname": utf8}).def},
		&message.WriteMigrateTable{Table: newTable("crm_cars", map[string]arrow.DataType{"id": utf8, "make": utf8}).def},
	}
	for _, tc := range []struct {
		name  string
		roles []string
	}{
		{"destination alone", []string{"destination"}},
		{"source, then destination", []string{"source", "destination"}},
		{"destination, then source", []string{"destination", "source"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, log := countedPortal(t, emulator.Config{NoLimits: true, Counts: smallCounts})
			ctx := context.Background()
			pl := hsplugin.Plugin()
			must(t, pl.Init(ctx, p.spec(map[string]any{"mappings": mappings, "report_path": t.TempDir()}), plugin.NewClientOptions{}))
			defer pl.Close(ctx)
			for _, role := range tc.roles {
				var err error
				if role == "source" {
					_, err = pl.Tables(ctx, plugin.TableOptions{Tables: []string{"hubspot_crm_contacts", "hubspot_crm_cars"}})
				} else {
					err = pl.WriteAll(ctx, migrate)
				}
				if err != nil {
					t.Fatalf("%s: %v", role, err)
				}
			}
			times := map[string]int{}
			for _, req := range log.since(0) {
				if strings.Contains(req, "/properties/") || strings.Contains(req, "/crm-object-schemas/") {
					times[req]++
				}
			}
			if len(times) != 2 {
				t.Errorf("definitions requested: %v, want the contacts properties and the schema list", times)
			}
			for req, n := range times {
				if n != 1 {
					t.Errorf("%s requested %d times", req, n)
				}
			}
		})
	}
}
