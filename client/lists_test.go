package client_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/resources/services/crm"
)

// listTruth is the emulator's lists as the two tables should hold them: list id -> size, and
// "list/record" -> membership time in epoch ms.
func listTruth(e *emulator.Emulator) (map[string]int64, map[string]int64) {
	sizes, members := map[string]int64{}, map[string]int64{}
	for _, l := range e.Lists() {
		sizes[l.ID] = int64(len(l.Members))
		for _, id := range l.Members {
			members[l.ID+"/"+id] = l.JoinedAt[id].UnixMilli()
		}
	}
	return sizes, members
}

// listRows reads the two tables' rows from a sync, in listTruth's shape.
func listRows(t *testing.T, msgs message.SyncMessages) (map[string]int64, map[string]int64) {
	t.Helper()
	sizes, members := map[string]int64{}, map[string]int64{}
	for _, rec := range insertsFor(msgs, crm.Lists().Name) {
		ids := arrowtest.Column[*array.String](t, rec, "id")
		size := arrowtest.Column[*array.Int64](t, rec, "size")
		for i := range int(rec.NumRows()) {
			sizes[ids.Value(i)] = size.Value(i)
		}
	}
	for _, rec := range insertsFor(msgs, crm.ListMemberships().Name) {
		lists := arrowtest.Column[*array.String](t, rec, "list_id")
		records := arrowtest.Column[*array.Int64](t, rec, "record_id")
		joined := arrowtest.Column[*array.Timestamp](t, rec, "membership_timestamp")
		for i := range int(rec.NumRows()) {
			key := lists.Value(i) + "/" + strconv.FormatInt(records.Value(i), 10)
			if _, dup := members[key]; dup {
				t.Errorf("membership %s sent twice", key)
			}
			members[key] = int64(joined.Value(i))
		}
	}
	return sizes, members
}

// The list tables are read in full on every run, so each run's rows are HubSpot's lists and
// memberships as they stand: memberships that ended are absent, which the CLI's delete-stale
// step turns into deletions.
func TestListTablesMirrorHubSpot(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 4, NoLimits: true, Counts: smallCounts})
	spec := p.spec(nil)
	for _, tbl := range []*schema.Table{crm.Lists(), crm.ListMemberships()} {
		if tbl.IsIncremental {
			t.Fatalf("%s is incremental: the CLI would not delete its stale rows", tbl.Name)
		}
	}
	check := func(msgs message.SyncMessages) {
		t.Helper()
		wantSizes, wantMembers := listTruth(p.emu)
		gotSizes, gotMembers := listRows(t, msgs)
		if len(wantMembers) == 0 {
			t.Fatal("the emulated portal has no list members")
		}
		for id, n := range wantSizes {
			if gotSizes[id] != n {
				t.Errorf("list %s size %d, want %d", id, gotSizes[id], n)
			}
		}
		if len(gotSizes) != len(wantSizes) {
			t.Errorf("%d lists, want %d", len(gotSizes), len(wantSizes))
		}
		for key, at := range wantMembers {
			if got, ok := gotMembers[key]; !ok || got != at {
				t.Errorf("membership %s: got %d (present %t), want joined at %d", key, got, ok, at)
			}
		}
		for key := range gotMembers {
			if _, ok := wantMembers[key]; !ok {
				t.Errorf("membership %s synced but not in HubSpot", key)
			}
		}
	}
	check(p.mustSync(spec, crm.Lists().Name))

	lists := p.emu.Lists()
	manual, dynamic := lists[0], lists[1]
	if manual.ProcessingType != emulator.ListManual || dynamic.ProcessingType != emulator.ListDynamic {
		t.Fatalf("seeded lists changed order: %s, %s", manual.ProcessingType, dynamic.ProcessingType)
	}
	must(t, p.emu.RemoveFromList(manual.ID, manual.Members[:2]))
	must(t, p.emu.Archive("contacts", manual.Members[2]))
	leaver := dynamic.Members[slices.IndexFunc(dynamic.Members, func(id string) bool { return !slices.Contains(manual.Members[:3], id) })]
	must(t, p.emu.Update("contacts", leaver, map[string]string{"lifecyclestage": "lead"}))
	must(t, p.emu.AddToList(manual.ID, manual.Members[:1])) // back, with a new membership time
	check(p.mustSync(spec, crm.Lists().Name, crm.ListMemberships().Name))
}

// Without crm.lists.read, `*` skips both list tables and reports the scope; naming them fails.
func TestListTablesNeedTheListsScope(t *testing.T) {
	scopes := []string{"crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read", "tickets",
		"crm.objects.custom.read", "crm.schemas.custom.read", "crm.objects.owners.read", "sales-email-read"}
	p := newPortal(t, emulator.Config{NoLimits: true, Counts: smallCounts, Scopes: scopes})
	msgs, rep, err := p.syncWithReport(p.spec(nil), "*")
	if err != nil {
		t.Fatalf("sync of *: %v", err)
	}
	if len(insertsFor(msgs, crm.Lists().Name)) != 0 || len(insertsFor(msgs, "hubspot_crm_contacts")) == 0 {
		t.Error("want contacts synced and lists skipped")
	}
	if !slices.ContainsFunc(rep.Skipped(), func(s client.Skipped) bool {
		return s.Object == "lists" && slices.Equal(s.MissingScopes, []string{"crm.lists.read"})
	}) {
		t.Errorf("skipped %v, want lists for crm.lists.read", rep.Skipped())
	}

	for _, named := range []string{crm.Lists().Name, crm.ListMemberships().Name} {
		t.Run("named "+named, func(t *testing.T) {
			_, err := p.sync(p.spec(nil), named)
			if err == nil || !strings.Contains(err.Error(), "crm.lists.read") || !strings.Contains(err.Error(), crm.Lists().Name) {
				t.Fatalf("error %v, want one naming hubspot_crm_lists and crm.lists.read", err)
			}
		})
	}
}
