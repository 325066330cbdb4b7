package crm

import (
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/scalar"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

func TestKindOf(t *testing.T) {
	cases := []struct {
		typ, field string
		want       arrow.DataType
	}{
		{"string", "text", arrow.BinaryTypes.String},
		{"phone_number", "phonenumber", arrow.BinaryTypes.String},
		{"enumeration", "select", arrow.BinaryTypes.String},
		{"enumeration", "radio", arrow.BinaryTypes.String},
		{"enumeration", "checkbox", arrow.ListOf(arrow.BinaryTypes.String)},
		{"number", "number", arrow.PrimitiveTypes.Float64},
		{"bool", "booleancheckbox", arrow.FixedWidthTypes.Boolean},
		{"date", "date", arrow.FixedWidthTypes.Date32},
		{"datetime", "date", arrow.FixedWidthTypes.Timestamp_ms},
		{"object_coordinates", "text", arrow.BinaryTypes.String},
		{"json", "text", arrow.BinaryTypes.String},
	}
	for _, tc := range cases {
		got := kindOf(hubspot.Property{Type: tc.typ, FieldType: tc.field}).arrowType()
		if !arrow.TypeEqual(got, tc.want) {
			t.Errorf("%s/%s: %s, want %s", tc.typ, tc.field, got, tc.want)
		}
	}
}

func TestParse(t *testing.T) {
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		kind    valueKind
		in      string
		want    any
		wantErr bool
	}{
		{kindString, "Jane", "Jane", false},
		{kindStringList, "a;b; c;;", []string{"a", "b", "c"}, false},
		{kindNumber, "12.5", 12.5, false},
		{kindNumber, " -3 ", -3.0, false},
		{kindNumber, "1e3", 1000.0, false},
		{kindNumber, "12,5", nil, true},
		{kindBool, "true", true, false},
		{kindBool, "FALSE", false, false},
		{kindBool, "yes", nil, true},
		{kindDate, "2024-02-29", day, false},
		{kindDate, strconv.FormatInt(day.UnixMilli(), 10), day, false},
		{kindDate, "2024-02-30", nil, true},
		{kindDatetime, "2024-02-29T10:11:12.345Z", time.Date(2024, 2, 29, 10, 11, 12, 345e6, time.UTC), false},
		{kindDatetime, "2024-02-29T10:11:12+02:00", time.Date(2024, 2, 29, 8, 11, 12, 0, time.UTC), false},
		{kindDatetime, "1709201472345", time.UnixMilli(1709201472345).UTC(), false},
		{kindDatetime, "yesterday", nil, true},
		{kindDatetime, "99999999999999999999", nil, true},
	}
	for _, tc := range cases {
		got, err := appendOne(tc.kind, tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("%d %q: error %v, want error %t", tc.kind, tc.in, err, tc.wantErr)
			continue
		}
		if tc.wantErr {
			if got.Len() != 1 || !got.IsNull(0) {
				t.Errorf("%d %q: a value that did not parse appended %v, want one null", tc.kind, tc.in, got)
			}
			continue
		}
		// The reference goes through the SDK's own scalar conversion.
		want := scalar.NewScalar(tc.kind.arrowType())
		if err := want.Set(tc.want); err != nil {
			t.Fatal(err)
		}
		wb := array.NewBuilder(memory.DefaultAllocator, tc.kind.arrowType())
		scalar.AppendToBuilder(wb, want)
		if wantArr := wb.NewArray(); !array.Equal(got, wantArr) {
			t.Errorf("%d %q: %v, want %v", tc.kind, tc.in, got, wantArr)
		}
	}
}

// appendOne builds the column [in] and returns it with the error reported for in.
func appendOne(k valueKind, in string) (arrow.Array, error) {
	var err error
	col := k.column([]string{in}, func(i int, e error) { err = e })
	return col, err
}

// TestColumn checks columns of several values against Arrow's builders: empty values are null,
// bad ones are null and reported by index, the rest parse in place.
func TestColumn(t *testing.T) {
	cases := []struct {
		kind     valueKind
		in       []string
		want     []any // nil for null
		reported []int
	}{
		{kindNumber, []string{"1.5", "", "x", "-2"}, []any{1.5, nil, nil, -2.0}, []int{2}},
		{kindString, []string{"a", "", "c", "é🚀"}, []any{"a", nil, "c", "é🚀"}, nil},
		{kindStringList, []string{"a;b", "", ";", "c"}, []any{[]string{"a", "b"}, nil, []string{}, []string{"c"}}, nil},
		{kindBool, []string{"true", "no", "", "false", "TRUE"}, []any{true, nil, nil, false, true}, []int{1}},
		{kindDate, []string{"2024-02-29", "", "2024-13-01"}, []any{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC), nil, nil}, []int{2}},
		{kindDatetime, []string{"", "2024-02-29T10:11:12.345Z"}, []any{nil, time.Date(2024, 2, 29, 10, 11, 12, 345e6, time.UTC)}, nil},
		{kindNumber, make([]string, 9), make([]any, 9), nil}, // all null, past one byte of bitmap
	}
	for _, tc := range cases {
		var reported []int
		got := tc.kind.column(tc.in, func(i int, err error) { reported = append(reported, i) })
		wb := array.NewBuilder(memory.DefaultAllocator, tc.kind.arrowType())
		for _, w := range tc.want {
			if w == nil {
				wb.AppendNull()
				continue
			}
			sc := scalar.NewScalar(tc.kind.arrowType())
			if err := sc.Set(w); err != nil {
				t.Fatal(err)
			}
			scalar.AppendToBuilder(wb, sc)
		}
		want := wb.NewArray()
		if !array.Equal(got, want) || got.NullN() != want.NullN() || !slices.Equal(reported, tc.reported) {
			t.Errorf("%d %q: %v (%d nulls), reported %v; want %v (%d nulls), reported %v", tc.kind, tc.in, got, got.NullN(), reported, want, want.NullN(), tc.reported)
		}
	}
}

func TestColumnName(t *testing.T) {
	for in, want := range map[string]string{
		"email": "email", "hs_object_id": "hs_object_id", "Custom Field": "custom_field",
		"2nd_score": "_2nd_score", "größe": "gr_e", "": "_",
	} {
		if got := columnName(in); got != want {
			t.Errorf("columnName(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzParse: any input appends one value, null exactly when it is empty or reported, never
// panics; datetimes round-trip.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2024-02-29", "2024-02-29T10:11:12.345Z", "1709201472345", "a;b", "12.5", "true", ""} {
		f.Add(s, int64(1709201472345))
	}
	f.Fuzz(func(t *testing.T, s string, ms int64) {
		for k := kindString; k <= kindDatetime; k++ {
			got, err := appendOne(k, s)
			if got.Len() != 1 || got.IsNull(0) != (err != nil || s == "") {
				t.Fatalf("kind %d %q: error %v, appended %v", k, s, err, got)
			}
		}
		if ms < -62135596800000 || ms > 253402300799999 { // years 1..9999
			return
		}
		ts := time.UnixMilli(ms).UTC()
		for _, in := range []string{ts.Format("2006-01-02T15:04:05.000Z07:00"), strconv.FormatInt(ms, 10)} {
			got, err := appendOne(kindDatetime, in)
			if ms >= 0 && (err != nil || int64(got.(*array.Timestamp).Value(0)) != ms) {
				t.Fatalf("%q: error %v; want %v", in, err, ts)
			}
		}
	})
}

func TestISOForms(t *testing.T) {
	cases := []struct {
		in   string
		ms   int64
		isOK bool
	}{
		{"2024-02-08T00:53:07.845Z", time.Date(2024, 2, 8, 0, 53, 7, 845e6, time.UTC).UnixMilli(), true},
		{"2024-02-08T00:53:07Z", time.Date(2024, 2, 8, 0, 53, 7, 0, time.UTC).UnixMilli(), true},
		{"2024-02-08T00:53:07.8Z", time.Date(2024, 2, 8, 0, 53, 7, 800e6, time.UTC).UnixMilli(), true},
		{"2024-02-08T00:53:07.123456789Z", time.Date(2024, 2, 8, 0, 53, 7, 123e6, time.UTC).UnixMilli(), true},
		{"1969-12-31T23:59:59.999Z", -1, true},
		{"2024-02-30T00:00:00Z", 0, false},
		{"2024-02-08T24:00:00Z", 0, false},
		{"2024-02-08T00:53:07.Z", 0, false},
		{"2024-02-08T00:53:07+02:00", 0, false}, // left to time.Parse
		{"2024-02-08 00:53:07Z", 0, false},
	}
	for _, tc := range cases {
		if ms, ok := isoMillis(tc.in); ok != tc.isOK || ms != tc.ms {
			t.Errorf("isoMillis(%q) = %d, %t; want %d, %t", tc.in, ms, ok, tc.ms, tc.isOK)
		}
	}
	for in, want := range map[string]time.Time{
		"2024-02-29": time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		"1970-01-01": time.Unix(0, 0),
		"1969-12-31": time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
		"2000-03-01": time.Date(2000, 3, 1, 0, 0, 0, 0, time.UTC),
		"0000-02-29": time.Date(0, 2, 29, 0, 0, 0, 0, time.UTC),
		"9999-12-31": time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC),
	} {
		if d, ok := isoDate(in); !ok || d*86400 != want.Unix() {
			t.Errorf("isoDate(%s) = %d, %t; want %d", in, d, ok, want.Unix()/86400)
		}
	}
	// Every day of 1600-2400: both ends of two 400-year eras, before and after the epoch.
	for day := time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC); day.Year() <= 2400; day = day.AddDate(0, 0, 1) {
		if d, ok := isoDate(day.Format(time.DateOnly)); !ok || d*86400 != day.Unix() {
			t.Fatalf("isoDate(%s) = %d, %t", day.Format(time.DateOnly), d, ok)
		}
	}
	for _, in := range []string{"2023-02-29", "1900-02-29", "2024-04-31", "2024-00-10", "2024-1-10", "２０２４-01-01"} {
		if _, ok := isoDate(in); ok {
			t.Errorf("isoDate(%q) accepted", in)
		}
	}
}

// FuzzISOForms: whatever the fast readers accept, time.Parse reads to the same instant.
func FuzzISOForms(f *testing.F) {
	for _, s := range []string{"2024-02-08T00:53:07.845Z", "2024-02-29", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999999Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ms, ok := isoMillis(s); ok {
			ref, err := time.Parse(time.RFC3339Nano, s)
			if err != nil || ref.UnixMilli() != ms {
				t.Fatalf("isoMillis(%q) = %d; time.Parse: %v, %v", s, ms, ref.UnixMilli(), err)
			}
		}
		if d, ok := isoDate(s); ok {
			ref, err := time.Parse(time.DateOnly, s)
			if err != nil || ref.Unix() != d*86400 {
				t.Fatalf("isoDate(%q) = %d days; time.Parse: %v, %v", s, d, ref, err)
			}
		}
	})
}

// FuzzPlainDecimal: whatever the fast reader accepts, strconv.ParseFloat reads to the same bits.
func FuzzPlainDecimal(f *testing.F) {
	for _, s := range []string{"731", "-12.5", "127.26", "0.1", "-0", ".5", "12.", "999999999999999", "0.000000000000001", "1e3", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := plainDecimal(s)
		if !ok {
			return
		}
		want, err := strconv.ParseFloat(s, 64)
		if err != nil || math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("plainDecimal(%q) = %v; ParseFloat: %v, %v", s, got, want, err)
		}
	})
}

func TestPlainDecimal(t *testing.T) {
	for _, s := range []string{"731", "-12.5", "127.26", "0.1", "-0", ".5", "12.", "999999999999999", "0.00000000000001", "3.14159265358979"} {
		if _, ok := plainDecimal(s); !ok {
			t.Errorf("plainDecimal(%q) fell back", s)
		}
	}
	for _, s := range []string{"1e3", "-", ".", "", "1.2.3", "+1", " 1", "1234567890123456", "3.141592653589793", "0x10", "Inf"} {
		if _, ok := plainDecimal(s); ok {
			t.Errorf("plainDecimal(%q) accepted", s)
		}
	}
}
