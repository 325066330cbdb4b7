package client_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

// portal is an emulated HubSpot portal behind an HTTP server that counts write requests and lets
// a test intercept requests.
type destPortal struct {
	e   *emulator.Emulator
	srv *httptest.Server

	mu        sync.Mutex
	writes    int                                               // object and association writes
	intercept func(w http.ResponseWriter, r *http.Request) bool // true: the request was answered
}

func newDestPortal(t *testing.T) *destPortal {
	t.Helper()
	counts := emulator.DefaultCounts()
	for k := range counts {
		counts[k] = 30
	}
	counts["contacts"], counts["companies"], counts["deals"] = 200, 60, 60
	e, err := emulator.New(emulator.Config{Seed: 7, Counts: counts})
	if err != nil {
		t.Fatal(err)
	}
	p := &destPortal{e: e}
	next := e.Handler()
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		if isWrite(r) {
			p.writes++
		}
		hook := p.intercept
		p.mu.Unlock()
		if hook != nil && hook(w, r) {
			return
		}
		next.ServeHTTP(w, r)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// isWrite reports the requests that change a portal: batch create, update, upsert and archive
// of objects and associations, and single-record writes.
func isWrite(r *http.Request) bool {
	if r.Method == http.MethodPatch || r.Method == http.MethodDelete || r.Method == http.MethodPut {
		return true
	}
	if r.Method != http.MethodPost || strings.HasPrefix(r.URL.Path, "/_emulator") {
		return false
	}
	switch path.Base(r.URL.Path) {
	case "create", "update", "upsert", "archive", "default":
		return true
	}
	return false
}

func (p *destPortal) writeCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.writes
}

func (p *destPortal) setIntercept(f func(w http.ResponseWriter, r *http.Request) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.intercept = f
}

// specFor is a destination spec for the portal with the given mappings (JSON values).
func (p *destPortal) specFor(t *testing.T, reportDir string, extra map[string]any, mappings ...map[string]any) []byte {
	t.Helper()
	s := map[string]any{
		"access_token": p.e.Token(), "base_url": p.srv.URL, "objects": []string{"contacts"},
		"report_path": reportDir,
	}
	if len(mappings) > 0 {
		s["mappings"] = mappings
	}
	for k, v := range extra {
		s[k] = v
	}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// write initialises the real plugin with spec and writes the table's rows (migrate first).
func write(ctx context.Context, t *testing.T, spec []byte, tables ...*table) error {
	t.Helper()
	p := hsplugin.Plugin()
	if err := p.Init(ctx, spec, plugin.NewClientOptions{}); err != nil {
		t.Fatalf("init: %v", err)
	}
	defer p.Close(context.Background())
	var msgs []message.WriteMessage
	for _, tb := range tables {
		msgs = append(msgs, &message.WriteMigrateTable{Table: tb.def})
	}
	for _, tb := range tables {
		for _, rec := range tb.records() {
			msgs = append(msgs, &message.WriteInsert{Record: rec})
		}
	}
	for _, tb := range tables {
		msgs = append(msgs, tb.deletes...)
	}
	return p.WriteAll(ctx, msgs)
}

// table is an incoming table with its rows.
type table struct {
	def      *schema.Table
	rows     []map[string]any
	perBatch int // rows per insert message; 0 = all in one
	deletes  []message.WriteMessage
}

func newTable(name string, cols map[string]arrow.DataType, rows ...map[string]any) *table {
	def := &schema.Table{Name: name}
	names := make([]string, 0, len(cols))
	for n := range cols {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		def.Columns = append(def.Columns, schema.Column{Name: n, Type: cols[n]})
	}
	def.Columns = append(def.Columns, schema.CqSyncTimeColumn, schema.CqSourceNameColumn)
	return &table{def: def, rows: rows}
}

// records builds the table's rows as Arrow records; missing values are nulls.
func (tb *table) records() []arrow.Record {
	sc := tb.def.ToArrowSchema()
	size := tb.perBatch
	if size == 0 {
		size = max(len(tb.rows), 1)
	}
	var out []arrow.Record
	for part := range slices.Chunk(tb.rows, size) {
		b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		for _, row := range part {
			for i, f := range sc.Fields() {
				arrowtest.Append(b.Field(i), row[f.Name])
			}
		}
		out = append(out, b.NewRecord())
		b.Release()
	}
	return out
}

// outcomes reads every outcome of the reports in dir, by table and row index (deletes under -1).
func outcomes(t *testing.T, dir string) []reverse.Outcome {
	t.Helper()
	var out []reverse.Outcome
	for rec, err := range parquetio.Read(context.Background(), dir, 0) {
		if err != nil {
			t.Fatalf("read report: %v", err)
		}
		col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
		str := func(name string, i int) string {
			c := col(name).(*array.String)
			if c.IsNull(i) {
				return ""
			}
			return c.Value(i)
		}
		for i := range int(rec.NumRows()) {
			out = append(out, reverse.Outcome{
				Table: str("table", i), Object: str("object", i), Portal: str("portal", i),
				Row: col("row_index").(*array.Int64).Value(i), Key: str("key", i), MatchKey: str("match_key", i), HubSpotID: str("hubspot_id", i),
				Status: reverse.Status(str("outcome", i)), Action: reverse.Action(str("action", i)),
				Category: str("category", i), Message: str("message", i), DryRun: col("dry_run").(*array.Boolean).Value(i),
			})
		}
		rec.Release()
	}
	return out
}

// byRow indexes a table's outcomes by row index.
func byRow(outs []reverse.Outcome, table string) map[int64]reverse.Outcome {
	m := map[int64]reverse.Outcome{}
	for _, o := range outs {
		if o.Table == table {
			m[o.Row] = o
		}
	}
	return m
}

// record finds a live record of the emulator by a property value.
func (p *destPortal) record(objectType, prop, value string) (emulator.Record, bool) {
	for _, r := range p.e.Records(objectType, false) {
		if strings.EqualFold(r.Properties[prop], value) {
			return r, true
		}
	}
	return emulator.Record{}, false
}

func (p *destPortal) byID(objectType, id string) (emulator.Record, bool) {
	recs := p.e.Records(objectType, false)
	i := slices.IndexFunc(recs, func(r emulator.Record) bool { return r.ID == id })
	if i < 0 {
		return emulator.Record{}, false
	}
	return recs[i], true
}

// seeded returns the first n live records of a type that have every named property.
func (p *destPortal) seeded(objectType string, n int, props ...string) []emulator.Record {
	var out []emulator.Record
	for _, r := range p.e.Records(objectType, false) {
		if !slices.ContainsFunc(props, func(name string) bool { return r.Properties[name] == "" }) {
			out = append(out, r)
			if len(out) == n {
				break
			}
		}
	}
	return out
}

var (
	utf8  = arrow.BinaryTypes.String
	i64   = arrow.PrimitiveTypes.Int64
	f64   = arrow.PrimitiveTypes.Float64
	boolT = arrow.FixedWidthTypes.Boolean
)
