package crm

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/bitutil"
	"github.com/apache/arrow/go/v17/arrow/memory"

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

// kindOf maps a property definition to its column kind (see docs/types.md for the table).
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

// column builds the Arrow array of one property column of a page, a value per record: "" (HubSpot's
// null, cleared or missing value) is null, and so is a value that does not parse, after telling bad
// which one it was. Arrays are laid out directly in their buffers, which costs a fraction of
// appending value by value through Arrow's builders.
func (k valueKind) column(vals []string, bad func(i int, err error)) arrow.Array {
	switch k {
	case kindStringList:
		return listColumn(vals)
	case kindNumber:
		return fixedColumn(k.arrowType(), vals, parseNumber, bad)
	case kindBool:
		return boolColumn(vals, bad)
	case kindDate:
		return fixedColumn(k.arrowType(), vals, parseDate, bad)
	case kindDatetime:
		return fixedColumn(k.arrowType(), vals, parseTimestamp, bad)
	default:
		return textColumn(vals)
	}
}

// validity is an Arrow validity bitmap being filled; the zero value stands for no nulls.
type validity struct {
	bits  []byte
	nulls int
}

func newValidity(n int) validity {
	return validity{bits: make([]byte, bitutil.BytesForBits(int64(n)))}
}

func (v *validity) set(i int, valid bool) {
	if valid {
		bitutil.SetBit(v.bits, i)
	} else {
		v.nulls++
	}
}

// newArray wraps finished buffers (validity first) as an array of n values.
func newArray(dt arrow.DataType, n int, valid validity, children []arrow.ArrayData, buffers ...[]byte) arrow.Array {
	bufs := make([]*memory.Buffer, 1, 1+len(buffers))
	if valid.bits != nil {
		bufs[0] = memory.NewBufferBytes(valid.bits)
	}
	for _, b := range buffers {
		bufs = append(bufs, memory.NewBufferBytes(b))
	}
	data := array.NewData(dt, n, bufs, children, valid.nulls, 0)
	defer data.Release()
	return array.MakeFromData(data)
}

// textColumn is a string array of vals, "" as null.
func textColumn(vals []string) arrow.Array {
	size := 0
	for _, v := range vals {
		size += len(v)
	}
	// A strings.Builder allocates without zeroing memory that is about to be overwritten.
	var data strings.Builder
	data.Grow(size)
	offsets, valid := make([]int32, len(vals)+1), newValidity(len(vals))
	for i, v := range vals {
		data.WriteString(v)
		offsets[i+1] = int32(data.Len())
		valid.set(i, v != "")
	}
	text := data.String()
	// Arrow never writes to the buffers of a finished array, so they may share the string's bytes.
	return newArray(kindString.arrowType(), len(vals), valid, nil, arrow.GetBytes(offsets), unsafe.Slice(unsafe.StringData(text), len(text)))
}

// listColumn is a list<string> array of multi-select values; HubSpot joins options with ";".
func listColumn(vals []string) arrow.Array {
	n := 0
	for _, v := range vals {
		n += strings.Count(v, ";") + 1
	}
	items, offsets, valid := make([]string, 0, n), make([]int32, len(vals)+1), newValidity(len(vals))
	for i, v := range vals {
		valid.set(i, v != "")
		for v != "" {
			var item string
			item, v, _ = strings.Cut(v, ";")
			if item = strings.TrimSpace(item); item != "" {
				items = append(items, item)
			}
		}
		offsets[i+1] = int32(len(items))
	}
	itemArray := textColumn(items)
	defer itemArray.Release()
	return newArray(kindStringList.arrowType(), len(vals), valid, []arrow.ArrayData{itemArray.Data()}, arrow.GetBytes(offsets))
}

// fixedColumn is an array of fixed-width values parsed from vals.
func fixedColumn[T arrow.FixedWidthType](dt arrow.DataType, vals []string, parse func(string) (T, error), bad func(i int, err error)) arrow.Array {
	values, valid := parseColumn(vals, parse, bad)
	return fixedArray(dt, values, valid)
}

func fixedArray[T arrow.FixedWidthType](dt arrow.DataType, values []T, valid validity) arrow.Array {
	return newArray(dt, len(values), valid, nil, arrow.GetBytes(values))
}

// boolColumn is a boolean array parsed from vals.
func boolColumn(vals []string, bad func(i int, err error)) arrow.Array {
	values, valid := parseColumn(vals, parseBool, bad)
	return boolArray(values, valid)
}

// boolArray packs values as bits, Arrow's layout for booleans.
func boolArray(values []bool, valid validity) arrow.Array {
	bits := make([]byte, bitutil.BytesForBits(int64(len(values))))
	for i, b := range values {
		if b {
			bitutil.SetBit(bits, i)
		}
	}
	return newArray(kindBool.arrowType(), len(values), valid, nil, bits)
}

// parseColumn parses the non-empty vals.
func parseColumn[T any](vals []string, parse func(string) (T, error), bad func(i int, err error)) ([]T, validity) {
	values, valid := make([]T, len(vals)), newValidity(len(vals))
	for i, v := range vals {
		ok := false
		if v != "" {
			x, err := parse(v)
			if ok = err == nil; ok {
				values[i] = x
			} else {
				bad(i, err)
			}
		}
		valid.set(i, ok)
	}
	return values, valid
}

func parseNumber(s string) (float64, error) {
	if f, ok := plainDecimal(s); ok {
		return f, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, fmt.Errorf("not a number")
	}
	return f, nil
}

// pow10 holds the powers of ten a float64 represents exactly.
var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// plainDecimal reads a number as HubSpot writes them ("731", "-12.5") several times faster than
// strconv.ParseFloat, leaving other forms to it. With at most 15 digits, the digits as an integer
// and the power of ten are both exact float64s, so their quotient is the correctly rounded value
// ParseFloat returns.
func plainDecimal(s string) (float64, bool) {
	i, neg := 0, false
	if s != "" && s[0] == '-' {
		i, neg = 1, true
	}
	var digits uint64
	n, scale := 0, -1 // digits read; digits after the point, -1 before it
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = digits*10 + uint64(c-'0')
			n++
			if scale >= 0 {
				scale++
			}
		case c == '.' && scale < 0:
			scale = 0
		default:
			return 0, false
		}
	}
	if n == 0 || n > 15 {
		return 0, false
	}
	f := float64(digits) / pow10[max(scale, 0)]
	if neg {
		f = -f
	}
	return f, true
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
func parseDate(s string) (arrow.Date32, error) {
	if days, ok := isoDate(s); ok {
		return arrow.Date32(days), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return arrow.Date32FromTime(t), nil
	}
	t, err := parseDatetime(s)
	if err != nil {
		return 0, fmt.Errorf("not a date (YYYY-MM-DD or epoch ms)")
	}
	return arrow.Date32FromTime(t), nil
}

func parseTimestamp(s string) (arrow.Timestamp, error) {
	if ms, ok := isoMillis(s); ok {
		return arrow.Timestamp(ms), nil
	}
	t, err := parseDatetime(s)
	return arrow.Timestamp(t.UnixMilli()), err
}

// isoDate reads a date in the one form HubSpot writes, YYYY-MM-DD, as days since 1970-01-01,
// several times faster than time.Parse; other forms are left to the general parsers.
func isoDate(s string) (int64, bool) {
	if len(s) != len("2006-01-02") || s[4] != '-' || s[7] != '-' {
		return 0, false
	}
	y, okY := number(s[0:4])
	m, okM := number(s[5:7])
	d, okD := number(s[8:10])
	if !okY || !okM || !okD || m < 1 || m > 12 || d < 1 || d > daysIn(m, y) {
		return 0, false
	}
	// Days from the civil date (H. Hinnant's algorithm): years start in March, so that the leap
	// day ends them; eras are the 400-year cycles of the Gregorian calendar.
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yearOfEra := y - era*400
	dayOfYear := (153*((m+9)%12)+2)/5 + d - 1
	dayOfEra := yearOfEra*365 + yearOfEra/4 - yearOfEra/100 + dayOfYear
	return int64(era*146097+dayOfEra) - 719468, true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// isoMillis reads a datetime in the form HubSpot writes, 2006-01-02T15:04:05.000Z (fraction of
// any length or none, always UTC), as epoch milliseconds; other forms are left to time.Parse.
func isoMillis(s string) (int64, bool) {
	if len(s) < len("2006-01-02T15:04:05Z") || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[len(s)-1] != 'Z' {
		return 0, false
	}
	day, ok := isoDate(s[:10])
	h, okH := number(s[11:13])
	m, okM := number(s[14:16])
	sec, okS := number(s[17:19])
	if !ok || !okH || !okM || !okS || h > 23 || m > 59 || sec > 59 {
		return 0, false
	}
	ms := 0
	if frac := s[19 : len(s)-1]; frac != "" {
		digits := frac[1:]
		if _, ok := number(digits); frac[0] != '.' || !ok {
			return 0, false
		}
		for i := range 3 { // the first three digits are the milliseconds
			ms *= 10
			if i < len(digits) {
				ms += int(digits[i] - '0')
			}
		}
	}
	return day*86_400_000 + int64(((h*60+m)*60+sec)*1000+ms), true
}

// number reads a non-empty run of ASCII digits (at most 9, so it cannot overflow).
func number(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
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
