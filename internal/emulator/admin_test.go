package emulator

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// adminGet reads an admin endpoint, decoding its JSON body.
func adminGet[T any](t *testing.T, h *harness, path string) (int, T) {
	t.Helper()
	resp, data, err := h.raw("GET", path, nil, nil)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	var out T
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("GET %s: decode %q: %v", path, data, err)
	}
	return resp.StatusCode, out
}

// TestAdminLiveRecords checks the read-only ground truth of live records: every live record, or
// those the filter groups match, whatever the search index's lag, never archived or merged-away
// ones; and a bad request names what is wrong.
func TestAdminLiveRecords(t *testing.T) {
	h := newHarness(t, Config{Seed: 5, SearchLag: time.Hour})
	contacts := h.e.Records("contacts", false)
	mustDo(t, h.e.Archive("contacts", contacts[0].ID))
	mustDo(t, h.e.Merge("contacts", contacts[1].ID, contacts[2].ID))
	mustDo(t, h.e.Update("contacts", contacts[3].ID, map[string]string{"lifecyclestage": "evangelist"}))

	liveWith := func(keep func(Record) bool) []string {
		ids := []string{}
		for _, r := range h.e.Records("contacts", false) {
			if keep(r) {
				ids = append(ids, r.ID)
			}
		}
		return ids
	}
	stage := func(stages ...string) func(Record) bool {
		return func(r Record) bool { return slices.Contains(stages, r.Properties["lifecyclestage"]) }
	}
	for _, tc := range []struct {
		name, groups string
		want         []string
	}{
		{"every live record", "", liveWith(func(Record) bool { return true })},
		{"one group", `[{"filters":[{"propertyName":"lifecyclestage","operator":"EQ","value":"evangelist"}]}]`, liveWith(stage("evangelist"))},
		{"groups ORed", `[{"filters":[{"propertyName":"lifecyclestage","operator":"EQ","value":"lead"}]},{"filters":[{"propertyName":"lifecyclestage","operator":"IN","values":["customer","evangelist"]}]}]`,
			liveWith(stage("lead", "customer", "evangelist"))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := "/_emulator/records/contacts"
			if tc.groups != "" {
				path += "?filterGroups=" + url.QueryEscape(tc.groups)
			}
			st, got := adminGet[struct{ IDs []string }](t, h, path)
			if st != 200 || !slices.Equal(got.IDs, tc.want) {
				t.Errorf("status %d, %d ids %.5v, want 200 and the %d records %.5v", st, len(got.IDs), got.IDs, len(tc.want), tc.want)
			}
			if slices.ContainsFunc(got.IDs, func(id string) bool { return id == contacts[0].ID || id == contacts[2].ID }) {
				t.Errorf("an archived or merged-away record is listed as live")
			}
		})
	}

	for _, tc := range []struct{ name, path, want string }{
		{"unknown type", "/_emulator/records/unicorns", "unicorns"},
		{"filterGroups not JSON", "/_emulator/records/contacts?filterGroups=lifecyclestage", "filterGroups"},
		{"unknown property", "/_emulator/records/contacts?filterGroups=" + url.QueryEscape(`[{"filters":[{"propertyName":"nope","operator":"EQ","value":"x"}]}]`), "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st, got := adminGet[map[string]any](t, h, tc.path)
			if msg, _ := got["error"].(string); st != 400 || !strings.Contains(msg, tc.want) {
				t.Errorf("status %d, body %v; want 400 with an error naming %q", st, got, tc.want)
			}
		})
	}
}

// TestAdminAssociations checks the read-only ground truth of associations: one entry per type,
// with its id, category and label, for live records only, following creates and removals.
func TestAdminAssociations(t *testing.T) {
	h := newHarness(t, Config{Seed: 5})
	contacts, companies := h.e.Records("contacts", false), h.e.Records("companies", false)
	linked, archived := contacts[0], contacts[1]
	before, err := h.e.Associations("contacts", linked.ID, "companies")
	mustDo(t, err)
	mustDo(t, h.e.Disassociate("contacts", linked.ID, "companies", before[0]))
	mustDo(t, h.e.Associate("contacts", linked.ID, "companies", companies[len(companies)-1].ID, 101))
	mustDo(t, h.e.Archive("contacts", archived.ID))

	type association struct {
		FromID, ToID string
		TypeID       int
		Category     string
		Label        *string
	}
	st, got := adminGet[struct{ Results []association }](t, h, "/_emulator/associations/contacts/companies")
	if st != 200 {
		t.Fatalf("status %d", st)
	}
	pairs := map[string][]string{}
	for _, a := range got.Results {
		if !slices.Contains(pairs[a.FromID], a.ToID) {
			pairs[a.FromID] = append(pairs[a.FromID], a.ToID)
		}
		if a.FromID == linked.ID && a.ToID == companies[len(companies)-1].ID && a.TypeID == 101 {
			if a.Category != "USER_DEFINED" || a.Label == nil || *a.Label != "Billing contact" {
				t.Errorf("labelled association: %+v, want USER_DEFINED Billing contact", a)
			}
		}
	}
	for _, c := range h.e.Records("contacts", false) {
		want, err := h.e.Associations("contacts", c.ID, "companies")
		mustDo(t, err)
		if !slices.Equal(pairs[c.ID], want) {
			t.Errorf("contact %s: associated with %v, want %v", c.ID, pairs[c.ID], want)
		}
	}
	if _, ok := pairs[archived.ID]; ok {
		t.Errorf("archived contact %s still lists associations", archived.ID)
	}
	if len(pairs) == 0 {
		t.Fatal("no associations listed")
	}

	if st, body := adminGet[map[string]any](t, h, "/_emulator/associations/contacts/unicorns"); st != 400 || !strings.Contains(body["error"].(string), "unicorns") {
		t.Errorf("unknown type: status %d, body %v; want 400 naming it", st, body)
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
