package status_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/runner"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/status"
	"github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

const reverseSpec = `
kind: source
spec:
  name: warehouse
  path: cloudquery/file
  tables: ["*"]
  destinations: [hubspot]
  spec:
    path: %s
    format: parquet
---
kind: destination
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  write_mode: append
  spec:
    access_token: %s
    base_url: %s
    report_path: %s
    mappings:
      - table: people
        object: contacts
        match_key: email
`

var peopleSchema = arrow.NewSchema([]arrow.Field{
	{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "jobtitle", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "lifecyclestage", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

// reportDir runs the same reverse ETL twice against the emulator through `hubspot sync`'s
// runner and returns its report folder. Rows per run: 3 updates (unchanged the second time),
// 2 contacts already equal, 2 new contacts (unchanged the second time), one refused stage
// (INVALID_OPTION), and three rows left out: no email, an invalid one, a duplicate.
func reportDir(t *testing.T) string {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Seed: 3, Counts: map[string]int{"contacts": 20, "companies": 5}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	contacts := emu.Records("contacts", false)
	email := func(i int) string { return contacts[i].Properties["email"] }
	type row struct{ email, title, stage string }
	rows := []row{
		{email(0), "Head of Data 0", ""}, {email(1), "Head of Data 1", ""}, {email(2), "Head of Data 2", ""},
		{email(3), contacts[3].Properties["jobtitle"], ""}, {email(4), contacts[4].Properties["jobtitle"], ""},
		{"new.one@example.com", "Analyst", ""}, {"new.two@example.com", "Analyst", ""},
		{email(5), "", "not-a-stage"},
		{"", "Nobody", ""}, {"not-an-email", "Intern", ""}, {email(0), "Second row for the same email", ""},
	}
	dir := t.TempDir()
	b := array.NewRecordBuilder(memory.DefaultAllocator, peopleSchema)
	defer b.Release()
	for _, r := range rows {
		for i, v := range []string{r.email, r.title, r.stage} {
			if v == "" {
				b.Field(i).AppendNull()
			} else {
				b.Field(i).(*array.StringBuilder).Append(v)
			}
		}
	}
	rec := b.NewRecord()
	defer rec.Release()
	w, err := parquetio.NewWriter(filepath.Join(dir, "warehouse", "people"), peopleSchema)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	reports := filepath.Join(dir, "reports")
	specPath := filepath.Join(dir, "reverse.yml")
	spec := fmt.Sprintf(reverseSpec, filepath.Join(dir, "warehouse"), emu.Token(), srv.URL, reports)
	if err := os.WriteFile(specPath, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		job, err := runner.Load(specPath, os.LookupEnv)
		if err != nil {
			t.Fatal(err)
		}
		opts := runner.Options{StatePath: filepath.Join(dir, "state.json"), Logger: zerolog.Nop(), NewPlugin: plugin.Plugin}
		if _, err := job.Run(context.Background(), opts); err != nil {
			t.Fatalf("reverse ETL: %v", err)
		}
	}
	return reports
}

func TestStatusOfRealRuns(t *testing.T) {
	dir := reportDir(t)
	first := status.Counts{Synced: 7, Created: 2, Updated: 3, Unchanged: 2, Failed: 1, Excluded: 3,
		Categories: map[string]int{"INVALID_OPTION": 1, "NO_EMAIL": 1, "INVALID_EMAIL": 1, "DUPLICATE": 1}}
	second := status.Counts{Synced: 7, Unchanged: 7, Failed: 1, Excluded: 3, Categories: first.Categories}
	cases := []struct {
		name string
		runs int
		want []status.Counts
	}{
		{name: "both runs", runs: 5, want: []status.Counts{first, second}},
		{name: "the last run", runs: 1, want: []status.Counts{second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, err := status.Load(context.Background(), dir, tc.runs)
			if err != nil {
				t.Fatal(err)
			}
			if v.TotalRuns != 2 || len(v.Runs) != len(tc.want) || len(v.Objects) != 1 {
				t.Fatalf("%d of %d runs, %d objects; want %d of 2 runs, 1 object", len(v.Runs), v.TotalRuns, len(v.Objects), len(tc.want))
			}
			o := v.Objects[0]
			if o.Object != "contacts" || o.Portal != "default" {
				t.Errorf("object %s of portal %s, want contacts of default", o.Object, o.Portal)
			}
			for i, want := range tc.want {
				if !reflect.DeepEqual(o.Runs[i], want) {
					t.Errorf("run %d: %+v, want %+v", i, o.Runs[i], want)
				}
			}
			top := o.TopCategories(2)
			if len(top) != 2 || top[0].Count != len(tc.want) {
				t.Errorf("top categories %+v, want 2 with %d rows each", top, len(tc.want))
			}

			var text bytes.Buffer
			if err := v.Print(&text); err != nil {
				t.Fatal(err)
			}
			for _, w := range []string{"contacts (portal default)", "RUN", "EXCLUDED", "failed   INVALID_OPTION", "excluded NO_EMAIL",
				"fix: " + status.Fix("INVALID_OPTION"), "fix: " + status.Fix("DUPLICATE")} {
				if !strings.Contains(text.String(), w) {
					t.Errorf("text lacks %q:\n%s", w, text.String())
				}
			}

			var exported bytes.Buffer
			if err := v.ExportCSV(context.Background(), &exported); err != nil {
				t.Fatal(err)
			}
			lines, err := csv.NewReader(&exported).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(lines) != 1+4*len(tc.want) {
				t.Fatalf("export has %d lines, want a header and %d rows:\n%v", len(lines), 4*len(tc.want), lines)
			}
			header := lines[0]
			col := func(name string) int { return slices.Index(header, name) }
			var reasons []string
			for _, l := range lines[1 : 1+4] {
				reasons = append(reasons, l[col("outcome")]+" "+l[col("category")])
				if l[col("fix")] != status.Fix(l[col("category")]) || l[col("message")] == "" && l[col("outcome")] == "failed" {
					t.Errorf("line %v lacks its fix or message", l)
				}
			}
			slices.Sort(reasons)
			want := []string{"excluded DUPLICATE", "excluded INVALID_EMAIL", "excluded NO_EMAIL", "failed INVALID_OPTION"}
			if !slices.Equal(reasons, want) {
				t.Errorf("exported reasons %v, want %v", reasons, want)
			}

			var page bytes.Buffer
			if err := v.WriteHTML(&page, time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			html := page.String()
			for _, w := range []string{"<svg", "<rect", "<table>", "<h2>contacts", "INVALID_OPTION", "NO_EMAIL", "How to fix"} {
				if !strings.Contains(html, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if n := strings.Count(html, "<tr><td>"); n < len(tc.want) {
				t.Errorf("page has %d table rows, want at least one per run (%d)", n, len(tc.want))
			}
			for _, external := range []string{"src=", "href=", "@import", "url("} {
				if strings.Contains(html, external) {
					t.Errorf("page is not self-contained: it has %q", external)
				}
			}
		})
	}
}
