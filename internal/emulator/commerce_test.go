package emulator

import (
	"maps"
	"slices"
	"testing"
)

// TestCommerceObjects holds the commerce, sales and service objects to HubSpot's contract: each
// is listed, searched and batch-read in both path families by name and type id, has its
// associations, asks for its own scope, and the read-only ones refuse writes.
func TestCommerceObjects(t *testing.T) {
	t.Run("list, search, batch read and associations", func(t *testing.T) {
		t.Parallel()
		checkCommerceReads(t, newHarness(t, Config{NoLimits: true}))
	})
	t.Run("scopes", func(t *testing.T) {
		t.Parallel()
		checkCommerceScopes(t, newHarness(t, Config{NoLimits: true, Scopes: []string{"crm.objects.contacts.read", "crm.objects.contacts.write"}}))
	})
	t.Run("read-only types refuse writes", func(t *testing.T) {
		t.Parallel()
		checkReadOnlyTypes(t, newHarness(t, Config{NoLimits: true}))
	})
}

func checkCommerceReads(t *testing.T, h *harness) {
	counts := smallCounts()
	for _, name := range slices.Sorted(maps.Keys(commerceCounts)) {
		typ := h.e.typeKeys[name]
		for _, f := range pathFamilies {
			for _, key := range []string{name, typ.typeID} {
				st, body := h.call("GET", f.objects+"/"+key+"?limit=5", nil)
				wantStatus(t, st, 200, body)
				listed := ids(body["results"])
				if len(listed) != 5 {
					t.Fatalf("%s %s: listed %d records, want 5", f.objects, key, len(listed))
				}
				search := map[string]any{"after": "", "filterGroups": []any{}, "sorts": []any{}, "properties": []any{}, "limit": 5}
				st, body = h.call("POST", f.objects+"/"+key+"/search", search)
				wantStatus(t, st, 200, body)
				if total, _ := body["total"].(float64); int(total) != counts[name] {
					t.Errorf("%s %s search: total %v, want %d", f.objects, key, body["total"], counts[name])
				}
				inputs := make([]any, len(listed))
				for i, id := range listed {
					inputs[i] = map[string]any{"id": id}
				}
				st, body = h.call("POST", f.objects+"/"+key+"/batch/read", map[string]any{"inputs": inputs, "properties": []string{typ.primaryDisplay}})
				wantStatus(t, st, 200, body)
				if got := ids(body["results"]); !sameSet(got, listed) {
					t.Errorf("%s %s batch read: ids %v, want %v", f.objects, key, got, listed)
				}
			}
		}
		sides := h.e.assoc.pairsOf(name)
		if len(sides) == 0 && name != "products" && name != "goal_targets" {
			t.Errorf("%s has no associations", name)
		}
		for _, sd := range sides {
			to := sd.to().typ.name
			st, body := h.call("GET", "/crm/v4/associations/"+name+"/"+to+"/labels", nil)
			wantStatus(t, st, 200, body)
			if get(body, "results", 0, "category") != "HUBSPOT_DEFINED" {
				t.Errorf("%s->%s: label %v, want a HubSpot-defined type", name, to, get(body, "results", 0))
			}
		}
	}
}

func sameSet(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

func checkCommerceScopes(t *testing.T, h *harness) {
	cases := []struct{ method, path, scope string }{
		{"GET", "/crm/v3/objects/products", "crm.objects.products.read"},
		{"POST", "/crm/v3/objects/line_items/search", "crm.objects.line_items.read"},
		{"POST", "/crm/objects/2026-09/quotes/batch/read", "crm.objects.quotes.read"},
		{"GET", "/crm/v3/properties/leads", "crm.objects.leads.read"},
		{"GET", "/crm/objects/2026-09/0-53", "crm.objects.invoices.read"},
		{"GET", "/crm/v3/objects/goal_targets", "crm.objects.goals.read"},
		{"GET", "/crm/v3/objects/feedback_submissions", "crm.objects.feedback_submissions.read"},
		{"GET", "/crm/v3/objects/orders", "crm.objects.orders.read"},
		{"GET", "/crm/v3/objects/0-142", "crm.objects.carts.read"},
		{"POST", "/crm/v3/objects/products", "crm.objects.products.write"},
		{"GET", "/crm/v3/objects/communications?associations=deals", "crm.objects.deals.read"},
	}
	for _, tc := range cases {
		st, body := h.call(tc.method, tc.path, map[string]any{"inputs": []any{}, "properties": map[string]any{}})
		wantStatus(t, st, 403, body)
		wantErrorBody(t, body, "MISSING_SCOPES")
		if got := get(body, "errors", 0, "context", "requiredGranularScopes", 0); got != tc.scope {
			t.Errorf("%s %s: required scope %v, want %s", tc.method, tc.path, got, tc.scope)
		}
	}
	for _, path := range []string{"/crm/v3/objects/communications?limit=1", "/crm/objects/2026-09/postal_mail?limit=1"} {
		st, body := h.call("GET", path, nil)
		wantStatus(t, st, 200, body)
	}
}

func checkReadOnlyTypes(t *testing.T, h *harness) {
	st, body := h.call("GET", "/crm/v3/objects/feedback_submissions?limit=1", nil)
	wantStatus(t, st, 200, body)
	id := get(body, "results", 0, "id").(string)
	for _, f := range pathFamilies {
		o := f.objects + "/feedback_submissions"
		writes := []struct {
			method, path string
			body         any
		}{
			{"POST", o, map[string]any{"properties": map[string]any{"hs_content": "x"}}},
			{"PATCH", o + "/" + id, map[string]any{"properties": map[string]any{"hs_content": "x"}}},
			{"DELETE", o + "/" + id, nil},
			{"POST", o + "/batch/create", map[string]any{"inputs": []any{map[string]any{"properties": map[string]any{"hs_content": "x"}, "associations": []any{}}}}},
			{"POST", o + "/batch/update", map[string]any{"inputs": []any{map[string]any{"id": id, "properties": map[string]any{"hs_content": "x"}}}}},
			{"POST", o + "/batch/archive", map[string]any{"inputs": []any{map[string]any{"id": id}}}},
		}
		for _, w := range writes {
			st, body := h.call(w.method, w.path, w.body)
			wantStatus(t, st, 400, body)
			wantErrorBody(t, body, "VALIDATION_ERROR")
		}
		st, body := h.call("POST", o+"/batch/read", map[string]any{"inputs": []any{map[string]any{"id": id}}, "properties": []string{}})
		wantStatus(t, st, 200, body)
	}
	st, body = h.call("GET", "/crm/v3/objects/feedback_submissions/"+id, nil)
	wantStatus(t, st, 200, body)
	if get(body, "archived") != false {
		t.Errorf("a refused archive archived the record: %v", body)
	}
}
