package reverse

import (
	"errors"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

var (
	textProp     = hubspot.Property{Name: "city", Type: "string"}
	numberProp   = hubspot.Property{Name: "amount", Type: "number"}
	boolProp     = hubspot.Property{Name: "is_public", Type: "bool"}
	dateProp     = hubspot.Property{Name: "birthday", Type: "date"}
	datetimeProp = hubspot.Property{Name: "closedate", Type: "datetime"}
	selectProp   = hubspot.Property{Name: "tier", Type: "enumeration", FieldType: "select",
		Options: []hubspot.PropertyOption{{Label: "Gold", Value: "gold"}, {Label: "Silver", Value: "silver"}}}
	checkboxProp = hubspot.Property{Name: "tags", Type: "enumeration", FieldType: "checkbox",
		Options: []hubspot.PropertyOption{{Label: "Alpha", Value: "a"}, {Label: "Beta", Value: "b"}}}
)

func TestConvert(t *testing.T) {
	ts := arrow.FixedWidthTypes.Timestamp_ms
	when := time.Date(2024, 2, 29, 13, 14, 15, 678_000_000, time.UTC)
	cases := []struct {
		name    string
		dt      arrow.DataType
		prop    hubspot.Property
		value   any
		want    string
		wantCat string // row error category, "" for none
	}{
		{"null is no value", arrow.BinaryTypes.String, textProp, nil, "", ""},
		{"text", arrow.BinaryTypes.String, textProp, "Oslo", "Oslo", ""},
		{"int to number", arrow.PrimitiveTypes.Int64, numberProp, int64(42), "42", ""},
		{"float without exponent", arrow.PrimitiveTypes.Float64, numberProp, 12345678901234.5, "12345678901234.5", ""},
		{"tiny float without exponent", arrow.PrimitiveTypes.Float64, numberProp, 0.000001, "0.000001", ""},
		{"float32 without noise", arrow.PrimitiveTypes.Float32, numberProp, float32(0.1), "0.1", ""},
		{"number text with exponent", arrow.BinaryTypes.String, numberProp, "1.5e3", "1500", ""},
		{"number text kept", arrow.BinaryTypes.String, numberProp, "+10.50", "10.50", ""},
		{"bad number text", arrow.BinaryTypes.String, numberProp, "ten", "", CategoryInvalidValue},
		{"bool", arrow.FixedWidthTypes.Boolean, boolProp, true, "true", ""},
		{"bool text", arrow.BinaryTypes.String, boolProp, "Yes", "true", ""},
		{"bad bool", arrow.BinaryTypes.String, boolProp, "maybe", "", CategoryInvalidValue},
		{"date32 to date", arrow.FixedWidthTypes.Date32, dateProp, when, "2024-02-29", ""},
		{"timestamp to date", ts, dateProp, when, "2024-02-29", ""},
		{"text to date", arrow.BinaryTypes.String, dateProp, "2024-02-29T23:00:00Z", "2024-02-29", ""},
		{"timestamp to datetime", ts, datetimeProp, when, "2024-02-29T13:14:15.678Z", ""},
		{"date to datetime at midnight", arrow.FixedWidthTypes.Date32, datetimeProp, when, "2024-02-29T00:00:00.000Z", ""},
		{"epoch ms to datetime", arrow.PrimitiveTypes.Int64, datetimeProp, int64(1709212455678), "2024-02-29T13:14:15.678Z", ""},
		{"bad datetime", arrow.BinaryTypes.String, datetimeProp, "last tuesday", "", CategoryInvalidValue},
		{"option value", arrow.BinaryTypes.String, selectProp, "gold", "gold", ""},
		{"option label", arrow.BinaryTypes.String, selectProp, "SILVER", "silver", ""},
		{"invalid option", arrow.BinaryTypes.String, selectProp, "bronze", "", CategoryInvalidOption},
		{"list to multi-select", arrow.ListOf(arrow.BinaryTypes.String), checkboxProp, []string{"a", "Beta"}, "a;b", ""},
		{"text to multi-select", arrow.BinaryTypes.String, checkboxProp, "b; a", "b;a", ""},
		{"invalid multi-select option", arrow.ListOf(arrow.BinaryTypes.String), checkboxProp, []string{"a", "z"}, "", CategoryInvalidOption},
		{"list to text joined", arrow.ListOf(arrow.BinaryTypes.String), textProp, []string{"x", "y"}, "x;y", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			conv, err := newConverter(tc.dt, tc.prop)
			if err != nil {
				t.Fatal(err)
			}
			arr := arrowtest.One(tc.dt, tc.value)
			defer arr.Release()
			got, err := conv(arr, 0)
			var ve *valueError
			switch {
			case tc.wantCat != "":
				if !errors.As(err, &ve) || ve.category != tc.wantCat {
					t.Fatalf("error %v, want category %s", err, tc.wantCat)
				}
			case err != nil:
				t.Fatal(err)
			case got != tc.want:
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestConverterRefusesTypesThatCannotConvert(t *testing.T) {
	cases := []struct {
		name string
		dt   arrow.DataType
		prop hubspot.Property
	}{
		{"bool to date", arrow.FixedWidthTypes.Boolean, dateProp},
		{"timestamp to number", arrow.FixedWidthTypes.Timestamp_ms, numberProp},
		{"list to single select", arrow.ListOf(arrow.BinaryTypes.String), selectProp},
		{"binary", arrow.BinaryTypes.Binary, textProp},
		{"struct", arrow.StructOf(arrow.Field{Name: "a", Type: arrow.BinaryTypes.String}), textProp},
		{"internal json property", arrow.BinaryTypes.String, hubspot.Property{Name: "x", Type: "json"}},
	}
	for _, tc := range cases {
		if _, err := newConverter(tc.dt, tc.prop); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
}

func TestSameValue(t *testing.T) {
	cases := []struct {
		prop          hubspot.Property
		current, wire string
		same          bool
	}{
		{numberProp, "10.50", "10.5", true},
		{numberProp, "10", "11", false},
		{boolProp, "TRUE", "true", true},
		{dateProp, "1709164800000", "2024-02-29", true},
		{datetimeProp, "2024-02-29T13:14:15Z", "2024-02-29T13:14:15.000Z", true},
		{datetimeProp, "2024-02-29T13:14:15.001Z", "2024-02-29T13:14:15.000Z", false},
		{checkboxProp, "b;a", "a;b", true},
		{checkboxProp, "a", "a;b", false},
		{selectProp, "gold", "silver", false},
		{hubspot.Property{Name: "email", Type: "string"}, "A@x.io", "a@x.io", true},
		{textProp, "Oslo", "oslo", false},
		{textProp, "", "Oslo", false},
	}
	for _, tc := range cases {
		if got := sameValue(tc.prop, tc.current, tc.wire); got != tc.same {
			t.Errorf("%s: sameValue(%q, %q) = %v", tc.prop.Name, tc.current, tc.wire, got)
		}
	}
}
