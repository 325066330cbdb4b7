package demo

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"text/tabwriter"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
)

// warehouseTable is the demo's reverse-ETL input: contact scores computed in a warehouse.
const warehouseTable = "warehouse_contact_scores"

var warehouseSchema = arrow.NewSchema([]arrow.Field{
	{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "jobtitle", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "company_domain", Type: arrow.BinaryTypes.String, Nullable: true},
}, nil)

type warehouseRow struct {
	email, jobtitle string
	score           float64
	domain          string
}

// writeWarehouse writes rows that exercise every outcome: updates (some with an empty job title,
// which under conflict `source` changes nothing), rows already equal to HubSpot, new contacts, an
// invalid email, a duplicate, and an association to a company that does not exist.
func (d *demo) writeWarehouse(dir string) (string, error) {
	contacts := d.emu.Records("contacts", false)
	companies := d.emu.Records("companies", false)
	var rows []warehouseRow
	for i, c := range contacts[100:140] {
		title := fmt.Sprintf("Analytics lead %d", i)
		if i%4 == 0 {
			title = "" // empty on the winning side: HubSpot keeps its value
		}
		rows = append(rows, warehouseRow{c.Properties["email"], title, float64(50 + i), companies[i].Properties["domain"]})
	}
	for _, c := range contacts[200:205] { // already what HubSpot holds
		score, _ := strconv.ParseFloat(c.Properties["tier_score"], 64)
		rows = append(rows, warehouseRow{c.Properties["email"], c.Properties["jobtitle"], score, ""})
	}
	for i := range 3 {
		rows = append(rows, warehouseRow{fmt.Sprintf("new.signup%d@example.com", i), "Data engineer", 90, companies[10+i].Properties["domain"]})
	}
	rows = append(rows,
		warehouseRow{"not-an-email", "Intern", 10, ""},
		warehouseRow{contacts[100].Properties["email"], "Duplicate row", 1, ""},
		warehouseRow{"lonely@example.com", "Founder", 70, "no-such-company.example"},
	)
	b := array.NewRecordBuilder(memory.DefaultAllocator, warehouseSchema)
	defer b.Release()
	for _, r := range rows {
		appendText(b.Field(0).(*array.StringBuilder), r.email)
		appendText(b.Field(1).(*array.StringBuilder), r.jobtitle)
		b.Field(2).(*array.Float64Builder).Append(r.score)
		appendText(b.Field(3).(*array.StringBuilder), r.domain)
	}
	rec := b.NewRecord()
	defer rec.Release()
	w, err := parquetio.NewWriter(filepath.Join(dir, warehouseTable), warehouseSchema)
	if err != nil {
		return "", err
	}
	if err := w.Write(rec); err != nil {
		return "", err
	}
	return dir, w.Close()
}

func appendText(b *array.StringBuilder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.Append(s)
}

// printOutcomes tallies the outcome report: every input row has exactly one line in it.
func (d *demo) printOutcomes(ctx context.Context, reportDir string) error {
	counts := map[[3]string]int{}
	files, err := filepath.Glob(filepath.Join(reportDir, "*.parquet"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no outcome report in %s", reportDir)
	}
	latest := slices.Max(files) // reruns add files next to earlier ones
	for rec, err := range parquetio.Read(ctx, latest, 0) {
		if err != nil {
			return err
		}
		col := func(name string) *array.String {
			return rec.Column(rec.Schema().FieldIndices(name)[0]).(*array.String)
		}
		outcome, action, category := col("outcome"), col("action"), col("category")
		for i := range int(rec.NumRows()) {
			counts[[3]string{outcome.Value(i), action.Value(i), category.Value(i)}]++
		}
	}
	keys := make([][3]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j]) })
	tw := tabwriter.NewWriter(d.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "OUTCOME\tACTION\tREASON / CATEGORY\tROWS")
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", k[0], dash(k[1]), dash(k[2]), counts[k])
	}
	tw.Flush()
	fmt.Fprintf(d.out, "(one row per input row in %s)\n", latest)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
