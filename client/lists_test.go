package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
	"github.com/hubspot-cq/cq-plugin-hubspot/resources/services/crm"
)

// listTruth is the emulator's lists as the tables should hold them: list id -> size, and
// "list/record" -> membership time in epoch ms.
func listTruth(e *emulator.Emulator) (map[string]int64, map[string]int64) {
	sizes, members := map[string]int64{}, map[string]int64{}
	for _, l := range e.Lists() {
		sizes[l.ID] = int64(len(l.Members))
		for _, id := range l.Members {
			members[l.ID+"/"+id] = l.JoinedAt[id].UnixMilli()
		}
	}
	return sizes, members
}

// listDestination is what a destination that upserts by primary key holds of the membership
// tables: each membership's joined and refreshed times by "list/record", and each list's latest
// refresh time.
type listDestination struct {
	members   map[string][2]int64
	refreshes map[string]int64
}

func newListDestination() *listDestination {
	return &listDestination{members: map[string][2]int64{}, refreshes: map[string]int64{}}
}

// apply writes one sync's rows and returns the lists it read, with the members each read found.
func (d *listDestination) apply(t *testing.T, msgs message.SyncMessages) map[string]int64 {
	t.Helper()
	for _, rec := range insertsFor(msgs, listMemberships) {
		lists := arrowtest.Column[*array.String](t, rec, "list_id")
		records := arrowtest.Column[*array.Int64](t, rec, "record_id")
		joined := arrowtest.Column[*array.Timestamp](t, rec, "membership_timestamp")
		refreshed := arrowtest.Column[*array.Timestamp](t, rec, "refreshed_at")
		for i := range int(rec.NumRows()) {
			key := lists.Value(i) + "/" + strconv.FormatInt(records.Value(i), 10)
			d.members[key] = [2]int64{int64(joined.Value(i)), int64(refreshed.Value(i))}
		}
	}
	read := map[string]int64{}
	for _, rec := range insertsFor(msgs, listMembershipRefreshes) {
		lists := arrowtest.Column[*array.String](t, rec, "list_id")
		refreshed := arrowtest.Column[*array.Timestamp](t, rec, "refreshed_at")
		members := arrowtest.Column[*array.Int64](t, rec, "members")
		for i := range int(rec.NumRows()) {
			if _, dup := read[lists.Value(i)]; dup {
				t.Errorf("list %s refreshed twice in one sync", lists.Value(i))
			}
			d.refreshes[lists.Value(i)] = int64(refreshed.Value(i))
			read[lists.Value(i)] = members.Value(i)
		}
	}
	return read
}

// current is the live query of docs/incremental.md: the memberships whose refreshed_at is their
// list's latest refresh, as "list/record" -> joined time.
func (d *listDestination) current() map[string]int64 {
	out := map[string]int64{}
	for key, m := range d.members {
		list, _, _ := strings.Cut(key, "/")
		if at, ok := d.refreshes[list]; ok && at == m[1] {
			out[key] = m[0]
		}
	}
	return out
}

const (
	listsTableName          = "hubspot_crm_lists"
	listMemberships         = "hubspot_crm_list_memberships"
	listMembershipRefreshes = "hubspot_crm_list_membership_refreshes"
)

// listSizes reads the lists table's sizes from a sync.
func listSizes(t *testing.T, msgs message.SyncMessages) map[string]int64 {
	t.Helper()
	sizes := map[string]int64{}
	for _, rec := range insertsFor(msgs, listsTableName) {
		ids := arrowtest.Column[*array.String](t, rec, "id")
		size := arrowtest.Column[*array.Int64](t, rec, "size")
		for i := range int(rec.NumRows()) {
			sizes[ids.Value(i)] = size.Value(i)
		}
	}
	return sizes
}

// changedLists names the lists whose members or membership times differ between two truths.
func changedLists(before, after map[string]int64) map[string]bool {
	out := map[string]bool{}
	for _, pair := range [][2]map[string]int64{{before, after}, {after, before}} {
		for key, at := range pair[0] {
			if other, ok := pair[1][key]; !ok || other != at {
				list, _, _ := strings.Cut(key, "/")
				out[list] = true
			}
		}
	}
	return out
}

// The lists table is read in full on every run; a list's members only when HubSpot's list
// properties show a change, and the live query over the rows then gives HubSpot's members: those
// that left keep their old rows, outdated by their list's newer refresh.
func TestListMembershipsFollowHubSpot(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 4, NoLimits: true, Counts: smallCounts})
	// No list falls due for its periodic re-read in these runs: what is read is what changed.
	spec := p.spec(map[string]any{"list_memberships": map[string]any{"refresh_runs": 1000}})
	lists := crm.Lists().Table
	if lists.IsIncremental || !lists.Relations[0].IsIncremental || !lists.Relations[0].Relations[0].IsIncremental {
		t.Fatal("want the lists table read whole (delete-stale drops deleted lists), its memberships and their refreshes incremental")
	}
	dest := newListDestination()
	truth := func() map[string]int64 { _, members := listTruth(p.emu); return members }
	check := func(step string, msgs message.SyncMessages, wantRead map[string]bool) {
		t.Helper()
		read := dest.apply(t, msgs)
		want, got := truth(), dest.current()
		if len(want) == 0 {
			t.Fatal("the emulated portal has no list members")
		}
		if diff := changedLists(want, got); len(diff) > 0 {
			t.Errorf("%s: current members differ from HubSpot's in lists %v", step, slices.Sorted(maps.Keys(diff)))
		}
		wantSizes, _ := listTruth(p.emu)
		if sizes := listSizes(t, msgs); !maps.Equal(sizes, wantSizes) {
			t.Errorf("%s: list sizes %v, want %v", step, sizes, wantSizes)
		}
		if got := slices.Sorted(maps.Keys(read)); !slices.Equal(got, slices.Sorted(maps.Keys(wantRead))) {
			t.Errorf("%s: read the members of lists %v, want %v", step, got, slices.Sorted(maps.Keys(wantRead)))
		}
	}
	all := map[string]bool{}
	for _, l := range p.emu.Lists() {
		all[l.ID] = true
	}
	check("first run", p.mustSync(spec, lists.Name, listMemberships), all)

	before := truth()
	emuLists := p.emu.Lists()
	manual, dynamic := emuLists[0], emuLists[1]
	if manual.ProcessingType != emulator.ListManual || dynamic.ProcessingType != emulator.ListDynamic {
		t.Fatalf("seeded lists changed order: %s, %s", manual.ProcessingType, dynamic.ProcessingType)
	}
	must(t, p.emu.RemoveFromList(manual.ID, manual.Members[:2]))
	must(t, p.emu.Archive("contacts", manual.Members[2]))
	leaver := dynamic.Members[slices.IndexFunc(dynamic.Members, func(id string) bool { return !slices.Contains(manual.Members[:3], id) })]
	must(t, p.emu.Update("contacts", leaver, map[string]string{"lifecyclestage": "lead"}))
	must(t, p.emu.AddToList(manual.ID, manual.Members[:1])) // back, with a new membership time
	changed := changedLists(before, truth())
	if len(changed) == len(all) {
		t.Fatal("every list changed: the test cannot tell skipped lists from read ones")
	}
	check("after changes", p.mustSync(spec, lists.Name, listMemberships), changed)

	gone := emuLists[len(emuLists)-1].ID
	must(t, p.emu.DeleteList(gone))
	msgs := p.mustSync(spec, lists.Name, listMemberships)
	if read := dest.apply(t, msgs); len(read) != 1 || read[gone] != 0 {
		t.Errorf("after deleting list %s, reads %v; want one with no members for it", gone, read)
	}
	for key := range dest.current() {
		if strings.HasPrefix(key, gone+"/") {
			t.Errorf("member %s of deleted list %s is still current", key, gone)
		}
	}

	stats := p.emu.Stats()
	check("nothing changed", p.mustSync(spec, lists.Name, listMemberships), nil)
	after := p.emu.Stats()
	if n := after.Total() - stats.Total(); n != 1 || after.Requests[emulator.FamilyLists] != stats.Requests[emulator.FamilyLists] {
		t.Errorf("a run where nothing changed sent %d requests (%d for members), want the one search of lists", n,
			after.Requests[emulator.FamilyLists]-stats.Requests[emulator.FamilyLists])
	}
}

// Whatever HubSpot's list properties show, every list's members are read again within
// list_memberships.refresh_runs runs, once.
func TestListMembershipsRereadWithinRefreshRuns(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 4, NoLimits: true, Counts: smallCounts})
	const runs = 3
	spec := p.spec(map[string]any{"list_memberships": map[string]any{"refresh_runs": runs}})
	dest := newListDestination()
	dest.apply(t, p.mustSync(spec, listMemberships))
	reads := map[string]int{}
	for range runs {
		for id := range dest.apply(t, p.mustSync(spec, listMemberships)) {
			reads[id]++
		}
	}
	for _, l := range p.emu.Lists() {
		if reads[l.ID] != 1 {
			t.Errorf("list %s read %d times in %d unchanged runs, want once", l.ID, reads[l.ID], runs)
		}
	}

	full := p.spec(map[string]any{"list_memberships": map[string]any{"full_refresh": true}})
	if read := dest.apply(t, p.mustSync(full, listMemberships)); len(read) != len(p.emu.Lists()) {
		t.Errorf("full_refresh read %d lists, want all %d", len(read), len(p.emu.Lists()))
	}
}

// A list whose members could not be read fails the table and is read again next run; the lists
// read in the same run keep their progress.
func TestListMembershipReadFailureRetriesThatListOnly(t *testing.T) {
	var failing atomic.Bool
	failing.Store(true)
	p := wiredPortal(t, func(w http.ResponseWriter, r *http.Request) bool {
		if !failing.Load() || !strings.HasSuffix(r.URL.Path, "/lists/2/memberships") {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"status":"error","message":"Invalid request","category":"VALIDATION_ERROR","correlationId":"c0ffee"}`))
		return true
	})
	spec := p.spec(map[string]any{"list_memberships": map[string]any{"refresh_runs": 1000}})
	dest := newListDestination()
	msgs, err := p.sync(spec, listMemberships)
	if err == nil || !strings.Contains(err.Error(), "list 2") || !strings.Contains(err.Error(), listMemberships) || strings.Contains(err.Error(), listsTableName) {
		t.Fatalf("error %v, want one naming list 2 and the memberships table, not the lists table", err)
	}
	if read := dest.apply(t, msgs); len(read) != len(p.emu.Lists())-1 {
		t.Errorf("read %d lists, want every list but the failing one", len(read))
	}
	failing.Store(false)
	if read := dest.apply(t, p.mustSync(spec, listMemberships)); len(read) != 1 || read["2"] == 0 {
		t.Errorf("the run after the failure read %v, want list 2 only", read)
	}
}

// Under the CloudQuery CLI's default skip_dependent_tables, the lists table comes alone, and the
// memberships table with its refreshes (unless skipped by name).
func TestListTablesSelection(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 5, Counts: smallCounts})
	pl := hsplugin.Plugin()
	ctx := context.Background()
	must(t, pl.Init(ctx, p.spec(map[string]any{"objects": []string{"contacts"}}), plugin.NewClientOptions{}))
	defer pl.Close(ctx)
	lists := listsTableName
	for _, tc := range []struct {
		tables, skip []string
		want         []string
	}{
		{[]string{lists}, nil, []string{lists}},
		{[]string{listMemberships}, nil, []string{lists, listMemberships, listMembershipRefreshes}},
		{[]string{listMemberships}, []string{listMembershipRefreshes}, []string{lists, listMemberships}},
	} {
		tables, err := pl.Tables(ctx, plugin.TableOptions{Tables: tc.tables, SkipTables: tc.skip, SkipDependentTables: true})
		must(t, err)
		if got := tables.FlattenTables().TableNames(); !slices.Equal(got, tc.want) {
			t.Errorf("tables %v, skip %v: selected %v, want %v", tc.tables, tc.skip, got, tc.want)
		}
	}
}

// Without crm.lists.read, `*` skips both list tables and reports the scope; naming them fails.
func TestListTablesNeedTheListsScope(t *testing.T) {
	scopes := []string{"crm.objects.contacts.read", "crm.objects.companies.read", "crm.objects.deals.read", "tickets",
		"crm.objects.custom.read", "crm.schemas.custom.read", "crm.objects.owners.read", "sales-email-read"}
	p := newPortal(t, emulator.Config{NoLimits: true, Counts: smallCounts, Scopes: scopes})
	msgs, rep, err := p.syncWithReport(p.spec(nil), "*")
	if err != nil {
		t.Fatalf("sync of *: %v", err)
	}
	if len(insertsFor(msgs, listsTableName)) != 0 || len(insertsFor(msgs, "hubspot_crm_contacts")) == 0 {
		t.Error("want contacts synced and lists skipped")
	}
	if !slices.ContainsFunc(rep.Skipped(), func(s client.Skipped) bool {
		return s.Object == "lists" && slices.Equal(s.MissingScopes, []string{"crm.lists.read"})
	}) {
		t.Errorf("skipped %v, want lists for crm.lists.read", rep.Skipped())
	}

	for _, named := range []string{listsTableName, listMemberships} {
		t.Run("named "+named, func(t *testing.T) {
			_, err := p.sync(p.spec(nil), named)
			if err == nil || !strings.Contains(err.Error(), "crm.lists.read") || !strings.Contains(err.Error(), listsTableName) {
				t.Fatalf("error %v, want one naming hubspot_crm_lists and crm.lists.read", err)
			}
		})
	}
}

// A list's refresh row goes out as soon as its members are read: a run interrupted while one list
// is read leaves every list read before it current in a destination that upserts.
func TestListRefreshFollowsItsMembers(t *testing.T) {
	p := wiredPortal(t, func(_ http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/lists/2/memberships") {
			return false
		}
		<-r.Context().Done() // list 2 is being read when the run is interrupted
		return true
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pl := hsplugin.Plugin(client.WithLocalState(p.state))
	must(t, pl.Init(ctx, p.spec(nil), plugin.NewClientOptions{}))
	defer pl.Close(context.Background())
	res := make(chan message.SyncMessage)
	go func() {
		defer close(res)
		_ = pl.Sync(ctx, plugin.SyncOptions{Tables: []string{listMemberships}}, res) // interrupted below
	}()

	_, truth := listTruth(p.emu)
	others := len(p.emu.Lists()) - 1
	var msgs message.SyncMessages
	deadline := time.After(30 * time.Second)
	for refreshed := 0; refreshed < others; {
		select {
		case m, ok := <-res:
			if !ok {
				t.Fatal("the sync ended before the lists were read")
			}
			msgs = append(msgs, m)
			refreshed = 0
			for _, rec := range insertsFor(msgs, listMembershipRefreshes) {
				refreshed += int(rec.NumRows())
			}
		case <-deadline:
			t.Fatalf("while list 2 was read, %d of the %d other lists' refresh rows arrived", refreshed, others)
		}
	}
	cancel()
	for m := range res {
		msgs = append(msgs, m)
	}
	dest := newListDestination()
	dest.apply(t, msgs)
	maps.DeleteFunc(truth, func(key string, _ int64) bool { return strings.HasPrefix(key, "2/") })
	if got := dest.current(); !maps.Equal(got, truth) {
		t.Errorf("the interrupted run left %d current memberships outside list 2, HubSpot has %d", len(got), len(truth))
	}
}

// A list read before and missing from a run's search while it still exists (a search paged while
// other lists were deleted) is looked up, by a search by id and then by id: it keeps its row in the
// lists table and its members. When the lookup fails, the lists table still gets its rows and the
// list is not emptied.
func TestListMissingFromASearchKeepsItsMembers(t *testing.T) {
	tests := []struct {
		name string
		// hide says what the proxy does to a search: "" nothing, "hide" leave list 2 out, "fail" answer 400.
		full, byID string
		wantRead   []string // lists whose members the run reads
		wantErr    bool
	}{
		{"missing from the search", "hide", "", nil, false},
		{"missing from the search by id too", "hide", "hide", []string{"2"}, false}, // by id, without the list properties that tell a change
		{"lookup fails", "hide", "fail", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var on atomic.Bool
			emu, err := emulator.New(emulator.Config{Counts: smallCounts})
			must(t, err)
			next := emu.Handler()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				must(t, err)
				r.Body = io.NopCloser(bytes.NewReader(body))
				var search struct{ ListIDs []string }
				_ = json.Unmarshal(body, &search)
				mode := tt.full
				if len(search.ListIDs) > 0 {
					mode = tt.byID
				}
				switch {
				case !on.Load() || !strings.HasSuffix(r.URL.Path, "/lists/search") || mode == "":
					next.ServeHTTP(w, r)
				case mode == "fail":
					http.Error(w, `{"status":"error","message":"bad search","category":"VALIDATION_ERROR"}`, http.StatusBadRequest)
				default:
					rec := httptest.NewRecorder()
					next.ServeHTTP(rec, r)
					var answer map[string]any
					if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
						t.Errorf("list search answer: %v", err)
					}
					lists, _ := answer["lists"].([]any)
					answer["lists"] = slices.DeleteFunc(lists, func(l any) bool { return l.(map[string]any)["listId"] == "2" })
					w.Header().Set("Content-Type", "application/json")
					_ = json.NewEncoder(w).Encode(answer)
				}
			}))
			t.Cleanup(srv.Close)
			p := &portal{t: t, emu: emu, url: srv.URL, state: filepath.Join(t.TempDir(), "state.json")}
			spec := p.spec(map[string]any{"list_memberships": map[string]any{"refresh_runs": 1000}})
			sizes, truth := listTruth(emu)
			dest := newListDestination()
			dest.apply(t, p.mustSync(spec, listMemberships))

			on.Store(true)
			msgs, err := p.sync(spec, listMemberships)
			if (err != nil) != tt.wantErr {
				t.Fatalf("sync error %v, want one: %v", err, tt.wantErr)
			}
			if err != nil && (!strings.Contains(err.Error(), listMemberships) || strings.Contains(err.Error(), listsTableName)) {
				t.Errorf("error %v, want one naming the memberships table, not the lists table", err)
			}
			if read := dest.apply(t, msgs); !slices.Equal(slices.Sorted(maps.Keys(read)), tt.wantRead) {
				t.Errorf("the run read lists %v, want %v", slices.Sorted(maps.Keys(read)), tt.wantRead)
			}
			if tt.wantErr {
				delete(sizes, "2") // the search left it out, and the lookup could not tell
			}
			if got := listSizes(t, msgs); !maps.Equal(got, sizes) {
				t.Errorf("lists table holds %v, want %v", got, sizes)
			}
			if got := dest.current(); !maps.Equal(got, truth) {
				t.Errorf("after the run that missed list 2: %d current memberships, HubSpot has %d", len(got), len(truth))
			}
		})
	}
}
