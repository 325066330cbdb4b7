package parquetio

import (
	"context"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/apache/arrow/go/v17/parquet/file"
	"github.com/apache/arrow/go/v17/parquet/pqarrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/google/uuid"
)

// allTypesTable is a CloudQuery table with a column of every supported type.
func allTypesTable() *schema.Table {
	ts := func(u arrow.TimeUnit, tz string) arrow.DataType { return &arrow.TimestampType{Unit: u, TimeZone: tz} }
	return &schema.Table{
		Name:          "hubspot_crm_contacts",
		Description:   "Contacts",
		IsIncremental: true,
		Columns: schema.ColumnList{
			{Name: "id", Type: arrow.BinaryTypes.String, PrimaryKey: true, NotNull: true},
			{Name: "updated_at", Type: ts(arrow.Microsecond, "UTC"), IncrementalKey: true},
			{Name: "text", Type: arrow.BinaryTypes.String},
			{Name: "large_text", Type: arrow.BinaryTypes.LargeString},
			{Name: "i8", Type: arrow.PrimitiveTypes.Int8},
			{Name: "i16", Type: arrow.PrimitiveTypes.Int16},
			{Name: "i32", Type: arrow.PrimitiveTypes.Int32},
			{Name: "i64", Type: arrow.PrimitiveTypes.Int64, NotNull: true},
			{Name: "u8", Type: arrow.PrimitiveTypes.Uint8},
			{Name: "u16", Type: arrow.PrimitiveTypes.Uint16},
			{Name: "u32", Type: arrow.PrimitiveTypes.Uint32},
			{Name: "u64", Type: arrow.PrimitiveTypes.Uint64},
			{Name: "f32", Type: arrow.PrimitiveTypes.Float32},
			{Name: "f64", Type: arrow.PrimitiveTypes.Float64},
			{Name: "flag", Type: arrow.FixedWidthTypes.Boolean},
			{Name: "day", Type: arrow.FixedWidthTypes.Date32},
			{Name: "ts_s", Type: ts(arrow.Second, "UTC")},
			{Name: "ts_ms", Type: ts(arrow.Millisecond, "UTC")},
			{Name: "ts_ns", Type: ts(arrow.Nanosecond, "UTC")},
			{Name: "ts_local", Type: ts(arrow.Microsecond, "")},
			{Name: "ts_zoned", Type: ts(arrow.Millisecond, "Europe/Paris")},
			{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String)},
			{Name: "scores", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
			{Name: "ratios", Type: arrow.LargeListOf(arrow.PrimitiveTypes.Float64)},
			{Name: "strict_tags", Type: arrow.ListOfNonNullable(arrow.BinaryTypes.String)},
			{Name: "blob", Type: arrow.BinaryTypes.Binary},
			{Name: "code", Type: &arrow.FixedSizeBinaryType{ByteWidth: 3}},
			{Name: "amount", Type: &arrow.Decimal128Type{Precision: 38, Scale: 9}},
			{Name: "uid", Type: types.ExtensionTypes.UUID},
			{Name: "doc", Type: types.ExtensionTypes.JSON},
			{Name: "ip", Type: types.ExtensionTypes.Inet},
			{Name: "mac", Type: types.ExtensionTypes.MAC},
			{Name: "uids", Type: arrow.ListOf(types.ExtensionTypes.UUID)},
		},
	}
}

// randomRecord fills every column with random values, nulls in nullable
// columns, and empty lists and null elements in list columns.
func randomRecord(sc *arrow.Schema, rows int, rng *rand.Rand) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i, f := range sc.Fields() {
		for range rows {
			if f.Nullable && rng.IntN(6) == 0 {
				b.Field(i).AppendNull()
				continue
			}
			appendRandom(b.Field(i), rng)
		}
	}
	return b.NewRecord()
}

func appendRandom(b array.Builder, rng *rand.Rand) {
	switch b := b.(type) {
	case *array.StringBuilder:
		b.Append(randomText(rng))
	case *array.LargeStringBuilder:
		b.Append(randomText(rng))
	case *array.Int8Builder:
		b.Append(int8(rng.Uint32()))
	case *array.Int16Builder:
		b.Append(int16(rng.Uint32()))
	case *array.Int32Builder:
		b.Append(int32(rng.Uint32()))
	case *array.Int64Builder:
		b.Append(int64(rng.Uint64()))
	case *array.Uint8Builder:
		b.Append(uint8(rng.Uint32()))
	case *array.Uint16Builder:
		b.Append(uint16(rng.Uint32()))
	case *array.Uint32Builder:
		b.Append(rng.Uint32())
	case *array.Uint64Builder:
		b.Append(rng.Uint64())
	case *array.Float32Builder:
		b.Append(float32(rng.NormFloat64() * 1e6))
	case *array.Float64Builder:
		b.Append(rng.NormFloat64() * 1e9)
	case *array.BooleanBuilder:
		b.Append(rng.IntN(2) == 1)
	case *array.Date32Builder:
		b.Append(arrow.Date32(rng.IntN(40_000) - 10_000))
	case *array.TimestampBuilder:
		// Microseconds within +-100 years of 1970, then in the column's unit.
		us := rng.Int64N(6_300_000_000_000_000) - 3_150_000_000_000_000
		unit := b.Type().(*arrow.TimestampType).Unit
		b.Append(arrow.Timestamp(rescale(us, 1e6, perSecond(unit))))
	case *array.BinaryBuilder:
		b.Append([]byte(randomText(rng)))
	case *array.FixedSizeBinaryBuilder:
		b.Append([]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
	case *array.Decimal128Builder:
		limit := int64(math.Pow10(min(int(b.Type().(*arrow.Decimal128Type).Precision), 18)))
		b.Append(decimal128.FromI64(rng.Int64N(2*limit) - limit))
	case *types.UUIDBuilder:
		var u uuid.UUID
		for i := range u {
			u[i] = byte(rng.Uint32())
		}
		b.Append(u)
	case *types.JSONBuilder:
		b.Append(map[string]any{"n": rng.IntN(1000), "s": randomText(rng)})
	case *types.InetBuilder:
		b.Append(&net.IPNet{IP: net.IPv4(10, byte(rng.Uint32()), byte(rng.Uint32()), 1).To4(), Mask: net.CIDRMask(24, 32)})
	case *types.MACBuilder:
		b.Append(net.HardwareAddr{0, 1, 2, 3, 4, byte(rng.Uint32())})
	case array.ListLikeBuilder:
		b.Append(true)
		nullable := b.Type().(arrow.ListLikeType).ElemField().Nullable
		for range rng.IntN(4) {
			if nullable && rng.IntN(5) == 0 {
				b.ValueBuilder().AppendNull()
			} else {
				appendRandom(b.ValueBuilder(), rng)
			}
		}
	default:
		panic("no random values for " + b.Type().String())
	}
}

func randomText(rng *rand.Rand) string {
	words := []string{"", "lead", "customer", "Zoë", "東京", "a;b", "x\x00y"}
	return words[rng.IntN(len(words))]
}

// readAll reads path with Read and returns the records.
func readAll(t *testing.T, path string, batchRows int) []arrow.Record {
	t.Helper()
	var recs []arrow.Record
	for rec, err := range Read(context.Background(), path, batchRows) {
		if err != nil {
			t.Fatalf("Read(%s): %v", path, err)
		}
		t.Cleanup(rec.Release)
		recs = append(recs, rec)
	}
	return recs
}

// readPqarrow reads one file with Arrow's own Parquet reader. It returns the
// file's schema separately: pqarrow v17 drops schema metadata from tables.
func readPqarrow(t *testing.T, name string) (arrow.Table, *arrow.Schema) {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rdr, err := file.NewParquetReader(f)
	if err != nil {
		t.Fatalf("pqarrow open %s: %v", name, err)
	}
	defer rdr.Close()
	fr, err := pqarrow.NewFileReader(rdr, pqarrow.ArrowReadProperties{}, memory.DefaultAllocator)
	if err != nil {
		t.Fatalf("pqarrow reader %s: %v", name, err)
	}
	sc, err := fr.Schema()
	if err != nil {
		t.Fatalf("pqarrow schema %s: %v", name, err)
	}
	tbl, err := fr.ReadTable(context.Background())
	if err != nil {
		t.Fatalf("pqarrow read %s: %v", name, err)
	}
	t.Cleanup(tbl.Release)
	return tbl, sc
}

// column concatenates column i of records into one array.
func column(t *testing.T, recs []arrow.Record, i int) arrow.Array {
	t.Helper()
	parts := make([]arrow.Array, len(recs))
	for j, r := range recs {
		parts[j] = r.Column(i)
	}
	arr, err := array.Concatenate(parts, memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(arr.Release)
	return arr
}

// tableColumn concatenates the chunks of column i of a table.
func tableColumn(t *testing.T, tbl arrow.Table, i int) arrow.Array {
	t.Helper()
	arr, err := array.Concatenate(tbl.Column(i).Data().Chunks(), memory.DefaultAllocator)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(arr.Release)
	return arr
}
