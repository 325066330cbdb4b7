package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
	"github.com/hubspot-cq/cq-plugin-hubspot/test/cli/converge"
)

// The convergence test runs the real `hubspot sync` to Parquet: a full sync, then rounds of
// changes through HubSpot's public API (merges, association creates and removals between
// otherwise unchanged records, updates that move contacts in and out of a filter, archives, a
// create), each followed by refresh_runs incremental runs. After every run, the latest row per id
// that is not a tombstone is exactly HubSpot's live set (with a filter: the live records HubSpot
// says match it); after refresh_runs runs, the live associations (docs/incremental.md's query over
// hubspot_crm_association_refreshes) are exactly HubSpot's.

// refreshRuns is associations.refresh_runs: association-only changes arrive within that many runs.
const refreshRuns = 3

// rounds of changes, so that the second round changes a warehouse incremental runs already built.
const rounds = 2

// convergeObjects are the synced object types; convergePairs the association pairs read.
var (
	convergeObjects = []string{"contacts", "companies"}
	convergePairs   = [][2]string{{"contacts", "companies"}, {"companies", "contacts"}}
)

type convergeVariant struct {
	name string
	// filters are the spec's record filters by object type; objects not listed sync every record.
	filters map[string]*spec.RecordFilter
	// gated adds the portal's MANUAL list of contacts to the contacts filter as a list gate.
	gated bool
}

// convergeVariants run the same rounds of changes.
var convergeVariants = []convergeVariant{
	{name: "unfiltered"},
	{name: "contacts filtered", filters: map[string]*spec.RecordFilter{"contacts": converge.Filter()}},
	{name: "contacts filtered and gated by a list", gated: true},
}

func TestConvergence(t *testing.T) {
	for _, v := range convergeVariants {
		t.Run(v.name, v.run)
	}
}

func (v convergeVariant) run(t *testing.T) {
	counts := emulator.DefaultCounts()
	for name := range counts {
		counts[name] = 0
	}
	counts["contacts"], counts["companies"] = 150, 30
	clock := &shiftedClock{}
	emu, err := emulator.New(emulator.Config{Seed: 21, Counts: counts, Now: clock.Now, BurstLimit: 250})
	must(t, err)
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	hs, err := converge.NewPortal(srv.URL, emu.Token())
	must(t, err)
	if v.gated {
		f, err := hs.GatedFilter(t.Context())
		must(t, err)
		v.filters = map[string]*spec.RecordFilter{"contacts": f}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	specPath := v.writeSpec(t, dir, srv.URL, out)
	sync := func(label string) landed {
		t.Helper()
		cmd := exec.CommandContext(callCtx(t), pluginBinary, "sync", specPath)
		cmd.Env = append(os.Environ(), "HUBSPOT_ACCESS_TOKEN="+emu.Token())
		if output, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: hubspot sync: %v\n%s", label, err, lastLines(string(output), 10))
		}
		return readLanded(t, out)
	}

	w := sync("full sync")
	v.checkRecords(t, hs, w, "full sync")
	checkLinks(t, hs, w, "full sync")
	clock.offset.Store(int64(-settleLag)) // changes stamped a settle lag back: the next run reads them
	for round := 1; round <= rounds; round++ {
		changes, err := hs.Change(t.Context())
		must(t, err)
		for run := 1; run <= refreshRuns; run++ {
			label := fmt.Sprintf("round %d, run %d", round, run)
			w = sync(label)
			v.checkRecords(t, hs, w, label)
		}
		label := fmt.Sprintf("round %d, after %d runs", round, refreshRuns)
		checkLinks(t, hs, w, label)
		for _, m := range changes.Merges {
			if r := w.rows["hubspot_crm_"+m.Object][m.Away]; r.reason != "merged" || r.mergedInto != m.Into {
				t.Errorf("%s: %s %d merged into %d: its row says %+v, want a merged tombstone naming %d", label, m.Object, m.Away, m.Into, r, m.Into)
			}
		}
	}
}

// writeSpec writes the `hubspot sync` spec of the variant: Parquet files under out.
func (v convergeVariant) writeSpec(t *testing.T, dir, url, out string) string {
	t.Helper()
	var tables []string
	for _, o := range convergeObjects {
		tables = append(tables, "hubspot_crm_"+o)
	}
	var pairs []string
	for _, p := range convergePairs {
		pairs = append(pairs, p[0]+":"+p[1])
	}
	source := map[string]any{
		"access_token":       "${HUBSPOT_ACCESS_TOKEN}",
		"base_url":           url,
		"objects":            convergeObjects,
		"properties":         map[string][]string{"contacts": {"email", "firstname", "lifecyclestage"}, "companies": {"name", "domain"}},
		"settle_lag":         settleLag.String(),
		"tombstone_interval": "0s",
		"rate_limit":         map[string]int{"burst_per_10s": 250},
		"associations":       map[string]any{"pairs": pairs, "refresh_runs": refreshRuns},
	}
	if v.filters != nil {
		source["filters"] = v.filters
	}
	inner, err := json.Marshal(source)
	must(t, err)
	tableList, err := json.Marshal(append(tables, "hubspot_crm_associations"))
	must(t, err)
	text := fmt.Sprintf(`kind: source
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  tables: %s
  destinations: [parquet]
  spec: %s
---
kind: destination
spec:
  name: parquet
  path: cloudquery/file
  spec:
    path: %s
    format: parquet
`, tableList, inner, out)
	path := filepath.Join(dir, "sync.yml")
	must(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

// checkRecords compares each object table's live rows with HubSpot's live set (with a filter,
// the live records HubSpot says match it).
func (v convergeVariant) checkRecords(t *testing.T, hs *converge.Portal, w landed, label string) {
	t.Helper()
	for _, object := range convergeObjects {
		want, err := hs.LiveIDs(context.Background(), object, v.filters[object])
		must(t, err)
		if msg := diff(want, w.live("hubspot_crm_"+object)); msg != "" {
			t.Errorf("%s: %s: the warehouse's live records differ from HubSpot's (%d): %s", label, object, len(want), msg)
		}
	}
}

// checkLinks compares the live associations of each pair with HubSpot's.
func checkLinks(t *testing.T, hs *converge.Portal, w landed, label string) {
	t.Helper()
	for _, p := range convergePairs {
		want, err := hs.Associations(context.Background(), p[0], p[1])
		must(t, err)
		if msg := diff(want, w.links[p]); msg != "" {
			t.Errorf("%s: %s->%s: the warehouse's live associations differ from HubSpot's (%d): %s", label, p[0], p[1], len(want), msg)
		}
	}
}

// diff describes what got misses of want and holds beyond it; "" when they are equal as sets.
func diff[T comparable](want, got []T) string {
	var missing, extra []T
	for _, x := range want {
		if !slices.Contains(got, x) {
			missing = append(missing, x)
		}
	}
	for _, x := range got {
		if !slices.Contains(want, x) {
			extra = append(extra, x)
		}
	}
	if len(missing)+len(extra) == 0 {
		return ""
	}
	return fmt.Sprintf("%d missing %v, %d not in HubSpot %v", len(missing), firstFew(missing), len(extra), firstFew(extra))
}

// firstFew keeps error messages short.
func firstFew[T any](s []T) []T { return s[:min(len(s), 10)] }

// landed is what the Parquet files of every run so far say, read the way a user's query reads
// append-only output (docs/incremental.md): one portal, so rows are keyed by id.
type landed struct {
	rows  map[string]map[int64]landedRow       // table -> id -> latest row
	links map[[2]string][]converge.Association // (from, to) -> live associations
}

type landedRow struct {
	archived   bool
	reason     string
	mergedInto int64
}

// live lists the ids of a table whose latest row is not a tombstone.
func (w landed) live(table string) []int64 {
	var ids []int64
	for id, r := range w.rows[table] {
		if !r.archived {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// scanRuns calls fn with each record of a table's files in run order (files are named after the
// run's start).
func scanRuns(t *testing.T, dir string, fn func(rec arrow.Record)) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	must(t, err)
	slices.Sort(files)
	for _, f := range files {
		for rec, err := range parquetio.Read(context.Background(), f, 10_000) {
			must(t, err)
			fn(rec)
			rec.Release()
		}
	}
}

// readKey is one read of a record's associations to one object type.
type readKey struct {
	from, to string
	fromID   int64
}

// readKeys are the columns naming the read each row of an association table belongs to.
func readKeys(t *testing.T, rec arrow.Record) func(i int) readKey {
	from := arrowtest.Column[*array.String](t, rec, "from_object_type")
	to := arrowtest.Column[*array.String](t, rec, "to_object_type")
	fromIDs := arrowtest.Column[*array.Int64](t, rec, "from_id")
	return func(i int) readKey { return readKey{from.Value(i), to.Value(i), fromIDs.Value(i)} }
}

func readLanded(t *testing.T, out string) landed {
	t.Helper()
	w := landed{rows: map[string]map[int64]landedRow{}, links: map[[2]string][]converge.Association{}}
	for _, object := range convergeObjects {
		table := "hubspot_crm_" + object
		rows := map[int64]landedRow{}
		scanRuns(t, filepath.Join(out, table), func(rec arrow.Record) {
			ids := arrowtest.Column[*array.Int64](t, rec, "id")
			archived := arrowtest.Column[*array.Boolean](t, rec, "archived")
			reasons := arrowtest.Column[*array.String](t, rec, "archived_reason")
			into := arrowtest.Column[*array.Int64](t, rec, "merged_into_id")
			for i := range int(rec.NumRows()) {
				rows[ids.Value(i)] = landedRow{archived: archived.IsValid(i) && archived.Value(i), reason: reasons.Value(i), mergedInto: into.Value(i)}
			}
		})
		w.rows[table] = rows
	}

	latest := map[readKey]arrow.Timestamp{}
	scanRuns(t, filepath.Join(out, "hubspot_crm_association_refreshes"), func(rec arrow.Record) {
		key, refreshed := readKeys(t, rec), arrowtest.Column[*array.Timestamp](t, rec, "refreshed_at")
		for i := range int(rec.NumRows()) {
			latest[key(i)] = max(latest[key(i)], refreshed.Value(i))
		}
	})
	seen := map[converge.Association]map[[2]string]bool{}
	scanRuns(t, filepath.Join(out, "hubspot_crm_associations"), func(rec arrow.Record) {
		key, refreshed := readKeys(t, rec), arrowtest.Column[*array.Timestamp](t, rec, "refreshed_at")
		toIDs, types := arrowtest.Column[*array.Int64](t, rec, "to_id"), arrowtest.Column[*array.Int64](t, rec, "type_id")
		for i := range int(rec.NumRows()) {
			k := key(i)
			if refreshed.Value(i) != latest[k] {
				continue // a later read did not see it: removed
			}
			pair, a := [2]string{k.from, k.to}, converge.Association{FromID: k.fromID, ToID: toIDs.Value(i), TypeID: types.Value(i)}
			if seen[a] == nil {
				seen[a] = map[[2]string]bool{}
			}
			if !seen[a][pair] {
				seen[a][pair] = true
				w.links[pair] = append(w.links[pair], a)
			}
		}
	})
	return w
}
