package runner

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
)

// writeSpec sends the Parquet tables under ${OUT} to HubSpot; only customer_scores has a mapping,
// so the source's table selection must keep the other table out.
const writeSpec = `
kind: source
spec:
  name: file
  path: cloudquery/file
  registry: cloudquery
  version: v5.4.0
  tables: [customer_scores]
  destinations: [hubspot]
  spec:
    path: ${OUT}
    format: parquet
---
kind: destination
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  registry: local
  spec:
    access_token: ${HUBSPOT_TOKEN}
    base_url: ${HUBSPOT_URL}
    objects: [contacts]
    report_path: ${REPORT}
    mappings:
      - table: customer_scores
        object: contacts
        match_key: email
        columns:
          first: firstname
          note: ""
`

// writeTable writes rows of string columns (nil = null) as a Parquet table directory.
func writeTable(t *testing.T, dir string, columns []string, rows ...[]*string) {
	t.Helper()
	fields := make([]arrow.Field, len(columns))
	for i, c := range columns {
		fields[i] = arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: true}
	}
	sc := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for _, row := range rows {
		for i, v := range row {
			arrowtest.Append(b.Field(i), v)
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	w, err := parquetio.NewWriter(dir, sc, parquetio.WithFilePrefix("export"))
	must(t, err)
	must(t, w.Write(rec))
	must(t, w.Close())
}

func TestWriteSendsParquetRowsThroughMappings(t *testing.T) {
	p := newTestPortal(t, map[string]int{"contacts": 40})
	live := p.emu.Records("contacts", false)
	existing := live[3]
	writeTable(t, filepath.Join(p.dir, "customer_scores"), []string{"email", "first", "note"},
		[]*string{ptr(existing.Properties["email"]), ptr("Renamed"), ptr("ignored")},
		[]*string{ptr("brand.new@example.com"), ptr("Newcomer"), nil},
	)
	// An unmapped table next to it: selected out by the source's tables.
	writeTable(t, filepath.Join(p.dir, "unmapped"), []string{"email"}, []*string{ptr("other@example.com")})

	job := p.load(writeSpec)
	if job.Direction != Write {
		t.Fatalf("direction %v, want Write", job.Direction)
	}
	sum := p.mustRun(job)
	if got := sum.Tables["customer_scores"]; got != 2 || len(sum.Tables) != 1 {
		t.Errorf("summary tables %v, want customer_scores: 2 only", sum.Tables)
	}

	byEmail := map[string]emulator.Record{}
	for _, r := range p.emu.Records("contacts", false) {
		byEmail[r.Properties["email"]] = r
	}
	if got := byEmail[existing.Properties["email"]]; got.ID != existing.ID || got.Properties["firstname"] != "Renamed" {
		t.Errorf("existing contact: id %s firstname %q, want id %s renamed", got.ID, got.Properties["firstname"], existing.ID)
	}
	if got, ok := byEmail["brand.new@example.com"]; !ok || got.Properties["firstname"] != "Newcomer" {
		t.Errorf("new contact: present %v firstname %q", ok, got.Properties["firstname"])
	}
	if _, ok := byEmail["other@example.com"]; ok {
		t.Error("the unselected table was written")
	}
	if len(p.emu.Records("contacts", false)) != len(live)+1 {
		t.Errorf("contacts %d, want %d", len(p.emu.Records("contacts", false)), len(live)+1)
	}
	for _, r := range p.emu.Records("contacts", false) {
		for _, v := range r.Properties {
			if strings.Contains(v, "ignored") {
				t.Errorf("skipped column reached contact %s", r.ID)
			}
		}
	}
}

func ptr(s string) *string { return &s }

// TestWriteStopsReadingWhenTheWriterFails runs tables the mapping check refuses: the writer
// returns at once, and the Parquet reader must stop too instead of waiting for it forever.
func TestWriteStopsReadingWhenTheWriterFails(t *testing.T) {
	p := newTestPortal(t, map[string]int{"contacts": 5})
	rows := make([][]*string, 3*readBatchRows)
	for i := range rows {
		rows[i] = []*string{ptr(fmt.Sprintf("row%d@example.com", i))}
	}
	writeTable(t, filepath.Join(p.dir, "unmapped"), []string{"email"}, rows...)
	writeTable(t, filepath.Join(p.dir, "unmapped_too"), []string{"email"}, rows[:1]...)
	job := p.load(strings.Replace(writeSpec, "tables: [customer_scores]", `tables: ["unmapped*"]`, 1))

	done := make(chan error, 1)
	go func() {
		_, _, err := p.run(job)
		done <- err
	}()
	deadline := time.NewTimer(30 * time.Second)
	defer deadline.Stop()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "no entry of mappings matches this table") {
			t.Fatalf("err = %v, want the missing mapping named", err)
		}
	case <-deadline.C:
		t.Fatal("the run still waits on the Parquet reader after the writer failed")
	}
}
