package runner

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

// smallCounts keeps every object type of the emulated portal small.
var smallCounts = map[string]int{
	"contacts": 60, "companies": 30, "deals": 20, "tickets": 10, "calls": 10, "emails": 10,
	"meetings": 10, "notes": 10, "tasks": 10, "cars": 10, "subscriptions": 10,
}

// readSpec syncs HubSpot into ${OUT} through the file plugin; ${TABLES} picks the tables.
const readSpec = `
kind: source
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  registry: local
  tables: ${TABLES}
  destinations: [file]
  spec:
    access_token: ${HUBSPOT_TOKEN}
    base_url: ${HUBSPOT_URL}
    settle_lag: 1s
    tombstone_interval: 0s
    max_records_per_sync: ${CAP}
    rate_limit:
      burst_per_10s: 250
---
kind: destination
spec:
  name: file
  path: cloudquery/file
  registry: cloudquery
  version: v5.4.0
  spec:
    path: ${OUT}
    format: parquet
`

// testPortal is an emulated portal served over HTTP, with a Parquet directory and a state file.
type testPortal struct {
	t     *testing.T
	emu   *emulator.Emulator
	env   map[string]string
	dir   string
	state string
}

// newTestPortal serves an emulator whose clock runs one settle lag (the spec's 1 s) behind the real
// one: a record changed after a sync is past the lag when the next sync starts, yet later than the
// cursor the earlier sync saved, with no sleeping.
func newTestPortal(t *testing.T, counts map[string]int) *testPortal {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Seed: 5, Counts: counts, Now: func() time.Time { return time.Now().Add(-time.Second) }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	root := t.TempDir()
	p := &testPortal{t: t, emu: emu, dir: filepath.Join(root, "out"), state: filepath.Join(root, "state", "hubspot.json")}
	p.env = map[string]string{"HUBSPOT_TOKEN": emu.Token(), "HUBSPOT_URL": srv.URL, "OUT": p.dir,
		"TABLES": `["*"]`, "CAP": "500000", "REPORT": filepath.Join(root, "report")}
	return p
}

func (p *testPortal) lookupEnv(name string) (string, bool) {
	v, ok := p.env[name]
	return v, ok
}

// load writes text to a spec file and loads it with the portal's environment.
func (p *testPortal) load(text string) *Job {
	p.t.Helper()
	job, err := Load(writeFile(p.t, text), p.lookupEnv)
	if err != nil {
		p.t.Fatalf("load: %v", err)
	}
	return job
}

// run runs a job with the portal's state file and returns its summary and printed output.
func (p *testPortal) run(job *Job) (*Summary, string, error) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out bytes.Buffer
	sum, err := job.Run(ctx, Options{StatePath: p.state, Out: &out, Logger: zerolog.Nop(), NewPlugin: hsplugin.Plugin})
	return sum, out.String(), err
}

func (p *testPortal) mustRun(job *Job) *Summary {
	p.t.Helper()
	sum, out, err := p.run(job)
	if err != nil {
		p.t.Fatalf("run: %v\n%s", err, out)
	}
	return sum
}

// writeFile writes a spec file into a fresh directory and returns its path.
func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "spec.yml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// parquetFiles lists the completed Parquet files of a table directory, sorted.
func parquetFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.parquet"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// readArrow reads Parquet files with Arrow's own Go reader, independent of the parquet-go based
// writer under test, and returns their schema (all files must agree) and records.
func readArrow(t *testing.T, files ...string) (*arrow.Schema, []arrow.Record) {
	t.Helper()
	var sc *arrow.Schema
	var recs []arrow.Record
	for _, name := range files {
		pf, err := file.OpenParquetFile(name, false)
		if err != nil {
			t.Fatalf("open %s: %v", name, err)
		}
		fr, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{BatchSize: 1024}, memory.DefaultAllocator)
		if err != nil {
			t.Fatalf("arrow reader for %s: %v", name, err)
		}
		tbl, err := fr.ReadTable(context.Background())
		pf.Close()
		if err != nil {
			t.Fatalf("read %s: %v", name, err)
		}
		if sc != nil && !sc.Equal(tbl.Schema()) {
			t.Fatalf("%s has schema %v, other files %v", name, tbl.Schema(), sc)
		}
		sc = tbl.Schema()
		tr := array.NewTableReader(tbl, 0)
		for tr.Next() {
			rec := tr.Record()
			rec.Retain()
			recs = append(recs, rec)
		}
		tr.Release()
		tbl.Release()
	}
	return sc, recs
}

// rowCount sums the rows of records.
func rowCount(recs []arrow.Record) int64 {
	var n int64
	for _, r := range recs {
		n += r.NumRows()
	}
	return n
}

// fileRow is one object record as read back from Parquet.
type fileRow struct {
	updated  time.Time
	archived bool
}

// objectRows indexes an object table's rows by id, failing on an id written twice.
func objectRows(t *testing.T, recs []arrow.Record) map[string]fileRow {
	t.Helper()
	out := map[string]fileRow{}
	for _, rec := range recs {
		ids := arrowtest.Column[*array.Int64](t, rec, "id")
		updated := arrowtest.Column[*array.Timestamp](t, rec, "updated_at")
		archived := arrowtest.Column[*array.Boolean](t, rec, "archived")
		unit := updated.DataType().(*arrow.TimestampType).Unit
		for i := range int(rec.NumRows()) {
			id := strconv.FormatInt(ids.Value(i), 10)
			if _, dup := out[id]; dup {
				t.Errorf("id %s written twice", id)
			}
			out[id] = fileRow{updated: updated.Value(i).ToTime(unit), archived: archived.IsValid(i) && archived.Value(i)}
		}
	}
	return out
}
