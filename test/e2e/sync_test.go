package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"google.golang.org/grpc/status"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

const (
	contactsTable  = "hubspot_crm_contacts"
	companiesTable = "hubspot_crm_companies"
	stateTable     = "cq_state_hubspot"
)

// objectOf is the emulator's object type behind each synced table.
var objectOf = map[string]string{contactsTable: "contacts", companiesTable: "companies"}

// initConnected sends Init with a spec, as `cloudquery sync` does, then GetTables as the CLI does
// before syncing, and checks the portal's property columns are there.
func initConnected(t *testing.T, p *servedPlugin, spec []byte) {
	t.Helper()
	ctx := callCtx(t)
	if _, err := p.Init(ctx, &pb.Init_Request{Spec: spec}); err != nil {
		t.Fatalf("Init: %v", err)
	}
	tables := getTables(t, p, &pb.GetTables_Request{Tables: []string{contactsTable}})
	contacts := findTable(t, tables, contactsTable)
	for _, col := range []string{"email", "firstname", "lastmodifieddate"} {
		if contacts.Column(col) == nil {
			t.Errorf("%s has no %s property column after a connected Init", contactsTable, col)
		}
	}
}

// objectTables asks for the object tables, with backend_options when a state backend is given.
func objectTables(backend *stateBackend) *pb.Sync_Request {
	req := &pb.Sync_Request{Tables: slices.Sorted(maps.Keys(objectOf))}
	if backend != nil {
		req.Backend = &pb.Sync_BackendOptions{TableName: stateTable, Connection: backend.Addr}
	}
	return req
}

// syncTables runs one Sync and checks every requested table was migrated.
func syncTables(t *testing.T, p *servedPlugin, req *pb.Sync_Request) synced {
	t.Helper()
	got, err := syncOver(callCtx(t), p, req)
	if err != nil {
		t.Fatalf("Sync: %v", err)
	}
	migrated := tableNames(got.Migrated)
	slices.Sort(migrated)
	if !slices.Equal(migrated, req.Tables) {
		t.Errorf("migrated tables = %v, want %v", migrated, req.Tables)
	}
	return got
}

// TestSyncWithoutBackend checks a full sync over TCP against emulator truth: every record, with
// its id, timestamps and property values, decoded from the Arrow IPC the plugin streamed.
func TestSyncWithoutBackend(t *testing.T) {
	hs := newPortal(t)
	p := servePlugin(t, "tcp")
	initConnected(t, p, hs.spec(nil))

	got := syncTables(t, p, objectTables(nil))
	for table, object := range objectOf {
		assertFullSync(t, hs, got, table, object)
	}
}

// assertFullSync checks a first sync of a table: every live record as a row equal to the
// emulator's, and every archived record as a tombstone.
func assertFullSync(t *testing.T, hs *portal, got synced, table, object string) {
	t.Helper()
	live, archived := hs.emu.Records(object, false), hs.emu.Records(object, true)
	want := emulatorIDs(t, append(recordIDs(live), recordIDs(archived)...))
	if ids := got.IDs(table); !slices.Equal(ids, want) {
		t.Fatalf("%s ids = %v, want %v (live and archived)", table, ids, want)
	}
	rows, tb := got.ByID(table), got.Table(t, table)
	for _, rec := range slices.Concat(live, archived) {
		assertRow(t, tb, rows[mustID(t, rec.ID)], rec)
	}
}

// assertRow compares one synced row with the emulator's record: the static columns, and every
// text, number and boolean property column against the property's raw value.
func assertRow(t *testing.T, table *schema.Table, r row, rec emulator.Record) {
	t.Helper()
	checks := map[string][2]any{
		"portal":     {r["portal"], "default"},
		"created_at": {r["created_at"], ms(rec.CreatedAt)},
		"updated_at": {r["updated_at"], ms(rec.UpdatedAt)},
		"archived":   {r["archived"], rec.Archived},
	}
	checks["archived_reason"] = [2]any{r["archived_reason"], nil}
	checks["merged_into_id"] = [2]any{r["merged_into_id"], nil}
	if rec.Archived {
		checks["archived_at"] = [2]any{r["archived_at"], ms(rec.ArchivedAt)}
		checks["archived_reason"] = [2]any{r["archived_reason"], "archived"}
	}
	for _, col := range table.Columns {
		raw, set := rec.Properties[col.Name]
		if _, static := checks[col.Name]; static || col.Name == "id" || col.Name == "archived_at" {
			continue
		}
		var want any
		switch col.Type {
		case arrow.BinaryTypes.String:
			if set {
				want = raw
			}
		case arrow.PrimitiveTypes.Float64:
			if f, err := strconv.ParseFloat(raw, 64); err == nil {
				want = f
			}
		case arrow.FixedWidthTypes.Boolean:
			if b, err := strconv.ParseBool(raw); err == nil {
				want = b
			}
		default:
			continue // dates, timestamps and lists have their own conversion tests
		}
		checks[col.Name] = [2]any{r[col.Name], want}
	}
	for col, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s id %s: %s = %v, want %v", table.Name, rec.ID, col, c[0], c[1])
		}
	}
}

// TestShardsSplitTables runs `cloudquery sync --shard 1/2` and `2/2`: each shard must sync its
// own tables, and together every record exactly once.
func TestShardsSplitTables(t *testing.T) {
	hs := newPortal(t)
	p := servePlugin(t, "tcp")
	seen := map[string]int{}
	for num := int32(1); num <= 2; num++ {
		initConnected(t, p, hs.spec(nil))
		req := objectTables(nil)
		req.Shard = &pb.Sync_Request_Shard{Num: num, Total: 2}
		got := syncTables(t, p, req)
		if len(got.Rows) != 1 {
			t.Errorf("shard %d/2 synced rows of %d tables, want 1 of the 2", num, len(got.Rows))
		}
		for table, rows := range got.Rows {
			seen[table] += len(rows)
		}
	}
	for table, object := range objectOf {
		if want := len(hs.emu.Records(object, false)); seen[table] != want {
			t.Errorf("%s: %d rows over both shards, want %d", table, seen[table], want)
		}
	}
}

// TestSyncFailsLoudlyWhenATableLosesRecords checks that a table whose reads fail ends the Sync
// call with an error naming it, after the other tables were delivered: a sync that lost data
// must not look green to the CLI.
func TestSyncFailsLoudlyWhenATableLosesRecords(t *testing.T) {
	hs := newPortal(t)
	p := servePlugin(t, "unix")
	initConnected(t, p, hs.spec(nil))
	hs.breakReads("contacts", "0-1")

	got, err := syncOver(callCtx(t), p, objectTables(nil))
	if err == nil {
		t.Fatal("Sync succeeded although every contacts read failed")
	}
	if msg := status.Convert(err).Message(); !strings.Contains(msg, contactsTable) {
		t.Errorf("Sync error %q does not name %s", msg, contactsTable)
	}
	if n, want := len(got.Rows[companiesTable]), len(hs.emu.Records("companies", false)); n != want {
		t.Errorf("%s: %d rows before the failure was reported, want all %d", companiesTable, n, want)
	}
}

func recordIDs(recs []emulator.Record) []string {
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	return ids
}

// TestIncrementalSyncWithStateBackend runs the CLI's flow with backend_options: a first sync
// fills the state backend with cursors; after changes in HubSpot, a second sync in a new plugin
// process (over a unix socket this time) returns exactly the changes; a third returns nothing.
func TestIncrementalSyncWithStateBackend(t *testing.T) {
	hs := newPortal(t)
	backend := serveStateBackend(t)

	first := servePlugin(t, "tcp")
	initConnected(t, first, hs.spec(nil))
	assertFullSync(t, hs, syncTables(t, first, objectTables(backend)), contactsTable, "contacts")
	before := cursors(t, backend)

	hs.settledChanges()
	contacts := hs.emu.Records("contacts", false)
	updated, gone := contacts[0], contacts[1]
	if err := hs.emu.Update("contacts", updated.ID, map[string]string{"firstname": "Ada-e2e"}); err != nil {
		t.Fatal(err)
	}
	if err := hs.emu.Archive("contacts", gone.ID); err != nil {
		t.Fatal(err)
	}
	created, err := hs.emu.Create("contacts", map[string]string{"email": "e2e-new@example.com", "firstname": "Grace"})
	if err != nil {
		t.Fatal(err)
	}
	company := hs.emu.Records("companies", false)[0]
	if err := hs.emu.Update("companies", company.ID, map[string]string{"name": "E2E Renamed Inc"}); err != nil {
		t.Fatal(err)
	}

	second := servePlugin(t, "unix")
	initConnected(t, second, hs.spec(nil))
	got := syncTables(t, second, objectTables(backend))

	wantContacts := emulatorIDs(t, []string{updated.ID, gone.ID, created})
	if ids := got.IDs(contactsTable); !slices.Equal(ids, wantContacts) {
		t.Fatalf("second sync %s ids = %v, want only the changed %v", contactsTable, ids, wantContacts)
	}
	if ids := got.IDs(companiesTable); !slices.Equal(ids, emulatorIDs(t, []string{company.ID})) {
		t.Fatalf("second sync %s ids = %v, want only the changed %s", companiesTable, ids, company.ID)
	}
	rows, tb := got.ByID(contactsTable), got.Table(t, contactsTable)
	for _, rec := range slices.Concat(hs.emu.Records("contacts", false), hs.emu.Records("contacts", true)) {
		if r, ok := rows[mustID(t, rec.ID)]; ok {
			assertRow(t, tb, r, rec)
		}
	}
	if r := rows[mustID(t, updated.ID)]; r["firstname"] != "Ada-e2e" {
		t.Errorf("updated contact firstname = %v, want Ada-e2e", r["firstname"])
	}
	if r := rows[mustID(t, gone.ID)]; r["archived"] != true || r["archived_at"] == nil {
		t.Errorf("archived contact row = archived %v at %v, want a tombstone", r["archived"], r["archived_at"])
	}
	if r := got.ByID(companiesTable)[mustID(t, company.ID)]; r["name"] != "E2E Renamed Inc" {
		t.Errorf("updated company name = %v, want E2E Renamed Inc", r["name"])
	}
	after := cursors(t, backend)
	for key, c := range after {
		if c.SinceMs <= before[key].SinceMs {
			t.Errorf("cursor %s did not advance: since_ms %d -> %d", key, before[key].SinceMs, c.SinceMs)
		}
	}

	initConnected(t, second, hs.spec(nil))
	if third := syncTables(t, second, objectTables(backend)); len(third.Rows) != 0 {
		t.Errorf("third sync without changes returned rows: %v", third.Rows)
	}
}

// cursor is the part of a stored cursor the test checks.
type cursor struct {
	Phase   string `json:"phase"`
	SinceMs int64  `json:"since_ms"`
}

// cursors reads the state backend: one incremental cursor per synced table of the default portal.
func cursors(t *testing.T, backend *stateBackend) map[string]cursor {
	t.Helper()
	values := backend.Values(stateTable)
	out := map[string]cursor{}
	for table := range objectOf {
		key := "default/" + table
		raw, ok := values[key]
		if !ok {
			t.Fatalf("state backend has no key %s; keys: %v", key, slices.Sorted(maps.Keys(values)))
		}
		var c cursor
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			t.Fatalf("state %s = %q: %v", key, raw, err)
		}
		if c.Phase != "incremental" || c.SinceMs <= 0 {
			t.Errorf("state %s = %q, want an incremental cursor with a watermark", key, raw)
		}
		out[key] = c
	}
	return out
}

// The CLI cancels a sync (Ctrl-C, a destination that failed) while messages are in flight. The
// served plugin must end that sync and take the next Init and Sync, as a long-running `hubspot
// serve` does for every scheduled run, rather than answer "plugin already in use" from then on.
// The owners and properties tables go through the SDK's scheduler.
func TestCancelledSyncLeavesThePluginUsable(t *testing.T) {
	hs := newPortal(t)
	p := servePlugin(t, "unix")
	initConnected(t, p, hs.spec(nil))
	ctx, cancel := context.WithCancel(callCtx(t))
	stream, err := p.Sync(ctx, &pb.Sync_Request{Tables: []string{"hubspot_crm_owners", "hubspot_crm_properties", contactsTable}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := stream.Recv(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // the stream's window fills and the plugin's sends wait
	cancel()

	// The cancelled sync takes a moment to wind down; the next Init waits for it as the CLI would.
	deadline := time.Now().Add(20 * time.Second)
	for {
		_, err := p.Init(callCtx(t), &pb.Init_Request{Spec: hs.spec(nil)})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("Init 20 s after a cancelled sync: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := syncTables(t, p, &pb.Sync_Request{Tables: []string{"hubspot_crm_owners"}})
	if len(got.Rows["hubspot_crm_owners"]) == 0 {
		t.Error("the sync after a cancelled one returned no owners")
	}
}
