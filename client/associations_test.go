package client_test

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/message"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
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
	if n := len(second); n != 2 {
		t.Errorf("second sync refreshed %d companies, want the 2 changed ones", n)
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
