package parquetio

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// appendFunc appends one present Parquet value to the builder it was made for.
type appendFunc func(v parquet.Value)

// columnDecoder rebuilds one top-level Arrow column from the values of its
// Parquet leaf column. It builds the storage form of the column's type
// (extension types replaced by their storage) and restores the type when the
// array is finished.
type columnDecoder struct {
	field   arrow.Field
	shape   shape
	builder array.Builder         // the column's storage-form builder
	lists   array.ListLikeBuilder // builder, when the column is a list
	values  array.Builder         // receives leaf values: builder or the lists' elements
	append  appendFunc
}

func newColumnDecoder(mem memory.Allocator, f arrow.Field, s shape, leafType parquet.Type) (*columnDecoder, error) {
	d := &columnDecoder{field: f, shape: s, builder: array.NewBuilder(mem, storageType(f.Type))}
	d.values = d.builder
	valueType := f.Type
	if s.list {
		lists, ok := d.builder.(array.ListLikeBuilder)
		if !ok {
			d.builder.Release()
			return nil, fmt.Errorf("column %q: Parquet column is a list but the Arrow type is %s", f.Name, f.Type)
		}
		d.lists, d.values = lists, lists.ValueBuilder()
		valueType = f.Type.(arrow.ListLikeType).Elem()
	}
	var err error
	if d.append, err = appenderFor(d.values, storageType(valueType), leafType); err != nil {
		d.builder.Release()
		return nil, fmt.Errorf("column %q: %w", f.Name, err)
	}
	return d, nil
}

// appendRow appends one row given the values of the leaf column in that row.
func (d *columnDecoder) appendRow(values []parquet.Value) {
	s := d.shape
	level := values[0].DefinitionLevel()
	switch {
	case level < s.present:
		d.builder.AppendNull()
		return
	case !s.list:
		d.append(values[0])
		return
	case level < s.entry:
		d.lists.AppendEmptyValue()
		return
	}
	d.lists.Append(true)
	for _, v := range values {
		if v.DefinitionLevel() < s.value {
			d.values.AppendNull()
		} else {
			d.append(v)
		}
	}
}

// finish returns the rows appended since the last call as an array of the
// column's type.
func (d *columnDecoder) finish() arrow.Array {
	arr := d.builder.NewArray()
	if arrow.TypeEqual(arr.DataType(), d.field.Type) {
		return arr
	}
	defer arr.Release()
	data := withType(arr.Data(), d.field.Type)
	defer data.Release()
	return array.MakeFromData(data)
}

func (d *columnDecoder) release() { d.builder.Release() }

// storageType replaces extension types, also as list elements, by their storage.
func storageType(dt arrow.DataType) arrow.DataType {
	switch t := dt.(type) {
	case arrow.ExtensionType:
		return t.StorageType()
	case *arrow.ListType:
		elem := t.ElemField()
		elem.Type = storageType(elem.Type)
		return arrow.ListOfField(elem)
	case *arrow.LargeListType:
		elem := t.ElemField()
		elem.Type = storageType(elem.Type)
		return arrow.LargeListOfField(elem)
	default:
		return dt
	}
}

// withType relabels storage-form array data with the type it stands for.
// The caller releases the result.
func withType(data arrow.ArrayData, dt arrow.DataType) arrow.ArrayData {
	children := data.Children()
	if lt, ok := dt.(arrow.ListLikeType); ok && dt.ID() != arrow.EXTENSION {
		child := withType(children[0], lt.Elem())
		defer child.Release()
		children = []arrow.ArrayData{child}
	}
	return array.NewData(dt, data.Len(), data.Buffers(), children, data.NullN(), data.Offset())
}

// appenderFor returns how to append a value of Parquet leaf type pt to
// builder b of Arrow storage type dt, or an error if they do not fit.
func appenderFor(b array.Builder, dt arrow.DataType, pt parquet.Type) (appendFunc, error) {
	kind := pt.Kind()
	mismatch := fmt.Errorf("cannot read Parquet %s as Arrow %s", pt, dt)
	switch dt := dt.(type) {
	case *arrow.BooleanType:
		if kind != parquet.Boolean {
			return nil, mismatch
		}
		return appendWith(b, func(b *array.BooleanBuilder, v parquet.Value) { b.Append(v.Boolean()) }), nil
	case *arrow.Int8Type:
		return appendInt(b, kind, func(b *array.Int8Builder, n int64) { b.Append(int8(n)) }, mismatch)
	case *arrow.Int16Type:
		return appendInt(b, kind, func(b *array.Int16Builder, n int64) { b.Append(int16(n)) }, mismatch)
	case *arrow.Int32Type:
		return appendInt(b, kind, func(b *array.Int32Builder, n int64) { b.Append(int32(n)) }, mismatch)
	case *arrow.Int64Type:
		return appendInt(b, kind, func(b *array.Int64Builder, n int64) { b.Append(n) }, mismatch)
	case *arrow.Uint8Type:
		return appendInt(b, kind, func(b *array.Uint8Builder, n int64) { b.Append(uint8(n)) }, mismatch)
	case *arrow.Uint16Type:
		return appendInt(b, kind, func(b *array.Uint16Builder, n int64) { b.Append(uint16(n)) }, mismatch)
	case *arrow.Uint32Type:
		return appendInt(b, kind, func(b *array.Uint32Builder, n int64) { b.Append(uint32(n)) }, mismatch)
	case *arrow.Uint64Type:
		return appendInt(b, kind, func(b *array.Uint64Builder, n int64) { b.Append(uint64(n)) }, mismatch)
	case *arrow.Date32Type:
		return appendInt(b, kind, func(b *array.Date32Builder, n int64) { b.Append(arrow.Date32(n)) }, mismatch)
	case *arrow.Float32Type:
		if kind != parquet.Float {
			return nil, mismatch
		}
		return appendWith(b, func(b *array.Float32Builder, v parquet.Value) { b.Append(v.Float()) }), nil
	case *arrow.Float64Type:
		if kind != parquet.Double {
			return nil, mismatch
		}
		return appendWith(b, func(b *array.Float64Builder, v parquet.Value) { b.Append(v.Double()) }), nil
	case *arrow.StringType, *arrow.LargeStringType, *arrow.BinaryType, *arrow.LargeBinaryType:
		if kind != parquet.ByteArray {
			return nil, mismatch
		}
		bb := binaryBuilder(b)
		return func(v parquet.Value) { bb.Append(v.ByteArray()) }, nil
	case *arrow.FixedSizeBinaryType:
		if kind != parquet.FixedLenByteArray || pt.Length() != dt.ByteWidth {
			return nil, mismatch
		}
		return appendWith(b, func(b *array.FixedSizeBinaryBuilder, v parquet.Value) { b.Append(v.ByteArray()) }), nil
	case *arrow.TimestampType:
		return appendTimestamp(b, dt, pt, mismatch)
	case *arrow.Decimal128Type:
		return appendDecimal(b, kind, mismatch)
	default:
		return nil, mismatch
	}
}

// appendWith binds an append to a builder of concrete type B.
func appendWith[B array.Builder](b array.Builder, f func(b B, v parquet.Value)) appendFunc {
	bb := b.(B)
	return func(v parquet.Value) { f(bb, v) }
}

// appendInt serves every Arrow integer type from either Parquet integer
// width; unsigned values keep their bits through the conversion.
func appendInt[B array.Builder](b array.Builder, kind parquet.Kind, put func(b B, n int64), mismatch error) (appendFunc, error) {
	switch kind {
	case parquet.Int32:
		return appendWith(b, func(b B, v parquet.Value) { put(b, int64(v.Int32())) }), nil
	case parquet.Int64:
		return appendWith(b, func(b B, v parquet.Value) { put(b, v.Int64()) }), nil
	default:
		return nil, mismatch
	}
}

// binaryBuilder returns the byte builder behind the four variable-length builders.
func binaryBuilder(b array.Builder) *array.BinaryBuilder {
	switch b := b.(type) {
	case *array.StringBuilder:
		return b.BinaryBuilder
	case *array.LargeStringBuilder:
		return b.BinaryBuilder
	default:
		return b.(*array.BinaryBuilder)
	}
}

// appendTimestamp reads TIMESTAMP columns in any unit, legacy INT96
// timestamps, and plain INT64 taken to be in the Arrow unit.
func appendTimestamp(b array.Builder, dt *arrow.TimestampType, pt parquet.Type, mismatch error) (appendFunc, error) {
	to := perSecond(dt.Unit)
	put := func(b *array.TimestampBuilder, ticks, perSec int64) {
		b.Append(arrow.Timestamp(rescale(ticks, perSec, to)))
	}
	switch pt.Kind() {
	case parquet.Int64:
		from := to
		if lt := pt.LogicalType(); lt != nil {
			if ts, ok := lt.Value.(*format.TimestampType); ok {
				from = parquetPerSecond(ts.Unit)
			}
		}
		return appendWith(b, func(b *array.TimestampBuilder, v parquet.Value) { put(b, v.Int64(), from) }), nil
	case parquet.Int96:
		return appendWith(b, func(b *array.TimestampBuilder, v parquet.Value) { put(b, int96Nanos(v.Int96()), 1e9) }), nil
	default:
		return nil, mismatch
	}
}

// julianUnixEpoch is the Julian day number of 1970-01-01.
const julianUnixEpoch = 2440588

// int96Nanos converts a legacy INT96 timestamp (nanoseconds of the day, then
// the Julian day) written by Spark, Impala and old pandas to Unix nanoseconds.
func int96Nanos(v [3]uint32) int64 {
	nanosOfDay := int64(v[1])<<32 | int64(v[0])
	return (int64(v[2])-julianUnixEpoch)*86_400_000_000_000 + nanosOfDay
}

// appendDecimal reads DECIMAL stored as INT32, INT64, or big-endian two's
// complement bytes (FIXED_LEN_BYTE_ARRAY or BYTE_ARRAY).
func appendDecimal(b array.Builder, kind parquet.Kind, mismatch error) (appendFunc, error) {
	switch kind {
	case parquet.Int32:
		return appendWith(b, func(b *array.Decimal128Builder, v parquet.Value) { b.Append(decimal128.FromI64(int64(v.Int32()))) }), nil
	case parquet.Int64:
		return appendWith(b, func(b *array.Decimal128Builder, v parquet.Value) { b.Append(decimal128.FromI64(v.Int64())) }), nil
	case parquet.FixedLenByteArray, parquet.ByteArray:
		return appendWith(b, func(b *array.Decimal128Builder, v parquet.Value) { b.Append(decimalFromBytes(v.ByteArray())) }), nil
	default:
		return nil, mismatch
	}
}

// decimalFromBytes sign-extends a big-endian two's complement integer of up
// to 16 bytes.
func decimalFromBytes(b []byte) decimal128.Num {
	var full [decimalBytes]byte
	if len(b) > 0 && b[0]&0x80 != 0 {
		for i := range full {
			full[i] = 0xff
		}
	}
	copy(full[max(decimalBytes-len(b), 0):], b[max(len(b)-decimalBytes, 0):])
	return decimal128.New(int64(binary.BigEndian.Uint64(full[:8])), binary.BigEndian.Uint64(full[8:]))
}
