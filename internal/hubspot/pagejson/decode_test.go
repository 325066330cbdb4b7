package pagejson

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// pageDecoder is a response type with a page decoder, for tests generic over all three.
type pageDecoder[T any] interface {
	*T
	Page
}

// decodeBoth decodes body with the page decoder and with encoding/json and fails unless both
// fail with the same error or both succeed with deep-equal values. It then checks the decoder's
// by-position reading (see checkPositional).
func decodeBoth[T any, P pageDecoder[T]](t *testing.T, body []byte) (T, error) {
	t.Helper()
	var fast, std T
	fastErr := P(&fast).decode(body, nil)
	stdErr := json.Unmarshal(body, &std)
	switch {
	case (fastErr == nil) != (stdErr == nil):
		t.Fatalf("%T on %.300q: page decoder error %v, encoding/json error %v", fast, body, fastErr, stdErr)
	case fastErr != nil && fastErr.Error() != stdErr.Error():
		t.Fatalf("%T on %.300q: error %q, encoding/json %q", fast, body, fastErr, stdErr)
	case fastErr == nil && !reflect.DeepEqual(fast, std):
		t.Fatalf("%T on %.300q:\npage decoder  %+v\nencoding/json %+v", fast, body, fast, std)
	}
	checkPositional[T, P](t, body, std, stdErr)
	return fast, fastErr
}

// checkPositional decodes body with properties read by position, laid out as every name the
// records carry (in reverse order of first sight) plus one they lack, and fails unless it fails
// when encoding/json failed, or gives want's records with each Values[i] equal to the i-th
// property's value ("" for null or absent).
func checkPositional[T any, P pageDecoder[T]](t *testing.T, body []byte, want T, wantErr error) {
	t.Helper()
	wantObjs := records(&want)
	var names []string
	seen := map[string]bool{}
	for _, o := range wantObjs {
		for name := range o.Properties {
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	slices.Reverse(names) // a layout order other than the body's
	names = append(names, "not returned")
	var got T
	err := P(&got).decode(body, NewLayout(names))
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("%T by position on %.300q: error %v, encoding/json error %v", got, body, err, wantErr)
	}
	if err != nil {
		return
	}
	gotObjs := records(&got)
	for i, w := range wantObjs {
		g := *gotObjs[i]
		wantValues := make([]string, len(names))
		for j, name := range names {
			if v := w.Properties[name]; v != nil {
				wantValues[j] = *v
			}
		}
		if !slices.Equal(g.Values, wantValues) || g.Properties != nil {
			t.Fatalf("%T by position on %.300q: record %d values %q, properties %v; want values %q", got, body, i, g.Values, g.Properties, wantValues)
		}
		g.Values, w.Properties = nil, nil
		if !reflect.DeepEqual(g, *w) {
			t.Fatalf("%T by position on %.300q: record %d\n got %+v\nwant %+v", got, body, i, g, *w)
		}
	}
}

// records returns the records of a list, search or batch response.
func records(r any) []*Object {
	var objs []*Object
	switch r := r.(type) {
	case *List:
		for i := range r.Results {
			objs = append(objs, &r.Results[i])
		}
	case *Search:
		for i := range r.Results {
			objs = append(objs, &r.Results[i])
		}
	case *Batch[batchErrors]:
		for i := range r.Results {
			objs = append(objs, &r.Results[i].Object)
		}
	}
	return objs
}

// batchErrors stands for a caller's type of a batch answer's errors, which Batch leaves to
// encoding/json.
type batchErrors []struct {
	Status, Category, Message string
	SubCategory               FlexString
	Context                   map[string]json.RawMessage
}

// decodeAllBoth runs decodeBoth for the list, search and batch response types.
func decodeAllBoth(t *testing.T, body []byte) {
	t.Helper()
	decodeBoth[List](t, body)
	decodeBoth[Search](t, body)
	decodeBoth[Batch[batchErrors]](t, body)
}

// smallPage exercises every record field, escapes, unicode, nulls and paging.
const smallPage = `{"results":[
 {"id":"719869649082","properties":{"email":"a@example.com","phone":null,"notes":"line\nnext \"q\" \u00e9\ud83d\ude80 caf\u00e9","city":"Zürich"},
  "createdAt":"2024-01-02T03:04:05.678Z","updatedAt":"2025-06-07T08:09:10+02:00","archived":false,
  "propertiesWithHistory":{"email":[{"value":"old@example.com","timestamp":"2023-01-01T00:00:00Z"}]},
  "associations":{"companies":{"results":[{"id":"55","type":"contact_to_company"},{"id":56,"type":"contact_to_company_unlabeled"}]}}},
 {"id":7199,"properties":{},"createdAt":"2024-01-02T00:00:00Z","updatedAt":"2024-01-03T00:00:00Z","archived":true,"archivedAt":"2024-02-01T00:00:00Z"}
],"paging":{"next":{"after":"NTI1Cg==","link":"?after=NTI1Cg%3D%3D"}}}`

func TestDecodeListPage(t *testing.T) {
	page, err := decodeBoth[List](t, []byte(smallPage))
	if err != nil {
		t.Fatal(err)
	}
	created := time.Date(2024, 1, 2, 3, 4, 5, 678e6, time.UTC)
	archivedAt := time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC)
	want := []Object{
		{
			ID: "719869649082",
			Properties: map[string]*string{
				"email": ptr("a@example.com"), "phone": nil, "notes": ptr("line\nnext \"q\" é🚀 café"), "city": ptr("Zürich"),
			},
			CreatedAt: created,
			UpdatedAt: time.Date(2025, 6, 7, 8, 9, 10, 0, time.FixedZone("", 2*3600)),
			Associations: map[string][]AssociationRef{"companies": {
				{ID: "55", Type: "contact_to_company"}, {ID: "56", Type: "contact_to_company_unlabeled"},
			}},
		},
		{ID: "7199", Properties: map[string]*string{}, CreatedAt: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC),
			UpdatedAt: time.Date(2024, 1, 3, 0, 0, 0, 0, time.UTC), Archived: true, ArchivedAt: &archivedAt},
	}
	if len(page.Results) != len(want) {
		t.Fatalf("%d results, want %d", len(page.Results), len(want))
	}
	for i, got := range page.Results {
		w := want[i]
		if got.ID != w.ID || !reflect.DeepEqual(got.Properties, w.Properties) || !got.CreatedAt.Equal(w.CreatedAt) ||
			!got.UpdatedAt.Equal(w.UpdatedAt) || got.Archived != w.Archived || !reflect.DeepEqual(got.Associations, w.Associations) ||
			(got.ArchivedAt == nil) != (w.ArchivedAt == nil) || (got.ArchivedAt != nil && !got.ArchivedAt.Equal(*w.ArchivedAt)) {
			t.Errorf("record %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	if after := page.Paging.After(); after != "NTI1Cg==" {
		t.Errorf("after = %q", after)
	}
}

func TestDecodeSearchAndBatchPages(t *testing.T) {
	search, err := decodeBoth[Search](t, []byte(`{"total":4321,"results":[{"id":"1","properties":{"a":"x"}}],"paging":{"next":{"after":"200"}}}`))
	if err != nil || search.Total != 4321 || len(search.Results) != 1 || search.Paging.After() != "200" {
		t.Errorf("search = %+v, %v", search, err)
	}
	batch, err := decodeBoth[Batch[batchErrors]](t, []byte(`{"status":"COMPLETE","results":[{"id":"1","new":true,"properties":{"email":"a@b.c"}},{"id":"2","properties":{}}],`+
		`"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"m","context":{"ids":["3"]}}]}`))
	if err != nil || len(batch.Results) != 2 || !batch.Results[0].New || batch.Results[1].New || batch.NumErrors != 1 ||
		len(batch.Errors) != 1 || string(batch.Errors[0].Context["ids"]) != `["3"]` {
		t.Errorf("batch = %+v, %v", batch, err)
	}
}

// TestDecodeMatchesEncodingJSON covers the corners of encoding/json's behaviour the page decoder
// reproduces; each body is decoded as a list, a search and a batch page.
func TestDecodeMatchesEncodingJSON(t *testing.T) {
	deep := func(n int) string { return `{"x":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + `}` }
	bodies := []struct{ name, body string }{
		{"empty page", `{"results":[]}`},
		{"property names spaced unlike the record before", `{"results":[{"properties":{"a":"1","b":"2"}},{"properties":{"a" :"3", "b":null}},{"properties":{"a":"5","b" : "6","c":"7"}},{"properties":{"a":"8","b":"9"}}]}`},
		{"null page", `null`},
		{"empty object", `{}`},
		{"whitespace everywhere", " \t\r\n{ \"results\" : [ { \"id\" : \"1\" , \"properties\" : { \"a\" : \"b\" , \"c\" : null } } ] , \"paging\" : null } \n"},
		{"null results", `{"results":null}`},
		{"null record", `{"results":[null,{"id":"2"}]}`},
		{"numeric ids", `{"results":[{"id":12345678901234567890},{"id":-1.5e3},{"id":0}]}`},
		{"odd ids", `{"results":[{"id":true},{"id":{"a" : [1, "x"]}},{"id":null},{"id":"\u0031"}]}`},
		{"escapes", `{"results":[{"properties":{"a":"\"\\\/\b\f\n\r\t","b\u0062":"\u0000\u001f\u007f\u0080\uffff"}}]}`},
		{"surrogates", `{"results":[{"properties":{"pair":"\ud83d\ude80","lone high":"\ud83dx","lone low":"\ude80","two highs":"\ud83d\ud83d\ude80","high then escape":"\ud83d\n"}}]}`},
		{"invalid utf-8", "{\"results\":[{\"id\":\"\xff\",\"properties\":{\"a\":\"x\xc3\",\"b\":\"\xed\xa0\x80\",\"k\xfe\":\"\xef\xbf\xbd\",\"c\":\"\\n\xff\"}}]}"},
		{"unicode", `{"results":[{"properties":{"名前":"山田 🚀","emoji":"👩‍👩‍👧"}}]}`},
		{"null property values", `{"results":[{"properties":{"a":null,"b":null}}]}`},
		{"null properties", `{"results":[{"properties":null}]}`},
		{"repeated properties merge", `{"results":[{"properties":{"a":"1","b":"2"},"properties":{"b":"3","c":null}}]}`},
		{"properties reset by null", `{"results":[{"properties":{"a":"1"},"properties":null,"properties":{"b":"2"}}]}`},
		{"repeated property", `{"results":[{"properties":{"a":"1","a":null,"a":"2"}}]}`},
		{"keys out of order", `{"results":[{"properties":{"a":"1","b":"2","c":"3"}},{"properties":{"c":"3","a":"1"}},{"properties":{"b":"x","a":"y","c":"z","d":"w"}}]}`},
		{"records leaving out different properties", `{"results":[{"properties":{"a":"1","c":"3","e":"5"}},{"properties":{"a":"1","b":"2","e":"5"}},{"properties":{"b":"2","c":"3","d":"4"}},{"properties":{"a":"x","b":"y","c":"z","d":"w","e":"v"}},{"properties":{"e":"1","a":"2"}}]}`},
		{"escaped names", `{"results":[{"properties":{"\u0061":"1","a\"b":"2"}},{"properties":{"a":"1","a\"b":"3"}},{"properties":{"a\"b":"4"}}]}`},
		{"empty name", `{"results":[{"properties":{"":"1"}},{"properties":{"":"2"}}]}`},
		{"case-insensitive fields", `{"RESULTS":[{"ID":"1","Properties":{"A":"x"},"CREATEDAT":"2024-01-01T00:00:00Z","archiveD":true,"ArchivedAT":"2024-01-02T00:00:00Z"}],"Paging":{"NEXT":{"AFTER":"9"}},"TOTAL":3,"numerrors":0}`},
		{"unicode case folding", `{"reſults":[{"ıd":"1","\u212aey":"x","properties":{}}]}`},
		{"escaped field names", `{"\u0072esults":[{"\u0069d":"1"}]}`},
		{"unknown fields", `{"status":"COMPLETE","requestedAt":"x","results":[{"id":"1","propertiesWithHistory":{"a":[{"value":"1"}]},"url":"u","x":[1,2,{"y":null}]}],"extra":{"a":{"b":[true,false,null,-0.5e-3]}}}`},
		{"repeated results", `{"results":[{"id":"1"},{"id":"2"}],"results":[{"id":"3"}]}`},
		{"results reset by null", `{"results":[{"id":"1"}],"results":null}`},
		{"repeated paging", `{"paging":{"next":{"after":"a"}},"paging":{"next":{}},"paging":{"x":1}}`},
		{"paging reset", `{"paging":{"next":{"after":"a"}},"paging":{"next":null},"paging":{"next":{"after":null}}}`},
		{"numeric after", `{"paging":{"next":{"after":200}}}`},
		{"times", `{"results":[{"createdAt":"2024-01-01T00:00:00.123456789+05:30","updatedAt":null,"archivedAt":null}]}`},
		{"repeated times", `{"results":[{"createdAt":"2024-01-01T00:00:00Z","createdAt":null,"archivedAt":"2024-01-01T00:00:00Z","archivedAt":"2025-01-01T00:00:00Z"}]}`},
		{"archivedAt reset", `{"results":[{"archivedAt":"2024-01-01T00:00:00Z","archivedAt":null}]}`},
		{"archived null", `{"results":[{"archived":true,"archived":null}]}`},
		{"associations", `{"results":[{"associations":{"deals":{"results":[]},"companies":null,"tickets":{},"notes":{"results":null},"calls":{"results":[null,{"id":1}]}}}]}`},
		{"empty associations", `{"results":[{"associations":{}},{"associations":null}]}`},
		{"repeated association results merge", `{"results":[{"associations":{"c":{"results":[{"id":"1","type":"a"},{"id":"2","type":"b"}],"results":[{"type":"c"}],"results":[null,{"id":"4"}]}}}]}`},
		{"repeated associations", `{"results":[{"associations":{"c":{"results":[{"id":"1"}]}},"associations":{"d":{"results":[]}},"associations":{"c":{"results":[{"id":"2","type":null}]}}}]}`},
		{"batch new flags", `{"results":[{"id":"1","new":true},{"id":"2","new":false},{"id":"3","new":true,"new":null},{"id":"4","NEW":true}]}`},
		{"batch errors", `{"numErrors":2,"errors":[{"status":"error","category":"C","subCategory":7,"context":{"ids":"1","n":[1,2]}}],"errors":[{"message":"m"}]}`},
		{"totals", `{"total":0,"total":-0,"total":null}`},
		{"max depth", deep(10000)},

		{"empty body", ``},
		{"whitespace body", " \n"},
		{"top-level array", `[]`},
		{"top-level string", `"results"`},
		{"top-level number", `1`},
		{"trailing garbage", `{"results":[]}x`},
		{"two values", `{} {}`},
		{"beyond max depth", deep(10001)},
		{"syntax error after a type error", `{"results":[{"properties":{"a":1}}],"x":[}`},
		{"number property", `{"results":[{"properties":{"a":1}}]}`},
		{"bool property", `{"results":[{"properties":{"a":true}}]}`},
		{"object property", `{"results":[{"properties":{"a":{}}}]}`},
		{"array properties", `{"results":[{"properties":["a"]}]}`},
		{"string record", `{"results":["x"]}`},
		{"array record", `{"results":[[]]}`},
		{"object results", `{"results":{}}`},
		{"string archived", `{"results":[{"archived":"true"}]}`},
		{"numeric time", `{"results":[{"createdAt":1700000000000}]}`},
		{"bad time", `{"results":[{"updatedAt":"yesterday"}]}`},
		{"escaped time", `{"results":[{"createdAt":"2024-01-01T00:00:00\u005a"}]}`},
		{"bad archivedAt", `{"results":[{"archivedAt":{}}]}`},
		{"numeric association type", `{"results":[{"associations":{"c":{"results":[{"type":1}]}}}]}`},
		{"array associations", `{"results":[{"associations":[]}]}`},
		{"string paging", `{"paging":"x"}`},
		{"fractional total", `{"total":1.0}`},
		{"huge total", `{"total":99999999999999999999}`},
		{"string total", `{"total":"1"}`},
		{"string new", `{"results":[{"new":"true"}]}`},
		{"bad errors", `{"errors":{}}`},
		{"control character", "{\"results\":[{\"id\":\"a\tb\"}]}"},
		{"bad escape", `{"results":[{"id":"\x"}]}`},
		{"quote escape", `{"results":[{"id":"\'"}]}`},
		{"short unicode escape", `{"results":[{"id":"\u12"}]}`},
		{"bad unicode escape", `{"results":[{"id":"\u12g4"}]}`},
		{"trailing comma", `{"results":[{"id":"1"},]}`},
		{"trailing comma in object", `{"results":[],}`},
		{"missing colon", `{"results" []}`},
		{"missing comma", `{"results":[] "paging":null}`},
		{"single quotes", `{'results':[]}`},
		{"bad literal", `{"results":[{"archived":tru}]}`},
		{"bad null", `{"results":nul}`},
		{"leading zero", `{"x":01}`},
		{"bare minus", `{"x":-}`},
		{"missing fraction", `{"x":1.}`},
		{"missing exponent", `{"x":1e+}`},
		{"plus sign", `{"x":+1}`},
		{"non-string key", `{1:2}`},
		{"byte order mark", "\xef\xbb\xbf{}"},
		{"nul byte", "{\"results\":[]}\x00"},
	}
	for _, tt := range bodies {
		t.Run(tt.name, func(t *testing.T) { decodeAllBoth(t, []byte(tt.body)) })
	}
}

// TestDecodeTruncatedBodies cuts pages at every byte: each cut must fail as encoding/json
// fails, with the error types of a cut-off body (*json.SyntaxError or io.ErrUnexpectedEOF),
// which the API client's retry logic treats as a transport fault, so the page is re-read.
func TestDecodeTruncatedBodies(t *testing.T) {
	pages := []string{
		smallPage,
		`{"total":3,"results":[{"id":1,"properties":{"a":null}}],"paging":{"next":{"after":"3"}}}`,
		`{"status":"COMPLETE","results":[{"id":"1","new":true}],"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND"}]}`,
	}
	for _, page := range pages {
		for n := range len(page) {
			body := []byte(page[:n])
			for _, decode := range []func(*testing.T, []byte) (any, error){
				func(t *testing.T, b []byte) (any, error) { return decodeBoth[List](t, b) },
				func(t *testing.T, b []byte) (any, error) { return decodeBoth[Search](t, b) },
				func(t *testing.T, b []byte) (any, error) { return decodeBoth[Batch[batchErrors]](t, b) },
			} {
				_, err := decode(t, body)
				if err == nil {
					t.Fatalf("%q decoded without error", body)
				}
				var syntax *json.SyntaxError
				if !errors.As(err, &syntax) && !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("%q: error %v (%T) is not a cut-off body's", body, err, err)
				}
			}
		}
	}
}

// TestDecodeErrorTypes checks that rejected bodies carry encoding/json's error types, on which
// the retry classification depends.
func TestDecodeErrorTypes(t *testing.T) {
	tests := []struct {
		body string
		want any
	}{
		{`{"results":[{"id":"1"}`, new(*json.SyntaxError)},
		{`{"results":[{"properties":{"a":1}}]}`, new(*json.UnmarshalTypeError)},
		{`{"results":"x"}`, new(*json.UnmarshalTypeError)},
		{`{"results":[{"createdAt":"x"}]}`, new(*time.ParseError)},
	}
	for _, tt := range tests {
		var r List
		err := r.decode([]byte(tt.body), nil)
		if !errors.As(err, tt.want) {
			t.Errorf("%s: error %v (%T), want %T", tt.body, err, err, reflect.ValueOf(tt.want).Elem().Interface())
		}
	}
}

// TestDecodeEmulatorPage decodes a realistic page: 100 contacts with 160 properties.
func TestDecodeEmulatorPage(t *testing.T) {
	body := emulatorPage(t, "100")
	page, err := decodeBoth[List](t, body)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Results) != 100 || len(page.Results[0].Properties) != 160 || page.Paging.After() == "" {
		t.Errorf("page: %d records, %d properties, after %q", len(page.Results), len(page.Results[0].Properties), page.Paging.After())
	}
}

// TestDecodeTextOverflowingItsBlock decodes escaped values whose invalid UTF-8 bytes grow them
// past the room reserved for them: the text moves to a new block, and the values already
// handed out keep theirs.
func TestDecodeTextOverflowingItsBlock(t *testing.T) {
	long := strings.Repeat("ab\\n\xff", 12_000) // 60 KB escaped; each \xff becomes 3 bytes
	body := `{"results":[{"properties":{"a":"x\ny","b":"` + long + `","c":"` + long + `"}}]}`
	page, err := decodeBoth[List](t, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	props := page.Results[0].Properties
	if *props["a"] != "x\ny" || *props["b"] != *props["c"] || len(*props["b"]) != 12_000*6 {
		t.Errorf("a = %q, b is %d bytes, c is %d bytes", *props["a"], len(*props["b"]), len(*props["c"]))
	}
}

// TestDecodeValuesStayPut checks that property values of a record keep their addresses and text
// when the record has more values than the backing array was sized for.
func TestDecodeValuesStayPut(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"results":[{"properties":{"a":"1"}},{"properties":{`)
	for i := range 100 {
		fmt.Fprintf(&b, `"p%d":"v\n%d",`, i, i)
	}
	b.WriteString(`"last":"x"}}]}`)
	page, err := decodeBoth[List](t, []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	props := page.Results[1].Properties
	for i := range 100 {
		if v := props[fmt.Sprintf("p%d", i)]; v == nil || *v != fmt.Sprintf("v\n%d", i) {
			t.Fatalf("p%d = %v", i, v)
		}
	}
}

// TestDecodeLearnsEachNameOnce decodes records that each leave out a run of names longer than the
// decoder compares ahead: the learned order must hold every name once, or its insertions grow with
// every record of the page.
func TestDecodeLearnsEachNameOnce(t *testing.T) {
	const props = 40
	names := make([]string, props)
	for i := range names {
		names[i] = fmt.Sprintf("p%02d", i)
	}
	var body strings.Builder
	for r := range 20 {
		body.WriteString("{")
		first := true
		for i, n := range names {
			if i >= r && i < r+keyLookahead+3 { // a gap past the lookahead, moving with the record
				continue
			}
			if !first {
				body.WriteString(",")
			}
			first = false
			fmt.Fprintf(&body, "%q:%q", n, fmt.Sprint(r, i))
		}
		body.WriteString("}")
	}
	d := newDecoder([]byte(body.String()), NewLayout(names))
	for r := range 20 {
		v := make([]string, props)
		if err := d.positional(v); err != nil {
			t.Fatalf("record %d: %v", r, err)
		}
		for i := range names {
			want := fmt.Sprint(r, i)
			if i >= r && i < r+keyLookahead+3 {
				want = ""
			}
			if v[i] != want {
				t.Fatalf("record %d, %s = %q, want %q", r, names[i], v[i], want)
			}
		}
	}
	if len(d.order) != props {
		t.Errorf("learned order holds %d names, want each of the %d once", len(d.order), props)
	}
}

func ptr[T any](v T) *T { return &v }
