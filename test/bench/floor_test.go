package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

// BenchmarkRequestFloor reports what runs cost when little or nothing changed, against the
// per-run floor of 2 requests per selected object table plus 3: after a full sync of every table
// (20,000 contacts, the emulator's default counts for the rest), a `*` run with nothing changed
// and one after 100 of the 20,000 contacts changed, a contacts-only run and a run of every object
// table with nothing changed, then a contacts-only run after another 100 contacts changed.
func BenchmarkRequestFloor(b *testing.B) {
	const n = 20_000
	// No limits: the figures are request counts, and 429s answered to the plugin would count too.
	emu := startEmulator(b, "--counts", "contacts="+strconv.Itoa(n), "--no-limits")
	proxy := newCountingProxy(b, emu)
	state := b.TempDir() + "/state.json"

	full := floorSync(b, proxy, state, nil, "*")
	objectTables := full.objectTables()
	nObjects := len(objectTables)
	floor := func(tables int) float64 { return float64(2*tables + 3) }

	// The run of a job scheduled with `*`, whose previous run synced every table too.
	all := floorSync(b, proxy, state, nil, "*")
	report(b, fmt.Sprintf("floor: nothing changed, `*` (%d object tables): requests", nObjects), float64(all.requests()), "requests(*)", floor(nObjects), false)

	// Its next run, after 100 of the 20,000 contacts changed: the contacts table's search finds
	// them. The associations table's default pairs read from companies, deals and the rest
	// towards contacts, so the changed contacts cost it nothing.
	touched := touchFirst(b, emu, 100)
	time.Sleep(2500 * time.Millisecond) // past the settle lag
	allChanged := floorSync(b, proxy, state, nil, "*")
	if allChanged.records != int64(touched) {
		b.Fatalf("`*` run read %d contacts, want the %d changed", allChanged.records, touched)
	}

	contacts := floorSync(b, proxy, state, nil, "hubspot_crm_contacts")
	report(b, "floor: nothing changed, contacts only: requests", float64(contacts.requests()), "requests", floor(1), false)

	objects := floorSync(b, proxy, state, nil, objectTables...)
	report(b, fmt.Sprintf("floor: nothing changed, %d object tables: requests", nObjects), float64(objects.requests()), "requests(obj)", floor(nObjects), false)

	all.printKinds()
	assoc := all.byKind[assocSearches] + all.byKind[assocReads]
	report(b, "floor: nothing changed, `*` less the association and list tables", float64(all.requests()-assoc-all.byKind[listTables]), "requests(*-a)", floor(nObjects), false)
	report(b, "associations table, nothing changed (rolling refresh, 24 runs)", float64(assoc), "requests(a)", full.refreshBound(24), false)
	report(b, fmt.Sprintf("list tables, nothing changed (%d of %d lists due to re-read)", len(all.listsRead), len(full.listsRead)),
		float64(all.byKind[listTables]), "requests(l)", all.listBound(), false)
	fmt.Printf("%-58s %12d requests (no target: the rolling refresh's share of a run varies)\n",
		fmt.Sprintf("%d of %d contacts changed, `*`", touched, n), allChanged.requests())
	allChanged.printKinds()

	changed := touchFirst(b, emu, 100)
	time.Sleep(2500 * time.Millisecond) // past the settle lag
	inc := floorSync(b, proxy, state, nil, "hubspot_crm_contacts")
	if inc.records != int64(changed) {
		b.Fatalf("contacts-only run read %d contacts, want the %d changed", inc.records, changed)
	}
	report(b, fmt.Sprintf("floor: %d of %d contacts changed, contacts only: requests", changed, n), float64(inc.requests()), "requests(100)", floor(1), false)

	// The same with a record filter, in a state of its own: the changed contacts are judged by
	// one more search per 100.
	filtered := map[string]any{"objects": []string{"contacts"}, "filters": map[string]any{"contacts": map[string]any{
		"groups": []any{[]any{map[string]any{"property": "lifecyclestage", "operator": "IN", "values": []string{"customer", "evangelist", "lead"}}}}}}}
	fstate := b.TempDir() + "/filtered.json"
	backfill := floorSync(b, proxy, fstate, filtered, "hubspot_crm_contacts")
	report(b, fmt.Sprintf("filtered backfill (%d of %d contacts match): requests", backfill.records, n),
		float64(backfill.requests()), "requests(fb)", float64((backfill.records+199)/200+3), false)
	backfill.printKinds()
	changed = touchFirst(b, emu, 100)
	time.Sleep(2500 * time.Millisecond)
	finc := floorSync(b, proxy, fstate, filtered, "hubspot_crm_contacts")
	report(b, fmt.Sprintf("filtered: %d of %d contacts changed, contacts only: requests", changed, n), float64(finc.requests()), "requests(f100)", floor(1), false)
}

// floorRun is what one sync through the counting proxy did.
type floorRun struct {
	records int64
	tables  []string       // every table the sync migrated
	byKind  map[string]int // requests by what they were for
	// rows per table, and the association pairs read (from type to the to types).
	rows  map[string]int64
	pairs map[string]map[string]bool
	// listsRead: the members each list read found.
	listsRead map[string]int64
}

func (r floorRun) requests() int { return sum(r.byKind) }

func (r floorRun) printKinds() {
	for _, kind := range slices.Sorted(maps.Keys(r.byKind)) {
		fmt.Printf("    %-54s %12d\n", kind, r.byKind[kind])
	}
}

// refreshBound is what docs/incremental.md states an association run costs when nothing
// changed, for the records and pairs of this (full) run, its object tables synced in the same
// run (their searches find the changed records): for each object type read from, the pages its
// rolling walk has fallen behind (none under 200 records,
// one per 200 of records / runs otherwise) with a batch read per pair and 1,000 records of them;
// and for the ceil(types / runs) types whose walk may end in the run, every record left instead
// (at most a run's share and a page: one search per 200, one that finds the end, and the batch
// reads). The run measured is the second of every type's first walk, which goes faster for a type
// that began it late; with the default emulator's types read from (at most 600 records) that
// still makes at most one page outside a walk's last run.
func (r floorRun) refreshBound(runs int) float64 {
	cost := func(records, pairs, searches int) int { return searches + pairs*((records+999)/1000) }
	total := 0
	var lastRunExtra []int
	for from, tos := range r.pairs {
		records := int(r.rows["hubspot_crm_"+from])
		slice, left := (records+runs-1)/runs, records
		regular := 0
		if records >= 200 {
			regular = cost(slice, len(tos), (slice+199)/200)
			left = slice + 200
		}
		total += regular
		lastRunExtra = append(lastRunExtra, cost(left, len(tos), left/200+1)-regular)
	}
	slices.Sort(lastRunExtra)
	for _, extra := range lastRunExtra[max(len(lastRunExtra)-(len(r.pairs)+runs-1)/runs, 0):] {
		total += extra
	}
	return float64(total)
}

// listBound is what docs/incremental.md states the list tables cost: a search of the lists, and
// one request per 250 members (at least one) of each list read.
func (r floorRun) listBound() float64 {
	total := 1
	for _, members := range r.listsRead {
		total += max(1, int(members+249)/250)
	}
	return float64(total)
}

// objectTables lists the object tables among the migrated ones: every hubspot_crm_ table but the
// definition, association and list tables.
func (r floorRun) objectTables() []string {
	others := []string{"hubspot_crm_owners", "hubspot_crm_pipelines", "hubspot_crm_pipeline_stages", "hubspot_crm_properties",
		"hubspot_crm_associations", "hubspot_crm_association_refreshes", "hubspot_crm_lists", "hubspot_crm_list_memberships", "hubspot_crm_list_membership_refreshes"}
	var out []string
	for _, t := range r.tables {
		if !slices.Contains(others, t) {
			out = append(out, t)
		}
	}
	return out
}

// floorSync runs one plugin sync of the named tables (spec defaults: every object, associations
// on; extra adds fields), Init included, and counts the requests it sent.
func floorSync(b *testing.B, proxy *countingProxy, statePath string, extra map[string]any, tables ...string) floorRun {
	b.Helper()
	fields := map[string]any{"access_token": benchToken, "base_url": proxy.URL, "settle_lag": "1s",
		"rate_limit": map[string]int{"burst_per_10s": burstPer10s}}
	maps.Copy(fields, extra)
	raw, _ := json.Marshal(fields)
	ctx := context.Background()
	before := proxy.snapshot()
	p := hsplugin.Plugin(client.WithLocalState(statePath))
	p.SetLogger(zerolog.Nop())
	if err := p.Init(ctx, raw, plugin.NewClientOptions{}); err != nil {
		b.Fatal(err)
	}
	defer p.Close(ctx)
	msgs := make(chan message.SyncMessage, 16)
	done := make(chan error, 1)
	go func() {
		defer close(msgs)
		done <- p.Sync(ctx, plugin.SyncOptions{Tables: tables}, msgs)
	}()
	run := floorRun{byKind: map[string]int{}, rows: map[string]int64{}, pairs: map[string]map[string]bool{}, listsRead: map[string]int64{}}
	for m := range msgs {
		switch m := m.(type) {
		case *message.SyncMigrateTable:
			run.tables = append(run.tables, m.Table.Name)
		case *message.SyncInsert:
			name, _ := m.Record.Schema().Metadata().GetValue(schema.MetadataTableName)
			run.rows[name] += m.Record.NumRows()
			if name == "hubspot_crm_list_membership_refreshes" {
				lists, members := m.Record.Column(1).(*array.String), m.Record.Column(3).(*array.Int64)
				for i := range int(m.Record.NumRows()) {
					run.listsRead[lists.Value(i)] = members.Value(i)
				}
			}
			if name == "hubspot_crm_association_refreshes" {
				from, to := m.Record.Column(1).(*array.String), m.Record.Column(3).(*array.String)
				for i := range int(m.Record.NumRows()) {
					if run.pairs[from.Value(i)] == nil {
						run.pairs[from.Value(i)] = map[string]bool{}
					}
					run.pairs[from.Value(i)][to.Value(i)] = true
				}
			}
		}
	}
	run.records = run.rows["hubspot_crm_contacts"]
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	for kind, count := range proxy.snapshot() {
		if d := count - before[kind]; d > 0 {
			run.byKind[kind] = d
		}
	}
	return run
}

// touchFirst gives the first k contacts a new last-modified time and returns how many it touched.
func touchFirst(b *testing.B, emu *externalEmulator, k int) int {
	b.Helper()
	page, err := unthrottled(b, emu).Objects.ListPage(context.Background(), "contacts", hubspot.ListOptions{Properties: []string{"email"}, Limit: k})
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]string, len(page.Results))
	for i, o := range page.Results {
		ids[i] = o.ID
	}
	chunk, _ := json.Marshal(ids)
	emu.admin(b, "POST", "mutate", fmt.Sprintf(`{"op":"setModified","type":"contacts","ids":%s,"at":"%d"}`, chunk, time.Now().UnixMilli()), nil)
	return len(ids)
}

// countingProxy forwards requests to the emulator and counts them by what they are for.
type countingProxy struct {
	URL string

	mu     sync.Mutex
	byKind map[string]int
}

func newCountingProxy(b *testing.B, emu *externalEmulator) *countingProxy {
	b.Helper()
	target, err := url.Parse(emu.URL)
	if err != nil {
		b.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	p := &countingProxy{byKind: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind, err := requestKind(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.byKind[kind]++
		p.mu.Unlock()
		forward.ServeHTTP(w, r)
	}))
	b.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func (p *countingProxy) snapshot() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.byKind)
}

// What the associations table's requests are counted as.
const (
	assocSearches = "associations table: searches for ids"
	assocReads    = "associations table: association reads"
	listTables    = "list tables: lists and memberships"
)

// requestKind names what a request is for. The association table's searches for ids and the
// object tables' reads are both object searches; the former ask for two properties at most (the
// last-modified one, and the merged ids), the latter for every synced property.
func requestKind(r *http.Request) (string, error) {
	path := r.URL.Path
	switch {
	case strings.HasPrefix(path, "/crm-object-schemas/"):
		return "discovery: custom object schemas", nil
	case strings.Contains(path, "/properties/"):
		return "discovery: property definitions", nil
	case strings.HasPrefix(path, "/crm/v3/lists"):
		return listTables, nil
	case strings.Contains(path, "/owners"):
		return "owners", nil
	case strings.Contains(path, "/pipelines/"):
		return "pipelines", nil
	case strings.HasPrefix(path, "/crm/v4/"):
		return assocReads, nil
	case strings.HasSuffix(path, "/search"):
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return "", fmt.Errorf("read search body: %w", err)
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var req struct{ Properties []string }
		if err := json.Unmarshal(body, &req); err != nil {
			return "", fmt.Errorf("decode search body: %w", err)
		}
		if len(req.Properties) <= 2 {
			return assocSearches, nil
		}
		return "object tables: searches", nil
	case r.URL.Query().Get("archived") == "true":
		return "object tables: recycle bin lists", nil
	case strings.HasPrefix(path, "/crm/v3/objects/"):
		return "object tables: lists", nil
	}
	return "other", nil
}
