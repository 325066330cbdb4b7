package parquetio

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/types"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// fileColumn is one top-level field of a Parquet file: where its values are
// and the Arrow field its Parquet types stand for.
type fileColumn struct {
	leaf     *parquet.Column
	shape    shape
	inferred arrow.Field
}

// fileColumns maps the top-level fields of a Parquet schema. Each must be a
// primitive or a list of primitives (3-level LIST, legacy 2-level LIST, or a
// bare repeated primitive); structs and maps are not supported.
func fileColumns(root *parquet.Column) ([]fileColumn, error) {
	cols := make([]fileColumn, 0, len(root.Columns()))
	for _, col := range root.Columns() {
		fc, err := mapColumn(col)
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", col.Name(), err)
		}
		cols = append(cols, fc)
	}
	return cols, nil
}

func mapColumn(col *parquet.Column) (fileColumn, error) {
	leaf, s, elemName, err := locateLeaf(col)
	if err != nil {
		return fileColumn{}, err
	}
	if s.value != leaf.MaxDefinitionLevel() || leaf.MaxRepetitionLevel() != levelOf(s.list) {
		return fileColumn{}, fmt.Errorf("unsupported nesting %s", col)
	}
	dt, err := inferType(leaf.Type())
	if err != nil {
		return fileColumn{}, err
	}
	if s.list {
		dt = arrow.ListOfField(arrow.Field{Name: elemName, Type: dt, Nullable: s.elementNullable()})
	}
	return fileColumn{leaf: leaf, shape: s, inferred: arrow.Field{Name: col.Name(), Type: dt, Nullable: s.nullable()}}, nil
}

// locateLeaf finds the leaf column under a top-level field and its shape.
// For lists it also returns the element's name.
func locateLeaf(col *parquet.Column) (*parquet.Column, shape, string, error) {
	if col.Leaf() {
		if col.Repeated() {
			return col, listShape(col.Index(), false, false), col.Name(), nil
		}
		return col, primitiveShape(col.Index(), col.Optional()), "", nil
	}
	children := col.Columns()
	if !isList(col) || len(children) != 1 || !children[0].Repeated() {
		return nil, shape{}, "", fmt.Errorf("unsupported nested column %s", col)
	}
	entry := children[0]
	if entry.Leaf() {
		return entry, listShape(entry.Index(), col.Optional(), false), entry.Name(), nil
	}
	elems := entry.Columns()
	if len(elems) != 1 || !elems[0].Leaf() || elems[0].Repeated() {
		return nil, shape{}, "", fmt.Errorf("unsupported list element %s", entry)
	}
	elem := elems[0]
	return elem, listShape(elem.Index(), col.Optional(), elem.Optional()), elem.Name(), nil
}

func isList(col *parquet.Column) bool {
	lt := col.Type().LogicalType()
	if lt == nil {
		return false
	}
	_, ok := lt.Value.(*format.ListType)
	return ok
}

// inferType maps a Parquet leaf type to the Arrow type that best holds it,
// from its logical type first and its physical type otherwise.
func inferType(t parquet.Type) (arrow.DataType, error) {
	var logical format.LogicalTypeValue
	if lt := t.LogicalType(); lt != nil {
		logical = lt.Value
	}
	if dec, ok := logical.(*format.DecimalType); ok {
		if dec.Precision > 38 {
			return nil, fmt.Errorf("unsupported %s: precision above 38", dec)
		}
		return &arrow.Decimal128Type{Precision: dec.Precision, Scale: dec.Scale}, nil
	}
	switch t.Kind() {
	case parquet.Boolean:
		return arrow.FixedWidthTypes.Boolean, nil
	case parquet.Int32, parquet.Int64:
		return inferInteger(t.Kind(), logical)
	case parquet.Int96:
		return &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "UTC"}, nil
	case parquet.Float:
		return arrow.PrimitiveTypes.Float32, nil
	case parquet.Double:
		return arrow.PrimitiveTypes.Float64, nil
	case parquet.ByteArray:
		switch logical.(type) {
		case *format.StringType, *format.EnumType:
			return arrow.BinaryTypes.String, nil
		case *format.JsonType:
			return types.ExtensionTypes.JSON, nil
		default:
			return arrow.BinaryTypes.Binary, nil
		}
	case parquet.FixedLenByteArray:
		if _, ok := logical.(*format.UUIDType); ok {
			return types.ExtensionTypes.UUID, nil
		}
		return &arrow.FixedSizeBinaryType{ByteWidth: t.Length()}, nil
	default:
		return nil, fmt.Errorf("unsupported Parquet type %s", t)
	}
}

func inferInteger(kind parquet.Kind, logical format.LogicalTypeValue) (arrow.DataType, error) {
	switch lt := logical.(type) {
	case nil:
		if kind == parquet.Int32 {
			return arrow.PrimitiveTypes.Int32, nil
		}
		return arrow.PrimitiveTypes.Int64, nil
	case *format.IntType:
		if dt, ok := intTypes[*lt]; ok {
			return dt, nil
		}
		return nil, fmt.Errorf("unsupported Parquet %s", lt)
	case *format.DateType:
		return arrow.FixedWidthTypes.Date32, nil
	case *format.TimestampType:
		tz := ""
		if lt.IsAdjustedToUTC {
			tz = "UTC"
		}
		return &arrow.TimestampType{Unit: arrowTimeUnit(lt.Unit), TimeZone: tz}, nil
	default:
		return nil, fmt.Errorf("unsupported Parquet logical type %s", lt)
	}
}

// intTypes maps Parquet INT(bitWidth, isSigned) annotations to Arrow types.
var intTypes = map[format.IntType]arrow.DataType{
	{BitWidth: 8, IsSigned: true}:   arrow.PrimitiveTypes.Int8,
	{BitWidth: 16, IsSigned: true}:  arrow.PrimitiveTypes.Int16,
	{BitWidth: 32, IsSigned: true}:  arrow.PrimitiveTypes.Int32,
	{BitWidth: 64, IsSigned: true}:  arrow.PrimitiveTypes.Int64,
	{BitWidth: 8, IsSigned: false}:  arrow.PrimitiveTypes.Uint8,
	{BitWidth: 16, IsSigned: false}: arrow.PrimitiveTypes.Uint16,
	{BitWidth: 32, IsSigned: false}: arrow.PrimitiveTypes.Uint32,
	{BitWidth: 64, IsSigned: false}: arrow.PrimitiveTypes.Uint64,
}
