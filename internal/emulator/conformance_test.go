package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fact is one fact of HubSpot's API contract as the project states it (the paths, shapes, limits
// and errors the emulator must honour at least as strictly as HubSpot), checked over HTTP.
type fact struct {
	name  string
	cfg   Config
	check func(t *testing.T, h *harness)
}

func TestConformance(t *testing.T) {
	unlimited := Config{NoLimits: true}
	facts := []fact{
		{"paths in both families and by type id", unlimited, checkPathFamilies},
		{"list paging with opaque after and no paging on the last page", unlimited, checkListPaging},
		{"list limit max 100", unlimited, checkListLimit},
		{"ids span digit lengths and ascend numerically", unlimited, checkIDShapes},
		{"archived=true lists only the recycle bin", unlimited, checkArchivedList},
		{"default properties when none requested", unlimited, checkDefaultProperties},
		{"repeated and comma-separated properties are equivalent", unlimited, checkRepeatedProperties},
		{"2026-09 returns null values, v3 omits them", unlimited, checkNullValues},
		{"414 for URIs over 16k characters", unlimited, checkURITooLong},
		{"404 for unknown routes and object types", unlimited, checkNotFound},
		{"get by id and by idProperty", unlimited, checkGetByID},
		{"search operators", unlimited, checkSearchOperators},
		{"search limits", unlimited, checkSearchLimits},
		{"search sort forms and default creation order", unlimited, checkSearchSorts},
		{"2026-09 search requires every field its spec lists; v3 accepts {}", unlimited, checkSearchRequiredFields},
		{"2026-09 batch create requires associations on every input", unlimited, checkCreateAssociationsRequired},
		{"search paging, total and the 10,000 cap", unlimited, checkSearchPaging},
		{"search lag hides unsettled changes", Config{SearchLag: 5 * time.Second, NoLimits: true}, checkSearchLag},
		{"search date filters take epoch milliseconds", unlimited, checkSearchEpochMillis},
		{"search hides archived records", unlimited, checkSearchHidesArchived},
		{"search query text", unlimited, checkSearchQuery},
		{"batch read partial failure per family", unlimited, checkBatchRead},
		{"batch input limits", unlimited, checkBatchLimits},
		{"batch error entries carry every StandardError field", unlimited, checkBatchErrorFields},
		{"validation rejects the whole batch", unlimited, checkBatchValidation},
		{"batch create with a trace id on every input answers multi-status", unlimited, checkMultiStatusCreate},
		{"required properties on create", unlimited, checkRequired},
		{"duplicate email is a 409", unlimited, checkDuplicateEmail},
		{"upsert reports new", unlimited, checkUpsert},
		{"update of missing ids is a partial failure", unlimited, checkUpdateMissing},
		{"no-op writes do not bump last-modified; empty string clears", unlimited, checkNoopAndClear},
		{"2026-09 applies validation rules", unlimited, checkValidationRules},
		{"association default type ids and labels", unlimited, checkAssociationTypes},
		{"associations are symmetric and do not bump last-modified", unlimited, checkAssociationWrites},
		{"association routes answer the statuses each spec lists", unlimited, checkAssociationStatuses},
		{"association batch read pages long lists", Config{Counts: map[string]int{"contacts": 1500, "companies": 1}, NoLimits: true}, checkAssociationPaging},
		{"properties definitions", unlimited, checkPropertyDefinitions},
		{"schemas of custom objects", unlimited, checkSchemas},
		{"pipelines with stages", unlimited, checkPipelines},
		{"fields the 2026-09 specs require on stages and schemas", unlimited, checkSpecRequiredMetadata},
		{"owners with trailing slash and archived", unlimited, checkOwners},
		{"oauth refresh, expiry and bad refresh token", Config{OAuth: &OAuthConfig{ClientID: "cid", ClientSecret: "secret", RefreshToken: "rt-1"}, NoLimits: true}, checkOAuth},
		{"missing scopes", Config{Scopes: []string{"crm.objects.contacts.read"}, NoLimits: true}, checkMissingScopes},
		{"missing scopes in each of HubSpot's shapes", unlimited, checkScopeErrorShapes},
		{"portal without API access", Config{NoAPIAccess: true, NoLimits: true}, checkNoAPIAccess},
		{"ten-secondly burst limit", Config{BurstLimit: 3, DailyLimit: 100}, checkBurstLimit},
		{"secondly search limit", Config{SearchPerSecond: 2}, checkSearchLimit},
		{"daily limit", Config{DailyLimit: 2}, checkDailyLimit},
		{"free tier limits apply when none are configured", Config{}, checkDefaultLimits},
		{"NoLimits turns enforcement off", unlimited, checkNoLimits},
		{"fault: reset", Config{Faults: Faults{ResetRate: 1}, NoLimits: true}, checkFaultReset},
		{"fault: truncated body", Config{Faults: Faults{TruncateRate: 1}, NoLimits: true}, checkFaultTruncate},
		{"fault: statuses and Retry-After", unlimited, checkFaultStatuses},
		{"fault: hung requests are held until the client gives up or the emulator closes", Config{Faults: Faults{HangRate: 1}, NoLimits: true}, checkFaultHang},
		{"bulk imports share one last-modified value", unlimited, checkBursts},
		{"determinism: same seed, same bytes", unlimited, checkDeterminism},
		{"a fresh correlation id per request, whatever the seed", Config{Scopes: []string{"crm.objects.contacts.read"}, DailyLimit: 4}, checkCorrelationIDs},
		{"admin routes", unlimited, checkAdmin},
		{"merge: the merged-away record stops being listed and the survivor names it", unlimited, checkMerge},
		{"merge: chains, refusals and HubSpot's error shape", unlimited, checkMergeRefusals},
		{"merge: hs_merged_object_ids is defined read-only on every mergeable type", unlimited, checkMergedIDsDefinitions},
		{"merge: a write under the burst limit", Config{BurstLimit: 2, DailyLimit: 100}, checkMergeRateLimited},
	}
	for _, f := range facts {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			f.check(t, newHarness(t, f.cfg))
		})
	}
}

func checkPathFamilies(t *testing.T, h *harness) {
	cars := h.e.typeKeys["cars"]
	paths := [][]string{
		{"/crm/v3/objects/contacts?limit=3", "/crm/objects/2026-09/contacts?limit=3", "/crm/v3/objects/0-1?limit=3"},
		{"/crm/v3/objects/cars?limit=3", "/crm/v3/objects/" + cars.typeID + "?limit=3", "/crm/objects/2026-09/p12345678_cars?limit=3"},
		{"/crm/v3/objects/tasks?limit=3", "/crm/objects/2026-09/0-27?limit=3"},
	}
	for _, group := range paths {
		var first []string
		for _, p := range group {
			st, body := h.call("GET", p, nil)
			wantStatus(t, st, 200, body)
			got := ids(body["results"])
			if first == nil {
				first = got
			} else if !slices.Equal(first, got) {
				t.Errorf("%s gave %v, want %v", p, got, first)
			}
		}
	}
	for _, p := range []string{"/crm/v3/properties/0-2", "/crm/properties/2026-09/companies", "/crm-object-schemas/2026-09/schemas",
		"/crm/pipelines/2026-09/deals", "/crm/owners/2026-09", "/crm/associations/2026-09/contacts/companies/labels"} {
		if st, body := h.call("GET", p, nil); st != 200 {
			t.Errorf("GET %s: %d %v", p, st, body)
		}
	}
}

// listAll pages through a list endpoint and returns every id, checking the paging rules.
func listAll(t *testing.T, h *harness, path string) []string {
	t.Helper()
	var all []string
	after := ""
	for page := 0; ; page++ {
		p := path
		if after != "" {
			p += "&after=" + url.QueryEscape(after)
		}
		st, body := h.call("GET", p, nil)
		wantStatus(t, st, 200, body)
		all = append(all, ids(body["results"])...)
		next, _ := get(body, "paging", "next", "after").(string)
		if next == "" {
			if body["paging"] != nil {
				t.Fatalf("last page carries paging %v", body["paging"])
			}
			return all
		}
		if _, err := strconv.ParseUint(next, 10, 64); err == nil {
			t.Fatalf("after %q is numeric; it must be opaque", next)
		}
		after = next
	}
}

func checkListPaging(t *testing.T, h *harness) {
	st, body := h.call("GET", "/crm/v3/objects/contacts", nil)
	wantStatus(t, st, 200, body)
	if n := length(body["results"]); n != 10 {
		t.Errorf("default limit gave %d results, want 10", n)
	}
	all := listAll(t, h, "/crm/v3/objects/contacts?limit=100")
	truth := h.e.Records("contacts", false)
	if len(all) != len(truth) {
		t.Fatalf("listed %d contacts, want %d", len(all), len(truth))
	}
	for i, r := range truth {
		if all[i] != r.ID {
			t.Fatalf("list position %d is %s, want %s", i, all[i], r.ID)
		}
	}
	st, body = h.call("GET", "/crm/v3/objects/contacts?after=12345", nil)
	wantStatus(t, st, 400, body)
}

func checkListLimit(t *testing.T, h *harness) {
	for _, tc := range []struct {
		limit string
		want  int
	}{{"1", 200}, {"100", 200}, {"101", 400}, {"0", 400}, {"ten", 400}} {
		st, body := h.call("GET", "/crm/v3/objects/companies?limit="+tc.limit, nil)
		if st != tc.want {
			t.Errorf("limit=%s: status %d, want %d (%v)", tc.limit, st, tc.want, body)
		}
	}
}

func checkIDShapes(t *testing.T, h *harness) {
	recs := h.e.Records("contacts", false)
	lengths := map[int]int{}
	var prev uint64
	for _, r := range recs {
		n, err := strconv.ParseUint(r.ID, 10, 64)
		if err != nil {
			t.Fatalf("id %q is not numeric", r.ID)
		}
		if n <= prev {
			t.Fatalf("ids not ascending: %d after %d", n, prev)
		}
		prev = n
		lengths[len(r.ID)]++
	}
	for _, l := range []int{4, 9, 12} {
		if lengths[l] == 0 {
			t.Errorf("no %d-digit ids among %v", l, lengths)
		}
	}
	if lengths[4]+lengths[5] >= len(recs)/2 {
		t.Errorf("most ids should be long: %v", lengths)
	}
	textual := slices.Clone(recs)
	slices.SortFunc(textual, func(a, b Record) int { return strings.Compare(a.ID, b.ID) })
	if slices.EqualFunc(textual, recs, func(a, b Record) bool { return a.ID == b.ID }) {
		t.Error("text order of ids equals numeric order; clients could get away with comparing text")
	}
}

func checkArchivedList(t *testing.T, h *harness) {
	recs := h.e.Records("companies", false)
	victim := recs[3]
	resp, _, err := h.raw("DELETE", "/crm/v3/objects/companies/"+victim.ID, nil, nil)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("archive: %v %v", resp, err)
	}
	st, body := h.call("GET", "/crm/v3/objects/companies?archived=true&limit=100", nil)
	wantStatus(t, st, 200, body)
	if got := ids(body["results"]); !slices.Equal(got, []string{victim.ID}) {
		t.Fatalf("archived list %v, want [%s]", got, victim.ID)
	}
	if get(body, "results", 0, "archived") != true || get(body, "results", 0, "archivedAt") == nil {
		t.Errorf("archived record lacks archived/archivedAt: %v", get(body, "results", 0))
	}
	if get(body, "results", 0, "updatedAt") != victim.UpdatedAt.Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("archiving changed updatedAt: %v vs %v", get(body, "results", 0, "updatedAt"), victim.UpdatedAt)
	}
	st, body = h.call("GET", "/crm/v3/objects/companies/"+victim.ID, nil)
	wantStatus(t, st, 404, body)
	wantErrorBody(t, body, "OBJECT_NOT_FOUND")
	if all := listAll(t, h, "/crm/v3/objects/companies?limit=100"); slices.Contains(all, victim.ID) {
		t.Error("archived record still listed")
	}
}

func checkDefaultProperties(t *testing.T, h *harness) {
	want := map[string][]string{
		"contacts":  {"firstname", "lastname", "email", "createdate", "lastmodifieddate", "hs_object_id"},
		"companies": {"name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"},
		"notes":     {"hs_timestamp", "hs_createdate", "hs_lastmodifieddate", "hs_object_id"},
	}
	for typ, allowed := range want {
		st, body := h.call("GET", "/crm/v3/objects/"+typ+"?limit=50", nil)
		wantStatus(t, st, 200, body)
		seen := map[string]bool{}
		for _, r := range body["results"].([]any) {
			for k := range r.(map[string]any)["properties"].(map[string]any) {
				seen[k] = true
			}
		}
		for k := range seen {
			if !slices.Contains(allowed, k) {
				t.Errorf("%s default properties include %s", typ, k)
			}
		}
		if !seen["hs_object_id"] || len(seen) < len(allowed)-1 {
			t.Errorf("%s default properties %v, want %v", typ, seen, allowed)
		}
	}
}

func checkRepeatedProperties(t *testing.T, h *harness) {
	_, a, _ := h.raw("GET", "/crm/v3/objects/deals?limit=5&properties=amount,dealstage,no_such_prop", nil, nil)
	_, b, _ := h.raw("GET", "/crm/v3/objects/deals?limit=5&properties=amount&properties=dealstage&properties=no_such_prop", nil, nil)
	if string(a) != string(b) {
		t.Fatalf("comma and repeated properties differ:\n%s\n%s", a, b)
	}
	if !strings.Contains(string(a), `"dealstage"`) || strings.Contains(string(a), "no_such_prop") {
		t.Errorf("unexpected body %s", a)
	}
}

func checkNullValues(t *testing.T, h *harness) {
	id, err := h.e.Create("contacts", map[string]string{"email": "null.check@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	_, v3 := h.call("GET", "/crm/v3/objects/contacts/"+id+"?properties=email,jobtitle", nil)
	if _, present := get(v3, "properties").(map[string]any)["jobtitle"]; present {
		t.Errorf("v3 returned an absent value: %v", v3["properties"])
	}
	_, v26 := h.call("GET", "/crm/objects/2026-09/contacts/"+id+"?properties=email,jobtitle", nil)
	if v, present := get(v26, "properties").(map[string]any)["jobtitle"]; !present || v != nil {
		t.Errorf("2026-09 should return jobtitle: null, got %v", v26["properties"])
	}
}

func checkURITooLong(t *testing.T, h *harness) {
	var names []string
	for _, p := range h.e.typeKeys["contacts"].props {
		names = append(names, p.name)
	}
	long := "/crm/v3/objects/contacts?properties=" + strings.Repeat(strings.Join(names, ",")+",", 1+maxURILength/len(strings.Join(names, ",")))
	st, body := h.call("GET", long, nil)
	wantStatus(t, st, 414, body)
	wantErrorBody(t, body, "URI_TOO_LONG")
	ok := "/crm/v3/objects/contacts?limit=1&properties=" + strings.Join(names, ",")
	if len(ok) > maxURILength {
		t.Fatalf("all property names do not fit one URL (%d chars)", len(ok))
	}
	st, body = h.call("GET", ok, nil)
	wantStatus(t, st, 200, body)
}

func checkNotFound(t *testing.T, h *harness) {
	for _, p := range []string{"/crm/v3/objects/widgets", "/crm/v3/nothing/here", "/crm/v3/objects/contacts/123/456/789"} {
		st, body := h.call("GET", p, nil)
		wantStatus(t, st, 404, body)
		wantErrorBody(t, body, "OBJECT_NOT_FOUND")
	}
}

func checkGetByID(t *testing.T, h *harness) {
	var r Record
	for _, c := range withEmail(h.e.Records("contacts", false)) {
		if len(c.ID) >= 9 {
			r = c
			break
		}
	}
	st, body := h.call("GET", "/crm/v3/objects/contacts/"+r.ID+"?properties=email", nil)
	wantStatus(t, st, 200, body)
	st, byEmail := h.call("GET", "/crm/v3/objects/contacts/"+url.PathEscape(strings.ToUpper(r.Properties["email"]))+"?idProperty=email", nil)
	wantStatus(t, st, 200, byEmail)
	if byEmail["id"] != r.ID {
		t.Errorf("idProperty=email found %v, want %s", byEmail["id"], r.ID)
	}
	st, body = h.call("GET", "/crm/v3/objects/contacts/"+r.ID+"?idProperty=firstname", nil)
	wantStatus(t, st, 400, body)
}

// withEmail keeps the records that have an email.
func withEmail(recs []Record) []Record {
	return slices.DeleteFunc(recs, func(r Record) bool { return r.Properties["email"] == "" })
}

func checkSearchOperators(t *testing.T, h *harness) {
	recs := h.e.Records("contacts", false)
	pick := recs[len(recs)/2]
	mid, _ := strconv.ParseUint(pick.ID, 10, 64)
	createdMs := pick.CreatedAt.UnixMilli()
	num := func(r Record) uint64 { n, _ := strconv.ParseUint(r.ID, 10, 64); return n }
	first := pick.Properties["firstname"]
	if first == strings.ToLower(first) {
		t.Fatalf("picked contact's firstname %q has no capitals", first)
	}
	cases := []struct {
		name   string
		filter map[string]any
		want   func(Record) bool
	}{
		{"EQ email any case", filter("email", "EQ", strings.ToUpper(pick.Properties["email"])), func(r Record) bool { return r.ID == pick.ID }},
		{"NEQ lifecycle", filter("lifecyclestage", "NEQ", "lead"), func(r Record) bool { return r.Properties["lifecyclestage"] != "lead" }},
		{"IN lifecycle", filter("lifecyclestage", "IN", []string{"lead", "customer"}), func(r Record) bool {
			return r.Properties["lifecyclestage"] == "lead" || r.Properties["lifecyclestage"] == "customer"
		}},
		{"NOT_IN lifecycle", filter("lifecyclestage", "NOT_IN", []string{"lead"}), func(r Record) bool { return r.Properties["lifecyclestage"] != "lead" }},
		{"HAS_PROPERTY phone", filter("phone", "HAS_PROPERTY", nil), func(r Record) bool { return r.Properties["phone"] != "" }},
		{"NOT_HAS_PROPERTY phone", filter("phone", "NOT_HAS_PROPERTY", nil), func(r Record) bool { return r.Properties["phone"] == "" }},
		{"GT id numerically", filter("hs_object_id", "GT", pick.ID), func(r Record) bool { return num(r) > mid }},
		{"LTE id numerically", filter("hs_object_id", "LTE", mid), func(r Record) bool { return num(r) <= mid }},
		{"BETWEEN createdate", map[string]any{"propertyName": "createdate", "operator": "BETWEEN", "value": createdMs - 30*dayMs, "highValue": createdMs},
			func(r Record) bool { c := r.CreatedAt.UnixMilli(); return c >= createdMs-30*dayMs && c <= createdMs }},
		{"CONTAINS_TOKEN firstname", filter("firstname", "CONTAINS_TOKEN", strings.ToLower(pick.Properties["firstname"])), func(r Record) bool {
			return strings.EqualFold(r.Properties["firstname"], pick.Properties["firstname"])
		}},
		{"CONTAINS_TOKEN wildcard", filter("email", "CONTAINS_TOKEN", "*"+pick.ID[len(pick.ID)-4:]), func(r Record) bool {
			return slices.ContainsFunc(tokens(r.Properties["email"]), func(tok string) bool { return strings.HasSuffix(tok, pick.ID[len(pick.ID)-4:]) })
		}},
		{"NOT_CONTAINS_TOKEN firstname", filter("firstname", "NOT_CONTAINS_TOKEN", strings.ToLower(pick.Properties["firstname"])), func(r Record) bool {
			return !strings.EqualFold(r.Properties["firstname"], pick.Properties["firstname"])
		}},
		// HubSpot matches IN and NOT_IN values on string properties as sent against lower-cased
		// values: "values must be lowercase", so one with capitals matches nothing.
		{"IN firstname lower-case matches any case", filter("firstname", "IN", []string{strings.ToLower(first)}), func(r Record) bool {
			return strings.EqualFold(r.Properties["firstname"], first)
		}},
		{"IN firstname with capitals matches nothing", filter("firstname", "IN", []string{first}), func(Record) bool { return false }},
		{"NOT_IN firstname with capitals excludes nothing", filter("firstname", "NOT_IN", []string{first}), func(Record) bool { return true }},
		{"GTE number", filter("hs_analytics_num_visits", "GTE", "500"), func(r Record) bool {
			v, err := strconv.ParseFloat(r.Properties["hs_analytics_num_visits"], 64)
			return err == nil && v >= 500
		}},
	}
	for _, tc := range cases {
		var want []string
		for _, r := range recs {
			if tc.want(r) {
				want = append(want, r.ID)
			}
		}
		got := searchAll(t, h, "contacts", map[string]any{"filterGroups": groups([]map[string]any{tc.filter})})
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %d ids, want %d", tc.name, len(got), len(want))
		}
	}
	// Groups OR, filters within a group AND.
	or := searchAll(t, h, "contacts", map[string]any{"filterGroups": groups(
		[]map[string]any{filter("hs_object_id", "EQ", recs[0].ID)},
		[]map[string]any{filter("hs_object_id", "EQ", recs[1].ID), filter("hs_object_id", "EQ", recs[2].ID)},
	)})
	if !slices.Equal(or, []string{recs[0].ID}) {
		t.Errorf("OR/AND semantics: got %v", or)
	}
}

// searchAll pages a search to the end (under the 10,000 cap) and returns the ids.
func searchAll(t *testing.T, h *harness, objectType string, body map[string]any) []string {
	t.Helper()
	b := maps.Clone(body)
	b["limit"] = 200
	var all []string
	for {
		st, resp := h.search(objectType, b)
		wantStatus(t, st, 200, resp)
		all = append(all, ids(resp["results"])...)
		next, _ := get(resp, "paging", "next", "after").(string)
		if next == "" {
			if int(resp["total"].(float64)) != len(all) {
				t.Fatalf("total %v but paged %d results", resp["total"], len(all))
			}
			return all
		}
		b["after"] = next
	}
}

func checkSearchLimits(t *testing.T, h *harness) {
	f := filter("hs_object_id", "GT", "0")
	many := func(n int) []map[string]any { return slices.Repeat([]map[string]any{f}, n) }
	cases := []struct {
		name string
		body map[string]any
		want int
	}{
		{"empty body object", map[string]any{}, 200},
		{"5 groups", map[string]any{"filterGroups": groups(many(1), many(1), many(1), many(1), many(1))}, 200},
		{"6 groups", map[string]any{"filterGroups": groups(many(1), many(1), many(1), many(1), many(1), many(1))}, 400},
		{"10 filters in a group", map[string]any{"filterGroups": groups(many(10))}, 200},
		{"11 filters in a group", map[string]any{"filterGroups": groups(many(11))}, 400},
		{"25 filters in all", map[string]any{"filterGroups": groups(many(10), many(10), many(5))}, 200},
		{"26 filters in all", map[string]any{"filterGroups": groups(many(10), many(10), many(6))}, 400},
		{"100 IN values", map[string]any{"filterGroups": groups([]map[string]any{filter("email", "IN", values(100))})}, 200},
		{"101 IN values", map[string]any{"filterGroups": groups([]map[string]any{filter("email", "IN", values(101))})}, 400},
		{"101 NOT_IN values", map[string]any{"filterGroups": groups([]map[string]any{filter("email", "NOT_IN", values(101))})}, 400},
		{"limit 200", map[string]any{"limit": 200}, 200},
		{"limit 201", map[string]any{"limit": 201}, 400},
		{"two sorts", map[string]any{"sorts": []string{"createdate", "email"}}, 400},
		{"unknown operator", map[string]any{"filterGroups": groups([]map[string]any{filter("email", "LIKE", "x")})}, 400},
		{"unknown property", map[string]any{"filterGroups": groups([]map[string]any{filter("nope", "EQ", "x")})}, 400},
		{"after 9999", map[string]any{"after": "9999"}, 200},
		{"after 10000", map[string]any{"after": "10000"}, 400},
	}
	for _, tc := range cases {
		st, body := h.search("contacts", tc.body)
		if st != tc.want {
			t.Errorf("%s: status %d, want %d (%v)", tc.name, st, tc.want, body)
		}
		if st == 400 {
			wantErrorBody(t, body, "VALIDATION_ERROR")
		}
	}
	limits := []struct {
		body  map[string]any
		limit string
	}{
		{map[string]any{"filterGroups": groups(many(1), many(1), many(1), many(1), many(1), many(1))}, "maximum is 5"},
		{map[string]any{"filterGroups": groups(many(11))}, "maximum is 10"},
		{map[string]any{"filterGroups": groups(many(10), many(10), many(6))}, "maximum across all filter groups is 25"},
		{map[string]any{"filterGroups": groups([]map[string]any{filter("email", "IN", values(101))})}, "maximum is 100"},
	}
	for _, tc := range limits {
		if _, body := h.search("contacts", tc.body); !strings.Contains(fmt.Sprint(body["message"]), tc.limit) {
			t.Errorf("message %q does not name the limit (%q)", body["message"], tc.limit)
		}
	}
	if _, body, _ := h.raw("POST", "/crm/v3/objects/contacts/search", "", nil); !strings.Contains(string(body), "VALIDATION_ERROR") {
		t.Errorf("empty body accepted: %s", body)
	}
}

func checkSearchRequiredFields(t *testing.T, h *harness) {
	full := map[string]any{"after": "", "filterGroups": []any{}, "sorts": []any{}, "properties": []any{}, "limit": 10}
	without := func(fields ...string) map[string]any {
		body := maps.Clone(full)
		for _, f := range fields {
			delete(body, f)
		}
		return body
	}
	nullAfter := maps.Clone(full)
	nullAfter["after"] = nil
	cases := []struct {
		name, path string
		body       map[string]any
		want       int
		missing    []string
	}{
		{"v3 empty body", "/crm/v3/objects/contacts/search", map[string]any{}, 200, nil},
		{"v3 full body", "/crm/v3/objects/contacts/search", full, 200, nil},
		{"2026-09 full body", "/crm/objects/2026-09/contacts/search", full, 200, nil},
		{"2026-09 empty body", "/crm/objects/2026-09/contacts/search", map[string]any{}, 400, []string{"after", "filterGroups", "sorts", "properties", "limit"}},
		{"2026-09 without after", "/crm/objects/2026-09/contacts/search", without("after"), 400, []string{"after"}},
		{"2026-09 with a null after", "/crm/objects/2026-09/contacts/search", nullAfter, 400, []string{"after"}},
		{"2026-09 without sorts and limit", "/crm/objects/2026-09/contacts/search", without("sorts", "limit"), 400, []string{"sorts", "limit"}},
		{"2026-09 without properties", "/crm/objects/2026-09/contacts/search", without("properties"), 400, []string{"properties"}},
		{"2026-09 without filterGroups", "/crm/objects/2026-09/contacts/search", without("filterGroups"), 400, []string{"filterGroups"}},
	}
	for _, tc := range cases {
		st, body := h.call("POST", tc.path, tc.body)
		if st != tc.want {
			t.Errorf("%s: status %d, want %d (%v)", tc.name, st, tc.want, body)
			continue
		}
		if st != 400 {
			continue
		}
		wantErrorBody(t, body, "VALIDATION_ERROR")
		msg := fmt.Sprint(body["message"])
		for _, f := range tc.missing {
			if !strings.Contains(msg, f) {
				t.Errorf("%s: message %q does not name %s", tc.name, msg, f)
			}
		}
	}
}

func checkCreateAssociationsRequired(t *testing.T, h *harness) {
	company := func(name string, assocs any) map[string]any {
		in := map[string]any{"properties": map[string]any{"name": name}}
		if assocs != nil {
			in["associations"] = assocs
		}
		return in
	}
	cases := []struct {
		name, path string
		inputs     []any
		want       int
		missing    string
	}{
		{"v3 without associations", "/crm/v3/objects/companies/batch/create", []any{company("A", nil)}, 201, ""},
		{"2026-09 with empty associations", "/crm/objects/2026-09/companies/batch/create", []any{company("B", []any{})}, 201, ""},
		{"2026-09 with one input lacking them", "/crm/objects/2026-09/companies/batch/create", []any{company("C", []any{}), company("D", nil)}, 400, "inputs[1].associations"},
	}
	for _, tc := range cases {
		before := len(h.e.Records("companies", false))
		st, body := h.call("POST", tc.path, map[string]any{"inputs": tc.inputs})
		if st != tc.want {
			t.Errorf("%s: status %d, want %d (%v)", tc.name, st, tc.want, body)
			continue
		}
		if st == 400 {
			wantErrorBody(t, body, "VALIDATION_ERROR")
			if !strings.Contains(fmt.Sprint(body["message"]), tc.missing) {
				t.Errorf("%s: message %q does not name %s", tc.name, body["message"], tc.missing)
			}
			if after := len(h.e.Records("companies", false)); after != before {
				t.Errorf("%s: a rejected batch created %d records", tc.name, after-before)
			}
		}
	}
}

// values makes n distinct filter values.
func values(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("v%d@example.com", i)
	}
	return out
}

func checkSearchSorts(t *testing.T, h *harness) {
	st, plain := h.search("contacts", map[string]any{"limit": 50})
	wantStatus(t, st, 200, plain)
	truth := h.e.Records("contacts", false)
	for i, id := range ids(plain["results"]) {
		if id != truth[i].ID {
			t.Fatalf("no sort: position %d is %s, want creation order %s", i, id, truth[i].ID)
		}
	}
	_, byString := h.search("contacts", map[string]any{"limit": 50, "sorts": []string{"-lastmodifieddate"}})
	_, byObject := h.search("contacts", map[string]any{"limit": 50, "sorts": []any{map[string]any{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}}})
	if !slices.Equal(ids(byString["results"]), ids(byObject["results"])) {
		t.Fatal("string and object sort forms differ")
	}
	var prev string
	for _, r := range byObject["results"].([]any) {
		m := get(r, "properties", "lastmodifieddate").(string)
		if prev != "" && m > prev {
			t.Fatalf("not descending: %s after %s", m, prev)
		}
		prev = m
	}
	for _, path := range []string{"/crm/v3/objects/contacts/search", "/crm/objects/2026-09/contacts/search"} {
		page := func(sorts []any) []string {
			st, body := h.call("POST", path, map[string]any{"after": "", "filterGroups": []any{}, "properties": []any{}, "limit": 30, "sorts": sorts})
			wantStatus(t, st, 200, body)
			return ids(body["results"])
		}
		byName := page([]any{"email"})
		if !slices.Equal(byName, page([]any{map[string]any{"propertyName": "email", "direction": "ASCENDING"}})) {
			t.Errorf("%s: [\"email\"] and [{propertyName: email, direction: ASCENDING}] order differently", path)
		}
		if slices.Equal(byName, ids(plain["results"])[:30]) {
			t.Errorf("%s: sorting by email kept creation order", path)
		}
	}
	_, byEmail := h.search("contacts", map[string]any{"limit": 20, "sorts": []any{map[string]any{"propertyName": "email", "direction": "ASCENDING"}}, "properties": []string{"email"}})
	var emails []string
	for _, r := range byEmail["results"].([]any) {
		if e, ok := get(r, "properties", "email").(string); ok {
			emails = append(emails, e)
		}
	}
	if !slices.IsSorted(emails) || len(emails) == 0 {
		t.Errorf("email sort: %v", emails)
	}
}

func checkSearchPaging(t *testing.T, h *harness) {
	st, first := h.search("contacts", map[string]any{"limit": 7})
	wantStatus(t, st, 200, first)
	if get(first, "paging", "next", "after") != "7" {
		t.Errorf("after should be the integer offset 7, got %v", get(first, "paging", "next", "after"))
	}
	if int(first["total"].(float64)) != len(h.e.Records("contacts", false)) {
		t.Errorf("total %v, want %d", first["total"], len(h.e.Records("contacts", false)))
	}
	_, second := h.search("contacts", map[string]any{"limit": 7, "after": "7"})
	truth := h.e.Records("contacts", false)
	if get(second, "results", 0, "id") != truth[7].ID {
		t.Errorf("second page starts at %v, want %s", get(second, "results", 0, "id"), truth[7].ID)
	}
	_, count := h.search("contacts", map[string]any{"limit": 0})
	if length(count["results"]) != 0 || count["total"].(float64) != float64(len(truth)) {
		t.Errorf("limit 0 should count only: %v", count)
	}
	all := searchAll(t, h, "companies", map[string]any{})
	if _, last := h.search("companies", map[string]any{"after": strconv.Itoa(len(all) - 1), "limit": 5}); last["paging"] != nil {
		t.Errorf("last search page carries paging: %v", last["paging"])
	}
}

func checkSearchLag(t *testing.T, h *harness) {
	id, err := h.e.Create("companies", map[string]string{"name": "Lagging Co"})
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"filterGroups": groups([]map[string]any{filter("hs_object_id", "EQ", id)})}
	if _, resp := h.search("companies", body); resp["total"].(float64) != 0 {
		t.Fatalf("fresh record visible before the lag: %v", resp)
	}
	h.clock.Advance(6 * time.Second)
	if _, resp := h.search("companies", body); resp["total"].(float64) != 1 {
		t.Fatalf("record not visible after the lag: %v", resp)
	}
	if st, resp := h.call("GET", "/crm/v3/objects/companies/"+id, nil); st != 200 {
		t.Errorf("get should not lag: %d %v", st, resp)
	}
}

func checkSearchEpochMillis(t *testing.T, h *harness) {
	iso := filter("lastmodifieddate", "GTE", "2025-01-01T00:00:00Z")
	st, body := h.search("contacts", map[string]any{"filterGroups": groups([]map[string]any{iso})})
	wantStatus(t, st, 400, body)
	cut := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	got := searchAll(t, h, "contacts", map[string]any{"filterGroups": groups([]map[string]any{filter("lastmodifieddate", "GTE", cut.UnixMilli())}),
		"sorts": []any{map[string]any{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}}})
	want := 0
	for _, r := range h.e.Records("contacts", false) {
		if !r.UpdatedAt.Before(cut) {
			want++
		}
	}
	if len(got) != want {
		t.Errorf("epoch-ms filter found %d, want %d", len(got), want)
	}
}

func checkSearchHidesArchived(t *testing.T, h *harness) {
	victim := h.e.Records("deals", false)[0].ID
	if err := h.e.Archive("deals", victim); err != nil {
		t.Fatal(err)
	}
	got := searchAll(t, h, "deals", map[string]any{"filterGroups": groups([]map[string]any{filter("hs_object_id", "EQ", victim)})})
	if len(got) != 0 {
		t.Errorf("archived deal found by search: %v", got)
	}
}

func checkSearchQuery(t *testing.T, h *harness) {
	id, err := h.e.Create("contacts", map[string]string{"email": "zanzibar.quux@example.org", "firstname": "Zanzibar"})
	if err != nil {
		t.Fatal(err)
	}
	got := searchAll(t, h, "contacts", map[string]any{"query": "zanzi"})
	if !slices.Equal(got, []string{id}) {
		t.Errorf("query found %v, want [%s]", got, id)
	}
}

func checkBatchRead(t *testing.T, h *harness) {
	recs := h.e.Records("contacts", false)
	body := map[string]any{"inputs": []any{map[string]any{"id": recs[5].ID}, map[string]any{"id": "999"}, map[string]any{"id": recs[1].ID}},
		"properties": []string{"email"}}
	st, v3 := h.call("POST", "/crm/v3/objects/contacts/batch/read", body)
	wantStatus(t, st, 207, v3)
	if v3["numErrors"].(float64) != 1 || get(v3, "errors", 0, "category") != "OBJECT_NOT_FOUND" || get(v3, "errors", 0, "context", "ids", 0) != "999" {
		t.Errorf("207 body %v", v3)
	}
	if got := ids(v3["results"]); !slices.Equal(got, []string{recs[1].ID, recs[5].ID}) {
		t.Errorf("results %v", got)
	}
	st, v26 := h.call("POST", "/crm/objects/2026-09/contacts/batch/read", body)
	wantStatus(t, st, 200, v26)
	if v26["numErrors"].(float64) != 1 || length(v26["errors"]) != 1 {
		t.Errorf("2026-09 should fold errors into a 200: %v", v26)
	}
	st, all := h.call("POST", "/crm/v3/objects/contacts/batch/read", map[string]any{"inputs": []any{map[string]any{"id": recs[0].ID}}})
	wantStatus(t, st, 200, all)
	if all["errors"] != nil {
		t.Errorf("full success carries errors: %v", all)
	}
	r := withEmail(recs)[0]
	_, byEmail := h.call("POST", "/crm/v3/objects/contacts/batch/read", map[string]any{"idProperty": "email", "inputs": []any{map[string]any{"id": r.Properties["email"]}}})
	if get(byEmail, "results", 0, "id") != r.ID {
		t.Errorf("batch read by email: %v", byEmail)
	}
}

func checkBatchErrorFields(t *testing.T, h *harness) {
	contact := h.e.Records("contacts", false)[0].ID
	missing := map[string]any{"inputs": []any{map[string]any{"id": contact}, map[string]any{"id": "999"}}}
	badPair := map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": contact}, "to": map[string]any{"id": "999"}}}}
	update := map[string]any{"inputs": []any{map[string]any{"id": "999", "properties": map[string]any{"name": "x"}}}}
	cases := []struct {
		path   string
		body   any
		status int
	}{
		{"/crm/v3/objects/contacts/batch/read", missing, 207},
		{"/crm/objects/2026-09/contacts/batch/read", missing, 200},
		{"/crm/v3/objects/companies/batch/update", update, 207},
		{"/crm/v4/associations/contacts/tickets/batch/read", map[string]any{"inputs": []any{map[string]any{"id": "999"}}}, 207},
		{"/crm/associations/2026-09/contacts/tickets/batch/read", map[string]any{"inputs": []any{map[string]any{"id": "999"}}}, 200},
		{"/crm/v4/associations/contacts/companies/batch/associate/default", badPair, 200},
		{"/crm/v4/associations/contacts/companies/batch/create", withTypes(badPair, 279), 207},
	}
	for _, tc := range cases {
		st, body := h.call("POST", tc.path, tc.body)
		if st != tc.status || length(body["errors"]) == 0 {
			t.Errorf("%s: status %d with errors %v, want %d with errors", tc.path, st, body["errors"], tc.status)
			continue
		}
		for _, e := range body["errors"].([]any) {
			entry := e.(map[string]any)
			_, isContext := entry["context"].(map[string]any)
			_, isErrors := entry["errors"].([]any)
			_, isLinks := entry["links"].(map[string]any)
			if entry["status"] != "error" || entry["category"] == "" || entry["message"] == "" || !isContext || !isErrors || !isLinks {
				t.Errorf("%s: error entry %v lacks one of status, category, message, context, errors, links", tc.path, entry)
			}
		}
	}
	// HubSpot names the record an association cannot be made with, and only that one.
	for _, path := range []string{"/crm/v4/associations/contacts/companies/batch/associate/default", "/crm/v4/associations/contacts/companies/batch/create"} {
		body := badPair
		if strings.HasSuffix(path, "/create") {
			body = withTypes(badPair, 279)
		}
		_, resp := h.call("POST", path, body)
		if ids, kind := get(resp, "errors", 0, "context", "objectId"), get(resp, "errors", 0, "context", "objectType"); fmt.Sprint(ids) != "[999]" || fmt.Sprint(kind) != "[COMPANY]" {
			t.Errorf("%s: context objectId %v objectType %v, want [999] [COMPANY]", path, ids, kind)
		}
	}
}

func inputs(n int, f func(i int) map[string]any) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func checkBatchLimits(t *testing.T, h *harness) {
	for _, op := range []string{"read", "create", "update", "upsert", "archive"} {
		body := map[string]any{"inputs": inputs(101, func(i int) map[string]any { return map[string]any{"id": strconv.Itoa(i)} })}
		st, resp := h.call("POST", "/crm/v3/objects/companies/batch/"+op, body)
		wantStatus(t, st, 400, resp)
	}
	recs := h.e.Records("contacts", false)
	read := inputs(1000, func(i int) map[string]any { return map[string]any{"id": recs[i%len(recs)].ID} })
	if st, _ := h.call("POST", "/crm/v4/associations/contacts/companies/batch/read", map[string]any{"inputs": read}); st != 200 && st != 207 {
		t.Errorf("1000 association reads: %d", st)
	}
	read = append(read, map[string]any{"id": recs[0].ID})
	st, resp := h.call("POST", "/crm/v4/associations/contacts/companies/batch/read", map[string]any{"inputs": read})
	wantStatus(t, st, 400, resp)
	create := inputs(2001, func(i int) map[string]any {
		return map[string]any{"from": map[string]any{"id": recs[0].ID}, "to": map[string]any{"id": "1"}}
	})
	st, resp = h.call("POST", "/crm/v4/associations/contacts/companies/batch/associate/default", map[string]any{"inputs": create})
	wantStatus(t, st, 400, resp)
	st, resp = h.call("POST", "/crm/v3/objects/companies/batch/archive", map[string]any{"inputs": []any{map[string]any{"id": "1"}}})
	wantStatus(t, st, 204, resp)
}

func checkBatchValidation(t *testing.T, h *harness) {
	before := len(h.e.Records("companies", false))
	good := map[string]any{"properties": map[string]any{"name": "Good Co", "numberofemployees": 12}}
	cases := []struct {
		name  string
		props map[string]any
		code  string
	}{
		{"unknown property", map[string]any{"name": "X", "no_such_property": "1"}, "PROPERTY_DOESNT_EXIST"},
		{"read-only property", map[string]any{"name": "X", "hs_num_child_companies": "3"}, "READ_ONLY_VALUE"},
		{"calculated last-modified", map[string]any{"name": "X", "hs_lastmodifieddate": "1700000000000"}, "READ_ONLY_VALUE"},
		{"bad number", map[string]any{"name": "X", "numberofemployees": "twelve"}, "INVALID_DECIMAL"},
		{"bad bool", map[string]any{"name": "X", "is_public": "yes"}, "INVALID_BOOLEAN"},
		{"bad date", map[string]any{"name": "X", "region_date": "2024-13-45"}, "INVALID_DATE"},
		{"date not at midnight", map[string]any{"name": "X", "region_date": "1700000000001"}, "INVALID_DATE"},
		{"bad datetime", map[string]any{"name": "X", "region_at": "yesterday"}, "INVALID_DATETIME"},
		{"bad option", map[string]any{"name": "X", "industry": "PIRACY"}, "INVALID_OPTION"},
		{"bad checkbox option", map[string]any{"name": "X", "region_tags": "alpha;omega"}, "INVALID_OPTION"},
	}
	for _, tc := range cases {
		bad := map[string]any{"objectWriteTraceId": "trace-7", "properties": tc.props}
		st, body := h.call("POST", "/crm/v3/objects/companies/batch/create", map[string]any{"inputs": []any{good, bad}})
		wantStatus(t, st, 400, body)
		wantErrorBody(t, body, "VALIDATION_ERROR")
		if get(body, "errors", 0, "code") != tc.code || get(body, "errors", 0, "context", "inputIndex", 0) != "1" ||
			get(body, "errors", 0, "context", "objectWriteTraceId", 0) != "trace-7" {
			t.Errorf("%s: errors %v, want code %s on input 1", tc.name, body["errors"], tc.code)
		}
	}
	if after := len(h.e.Records("companies", false)); after != before {
		t.Errorf("rejected batches created %d records", after-before)
	}
	st, body := h.call("POST", "/crm/v3/objects/companies/batch/create", map[string]any{"inputs": []any{good,
		map[string]any{"properties": map[string]any{"name": "Typed", "is_public": true, "region_date": "1700006400000", "region_at": "2024-05-01T10:00:00Z", "region_tags": "alpha;gamma"}}}})
	wantStatus(t, st, 201, body)
	if get(body, "results", 1, "properties", "region_date") != "2023-11-15" || get(body, "results", 1, "properties", "region_at") != "2024-05-01T10:00:00.000Z" {
		t.Errorf("values not normalised: %v", get(body, "results", 1, "properties"))
	}
}

// checkMultiStatusCreate: HubSpot's error-handling guide: with a unique objectWriteTraceId on
// every input, batch create creates the valid inputs and names each invalid one in its error's
// context.objectWriteTraceId: a 207 in v3, errors folded into the 201 in 2026-09.
func checkMultiStatusCreate(t *testing.T, h *harness) {
	for _, tc := range []struct {
		path   string
		status int
	}{{"/crm/v3/objects/companies/batch/create", 207}, {"/crm/objects/2026-09/companies/batch/create", 201}} {
		before := len(h.e.Records("companies", false))
		st, body := h.call("POST", tc.path, map[string]any{"inputs": []any{
			map[string]any{"objectWriteTraceId": "ok-1", "properties": map[string]any{"name": "Traced Co"}, "associations": []any{}},
			map[string]any{"objectWriteTraceId": "bad-2", "properties": map[string]any{"name": "X", "industry": "PIRACY"}, "associations": []any{}},
		}})
		wantStatus(t, st, tc.status, body)
		if length(body["results"]) != 1 || get(body, "results", 0, "properties", "name") != "Traced Co" {
			t.Errorf("%s: results %v, want the valid input created", tc.path, body["results"])
		}
		if get(body, "numErrors") != 1.0 || get(body, "errors", 0, "category") != "VALIDATION_ERROR" ||
			get(body, "errors", 0, "context", "objectWriteTraceId", 0) != "bad-2" {
			t.Errorf("%s: errors %v, want one naming bad-2", tc.path, body["errors"])
		}
		if after := len(h.e.Records("companies", false)); after != before+1 {
			t.Errorf("%s: created %d records, want 1", tc.path, after-before)
		}
	}
}

func checkRequired(t *testing.T, h *harness) {
	cases := []struct {
		typ   string
		props map[string]any
		want  int
	}{
		{"deals", map[string]any{"dealname": "D"}, 400},
		{"deals", map[string]any{"dealname": "D", "pipeline": "default", "dealstage": "qualifiedtobuy"}, 201},
		{"deals", map[string]any{"dealname": "D", "pipeline": "default", "dealstage": "1"}, 400},
		{"tickets", map[string]any{"subject": "S", "hs_pipeline": "0"}, 400},
		{"tickets", map[string]any{"subject": "S", "hs_pipeline": "0", "hs_pipeline_stage": "1"}, 201},
		{"companies", map[string]any{"domain": "only-domain.example"}, 201},
		{"companies", map[string]any{"city": "Dublin"}, 400},
		{"notes", map[string]any{"hs_note_body": "hi"}, 400},
		{"notes", map[string]any{"hs_timestamp": "2025-01-01T00:00:00Z"}, 201},
		{"emails", map[string]any{"hs_timestamp": "2025-01-01T00:00:00Z"}, 400},
		{"emails", map[string]any{"hs_timestamp": "2025-01-01T00:00:00Z", "hs_email_direction": "EMAIL"}, 201},
		{"cars", map[string]any{"vin": "VIN-X1", "make": "Volvo"}, 400},
		{"cars", map[string]any{"vin": "VIN-X1", "make": "Volvo", "model": "XC40"}, 201},
	}
	for _, tc := range cases {
		st, body := h.call("POST", "/crm/v3/objects/"+tc.typ, map[string]any{"properties": tc.props})
		if st != tc.want {
			t.Errorf("%s %v: status %d, want %d (%v)", tc.typ, tc.props, st, tc.want, body)
		}
	}
}

func checkDuplicateEmail(t *testing.T, h *harness) {
	existing := withEmail(h.e.Records("contacts", false))[10]
	email := strings.ToUpper(existing.Properties["email"])
	body := map[string]any{"inputs": []any{
		map[string]any{"properties": map[string]any{"email": "fresh.one@example.com"}},
		map[string]any{"properties": map[string]any{"email": email}},
	}}
	st, resp := h.call("POST", "/crm/v3/objects/contacts/batch/create", body)
	wantStatus(t, st, 409, resp)
	wantErrorBody(t, resp, "CONFLICT")
	if want := "Contact already exists. Existing ID: " + existing.ID; resp["message"] != want {
		t.Errorf("message %q, want %q", resp["message"], want)
	}
	st, resp = h.call("GET", "/crm/v3/objects/contacts/fresh.one@example.com?idProperty=email", nil)
	wantStatus(t, st, 404, resp)
}

func checkUpsert(t *testing.T, h *harness) {
	existing := withEmail(h.e.Records("contacts", false))[3]
	body := map[string]any{"inputs": []any{
		map[string]any{"idProperty": "email", "id": existing.Properties["email"], "properties": map[string]any{"jobtitle": "CFO"}},
		map[string]any{"idProperty": "email", "id": "brand.new@example.com", "properties": map[string]any{"firstname": "Brand"}},
	}}
	st, resp := h.call("POST", "/crm/v3/objects/contacts/batch/upsert", body)
	wantStatus(t, st, 200, resp)
	news := map[string]bool{}
	for _, r := range resp["results"].([]any) {
		news[r.(map[string]any)["id"].(string)] = r.(map[string]any)["new"].(bool)
	}
	if news[existing.ID] || len(news) != 2 {
		t.Errorf("upsert new flags %v", news)
	}
	for id, isNew := range news {
		if id != existing.ID && !isNew {
			t.Errorf("created record %s has new=false", id)
		}
	}
	ext := map[string]any{"inputs": []any{map[string]any{"idProperty": "external_id", "id": "ext-upsert-1", "properties": map[string]any{"firstname": "Ext"}}}}
	if st, resp := h.call("POST", "/crm/v3/objects/contacts/batch/upsert", ext); st != 200 || get(resp, "results", 0, "new") != true {
		t.Errorf("upsert by unique custom property: %d %v", st, resp)
	}
	bad := map[string]any{"inputs": []any{map[string]any{"idProperty": "firstname", "id": "Ann", "properties": map[string]any{}}}}
	st, resp = h.call("POST", "/crm/v3/objects/contacts/batch/upsert", bad)
	wantStatus(t, st, 400, resp)
	dom := map[string]any{"inputs": []any{map[string]any{"idProperty": "domain", "id": "x.example", "properties": map[string]any{"name": "X"}}}}
	st, resp = h.call("POST", "/crm/v3/objects/companies/batch/upsert", dom)
	wantStatus(t, st, 400, resp)
}

func checkUpdateMissing(t *testing.T, h *harness) {
	recs := h.e.Records("companies", false)
	body := map[string]any{"inputs": []any{
		map[string]any{"id": recs[0].ID, "properties": map[string]any{"city": "Cork"}},
		map[string]any{"id": "424242", "properties": map[string]any{"city": "Cork"}},
	}}
	st, resp := h.call("POST", "/crm/v3/objects/companies/batch/update", body)
	wantStatus(t, st, 207, resp)
	if get(resp, "errors", 0, "category") != "OBJECT_NOT_FOUND" || length(resp["results"]) != 1 {
		t.Errorf("207 body %v", resp)
	}
	st, resp = h.call("POST", "/crm/objects/2026-09/companies/batch/update", body)
	wantStatus(t, st, 200, resp)
	if resp["numErrors"].(float64) != 1 {
		t.Errorf("folded errors %v", resp)
	}
	dup := map[string]any{"inputs": []any{body["inputs"].([]any)[0], body["inputs"].([]any)[0]}}
	st, resp = h.call("POST", "/crm/v3/objects/companies/batch/update", dup)
	wantStatus(t, st, 400, resp)
}

func checkNoopAndClear(t *testing.T, h *harness) {
	r := h.e.Records("companies", false)[2]
	h.clock.Advance(time.Hour)
	patch := func(props map[string]any) map[string]any {
		st, resp := h.call("PATCH", "/crm/v3/objects/companies/"+r.ID, map[string]any{"properties": props})
		wantStatus(t, st, 200, resp)
		return resp
	}
	resp := patch(map[string]any{"name": r.Properties["name"]})
	if resp["updatedAt"] != r.UpdatedAt.Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("no-op write bumped updatedAt to %v", resp["updatedAt"])
	}
	resp = patch(map[string]any{"name": "Renamed"})
	if resp["updatedAt"] != h.clock.Now().Format("2006-01-02T15:04:05.000Z") {
		t.Errorf("write did not bump updatedAt: %v", resp["updatedAt"])
	}
	patch(map[string]any{"city": ""})
	_, got := h.call("GET", "/crm/v3/objects/companies/"+r.ID+"?properties=city", nil)
	if v := get(got, "properties", "city"); v != "" {
		t.Errorf("cleared value in v3 = %v, want \"\"", v)
	}
	for _, rec := range h.e.Records("companies", false) {
		if rec.ID == r.ID && rec.Properties["city"] != "" {
			t.Errorf("city not cleared: %q", rec.Properties["city"])
		}
	}
}

func checkValidationRules(t *testing.T, h *harness) {
	deal := map[string]any{"properties": map[string]any{"dealname": "Lost", "pipeline": "default", "dealstage": "closedlost"}}
	st, body := h.call("POST", "/crm/objects/2026-09/deals", deal)
	wantStatus(t, st, 400, body)
	if get(body, "errors", 0, "context", "propertyName", 0) != "closed_lost_reason" {
		t.Errorf("rule error should name closed_lost_reason: %v", body)
	}
	st, body = h.call("POST", "/crm/v3/objects/deals", deal)
	wantStatus(t, st, 201, body)
	deal["properties"].(map[string]any)["closed_lost_reason"] = "Budget"
	st, body = h.call("POST", "/crm/objects/2026-09/deals", deal)
	wantStatus(t, st, 201, body)
}

func checkAssociationTypes(t *testing.T, h *harness) {
	contact := h.e.Records("contacts", false)[0].ID
	st, body := h.call("POST", "/crm/v4/associations/contacts/companies/batch/read", map[string]any{"inputs": []any{map[string]any{"id": contact}}})
	wantStatus(t, st, 200, body)
	var typeIDs []float64
	for _, to := range get(body, "results", 0, "to").([]any) {
		for _, ty := range to.(map[string]any)["associationTypes"].([]any) {
			typeIDs = append(typeIDs, ty.(map[string]any)["typeId"].(float64))
		}
	}
	if !slices.Contains(typeIDs, 279) || !slices.Contains(typeIDs, 1) {
		t.Errorf("contact->company types %v, want 279 and primary 1", typeIDs)
	}
	// MultiAssociatedObjectWithLabel.toObjectId is a string in the v4 and 2026-09 specs, in batch
	// reads and per-record lists alike.
	for _, read := range []struct{ method, path string }{
		{"POST", "/crm/v4/associations/contacts/companies/batch/read"},
		{"POST", "/crm/associations/2026-09/contacts/companies/batch/read"},
		{"GET", "/crm/v4/objects/contacts/" + contact + "/associations/companies"},
		{"GET", "/crm/objects/2026-09/contacts/" + contact + "/associations/companies"},
	} {
		var first any
		if read.method == "POST" {
			_, b := h.call(read.method, read.path, map[string]any{"inputs": []any{map[string]any{"id": contact}}})
			first = get(b, "results", 0, "to", 0)
		} else {
			_, b := h.call(read.method, read.path, nil)
			first = get(b, "results", 0)
		}
		if _, ok := get(first, "toObjectId").(string); !ok {
			t.Errorf("%s %s: toObjectId must be a JSON string: %v", read.method, read.path, first)
		}
	}
	company, _ := get(body, "results", 0, "to", 0, "toObjectId").(string)
	_, back := h.call("POST", "/crm/v4/associations/companies/contacts/batch/read", map[string]any{"inputs": []any{map[string]any{"id": company}}})
	found := false
	for _, to := range get(back, "results", 0, "to").([]any) {
		if to.(map[string]any)["toObjectId"] == contact {
			found = slices.ContainsFunc(to.(map[string]any)["associationTypes"].([]any), func(ty any) bool { return ty.(map[string]any)["typeId"] == 280.0 })
		}
	}
	if !found {
		t.Errorf("inverse company->contact 280 missing for %s", contact)
	}
	labels := map[string][]string{
		"contacts/companies": {"279:HUBSPOT_DEFINED:", "1:HUBSPOT_DEFINED:Primary", "101:USER_DEFINED:Billing contact"},
		"deals/contacts":     {"3:HUBSPOT_DEFINED:", "103:USER_DEFINED:Decision maker"},
		"deals/companies":    {"341:HUBSPOT_DEFINED:", "5:HUBSPOT_DEFINED:Primary"},
		"tickets/contacts":   {"16:HUBSPOT_DEFINED:"},
		"contacts/tickets":   {"15:HUBSPOT_DEFINED:"},
		"tickets/companies":  {"339:HUBSPOT_DEFINED:", "26:HUBSPOT_DEFINED:Primary"},
		"deals/tickets":      {"27:HUBSPOT_DEFINED:"},
		"calls/contacts":     {"194:HUBSPOT_DEFINED:"},
		"emails/companies":   {"186:HUBSPOT_DEFINED:"},
		"meetings/deals":     {"212:HUBSPOT_DEFINED:"},
		"tasks/tickets":      {"230:HUBSPOT_DEFINED:"},
		"notes/contacts":     {"202:HUBSPOT_DEFINED:"},
	}
	for pair, want := range labels {
		st, body := h.call("GET", "/crm/v4/associations/"+pair+"/labels", nil)
		wantStatus(t, st, 200, body)
		var got []string
		for _, l := range body["results"].([]any) {
			m := l.(map[string]any)
			label, _ := m["label"].(string)
			got = append(got, fmt.Sprintf("%v:%v:%s", m["typeId"], m["category"], label))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s labels %v, want %v", pair, got, want)
		}
	}
	_, none := h.call("POST", "/crm/v4/associations/contacts/tickets/batch/read", map[string]any{"inputs": []any{map[string]any{"id": "1"}}})
	if get(none, "errors", 0, "subCategory") != "crm.associations.NO_ASSOCIATIONS_FOUND" {
		t.Errorf("missing NO_ASSOCIATIONS_FOUND: %v", none)
	}
}

func checkAssociationWrites(t *testing.T, h *harness) {
	deal := h.e.Records("deals", false)[0]
	ticket := h.e.Records("tickets", false)[0]
	h.clock.Advance(time.Hour)
	body := map[string]any{"inputs": []any{
		map[string]any{"from": map[string]any{"id": deal.ID}, "to": map[string]any{"id": ticket.ID}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 27}}},
		map[string]any{"from": map[string]any{"id": deal.ID}, "to": map[string]any{"id": "77"}, "types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 27}}},
	}}
	st, resp := h.call("POST", "/crm/v4/associations/deals/tickets/batch/create", body)
	wantStatus(t, st, 207, resp)
	if length(resp["results"]) != 1 || resp["numErrors"].(float64) != 1 {
		t.Errorf("create result %v", resp)
	}
	back, err := h.e.Associations("tickets", ticket.ID, "deals")
	if err != nil || !slices.Contains(back, deal.ID) {
		t.Errorf("inverse ticket->deal missing: %v %v", back, err)
	}
	bad := map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": deal.ID}, "to": map[string]any{"id": ticket.ID},
		"types": []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 999}}}}}
	st, resp = h.call("POST", "/crm/v4/associations/deals/tickets/batch/create", bad)
	wantStatus(t, st, 400, resp)
	for _, typ := range []string{"deals", "tickets"} {
		for _, r := range h.e.Records(typ, false) {
			if (r.ID == deal.ID && !r.UpdatedAt.Equal(deal.UpdatedAt)) || (r.ID == ticket.ID && !r.UpdatedAt.Equal(ticket.UpdatedAt)) {
				t.Errorf("association changed %s %s last-modified", typ, r.ID)
			}
		}
	}
	archive := map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": ticket.ID}, "to": []any{map[string]any{"id": deal.ID}}}}}
	resp2, _, err := h.raw("POST", "/crm/v4/associations/tickets/deals/batch/archive", archive, nil)
	if err != nil || resp2.StatusCode != 204 {
		t.Fatalf("archive: %v %v", resp2, err)
	}
	if fwd, _ := h.e.Associations("deals", deal.ID, "tickets"); slices.Contains(fwd, ticket.ID) {
		t.Error("association still present after archive")
	}
	contact := h.e.Records("contacts", false)[1].ID
	def := map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": deal.ID}, "to": map[string]any{"id": contact}}}}
	st, resp = h.call("POST", "/crm/associations/2026-09/deals/contacts/batch/associate/default", def)
	wantStatus(t, st, 200, resp)
	if back, _ := h.e.Associations("contacts", contact, "deals"); !slices.Contains(back, deal.ID) {
		t.Error("default association missing")
	}
}

// withTypes copies a batch body, giving every input the HUBSPOT_DEFINED type typeID.
func withTypes(body map[string]any, typeID int) map[string]any {
	var out []any
	for _, in := range body["inputs"].([]any) {
		typed := maps.Clone(in.(map[string]any))
		typed["types"] = []any{map[string]any{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": typeID}}
		out = append(out, typed)
	}
	return map[string]any{"inputs": out}
}

func checkAssociationStatuses(t *testing.T, h *harness) {
	contacts, companies := h.e.Records("contacts", false), h.e.Records("companies", false)
	pair := func(from, to string) map[string]any {
		return map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": from}, "to": map[string]any{"id": to}}}}
	}
	billing := []any{map[string]any{"associationCategory": "USER_DEFINED", "associationTypeId": 101}}
	h.clock.Advance(time.Hour)
	for fi, f := range []struct{ assoc, objects string }{{"/crm/v4/associations", "/crm/v4/objects"}, {"/crm/associations/2026-09", "/crm/objects/2026-09"}} {
		v4 := fi == 0
		contact, company := contacts[10+fi].ID, companies[10+fi].ID
		good, bad := pair(contact, company), pair(contact, "999")
		labelled := map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": contact}, "to": map[string]any{"id": company}, "types": billing}}}
		status := func(v4Status, v2026Status int) int {
			if v4 {
				return v4Status
			}
			return v2026Status
		}
		batch := f.assoc + "/contacts/companies/batch/"
		record := f.objects + "/contacts/" + contact + "/associations/"
		// Archives answer 204 without a body in v4; in 2026-09 a batch response whose errors name
		// the inputs whose records do not exist.
		archiveErrors := status(0, 1)
		cases := []struct {
			method, path string
			body         any
			want         int
			labels       []string // the pair's labels afterwards; nil = not associated
			numErrors    int
		}{
			{"POST", batch + "associate/default", good, 200, []string{}, 0},
			{"POST", batch + "associate/default", bad, 200, []string{}, 1},
			{"POST", batch + "create", labelled, status(201, 200), []string{"Billing contact"}, 0},
			{"POST", batch + "create", withTypes(bad, 279), status(207, 200), []string{"Billing contact"}, 1},
			{"POST", batch + "read", map[string]any{"inputs": []any{map[string]any{"id": contact}}}, 200, []string{"Billing contact"}, 0},
			{"POST", batch + "read", map[string]any{"inputs": []any{map[string]any{"id": contact}, map[string]any{"id": "999"}}}, status(207, 200), []string{"Billing contact"}, 1},
			{"POST", batch + "labels/archive", labelled, status(204, 200), []string{}, 0},
			{"POST", batch + "labels/archive", withTypes(bad, 279), status(204, 200), []string{}, archiveErrors},
			{"POST", batch + "archive", map[string]any{"inputs": []any{map[string]any{"from": map[string]any{"id": contact}, "to": []any{map[string]any{"id": company}, map[string]any{"id": "999"}}}}}, status(204, 200), nil, archiveErrors},
			{"PUT", record + "default/companies/" + company, nil, 200, []string{}, 0},
			{"PUT", record + "companies/" + company, billing, 201, []string{"Billing contact"}, 0},
			{"PUT", record + "companies/999", billing, 400, []string{"Billing contact"}, 0},
			{"DELETE", record + "companies/" + company, nil, 204, nil, 0},
		}
		for _, tc := range cases {
			resp, data, err := h.raw(tc.method, tc.path, tc.body, nil)
			if err != nil {
				t.Fatalf("%s %s: %v", tc.method, tc.path, err)
			}
			if resp.StatusCode != tc.want {
				t.Errorf("%s %s: status %d, want %d (%.300s)", tc.method, tc.path, resp.StatusCode, tc.want, data)
			}
			if tc.want == 204 && len(data) != 0 {
				t.Errorf("%s %s: 204 with a body %q", tc.method, tc.path, data)
			}
			var answer struct {
				NumErrors int   `json:"numErrors"`
				Errors    []any `json:"errors"`
			}
			if len(data) > 0 {
				if err := json.Unmarshal(data, &answer); err != nil {
					t.Fatalf("%s %s: %v", tc.method, tc.path, err)
				}
			}
			if answer.NumErrors != tc.numErrors || len(answer.Errors) != tc.numErrors {
				t.Errorf("%s %s: numErrors %d with %d errors, want %d (%.300s)", tc.method, tc.path, answer.NumErrors, len(answer.Errors), tc.numErrors, data)
			}
			if got := h.labelsBetween(contact, company); !slices.Equal(got, tc.labels) {
				t.Errorf("%s %s: labels afterwards %v, want %v", tc.method, tc.path, got, tc.labels)
			}
		}
		for _, typ := range []string{"contacts", "companies"} {
			for _, r := range h.e.Records(typ, false) {
				if (r.ID == contact || r.ID == company) && r.UpdatedAt.After(h.clock.Now().Add(-time.Hour)) {
					t.Errorf("association writes moved %s %s last-modified to %v", typ, r.ID, r.UpdatedAt)
				}
			}
		}
	}
	_, def := h.call("POST", "/crm/v4/associations/contacts/companies/batch/associate/default", pair(contacts[20].ID, companies[20].ID))
	if get(def, "results", 0, "from", "id") != contacts[20].ID || get(def, "results", 0, "associationSpec", "associationTypeId") != 279.0 {
		t.Errorf("associate/default result %v, want {from, to, associationSpec}", def["results"])
	}
}

// labelsBetween reads a contact's labels towards a company: nil when not associated, [] for the
// unlabeled type alone.
func (h *harness) labelsBetween(contact, company string) []string {
	h.t.Helper()
	st, body := h.call("GET", "/crm/v4/objects/contacts/"+contact+"/associations/companies", nil)
	wantStatus(h.t, st, 200, body)
	for _, r := range body["results"].([]any) {
		if get(r, "toObjectId") != company {
			continue
		}
		labels := []string{}
		for _, ty := range get(r, "associationTypes").([]any) {
			if l, ok := get(ty, "label").(string); ok && get(ty, "category") == "USER_DEFINED" {
				labels = append(labels, l)
			}
		}
		return labels
	}
	return nil
}

func checkAssociationPaging(t *testing.T, h *harness) {
	company := h.e.Records("companies", false)[0].ID
	var got []string
	after := ""
	for pages := 0; ; pages++ {
		in := map[string]any{"id": company}
		if after != "" {
			in["after"] = after
		}
		st, body := h.call("POST", "/crm/v4/associations/companies/contacts/batch/read", map[string]any{"inputs": []any{in}})
		wantStatus(t, st, 200, body)
		for _, to := range get(body, "results", 0, "to").([]any) {
			id, _ := to.(map[string]any)["toObjectId"].(string)
			got = append(got, id)
		}
		next, _ := get(body, "results", 0, "paging", "next", "after").(string)
		if next == "" {
			if pages == 0 {
				t.Error("1500 associations came back in one page")
			}
			break
		}
		after = next
	}
	want, _ := h.e.Associations("companies", company, "contacts")
	if !slices.Equal(got, want) || len(want) != 1500 {
		t.Errorf("paged %d associations, want %d (all 1500)", len(got), len(want))
	}
}

func checkPropertyDefinitions(t *testing.T, h *harness) {
	small, err := New(Config{Seed: 3, Counts: map[string]int{"contacts": 50, "companies": 50, "deals": 50, "tickets": 50,
		"calls": 50, "emails": 50, "meetings": 50, "notes": 50, "tasks": 50, "cars": 50, "subscriptions": 50}, Now: h.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range h.e.ObjectTypes() {
		st, body := h.call("GET", "/crm/v3/properties/"+typ, nil)
		wantStatus(t, st, 200, body)
		defs := body["results"].([]any)
		if len(defs) < 150 || len(defs) > 250 {
			t.Errorf("%s has %d properties, want 150-250", typ, len(defs))
		}
		types, fields := map[string]bool{}, map[string]bool{}
		var readOnly, calculated, unique int
		for _, d := range defs {
			m := d.(map[string]any)
			types[m["type"].(string)] = true
			fields[m["fieldType"].(string)] = true
			if get(m, "modificationMetadata", "readOnlyValue") == true {
				readOnly++
			}
			if m["calculated"] == true {
				calculated++
			}
			if m["hasUniqueValue"] == true {
				unique++
			}
			if m["type"] == "enumeration" && length(m["options"]) == 0 {
				t.Errorf("%s.%s is an enumeration without options", typ, m["name"])
			}
		}
		for _, want := range []string{"string", "number", "bool", "date", "datetime", "enumeration", "phone_number"} {
			if !types[want] {
				t.Errorf("%s lacks a %s property", typ, want)
			}
		}
		if !fields["checkbox"] || !fields["select"] || readOnly == 0 || calculated == 0 || unique == 0 {
			t.Errorf("%s: checkbox=%v select=%v readOnly=%d calculated=%d unique=%d", typ, fields["checkbox"], fields["select"], readOnly, calculated, unique)
		}
		filled := map[string]bool{}
		for _, r := range small.Records(typ, false) {
			for k := range r.Properties {
				filled[k] = true
			}
		}
		for _, d := range defs {
			// Only a merge sets hs_merged_object_ids (checkMergedIDsDefinitions).
			if name := d.(map[string]any)["name"].(string); !filled[name] && name != mergedIDsName {
				t.Errorf("%s.%s is empty on every record of a 50-record portal", typ, name)
			}
		}
	}
	email := h.e.typeKeys["contacts"].propByName["email"]
	if resp := h.e.propertyJSON(email); resp.HasUniqueValue {
		t.Error("contact email must show hasUniqueValue false, as HubSpot does")
	}
	for _, r := range h.e.Records("contacts", false) {
		if e := r.Properties["email"]; e != strings.ToLower(e) {
			t.Fatalf("email %q is not lowercase", e)
		}
		if r.Properties["lastmodifieddate"] != r.UpdatedAt.Format("2006-01-02T15:04:05.000Z") || r.UpdatedAt.Before(r.CreatedAt) {
			t.Fatalf("record %s: lastmodifieddate %s vs updatedAt %v (created %v)", r.ID, r.Properties["lastmodifieddate"], r.UpdatedAt, r.CreatedAt)
		}
	}
}

func checkSchemas(t *testing.T, h *harness) {
	st, body := h.call("GET", "/crm-object-schemas/v3/schemas", nil)
	wantStatus(t, st, 200, body)
	results := body["results"].([]any)
	if len(results) != 2 {
		t.Fatalf("want 2 custom schemas, got %d", len(results))
	}
	for _, s := range results {
		m := s.(map[string]any)
		if !strings.HasPrefix(m["objectTypeId"].(string), "2-") || m["fullyQualifiedName"] != "p12345678_"+m["name"].(string) ||
			length(m["requiredProperties"]) == 0 || length(m["associations"]) < 2 || length(m["properties"]) < 150 {
			t.Errorf("schema %v lacks id, name, required properties, associations or properties", m["name"])
		}
	}
}

func checkPipelines(t *testing.T, h *harness) {
	st, deals := h.call("GET", "/crm/v3/pipelines/deals", nil)
	wantStatus(t, st, 200, deals)
	if length(deals["results"]) != 2 {
		t.Errorf("want 2 deal pipelines: %v", deals)
	}
	stages := map[string]bool{}
	for _, p := range deals["results"].([]any) {
		for _, s := range p.(map[string]any)["stages"].([]any) {
			stages[s.(map[string]any)["id"].(string)] = true
			if get(s, "metadata", "probability") == nil || get(s, "label") == "" {
				t.Errorf("deal stage without probability or label: %v", s)
			}
		}
	}
	for _, r := range h.e.Records("deals", false) {
		if !stages[r.Properties["dealstage"]] {
			t.Errorf("deal %s has unknown stage %q", r.ID, r.Properties["dealstage"])
		}
	}
	_, tickets := h.call("GET", "/crm/v3/pipelines/tickets", nil)
	if state := get(tickets, "results", 0, "stages", 0, "metadata", "ticketState"); state != "OPEN" {
		t.Errorf("ticket stage ticketState %v", state)
	}
	if st, body := h.call("GET", "/crm/v3/pipelines/contacts", nil); st != 404 {
		t.Errorf("contacts have no pipelines: %d %v", st, body)
	}
	// HubSpot dates its default pipelines and their stages 0; those a portal created carry a real time.
	const epoch = "1970-01-01T00:00:00.000Z"
	for _, body := range []map[string]any{deals, tickets} {
		for _, p := range body["results"].([]any) {
			isDefault := get(p, "id") == "default" || get(p, "id") == "0"
			for _, item := range append([]any{p}, get(p, "stages").([]any)...) {
				if created := get(item, "createdAt"); (created == epoch) != isDefault {
					t.Errorf("pipeline %v (default %v): %v createdAt %v", get(p, "id"), isDefault, get(item, "id"), created)
				}
			}
		}
	}
}

func checkSpecRequiredMetadata(t *testing.T, h *harness) {
	permissions := []any{"CRM_PERMISSIONS_ENFORCEMENT", "READ_ONLY", "INTERNAL_ONLY"}
	for _, path := range []string{"/crm/v3/pipelines/deals", "/crm/pipelines/2026-09/tickets", "/crm/pipelines/2026-09/deals"} {
		st, body := h.call("GET", path, nil)
		wantStatus(t, st, 200, body)
		for _, p := range body["results"].([]any) {
			for _, s := range get(p, "stages").([]any) {
				if !slices.Contains(permissions, get(s, "writePermissions")) {
					t.Errorf("%s: stage %v writePermissions %v, want one of %v", path, get(s, "id"), get(s, "writePermissions"), permissions)
				}
			}
		}
	}
	for _, path := range []string{"/crm-object-schemas/v3/schemas", "/crm-object-schemas/2026-09/schemas"} {
		st, body := h.call("GET", path, nil)
		wantStatus(t, st, 200, body)
		for _, s := range body["results"].([]any) {
			if _, ok := get(s, "allowsSensitiveProperties").(bool); !ok {
				t.Errorf("%s: schema %v allowsSensitiveProperties %v, want a boolean", path, get(s, "name"), get(s, "allowsSensitiveProperties"))
			}
		}
	}
}

func checkOwners(t *testing.T, h *harness) {
	_, a := h.call("GET", "/crm/v3/owners?limit=5", nil)
	_, b := h.call("GET", "/crm/v3/owners/?limit=5", nil)
	if !slices.Equal(ids(a["results"]), ids(b["results"])) || get(a, "paging", "next", "after") != get(b, "paging", "next", "after") || a["paging"] == nil {
		t.Errorf("owners with and without slash differ or lack paging:\n%v\n%v", a, b)
	}
	st, all := h.call("GET", "/crm/v3/owners/?limit=500", nil)
	wantStatus(t, st, 200, all)
	owners := map[string]bool{}
	for _, o := range all["results"].([]any) {
		owners[o.(map[string]any)["id"].(string)] = true
	}
	if len(owners) != ownerCount {
		t.Errorf("%d active owners, want %d", len(owners), ownerCount)
	}
	for _, base := range []string{"/crm/v3/owners", "/crm/owners/2026-09"} {
		_, page := h.call("GET", base+"?limit=500", nil)
		types := map[string]int{}
		for _, o := range page["results"].([]any) {
			owner := o.(map[string]any)
			types[fmt.Sprint(owner["type"])]++
			if person := owner["type"] == "PERSON"; person != (owner["userId"] != nil && owner["email"] != nil) {
				t.Errorf("%s: owner %v: persons carry a user id and an email, queues neither", base, owner)
			}
		}
		// HubSpot's userIdIncludingInactive carries every person's user id; userId is null once
		// the user is deactivated (archived).
		for _, archived := range []bool{false, true} {
			_, page := h.call("GET", fmt.Sprint(base, "?limit=500&archived=", archived), nil)
			for _, o := range page["results"].([]any) {
				owner := o.(map[string]any)
				all, isNum := owner["userIdIncludingInactive"].(float64)
				uid, hasUID := owner["userId"]
				switch {
				case owner["type"] == "QUEUE":
					if owner["userIdIncludingInactive"] != nil {
						t.Errorf("%s: queue %v carries userIdIncludingInactive", base, owner)
					}
				case !isNum:
					t.Errorf("%s: person %v: userIdIncludingInactive %v, want a number", base, owner, owner["userIdIncludingInactive"])
				case archived && (!hasUID || uid != nil):
					t.Errorf("%s: archived person %v: userId %v, want null", base, owner, uid)
				case !archived && uid != all:
					t.Errorf("%s: active person %v: userId %v, want userIdIncludingInactive %v", base, owner, uid, all)
				}
			}
		}
		if types["QUEUE"] == 0 || types["PERSON"] == 0 || types["QUEUE"]+types["PERSON"] != ownerCount {
			t.Errorf("%s: owner types %v, want PERSON and a few QUEUE owners only", base, types)
		}
		id := get(page, "results", 0, "id")
		if _, one := h.call("GET", fmt.Sprint(base, "/", id), nil); one["type"] != get(page, "results", 0, "type") {
			t.Errorf("%s/%v: type %v", base, id, one["type"])
		}
	}
	_, archived := h.call("GET", "/crm/v3/owners?archived=true", nil)
	if length(archived["results"]) != archivedOwners || get(archived, "results", 0, "archived") != true {
		t.Errorf("archived owners %v", archived)
	}
	for _, r := range h.e.Records("deals", false) {
		if o := r.Properties["hubspot_owner_id"]; o != "" && !owners[o] {
			t.Errorf("deal %s references unknown owner %s", r.ID, o)
		}
	}
}

// refresh runs the OAuth refresh-token grant with raw form values.
func refresh(t *testing.T, h *harness, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := h.srv.Client().PostForm(h.srv.URL+"/oauth/v1/token", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := jsonDecode(resp.Body, &body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func checkOAuth(t *testing.T, h *harness) {
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {"cid"}, "client_secret": {"secret"}, "refresh_token": {"rt-1"}}
	st, tok := refresh(t, h, form)
	wantStatus(t, st, 200, tok)
	access := tok["access_token"].(string)
	if tok["expires_in"] != 1800.0 || tok["token_type"] != "bearer" || tok["refresh_token"] != "rt-1" || len(access) < 300 || len(access) > 512 {
		t.Errorf("token response %v (len %d)", tok, len(access))
	}
	h.token = access
	if st, body := h.call("GET", "/crm/v3/objects/contacts?limit=1", nil); st != 200 {
		t.Fatalf("access token refused: %d %v", st, body)
	}
	h.clock.Advance(1801 * time.Second)
	st, body := h.call("GET", "/crm/v3/objects/contacts?limit=1", nil)
	wantStatus(t, st, 401, body)
	wantErrorBody(t, body, "EXPIRED_AUTHENTICATION")
	_, tok = refresh(t, h, form)
	h.token = tok["access_token"].(string)
	h.e.ExpireTokens()
	st, body = h.call("GET", "/crm/v3/objects/contacts?limit=1", nil)
	wantStatus(t, st, 401, body)
	h.token = "not-a-token"
	st, body = h.call("GET", "/crm/v3/objects/contacts?limit=1", nil)
	wantStatus(t, st, 401, body)
	wantErrorBody(t, body, "INVALID_AUTHENTICATION")
	for _, bad := range []url.Values{
		{"grant_type": {"refresh_token"}, "client_id": {"cid"}, "client_secret": {"secret"}, "refresh_token": {"wrong"}},
		{"grant_type": {"refresh_token"}, "client_id": {"other"}, "client_secret": {"secret"}, "refresh_token": {"rt-1"}},
	} {
		wantGrantRefused(t, h, bad, "BAD_REFRESH_TOKEN", "invalid_grant")
	}
	h.e.RevokeRefreshToken()
	wantGrantRefused(t, h, form, "BAD_REFRESH_TOKEN", "invalid_grant")
}

// wantGrantRefused checks a refused grant has HubSpot's OAuth error body: its status (such as
// BAD_REFRESH_TOKEN), a message and a correlation id, beside RFC 6749's error code.
func wantGrantRefused(t *testing.T, h *harness, form url.Values, status, code string) {
	t.Helper()
	st, body := refresh(t, h, form)
	if st != 400 || body["status"] != status || body["error"] != code || body["message"] == nil || body["correlationId"] == nil {
		t.Errorf("refused grant: %d %v; want 400 with status %s, error %s, a message and a correlationId", st, body, status, code)
	}
}

func checkMissingScopes(t *testing.T, h *harness) {
	if st, body := h.call("GET", "/crm/v3/objects/contacts?limit=1", nil); st != 200 {
		t.Fatalf("granted scope refused: %d %v", st, body)
	}
	cases := []struct{ method, path, scope string }{
		{"GET", "/crm/v3/objects/deals", "crm.objects.deals.read"},
		{"GET", "/crm/v3/properties/tickets", "tickets"},
		{"GET", "/crm/v3/objects/emails", "sales-email-read"},
		{"GET", "/crm-object-schemas/v3/schemas", "crm.schemas.custom.read"},
		{"GET", "/crm/v3/owners", "crm.objects.owners.read"},
		{"POST", "/crm/v3/objects/contacts", "crm.objects.contacts.write"},
		{"GET", "/crm/v3/objects/contacts?associations=companies", "crm.objects.companies.read"},
	}
	for _, tc := range cases {
		st, body := h.call(tc.method, tc.path, map[string]any{"properties": map[string]any{}})
		wantStatus(t, st, 403, body)
		wantErrorBody(t, body, "MISSING_SCOPES")
		if got := get(body, "errors", 0, "context", "requiredGranularScopes", 0); got != tc.scope {
			t.Errorf("%s %s: required scope %v, want %s", tc.method, tc.path, got, tc.scope)
		}
		if body["message"] != missingScopeMessage {
			t.Errorf("message %q", body["message"])
		}
	}
}

func checkScopeErrorShapes(t *testing.T, h *harness) {
	cases := []struct {
		shape string
		where []any // path to the scope in the body
	}{
		{"", []any{"errors", 0, "context", "requiredGranularScopes", 0}},
		{ScopeErrorGranular, []any{"errors", 0, "context", "requiredGranularScopes", 0}},
		{ScopeErrorRequired, []any{"errors", 0, "context", "requiredScopes", 0}},
		{ScopeErrorMissing, []any{"context", "missingScopes", 0}},
	}
	for _, tc := range cases {
		p := newHarness(t, Config{NoLimits: true, Scopes: []string{"crm.objects.contacts.read"}, ScopeErrorShape: tc.shape})
		st, body := p.call("GET", "/crm/v3/owners", nil)
		wantStatus(t, st, 403, body)
		wantErrorBody(t, body, "MISSING_SCOPES")
		if got := get(body, tc.where...); got != "crm.objects.owners.read" {
			t.Errorf("shape %q: scope at %v is %v, want crm.objects.owners.read (body %v)", tc.shape, tc.where, got, body)
		}
	}
	if _, err := New(Config{ScopeErrorShape: "nested"}); err == nil || !strings.Contains(err.Error(), "granular") {
		t.Errorf("unknown shape: %v, want an error naming the shapes", err)
	}
}

func checkNoAPIAccess(t *testing.T, h *harness) {
	cases := []struct{ path, scope string }{
		{"/crm/v3/objects/contacts", "crm.objects.contacts.read"},
		{"/crm/objects/2026-09/deals", "crm.objects.deals.read"},
		{"/crm/v3/owners", "crm.objects.owners.read"},
		{"/crm-object-schemas/v3/schemas", "crm.schemas.custom.read"},
	}
	for _, tc := range cases {
		st, body := h.call("GET", tc.path, nil)
		wantStatus(t, st, 403, body)
		wantErrorBody(t, body, "MISSING_SCOPES")
		if body["message"] != missingScopeMessage || body["subCategory"] != nil || get(body, "links", "scopes") != scopesLink {
			t.Errorf("%s: body %v, want HubSpot's MISSING_SCOPES message and links, no made-up subCategory", tc.path, body)
		}
		if got := get(body, "errors", 0, "context", "requiredGranularScopes", 0); got != tc.scope {
			t.Errorf("%s: names scope %v, want %s", tc.path, got, tc.scope)
		}
	}
}

// wantRateLimited checks the exact 429 body of a policy.
func wantRateLimited(t *testing.T, data []byte, policy, message string) {
	t.Helper()
	var body map[string]any
	if err := jsonDecode(strings.NewReader(string(data)), &body); err != nil {
		t.Fatal(err)
	}
	if len(body) != 5 || body["status"] != "error" || body["message"] != message || body["errorType"] != "RATE_LIMIT" ||
		body["policyName"] != policy || !uuidPattern.MatchString(fmt.Sprint(body["correlationId"])) {
		t.Errorf("429 body %s", data)
	}
}

func checkBurstLimit(t *testing.T, h *harness) {
	for i := range 3 {
		resp, _, err := h.raw("GET", "/crm/v3/objects/contacts?limit=1", nil, nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("request %d: %v %v", i, resp, err)
		}
		hd := resp.Header
		if hd.Get("X-HubSpot-RateLimit-Max") != "3" || hd.Get("X-HubSpot-RateLimit-Remaining") != strconv.Itoa(2-i) ||
			hd.Get("X-HubSpot-RateLimit-Interval-Milliseconds") != "10000" || hd.Get("X-HubSpot-RateLimit-Daily") != "100" ||
			hd.Get("X-HubSpot-RateLimit-Daily-Remaining") != strconv.Itoa(99-i) {
			t.Errorf("request %d headers %v", i, hd)
		}
	}
	resp, data, _ := h.raw("GET", "/crm/v3/objects/contacts?limit=1", nil, nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "" {
		t.Fatalf("4th request: %d Retry-After=%q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	wantRateLimited(t, data, "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.")
	h.clock.Advance(10 * time.Second)
	if resp, _, _ := h.raw("GET", "/crm/v3/objects/contacts?limit=1", nil, nil); resp.StatusCode != 200 {
		t.Errorf("window did not roll: %d", resp.StatusCode)
	}
	if got := h.e.Stats().RateLimited[PolicyTenSecondly]; got != 1 {
		t.Errorf("stats count %d burst 429s, want 1", got)
	}
}

func checkSearchLimit(t *testing.T, h *harness) {
	for range 2 {
		resp, _, _ := h.raw("POST", "/crm/v3/objects/contacts/search", map[string]any{}, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("search: %d", resp.StatusCode)
		}
		for k := range resp.Header {
			if strings.HasPrefix(strings.ToLower(k), "x-hubspot-ratelimit") {
				t.Errorf("search response carries %s", k)
			}
		}
	}
	resp, data, _ := h.raw("POST", "/crm/v3/objects/contacts/search", map[string]any{}, nil)
	if resp.StatusCode != 429 {
		t.Fatalf("3rd search in a second: %d", resp.StatusCode)
	}
	wantRateLimited(t, data, "SECONDLY", "You have reached your secondly limit.")
	if resp, _, _ := h.raw("GET", "/crm/v3/objects/contacts?limit=1", nil, nil); resp.StatusCode != 200 {
		t.Errorf("non-search call limited by the search limit: %d", resp.StatusCode)
	}
	h.clock.Advance(time.Second)
	if resp, _, _ := h.raw("POST", "/crm/v3/objects/contacts/search", map[string]any{}, nil); resp.StatusCode != 200 {
		t.Errorf("search window did not roll: %d", resp.StatusCode)
	}
}

func checkDailyLimit(t *testing.T, h *harness) {
	for range 2 {
		if resp, _, _ := h.raw("GET", "/crm/v3/owners", nil, nil); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	}
	resp, data, _ := h.raw("GET", "/crm/v3/owners", nil, nil)
	if resp.StatusCode != 429 {
		t.Fatalf("3rd request of the day: %d", resp.StatusCode)
	}
	wantRateLimited(t, data, "DAILY", "You have reached your daily limit.")
	h.clock.Advance(24 * time.Hour)
	if resp, _, _ := h.raw("GET", "/crm/v3/owners", nil, nil); resp.StatusCode != 200 {
		t.Errorf("new day still limited: %d", resp.StatusCode)
	}
}

func checkDefaultLimits(t *testing.T, h *harness) {
	for i := range FreeSearchPerSecond {
		if resp, _, _ := h.raw("POST", "/crm/v3/objects/contacts/search", map[string]any{}, nil); resp.StatusCode != 200 {
			t.Fatalf("search %d: %d", i, resp.StatusCode)
		}
	}
	resp, data, _ := h.raw("POST", "/crm/v3/objects/contacts/search", map[string]any{}, nil)
	if resp.StatusCode != 429 {
		t.Fatalf("search %d in a second: %d, want 429", FreeSearchPerSecond+1, resp.StatusCode)
	}
	wantRateLimited(t, data, PolicySecondly, "You have reached your secondly limit.")
	for i := FreeSearchPerSecond; i < FreeBurstLimit; i++ {
		resp, _, _ := h.raw("GET", "/crm/v3/owners", nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d of the window: %d", i+1, resp.StatusCode)
		}
		if got := resp.Header.Get("X-HubSpot-RateLimit-Max"); got != "100" {
			t.Fatalf("X-HubSpot-RateLimit-Max %q, want the free tier's 100", got)
		}
		if got := resp.Header.Get("X-HubSpot-RateLimit-Daily"); got != "250000" {
			t.Fatalf("X-HubSpot-RateLimit-Daily %q, want the free tier's 250000", got)
		}
	}
	resp, data, _ = h.raw("GET", "/crm/v3/owners", nil, nil)
	if resp.StatusCode != 429 {
		t.Fatalf("request %d in 10 s: %d, want 429", FreeBurstLimit+1, resp.StatusCode)
	}
	wantRateLimited(t, data, PolicyTenSecondly, "You have reached your ten_secondly_rolling limit.")
}

func checkNoLimits(t *testing.T, h *harness) {
	for i := range 2 * FreeBurstLimit {
		path, body := "/crm/v3/owners", any(nil)
		method := "GET"
		if i%2 == 0 {
			method, path, body = "POST", "/crm/v3/objects/contacts/search", map[string]any{}
		}
		resp, _, _ := h.raw(method, path, body, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("request %d: %d with limits off", i+1, resp.StatusCode)
		}
		if got := resp.Header.Get("X-HubSpot-RateLimit-Max"); got != "" {
			t.Fatalf("limits off but X-HubSpot-RateLimit-Max is %q", got)
		}
	}
}

func checkFaultReset(t *testing.T, h *harness) {
	if _, _, err := h.raw("GET", "/crm/v3/objects/contacts?limit=1", nil, nil); err == nil {
		t.Fatal("reset fault gave a response")
	}
	resp, err := h.srv.Client().Get(h.srv.URL + "/_emulator/stats")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("faults must not touch admin routes: %v %v", resp, err)
	}
	resp.Body.Close()
	if h.e.Stats().Faults["reset"] == 0 {
		t.Error("reset not counted")
	}
}

func checkFaultTruncate(t *testing.T, h *harness) {
	_, _, err := h.raw("GET", "/crm/v3/objects/contacts?limit=5", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Fatalf("truncated body read gave %v, want unexpected EOF", err)
	}
	h.e.SetFaults(Faults{})
	if _, _, err := h.raw("GET", "/crm/v3/objects/contacts?limit=5", nil, nil); err != nil {
		t.Fatalf("after clearing faults: %v", err)
	}
}

func checkFaultHang(t *testing.T, h *harness) {
	returned := make(chan struct{}, 3)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { returned <- struct{}{} }()
		h.e.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	answeredWith := func(ctx context.Context, method, path string, body string) chan error {
		out := make(chan error, 1)
		go func() {
			req, _ := http.NewRequestWithContext(ctx, method, srv.URL+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+h.token)
			req.Header.Set("Content-Type", "application/json")
			resp, err := srv.Client().Do(req)
			if err == nil {
				resp.Body.Close()
			}
			out <- err
		}()
		return out
	}
	answered := func(ctx context.Context) chan error {
		return answeredWith(ctx, "GET", "/crm/v3/objects/contacts?limit=1", "")
	}
	// hung waits until the emulator holds n requests. The awaited request ending first (answered,
	// refused) fails the test rather than leaving it spinning until the package times out.
	hung := func(n int, req chan error) {
		for deadline := time.Now().Add(10 * time.Second); h.e.Stats().Faults["hang"] < n; {
			select {
			case err := <-req:
				t.Fatalf("request %d ended (%v) before the emulator held it", n, err)
			case <-time.After(time.Millisecond):
			}
			if time.Now().After(deadline) {
				t.Fatalf("the emulator did not hold request %d within 10 s", n)
			}
		}
	}
	ctx, giveUp := context.WithCancel(context.Background())
	first := answered(ctx)
	hung(1, first)
	select {
	case err := <-first:
		t.Fatalf("a hung request was answered: %v", err)
	default:
	}
	giveUp()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("client gave up with %v, want context.Canceled", err)
	}
	<-returned // the handler returns once the client is gone

	// A request with a body the handler never read: the server notices the client leaving only
	// once the body is consumed.
	ctx, giveUp = context.WithCancel(context.Background())
	search := answeredWith(ctx, "POST", "/crm/v3/objects/contacts/search", `{"limit":1}`)
	hung(2, search)
	giveUp()
	<-search
	select {
	case <-returned:
	case <-time.After(10 * time.Second):
		h.e.Close() // releases it, so that the server can close
		t.Fatal("a hung request with a body was still held 10 s after its client gave up")
	}

	second := answered(context.Background())
	hung(3, second)
	h.e.Close()
	if err := <-second; err == nil {
		t.Error("a request released by Close got an answer; want the connection dropped")
	}
	<-returned
	if err := <-answered(context.Background()); err == nil {
		t.Error("a hung request after Close got an answer")
	}
	<-returned
}

func checkFaultStatuses(t *testing.T, h *harness) {
	cases := []struct {
		status     int
		retryAfter []string
		html       bool
	}{
		{477, []string{"1", "2"}, false}, {423, []string{"2"}, false}, {429, []string{""}, false},
		{500, []string{""}, false}, {502, []string{""}, true}, {503, []string{""}, false}, {524, []string{""}, true},
	}
	for _, tc := range cases {
		h.e.SetFaults(Faults{ErrorRate: map[int]float64{tc.status: 1}})
		resp, data, err := h.raw("GET", "/crm/v3/objects/contacts?limit=1", nil, nil)
		if err != nil || resp.StatusCode != tc.status {
			t.Fatalf("fault %d: %v %v", tc.status, resp, err)
		}
		if !slices.Contains(tc.retryAfter, resp.Header.Get("Retry-After")) {
			t.Errorf("fault %d: Retry-After %q, want one of %v", tc.status, resp.Header.Get("Retry-After"), tc.retryAfter)
		}
		if isHTML := strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html"); isHTML != tc.html {
			t.Errorf("fault %d: content type %s", tc.status, resp.Header.Get("Content-Type"))
		}
		if !tc.html && tc.status != 429 {
			var body map[string]any
			if err := jsonDecode(strings.NewReader(string(data)), &body); err != nil {
				t.Fatalf("fault %d body %s: %v", tc.status, data, err)
			}
			wantErrorBody(t, body, fmt.Sprint(body["category"]))
			if body["category"] == "" || body["category"] == nil {
				t.Errorf("fault %d body %s has no category", tc.status, data)
			}
		}
	}
	h.e.SetFaults(Faults{ErrorRate: map[int]float64{503: 0.3}})
	failed := 0
	for range 200 {
		if resp, _, _ := h.raw("GET", "/crm/v3/owners", nil, nil); resp.StatusCode == 503 {
			failed++
		}
	}
	if failed < 30 || failed > 90 {
		t.Errorf("503 rate 0.3 gave %d of 200", failed)
	}
	if err := (Faults{ErrorRate: map[int]float64{418: 0.1}}).validate(); err == nil {
		t.Error("unsupported fault status accepted")
	}
}

func checkBursts(t *testing.T, h *harness) {
	same := map[time.Time]int{}
	for _, r := range h.e.Records("contacts", false) {
		same[r.UpdatedAt]++
	}
	biggest := 0
	for _, n := range same {
		biggest = max(biggest, n)
	}
	if biggest < 200 {
		t.Errorf("largest group sharing one last-modified value has %d records, want hundreds", biggest)
	}
}

func checkDeterminism(t *testing.T, h *harness) {
	other := newHarness(t, Config{Now: h.clock.Now})
	differentSeed := newHarness(t, Config{Seed: 7, Now: h.clock.Now})
	for _, p := range []string{"/crm/v3/objects/contacts?limit=100&properties=email,phone,region_tags,hs_lead_status&associations=companies",
		"/crm/v3/properties/deals", "/crm/v3/owners", "/crm/v3/pipelines/deals"} {
		_, a, _ := h.raw("GET", p, nil, nil)
		_, b, _ := other.raw("GET", p, nil, nil)
		if string(a) != string(b) {
			t.Errorf("%s differs between two emulators with the same seed", p)
		}
		if _, c, _ := differentSeed.raw("GET", p, nil, nil); strings.HasPrefix(p, "/crm/v3/objects") && string(a) == string(c) {
			t.Errorf("%s identical for different seeds", p)
		}
	}
	if h.e.Token() != other.e.Token() || h.e.Token() == differentSeed.e.Token() {
		t.Error("generated tokens should follow the seed")
	}
}

func checkCorrelationIDs(t *testing.T, h *harness) {
	twin := newHarness(t, h.e.cfg)
	seen := map[string]string{}
	for _, p := range []*harness{h, twin} {
		requests := []struct {
			method, path string
			body         any
		}{
			{"GET", "/crm/v3/objects/widgets", nil},                                   // 404
			{"POST", "/crm/v3/objects/contacts/search", map[string]any{"limit": 999}}, // 400
			{"GET", "/crm/v3/objects/deals", nil},                                     // 403 missing scope
			{"GET", "/crm/v3/objects/contacts/999", nil},                              // 404 record
			{"GET", "/crm/v3/owners", nil},                                            // 429 daily
			{"GET", "/crm/v3/owners", nil},                                            // 429 daily again
		}
		for _, r := range requests {
			resp, data, err := p.raw(r.method, r.path, r.body, nil)
			if err != nil || resp.StatusCode < 400 {
				t.Fatalf("%s %s: %v %v, want an error answer", r.method, r.path, resp, err)
			}
			var body map[string]any
			if err := jsonDecode(strings.NewReader(string(data)), &body); err != nil {
				t.Fatalf("%s %s: %v", r.method, r.path, err)
			}
			id := fmt.Sprint(body["correlationId"])
			if !uuidPattern.MatchString(id) {
				t.Errorf("%s %s: correlationId %q is not a uuid", r.method, r.path, id)
			}
			if first, dup := seen[id]; dup {
				t.Errorf("%s %s repeats correlationId %s of %s", r.method, r.path, id, first)
			}
			seen[id] = r.method + " " + r.path
		}
	}
}

func checkAdmin(t *testing.T, h *harness) {
	post := func(path, body string) (int, string) {
		resp, err := h.srv.Client().Post(h.srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var sb strings.Builder
		_, _ = copyBody(&sb, resp)
		return resp.StatusCode, sb.String()
	}
	st, out := post("/_emulator/mutate", `{"op":"create","type":"companies","props":{"name":"Admin Co"}}`)
	if st != 200 || !strings.Contains(out, `"id":"`) {
		t.Fatalf("mutate create: %d %s", st, out)
	}
	if st, out := post("/_emulator/mutate", `{"op":"explode"}`); st != 400 {
		t.Errorf("unknown op: %d %s", st, out)
	}
	ids := h.e.Records("companies", false)
	st, out = post("/_emulator/mutate", fmt.Sprintf(`{"op":"setModified","type":"companies","ids":["%s","%s"],"at":"1700000000000"}`, ids[0].ID, ids[1].ID))
	if st != 200 {
		t.Fatalf("setModified: %d %s", st, out)
	}
	for _, r := range h.e.Records("companies", false)[:2] {
		if r.UpdatedAt.UnixMilli() != 1700000000000 {
			t.Errorf("setModified not applied to %s", r.ID)
		}
	}
	if st, out := post("/_emulator/faults", `{"errorRate":{"503":0.5,"500":0.1},"latency":"5ms","hangRate":0.25}`); st != 200 || !strings.Contains(out, `"503":0.5`) || !strings.Contains(out, `"hangRate":0.25`) {
		t.Errorf("faults: %d %s", st, out)
	}
	if f := h.e.faults.get(); f.ErrorRate[503] != 0.5 || f.ErrorRate[500] != 0.1 || f.Latency != 5*time.Millisecond || f.HangRate != 0.25 {
		t.Errorf("faults not applied: %+v", f)
	}
	if st, out := post("/_emulator/faults", `{"hangRate":1.5}`); st != 400 {
		t.Errorf("hang rate above 1 accepted: %d %s", st, out)
	}
	if st, out := post("/_emulator/faults", `{"errorRate":{"503":2}}`); st != 400 {
		t.Errorf("invalid faults accepted: %d %s", st, out)
	}
	if st, _ := post("/_emulator/expire-tokens", ""); st != 204 {
		t.Errorf("expire-tokens: %d", st)
	}
	resp, err := h.srv.Client().Get(h.srv.URL + "/_emulator/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s Stats
	if err := jsonDecode(resp.Body, &s); err != nil || s.Requests == nil {
		t.Errorf("stats: %v %+v", err, s)
	}
}

// mergeTypes are the object types HubSpot's specs give a merge endpoint, by their path names.
var mergeTypes = []string{"contacts", "companies", "0-3", "tickets", "cars"}

func mergeBody(primary, merged string) map[string]any {
	return map[string]any{"primaryObjectId": primary, "objectIdToMerge": merged}
}

func checkMerge(t *testing.T, h *harness) {
	for i, objectType := range mergeTypes {
		prefix := []string{"/crm/v3/objects/", "/crm/objects/2026-09/"}[i%2]
		recs := h.e.Records(objectType, false)
		primary, merged := recs[1], recs[2]
		h.clock.Advance(time.Minute)
		st, body := h.call("POST", prefix+objectType+"/merge", mergeBody(primary.ID, merged.ID))
		wantStatus(t, st, 200, body)
		now := h.clock.Now().UTC().Format("2006-01-02T15:04:05.000Z")
		if body["id"] != primary.ID || body["archived"] != false || body["updatedAt"] != now {
			t.Errorf("%s: merge answered %v, want the survivor %s modified at %s", objectType, body, primary.ID, now)
		}
		if got := get(body, "properties", "hs_merged_object_ids"); got != merged.ID {
			t.Errorf("%s: survivor's hs_merged_object_ids %v, want %s", objectType, got, merged.ID)
		}
		for _, list := range []string{"?limit=100", "?limit=100&archived=true"} {
			if slices.Contains(listAll(t, h, prefix+objectType+list), merged.ID) {
				t.Errorf("%s: merged-away %s still listed by %s", objectType, merged.ID, list)
			}
		}
		found := searchAll(t, h, objectType, map[string]any{"filterGroups": groups([]map[string]any{filter("hs_object_id", "EQ", merged.ID)})})
		if len(found) != 0 {
			t.Errorf("%s: search still finds merged-away %s", objectType, merged.ID)
		}
		st, body = h.call("POST", prefix+objectType+"/batch/read", map[string]any{"inputs": []any{map[string]any{"id": merged.ID}}, "properties": []string{}})
		if length(body["results"]) != 0 || get(body, "errors", 0, "category") != "OBJECT_NOT_FOUND" {
			t.Errorf("%s: batch read of merged-away %s answered %d %v", objectType, merged.ID, st, body)
		}
	}
}

func checkMergeRefusals(t *testing.T, h *harness) {
	recs := h.e.Records("contacts", false)
	a, b, c := recs[3].ID, recs[4].ID, recs[5].ID
	for _, step := range [][2]string{{a, b}, {c, a}} {
		st, body := h.call("POST", "/crm/v3/objects/contacts/merge", mergeBody(step[0], step[1]))
		wantStatus(t, st, 200, body)
	}
	st, survivor := h.call("GET", "/crm/v3/objects/contacts/"+c+"?properties=hs_merged_object_ids", nil)
	wantStatus(t, st, 200, survivor)
	if got := get(survivor, "properties", "hs_merged_object_ids"); got != a+";"+b {
		t.Errorf("chain survivor's hs_merged_object_ids %v, want %s;%s: every id merged into it, directly or not", got, a, b)
	}
	for _, gone := range []string{a, b} {
		st, body := h.call("GET", "/crm/objects/2026-09/contacts/"+gone, nil)
		wantStatus(t, st, 200, body)
		if body["id"] != c {
			t.Errorf("reading merged-away contact %s answered %v, want the survivor %s", gone, body["id"], c)
		}
	}
	companies := h.e.Records("companies", false)
	if st, body := h.call("POST", "/crm/v3/objects/companies/merge", mergeBody(companies[1].ID, companies[2].ID)); st != 200 {
		t.Fatalf("merge companies: %d %v", st, body)
	}
	st, body := h.call("GET", "/crm/v3/objects/companies/"+companies[2].ID, nil)
	wantStatus(t, st, 404, body)
	wantErrorBody(t, body, "OBJECT_NOT_FOUND")

	archived := recs[6].ID
	if err := h.e.Archive("contacts", archived); err != nil {
		t.Fatal(err)
	}
	calls := h.e.Records("calls", false)
	cases := []struct {
		name, path string
		body       any
		status     int
		category   string
		mentions   string
	}{
		{"into itself", "/crm/v3/objects/contacts/merge", mergeBody(c, c), 400, "VALIDATION_ERROR", "itself"},
		{"unknown primary", "/crm/v3/objects/contacts/merge", mergeBody("999999999999", c), 404, "OBJECT_NOT_FOUND", ""},
		{"unknown merged id", "/crm/objects/2026-09/contacts/merge", mergeBody(c, "999999999999"), 404, "OBJECT_NOT_FOUND", ""},
		{"archived record", "/crm/v3/objects/contacts/merge", mergeBody(c, archived), 404, "OBJECT_NOT_FOUND", ""},
		{"already merged away", "/crm/v3/objects/contacts/merge", mergeBody(c, a), 400, "VALIDATION_ERROR", "already merged into " + c},
		{"already merged primary", "/crm/objects/2026-09/contacts/merge", mergeBody(b, recs[7].ID), 400, "VALIDATION_ERROR", "already merged into " + c},
		{"missing objectIdToMerge", "/crm/v3/objects/contacts/merge", map[string]any{"primaryObjectId": c}, 400, "VALIDATION_ERROR", "objectIdToMerge"},
		{"no body", "/crm/v3/objects/contacts/merge", nil, 400, "VALIDATION_ERROR", ""},
		{"engagements have no merge", "/crm/v3/objects/calls/merge", mergeBody(calls[1].ID, calls[2].ID), 400, "VALIDATION_ERROR", "calls"},
		{"unknown object type", "/crm/v3/objects/widgets/merge", mergeBody(c, b), 404, "OBJECT_NOT_FOUND", ""},
		{"merged ids are read-only", "/crm/v3/objects/contacts/" + c, map[string]any{"properties": map[string]string{"hs_merged_object_ids": b}}, 400, "VALIDATION_ERROR", "read-only"},
	}
	for _, tc := range cases {
		method := "POST"
		if tc.name == "merged ids are read-only" {
			method = "PATCH"
		}
		st, body := h.call(method, tc.path, tc.body)
		if st != tc.status {
			t.Errorf("%s: status %d, want %d: %v", tc.name, st, tc.status, body)
			continue
		}
		wantErrorBody(t, body, tc.category)
		if !strings.Contains(fmt.Sprint(body["message"]), tc.mentions) {
			t.Errorf("%s: message %q does not mention %q", tc.name, body["message"], tc.mentions)
		}
	}
	if got := len(h.e.Records("calls", false)); got != len(calls) {
		t.Errorf("a refused engagement merge changed the calls: %d, want %d", got, len(calls))
	}
}

func checkMergedIDsDefinitions(t *testing.T, h *harness) {
	for _, objectType := range append(slices.Clone(mergeTypes), "calls", "notes") {
		st, body := h.call("GET", "/crm/v3/properties/"+objectType+"/hs_merged_object_ids", nil)
		if objectType == "calls" || objectType == "notes" {
			wantStatus(t, st, 404, body)
			continue
		}
		wantStatus(t, st, 200, body)
		if get(body, "modificationMetadata", "readOnlyValue") != true || get(body, "type") != "string" {
			t.Errorf("%s: hs_merged_object_ids definition %v, want a read-only string", objectType, body)
		}
	}
	for _, objectType := range mergeTypes {
		for _, r := range h.e.Records(objectType, false) {
			if v := r.Properties["hs_merged_object_ids"]; v != "" {
				t.Fatalf("%s %s: seeded hs_merged_object_ids %q; only merges set it", objectType, r.ID, v)
			}
		}
	}
}

func checkMergeRateLimited(t *testing.T, h *harness) {
	recs := h.e.Records("deals", false)
	statuses := make([]int, 3)
	for i := range statuses {
		statuses[i], _ = h.call("POST", "/crm/v3/objects/deals/merge", mergeBody(recs[1].ID, recs[2+i].ID))
	}
	if !slices.Equal(statuses, []int{200, 200, 429}) {
		t.Errorf("merges under a burst limit of 2 answered %v, want [200 200 429]", statuses)
	}
	if got := h.e.Stats().Requests[FamilyBatch]; got != 3 {
		t.Errorf("merges counted %d in the batch (write) family, want 3", got)
	}
}
