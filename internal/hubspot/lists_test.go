package hubspot

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// listsClient is a client of each API version against one emulated portal.
func listsClient(t *testing.T, version string, cfg emulator.Config) (*Client, *emulator.Emulator) {
	t.Helper()
	cfg.Seed, cfg.NoLimits = 5, true
	cfg.Counts = map[string]int{"contacts": 700, "companies": 60}
	e, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	c, err := NewClient(WithBaseURL(srv.URL), WithAccessToken(e.Token()), WithAPIVersion(version))
	if err != nil {
		t.Fatal(err)
	}
	return c, e
}

// members reads every member of a list through the client.
func members(t *testing.T, c *Client, listID string, opts MembershipOptions) []Membership {
	t.Helper()
	var out []Membership
	for page, err := range c.Lists.Memberships(t.Context(), listID, opts) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Members...)
	}
	return out
}

func TestListsAgainstTheEmulator(t *testing.T) {
	for _, version := range []string{APIVersionV3, APIVersionLatest} {
		t.Run(version, func(t *testing.T) {
			c, e := listsClient(t, version, emulator.Config{})
			truth := e.Lists()

			var got []List
			for page, err := range c.Lists.Search(t.Context(), ListSearch{}) {
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, page.Lists...)
				if page.Total != len(truth) {
					t.Errorf("search total %d, want %d", page.Total, len(truth))
				}
			}
			if len(got) != len(truth) {
				t.Fatalf("search found %d lists, want %d", len(got), len(truth))
			}
			for i, l := range got {
				want := truth[i]
				if l.ID != want.ID || l.Name != want.Name || l.ObjectTypeID != want.ObjectTypeID || l.ProcessingType != want.ProcessingType ||
					l.Size == nil || *l.Size != int64(len(want.Members)) || l.CreatedAt.IsZero() || l.Version != 1 {
					t.Errorf("list %+v, want %+v with size %d", l, want, len(want.Members))
				}
			}

			var dynamic []List
			for page, err := range c.Lists.Search(t.Context(), ListSearch{ProcessingTypes: []string{ListDynamic}, ObjectTypeID: "0-1"}) {
				if err != nil {
					t.Fatal(err)
				}
				dynamic = append(dynamic, page.Lists...)
			}
			if len(dynamic) != 1 || dynamic[0].ProcessingType != ListDynamic {
				t.Fatalf("dynamic contact lists = %+v", dynamic)
			}
			one, err := c.Lists.Get(t.Context(), dynamic[0].ID, ListGetOptions{IncludeFilters: true})
			if err != nil || one.Name != dynamic[0].Name || len(one.Filters) == 0 || one.Size == nil {
				t.Fatalf("get = %+v, %v", one, err)
			}

			manual := truth[0]
			all := members(t, c, manual.ID, MembershipOptions{Limit: 40})
			var ids []string
			for _, m := range all {
				ids = append(ids, m.RecordID)
				if !m.JoinedAt.Equal(manual.JoinedAt[m.RecordID]) {
					t.Fatalf("member %s joined at %v, want %v", m.RecordID, m.JoinedAt, manual.JoinedAt[m.RecordID])
				}
			}
			if !slices.Equal(ids, manual.Members) {
				t.Fatalf("members %v, want %v", ids, manual.Members)
			}
		})
	}
}

func TestListsMembershipsResumeFromACursor(t *testing.T) {
	c, e := listsClient(t, APIVersionV3, emulator.Config{})
	manual := e.Lists()[0]
	var first *MembershipPage
	for page, err := range c.Lists.Memberships(t.Context(), manual.ID, MembershipOptions{Limit: 10}) {
		if err != nil {
			t.Fatal(err)
		}
		first = page
		break
	}
	rest := members(t, c, manual.ID, MembershipOptions{After: first.After})
	if len(first.Members)+len(rest) != len(manual.Members) || rest[0].RecordID != manual.Members[10] {
		t.Fatalf("resumed at %s with %d members, want %s and %d", rest[0].RecordID, len(rest), manual.Members[10], len(manual.Members)-10)
	}
}

func TestListsChangeMembers(t *testing.T) {
	c, e := listsClient(t, APIVersionLatest, emulator.Config{})
	manual := e.Lists()[0]
	var outsider string
	for _, r := range e.Records("contacts", false) {
		if !slices.Contains(manual.Members, r.ID) {
			outsider = r.ID
			break
		}
	}
	change, err := c.Lists.AddMembers(t.Context(), manual.ID, []string{outsider, manual.Members[0], "99999999999"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(change.Added, []string{outsider}) || !slices.Equal(change.Missing, []string{"99999999999"}) {
		t.Fatalf("add = %+v", change)
	}
	lists, err := c.Lists.RecordLists(t.Context(), "0-1", outsider)
	if err != nil || !slices.ContainsFunc(lists, func(l RecordList) bool { return l.ListID == manual.ID }) {
		t.Fatalf("record lists = %+v, %v; want list %s", lists, err, manual.ID)
	}
	change, err = c.Lists.RemoveMembers(t.Context(), manual.ID, []string{outsider})
	if err != nil || !slices.Equal(change.Removed, []string{outsider}) {
		t.Fatalf("remove = %+v, %v", change, err)
	}
}

// fakeListPortal serves a list search over lists, pageSize lists a page whatever the count asked,
// and runs between(n) after serving the n-th search.
func fakeListPortal(t *testing.T, lists []string, pageSize int, between func(n int, lists []string) []string, opts ...Option) (*fakeAPI, *Client) {
	var mu sync.Mutex
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, body []byte, n int) {
		var req listSearchBody
		if err := json.Unmarshal(body, &req); err != nil {
			t.Errorf("list search body: %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		page := lists[min(req.Offset, len(lists)):min(req.Offset+pageSize, len(lists))]
		out := make([]map[string]any, len(page))
		for i, id := range page {
			out[i] = map[string]any{"listId": id, "name": "list " + id, "additionalProperties": map[string]string{}}
		}
		next := req.Offset + len(page)
		writeJSON(w, http.StatusOK, map[string]any{"lists": out, "offset": next, "hasMore": next < len(lists), "total": len(lists)})
		lists = between(n, lists)
	})
	c, _ := newTestClient(t, f, opts...)
	return f, c
}

// A list deleted while the search pages moves the later lists back a place: All notices the total
// move and reads again; lists that keep changing are read maxListReads times, merged, and warned of.
func TestListsAllSurvivesADeletionWhilePaging(t *testing.T) {
	ids := func(from, to int) []string {
		var out []string
		for i := from; i <= to; i++ {
			out = append(out, strconv.Itoa(i))
		}
		return out
	}
	tests := []struct {
		name    string
		lists   int
		between func(n int, lists []string) []string
		reads   int
		want    []string
		warns   bool
	}{
		{"steady", 6, func(_ int, l []string) []string { return l }, 1, ids(1, 6), false},
		{"list 1 deleted after the first page", 6, func(n int, l []string) []string {
			if n == 0 {
				return l[1:]
			}
			return l
		}, 2, ids(2, 6), false},
		// Each read skips lists (the first 5 and 10), a later read finds them.
		{"a list deleted after every page", 12, func(_ int, l []string) []string { return l[1:] }, maxListReads, ids(1, 12), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			f, c := fakeListPortal(t, ids(1, tt.lists), 4, tt.between, WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			lists, err := c.Lists.All(t.Context(), ListSearch{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range lists {
				got = append(got, l.ID)
			}
			slices.SortFunc(got, func(a, b string) int {
				x, _ := strconv.Atoi(a)
				y, _ := strconv.Atoi(b)
				return x - y
			})
			if !slices.Equal(got, tt.want) {
				t.Errorf("lists %v, want %v", got, tt.want)
			}
			if len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Errorf("lists %v hold one twice", got)
			}
			reads := 0
			for _, r := range f.Requests() {
				var body listSearchBody
				if err := json.Unmarshal(r.Body, &body); err == nil && body.Offset == 0 {
					reads++
				}
			}
			if reads != tt.reads {
				t.Errorf("read the lists %d times, want %d", reads, tt.reads)
			}
			if warned := strings.Contains(logs.String(), "level=WARN"); warned != tt.warns {
				t.Errorf("warned %v, want %v: %s", warned, tt.warns, logs.String())
			}
		})
	}
}

func TestListsErrors(t *testing.T) {
	c, e := listsClient(t, APIVersionV3, emulator.Config{})
	dynamic := e.Lists()[1]
	if _, err := c.Lists.Get(t.Context(), "999", ListGetOptions{}); !IsNotFound(err) {
		t.Errorf("get unknown list: %v, want a 404", err)
	}
	if _, err := c.Lists.AddMembers(t.Context(), dynamic.ID, dynamic.Members[:1]); !IsValidation(err) || !strings.Contains(err.Error(), "DYNAMIC") {
		t.Errorf("add to a dynamic list: %v, want a 400 naming DYNAMIC", err)
	}
	for _, err := range c.Lists.Memberships(t.Context(), dynamic.ID, MembershipOptions{Limit: MaxMembershipsLimit + 1}) {
		if err == nil || !strings.Contains(err.Error(), "limit") {
			t.Errorf("limit above the maximum: %v, want an error naming the limit", err)
		}
	}

	noScope, _ := listsClient(t, APIVersionV3, emulator.Config{Scopes: []string{"crm.objects.contacts.read"}})
	for _, err := range noScope.Lists.Search(t.Context(), ListSearch{}) {
		var apiErr *APIError
		if !errors.As(err, &apiErr) || !slices.Contains(apiErr.MissingScopes, "crm.lists.read") || !strings.Contains(err.Error(), "crm.lists.read") {
			t.Errorf("search without crm.lists.read: %v, want a missing-scope error naming it", err)
		}
	}
}

func TestListsScopeHint(t *testing.T) {
	tests := []struct {
		method, path, want string
	}{
		{"POST", "/crm/v3/lists/search", "crm.lists.read"},
		{"GET", "/crm/lists/2026-09/12/memberships", "crm.lists.read"},
		{"PUT", "/crm/v3/lists/12/memberships/add", "crm.lists.write"},
	}
	for _, tt := range tests {
		if got := hintFor(tt.method, tt.path).scope; got != tt.want {
			t.Errorf("hintFor(%s %s) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

// The spec types additionalProperties values as strings, yet its own example sends numbers; a
// null is no value. None of them may fail the page.
func TestListSearchPropertyValues(t *testing.T) {
	tests := []struct {
		name, props string
		want        map[string]string
		wantSize    string // "" for none
	}{
		{"strings", `{"hs_list_size":"59","hs_last_record_added_at":"1695938616824"}`,
			map[string]string{"hs_list_size": "59", "hs_last_record_added_at": "1695938616824"}, "59"},
		{"numbers", `{"hs_list_size":59,"hs_last_record_added_at":1695938616824,"hs_list_size_week_delta":-1}`,
			map[string]string{"hs_list_size": "59", "hs_last_record_added_at": "1695938616824", "hs_list_size_week_delta": "-1"}, "59"},
		{"nulls", `{"hs_list_size":null,"hs_last_record_added_at":null,"hs_list_reference_count":0}`,
			map[string]string{"hs_list_reference_count": "0"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := scripted(t, step{status: 200, body: `{"lists":[{"listId":"123","listVersion":1,"name":"Test list","objectTypeId":"0-1",
			  "processingStatus":"COMPLETED","processingType":"SNAPSHOT","additionalProperties":` + tt.props + `}],"hasMore":false,"offset":1,"total":1}`})
			c, _ := newTestClient(t, f)
			for page, err := range c.Lists.Search(t.Context(), ListSearch{}) {
				if err != nil {
					t.Fatal(err)
				}
				l := page.Lists[0]
				size := ""
				if l.Size != nil {
					size = strconv.FormatInt(*l.Size, 10)
				}
				if !maps.Equal(l.Properties, tt.want) || size != tt.wantSize {
					t.Errorf("properties %v, size %q; want %v, size %q", l.Properties, size, tt.want, tt.wantSize)
				}
			}
		})
	}
}
