package crm

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// valueKind is how a HubSpot property type lands in Arrow. Every HubSpot value travels as a string.
type valueKind int

const (
	kindString valueKind = iota
	kindStringList
	kindNumber
	kindBool
	kindDate
	kindDatetime
)

// kindOf maps a property definition to its column kind (see docs/tables.md for the table).
func kindOf(p hubspot.Property) valueKind {
	switch p.Type {
	case "number":
		return kindNumber
	case "bool":
		return kindBool
	case "date":
		return kindDate
	case "datetime":
		return kindDatetime
	case "enumeration":
		if p.FieldType == "checkbox" {
			return kindStringList
		}
		return kindString
	default: // string, phone_number, object_coordinates, json and types HubSpot may add
		return kindString
	}
}

func (k valueKind) arrowType() arrow.DataType {
	switch k {
	case kindStringList:
		return arrow.ListOf(arrow.BinaryTypes.String)
	case kindNumber:
		return arrow.PrimitiveTypes.Float64
	case kindBool:
		return arrow.FixedWidthTypes.Boolean
	case kindDate:
		return arrow.FixedWidthTypes.Date32
	case kindDatetime:
		return arrow.FixedWidthTypes.Timestamp_ms
	default:
		return arrow.BinaryTypes.String
	}
}

// append parses a non-empty HubSpot value onto its column's builder; on error it appends nothing.
func (k valueKind) append(b array.Builder, s string) error {
	switch k {
	case kindStringList:
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		for _, item := range splitMulti(s) {
			vb.Append(item)
		}
	case kindNumber:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("not a number")
		}
		b.(*array.Float64Builder).Append(f)
	case kindBool:
		v, err := parseBool(s)
		if err != nil {
			return err
		}
		b.(*array.BooleanBuilder).Append(v)
	case kindDate:
		t, err := parseDate(s)
		if err != nil {
			return err
		}
		b.(*array.Date32Builder).Append(arrow.Date32FromTime(t))
	case kindDatetime:
		t, err := parseDatetime(s)
		if err != nil {
			return err
		}
		b.(*array.TimestampBuilder).Append(arrow.Timestamp(t.UnixMilli()))
	default:
		b.(*array.StringBuilder).Append(s)
	}
	return nil
}

// splitMulti splits a multi-select value; HubSpot joins options with ";".
func splitMulti(s string) []string {
	parts := strings.Split(s, ";")
	out := parts[:0]
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, fmt.Errorf("not true or false")
}

// parseDate accepts YYYY-MM-DD, epoch milliseconds at midnight UTC, and a datetime (its UTC day).
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := parseDatetime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("not a date (YYYY-MM-DD or epoch ms)")
	}
	return t.Truncate(24 * time.Hour), nil
}

// parseDatetime accepts ISO 8601 (with or without fraction or zone offset) and epoch milliseconds.
func parseDatetime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if isDigits(s) {
		ms, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("epoch milliseconds out of range")
		}
		return time.UnixMilli(ms).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05.999999999Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO 8601 datetime or epoch ms")
}

func isDigits(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
