package client_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

var smallCounts = map[string]int{
	"contacts": 60, "companies": 30, "deals": 40, "tickets": 30, "calls": 20, "emails": 20,
	"meetings": 20, "notes": 20, "tasks": 20, "cars": 20, "subscriptions": 20,
	"products": 20, "line_items": 20, "quotes": 20, "leads": 20, "invoices": 20, "goal_targets": 20,
	"feedback_submissions": 20, "communications": 20, "postal_mail": 20, "orders": 20, "carts": 20,
}

func TestSyncPopulatesEveryTableWithTypedColumns(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 7, Counts: smallCounts})
	mergeable := []string{"contacts", "companies", "deals", "tickets", "cars", "subscriptions"}
	for _, obj := range p.emu.ObjectTypes() {
		if recs := p.emu.Records(obj, false); len(recs) > 0 {
			if err := p.emu.Archive(obj, recs[0].ID); err != nil {
				t.Fatal(err)
			}
		}
		if recs := p.emu.Records(obj, false); slices.Contains(mergeable, obj) {
			if err := p.emu.Merge(obj, recs[0].ID, recs[1].ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	spec := p.spec(nil)
	msgs := p.mustSync(spec, "*")

	pl := hsplugin.Plugin()
	ctx := context.Background()
	if err := pl.Init(ctx, spec, plugin.NewClientOptions{}); err != nil {
		t.Fatal(err)
	}
	tables, err := pl.Tables(ctx, plugin.TableOptions{Tables: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tbl := range tables.FlattenTables() {
		names = append(names, tbl.Name)
		if len(insertsFor(msgs, tbl.Name)) == 0 {
			t.Errorf("table %s got no rows", tbl.Name)
		}
	}
	wantTables := []string{"hubspot_crm_owners", "hubspot_crm_pipelines", "hubspot_crm_pipeline_stages", "hubspot_crm_properties", "hubspot_crm_associations"}
	for _, obj := range p.emu.ObjectTypes() {
		wantTables = append(wantTables, "hubspot_crm_"+obj)
	}
	for _, want := range wantTables {
		if !slices.Contains(names, want) {
			t.Errorf("no table %s in %v", want, names)
		}
	}
	plugin.ValidateNoEmptyColumns(t, tables, msgs)

	contacts := tables.Get("hubspot_crm_contacts")
	seen := map[arrow.Type]bool{}
	for _, c := range contacts.Columns {
		seen[c.Type.ID()] = true
	}
	for _, want := range []arrow.Type{arrow.STRING, arrow.LIST, arrow.FLOAT64, arrow.BOOL, arrow.DATE32, arrow.TIMESTAMP} {
		if !seen[want] {
			t.Errorf("contacts has no %s property column", want)
		}
	}
	if n := len(contacts.Columns); n < 150 {
		t.Errorf("contacts has %d columns, want every property (150+)", n)
	}
}

func TestSyncConvergesAfterChanges(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 11, SearchLag: 300 * time.Millisecond, Counts: map[string]int{
		"contacts": 15_500, "companies": 20, "deals": 0, "tickets": 0, "calls": 0, "emails": 0,
		"meetings": 0, "notes": 0, "tasks": 0, "cars": 0, "subscriptions": 0,
	}})
	spec := p.spec(map[string]any{
		"objects":            []string{"contacts", "companies"},
		"properties":         map[string][]string{"contacts": {"email", "firstname", "lastname"}},
		"tombstone_interval": "0s", // archives reach the next run
	})
	dest := map[string]row{}
	merge := func(rows map[string]row) {
		for id, r := range rows {
			dest[id] = r
		}
	}
	merge(objectRows(t, p.mustSync(spec, "hubspot_crm_contacts"), "hubspot_crm_contacts"))

	live := p.emu.Records("contacts", false)
	for _, r := range live[:50] {
		must(t, p.emu.Update("contacts", r.ID, map[string]string{"firstname": "Changed"}))
	}
	for i := range 20 {
		if _, err := p.emu.Create("contacts", map[string]string{"email": "new" + string(rune('a'+i)) + "@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range live[50:60] {
		must(t, p.emu.Archive("contacts", r.ID))
	}
	bulk := make([]string, 0, 15_000) // a bulk import past the 10,000-result search cap
	for _, r := range live[100:15_100] {
		bulk = append(bulk, r.ID)
	}
	must(t, p.emu.SetModified("contacts", bulk, time.Now()))
	time.Sleep(1100 * time.Millisecond) // past the 1 s settle lag
	// Changed just before the next sync: not settled yet, so they are left for the one after.
	for _, r := range live[60:65] {
		must(t, p.emu.Update("contacts", r.ID, map[string]string{"lastname": "Late"}))
	}
	second := objectRows(t, p.mustSync(spec, "hubspot_crm_contacts"), "hubspot_crm_contacts")
	if len(second) < 15_000+50+20+10 {
		t.Errorf("second sync sent %d rows, want at least the 15,080 changes", len(second))
	}
	merge(second)
	time.Sleep(1100 * time.Millisecond)
	merge(objectRows(t, p.mustSync(spec, "hubspot_crm_contacts"), "hubspot_crm_contacts"))

	want := map[string]row{}
	for _, r := range p.emu.Records("contacts", false) {
		want[r.ID] = row{updatedMs: r.UpdatedAt.UnixMilli()}
	}
	for _, r := range p.emu.Records("contacts", true) {
		want[r.ID] = row{updatedMs: r.UpdatedAt.UnixMilli(), archived: true}
	}
	var missing, stale, extra int
	for id, w := range want {
		got, ok := dest[id]
		switch {
		case !ok:
			missing++
		case got != w:
			stale++
		}
	}
	for id := range dest {
		if _, ok := want[id]; !ok {
			extra++
		}
	}
	if missing+stale+extra > 0 {
		t.Errorf("destination differs from the portal: %d missing, %d stale, %d unknown (of %d)", missing, stale, extra, len(want))
	}
}

func TestCapStopsAndNextRunsResume(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 3, Counts: map[string]int{"contacts": 3500}})
	spec := p.spec(map[string]any{"objects": []string{"contacts"}, "max_records_per_sync": 1000, "tombstones": false})
	total := map[string]int{}
	for run := 1; run <= 4; run++ {
		rows := objectRows(t, p.mustSync(spec, "hubspot_crm_contacts"), "hubspot_crm_contacts")
		want := 1000
		if run == 4 {
			want = 500
		}
		if len(rows) != want {
			t.Errorf("run %d sent %d contacts, want %d", run, len(rows), want)
		}
		for id := range rows {
			total[id]++
		}
	}
	if len(total) != 3500 {
		t.Errorf("four runs sent %d distinct contacts, want 3500", len(total))
	}
	for id, n := range total {
		if n != 1 {
			t.Errorf("contact %s sent %d times", id, n)
		}
	}
}

func TestAuthProblemsNameTheFix(t *testing.T) {
	allBut := func(drop string) []string {
		var out []string
		for _, s := range []string{"crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read", "tickets",
			"crm.objects.custom.read", "crm.schemas.custom.read", "crm.objects.owners.read", "sales-email-read"} {
			if s != drop {
				out = append(out, s)
			}
		}
		return out
	}
	cases := []struct {
		name    string
		cfg     emulator.Config
		extra   map[string]any
		token   string
		wantErr []string
	}{
		{name: "missing scope for a named object", cfg: emulator.Config{Scopes: allBut("crm.objects.deals.read")},
			extra: map[string]any{"objects": []string{"deals"}}, wantErr: []string{"crm.objects.deals.read"}},
		{name: "free portal without API access", cfg: emulator.Config{NoAPIAccess: true}, wantErr: []string{"API access"}},
		{name: "bad token", token: "pat-na1-wrong", wantErr: []string{"401", "token"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.cfg.Counts = smallCounts
			p := newPortal(t, tc.cfg)
			extra := tc.extra
			if tc.token != "" {
				extra = map[string]any{"access_token": tc.token}
			}
			_, err := p.sync(p.spec(extra), "*")
			if err == nil {
				t.Fatal("no error")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %q", err, want)
				}
			}
			if tc.token != "" && strings.Contains(err.Error(), tc.token) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}

	t.Run("missing scope skips objects selected by *", func(t *testing.T) {
		p := newPortal(t, emulator.Config{Counts: smallCounts, Scopes: allBut("tickets")})
		msgs := p.mustSync(p.spec(nil), "*")
		if len(insertsFor(msgs, "hubspot_crm_tickets")) != 0 || len(insertsFor(msgs, "hubspot_crm_contacts")) == 0 {
			t.Error("want contacts synced and tickets skipped")
		}
	})
}

func TestOAuthRefreshAndRevocation(t *testing.T) {
	oauth := &emulator.OAuthConfig{ClientID: "app", ClientSecret: "shh-secret", RefreshToken: "refresh-1"}
	p := newPortal(t, emulator.Config{Counts: smallCounts, OAuth: oauth})
	spec := p.spec(map[string]any{"access_token": nil, "objects": []string{"contacts"},
		"oauth": map[string]string{"client_id": "app", "client_secret": "shh-secret", "refresh_token": "refresh-1"}})
	ctx := context.Background()
	pl := hsplugin.Plugin()
	must(t, pl.Init(ctx, spec, plugin.NewClientOptions{}))
	p.emu.ExpireTokens() // the access token dies between init and sync
	msgs, err := pl.SyncAll(ctx, plugin.SyncOptions{Tables: []string{"hubspot_crm_contacts"}})
	if err != nil {
		t.Fatalf("sync after token expiry: %v", err)
	}
	if len(objectRows(t, msgs, "hubspot_crm_contacts")) != 60 {
		t.Error("contacts missing after a refresh")
	}
	p.emu.RevokeRefreshToken()
	p.emu.ExpireTokens()
	_, err = p.sync(spec, "hubspot_crm_contacts")
	if err == nil || !strings.Contains(err.Error(), "refresh token") {
		t.Fatalf("error %v, want one about the refresh token", err)
	}
	if strings.Contains(err.Error(), "shh-secret") || strings.Contains(err.Error(), "refresh-1") {
		t.Errorf("error leaks a secret: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A property added or removed between runs changes the table's columns; the sync carries on and
// the migrate message announces the new schema to the destination.
func TestSchemaDriftBetweenRuns(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 9, Counts: smallCounts})
	columns := func(msgs message.SyncMessages) []string {
		for _, m := range msgs {
			if mt, ok := m.(*message.SyncMigrateTable); ok && mt.Table.Name == "hubspot_crm_contacts" {
				return mt.Table.Columns.Names()
			}
		}
		t.Fatal("no migrate message for hubspot_crm_contacts")
		return nil
	}
	before := columns(p.mustSync(p.spec(map[string]any{"objects": []string{"contacts"},
		"properties": map[string][]string{"contacts": {"email", "firstname"}}}), "hubspot_crm_contacts"))
	msgs := p.mustSync(p.spec(map[string]any{"objects": []string{"contacts"},
		"properties": map[string][]string{"contacts": {"email", "lastname", "region_score"}}}), "hubspot_crm_contacts")
	after := columns(msgs)
	if !slices.Contains(before, "firstname") || slices.Contains(after, "firstname") || !slices.Contains(after, "region_score") {
		t.Fatalf("columns before %v, after %v", before, after)
	}
	for _, ins := range insertsFor(msgs, "hubspot_crm_contacts") {
		if got := ins.Schema().NumFields(); got != len(after) {
			t.Errorf("a record has %d columns, the migrated table %d", got, len(after))
		}
	}
}

// The scheduler's tables deliver every row when HubSpot answers about as slowly as the SDK batch
// sender's 100 ms flush timer, the timing at which rows sent one at a time raced that timer.
func TestScheduledTablesWithSlowResponses(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 2, Counts: smallCounts, Faults: emulator.Faults{Latency: 100 * time.Millisecond}})
	msgs := p.mustSync(p.spec(map[string]any{"objects": []string{"deals", "tickets"}}),
		"hubspot_crm_owners", "hubspot_crm_pipelines", "hubspot_crm_properties")
	for _, table := range []string{"hubspot_crm_owners", "hubspot_crm_pipelines", "hubspot_crm_pipeline_stages", "hubspot_crm_properties"} {
		if len(insertsFor(msgs, table)) == 0 {
			t.Errorf("%s got no rows", table)
		}
	}
}

// HubSpot dates its default pipelines and their stages 0: they land with created_at null, not
// 1970-01-01; pipelines and stages a portal created keep their time.
func TestDefaultPipelinesLandWithoutCreationTime(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 3, Counts: smallCounts})
	msgs := p.mustSync(p.spec(map[string]any{"objects": []string{"deals", "tickets"}}), "hubspot_crm_pipelines")
	for table, idColumn := range map[string]string{"hubspot_crm_pipelines": "id", "hubspot_crm_pipeline_stages": "pipeline_id"} {
		seen := map[bool]int{}
		for _, rec := range insertsFor(msgs, table) {
			ids := arrowtest.Column[*array.String](t, rec, idColumn)
			created := arrowtest.Column[*array.Timestamp](t, rec, "created_at")
			for i := range int(rec.NumRows()) {
				isDefault := ids.Value(i) == "default" || ids.Value(i) == "0"
				seen[isDefault]++
				if created.IsValid(i) == isDefault {
					t.Errorf("%s row of pipeline %s: created_at valid %t", table, ids.Value(i), created.IsValid(i))
				}
			}
		}
		if seen[true] == 0 || seen[false] == 0 {
			t.Errorf("%s: %d rows of default pipelines, %d of others; want both", table, seen[true], seen[false])
		}
	}
}

// A deactivated user's owner row keeps its user id, which HubSpot then gives only in
// userIdIncludingInactive; only queues have none.
func TestOwnersKeepUserIDs(t *testing.T) {
	for _, version := range []string{"v3", "2026-09"} {
		t.Run(version, func(t *testing.T) {
			p := newPortal(t, emulator.Config{Seed: 3, Counts: smallCounts})
			msgs := p.mustSync(p.spec(map[string]any{"api_version": version, "objects": []string{"deals"}}), "hubspot_crm_owners")
			archived := 0
			for _, rec := range insertsFor(msgs, "hubspot_crm_owners") {
				types := arrowtest.Column[*array.String](t, rec, "type")
				userIDs := arrowtest.Column[*array.Int64](t, rec, "user_id")
				archivedCol := arrowtest.Column[*array.Boolean](t, rec, "archived")
				for i := range int(rec.NumRows()) {
					if archivedCol.Value(i) {
						archived++
					}
					if person := types.Value(i) == "PERSON"; person != userIDs.IsValid(i) {
						t.Errorf("owner %s (archived %t): user_id valid %t, want %t", types.Value(i), archivedCol.Value(i), userIDs.IsValid(i), person)
					}
				}
			}
			if archived == 0 {
				t.Error("no archived owner synced")
			}
		})
	}
}

// Every object type has its own scope: one missing skips that table under `*`, naming the scope,
// and fails the run when the spec names the object.
func TestObjectScopesSkipOrFail(t *testing.T) {
	granted := func(drop string) []string {
		var out []string
		for _, s := range []string{"crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read", "tickets",
			"crm.objects.custom.read", "crm.schemas.custom.read", "crm.objects.owners.read", "sales-email-read",
			"crm.objects.products.read", "crm.objects.line_items.read", "crm.objects.quotes.read", "crm.objects.leads.read",
			"crm.objects.invoices.read", "crm.objects.goals.read", "crm.objects.feedback_submissions.read",
			"crm.objects.orders.read", "crm.objects.carts.read"} {
			if s != drop {
				out = append(out, s)
			}
		}
		return out
	}
	cases := []struct{ object, scope, sibling string }{
		{"products", "crm.objects.products.read", "line_items"},
		{"goal_targets", "crm.objects.goals.read", "quotes"},
		{"feedback_submissions", "crm.objects.feedback_submissions.read", "orders"},
	}
	for _, tc := range cases {
		t.Run(tc.object, func(t *testing.T) {
			t.Parallel()
			p := newPortal(t, emulator.Config{Counts: smallCounts, Scopes: granted(tc.scope)})
			table, sibling := "hubspot_crm_"+tc.object, "hubspot_crm_"+tc.sibling
			// A skipped object has no table, so only `*` can select it.
			msgs, rep, err := p.syncWithReport(p.spec(nil), "*")
			if err != nil {
				t.Fatalf("sync under *: %v", err)
			}
			if len(insertsFor(msgs, table)) != 0 || len(insertsFor(msgs, sibling)) == 0 {
				t.Errorf("want %s skipped and %s synced", table, sibling)
			}
			if !slices.ContainsFunc(rep.Skipped(), func(s client.Skipped) bool {
				return s.Object == tc.object && slices.Equal(s.MissingScopes, []string{tc.scope})
			}) {
				t.Errorf("skipped %v, want %s for %s", rep.Skipped(), tc.object, tc.scope)
			}

			_, err = p.sync(p.spec(map[string]any{"objects": []string{tc.object}}), "*")
			if err == nil || !strings.Contains(err.Error(), tc.scope) {
				t.Errorf("sync of the named object: error %v, want one naming %s", err, tc.scope)
			}
		})
	}
}

// When the CLI goes away or cancels, the SDK's gRPC handler stops reading the sync's messages and
// the context ends. Sync must still return, or a served plugin refuses every later run as "already
// in use". The owners and properties tables go through the SDK's scheduler, the contacts table
// through the plugin's own jobs.
func TestSyncReturnsWhenItsReaderGoes(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 5, Counts: smallCounts})
	tables := []string{"hubspot_crm_properties", "hubspot_crm_owners", "hubspot_crm_contacts"}
	for _, read := range []int{0, 1, 3, 10} {
		t.Run(strconv.Itoa(read)+" read", func(t *testing.T) {
			pl := hsplugin.Plugin(client.WithLocalState(p.state))
			if err := pl.Init(context.Background(), p.spec(nil), plugin.NewClientOptions{}); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			msgs := make(chan message.SyncMessage)
			done := make(chan error, 1)
			go func() { done <- pl.Sync(ctx, plugin.SyncOptions{Tables: tables}, msgs) }()
			for range read {
				<-msgs
			}
			cancel()
			select {
			case err := <-done:
				if err == nil {
					t.Error("a cancelled sync reported success")
				}
			case <-time.After(20 * time.Second):
				t.Fatal("Sync still running 20 s after its reader went and its context ended")
			}
			if _, err := pl.SyncAll(context.Background(), plugin.SyncOptions{Tables: []string{"hubspot_crm_owners"}}); err != nil {
				t.Errorf("the next sync on the same plugin: %v", err)
			}
			if err := pl.Close(context.Background()); err != nil {
				t.Errorf("close: %v", err)
			}
		})
	}
}
