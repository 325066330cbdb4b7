package parquetio

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/parquet"
	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
)

// TestReadInfersTypes reads files written by pqarrow without the Arrow
// schema, standing in for DuckDB, Spark and pandas: dictionary pages, v2 data
// pages, zstd, several row groups, and only Parquet logical types to go by.
func TestReadInfersTypes(t *testing.T) {
	utc := func(u arrow.TimeUnit) arrow.DataType { return &arrow.TimestampType{Unit: u, TimeZone: "UTC"} }
	md := arrow.NewMetadata([]string{"origin"}, []string{"duckdb"})
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "count", Type: arrow.PrimitiveTypes.Int32},
		{Name: "big", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
		{Name: "small", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
		{Name: "port", Type: arrow.PrimitiveTypes.Uint16, Nullable: true},
		{Name: "huge", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
		{Name: "ratio", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "ok", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
		{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
		{Name: "seen_ms", Type: utc(arrow.Millisecond), Nullable: true},
		{Name: "seen_us", Type: utc(arrow.Microsecond), Nullable: true},
		{Name: "seen_ns", Type: utc(arrow.Nanosecond), Nullable: true},
		{Name: "local", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
		{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
		{Name: "ids", Type: arrow.ListOf(arrow.PrimitiveTypes.Int32), Nullable: true},
		{Name: "raw", Type: arrow.BinaryTypes.Binary, Nullable: true},
		{Name: "price", Type: &arrow.Decimal128Type{Precision: 10, Scale: 2}, Nullable: true},
		{Name: "code", Type: &arrow.FixedSizeBinaryType{ByteWidth: 3}, Nullable: true},
	}, &md)
	rec := randomRecord(sc, 500, rand.New(rand.NewPCG(3, 4)))
	defer rec.Release()

	name := filepath.Join(t.TempDir(), "duck.parquet")
	f, err := os.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	props := parquet.NewWriterProperties(
		parquet.WithVersion(parquet.V2_LATEST),
		parquet.WithDataPageVersion(parquet.DataPageV2),
		parquet.WithDictionaryDefault(true),
		parquet.WithCompression(compress.Codecs.Zstd),
		parquet.WithMaxRowGroupLength(128),
	)
	fw, err := pqarrow.NewFileWriter(sc, f, props, pqarrow.DefaultWriterProps())
	if err != nil {
		t.Fatal(err)
	}
	if err := fw.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}

	got, err := Schema(name)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := got.Metadata().GetValue("origin"); v != "duckdb" {
		t.Errorf("schema metadata %v, want origin=duckdb from the file's key-value metadata", got.Metadata())
	}
	for i, want := range sc.Fields() {
		g := got.Field(i)
		if g.Name != want.Name || !arrow.TypeEqual(g.Type, want.Type) || g.Nullable != want.Nullable {
			t.Errorf("inferred %s %s nullable=%v, want %s %s nullable=%v", g.Name, g.Type, g.Nullable, want.Name, want.Type, want.Nullable)
		}
	}
	out := readAll(t, name, 200)
	for i, f := range sc.Fields() {
		if want, got := column(t, []arrow.Record{rec}, i), column(t, out, i); !array.Equal(want, got) {
			t.Errorf("column %s differs:\n got %s\nwant %s", f.Name, got, want)
		}
	}
}

// TestReadLegacyLayouts covers what older writers produce: INT96 timestamps
// (Spark, Impala) and a repeated primitive without a LIST group.
func TestReadLegacyLayouts(t *testing.T) {
	type legacyRow struct {
		ID   int64            `parquet:"id"`
		Seen deprecated.Int96 `parquet:"seen"`
		Tags []string         `parquet:"tags"`
		Note *string          `parquet:"note,optional"`
	}
	note := "vip"
	// 2001-02-03T04:05:06.000000007Z: Julian day 2451944, then nanoseconds of the day.
	nanosOfDay := uint64((4*3600+5*60+6)*1e9 + 7)
	rows := []legacyRow{
		{ID: 1, Seen: deprecated.Int96{uint32(nanosOfDay), uint32(nanosOfDay >> 32), 2451944}, Tags: []string{"a", "b"}, Note: &note},
		{ID: 2, Seen: deprecated.Int96{0, 0, julianUnixEpoch}},
	}
	name := filepath.Join(t.TempDir(), "spark.parquet")
	if err := pq.WriteFile(name, rows); err != nil {
		t.Fatal(err)
	}
	out := readAll(t, name, 0)
	if len(out) != 1 || out[0].NumRows() != 2 {
		t.Fatalf("read %d records, want one of 2 rows", len(out))
	}
	rec := out[0]
	tests := []struct {
		column   string
		wantType arrow.DataType
		want     string
	}{
		{"id", arrow.PrimitiveTypes.Int64, "[1 2]"},
		{"seen", &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, "[981173106000000007 0]"},
		{"tags", arrow.ListOfNonNullable(arrow.BinaryTypes.String), `[["a" "b"] []]`},
		{"note", arrow.BinaryTypes.String, `["vip" (null)]`},
	}
	for i, tt := range tests {
		col := rec.Column(i)
		if f := rec.Schema().Field(i); f.Name != tt.column || !arrow.TypeEqual(f.Type, tt.wantType) {
			t.Errorf("column %d is %s %s, want %s %s", i, f.Name, f.Type, tt.column, tt.wantType)
		}
		if got := col.String(); got != tt.want {
			t.Errorf("column %s = %s, want %s", tt.column, got, tt.want)
		}
	}
}
