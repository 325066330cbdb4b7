// Package arrowtest holds the Arrow helpers that tests of several packages share: building arrays
// from Go values and reading typed columns back.
package arrowtest

import (
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
)

// Append appends v (nil for null) to b: strings (also as *string, nil for null), int64, float32,
// float64, bool, time.Time (for date32 and timestamp builders) and []string (for list<utf8>).
func Append(b array.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.AppendNull()
	case string:
		b.(*array.StringBuilder).Append(x)
	case *string:
		if x == nil {
			b.AppendNull()
		} else {
			b.(*array.StringBuilder).Append(*x)
		}
	case int64:
		b.(*array.Int64Builder).Append(x)
	case float32:
		b.(*array.Float32Builder).Append(x)
	case float64:
		b.(*array.Float64Builder).Append(x)
	case bool:
		b.(*array.BooleanBuilder).Append(x)
	case time.Time:
		switch bb := b.(type) {
		case *array.Date32Builder:
			bb.Append(arrow.Date32FromTime(x))
		case *array.TimestampBuilder:
			bb.AppendTime(x)
		default:
			panic(fmt.Sprintf("arrowtest: time.Time into %T", b))
		}
	case []string:
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		for _, s := range x {
			lb.ValueBuilder().(*array.StringBuilder).Append(s)
		}
	default:
		panic(fmt.Sprintf("arrowtest: unsupported value %T", v))
	}
}

// One builds a one-row array of type dt holding v.
func One(dt arrow.DataType, v any) arrow.Array {
	b := array.NewBuilder(memory.DefaultAllocator, dt)
	defer b.Release()
	Append(b, v)
	return b.NewArray()
}

// Column returns the column called name of rec as T, failing the test when it is missing or of
// another type.
func Column[T arrow.Array](t testing.TB, rec arrow.Record, name string) T {
	t.Helper()
	idx := rec.Schema().FieldIndices(name)
	if len(idx) != 1 {
		t.Fatalf("no column %q in %v", name, rec.Schema())
	}
	c, ok := rec.Column(idx[0]).(T)
	if !ok {
		t.Fatalf("column %q is %T", name, rec.Column(idx[0]))
	}
	return c
}
