package client_test

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

// companyContacts collects, per company id, the contact ids of the association rows a sync sent.
func companyContacts(t *testing.T, msgs message.SyncMessages) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, rec := range insertsFor(msgs, "hubspot_crm_associations") {
		fromType := arrowtest.Column[*array.String](t, rec, "from_object_type")
		toType := arrowtest.Column[*array.String](t, rec, "to_object_type")
		from := arrowtest.Column[*array.Int64](t, rec, "from_id")
		to := arrowtest.Column[*array.Int64](t, rec, "to_id")
		for i := range int(rec.NumRows()) {
			if fromType.Value(i) != "companies" || toType.Value(i) != "contacts" {
				continue
			}
			id := strconv.FormatInt(from.Value(i), 10)
			if contact := strconv.FormatInt(to.Value(i), 10); !slices.Contains(out[id], contact) {
				out[id] = append(out[id], contact)
			}
		}
	}
	return out
}

func TestAssociationsFollowChangedRecords(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 5, Counts: smallCounts})
	spec := p.spec(map[string]any{"objects": []string{"contacts", "companies"}})
	want := func(company string) []string {
		ids, err := p.emu.Associations("companies", company, "contacts")
		must(t, err)
		slices.Sort(ids)
		return ids
	}
	first := companyContacts(t, p.mustSync(spec, "hubspot_crm_associations"))
	companies := p.emu.Records("companies", false)
	for _, c := range companies {
		got := first[c.ID]
		slices.Sort(got)
		if !slices.Equal(got, want(c.ID)) {
			t.Fatalf("company %s: first sync sent contacts %v, portal has %v", c.ID, got, want(c.ID))
		}
	}

	// Associations change on two companies, which are also edited (association changes alone do
	// not mark a record changed in HubSpot); a third company changes nothing.
	added, trimmed := companies[0].ID, companies[1].ID
	contact := p.emu.Records("contacts", false)[59].ID
	must(t, p.emu.Associate("companies", added, "contacts", contact, 280))
	if old := want(trimmed); len(old) > 0 {
		must(t, p.emu.Disassociate("companies", trimmed, "contacts", old[0]))
	}
	for _, id := range []string{added, trimmed} {
		must(t, p.emu.Update("companies", id, map[string]string{"name": "Changed " + id}))
	}
	time.Sleep(1100 * time.Millisecond) // past the 1 s settle lag
	second := companyContacts(t, p.mustSync(spec, "hubspot_crm_associations"))
	for _, id := range []string{added, trimmed} {
		got := second[id]
		slices.Sort(got)
		if !slices.Equal(got, want(id)) {
			t.Errorf("company %s: refreshed contacts %v, portal has %v", id, got, want(id))
		}
	}
	if !slices.Contains(second[added], contact) {
		t.Errorf("the new association %s -> %s was not sent", added, contact)
	}
	// The changed companies, and this run's slice of the rolling refresh (1/24 of them).
	if n, most := len(second), 2+(len(companies)+23)/24; n > most {
		t.Errorf("second sync refreshed %d companies, want the 2 changed ones and at most %d more", n, most-2)
	}

	full := companyContacts(t, p.mustSync(p.spec(map[string]any{"objects": []string{"contacts", "companies"},
		"associations": map[string]any{"full_refresh": true}}), "hubspot_crm_associations"))
	withContacts := 0
	for _, c := range companies {
		if len(want(c.ID)) > 0 {
			withContacts++
		}
	}
	if len(full) != withContacts {
		t.Errorf("a full refresh covered %d companies, want the %d with contacts", len(full), withContacts)
	}
}

func TestAssociationsCanBeTurnedOff(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 5, Counts: smallCounts})
	msgs := p.mustSync(p.spec(map[string]any{"objects": []string{"contacts", "companies"},
		"associations": map[string]any{"enabled": false}}), "*")
	if len(insertsFor(msgs, "hubspot_crm_associations")) != 0 {
		t.Error("associations synced with associations.enabled false")
	}
	for _, m := range msgs {
		if mt, ok := m.(*message.SyncMigrateTable); ok && mt.Table.Name == "hubspot_crm_associations" {
			t.Error("the associations table is still announced with associations.enabled false")
		}
	}
	if len(insertsFor(msgs, "hubspot_crm_contacts")) == 0 {
		t.Error("contacts missing")
	}
}

// assocKey is a record's associations to one object type.
type assocKey struct {
	from   string
	fromID int64
	to     string
}

// liveAssociations applies every association and refresh row of the syncs, in order, the way an
// append-only destination keeps them (an upserting one keeps a subset with the same answer), and
// returns the live associations the docs' query gives: the rows of each record's latest read.
func liveAssociations(t *testing.T, syncs ...message.SyncMessages) map[assocKey][]int64 {
	t.Helper()
	type row struct {
		key assocKey
		to  int64
		at  int64
	}
	var rows []row
	latest := map[assocKey]int64{}
	for _, msgs := range syncs {
		for _, rec := range insertsFor(msgs, "hubspot_crm_association_refreshes") {
			from := arrowtest.Column[*array.String](t, rec, "from_object_type")
			id := arrowtest.Column[*array.Int64](t, rec, "from_id")
			to := arrowtest.Column[*array.String](t, rec, "to_object_type")
			at := arrowtest.Column[*array.Timestamp](t, rec, "refreshed_at")
			for i := range int(rec.NumRows()) {
				k := assocKey{from.Value(i), id.Value(i), to.Value(i)}
				latest[k] = max(latest[k], int64(at.Value(i)))
			}
		}
		for _, rec := range insertsFor(msgs, "hubspot_crm_associations") {
			from := arrowtest.Column[*array.String](t, rec, "from_object_type")
			id := arrowtest.Column[*array.Int64](t, rec, "from_id")
			to := arrowtest.Column[*array.String](t, rec, "to_object_type")
			toID := arrowtest.Column[*array.Int64](t, rec, "to_id")
			at := arrowtest.Column[*array.Timestamp](t, rec, "refreshed_at")
			for i := range int(rec.NumRows()) {
				rows = append(rows, row{assocKey{from.Value(i), id.Value(i), to.Value(i)}, toID.Value(i), int64(at.Value(i))})
			}
		}
	}
	live := map[assocKey][]int64{}
	for _, r := range rows {
		if r.at == latest[r.key] && !slices.Contains(live[r.key], r.to) {
			live[r.key] = append(live[r.key], r.to)
		}
	}
	for k := range live {
		slices.Sort(live[k])
	}
	return live
}

func TestAssociationChangesBetweenUnchangedRecordsConverge(t *testing.T) {
	const runs = 3
	p := newPortal(t, emulator.Config{Seed: 7, Counts: smallCounts})
	spec := p.spec(map[string]any{"objects": []string{"contacts", "companies"}, "tombstone_interval": "0s",
		"associations": map[string]any{"refresh_runs": runs}})
	syncs := []message.SyncMessages{p.mustSync(spec, "hubspot_crm_associations")}

	companies := p.emu.Records("companies", false)
	contacts := p.emu.Records("contacts", false)
	var withContacts []string
	for _, c := range companies {
		if ids, err := p.emu.Associations("companies", c.ID, "contacts"); err == nil && len(ids) > 0 {
			withContacts = append(withContacts, c.ID)
		}
	}
	if len(withContacts) < 3 {
		t.Fatalf("the seed gives %d companies with contacts, the test needs 3", len(withContacts))
	}
	// Neither record of any of these changes is edited: only the refresh can see them.
	added, removed, archived := companies[len(companies)-1].ID, withContacts[0], withContacts[1]
	must(t, p.emu.Associate("companies", added, "contacts", contacts[3].ID, 280))
	old, err := p.emu.Associations("companies", removed, "contacts")
	must(t, err)
	for _, id := range old {
		must(t, p.emu.Disassociate("companies", removed, "contacts", id))
	}
	must(t, p.emu.Archive("companies", archived))

	for range runs {
		time.Sleep(1100 * time.Millisecond) // past the 1 s settle lag
		syncs = append(syncs, p.mustSync(spec, "hubspot_crm_associations"))
	}
	live := liveAssociations(t, syncs...)
	for _, c := range p.emu.Records("companies", false) {
		want, err := p.emu.Associations("companies", c.ID, "contacts")
		must(t, err)
		slices.Sort(want)
		id, _ := strconv.ParseInt(c.ID, 10, 64)
		got := live[assocKey{"companies", id, "contacts"}]
		if len(got) != len(want) || !slices.Equal(got, toInts(t, want)) {
			t.Errorf("company %s after %d runs: live contacts %v, portal has %v", c.ID, runs, got, want)
		}
	}
	id, _ := strconv.ParseInt(archived, 10, 64)
	if got := live[assocKey{"companies", id, "contacts"}]; len(got) > 0 {
		t.Errorf("archived company %s still has live associations %v", archived, got)
	}
}

// Synced with its object tables, the associations table takes the changes they found instead of
// searching for them again, whatever the concurrency, and still follows every changed record.
func TestAssociationsTakeTheObjectTablesChanges(t *testing.T) {
	for _, concurrency := range []int{1, 4} {
		t.Run(fmt.Sprintf("concurrency %d", concurrency), func(t *testing.T) {
			p, log := countedPortal(t, emulator.Config{Seed: 5, NoLimits: true, Counts: smallCounts})
			spec := p.spec(map[string]any{"objects": []string{"contacts", "companies"}, "concurrency": concurrency})
			tables := []string{"hubspot_crm_associations", "hubspot_crm_companies", "hubspot_crm_contacts"}
			p.mustSync(spec, tables...)
			time.Sleep(1100 * time.Millisecond) // past the 1 s settle lag
			p.mustSync(spec, tables...)

			company, contact := p.emu.Records("companies", false)[0].ID, p.emu.Records("contacts", false)[59].ID
			must(t, p.emu.Associate("companies", company, "contacts", contact, 280))
			must(t, p.emu.Update("companies", company, map[string]string{"name": "Changed"}))
			time.Sleep(1100 * time.Millisecond)
			before := log.len()
			got := companyContacts(t, p.mustSync(spec, tables...))
			if !slices.Contains(got[company], contact) {
				t.Errorf("the new association %s -> %s was not sent", company, contact)
			}
			searches := map[string]int{}
			for _, req := range log.since(before) {
				if path, ok := strings.CutSuffix(req, "/search"); ok {
					searches[path]++
				}
			}
			for path, n := range searches {
				if n != 1 {
					t.Errorf("%s/search: %d requests, want the object table's one", path, n)
				}
			}
			if len(searches) != 2 {
				t.Errorf("searched %v, want contacts and companies once each", searches)
			}
		})
	}
}

func toInts(t *testing.T, ids []string) []int64 {
	t.Helper()
	out := make([]int64, len(ids))
	for i, s := range ids {
		n, err := strconv.ParseInt(s, 10, 64)
		must(t, err)
		out[i] = n
	}
	slices.Sort(out)
	return out
}

// The CloudQuery CLI sets skip_dependent_tables by default; the refreshes come with the
// associations table anyway, unless skipped by name.
func TestAssociationRefreshesComeWithTheirTable(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 5, Counts: smallCounts})
	pl := hsplugin.Plugin()
	ctx := context.Background()
	must(t, pl.Init(ctx, p.spec(map[string]any{"objects": []string{"contacts", "companies"}}), plugin.NewClientOptions{}))
	defer pl.Close(ctx)
	for _, tc := range []struct {
		skip []string
		want bool
	}{
		{nil, true},
		{[]string{"hubspot_crm_association_refreshes"}, false},
	} {
		tables, err := pl.Tables(ctx, plugin.TableOptions{Tables: []string{"hubspot_crm_associations"}, SkipTables: tc.skip, SkipDependentTables: true})
		must(t, err)
		if got := tables.FlattenTables().Get("hubspot_crm_association_refreshes") != nil; got != tc.want {
			t.Errorf("skip %v: refreshes selected = %v, want %v", tc.skip, got, tc.want)
		}
	}
}
