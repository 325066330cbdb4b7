package parquetio

import (
	"math"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/google/uuid"
)

var fuzzSchema = arrow.NewSchema([]arrow.Field{
	{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true},
	{Name: "i64", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true},
	{Name: "u64", Type: arrow.PrimitiveTypes.Uint64, Nullable: true},
	{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true},
	{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "flag", Type: arrow.FixedWidthTypes.Boolean, Nullable: true},
	{Name: "text", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "blob", Type: arrow.BinaryTypes.Binary, Nullable: true},
	{Name: "day", Type: arrow.FixedWidthTypes.Date32, Nullable: true},
	{Name: "ts_s", Type: &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}, Nullable: true},
	{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, Nullable: true},
	{Name: "amount", Type: &arrow.Decimal128Type{Precision: 38, Scale: 4}, Nullable: true},
	{Name: "uid", Type: types.ExtensionTypes.UUID, Nullable: true},
	{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true},
}, nil)

// fuzzValues is one row of fuzzed values, in fuzzSchema order.
type fuzzValues struct {
	i    int64
	u    uint64
	x    float64
	ok   bool
	text string
	blob []byte
	days int32
	hi   int64
	lo   uint64
}

// record builds rows: the values, a row of nulls, the values again, with
// nanos in the nanosecond column. The timestamp in seconds is kept where
// milliseconds do not overflow int64.
func (v fuzzValues) record(nanos int64) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, fuzzSchema)
	defer b.Release()
	var id uuid.UUID
	copy(id[:], v.blob)
	for row := range 3 {
		if row == 1 {
			for i := range fuzzSchema.NumFields() {
				b.Field(i).AppendNull()
			}
			continue
		}
		b.Field(0).(*array.Int8Builder).Append(int8(v.i))
		b.Field(1).(*array.Int64Builder).Append(v.i)
		b.Field(2).(*array.Uint32Builder).Append(uint32(v.u))
		b.Field(3).(*array.Uint64Builder).Append(v.u)
		b.Field(4).(*array.Float32Builder).Append(float32(v.x))
		b.Field(5).(*array.Float64Builder).Append(v.x)
		b.Field(6).(*array.BooleanBuilder).Append(v.ok)
		b.Field(7).(*array.StringBuilder).Append(v.text)
		b.Field(8).(*array.BinaryBuilder).Append(v.blob)
		b.Field(9).(*array.Date32Builder).Append(arrow.Date32(v.days))
		b.Field(10).(*array.TimestampBuilder).Append(arrow.Timestamp(v.i % (math.MaxInt64 / 1000)))
		b.Field(11).(*array.TimestampBuilder).Append(arrow.Timestamp(nanos))
		b.Field(12).(*array.Decimal128Builder).Append(decimal128.New(v.hi, v.lo))
		b.Field(13).(*types.UUIDBuilder).Append(id)
		tags := b.Field(14).(*array.ListBuilder)
		tags.Append(true)
		tags.ValueBuilder().(*array.StringBuilder).Append(v.text)
		tags.ValueBuilder().AppendNull()
	}
	return b.NewRecord()
}

// FuzzRoundTrip sends random values of every converter through a file and
// back. Nanoseconds are stored as microseconds, so they come back floored.
func FuzzRoundTrip(f *testing.F) {
	f.Add(int64(0), uint64(0), 0.0, false, "", []byte{}, int32(0), int64(0), uint64(0), int64(0))
	f.Add(int64(-1), uint64(math.MaxUint64), math.NaN(), true, "Zoë;東京", []byte{0, 255}, int32(-719162), int64(-1), uint64(1), int64(-1))
	f.Add(int64(math.MinInt64), uint64(1<<63), math.Inf(-1), true, "\x00\xff", []byte("0123456789abcdefXYZ"), int32(math.MaxInt32), int64(math.MaxInt64), uint64(math.MaxUint64), int64(math.MinInt64))
	f.Add(int64(math.MaxInt64), uint64(42), math.Copysign(0, -1), false, "lead", []byte(nil), int32(math.MinInt32), int64(math.MinInt64), uint64(0), int64(1_700_000_000_123_456_789))
	f.Fuzz(func(t *testing.T, i int64, u uint64, x float64, ok bool, text string, blob []byte, days int32, hi int64, lo uint64, nanos int64) {
		v := fuzzValues{i: i, u: u, x: x, ok: ok, text: text, blob: blob, days: days, hi: hi, lo: lo}
		in := v.record(nanos)
		defer in.Release()
		want := v.record(rescale(rescale(nanos, 1e9, 1e6), 1e6, 1e9))
		defer want.Release()

		dir := t.TempDir()
		w, err := NewWriter(dir, fuzzSchema, WithFilePrefix("fuzz"))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(in); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		out := readAll(t, dir, 0)
		if len(out) != 1 {
			t.Fatalf("read %d records, want 1", len(out))
		}
		for c, f := range fuzzSchema.Fields() {
			exp, got := want.Column(c), out[0].Column(c)
			if !array.ApproxEqual(exp, got, array.WithNaNsEqual(true), array.WithAbsTolerance(0)) {
				t.Errorf("column %s: got %s, want %s", f.Name, got, exp)
			}
		}
	})
}
