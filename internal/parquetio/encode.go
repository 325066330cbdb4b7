package parquetio

import (
	"encoding/binary"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/decimal128"
	"github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/parquet-go/parquet-go"
)

// valueFunc returns element i of a bound Arrow array as a Parquet value.
type valueFunc func(i int) parquet.Value

// bindFunc binds a conversion to one Arrow array of the type it was made for.
type bindFunc func(arr arrow.Array) valueFunc

// columnEncoder turns one top-level Arrow column into the values of its
// Parquet leaf column, with repetition and definition levels.
type columnEncoder struct {
	name  string
	shape shape
	bind  bindFunc // converts the column's (or its lists') values
}

// fieldNode returns the Parquet node of an Arrow field and its encoder.
func fieldNode(leaf int, f arrow.Field) (parquet.Node, columnEncoder, error) {
	enc := columnEncoder{name: f.Name}
	var node parquet.Node
	switch dt := f.Type.(type) {
	case *arrow.ListType, *arrow.LargeListType:
		elem := dt.(arrow.ListLikeType).ElemField()
		leafNode, bind, err := leafFor(elem.Type)
		if err != nil {
			return nil, enc, fmt.Errorf("column %q: %w", f.Name, err)
		}
		node = parquet.List(withNullability(leafNode, elem.Nullable))
		enc.shape, enc.bind = listShape(leaf, f.Nullable, elem.Nullable), bind
	default:
		leafNode, bind, err := leafFor(f.Type)
		if err != nil {
			return nil, enc, fmt.Errorf("column %q: %w", f.Name, err)
		}
		node = leafNode
		enc.shape, enc.bind = primitiveShape(leaf, f.Nullable), bind
	}
	return withNullability(node, f.Nullable), enc, nil
}

func withNullability(n parquet.Node, nullable bool) parquet.Node {
	if nullable {
		return parquet.Optional(n)
	}
	return parquet.Required(n)
}

// leafFor maps an Arrow type to a Parquet leaf node with a standard logical
// type, and returns the matching value conversion.
func leafFor(dt arrow.DataType) (parquet.Node, bindFunc, error) {
	switch dt := dt.(type) {
	case *arrow.BooleanType:
		return parquet.Leaf(parquet.BooleanType), bindWith(func(a *array.Boolean, i int) parquet.Value {
			return parquet.BooleanValue(a.Value(i))
		}), nil
	case *arrow.Int8Type:
		return parquet.Int(8), bindInt32(func(a *array.Int8, i int) int32 { return int32(a.Value(i)) }), nil
	case *arrow.Int16Type:
		return parquet.Int(16), bindInt32(func(a *array.Int16, i int) int32 { return int32(a.Value(i)) }), nil
	case *arrow.Int32Type:
		return parquet.Int(32), bindInt32(func(a *array.Int32, i int) int32 { return a.Value(i) }), nil
	case *arrow.Int64Type:
		return parquet.Int(64), bindInt64(func(a *array.Int64, i int) int64 { return a.Value(i) }), nil
	case *arrow.Uint8Type:
		return parquet.Uint(8), bindInt32(func(a *array.Uint8, i int) int32 { return int32(a.Value(i)) }), nil
	case *arrow.Uint16Type:
		return parquet.Uint(16), bindInt32(func(a *array.Uint16, i int) int32 { return int32(a.Value(i)) }), nil
	case *arrow.Uint32Type:
		return parquet.Uint(32), bindInt32(func(a *array.Uint32, i int) int32 { return int32(a.Value(i)) }), nil
	case *arrow.Uint64Type:
		return parquet.Uint(64), bindInt64(func(a *array.Uint64, i int) int64 { return int64(a.Value(i)) }), nil
	case *arrow.Float32Type:
		return parquet.Leaf(parquet.FloatType), bindWith(func(a *array.Float32, i int) parquet.Value {
			return parquet.FloatValue(a.Value(i))
		}), nil
	case *arrow.Float64Type:
		return parquet.Leaf(parquet.DoubleType), bindWith(func(a *array.Float64, i int) parquet.Value {
			return parquet.DoubleValue(a.Value(i))
		}), nil
	case *arrow.StringType:
		return parquet.String(), bindBytes[int32, *array.String](), nil
	case *arrow.LargeStringType:
		return parquet.String(), bindBytes[int64, *array.LargeString](), nil
	case *arrow.BinaryType:
		return parquet.Leaf(parquet.ByteArrayType), bindBytes[int32, *array.Binary](), nil
	case *arrow.LargeBinaryType:
		return parquet.Leaf(parquet.ByteArrayType), bindBytes[int64, *array.LargeBinary](), nil
	case *arrow.FixedSizeBinaryType:
		return parquet.Leaf(parquet.FixedLenByteArrayType(dt.ByteWidth)), bindFixed(), nil
	case *arrow.Date32Type:
		return parquet.Date(), bindInt32(func(a *array.Date32, i int) int32 { return int32(a.Value(i)) }), nil
	case *arrow.TimestampType:
		unit, to := storedTimeUnit(dt.Unit)
		from := perSecond(dt.Unit)
		return parquet.TimestampAdjusted(unit, dt.TimeZone != ""), bindInt64(func(a *array.Timestamp, i int) int64 {
			return rescale(int64(a.Value(i)), from, to)
		}), nil
	case *arrow.Decimal128Type:
		return parquet.Decimal(int(dt.Scale), int(dt.Precision), parquet.FixedLenByteArrayType(decimalBytes)), bindDecimal(), nil
	case arrow.ExtensionType:
		return extensionLeaf(dt)
	default:
		return nil, nil, fmt.Errorf("unsupported Arrow type %s", dt)
	}
}

// extensionLeaf writes CloudQuery's UUID and JSON types with the Parquet
// UUID and JSON logical types, and any other extension type as its storage.
func extensionLeaf(dt arrow.ExtensionType) (parquet.Node, bindFunc, error) {
	node, bind, err := leafFor(dt.StorageType())
	if err != nil {
		return nil, nil, fmt.Errorf("extension %s: %w", dt.ExtensionName(), err)
	}
	switch dt.ExtensionName() {
	case types.ExtensionTypes.UUID.ExtensionName():
		node = parquet.UUID()
	case types.ExtensionTypes.JSON.ExtensionName():
		node = parquet.JSON()
	}
	return node, func(arr arrow.Array) valueFunc {
		return bind(arr.(array.ExtensionArray).Storage())
	}, nil
}

// bindWith makes a bindFunc for arrays of concrete type A.
func bindWith[A arrow.Array](conv func(a A, i int) parquet.Value) bindFunc {
	return func(arr arrow.Array) valueFunc {
		a := arr.(A)
		return func(i int) parquet.Value { return conv(a, i) }
	}
}

func bindInt32[A arrow.Array](get func(a A, i int) int32) bindFunc {
	return bindWith(func(a A, i int) parquet.Value { return parquet.Int32Value(get(a, i)) })
}

func bindInt64[A arrow.Array](get func(a A, i int) int64) bindFunc {
	return bindWith(func(a A, i int) parquet.Value { return parquet.Int64Value(get(a, i)) })
}

// bindBytes serves the four variable-length Arrow layouts (string, binary
// and their large forms). Values point into the Arrow buffer, no copy.
func bindBytes[O int32 | int64, A interface {
	arrow.Array
	ValueOffsets() []O
}]() bindFunc {
	return func(arr arrow.Array) valueFunc {
		a := arr.(A)
		offsets := a.ValueOffsets()
		var data []byte
		if buf := a.Data().Buffers()[2]; buf != nil {
			data = buf.Bytes()
		}
		return func(i int) parquet.Value {
			return parquet.ByteArrayValue(data[offsets[i]:offsets[i+1]])
		}
	}
}

func bindFixed() bindFunc {
	return bindWith(func(a *array.FixedSizeBinary, i int) parquet.Value {
		return parquet.FixedLenByteArrayValue(a.Value(i))
	})
}

// decimalBytes is the width of a Decimal128 as a big-endian two's complement
// FIXED_LEN_BYTE_ARRAY, enough for precision 38.
const decimalBytes = 16

// bindDecimal encodes every value of the bound array into one scratch buffer
// that lives as long as the values do.
func bindDecimal() bindFunc {
	return func(arr arrow.Array) valueFunc {
		a := arr.(*array.Decimal128)
		scratch := make([]byte, decimalBytes*a.Len())
		return func(i int) parquet.Value {
			b := scratch[decimalBytes*i : decimalBytes*(i+1)]
			putDecimal(b, a.Value(i))
			return parquet.FixedLenByteArrayValue(b)
		}
	}
}

func putDecimal(b []byte, n decimal128.Num) {
	binary.BigEndian.PutUint64(b[:8], uint64(n.HighBits()))
	binary.BigEndian.PutUint64(b[8:], n.LowBits())
}

// encode appends the leaf values of arr, one or more per row, to dst.
func (e *columnEncoder) encode(dst []parquet.Value, arr arrow.Array) ([]parquet.Value, error) {
	s := e.shape
	var lists array.ListLike
	values := arr
	if s.list {
		lists = arr.(array.ListLike)
		values = lists.ListValues()
	}
	value := e.bind(values)
	for i := range arr.Len() {
		switch {
		case arr.IsNull(i):
			if !s.nullable() {
				return dst, fmt.Errorf("column %q: null at row %d of a non-nullable column", e.name, i)
			}
			dst = append(dst, parquet.NullValue().Level(0, 0, s.leaf))
		case !s.list:
			dst = append(dst, value(i).Level(0, s.value, s.leaf))
		default:
			start, end := lists.ValueOffsets(i)
			if start == end {
				dst = append(dst, parquet.NullValue().Level(0, s.present, s.leaf))
				continue
			}
			for j := int(start); j < int(end); j++ {
				rep := min(j-int(start), 1)
				if !values.IsNull(j) {
					dst = append(dst, value(j).Level(rep, s.value, s.leaf))
					continue
				}
				if !s.elementNullable() {
					return dst, fmt.Errorf("column %q: null element at row %d of a list with non-nullable elements", e.name, i)
				}
				dst = append(dst, parquet.NullValue().Level(rep, s.entry, s.leaf))
			}
		}
	}
	return dst, nil
}
