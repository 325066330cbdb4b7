package pagejson

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
)

func (r *List) decode(body []byte, l *Layout) error {
	return decodePage[List](body, l, listFields, r.field)
}

// field reads a list page's field name.
func (r *List) field(d *decoder, name string) error {
	if name == "results" {
		return d.objects(&r.Results)
	}
	return d.paging(&r.Paging)
}

func (r *Search) decode(body []byte, l *Layout) error {
	return decodePage[Search](body, l, searchFields, func(d *decoder, name string) error {
		if name == "total" {
			return d.int(&r.Total)
		}
		return r.List.field(d, name) // the rest of a search page is a list page
	})
}

func (r *Batch[E]) decode(body []byte, l *Layout) error {
	return decodePage[Batch[E]](body, l, batchFields, func(d *decoder, name string) error {
		switch name {
		case "results":
			return decodeArray(d, &r.Results, func(b *BatchObject) error { return d.record(&b.Object, &b.New) })
		case "numErrors":
			return d.int(&r.NumErrors)
		default: // errors
			raw, err := d.raw()
			if err != nil {
				return err
			}
			return json.Unmarshal(raw, &r.Errors)
		}
	})
}

var (
	listFields   = []string{"results", "paging"}
	searchFields = []string{"total", "results", "paging"}
	batchFields  = []string{"results", "numErrors", "errors"}
	recordFields = []string{"id", "properties", "createdAt", "updatedAt", "archived", "archivedAt", "associations", "new"}
	pagingFields = []string{"next"}
	nextFields   = []string{"after"}
	assocFields  = []string{"results"}
	refFields    = []string{"id", "type"}
)

// decodePage reads body's top-level object, a T, calling field for each of names. A body it
// rejects is decoded again into a T by encoding/json to report encoding/json's error for the
// same bytes, which keeps error messages, and the API client's retry classification, as they
// would be without this decoder.
func decodePage[T any](body []byte, l *Layout, names []string, field func(d *decoder, name string) error) error {
	d := newDecoder(body, l)
	err := d.document(names, func(name string) error { return field(d, name) })
	if err == nil {
		return nil
	}
	var std T
	if stdErr := json.Unmarshal(body, &std); stdErr != nil {
		return stdErr
	}
	return err
}

// maxDepth is encoding/json's nesting limit for arrays and objects.
const maxDepth = 10000

// decoder reads one body. Every reader starts at its value's first byte (whitespace skipped) and
// stops right after the value.
type decoder struct {
	data  []byte // the body, for time.Time's parser
	s     string // the body as a string: escape-free values are substrings of it
	i     int    // read offset
	depth int    // open arrays and objects
	buf   []byte // scratch space for unescaping

	layout    *Layout        // set when properties are read by position
	order     []orderedName  // property names in the order records list them, each once
	positions map[string]int // each name's index in order
	next      int            // where in order the current record's next name is looked for
	lastProps int            // property count of the latest record, to size the next map
	values    values         // storage for property values
}

// keyLookahead is how many names of the learned order a key is compared with before it is read
// and looked up: records leave out the properties they have no value for, a few in a row at most
// when values are mostly set.
const keyLookahead = 8

// orderedName is a property name as records list it.
type orderedName struct {
	name string
	key  string // the name's `"name":` in the body, "" when escapes or whitespace make it differ
	slot int    // position in the layout, -1 outside it (or without one)
}

func newDecoder(body []byte, l *Layout) *decoder {
	// The body is never written after it was read, so the decoder's string can share its bytes.
	return &decoder{data: body, s: unsafe.String(unsafe.SliceData(body), len(body)), layout: l, positions: make(map[string]int)}
}

// decodeError describes where and why the decoder rejected a body.
type decodeError struct {
	Offset int
	Msg    string
}

func (e *decodeError) Error() string {
	return fmt.Sprintf("decode: %s at offset %d", e.Msg, e.Offset)
}

func (d *decoder) fail(msg string) error {
	if d.i >= len(d.s) {
		msg = "unexpected end of JSON input"
	}
	return &decodeError{Offset: d.i, Msg: msg}
}

// document reads the whole body: a top-level object (or null) and nothing after it.
func (d *decoder) document(names []string, field func(name string) error) error {
	d.ws()
	if null, err := d.null(); err != nil {
		return err
	} else if !null {
		if err := d.fields(names, field); err != nil {
			return err
		}
	}
	d.ws()
	if d.i < len(d.s) {
		return d.fail(fmt.Sprintf("invalid character %q after top-level value", d.s[d.i]))
	}
	return nil
}

// objects reads a list of records.
func (d *decoder) objects(s *[]Object) error {
	return decodeArray(d, s, func(o *Object) error { return d.record(o, nil) })
}

// record reads one record the way (*Object).UnmarshalJSON does; isNew, when not nil, receives
// upsert's `new` flag as (*BatchObject).UnmarshalJSON does.
func (d *decoder) record(o *Object, isNew *bool) error {
	*o = Object{}
	if isNew != nil {
		*isNew = false
	}
	if d.layout != nil {
		o.Values = d.values.take(len(d.layout.names))
	}
	if null, err := d.null(); null {
		return err
	}
	var assoc map[string][]AssociationRef
	err := d.fields(recordFields, func(name string) error {
		switch name {
		case "id":
			id, err := d.flexString()
			o.ID = id
			return err
		case "properties":
			if d.layout != nil {
				return d.positional(o.Values)
			}
			return d.properties(&o.Properties)
		case "createdAt":
			return d.time(&o.CreatedAt)
		case "updatedAt":
			return d.time(&o.UpdatedAt)
		case "archived":
			return d.bool(&o.Archived)
		case "archivedAt":
			if null, err := d.null(); null {
				o.ArchivedAt = nil
				return err
			}
			return d.time(alloc(&o.ArchivedAt))
		case "associations":
			return d.associations(&assoc)
		default: // new
			if isNew == nil {
				return d.skip()
			}
			return d.bool(isNew)
		}
	})
	if err != nil {
		return err
	}
	if len(assoc) > 0 {
		for k, refs := range assoc {
			if refs == nil {
				assoc[k] = []AssociationRef{}
			}
		}
		o.Associations = assoc
	}
	return nil
}

// properties reads a properties object into *m, merging into an existing map as encoding/json
// does when the key repeats. JSON null values become nil pointers.
func (d *decoder) properties(m *map[string]*string) error {
	if null, err := d.null(); null {
		*m = nil
		return err
	}
	if *m == nil {
		*m = make(map[string]*string, d.lastProps)
	}
	props := *m
	err := d.eachProperty(func(name string, _ int, v string, null bool) {
		if null {
			props[name] = nil
		} else {
			value := &d.values.take(1)[0]
			*value = v
			props[name] = value
		}
	})
	d.lastProps = len(props)
	return err
}

// positional reads a properties object into v by layout position: null, "" and absent all
// leave "", properties outside the layout are dropped, and a repeated key's last value wins.
func (d *decoder) positional(v []string) error {
	if null, err := d.null(); null {
		clear(v)
		return err
	}
	return d.eachProperty(func(_ string, slot int, value string, _ bool) {
		if slot >= 0 {
			v[slot] = value
		}
	})
}

// eachProperty reads the members of a properties object, calling set with each one's name, its
// layout slot, and its value or null.
func (d *decoder) eachProperty(set func(name string, slot int, v string, null bool)) error {
	more, err := d.enter('{', '}')
	for k := 0; more && err == nil; k++ {
		var name string
		var slot int
		if name, slot, err = d.key(k); err != nil {
			return err
		}
		switch d.peek() {
		case '"':
			var start, end int
			var plain bool
			if start, end, plain, err = d.scanString(); err != nil {
				return err
			}
			if plain {
				set(name, slot, d.s[start:end], false)
			} else {
				set(name, slot, d.values.unescaped(d.s[start:end]), false)
			}
		case 'n':
			if strings.HasPrefix(d.s[d.i:], "null") {
				d.i += len("null")
			} else if err = d.literal("null"); err != nil {
				return err
			}
			set(name, slot, "", true)
		default:
			return d.fail("property value is not a string")
		}
		if d.i < len(d.s) && d.s[d.i] == ',' && d.i+1 < len(d.s) && d.s[d.i+1] == '"' {
			d.i++
			continue
		}
		more, err = d.more('}')
	}
	return err
}

// key reads the k-th property name of a properties object and the colon after it, and returns
// the name with its layout slot. Records list their properties in one order, each record the
// names it has values for, so the text is first compared with the next few `"name":` of the
// order learned from the records before it. Otherwise the name is read and looked up: a name
// already in the order moves the comparison on past it; a new one is interned, given its slot
// and added to the order at its place.
func (d *decoder) key(k int) (string, int, error) {
	if k == 0 {
		d.next = 0
	}
	for j := d.next; j < min(d.next+keyLookahead, len(d.order)); j++ {
		if o := &d.order[j]; o.key != "" && strings.HasPrefix(d.s[d.i:], o.key) {
			d.i += len(o.key)
			d.next = j + 1
			return o.name, o.slot, nil
		}
	}
	start, end, plain, err := d.scanString()
	if err != nil {
		return "", -1, err
	}
	if err := d.colon(); err != nil {
		return "", -1, err
	}
	var n string
	if plain {
		n = d.s[start:end]
	} else {
		d.buf = unescape(d.buf[:0], d.s[start:end])
		n = string(d.buf)
	}
	if j, ok := d.positions[n]; ok {
		d.next = j + 1
		return d.order[j].name, d.order[j].slot, nil
	}
	o := orderedName{name: n, slot: -1}
	if d.layout != nil {
		o.slot = d.layout.slot(n)
	}
	if plain && d.s[end+1] == ':' { // only escape-free names written tight can be compared as text
		o.key = d.s[start-1 : end+2]
	}
	if d.next < len(d.order) { // names after the new one move up
		for name, j := range d.positions {
			if j >= d.next {
				d.positions[name] = j + 1
			}
		}
	}
	d.order = slices.Insert(d.order, d.next, o)
	d.positions[n] = d.next
	d.next++
	return n, o.slot, nil
}

// values stores property values with no allocation of their own: value strings live in blocks
// of strings handed out in runs, and unescaped text in blocks of bytes. A block is only ever
// appended to, never rewritten or grown in place, so what was handed out stays valid; a full block
// is left to the values that use it.
type values struct {
	strs []string // the unused rest of the current block of strings
	text []byte   // the current block of unescaped text; its length is what was handed out
	last int      // size of the latest run, to size the next block
}

// take returns n empty strings.
func (vs *values) take(n int) []string {
	if len(vs.strs) < n {
		vs.strs = make([]string, max(n, 32*vs.last, 64))
	}
	vs.last = n
	run := vs.strs[:n:n]
	vs.strs = vs.strs[n:]
	return run
}

// unescaped returns the string content s, checked by scanString, unescaped. Escapes only shrink
// text, so s's length is reserved; should invalid UTF-8 bytes (each a 3-byte U+FFFD) overflow the
// block, append moves the text on to a larger one and the strings handed out keep the old.
func (vs *values) unescaped(s string) string {
	if cap(vs.text)-len(vs.text) < len(s) {
		vs.text = make([]byte, 0, max(len(s), 32<<10))
	}
	from := len(vs.text)
	vs.text = unescape(vs.text, s)
	if len(vs.text) == from {
		return ""
	}
	return unsafe.String(&vs.text[from], len(vs.text)-from)
}

// associations reads a record's associations into *m the way encoding/json fills
// map[string]struct{Results []struct{ID flexString; Type string}}.
func (d *decoder) associations(m *map[string][]AssociationRef) error {
	if null, err := d.null(); null {
		*m = nil
		return err
	}
	if *m == nil {
		*m = make(map[string][]AssociationRef)
	}
	return d.each('{', func() error {
		key, err := d.memberKey()
		if err != nil {
			return err
		}
		var refs []AssociationRef
		if null, err := d.null(); null {
			(*m)[key] = refs
			return err
		}
		err = d.fields(assocFields, func(string) error { return decodeArray(d, &refs, d.ref) })
		(*m)[key] = refs
		return err
	})
}

// ref reads one associated record into r, keeping fields the JSON leaves out or sets to null.
func (d *decoder) ref(r *AssociationRef) error {
	if null, err := d.null(); null {
		return err
	}
	return d.fields(refFields, func(name string) error {
		if name == "id" {
			id, err := d.flexString()
			r.ID = id
			return err
		}
		if null, err := d.null(); null {
			return err
		}
		if d.peek() != '"' {
			return d.fail("association type is not a string")
		}
		t, err := d.string()
		r.Type = t
		return err
	})
}

// paging reads HubSpot's paging block into *p, reusing existing values as encoding/json does.
func (d *decoder) paging(p **Paging) error {
	if null, err := d.null(); null {
		*p = nil
		return err
	}
	pg := alloc(p)
	return d.fields(pagingFields, func(string) error {
		if null, err := d.null(); null {
			pg.Next = nil
			return err
		}
		next := alloc(&pg.Next)
		return d.fields(nextFields, func(string) error {
			after, err := d.flexString()
			next.After = FlexString(after)
			return err
		})
	})
}

// alloc returns *p, allocating it first when nil, as encoding/json does for pointer fields.
func alloc[T any](p **T) *T {
	if *p == nil {
		*p = new(T)
	}
	return *p
}

// decodeArray reads a JSON array into *s the way encoding/json does: elements are decoded over
// the existing ones, the slice is cut to the array's length, [] gives an empty non-nil slice and
// null gives nil.
func decodeArray[T any](d *decoder, s *[]T, elem func(*T) error) error {
	if null, err := d.null(); null {
		*s = nil
		return err
	}
	v, n := *s, 0
	err := d.each('[', func() error {
		if n >= len(v) {
			if n < cap(v) {
				v = v[:n+1]
			} else {
				var zero T
				v = append(v, zero)
			}
		}
		n++
		return elem(&v[n-1])
	})
	if n == 0 {
		v = []T{}
	}
	*s = v[:n]
	return err
}

// fields reads an object with struct semantics: keys match names exactly or, failing that, case
// insensitively, and field is called with the matched name; other members are skipped.
func (d *decoder) fields(names []string, field func(name string) error) error {
	return d.each('{', func() error {
		key, err := d.memberKey()
		if err != nil {
			return err
		}
		if name := fieldName(key, names); name != "" {
			return field(name)
		}
		return d.skip()
	})
}

// fieldName returns the name key selects, matching as encoding/json does, or "".
func fieldName(key string, names []string) string {
	for _, n := range names {
		if key == n {
			return n
		}
	}
	for _, n := range names {
		if strings.EqualFold(key, n) {
			return n
		}
	}
	return ""
}

// each reads an array (open '[') or object (open '{'), calling member at each member's start.
func (d *decoder) each(open byte, member func() error) error {
	closing := byte(']')
	if open == '{' {
		closing = '}'
	}
	more, err := d.enter(open, closing)
	for more && err == nil {
		if err = member(); err == nil {
			more, err = d.more(closing)
		}
	}
	return err
}

// enter reads the opening bracket of an array or object and reports whether a member follows.
func (d *decoder) enter(open, closing byte) (bool, error) {
	if d.peek() != open {
		return false, d.fail(fmt.Sprintf("expected %q", open))
	}
	if d.depth++; d.depth > maxDepth {
		return false, d.fail("exceeded max depth")
	}
	d.i++
	d.ws()
	if d.peek() == closing {
		d.i++
		d.depth--
		return false, nil
	}
	return true, nil
}

// more reads what follows a member: ',' before another member (true) or the closing bracket.
func (d *decoder) more(closing byte) (bool, error) {
	d.ws()
	switch d.peek() {
	case ',':
		d.i++
		d.ws()
		return true, nil
	case closing:
		d.i++
		d.depth--
		return false, nil
	}
	return false, d.fail(fmt.Sprintf("expected ',' or %q", closing))
}

// skip reads over any value, checking its syntax, without allocating.
func (d *decoder) skip() error {
	switch d.peek() {
	case '"':
		_, _, _, err := d.scanString()
		return err
	case '{':
		return d.each('{', func() error {
			if _, _, _, err := d.scanString(); err != nil {
				return err
			}
			if err := d.colon(); err != nil {
				return err
			}
			return d.skip()
		})
	case '[':
		return d.each('[', d.skip)
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	default:
		return d.number()
	}
}

// raw reads over any value and returns its bytes.
func (d *decoder) raw() ([]byte, error) {
	start := d.i
	err := d.skip()
	return d.data[start:d.i], err
}

// flexString reads a value as FlexString does: strings unquoted, null as "", anything else as
// its JSON text.
func (d *decoder) flexString() (string, error) {
	switch d.peek() {
	case '"':
		return d.string()
	case 'n':
		return "", d.literal("null")
	}
	start := d.i
	err := d.skip()
	return d.s[start:d.i], err
}

// time reads a value through (*time.Time).UnmarshalJSON, exactly as encoding/json does.
func (d *decoder) time(t *time.Time) error {
	raw, err := d.raw()
	if err != nil {
		return err
	}
	return t.UnmarshalJSON(raw)
}

// bool reads true or false into *b; null leaves it unchanged.
func (d *decoder) bool(b *bool) error {
	switch c := d.peek(); c {
	case 't', 'f':
		*b = c == 't'
		return d.skip() // checks the literal
	case 'n':
		return d.skip()
	}
	return d.fail("value is not a bool")
}

// int reads an integer into *n; null leaves it unchanged. Fractions and exponents are errors,
// as in encoding/json.
func (d *decoder) int(n *int) error {
	if null, err := d.null(); null {
		return err
	}
	start := d.i
	if err := d.number(); err != nil {
		return err
	}
	v, err := strconv.ParseInt(d.s[start:d.i], 10, strconv.IntSize)
	if err != nil {
		return d.fail("number is not an int")
	}
	*n = int(v)
	return nil
}

// null consumes a null literal and reports whether there was one.
func (d *decoder) null() (bool, error) {
	if d.peek() != 'n' {
		return false, nil
	}
	return true, d.literal("null")
}

func (d *decoder) literal(lit string) error {
	if !strings.HasPrefix(d.s[d.i:], lit) {
		for k := 0; k < len(lit) && d.i < len(d.s) && d.s[d.i] == lit[k]; k++ {
			d.i++
		}
		return d.fail("invalid literal")
	}
	d.i += len(lit)
	return nil
}

// number reads over a number with JSON's grammar: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?.
func (d *decoder) number() error {
	if d.peek() == '-' {
		d.i++
	}
	switch c := d.peek(); {
	case c == '0':
		d.i++
	case '1' <= c && c <= '9':
		d.digits()
	default:
		return d.fail("invalid character looking for beginning of value")
	}
	if d.peek() == '.' {
		d.i++
		if !d.digits() {
			return d.fail("missing digits after decimal point")
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.i++
		if c := d.peek(); c == '+' || c == '-' {
			d.i++
		}
		if !d.digits() {
			return d.fail("missing digits in exponent")
		}
	}
	return nil
}

// digits reads over decimal digits and reports whether there was at least one.
func (d *decoder) digits() bool {
	start := d.i
	for d.i < len(d.s) && '0' <= d.s[d.i] && d.s[d.i] <= '9' {
		d.i++
	}
	return d.i > start
}

func (d *decoder) peek() byte {
	if d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// ws skips JSON whitespace. HubSpot sends none, so the common case is one comparison.
func (d *decoder) ws() {
	if d.i < len(d.s) && d.s[d.i] > ' ' {
		return
	}
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// memberKey reads an object member's key and the colon after it.
func (d *decoder) memberKey() (string, error) {
	key, err := d.string()
	if err != nil {
		return "", err
	}
	return key, d.colon()
}

// colon reads the ':' between an object key and its value, with the whitespace around it.
func (d *decoder) colon() error {
	d.ws()
	if d.peek() != ':' {
		return d.fail("expected ':' after object key")
	}
	d.i++
	d.ws()
	return nil
}

// plainByte marks the bytes a string can hold as they are: all but '"', '\\' and control characters.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < len(t); c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

const (
	lsb = 0x0101010101010101 // the low bit of each of 8 bytes
	msb = 0x8080808080808080 // the high bit of each of 8 bytes
)

// stringStops flags (with its high bit) the first of the 8 bytes in x, read little-endian, that
// is '"', '\\' or a control character; 0 means none is. Bytes after the first may be flagged too.
func stringStops(x uint64) uint64 {
	quote, backslash := x^(lsb*'"'), x^(lsb*'\\')
	return ((quote-lsb)&^quote | (backslash-lsb)&^backslash | (x-lsb*0x20)&^x) & msb
}

// string reads a string value: a substring of the body when it holds no escapes and valid
// UTF-8, a new string otherwise.
func (d *decoder) string() (string, error) {
	start, end, plain, err := d.scanString()
	if err != nil || plain {
		return d.s[start:end], err
	}
	d.buf = unescape(d.buf[:0], d.s[start:end])
	return string(d.buf), nil
}

// scanString reads over a string, checking its syntax, and returns the bounds of its content.
// plain reports that the content needs no unescaping: no escapes, only valid UTF-8.
func (d *decoder) scanString() (start, end int, plain bool, err error) {
	if d.peek() != '"' {
		return d.i, d.i, false, d.fail("expected string")
	}
	s, b := d.s, d.data
	start, plain = d.i+1, true
	var seen uint64 // every byte ORed in, to tell whether any is non-ASCII
	for i := start; ; {
		for i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			if m := stringStops(x); m != 0 {
				seen |= x & (m - 1) // the bytes before the stop
				i += bits.TrailingZeros64(m) / 8
				break
			}
			seen |= x
			i += 8
		}
		for i < len(s) && plainByte[s[i]] { // the last 7 bytes of the body
			seen |= uint64(s[i])
			i++
		}
		if i >= len(s) {
			d.i = i
			return start, i, false, d.fail("unterminated string")
		}
		switch s[i] {
		case '"':
			d.i = i + 1
			if plain && seen&msb != 0 {
				plain = utf8.ValidString(s[start:i])
			}
			return start, i, plain, nil
		case '\\':
			plain = false
			n := escapeLen(s[i:])
			if n == 0 {
				d.i = i
				return start, i, false, d.fail("invalid escape in string literal")
			}
			i += n
		default:
			d.i = i
			return start, i, false, d.fail("invalid control character in string literal")
		}
	}
}

// escapeLen returns the length of the valid escape sequence s starts with, 0 if there is none.
func escapeLen(s string) int {
	if len(s) < 2 {
		return 0
	}
	switch s[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if hex4(s[2:]) >= 0 {
			return 6
		}
	}
	return 0
}

// hex4 decodes the 4 hex digits s starts with, -1 if it does not.
func hex4(s string) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range []byte(s[:4]) {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// unescape appends string content s, checked by scanString, to b, decoded as encoding/json
// does: surrogate pairs join, lone surrogates and invalid UTF-8 bytes become U+FFFD.
func unescape(b []byte, s string) []byte {
	if utf8.ValidString(s) {
		for {
			j := strings.IndexByte(s, '\\')
			if j < 0 {
				return append(b, s...)
			}
			b = append(b, s[:j]...)
			b, j = appendEscape(b, s, j)
			s = s[j:]
		}
	}
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == '\\':
			b, i = appendEscape(b, s, i)
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r)
			i += n
		}
	}
	return b
}

// appendEscape appends the character of the valid escape at s[i:] and returns the offset after it.
func appendEscape(b []byte, s string, i int) ([]byte, int) {
	switch c := s[i+1]; c {
	case 'b':
		return append(b, '\b'), i + 2
	case 'f':
		return append(b, '\f'), i + 2
	case 'n':
		return append(b, '\n'), i + 2
	case 'r':
		return append(b, '\r'), i + 2
	case 't':
		return append(b, '\t'), i + 2
	case 'u':
		r := hex4(s[i+2:])
		i += 6
		if utf16.IsSurrogate(r) {
			if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
				if pair := utf16.DecodeRune(r, hex4(s[i+2:])); pair != utf8.RuneError {
					return utf8.AppendRune(b, pair), i + 6
				}
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(b, r), i
	default: // '"', '\\', '/'
		return append(b, c), i + 2
	}
}
