package parquetio

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// roundTrip writes records of random sizes for the all-types table across
// several files and row groups, and returns the input and the directory.
func roundTrip(t *testing.T) ([]arrow.Record, string, []string) {
	t.Helper()
	sc := allTypesTable().ToArrowSchema()
	rng := rand.New(rand.NewPCG(1, 2))
	dir := filepath.Join(t.TempDir(), "hubspot_crm_contacts")
	w, err := NewWriter(dir, sc, WithMaxRowsPerFile(1000), WithRowGroupRows(256), WithFilePrefix("run1"))
	if err != nil {
		t.Fatal(err)
	}
	var in []arrow.Record
	for _, n := range []int{700, 1, 1299, 0, 3} {
		rec := randomRecord(sc, n, rng)
		t.Cleanup(rec.Release)
		in = append(in, rec)
		if err := w.Write(rec); err != nil {
			t.Fatalf("Write: %v", err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return in, dir, w.Files()
}

func TestRoundTripFiles(t *testing.T) {
	_, dir, files := roundTrip(t)
	want := []string{"run1-00000.parquet", "run1-00001.parquet", "run1-00002.parquet"}
	var got []string
	for _, f := range files {
		if filepath.Dir(f) != dir {
			t.Errorf("file %s outside %s", f, dir)
		}
		got = append(got, filepath.Base(f))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("Files() = %v, want %v", got, want)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(want) {
		t.Errorf("directory holds %d entries, want only the %d files", len(entries), len(want))
	}
	wantRows := []int64{1000, 1000, 3}
	for i, name := range files {
		f, pf, err := openParquet(name)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if pf.NumRows() != wantRows[i] {
			t.Errorf("%s has %d rows, want %d", name, pf.NumRows(), wantRows[i])
		}
		for _, rg := range pf.RowGroups() {
			if rg.NumRows() > 256 {
				t.Errorf("%s has a row group of %d rows, want at most 256", name, rg.NumRows())
			}
		}
		if i == 0 && len(pf.RowGroups()) != 4 {
			t.Errorf("%s has %d row groups, want 4", name, len(pf.RowGroups()))
		}
	}
}

// TestRoundTripParquetTypes checks the Parquet types other engines see.
func TestRoundTripParquetTypes(t *testing.T) {
	_, _, files := roundTrip(t)
	f, pf, err := openParquet(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	printed := pf.Schema().String()
	tests := []struct {
		column string
		want   string
	}{
		{"id", "required binary id (STRING);"},
		{"updated_at", "optional int64 updated_at (TIMESTAMP(isAdjustedToUTC=true,unit=MICROS));"},
		{"i8", "optional int32 i8 (INT(8,true));"},
		{"i64", "required int64 i64 (INT(64,true));"},
		{"u32", "optional int32 u32 (INT(32,false));"},
		{"u64", "optional int64 u64 (INT(64,false));"},
		{"f32", "optional float f32;"},
		{"flag", "optional boolean flag;"},
		{"day", "optional int32 day (DATE);"},
		{"ts_s", "optional int64 ts_s (TIMESTAMP(isAdjustedToUTC=true,unit=MILLIS));"},
		{"ts_ns", "optional int64 ts_ns (TIMESTAMP(isAdjustedToUTC=true,unit=MICROS));"},
		{"ts_local", "optional int64 ts_local (TIMESTAMP(isAdjustedToUTC=false,unit=MICROS));"},
		{"amount", "optional fixed_len_byte_array(16) amount (DECIMAL(38,9));"},
		{"uid", "optional fixed_len_byte_array(16) uid (UUID);"},
		{"doc", "optional binary doc (JSON);"},
		{"blob", "optional binary blob;"},
		{"tags", "optional group tags (LIST) {\n\t\trepeated group list {\n\t\t\toptional binary element (STRING);\n\t\t}\n\t}"},
		{"strict_tags", "optional group strict_tags (LIST) {\n\t\trepeated group list {\n\t\t\trequired binary element (STRING);"},
		{"scores", "optional group scores (LIST) {\n\t\trepeated group list {\n\t\t\toptional int64 element (INT(64,true));"},
	}
	for _, tt := range tests {
		if !strings.Contains(printed, "\t"+tt.want) {
			t.Errorf("column %s: schema lacks %q:\n%s", tt.column, tt.want, printed)
		}
	}
	sc := allTypesTable().ToArrowSchema()
	for i, col := range pf.Root().Columns() {
		if col.Name() != sc.Field(i).Name {
			t.Errorf("Parquet column %d is %s, want %s (Arrow order)", i, col.Name(), sc.Field(i).Name)
		}
	}
	if codec := pf.Metadata().RowGroups[0].Columns[0].MetaData.Codec.String(); codec != "SNAPPY" {
		t.Errorf("compression %s, want SNAPPY", codec)
	}
}

func TestRoundTripRead(t *testing.T) {
	in, dir, _ := roundTrip(t)
	sc := allTypesTable().ToArrowSchema()
	out := readAll(t, dir, 333)
	var total int64
	for _, rec := range out {
		if rec.NumRows() > 333 || rec.NumRows() == 0 {
			t.Errorf("record of %d rows, want 1..333", rec.NumRows())
		}
		total += rec.NumRows()
		if !rec.Schema().Equal(sc) || !rec.Schema().Metadata().Equal(sc.Metadata()) {
			t.Fatalf("schema\n%s\nwant\n%s", rec.Schema(), sc)
		}
	}
	if total != 2003 {
		t.Fatalf("read %d rows, want 2003", total)
	}
	for i, f := range sc.Fields() {
		want, got := column(t, in, i), column(t, out, i)
		if !array.Equal(want, got) {
			t.Errorf("column %s differs:\n got %s\nwant %s", f.Name, got, want)
		}
	}
}

func TestRoundTripTableMetadata(t *testing.T) {
	_, dir, _ := roundTrip(t)
	sc, err := Schema(dir)
	if err != nil {
		t.Fatal(err)
	}
	table, err := schema.NewTableFromArrowSchema(sc)
	if err != nil {
		t.Fatal(err)
	}
	want := allTypesTable()
	if table.Name != want.Name || table.Description != want.Description || table.IsIncremental != want.IsIncremental {
		t.Errorf("table %q (%q, incremental %v), want %q (%q, incremental %v)",
			table.Name, table.Description, table.IsIncremental, want.Name, want.Description, want.IsIncremental)
	}
	if got := table.PrimaryKeys(); !slices.Equal(got, []string{"id"}) {
		t.Errorf("primary keys %v, want [id]", got)
	}
	if got := table.IncrementalKeys(); !slices.Equal(got, []string{"updated_at"}) {
		t.Errorf("incremental keys %v, want [updated_at]", got)
	}
}

// TestRoundTripPqarrow reads the files with Arrow's own Parquet reader, the
// same C++-compatible logic pyarrow uses. Types differ from the written ones
// only where Parquet or pqarrow v17 cannot say more; see pqarrowType.
func TestRoundTripPqarrow(t *testing.T) {
	if err := registerExtensions(); err != nil {
		t.Fatal(err)
	}
	in, _, files := roundTrip(t)
	sc := allTypesTable().ToArrowSchema()
	var tables []arrow.Table
	for _, name := range files {
		tbl, fileSchema := readPqarrow(t, name)
		tables = append(tables, tbl)
		table, err := schema.NewTableFromArrowSchema(fileSchema)
		if err != nil {
			t.Fatal(err)
		}
		if table.Name != "hubspot_crm_contacts" || !slices.Equal(table.PrimaryKeys(), []string{"id"}) {
			t.Errorf("%s: pqarrow table %q with keys %v", name, table.Name, table.PrimaryKeys())
		}
	}
	for i, f := range sc.Fields() {
		t.Run(f.Name, func(t *testing.T) {
			wantType := pqarrowType(f.Type)
			got := tables[0].Schema().Field(i)
			if got.Name != f.Name || !arrow.TypeEqual(got.Type, wantType) || got.Nullable != f.Nullable {
				t.Fatalf("pqarrow field %s %s nullable=%v, want %s %s nullable=%v",
					got.Name, got.Type, got.Nullable, f.Name, wantType, f.Nullable)
			}
			var chunks []arrow.Array
			for _, tbl := range tables {
				chunks = append(chunks, tableColumn(t, tbl, i))
			}
			gotValues, err := array.Concatenate(chunks, memory.DefaultAllocator)
			if err != nil {
				t.Fatal(err)
			}
			defer gotValues.Release()
			want := column(t, in, i)
			if ts, ok := wantType.(*arrow.TimestampType); ok && !arrow.TypeEqual(ts, f.Type) {
				want = rescaleTimestamps(t, want, ts)
			}
			if !sameValues(want, gotValues) {
				t.Errorf("values differ:\n got %s\nwant %s", gotValues, want)
			}
		})
	}
}

// pqarrowType is the type pqarrow v17 reads back for a written Arrow type.
// Seconds are stored as milliseconds and nanoseconds as microseconds (Parquet
// has no seconds; Spark cannot read nanoseconds), and pqarrow v17 restores
// neither large lists nor non-nullable list elements from the stored schema.
func pqarrowType(dt arrow.DataType) arrow.DataType {
	switch dt := dt.(type) {
	case *arrow.TimestampType:
		stored := map[arrow.TimeUnit]arrow.TimeUnit{arrow.Second: arrow.Millisecond, arrow.Nanosecond: arrow.Microsecond}
		if unit, ok := stored[dt.Unit]; ok {
			return &arrow.TimestampType{Unit: unit, TimeZone: dt.TimeZone}
		}
		return dt
	case arrow.ListLikeType:
		return arrow.ListOf(dt.Elem())
	default:
		return dt
	}
}

// sameValues compares arrays of equal or list-equivalent types row by row.
func sameValues(want, got arrow.Array) bool {
	if arrow.TypeEqual(want.DataType(), got.DataType()) {
		return array.Equal(want, got)
	}
	if want.Len() != got.Len() {
		return false
	}
	for i := range want.Len() {
		if want.IsNull(i) != got.IsNull(i) || want.ValueStr(i) != got.ValueStr(i) {
			return false
		}
	}
	return true
}

// rescaleTimestamps converts a timestamp array to another unit.
func rescaleTimestamps(t *testing.T, arr arrow.Array, to *arrow.TimestampType) arrow.Array {
	t.Helper()
	from := arr.(*array.Timestamp)
	b := array.NewTimestampBuilder(memory.DefaultAllocator, to)
	defer b.Release()
	fromUnit := perSecond(from.DataType().(*arrow.TimestampType).Unit)
	for i := range from.Len() {
		if from.IsNull(i) {
			b.AppendNull()
			continue
		}
		b.Append(arrow.Timestamp(rescale(int64(from.Value(i)), fromUnit, perSecond(to.Unit))))
	}
	out := b.NewArray()
	t.Cleanup(out.Release)
	return out
}
