package reverse

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// Categories of row errors found before anything is sent to HubSpot.
const (
	CategoryInvalidValue  = "INVALID_VALUE"
	CategoryInvalidOption = "INVALID_OPTION"
)

// valueError is a row value that cannot become the property's wire value; the row fails with
// its category and every other row goes on.
type valueError struct {
	category, message string
}

func (e *valueError) Error() string { return e.category + ": " + e.message }

func invalid(format string, args ...any) error {
	return &valueError{category: CategoryInvalidValue, message: fmt.Sprintf(format, args...)}
}

// converter turns the value at row i of a column into HubSpot's wire text; "" means no value.
type converter func(arr arrow.Array, i int) (string, error)

// sourceKind is the shape of an Arrow column's values, before the property's type applies.
type sourceKind int

const (
	srcText sourceKind = iota
	srcBool
	srcNumber
	srcFloat
	srcDate
	srcInstant
	srcList
)

// sourceOf reads Arrow values as one of a few shapes; ok is false for types HubSpot cannot take.
func sourceOf(dt arrow.DataType) (sourceKind, func(arr arrow.Array, i int) any, bool) {
	switch t := dt.(type) {
	case *arrow.StringType, *arrow.LargeStringType:
		return srcText, func(a arrow.Array, i int) any { return a.ValueStr(i) }, true
	case arrow.ExtensionType: // CloudQuery's UUID and JSON columns read as text
		return srcText, func(a arrow.Array, i int) any { return a.ValueStr(i) }, true
	case *arrow.BooleanType:
		return srcBool, func(a arrow.Array, i int) any { return a.(*array.Boolean).Value(i) }, true
	case *arrow.Int8Type, *arrow.Int16Type, *arrow.Int32Type, *arrow.Int64Type,
		*arrow.Uint8Type, *arrow.Uint16Type, *arrow.Uint32Type, *arrow.Uint64Type:
		return srcNumber, func(a arrow.Array, i int) any { return a.ValueStr(i) }, true
	case *arrow.Float32Type:
		return srcFloat, func(a arrow.Array, i int) any { return float64(a.(*array.Float32).Value(i)) }, true
	case *arrow.Float64Type:
		return srcFloat, func(a arrow.Array, i int) any { return a.(*array.Float64).Value(i) }, true
	case *arrow.Decimal128Type:
		return srcNumber, func(a arrow.Array, i int) any { return a.(*array.Decimal128).Value(i).ToString(t.Scale) }, true
	case *arrow.Date32Type:
		return srcDate, func(a arrow.Array, i int) any { return a.(*array.Date32).Value(i).ToTime() }, true
	case *arrow.Date64Type:
		return srcDate, func(a arrow.Array, i int) any { return a.(*array.Date64).Value(i).ToTime() }, true
	case *arrow.TimestampType:
		return srcInstant, func(a arrow.Array, i int) any { return a.(*array.Timestamp).Value(i).ToTime(t.Unit) }, true
	case *arrow.ListType, *arrow.LargeListType:
		elem := t.(arrow.ListLikeType).Elem()
		if k, _, ok := sourceOf(elem); !ok || k == srcList {
			return 0, nil, false
		}
		return srcList, listValues, true
	}
	return 0, nil, false
}

// listValues reads a list cell as the text of its non-null elements.
func listValues(a arrow.Array, i int) any {
	l := a.(array.ListLike)
	start, end := l.ValueOffsets(i)
	values := l.ListValues()
	out := make([]string, 0, end-start)
	for j := int(start); j < int(end); j++ {
		if values.IsValid(j) {
			out = append(out, values.ValueStr(j))
		}
	}
	return out
}

// newConverter checks that a column of type dt can feed property p and returns its converter.
// Float32 values keep their own precision, so 0.1f is written as 0.1, not 0.10000000149011612.
func newConverter(dt arrow.DataType, p hubspot.Property) (converter, error) {
	kind, read, ok := sourceOf(dt)
	if !ok {
		return nil, fmt.Errorf("column type %s cannot be written to HubSpot", dt)
	}
	bits := 64
	if dt.ID() == arrow.FLOAT32 {
		bits = 32
	}
	format, err := formatterFor(kind, bits, p)
	if err != nil {
		return nil, fmt.Errorf("column type %s cannot convert to %s property: %w", dt, describe(p), err)
	}
	return func(arr arrow.Array, i int) (string, error) {
		if arr.IsNull(i) {
			return "", nil
		}
		return format(read(arr, i))
	}, nil
}

func describe(p hubspot.Property) string {
	if p.FieldType == "checkbox" {
		return "multi-select enumeration"
	}
	return p.Type
}

var errIncompatible = errors.New("incompatible types")

// formatterFor picks the conversion from a source shape to the property's wire format.
func formatterFor(kind sourceKind, bits int, p hubspot.Property) (func(any) (string, error), error) {
	text := func(v any) string { return textOf(v, bits) }
	switch p.Type {
	case "string", "phone_number":
		if kind == srcList {
			return func(v any) (string, error) { return strings.Join(v.([]string), ";"), nil }, nil
		}
		return func(v any) (string, error) { return text(v), nil }, nil
	case "number":
		switch kind {
		case srcNumber, srcFloat:
			return func(v any) (string, error) { return numberText(text(v)) }, nil
		case srcText:
			return func(v any) (string, error) { return numberText(strings.TrimSpace(v.(string))) }, nil
		}
	case "bool":
		switch kind {
		case srcBool:
			return func(v any) (string, error) { return strconv.FormatBool(v.(bool)), nil }, nil
		case srcText, srcNumber:
			return func(v any) (string, error) { return boolText(text(v)) }, nil
		}
	case "date":
		switch kind {
		case srcDate, srcInstant:
			return func(v any) (string, error) { return v.(time.Time).UTC().Format(time.DateOnly), nil }, nil
		case srcText:
			return func(v any) (string, error) { return dateText(v.(string)) }, nil
		}
	case "datetime":
		switch kind {
		case srcDate, srcInstant:
			return func(v any) (string, error) { return isoMillis(v.(time.Time)), nil }, nil
		case srcText, srcNumber:
			return func(v any) (string, error) { return datetimeText(text(v)) }, nil
		}
	case "enumeration":
		opts := newOptions(p)
		switch {
		case kind == srcList && p.FieldType == "checkbox":
			return func(v any) (string, error) { return opts.check(v.([]string)) }, nil
		case kind == srcList:
			return nil, errors.New("a list goes only to a multi-select (checkbox) property")
		case kind == srcDate || kind == srcInstant:
			return nil, errIncompatible
		}
		multi := p.FieldType == "checkbox"
		return func(v any) (string, error) {
			s := strings.TrimSpace(text(v))
			if multi {
				return opts.check(strings.Split(s, ";"))
			}
			return opts.check([]string{s})
		}, nil
	default:
		return nil, fmt.Errorf("%s properties are internal to HubSpot", p.Type)
	}
	return nil, errIncompatible
}

// textOf renders a scalar source value as text.
func textOf(v any, bits int) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, bits)
	case time.Time:
		return isoMillis(x)
	}
	return fmt.Sprint(v)
}

// numberText validates decimal text and writes it without an exponent: HubSpot stores numbers
// as the text it receives.
func numberText(s string) (string, error) {
	if s == "" {
		return "", nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", invalid("%q is not a finite number", s)
	}
	if strings.ContainsAny(s, "eE") {
		return strconv.FormatFloat(f, 'f', -1, 64), nil
	}
	return strings.TrimPrefix(s, "+"), nil
}

func boolText(s string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "true", "yes", "y", "1":
		return "true", nil
	case "false", "no", "n", "0":
		return "false", nil
	}
	return "", invalid("%q is not a boolean", s)
}

func dateText(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if t, err := parseInstant(s); err == nil {
		return t.Format(time.DateOnly), nil
	}
	return "", invalid("%q is not a date (YYYY-MM-DD)", s)
}

func datetimeText(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if t, err := parseInstant(s); err == nil {
		return isoMillis(t), nil
	}
	return "", invalid("%q is not a datetime (ISO 8601 or epoch milliseconds)", s)
}

// parseInstant reads RFC 3339, YYYY-MM-DD (midnight UTC) or epoch milliseconds.
func parseInstant(s string) (time.Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, time.DateOnly, "2006-01-02T15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, errIncompatible
}

func isoMillis(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// options are an enumeration's allowed values; a label (case-insensitive) stands for its value.
type options struct {
	property string
	values   map[string]bool
	byLabel  map[string]string
}

func newOptions(p hubspot.Property) *options {
	o := &options{property: p.Name, values: map[string]bool{}, byLabel: map[string]string{}}
	for _, opt := range p.Options {
		o.values[opt.Value] = true
		o.byLabel[strings.ToLower(opt.Label)] = opt.Value
	}
	return o
}

// check returns the values joined by ";", or an INVALID_OPTION error naming the first bad one.
func (o *options) check(in []string) (string, error) {
	out := make([]string, 0, len(in))
	for _, v := range in {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			continue
		case o.values[v]:
		case o.byLabel[strings.ToLower(v)] != "":
			v = o.byLabel[strings.ToLower(v)]
		default:
			return "", &valueError{category: CategoryInvalidOption, message: fmt.Sprintf("%q is not an option of %s", v, o.property)}
		}
		out = append(out, v)
	}
	return strings.Join(out, ";"), nil
}

// sameValue reports whether HubSpot's current value equals the wire value a row would write,
// comparing as the property's type does (numbers numerically, instants as instants,
// multi-select values as sets, emails without case).
func sameValue(p hubspot.Property, current, wire string) bool {
	if current == wire {
		return true
	}
	if current == "" || wire == "" {
		return false
	}
	switch p.Type {
	case "number":
		a, errA := strconv.ParseFloat(current, 64)
		b, errB := strconv.ParseFloat(wire, 64)
		return errA == nil && errB == nil && a == b
	case "bool":
		return strings.EqualFold(current, wire)
	case "date", "datetime":
		a, errA := parseInstant(current)
		b, errB := parseInstant(wire)
		if p.Type == "date" {
			return errA == nil && errB == nil && a.Format(time.DateOnly) == b.Format(time.DateOnly)
		}
		return errA == nil && errB == nil && a.Equal(b)
	case "enumeration":
		if p.FieldType != "checkbox" {
			return false
		}
		return sameSet(strings.Split(current, ";"), strings.Split(wire, ";"))
	}
	return p.Name == "email" && strings.EqualFold(current, wire)
}

func sameSet(a, b []string) bool {
	set := make(map[string]bool, len(a))
	for _, v := range a {
		set[v] = true
	}
	other := make(map[string]bool, len(b))
	for _, v := range b {
		if !set[v] {
			return false
		}
		other[v] = true
	}
	return len(other) == len(set)
}
