package crm

import (
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
		b := array.NewBuilder(memory.DefaultAllocator, tc.kind.arrowType())
		err := tc.kind.append(b, tc.in)
		got := b.NewArray()
		if (err != nil) != tc.wantErr {
			t.Errorf("%d %q: error %v, want error %t", tc.kind, tc.in, err, tc.wantErr)
			continue
		}
		if tc.wantErr {
			if got.Len() != 0 {
				t.Errorf("%d %q: a value that did not parse appended %v", tc.kind, tc.in, got)
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

// FuzzParse: any input either parses or is reported, never panics; datetimes round-trip.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2024-02-29", "2024-02-29T10:11:12.345Z", "1709201472345", "a;b", "12.5", "true", ""} {
		f.Add(s, int64(1709201472345))
	}
	f.Fuzz(func(t *testing.T, s string, ms int64) {
		for k := kindString; k <= kindDatetime; k++ {
			b := array.NewBuilder(memory.DefaultAllocator, k.arrowType())
			if err := k.append(b, s); (err == nil) != (b.Len() == 1) {
				t.Fatalf("kind %d %q: error %v with %d values appended", k, s, err, b.Len())
			}
		}
		if ms < -62135596800000 || ms > 253402300799999 { // years 1..9999
			return
		}
		ts := time.UnixMilli(ms).UTC()
		for _, in := range []string{ts.Format("2006-01-02T15:04:05.000Z07:00"), strconv.FormatInt(ms, 10)} {
			b := array.NewTimestampBuilder(memory.DefaultAllocator, arrow.FixedWidthTypes.Timestamp_ms.(*arrow.TimestampType))
			err := kindDatetime.append(b, in)
			if ms >= 0 && (err != nil || int64(b.NewTimestampArray().Value(0)) != ms) {
				t.Fatalf("%q: error %v; want %v", in, err, ts)
			}
		}
	})
}
