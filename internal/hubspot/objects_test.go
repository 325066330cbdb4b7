package hubspot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestListPageDecodesRecords(t *testing.T) {
	const body = `{"results":[
	  {"id":"719869649082","properties":{"email":"a@example.com","phone":null,"hs_object_id":"719869649082"},
	   "createdAt":"2024-01-02T03:04:05.678Z","updatedAt":"2025-06-07T08:09:10.000Z","archived":false,
	   "associations":{"companies":{"results":[{"id":"55","type":"contact_to_company"},{"id":56,"type":"contact_to_company_unlabeled"}]}}},
	  {"id":7199,"properties":{},"createdAt":"2024-01-02T00:00:00Z","updatedAt":"2024-01-03T00:00:00Z","archived":true,"archivedAt":"2024-02-01T00:00:00Z"}
	],"paging":{"next":{"after":"NTI1Cg==","link":"x"}}}`
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) { writeRaw(w, http.StatusOK, body) })
	c, _ := newTestClient(t, f)
	page, err := c.Objects.ListPage(t.Context(), "contacts", ListOptions{
		Properties: []string{"email", "phone"}, Associations: []string{"companies"}, Archived: true, After: "abc",
	})
	if err != nil {
		t.Fatalf("ListPage: %v", err)
	}
	q := f.Requests()[0].Query
	for k, want := range map[string]string{"limit": "100", "properties": "email,phone", "associations": "companies", "archived": "true", "after": "abc"} {
		if got := q.Get(k); got != want {
			t.Errorf("query %s = %q, want %q", k, got, want)
		}
	}
	if page.After != "NTI1Cg==" || len(page.Results) != 2 {
		t.Fatalf("page after=%q results=%d", page.After, len(page.Results))
	}
	first := page.Results[0]
	if first.ID != "719869649082" || *first.Properties["email"] != "a@example.com" {
		t.Errorf("first record = %+v", first)
	}
	if v, ok := first.Properties["phone"]; !ok || v != nil {
		t.Errorf("phone: null must be a present nil value, got %v (present %v)", v, ok)
	}
	if _, ok := first.Properties["firstname"]; ok {
		t.Error("a property that was not returned must be absent")
	}
	if want := time.Date(2024, 1, 2, 3, 4, 5, 678e6, time.UTC); !first.CreatedAt.Equal(want) {
		t.Errorf("CreatedAt = %v, want %v", first.CreatedAt, want)
	}
	wantRefs := []AssociationRef{{ID: "55", Type: "contact_to_company"}, {ID: "56", Type: "contact_to_company_unlabeled"}}
	if got := first.Associations["companies"]; fmt.Sprint(got) != fmt.Sprint(wantRefs) {
		t.Errorf("associations = %v, want %v", got, wantRefs)
	}
	second := page.Results[1]
	if second.ID != "7199" || !second.Archived || second.ArchivedAt == nil || second.ArchivedAt.Month() != time.February {
		t.Errorf("second record = %+v", second)
	}
}

func TestListIterator(t *testing.T) {
	tests := []struct {
		name      string
		pages     int // pages the fake serves before failing (or ending when fail is false)
		fail      bool
		breakAt   int  // stop after this many pages; 0 = never
		stuck     bool // from the second page on, the next cursor is the one asked for
		wantPages int
		wantErr   bool
		wantReqs  int
	}{
		{name: "to the end", pages: 3, wantPages: 3, wantReqs: 3},
		{name: "break", pages: 5, breakAt: 2, wantPages: 2, wantReqs: 2},
		{name: "stops at the first error", pages: 2, fail: true, wantPages: 2, wantErr: true, wantReqs: 3},
		{name: "stops at a repeated cursor", pages: 5, stuck: true, wantPages: 1, wantErr: true, wantReqs: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ []byte, n int) {
				if want := strconv.Itoa(n); n > 0 && r.URL.Query().Get("after") != want {
					t.Errorf("request %d: after = %q, want %q", n, r.URL.Query().Get("after"), want)
				}
				switch {
				case tt.stuck && n > 5: // a client that follows the cursor for ever
					writeRaw(w, http.StatusBadRequest, `{"status":"error","message":"stop","category":"VALIDATION_ERROR"}`)
				case tt.stuck && n > 0:
					writeRaw(w, http.StatusOK, fmt.Sprintf(`{"results":[{"id":"%d"}],"paging":{"next":{"after":"1"}}}`, n))
				case n >= tt.pages && tt.fail:
					writeRaw(w, http.StatusBadRequest, `{"status":"error","message":"bad","category":"VALIDATION_ERROR"}`)
				case n == tt.pages-1 && !tt.fail:
					writeRaw(w, http.StatusOK, fmt.Sprintf(`{"results":[{"id":"%d"}]}`, n))
				default:
					writeRaw(w, http.StatusOK, fmt.Sprintf(`{"results":[{"id":"%d"}],"paging":{"next":{"after":"%d"}}}`, n, n+1))
				}
			})
			c, _ := newTestClient(t, f)
			var pages int
			var gotErr error
			for page, err := range c.Objects.List(t.Context(), "deals", ListOptions{}) {
				if err != nil {
					gotErr = err
					if page != nil {
						t.Error("an error must come with a nil page")
					}
					continue
				}
				pages++
				if tt.breakAt > 0 && pages == tt.breakAt {
					break
				}
			}
			if pages != tt.wantPages || (gotErr != nil) != tt.wantErr || len(f.Requests()) != tt.wantReqs {
				t.Errorf("pages=%d err=%v requests=%d, want pages=%d err=%v requests=%d", pages, gotErr, len(f.Requests()), tt.wantPages, tt.wantErr, tt.wantReqs)
			}
		})
	}
}

func TestGetByIDProperty(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		writeRaw(w, http.StatusOK, `{"id":"9","properties":{"email":"x@y.z"}}`)
	})
	c, _ := newTestClient(t, f, WithAPIVersion(APIVersionLatest))
	obj, err := c.Objects.Get(t.Context(), "contacts", "x@y.z", GetOptions{IDProperty: "email", Properties: []string{"email"}})
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	r := f.Requests()[0]
	if r.Path != "/crm/objects/2026-09/contacts/x@y.z" || r.Query.Get("idProperty") != "email" || r.Query.Get("properties") != "email" {
		t.Errorf("request = %s %v", r.Path, r.Query)
	}
	if obj.ID != "9" {
		t.Errorf("ID = %q", obj.ID)
	}
}

func TestGetNotFound(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		writeRaw(w, http.StatusNotFound, `{"status":"error","message":"Object not found","category":"OBJECT_NOT_FOUND","correlationId":"c-1"}`)
	})
	c, _ := newTestClient(t, f)
	_, err := c.Objects.Get(t.Context(), "contacts", "1", GetOptions{})
	if !IsNotFound(err) {
		t.Fatalf("IsNotFound(%v) = false", err)
	}
	if len(f.Requests()) != 1 {
		t.Errorf("a 404 must not be retried: %d requests", len(f.Requests()))
	}
}

func TestSearch(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		writeRaw(w, http.StatusOK, `{"total":4321,"results":[{"id":"1","properties":{"hs_lastmodifieddate":"2025-01-01T00:00:00.000Z"}}],"paging":{"next":{"after":"200"}}}`)
	})
	c, _ := newTestClient(t, f)
	page, err := c.Objects.Search(t.Context(), "deals", SearchRequest{
		FilterGroups: []FilterGroup{{Filters: []Filter{
			{PropertyName: "hs_lastmodifieddate", Operator: "GTE", Value: "1700000000000"},
			{PropertyName: "dealstage", Operator: "IN", Values: []string{"a", "b"}},
		}}},
		Sorts:      []Sort{{PropertyName: "hs_lastmodifieddate", Direction: "ASCENDING"}},
		Properties: []string{"dealname"},
	})
	if err != nil {
		t.Fatalf("Search: %v", err)
	}
	if page.Total != 4321 || page.After != "200" || len(page.Results) != 1 {
		t.Errorf("page = %+v", page)
	}
	var body map[string]any
	if err := json.Unmarshal(f.Requests()[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	want := `map[after:0 filterGroups:[map[filters:[map[operator:GTE propertyName:hs_lastmodifieddate value:1700000000000] map[operator:IN propertyName:dealstage values:[a b]]]]] limit:200 properties:[dealname] sorts:[hs_lastmodifieddate]]`
	if got := fmt.Sprint(body); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
	if got := c.Stats().ByFamily[familySearch]; got != 1 {
		t.Errorf("search family count = %d", got)
	}
}

// TestSearchBodyPerVersion asserts the JSON HubSpot receives: in both versions exactly the shape
// their specs declare (and HubSpot's official SDKs send), every required member present and sorts
// as property names.
func TestSearchBodyPerVersion(t *testing.T) {
	filtered := SearchRequest{
		FilterGroups: []FilterGroup{{Filters: []Filter{{PropertyName: "hs_lastmodifieddate", Operator: "GTE", Value: "1700000000000"}}}},
		Sorts:        []Sort{{PropertyName: "hs_lastmodifieddate", Direction: "ASCENDING"}},
		Properties:   []string{"dealname"},
		After:        "200",
	}
	tests := []struct {
		name     string
		version  string
		req      SearchRequest
		wantBody string
		wantErr  string
	}{
		{"v3 empty carries every required member", APIVersionV3, SearchRequest{},
			`{"filterGroups":[],"sorts":[],"properties":[],"limit":200,"after":"0"}`, ""},
		{"v3 filtered sends sorts as names", APIVersionV3, filtered,
			`{"filterGroups":[{"filters":[{"propertyName":"hs_lastmodifieddate","operator":"GTE","value":"1700000000000"}]}],"sorts":["hs_lastmodifieddate"],"properties":["dealname"],"limit":200,"after":"200"}`, ""},
		{"v3 refuses a descending sort", APIVersionV3, SearchRequest{Sorts: []Sort{{PropertyName: "createdate", Direction: "DESCENDING"}}}, "",
			`sort createdate DESCENDING: search sorts are property names, which HubSpot orders ascending`},
		{"2026-09 empty carries every required member", APIVersionLatest, SearchRequest{},
			`{"filterGroups":[],"sorts":[],"properties":[],"limit":200,"after":"0"}`, ""},
		{"2026-09 filtered sends sorts as names", APIVersionLatest, filtered,
			`{"filterGroups":[{"filters":[{"propertyName":"hs_lastmodifieddate","operator":"GTE","value":"1700000000000"}]}],"sorts":["hs_lastmodifieddate"],"properties":["dealname"],"limit":200,"after":"200"}`, ""},
		{"2026-09 sort without direction", APIVersionLatest, SearchRequest{Sorts: []Sort{{PropertyName: "hs_object_id"}}, Query: "acme", Limit: 10},
			`{"filterGroups":[],"sorts":["hs_object_id"],"query":"acme","properties":[],"limit":10,"after":"0"}`, ""},
		{"2026-09 refuses a descending sort", APIVersionLatest, SearchRequest{Sorts: []Sort{{PropertyName: "createdate", Direction: "DESCENDING"}}}, "",
			`sort createdate DESCENDING: search sorts are property names, which HubSpot orders ascending`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
				writeRaw(w, http.StatusOK, `{"total":0,"results":[]}`)
			})
			c, _ := newTestClient(t, f, WithAPIVersion(tt.version))
			_, err := c.Objects.Search(t.Context(), "deals", tt.req)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if n := len(f.Requests()); n != 0 {
					t.Errorf("%d requests sent, want none", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Search: %v", err)
			}
			if got := string(f.Requests()[0].Body); got != tt.wantBody {
				t.Errorf("body\n got %s\nwant %s", got, tt.wantBody)
			}
		})
	}
}
