package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listFamilies are the two path families of the Lists API.
var listFamilies = []struct {
	name, prefix string
	v2026        bool
}{
	{"v3", "/crm/v3/lists", false},
	{"2026-09", "/crm/lists/2026-09", true},
}

// fullListSearch is a search body with every field either family's spec requires.
func fullListSearch(extra map[string]any) map[string]any {
	body := map[string]any{"additionalProperties": []string{}, "listIds": []string{}, "offset": 0, "processingTypes": []string{}}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// listByType finds the seeded list of one object type and processing type.
func listByType(t *testing.T, e *Emulator, objectTypeID, processing string) List {
	t.Helper()
	for _, l := range e.Lists() {
		if l.ObjectTypeID == objectTypeID && l.ProcessingType == processing {
			return l
		}
	}
	t.Fatalf("no %s list of %s", processing, objectTypeID)
	return List{}
}

// walkMemberships reads every page of a list's memberships and returns the record ids in order.
func (h *harness) walkMemberships(prefix, listID string, limit int) []string {
	h.t.Helper()
	var out []string
	after := ""
	for {
		path := prefix + "/" + listID + "/memberships?limit=" + strconv.Itoa(limit)
		if after != "" {
			path += "&after=" + after
		}
		status, body := h.call("GET", path, nil)
		wantStatus(h.t, status, http.StatusOK, body)
		for i := range length(body["results"]) {
			r := get(body, "results", i).(map[string]any)
			if _, err := time.Parse(time.RFC3339, r["membershipTimestamp"].(string)); err != nil {
				h.t.Fatalf("membershipTimestamp %v: %v", r["membershipTimestamp"], err)
			}
			out = append(out, r["recordId"].(string))
		}
		next, _ := get(body, "paging", "next", "after").(string)
		if next == "" {
			return out
		}
		after = next
	}
}

func TestListsSearchPagesAndFilters(t *testing.T) {
	h := newHarness(t, Config{Seed: 7, NoLimits: true})
	all := h.e.Lists()
	if len(all) < 6 {
		t.Fatalf("%d seeded lists, want at least 6", len(all))
	}
	for _, f := range listFamilies {
		t.Run(f.name, func(t *testing.T) {
			var seen []string
			offset := 0
			for {
				status, body := h.call("POST", f.prefix+"/search", fullListSearch(map[string]any{"offset": offset, "count": 4}))
				wantStatus(t, status, http.StatusOK, body)
				if int(body["total"].(float64)) != len(all) {
					t.Fatalf("total %v, want %d", body["total"], len(all))
				}
				for i := range length(body["lists"]) {
					l := get(body, "lists", i).(map[string]any)
					for _, field := range []string{"listId", "listVersion", "name", "objectTypeId", "processingStatus", "processingType", "additionalProperties"} {
						if _, ok := l[field]; !ok {
							t.Fatalf("list %v lacks required field %s", l, field)
						}
					}
					if get(l, "additionalProperties", "hs_list_size") == nil {
						t.Fatalf("list %v lacks hs_list_size", l)
					}
					seen = append(seen, l["listId"].(string))
				}
				offset = int(body["offset"].(float64))
				if body["hasMore"] != true {
					break
				}
			}
			var want []string
			for _, l := range all {
				want = append(want, l.ID)
			}
			if !slices.Equal(seen, want) {
				t.Fatalf("paged lists %v, want %v", seen, want)
			}
		})
	}

	tests := []struct {
		name  string
		body  map[string]any
		want  int // lists, or -1 for a 400
		check func(l map[string]any) bool
	}{
		{"processing type", fullListSearch(map[string]any{"processingTypes": []string{ListDynamic}}), 2,
			func(l map[string]any) bool { return l["processingType"] == ListDynamic }},
		{"object type", fullListSearch(map[string]any{"objectTypeId": "0-2"}), 3,
			func(l map[string]any) bool { return l["objectTypeId"] == "0-2" }},
		{"name query", fullListSearch(map[string]any{"query": "webinar"}), 1,
			func(l map[string]any) bool { return strings.Contains(strings.ToLower(l["name"].(string)), "webinar") }},
		{"list ids", fullListSearch(map[string]any{"listIds": []string{"1", "3"}}), 2,
			func(l map[string]any) bool { return l["listId"] == "1" || l["listId"] == "3" }},
		{"unknown processing type", fullListSearch(map[string]any{"processingTypes": []string{"STATIC"}}), -1, nil},
		{"count above 500", fullListSearch(map[string]any{"count": 501}), -1, nil},
		{"zero count", fullListSearch(map[string]any{"count": 0}), -1, nil},
		{"negative offset", fullListSearch(map[string]any{"offset": -1}), -1, nil},
		{"no offset", map[string]any{"additionalProperties": []string{}}, -1, nil},
		{"no additionalProperties", map[string]any{"offset": 0}, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := h.call("POST", "/crm/v3/lists/search", tt.body)
			if tt.want < 0 {
				wantStatus(t, status, http.StatusBadRequest, body)
				wantErrorBody(t, body, catValidation)
				return
			}
			wantStatus(t, status, http.StatusOK, body)
			if n := length(body["lists"]); n != tt.want {
				t.Fatalf("%d lists, want %d: %v", n, tt.want, body)
			}
			for i := range length(body["lists"]) {
				if l := get(body, "lists", i).(map[string]any); !tt.check(l) {
					t.Fatalf("list %v does not match the search", l)
				}
			}
		})
	}

	t.Run("2026-09 requires listIds and processingTypes", func(t *testing.T) {
		body := map[string]any{"additionalProperties": []string{}, "offset": 0}
		status, resp := h.call("POST", "/crm/lists/2026-09/search", body)
		wantStatus(t, status, http.StatusBadRequest, resp)
		if msg := resp["message"].(string); !strings.Contains(msg, "listIds") || !strings.Contains(msg, "processingTypes") {
			t.Fatalf("message %q does not name the missing fields", msg)
		}
		status, resp = h.call("POST", "/crm/v3/lists/search", body)
		wantStatus(t, status, http.StatusOK, resp)
	})
}

func TestListsGetAndErrors(t *testing.T) {
	h := newHarness(t, Config{Seed: 7, NoLimits: true})
	dynamic := listByType(t, h.e, "0-1", ListDynamic)
	for _, f := range listFamilies {
		t.Run(f.name, func(t *testing.T) {
			status, body := h.call("GET", f.prefix+"/"+dynamic.ID+"?includeFilters=true", nil)
			wantStatus(t, status, http.StatusOK, body)
			if got := get(body, "list", "size"); got != float64(len(dynamic.Members)) {
				t.Fatalf("size %v, want %d", got, len(dynamic.Members))
			}
			if get(body, "list", "filterBranch", "filterBranches", 0, "filters", 0, "property") != "lifecyclestage" {
				t.Fatalf("filterBranch %v does not hold the list's rule", get(body, "list", "filterBranch"))
			}
			status, body = h.call("GET", f.prefix+"/"+dynamic.ID, nil)
			wantStatus(t, status, http.StatusOK, body)
			if get(body, "list", "filterBranch") != nil {
				t.Fatal("filterBranch returned without includeFilters")
			}
		})
	}

	tests := []struct {
		name, method, path string
		body               any
		status             int
		category           string
	}{
		{"unknown list", "GET", "/crm/v3/lists/999", nil, http.StatusNotFound, catNotFound},
		{"unknown list memberships", "GET", "/crm/lists/2026-09/999/memberships", nil, http.StatusNotFound, catNotFound},
		{"list id not a number", "GET", "/crm/v3/lists/abc", nil, http.StatusBadRequest, catValidation},
		{"bad includeFilters", "GET", "/crm/v3/lists/1?includeFilters=yes", nil, http.StatusBadRequest, catValidation},
		{"limit above 250", "GET", "/crm/v3/lists/1/memberships?limit=251", nil, http.StatusBadRequest, catValidation},
		{"zero limit", "GET", "/crm/v3/lists/1/memberships?limit=0", nil, http.StatusBadRequest, catValidation},
		{"forged after", "GET", "/crm/v3/lists/1/memberships?after=1001", nil, http.StatusBadRequest, catValidation},
		{"add to unknown list", "PUT", "/crm/v3/lists/999/memberships/add", []string{"1"}, http.StatusNotFound, catNotFound},
		{"add without a body", "PUT", "/crm/v3/lists/1/memberships/add", "", http.StatusBadRequest, catValidation},
		{"add ids as an object", "PUT", "/crm/v3/lists/1/memberships/add", map[string]any{"ids": []string{"1"}}, http.StatusBadRequest, catValidation},
		{"add to a dynamic list", "PUT", "/crm/v3/lists/" + dynamic.ID + "/memberships/add", []string{dynamic.Members[0]}, http.StatusBadRequest, catValidation},
		{"remove from a dynamic list", "PUT", "/crm/lists/2026-09/" + dynamic.ID + "/memberships/remove", []string{dynamic.Members[0]}, http.StatusBadRequest, catValidation},
		{"record memberships by type name", "GET", "/crm/v3/lists/records/contacts/1001/memberships", nil, http.StatusBadRequest, catValidation},
		{"record memberships of no record", "GET", "/crm/v3/lists/records/0-1/1/memberships", nil, http.StatusNotFound, catNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := h.call(tt.method, tt.path, tt.body)
			wantStatus(t, status, tt.status, body)
			wantErrorBody(t, body, tt.category)
		})
	}
}

func TestListsMembershipPaging(t *testing.T) {
	h := newHarness(t, Config{Seed: 7, NoLimits: true})
	for _, l := range h.e.Lists() {
		for _, f := range listFamilies {
			t.Run(l.Name+" "+f.name, func(t *testing.T) {
				got := h.walkMemberships(f.prefix, l.ID, 7)
				if !slices.Equal(got, l.Members) {
					t.Fatalf("memberships %v, want %v", got, l.Members)
				}
				if len(l.Members) == 0 {
					t.Fatal("seeded list is empty")
				}
			})
		}
	}

	t.Run("ids ascend numerically and before pages descend", func(t *testing.T) {
		l := listByType(t, h.e, "0-1", ListManual)
		if !slices.IsSortedFunc(l.Members, func(a, b string) int {
			x, _ := strconv.ParseUint(a, 10, 64)
			y, _ := strconv.ParseUint(b, 10, 64)
			return int(x) - int(y)
		}) {
			t.Fatalf("members not in numeric order: %v", l.Members)
		}
		status, first := h.call("GET", "/crm/v3/lists/"+l.ID+"/memberships?limit=5", nil)
		wantStatus(t, status, http.StatusOK, first)
		status, second := h.call("GET", "/crm/v3/lists/"+l.ID+"/memberships?limit=5&after="+get(first, "paging", "next", "after").(string), nil)
		wantStatus(t, status, http.StatusOK, second)
		before := get(second, "paging", "prev", "before").(string)
		status, back := h.call("GET", "/crm/v3/lists/"+l.ID+"/memberships?limit=3&before="+before, nil)
		wantStatus(t, status, http.StatusOK, back)
		var gotBack []string
		for i := range length(back["results"]) {
			gotBack = append(gotBack, get(back, "results", i, "recordId").(string))
		}
		want := slices.Clone(l.Members[2:5])
		slices.Reverse(want)
		if !slices.Equal(gotBack, want) {
			t.Fatalf("before page %v, want %v", gotBack, want)
		}
		if int(first["total"].(float64)) != len(l.Members) {
			t.Fatalf("total %v, want %d", first["total"], len(l.Members))
		}
	})
}

func TestListsMembershipChanges(t *testing.T) {
	h := newHarness(t, Config{Seed: 7, NoLimits: true})
	manual := listByType(t, h.e, "0-1", ListManual)
	outsider := ""
	for _, r := range h.e.Records("contacts", false) {
		if !slices.Contains(manual.Members, r.ID) {
			outsider = r.ID
			break
		}
	}
	for _, f := range listFamilies {
		t.Run(f.name, func(t *testing.T) {
			h.clock.Advance(time.Minute)
			status, body := h.call("PUT", f.prefix+"/"+manual.ID+"/memberships/add", []string{outsider, manual.Members[0], "424242424242"})
			wantStatus(t, status, http.StatusOK, body)
			if got := get(body, "recordsIdsAdded"); length(got) != 1 || get(got, 0) != outsider {
				t.Fatalf("recordsIdsAdded %v, want only %s (a member added again is ignored)", got, outsider)
			}
			if got := get(body, "recordIdsMissing"); length(got) != 1 || get(got, 0) != "424242424242" {
				t.Fatalf("recordIdsMissing %v, want the unknown id", got)
			}
			now := h.e.Lists()[0]
			if !now.JoinedAt[outsider].Equal(h.clock.Now()) {
				t.Fatalf("joined at %v, want now %v", now.JoinedAt[outsider], h.clock.Now())
			}
			status, body = h.call("PUT", f.prefix+"/"+manual.ID+"/memberships/remove", []string{outsider, outsider})
			wantStatus(t, status, http.StatusOK, body)
			if got := get(body, "recordIdsRemoved"); length(got) != 1 {
				t.Fatalf("recordIdsRemoved %v, want %s once", got, outsider)
			}
			if slices.Contains(h.walkMemberships(f.prefix, manual.ID, 250), outsider) {
				t.Fatalf("%s still a member after removal", outsider)
			}
			status, body = h.call("GET", f.prefix+"/"+manual.ID, nil)
			wantStatus(t, status, http.StatusOK, body)
			if get(body, "list", "size") != float64(len(manual.Members)) {
				t.Fatalf("size %v, want %d", get(body, "list", "size"), len(manual.Members))
			}
		})
	}

	t.Run("archived records leave lists", func(t *testing.T) {
		gone := manual.Members[1]
		if err := h.e.Archive("contacts", gone); err != nil {
			t.Fatal(err)
		}
		if slices.Contains(h.walkMemberships("/crm/v3/lists", manual.ID, 100), gone) {
			t.Fatalf("archived %s still listed", gone)
		}
	})

	t.Run("admin hooks", func(t *testing.T) {
		resp, data, err := h.raw("POST", "/_emulator/mutate", map[string]any{"op": "listAdd", "listId": manual.ID, "ids": []string{outsider}}, nil)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("listAdd: %v %s", err, data)
		}
		if !slices.Contains(h.e.Lists()[0].Members, outsider) {
			t.Fatalf("%s not added by the admin hook", outsider)
		}
		if err := h.e.RemoveFromList(manual.ID, []string{outsider}); err != nil {
			t.Fatal(err)
		}
		if err := h.e.AddToList(manual.ID, []string{"1"}); err == nil {
			t.Fatal("adding an unknown record succeeded")
		}
		dynamic := listByType(t, h.e, "0-1", ListDynamic)
		if err := h.e.AddToList(dynamic.ID, []string{outsider}); err == nil || !strings.Contains(err.Error(), "DYNAMIC") {
			t.Fatalf("adding to a dynamic list: %v, want a refusal naming DYNAMIC", err)
		}
	})
}

func TestListsDynamicFollowsRecords(t *testing.T) {
	h := newHarness(t, Config{Seed: 7, NoLimits: true})
	dynamic := listByType(t, h.e, "0-1", ListDynamic)
	for _, r := range h.e.Records("contacts", false) {
		inList := slices.Contains(dynamic.Members, r.ID)
		if matches := r.Properties["lifecyclestage"] == "evangelist"; matches != inList {
			t.Fatalf("contact %s lifecyclestage %q, member %t", r.ID, r.Properties["lifecyclestage"], inList)
		}
	}
	leaver := dynamic.Members[0]
	var joiner string
	for _, r := range h.e.Records("contacts", false) {
		if r.Properties["lifecyclestage"] != "evangelist" {
			joiner = r.ID
			break
		}
	}
	h.clock.Advance(time.Hour)
	if err := h.e.Update("contacts", leaver, map[string]string{"lifecyclestage": "customer"}); err != nil {
		t.Fatal(err)
	}
	status, body := h.call("PATCH", "/crm/v3/objects/contacts/"+joiner, map[string]any{"properties": map[string]string{"lifecyclestage": "evangelist"}})
	wantStatus(t, status, http.StatusOK, body)
	got := h.walkMemberships("/crm/v3/lists", dynamic.ID, 250)
	if slices.Contains(got, leaver) || !slices.Contains(got, joiner) {
		t.Fatalf("after the updates members are %v: want %s gone and %s in", got, leaver, joiner)
	}
	status, body = h.call("GET", "/crm/v3/lists/records/0-1/"+joiner+"/memberships", nil)
	wantStatus(t, status, http.StatusOK, body)
	var listIDs []string
	for i := range length(body["results"]) {
		listIDs = append(listIDs, get(body, "results", i, "listId").(string))
		if get(body, "results", i, "lastAddedTimestamp") == nil {
			t.Fatalf("membership %v lacks lastAddedTimestamp", get(body, "results", i))
		}
	}
	if !slices.Contains(listIDs, dynamic.ID) {
		t.Fatalf("record memberships %v lack the dynamic list %s", listIDs, dynamic.ID)
	}
}

func TestListsScopes(t *testing.T) {
	tests := []struct {
		name, method, path string
		body               any
		scopes             []string
		missing            string
	}{
		{"search without read", "POST", "/crm/v3/lists/search", fullListSearch(nil), []string{"crm.objects.contacts.read"}, listsReadScope},
		{"get without read", "GET", "/crm/lists/2026-09/1", nil, []string{}, listsReadScope},
		{"memberships without read", "GET", "/crm/v3/lists/1/memberships", nil, []string{listsWriteScope}, listsReadScope},
		{"add without write", "PUT", "/crm/v3/lists/1/memberships/add", []string{"1"}, []string{listsReadScope}, listsWriteScope},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{Seed: 7, NoLimits: true, Scopes: tt.scopes})
			status, body := h.call(tt.method, tt.path, tt.body)
			wantStatus(t, status, http.StatusForbidden, body)
			wantErrorBody(t, body, catMissingScope)
			if got := get(body, "errors", 0, "context", "requiredGranularScopes", 0); got != tt.missing {
				t.Fatalf("missing scope %v, want %s", got, tt.missing)
			}
		})
	}
}

// Lists are seeded from the seed alone: two portals with one seed agree, member for member.
func TestListsSeededDeterministically(t *testing.T) {
	a := newHarness(t, Config{Seed: 11, NoLimits: true}).e.Lists()
	b := newHarness(t, Config{Seed: 11, NoLimits: true}).e.Lists()
	for i := range a {
		if !slices.Equal(a[i].Members, b[i].Members) {
			t.Fatalf("list %s differs between emulators built with one seed", a[i].ID)
		}
		for id, at := range a[i].JoinedAt {
			if !b[i].JoinedAt[id].Equal(at) {
				t.Fatalf("list %s member %s joined at %v and %v", a[i].ID, id, at, b[i].JoinedAt[id])
			}
		}
	}
}

// A deleted list leaves searches and answers 404, as HubSpot's deleted lists do until restored.
func TestListsDeletedLeaveTheAPI(t *testing.T) {
	h := newHarness(t, Config{Seed: 7, NoLimits: true})
	gone := listByType(t, h.e, "0-2", ListManual)
	if err := h.e.DeleteList(gone.ID); err != nil {
		t.Fatal(err)
	}
	status, body := h.call("POST", "/crm/v3/lists/search", fullListSearch(nil))
	wantStatus(t, status, http.StatusOK, body)
	for i := range length(body["lists"]) {
		if get(body, "lists", i, "listId") == gone.ID {
			t.Fatalf("search still returns deleted list %s", gone.ID)
		}
	}
	if n := length(body["lists"]); n != len(h.e.Lists()) || n != len(seededLists)-1 {
		t.Fatalf("search returned %d lists, want %d", n, len(seededLists)-1)
	}
	for _, path := range []string{"/crm/v3/lists/" + gone.ID, "/crm/v3/lists/" + gone.ID + "/memberships"} {
		status, body := h.call("GET", path, nil)
		wantStatus(t, status, http.StatusNotFound, body)
		wantErrorBody(t, body, catNotFound)
	}
	if err := h.e.DeleteList(gone.ID); err == nil {
		t.Fatal("deleting a deleted list succeeded")
	}
}
