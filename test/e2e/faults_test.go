package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"text/template"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
)

// The fault matrix runs the real `hubspot sync` process, source and reverse ETL, against the
// emulator under each fault a scheduled job meets, alone and combined, and kills it (-9) at
// several points with an immediate rerun. Whatever happens, a run that exits 0 has delivered
// everything, reruns converge on exactly the portal's records (nothing missing, nothing
// duplicated, no wrong value), every reverse-ETL input row gets one outcome per run, and no
// record is ever created twice.

// matrixCounts is the portal of every case: 20,000 contacts with companies, deals and their
// associations.
var matrixCounts = map[string]int{"contacts": 20_000, "companies": 1_000, "deals": 1_000, "tickets": 0, "calls": 0,
	"emails": 0, "meetings": 0, "notes": 0, "tasks": 0, "cars": 0, "subscriptions": 0}

// Timing of the matrix portals: HubSpot's search index lags, so the spec's settle lag must cover
// it; a change is read by the run that starts a settle lag after it.
const (
	matrixSearchLag = time.Second
	matrixSettleLag = 2 * time.Second
	attemptTimeout  = 2 * time.Second
	maxRuns         = 8
)

// killAfter kills the run once the emulator received that many API requests from it; 0 never.
type killAfter struct {
	requests int
	creates  int // or once that many batch creates arrived
}

type faultCase struct {
	name   string
	faults emulator.Faults
	// kill kills the first run of every phase at that point; the rerun follows at once.
	kill killAfter
}

var matrixCases = []faultCase{
	{name: "429", faults: emulator.Faults{ErrorRate: map[int]float64{429: 0.01}}},
	{name: "423", faults: emulator.Faults{ErrorRate: map[int]float64{423: 0.03}}},
	{name: "477", faults: emulator.Faults{ErrorRate: map[int]float64{477: 0.03}}},
	{name: "500", faults: emulator.Faults{ErrorRate: map[int]float64{500: 0.05}}},
	{name: "502-504", faults: emulator.Faults{ErrorRate: map[int]float64{502: 0.03, 503: 0.03, 504: 0.03}}},
	{name: "resets", faults: emulator.Faults{ResetRate: 0.05}},
	{name: "truncated", faults: emulator.Faults{TruncateRate: 0.05}},
	{name: "hung", faults: emulator.Faults{HangRate: 0.01}},
	{name: "latency", faults: emulator.Faults{Latency: 30 * time.Millisecond}},
	{name: "kill-early", kill: killAfter{requests: 4, creates: 1}},
	{name: "kill-midway", kill: killAfter{requests: 60, creates: 4}},
	{name: "combined", faults: emulator.Faults{
		ErrorRate: map[int]float64{429: 0.01, 423: 0.01, 477: 0.01, 500: 0.01, 502: 0.01, 503: 0.01, 504: 0.01},
		ResetRate: 0.01, TruncateRate: 0.01, HangRate: 0.003, Latency: 5 * time.Millisecond,
	}, kill: killAfter{requests: 120, creates: 2}},
}

func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault matrix runs minutes of syncs")
	}
	for _, fc := range matrixCases {
		t.Run(fc.name, func(t *testing.T) {
			t.Parallel()
			m := newMatrixPortal(t, fc)
			m.checkSource(t)
			m.checkReverse(t)
		})
	}
}

// matrixPortal is one case: an emulator behind a counting proxy, and the folders of its runs.
type matrixPortal struct {
	fc       faultCase
	emu      *emulator.Emulator
	url      string
	dir      string
	requests atomic.Int64 // API requests received
	creates  atomic.Int64 // batch creates received
}

func newMatrixPortal(t *testing.T, fc faultCase) *matrixPortal {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Seed: 7, Counts: matrixCounts, SearchLag: matrixSearchLag, BurstLimit: 250})
	if err != nil {
		t.Fatal(err)
	}
	m := &matrixPortal{fc: fc, emu: emu, dir: t.TempDir()}
	api := emu.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.requests.Add(1)
		if strings.HasSuffix(r.URL.Path, "/batch/create") && strings.Contains(r.URL.Path, "/objects/") {
			m.creates.Add(1)
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(emu.Close) // first: releases requests the hang fault still holds
	m.url = srv.URL
	return m
}

// run starts `hubspot sync spec` and waits for it, killing it (-9) when kill says so. It returns
// the exit code (-1 when killed) and the output.
func (m *matrixPortal) run(t *testing.T, spec string, kill killAfter) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pluginBinary, "sync", spec)
	cmd.Env = append(os.Environ(), "HUBSPOT_ACCESS_TOKEN="+m.emu.Token())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	baseRequests, baseCreates := m.requests.Load(), m.creates.Load()
	if err := cmd.Start(); err != nil {
		t.Fatalf("start hubspot sync: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if kill != (killAfter{}) {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case err := <-exited:
				return exitCode(t, err), out.String()
			case <-tick.C:
			}
			if (kill.requests > 0 && m.requests.Load()-baseRequests >= int64(kill.requests)) ||
				(kill.creates > 0 && m.creates.Load()-baseCreates >= int64(kill.creates)) {
				if err := cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
					t.Fatalf("kill: %v", err)
				}
				<-exited
				return -1, out.String()
			}
		}
	}
	return exitCode(t, <-exited), out.String()
}

func exitCode(t *testing.T, err error) int {
	t.Helper()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		return exit.ExitCode()
	}
	t.Fatalf("hubspot sync: %v", err)
	return 0
}

// converge runs a phase until a run exits 0, checking after every run that exits 0 that it told
// the truth. The phase's first run is killed when the case says so.
func (m *matrixPortal) converge(t *testing.T, phase, spec string, kill killAfter, check func(label string)) {
	t.Helper()
	for n := 1; n <= maxRuns; n++ {
		start := time.Now()
		code, out := m.run(t, spec, kill)
		kill = killAfter{}
		label := fmt.Sprintf("%s run %d", phase, n)
		t.Logf("%s: exit %d after %s", label, code, time.Since(start).Round(time.Millisecond))
		if strings.Contains(out, m.emu.Token()) {
			t.Errorf("%s: the output shows the access token", label)
		}
		switch code {
		case 0:
			check(label)
			return
		case -1:
			t.Logf("%s: killed", label)
		default:
			t.Logf("%s: exit %d: %s", label, code, lastLines(out, 3))
		}
	}
	t.Fatalf("%s: no run exited 0 in %d runs", phase, maxRuns)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], " | ")
}

const matrixSourceSpec = `kind: source
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  tables: [hubspot_crm_contacts, hubspot_crm_companies, hubspot_crm_deals, hubspot_crm_associations]
  destinations: [parquet]
  spec:
    access_token: ${HUBSPOT_ACCESS_TOKEN}
    base_url: {{.URL}}
    objects: [contacts, companies, deals]
    properties:
      contacts: [email, firstname, lastname]
      companies: [name, domain]
      deals: [dealname, pipeline, dealstage]
    settle_lag: {{.Lag}}
    tombstone_interval: 0s
    request_timeout: {{.Timeout}}
    rate_limit:
      burst_per_10s: 250
    associations:
      pairs: ["contacts:companies"]
---
kind: destination
spec:
  name: parquet
  path: cloudquery/file
  spec:
    path: {{.Out}}
    format: parquet
`

// checkSource backfills, changes the portal, and syncs the changes, each until a run exits 0.
func (m *matrixPortal) checkSource(t *testing.T) {
	out := filepath.Join(m.dir, "out")
	spec := m.writeSpec(t, "source.yml", matrixSourceSpec, map[string]any{"Out": out})
	m.emu.SetFaults(m.fc.faults)
	m.converge(t, "backfill", spec, killAfter{requests: m.fc.kill.requests}, func(label string) { m.checkWarehouse(t, label, out) })
	m.emu.SetFaults(emulator.Faults{})
	m.changePortal(t)
	time.Sleep(matrixSettleLag + 500*time.Millisecond) // the changes settle before the next run starts
	m.emu.SetFaults(m.fc.faults)
	m.converge(t, "incremental", spec, killAfter{requests: m.fc.kill.requests / 4}, func(label string) { m.checkWarehouse(t, label, out) })
	m.emu.SetFaults(emulator.Faults{})
}

func (m *matrixPortal) writeSpec(t *testing.T, name, text string, data map[string]any) string {
	t.Helper()
	data["URL"], data["Lag"], data["Timeout"] = m.url, matrixSettleLag, attemptTimeout
	var b bytes.Buffer
	if err := template.Must(template.New(name).Parse(text)).Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(m.dir, name)
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// changePortal updates, creates and archives records of every synced object, and gives a bulk of
// contacts one timestamp.
func (m *matrixPortal) changePortal(t *testing.T) {
	t.Helper()
	contacts := m.emu.Records("contacts", false)
	for i, r := range contacts[:100] {
		must(t, m.emu.Update("contacts", r.ID, map[string]string{"firstname": "Changed" + strconv.Itoa(i)}))
	}
	for _, r := range contacts[100:110] {
		must(t, m.emu.Archive("contacts", r.ID))
	}
	for i := range 20 {
		_, err := m.emu.Create("contacts", map[string]string{"email": fmt.Sprintf("new%d@matrix.example.com", i), "firstname": "New"})
		must(t, err)
	}
	var bulk []string
	for _, r := range contacts[1000:1300] {
		bulk = append(bulk, r.ID)
	}
	must(t, m.emu.SetModified("contacts", bulk, time.Now()))
	companies := m.emu.Records("companies", false)
	for _, r := range companies[:10] {
		must(t, m.emu.Update("companies", r.ID, map[string]string{"name": "Renamed " + r.ID}))
	}
	must(t, m.emu.Archive("companies", companies[10].ID))
	deals := m.emu.Records("deals", false)
	for _, r := range deals[:10] {
		must(t, m.emu.Update("deals", r.ID, map[string]string{"dealname": "Deal " + r.ID}))
	}
}

// syncedRow is the last version of a record the warehouse holds, as a destination that
// overwrites by primary key keeps it.
type syncedRow struct {
	updated  time.Time
	archived bool
	values   map[string]*string
}

// checkedProperties are the property columns whose values are compared with the portal's.
var checkedProperties = map[string][]string{
	"contacts":  {"email", "firstname", "lastname"},
	"companies": {"name", "domain"},
	"deals":     {"dealname", "pipeline", "dealstage"},
}

// checkWarehouse compares the Parquet output of every run so far with the portal: each live record
// at its latest version with its values, each archived one as a tombstone, nothing else, and no
// record twice in one run; and the contact-to-company associations.
func (m *matrixPortal) checkWarehouse(t *testing.T, label, out string) {
	t.Helper()
	for object, props := range checkedProperties {
		got := m.readTable(t, label, filepath.Join(out, "hubspot_crm_"+object), props)
		var missing, stale, wrong, extra []string
		want := map[int64]emulator.Record{}
		for _, archived := range []bool{false, true} {
			for _, r := range m.emu.Records(object, archived) {
				want[mustID(t, r.ID)] = r
			}
		}
		for id, rec := range want {
			g, ok := got[id]
			switch {
			case !ok:
				missing = append(missing, strconv.FormatInt(id, 10))
			case !g.updated.Equal(ms(rec.UpdatedAt)) || g.archived != rec.Archived:
				stale = append(stale, strconv.FormatInt(id, 10))
			case !rec.Archived && !sameValues(g.values, rec.Properties, props):
				wrong = append(wrong, strconv.FormatInt(id, 10))
			}
		}
		for id := range got {
			if _, ok := want[id]; !ok {
				extra = append(extra, strconv.FormatInt(id, 10))
			}
		}
		if len(missing)+len(stale)+len(wrong)+len(extra) > 0 {
			t.Errorf("%s: exit 0, but %s differ from the portal: %d missing %.5v, %d stale %.5v, %d wrong values %.5v, %d unknown %.5v (of %d)",
				label, object, len(missing), missing, len(stale), stale, len(wrong), wrong, len(extra), extra, len(want))
		}
	}
	m.checkAssociations(t, label, out)
}

func sameValues(got map[string]*string, want map[string]string, props []string) bool {
	for _, p := range props {
		w, set := want[p]
		g := got[p]
		if set != (g != nil) || (g != nil && *g != w) {
			return false
		}
	}
	return true
}

// readTable reads every run's files of a table in run order, keeping each id's last row, and
// fails the test when one run holds an id twice.
func (m *matrixPortal) readTable(t *testing.T, label, dir string, props []string) map[int64]syncedRow {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files) // named <run start>-<sequence>: run order, then file order
	out := map[int64]syncedRow{}
	perRun := map[string]map[int64]bool{}
	for _, f := range files {
		run := filepath.Base(f)[:strings.LastIndexByte(filepath.Base(f), '-')]
		if perRun[run] == nil {
			perRun[run] = map[int64]bool{}
		}
		for rec, err := range parquetio.Read(context.Background(), f, 10_000) {
			if err != nil {
				t.Fatalf("%s: read %s: %v", label, f, err)
			}
			ids := arrowtest.Column[*array.Int64](t, rec, "id")
			updated := arrowtest.Column[*array.Timestamp](t, rec, "updated_at")
			archived := arrowtest.Column[*array.Boolean](t, rec, "archived")
			cols := make([]*array.String, len(props))
			for i, p := range props {
				cols[i] = arrowtest.Column[*array.String](t, rec, p)
			}
			for i := range int(rec.NumRows()) {
				id := ids.Value(i)
				if perRun[run][id] {
					t.Errorf("%s: %s: run %s holds record %d twice", label, filepath.Base(dir), run, id)
				}
				perRun[run][id] = true
				r := syncedRow{updated: updated.Value(i).ToTime(arrow.Millisecond), archived: archived.Value(i), values: map[string]*string{}}
				for j, p := range props {
					if cols[j].IsValid(i) {
						v := cols[j].Value(i)
						r.values[p] = &v
					}
				}
				out[id] = r
			}
			rec.Release()
		}
	}
	return out
}

// checkAssociations compares the synced contact-to-company associations of live contacts with
// the portal's.
func (m *matrixPortal) checkAssociations(t *testing.T, label, out string) {
	t.Helper()
	got := map[[2]int64]bool{}
	for rec, err := range parquetio.Read(context.Background(), filepath.Join(out, "hubspot_crm_associations"), 10_000) {
		if err != nil {
			t.Fatalf("%s: read associations: %v", label, err)
		}
		from := arrowtest.Column[*array.String](t, rec, "from_object_type")
		to := arrowtest.Column[*array.String](t, rec, "to_object_type")
		fromIDs := arrowtest.Column[*array.Int64](t, rec, "from_id")
		toIDs := arrowtest.Column[*array.Int64](t, rec, "to_id")
		for i := range int(rec.NumRows()) {
			if from.Value(i) == "contacts" && to.Value(i) == "companies" {
				got[[2]int64{fromIDs.Value(i), toIDs.Value(i)}] = true
			}
		}
		rec.Release()
	}
	want := map[[2]int64]bool{}
	for _, c := range m.emu.Records("contacts", false) {
		ids, err := m.emu.Associations("contacts", c.ID, "companies")
		must(t, err)
		for _, id := range ids {
			want[[2]int64{mustID(t, c.ID), mustID(t, id)}] = true
		}
	}
	var missing int
	for pair := range want {
		if !got[pair] {
			missing++
		}
	}
	if missing > 0 || len(want) == 0 {
		t.Errorf("%s: %d of %d contact-company associations missing from the warehouse", label, missing, len(want))
	}
}

const matrixReverseSpec = `kind: source
spec:
  name: parquet
  path: cloudquery/file
  tables: ["*"]
  destinations: [hubspot]
  spec:
    path: {{.In}}
    format: parquet
---
kind: destination
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  spec:
    access_token: ${HUBSPOT_ACCESS_TOKEN}
    base_url: {{.URL}}
    request_timeout: {{.Timeout}}
    rate_limit:
      burst_per_10s: 250
    report_path: {{.Report}}
    fail_on_row_errors: true
    mappings:
      - table: warehouse_contacts
        object: contacts
        match_key: email
      - table: warehouse_companies
        object: companies
        match_key: domain
`

// Reverse-ETL input: contacts matched by email (half exist, with a changed first name; half are
// new), and companies matched by domain, all new.
const (
	reverseContacts  = 1_000
	reverseCompanies = 500
)

// checkReverse writes warehouse rows back until a run exits 0, and checks the portal holds each
// key exactly once with the row's values, and that each run's report holds one outcome per row.
func (m *matrixPortal) checkReverse(t *testing.T) {
	in, report := filepath.Join(m.dir, "in"), filepath.Join(m.dir, "report")
	var existing []emulator.Record
	for _, r := range m.emu.Records("contacts", false) {
		if r.Properties["email"] != "" {
			existing = append(existing, r)
		}
	}
	contacts := make([][3]string, reverseContacts) // email, firstname, lastname
	for i := range contacts {
		email := fmt.Sprintf("warehouse%d@matrix.example.com", i)
		if i < reverseContacts/2 {
			email = existing[i*3].Properties["email"]
		}
		contacts[i] = [3]string{email, "Synced" + strconv.Itoa(i), "Row"}
	}
	companies := make([][3]string, reverseCompanies) // domain, name
	for i := range companies {
		companies[i] = [3]string{fmt.Sprintf("d%d.matrix.example.com", i), "Company " + strconv.Itoa(i)}
	}
	writeInput(t, filepath.Join(in, "warehouse_contacts"), []string{"email", "firstname", "lastname"}, contacts)
	writeInput(t, filepath.Join(in, "warehouse_companies"), []string{"domain", "name"}, companies)
	spec := m.writeSpec(t, "reverse.yml", matrixReverseSpec, map[string]any{"In": in, "Report": report})
	companiesBefore := len(m.emu.Records("companies", false))

	m.emu.SetFaults(m.fc.faults)
	m.converge(t, "reverse ETL", spec, killAfter{creates: m.fc.kill.creates}, func(label string) {
		m.checkReport(t, label, report)
	})
	m.emu.SetFaults(emulator.Faults{})

	byEmail := map[string][]emulator.Record{}
	for _, r := range m.emu.Records("contacts", false) {
		byEmail[strings.ToLower(r.Properties["email"])] = append(byEmail[strings.ToLower(r.Properties["email"])], r)
	}
	for _, c := range contacts {
		recs := byEmail[strings.ToLower(c[0])]
		if len(recs) != 1 || recs[0].Properties["firstname"] != c[1] {
			t.Errorf("contact %s: %d records in the portal, want one with firstname %q", c[0], len(recs), c[1])
		}
	}
	byDomain := map[string][]emulator.Record{}
	after := m.emu.Records("companies", false)
	for _, r := range after {
		byDomain[r.Properties["domain"]] = append(byDomain[r.Properties["domain"]], r)
	}
	for _, c := range companies {
		recs := byDomain[c[0]]
		if len(recs) != 1 || recs[0].Properties["name"] != c[1] {
			t.Errorf("company %s: %d records in the portal, want one named %q", c[0], len(recs), c[1])
		}
	}
	if created := len(after) - companiesBefore; created != reverseCompanies {
		t.Errorf("%d companies created for %d new domains", created, reverseCompanies)
	}
}

func writeInput(t *testing.T, dir string, columns []string, rows [][3]string) {
	t.Helper()
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		fields[i] = arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: true}
	}
	sc := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for _, r := range rows {
		for i := range columns {
			arrowtest.Append(b.Field(i), r[i])
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	w, err := parquetio.NewWriter(dir, sc)
	must(t, err)
	must(t, w.Write(rec))
	must(t, w.Close())
}

// checkReport reads the outcome report of the run that just exited 0 (the newest run's files)
// and checks it holds one outcome per input row, all synced.
func (m *matrixPortal) checkReport(t *testing.T, label, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	must(t, err)
	slices.Sort(files)
	if len(files) == 0 {
		t.Fatalf("%s: no report", label)
	}
	newest := filepath.Base(files[len(files)-1])
	run := newest[:strings.LastIndexByte(newest, '-')]
	rows := map[string]map[int64]string{}
	for _, f := range files {
		if !strings.HasPrefix(filepath.Base(f), run+"-") {
			continue
		}
		for rec, err := range parquetio.Read(context.Background(), f, 10_000) {
			must(t, err)
			tables := arrowtest.Column[*array.String](t, rec, "table")
			idx := arrowtest.Column[*array.Int64](t, rec, "row_index")
			outcome := arrowtest.Column[*array.String](t, rec, "outcome")
			for i := range int(rec.NumRows()) {
				table := tables.Value(i)
				if rows[table] == nil {
					rows[table] = map[int64]string{}
				}
				if _, dup := rows[table][idx.Value(i)]; dup {
					t.Errorf("%s: %s row %d has two outcomes", label, table, idx.Value(i))
				}
				rows[table][idx.Value(i)] = outcome.Value(i)
			}
			rec.Release()
		}
	}
	for table, n := range map[string]int{"warehouse_contacts": reverseContacts, "warehouse_companies": reverseCompanies} {
		synced := 0
		for _, o := range rows[table] {
			if o == "synced" {
				synced++
			}
		}
		if len(rows[table]) != n || synced != n {
			t.Errorf("%s: %s: %d outcomes (%d synced) for %d rows", label, table, len(rows[table]), synced, n)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
