package runner

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

func TestReadWritesEveryTableReadableByArrow(t *testing.T) {
	p := newTestPortal(t, smallCounts)
	for _, obj := range p.emu.ObjectTypes() {
		must(t, p.emu.Archive(obj, p.emu.Records(obj, false)[0].ID))
	}
	sum := p.mustRun(p.load(readSpec))

	dirs, err := os.ReadDir(p.dir)
	if err != nil {
		t.Fatal(err)
	}
	var written []string
	for _, d := range dirs {
		if d.IsDir() {
			written = append(written, d.Name())
		}
	}
	var summarized []string
	for table, rows := range sum.Tables {
		if rows > 0 {
			summarized = append(summarized, table)
		}
	}
	slices.Sort(summarized)
	if !slices.Equal(written, summarized) {
		t.Errorf("directories %v, want one per table with rows %v", written, summarized)
	}
	for _, want := range []string{"hubspot_crm_owners", "hubspot_crm_pipelines", "hubspot_crm_properties", "hubspot_crm_associations"} {
		if !slices.Contains(written, want) {
			t.Errorf("no directory for %s", want)
		}
	}
	for _, table := range written {
		files := parquetFiles(t, filepath.Join(p.dir, table))
		_, recs := readArrow(t, files...)
		if got := rowCount(recs); got != sum.Tables[table] {
			t.Errorf("%s: files hold %d rows, the summary says %d", table, got, sum.Tables[table])
		}
	}
	for _, obj := range p.emu.ObjectTypes() {
		table := "hubspot_crm_" + obj
		_, recs := readArrow(t, parquetFiles(t, filepath.Join(p.dir, table))...)
		got := objectRows(t, recs)
		want := truth(p.emu, obj)
		if len(got) != len(want) {
			t.Errorf("%s: %d rows, emulator holds %d records (archived included)", table, len(got), len(want))
		}
		for id, w := range want {
			if g, ok := got[id]; !ok || !g.updated.Equal(w.updated) || g.archived != w.archived {
				t.Errorf("%s %s: got %+v (present %v), want %+v", table, id, g, ok, w)
			}
		}
	}
	if sum.StateSaved != p.state || sum.Requests == 0 || len(sum.Incomplete) != 0 {
		t.Errorf("summary: state %q requests %d incomplete %v", sum.StateSaved, sum.Requests, sum.Incomplete)
	}
}

// truth is the emulator's records of an object type, live and archived, by id.
func truth(emu *emulator.Emulator, obj string) map[string]fileRow {
	out := map[string]fileRow{}
	for _, archived := range []bool{false, true} {
		for _, r := range emu.Records(obj, archived) {
			out[r.ID] = fileRow{updated: r.UpdatedAt, archived: archived}
		}
	}
	return out
}

func TestReadContactsRoundTripTypesAndValues(t *testing.T) {
	p := newTestPortal(t, map[string]int{"contacts": 80})
	p.env["TABLES"] = "[hubspot_crm_contacts]"
	p.mustRun(p.load(readSpec))

	sc, recs := readArrow(t, parquetFiles(t, filepath.Join(p.dir, "hubspot_crm_contacts"))...)
	utcMs := &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}
	for name, want := range map[string]arrow.DataType{"id": arrow.PrimitiveTypes.Int64, "created_at": utcMs, "updated_at": utcMs, "archived": arrow.FixedWidthTypes.Boolean} {
		if f, ok := sc.FieldsByName(name); !ok || !arrow.TypeEqual(f[0].Type, want) {
			t.Errorf("column %s: got %v, want %v", name, f, want)
		}
	}
	records := map[string]emulator.Record{}
	for _, r := range p.emu.Records("contacts", false) {
		records[r.ID] = r
	}
	// checked counts, per Arrow type, the values compared and the nulls seen for each type.
	checked, nulls := map[string]int{}, map[string]int{}
	for _, rec := range recs {
		ids := arrowtest.Column[*array.Int64](t, rec, "id")
		for i := range int(rec.NumRows()) {
			r, ok := records[strconv.FormatInt(ids.Value(i), 10)]
			if !ok {
				t.Fatalf("row id %d is not a live contact", ids.Value(i))
			}
			for c, f := range sc.Fields() {
				if !isProperty(f.Name) {
					continue
				}
				value, has := r.Properties[f.Name]
				typ := typeKey(f.Type)
				if !has {
					nulls[typ]++
					if rec.Column(c).IsValid(i) {
						t.Errorf("contact %s %s: got %v, want null", r.ID, f.Name, rec.Column(c).GetOneForMarshal(i))
					}
					continue
				}
				checked[typ]++
				if msg := sameValue(rec.Column(c), i, value); msg != "" {
					t.Errorf("contact %s %s (%s): %s", r.ID, f.Name, typ, msg)
				}
			}
		}
	}
	for _, typ := range []arrow.DataType{arrow.BinaryTypes.String, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Boolean,
		arrow.FixedWidthTypes.Date32, utcMs, arrow.ListOf(arrow.BinaryTypes.String)} {
		if key := typeKey(typ); checked[key] == 0 || nulls[key] == 0 {
			t.Errorf("type %s: %d values and %d nulls compared, want both", key, checked[key], nulls[key])
		}
	}
}

// typeKey names a column type regardless of the name a reader gives list elements.
func typeKey(dt arrow.DataType) string {
	if l, ok := dt.(*arrow.ListType); ok {
		return "list<" + l.Elem().String() + ">"
	}
	return dt.String()
}

// isProperty reports whether a column holds a contact property: every column except the static
// ones and CloudQuery's own.
func isProperty(column string) bool {
	switch column {
	case "id", "portal", "created_at", "updated_at", "archived", "archived_at":
		return false
	}
	return !strings.HasPrefix(column, "_cq_")
}

// sameValue compares a value read from Parquet with the string HubSpot sent; "" means equal.
func sameValue(arr arrow.Array, i int, want string) string {
	if arr.IsNull(i) {
		return "null, want " + strconv.Quote(want)
	}
	var equal bool
	switch a := arr.(type) {
	case *array.String:
		equal = a.Value(i) == want
	case *array.Float64:
		f, err := strconv.ParseFloat(want, 64)
		equal = err == nil && f == a.Value(i)
	case *array.Boolean:
		equal = strconv.FormatBool(a.Value(i)) == want
	case *array.Date32:
		day, err := hubspotTime(want)
		equal = err == nil && a.Value(i) == arrow.Date32FromTime(day)
	case *array.Timestamp:
		at, err := hubspotTime(want)
		unit := a.DataType().(*arrow.TimestampType).Unit
		equal = err == nil && a.Value(i).ToTime(unit).Equal(at)
	case *array.List:
		var got []string
		values := a.ListValues().(*array.String)
		start, end := a.ValueOffsets(i)
		for j := start; j < end; j++ {
			got = append(got, values.Value(int(j)))
		}
		equal = slices.Equal(got, strings.Split(want, ";"))
	default:
		return "unexpected column type " + arr.DataType().String()
	}
	if equal {
		return ""
	}
	return "got " + arr.ValueStr(i) + ", want " + strconv.Quote(want)
}

// hubspotTime parses the forms HubSpot sends dates and datetimes in: epoch milliseconds,
// YYYY-MM-DD, or ISO 8601.
func hubspotTime(s string) (time.Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.UnixMilli(ms).UTC(), nil
	}
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		return d, nil
	}
	return time.Parse(time.RFC3339Nano, s)
}

func TestReadIncrementalWritesOnlyChanges(t *testing.T) {
	p := newTestPortal(t, smallCounts)
	p.env["TABLES"] = "[hubspot_crm_contacts, hubspot_crm_companies]"
	job := p.load(readSpec)
	first := p.mustRun(job)

	info, err := os.Stat(p.state)
	if err != nil {
		t.Fatalf("state file: %v", err)
	}
	if mode := info.Mode().Perm(); mode != 0o600 {
		t.Errorf("state file mode %o, want 600", mode)
	}
	state, err := os.ReadFile(p.state)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(state, []byte(p.emu.Token())) {
		t.Error("state file holds the access token")
	}

	changed := mutateContacts(t, p.emu)
	second := p.mustRun(job)
	if second.Tables["hubspot_crm_companies"] != 0 {
		t.Errorf("unchanged companies sent %d rows again", second.Tables["hubspot_crm_companies"])
	}
	newFiles := slices.DeleteFunc(slices.Clone(second.Files), func(f string) bool { return slices.Contains(first.Files, f) })
	if len(newFiles) != len(second.Files) {
		t.Errorf("second run reported earlier files: %v", second.Files)
	}
	_, recs := readArrow(t, newFiles...)
	got := objectRows(t, recs)
	want := truth(p.emu, "contacts")
	for id := range got {
		if !slices.Contains(changed, id) {
			t.Errorf("unchanged contact %s written again", id)
		}
	}
	for _, id := range changed {
		if g, ok := got[id]; !ok || !g.updated.Equal(want[id].updated) || g.archived != want[id].archived {
			t.Errorf("contact %s: got %+v (present %v), want %+v", id, g, ok, want[id])
		}
	}
	for _, f := range newFiles {
		if filepath.Base(filepath.Dir(f)) != "hubspot_crm_contacts" {
			t.Errorf("file %s outside the contacts directory", f)
		}
	}
}

// mutateContacts updates, creates and archives contacts and returns the ids it touched.
func mutateContacts(t *testing.T, emu *emulator.Emulator) []string {
	t.Helper()
	live := emu.Records("contacts", false)
	var changed []string
	for _, r := range live[:3] {
		must(t, emu.Update("contacts", r.ID, map[string]string{"firstname": "Changed"}))
		changed = append(changed, r.ID)
	}
	for _, email := range []string{"new1@example.com", "new2@example.com"} {
		id, err := emu.Create("contacts", map[string]string{"email": email})
		must(t, err)
		changed = append(changed, id)
	}
	must(t, emu.Archive("contacts", live[10].ID))
	return append(changed, live[10].ID)
}

func TestReadFailureDoesNotAdvanceState(t *testing.T) {
	p := newTestPortal(t, smallCounts)
	p.env["TABLES"] = "[hubspot_crm_contacts, hubspot_crm_companies]"
	job := p.load(readSpec)
	p.mustRun(job)
	before, err := os.ReadFile(p.state)
	if err != nil {
		t.Fatal(err)
	}
	changed := mutateContacts(t, p.emu)

	// The contacts directory becomes a file: writing Parquet for contacts fails.
	contacts := filepath.Join(p.dir, "hubspot_crm_contacts")
	must(t, os.Rename(contacts, contacts+".moved"))
	must(t, os.WriteFile(contacts, nil, 0o644))
	_, _, err = p.run(job)
	if err == nil || !strings.Contains(err.Error(), "hubspot_crm_contacts") {
		t.Fatalf("error %v, want a write failure naming the table", err)
	}
	after, err := os.ReadFile(p.state)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("state advanced by a failed run:\nbefore %s\nafter  %s", before, after)
	}

	must(t, os.Remove(contacts))
	must(t, os.Rename(contacts+".moved", contacts))
	third := p.mustRun(job)
	var files []string
	for _, f := range third.Files {
		if filepath.Base(filepath.Dir(f)) == "hubspot_crm_contacts" {
			files = append(files, f)
		}
	}
	_, recs := readArrow(t, files...)
	got := objectRows(t, recs)
	for _, id := range changed {
		if _, ok := got[id]; !ok {
			t.Errorf("contact %s changed before the failed run is not in the rerun's files", id)
		}
	}
}

func TestReadCapReportsIncompleteTables(t *testing.T) {
	p := newTestPortal(t, map[string]int{"contacts": 250})
	p.env["TABLES"] = "[hubspot_crm_contacts]"
	p.env["CAP"] = "100"
	sum, out, err := p.run(p.load(readSpec))
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	if got := sum.Tables["hubspot_crm_contacts"]; got != 100 {
		t.Errorf("capped run wrote %d contacts, want 100", got)
	}
	if !slices.Equal(sum.Incomplete, []string{"default/hubspot_crm_contacts"}) {
		t.Errorf("incomplete %v", sum.Incomplete)
	}
	var printed bytes.Buffer
	sum.Print(&printed)
	if !strings.Contains(printed.String(), "record cap reached: default/hubspot_crm_contacts stopped early") {
		t.Errorf("summary does not name the incomplete table:\n%s", printed.String())
	}
	if !strings.Contains(out, "progress: hubspot_crm_contacts 100 rows") {
		t.Errorf("no plain progress line in the output:\n%s", out)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
