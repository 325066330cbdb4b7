package catalog

import (
	"regexp"
	"slices"
	"testing"
)

// TestEntriesAreComplete holds every entry to the facts the source, the destination and the error
// hints rely on, so that a new entry cannot silently miss one.
func TestEntriesAreComplete(t *testing.T) {
	typeID := regexp.MustCompile(`^0-\d+$`)
	seen := map[string]bool{}
	for _, o := range Standard {
		for _, key := range []string{o.Name, o.TypeID} {
			if seen[key] {
				t.Errorf("%s: %q appears twice in the catalog", o.Name, key)
			}
			seen[key] = true
		}
		if !typeID.MatchString(o.TypeID) {
			t.Errorf("%s: type id %q is not a standard object's (0-N)", o.Name, o.TypeID)
		}
		if o.ModifiedProperty == "" || o.ReadScope == "" {
			t.Errorf("%s: needs a last-modified property and a read scope", o.Name)
		}
		if (o.Pipeline == "") != (o.Stage == "") {
			t.Errorf("%s: pipeline %q and stage %q come as a pair", o.Name, o.Pipeline, o.Stage)
		}
		for _, to := range o.AssociatesTo {
			if _, ok := Lookup(to); !ok || to == o.Name {
				t.Errorf("%s: associates to %q, which is not another standard object", o.Name, to)
			}
		}
	}
	for _, to := range CustomTargets {
		if _, ok := Lookup(to); !ok {
			t.Errorf("custom objects associate to %q, which is not a standard object", to)
		}
	}
}

func TestLookup(t *testing.T) {
	cases := []struct {
		key, want string
		found     bool
	}{
		{"contacts", "contacts", true},
		{"0-5", "tickets", true},
		{"tasks", "tasks", true},
		{"cars", "", false},
		{"2-123", "", false},
	}
	for _, tc := range cases {
		o, ok := Lookup(tc.key)
		if ok != tc.found || o.Name != tc.want {
			t.Errorf("Lookup(%q) = %q, %v; want %q, %v", tc.key, o.Name, ok, tc.want, tc.found)
		}
	}
	if tickets, _ := Lookup("tickets"); tickets.ReadOnly() || !tickets.HasPipelines() {
		t.Error("tickets are writable and have pipelines")
	}
	if deals, _ := Lookup("deals"); !slices.Equal(deals.AssociatesTo, []string{"contacts", "companies"}) {
		t.Errorf("deals associate to %v by default, want contacts and companies", deals.AssociatesTo)
	}
}
