package emulator

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// record finds one record of the ground truth by id.
func record(t *testing.T, e *Emulator, objectType, id string, archived bool) Record {
	t.Helper()
	for _, r := range e.Records(objectType, archived) {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("%s %s (archived=%v) not found", objectType, id, archived)
	return Record{}
}

func TestMutationHooks(t *testing.T) {
	h := newHarness(t, Config{Seed: 21})
	e := h.e
	h.clock.Advance(time.Hour)
	now := h.clock.Now().Truncate(time.Millisecond)

	id, err := e.Create("contacts", map[string]string{"email": "Hook.User@Example.com", "firstname": "Hook"})
	if err != nil {
		t.Fatal(err)
	}
	created := record(t, e, "contacts", id, false)
	if created.Properties["email"] != "hook.user@example.com" || !created.CreatedAt.Equal(now) || !created.UpdatedAt.Equal(now) {
		t.Errorf("created %+v", created)
	}
	all := e.Records("contacts", false)
	firstCompany := e.Records("companies", false)[0].ID
	if all[len(all)-1].ID != id {
		t.Errorf("new id %s is not the highest", id)
	}

	errCases := []struct {
		name string
		err  error
		want string
	}{
		{"unknown property", func() error { _, err := e.Create("contacts", map[string]string{"nope": "1"}); return err }(), "PROPERTY_DOESNT_EXIST"},
		{"duplicate email", func() error {
			_, err := e.Create("contacts", map[string]string{"email": "hook.user@example.com"})
			return err
		}(), "Existing ID: " + id},
		{"unknown type", func() error { _, err := e.Create("widgets", nil); return err }(), "unknown object type"},
		{"update missing", e.Update("contacts", "5", map[string]string{"firstname": "x"}), "not found"},
		{"associate bad type", e.Associate("contacts", id, "companies", firstCompany, 999), "no association type 999"},
		{"merge into itself", e.Merge("contacts", id, id), "itself"},
		{"set modified missing", e.SetModified("contacts", []string{"5"}, now), "not found"},
	}
	for _, tc := range errCases {
		if tc.err == nil || !strings.Contains(tc.err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", tc.name, tc.err, tc.want)
		}
	}

	h.clock.Advance(time.Minute)
	if err := e.Update("contacts", id, map[string]string{"firstname": "Hook"}); err != nil {
		t.Fatal(err)
	}
	if got := record(t, e, "contacts", id, false); !got.UpdatedAt.Equal(h.clock.Now().Truncate(time.Millisecond)) {
		t.Errorf("Update hook must bump last-modified: %v", got.UpdatedAt)
	}

	company := e.Records("companies", false)[0].ID
	if err := e.Associate("contacts", id, "companies", company, 101); err != nil {
		t.Fatal(err)
	}
	back, _ := e.Associations("companies", company, "contacts")
	if !slices.Contains(back, id) {
		t.Error("association not visible from the company")
	}
	st, body := h.call("POST", "/crm/v4/associations/contacts/companies/batch/read", map[string]any{"inputs": []any{map[string]any{"id": id}}})
	wantStatus(t, st, 200, body)
	if length(get(body, "results", 0, "to", 0, "associationTypes")) != 2 {
		t.Errorf("labelled association should carry the unlabeled type too: %v", body)
	}
	if err := e.Disassociate("companies", company, "contacts", id); err != nil {
		t.Fatal(err)
	}
	if back, _ := e.Associations("contacts", id, "companies"); len(back) != 0 {
		t.Errorf("disassociate left %v", back)
	}

	recs := e.Records("companies", false)
	primary, merged := recs[1], recs[2]
	mergedAssocs, _ := e.Associations("companies", merged.ID, "contacts")
	if err := e.Merge("companies", primary.ID, merged.ID); err != nil {
		t.Fatal(err)
	}
	if got := record(t, e, "companies", primary.ID, false); !got.UpdatedAt.Equal(h.clock.Now().Truncate(time.Millisecond)) {
		t.Errorf("merge did not bump the primary: %v", got.UpdatedAt)
	}
	for _, archived := range []bool{false, true} {
		if slices.ContainsFunc(e.Records("companies", archived), func(r Record) bool { return r.ID == merged.ID }) {
			t.Errorf("merged-away company %s is listed (archived=%v); HubSpot lists it nowhere", merged.ID, archived)
		}
	}
	if got := record(t, e, "companies", primary.ID, false).Properties["hs_merged_object_ids"]; got != merged.ID {
		t.Errorf("survivor's hs_merged_object_ids = %q, want %q", got, merged.ID)
	}
	primaryAssocs, _ := e.Associations("companies", primary.ID, "contacts")
	for _, c := range mergedAssocs {
		if !slices.Contains(primaryAssocs, c) {
			t.Errorf("association to contact %s did not move to the primary", c)
		}
	}

	h.clock.Advance(time.Minute)
	victim := e.Records("deals", false)[4]
	if err := e.Archive("deals", victim.ID); err != nil {
		t.Fatal(err)
	}
	if got := record(t, e, "deals", victim.ID, true); !got.UpdatedAt.Equal(victim.UpdatedAt) {
		t.Errorf("archive changed last-modified")
	}

	bulk := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	var dealIDs []string
	for _, r := range e.Records("deals", false)[:30] {
		dealIDs = append(dealIDs, r.ID)
	}
	if err := e.SetModified("deals", dealIDs, bulk); err != nil {
		t.Fatal(err)
	}
	got := searchAll(t, h, "deals", map[string]any{"filterGroups": groups([]map[string]any{filter("hs_lastmodifieddate", "EQ", bulk.UnixMilli())}),
		"sorts": []string{"hs_lastmodifieddate"}})
	if !slices.Equal(got, dealIDs) {
		t.Errorf("search by the bulk timestamp found %d of %d, in id order: %v", len(got), len(dealIDs), got)
	}
}
