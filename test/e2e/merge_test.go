package e2e

import (
	"maps"
	"slices"
	"testing"

	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

const carsTable = "hubspot_crm_cars"

// warehouse applies synced rows as an upsert destination does: the latest row per id wins.
type warehouse map[string]map[int64]row

func (w warehouse) apply(got synced) {
	for table, rows := range got.Rows {
		if w[table] == nil {
			w[table] = map[int64]row{}
		}
		for _, r := range rows {
			w[table][r["id"].(int64)] = r
		}
	}
}

// live lists the ids whose latest row is not a tombstone, ascending.
func (w warehouse) live(table string) []int64 {
	var ids []int64
	for id, r := range w[table] {
		if r["archived"] != true {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// TestMergesLeaveTheWarehouse merges records through HubSpot's merge endpoint between runs, for
// contacts and a custom object, then a survivor into another (a chain): after each incremental
// run, the records that are not tombstones are exactly HubSpot's live set, and each merged-away
// id's row says which record it was merged into.
func TestMergesLeaveTheWarehouse(t *testing.T) {
	hs := newPortal(t)
	backend := serveStateBackend(t)
	objects := map[string]string{contactsTable: "contacts", carsTable: "cars"}
	req := &pb.Sync_Request{Tables: slices.Sorted(maps.Keys(objects)),
		Backend: &pb.Sync_BackendOptions{TableName: stateTable, Connection: backend.Addr}}
	api, err := hubspot.NewClient(hubspot.WithBaseURL(hs.url), hubspot.WithAccessToken(hs.emu.Token()))
	if err != nil {
		t.Fatal(err)
	}
	p := servePlugin(t, "tcp")
	w := warehouse{}
	run := func() {
		t.Helper()
		initConnected(t, p, hs.spec(nil))
		w.apply(syncTables(t, p, req))
		for table, object := range objects {
			if got, want := w.live(table), emulatorIDs(t, recordIDs(hs.emu.Records(object, false))); !slices.Equal(got, want) {
				t.Fatalf("%s: live rows %v, want HubSpot's live set %v", table, got, want)
			}
		}
	}
	merge := func(object, primary, merged string) {
		t.Helper()
		survivor, err := api.Objects.Merge(t.Context(), object, primary, merged)
		if err != nil {
			t.Fatal(err)
		}
		if survivor.ID != primary {
			t.Fatalf("merge answered %s, want the survivor %s", survivor.ID, primary)
		}
	}
	wantMerged := func(table, id, into string) {
		t.Helper()
		r := w[table][mustID(t, id)]
		if r["archived"] != true || r["archived_reason"] != "merged" || r["merged_into_id"] != mustID(t, into) || r["archived_at"] == nil {
			t.Errorf("%s %s: row %v, want a merged tombstone into %s", table, id, r, into)
		}
		if r["email"] != nil || r["vin"] != nil {
			t.Errorf("%s %s: a merged tombstone carries property values: %v", table, id, r)
		}
	}

	run()
	hs.settledChanges()
	contacts, cars := hs.emu.Records("contacts", false), hs.emu.Records("cars", false)
	a, b, c := contacts[1].ID, contacts[2].ID, contacts[3].ID
	merge("contacts", a, b)
	merge("cars", cars[0].ID, cars[1].ID)
	run()
	wantMerged(contactsTable, b, a)
	wantMerged(carsTable, cars[1].ID, cars[0].ID)

	merge("contacts", c, a)
	run()
	wantMerged(contactsTable, a, c)
	wantMerged(contactsTable, b, c)
	if r := w[contactsTable][mustID(t, c)]; r["archived"] != false || r["archived_reason"] != nil || r["merged_into_id"] != nil {
		t.Errorf("survivor %s: row %v, want a live row", c, r)
	}
}
