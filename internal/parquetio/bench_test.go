package parquetio

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
)

// wideSchema is a 100-column table shaped like HubSpot contacts with many
// properties: mostly text, then numbers, timestamps, flags, dates and
// multi-select lists.
func wideSchema() *arrow.Schema {
	var fields []arrow.Field
	add := func(n int, prefix string, dt arrow.DataType) {
		for i := range n {
			fields = append(fields, arrow.Field{Name: fmt.Sprintf("%s_%d", prefix, i), Type: dt, Nullable: true})
		}
	}
	add(40, "text", arrow.BinaryTypes.String)
	add(25, "number", arrow.PrimitiveTypes.Float64)
	add(10, "datetime", &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"})
	add(10, "bool", arrow.FixedWidthTypes.Boolean)
	add(5, "int", arrow.PrimitiveTypes.Int64)
	add(5, "date", arrow.FixedWidthTypes.Date32)
	add(5, "checkbox", arrow.ListOf(arrow.BinaryTypes.String))
	return arrow.NewSchema(fields, nil)
}

// BenchmarkWrite500kRows100Columns writes 500,000 rows of a 100-column
// table, from records of 10,000 rows, to files of the default size.
func BenchmarkWrite500kRows100Columns(b *testing.B) {
	const rows, perRecord = 500_000, 10_000
	sc := wideSchema()
	rec := randomRecord(sc, perRecord, rand.New(rand.NewPCG(7, 8)))
	defer rec.Release()
	root := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	for n := range b.N {
		dir := filepath.Join(root, fmt.Sprint(n))
		w, err := NewWriter(dir, sc, WithFilePrefix("bench"))
		if err != nil {
			b.Fatal(err)
		}
		for range rows / perRecord {
			if err := w.Write(rec); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if n == 0 {
			info, err := os.Stat(w.Files()[0])
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(info.Size())/rows, "file-bytes/row")
		}
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
