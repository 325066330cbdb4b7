package crm

import (
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

func TestObjectTableBuildsTypedRows(t *testing.T) {
	obj := client.ObjectType{Name: "deals", TypeID: "0-3", ModifiedProperty: "hs_lastmodifieddate", Properties: []hubspot.Property{
		{Name: "amount", Type: "number"},
		{Name: "dealname", Type: "string"},
		{Name: "tags", Type: "enumeration", FieldType: "checkbox"},
		{Name: "archived", Type: "bool"}, // collides with a static column
	}}
	ot := ObjectTable(obj)
	if ot.Table.Name != "hubspot_crm_deals" || ot.Object != "deals" || !ot.Table.IsIncremental {
		t.Fatalf("table %+v", ot.Table)
	}
	if got := ot.Table.Columns.Names(); got[staticColumns+3] != "property_archived" || len(got) != staticColumns+4 {
		t.Fatalf("columns %v", got)
	}
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	objs := []hubspot.Object{ // values in the order of obj.Properties
		{ID: "719869649082", CreatedAt: at, UpdatedAt: at, Values: []string{"12.5", "A", "x;y", ""}},
		{ID: "7199", CreatedAt: at, UpdatedAt: at, Archived: true, ArchivedAt: &at, Values: []string{"12,5", "", "", ""}},
	}
	var bad []string
	rec, err := ot.Build("eu", objs, func(column, value string, err error) { bad = append(bad, column+"="+value) })
	if err != nil {
		t.Fatal(err)
	}
	if !rec.Schema().Equal(ot.Table.ToArrowSchema()) {
		t.Fatalf("record schema %v differs from the table's", rec.Schema())
	}
	if rec.NumRows() != 2 || len(bad) != 1 || bad[0] != "amount=12,5" {
		t.Fatalf("%d rows, bad values %v", rec.NumRows(), bad)
	}
	ids := rec.Column(1).(*array.Int64)
	amount := rec.Column(staticColumns).(*array.Float64)
	name := rec.Column(staticColumns + 1).(*array.String)
	tags := rec.Column(staticColumns + 2).(*array.List)
	archivedAt := rec.Column(5).(*array.Timestamp)
	switch {
	case ids.Value(0) != 719869649082 || ids.Value(1) != 7199:
		t.Errorf("ids %v", ids)
	case amount.Value(0) != 12.5 || amount.IsValid(1):
		t.Errorf("amount %v: want 12.5 and null for the value that did not parse", amount)
	case name.Value(0) != "A" || name.IsValid(1):
		t.Errorf("dealname %v", name)
	case tags.IsNull(0) || !tags.IsNull(1):
		t.Errorf("tags %v", tags)
	case archivedAt.IsValid(0) || int64(archivedAt.Value(1)) != at.UnixMilli():
		t.Errorf("archived_at %v", archivedAt)
	case rec.Column(0).(*array.String).Value(1) != "eu":
		t.Errorf("portal %v", rec.Column(0))
	}

	if _, err := ot.Build("eu", []hubspot.Object{{ID: "abc", Values: make([]string, 4)}}, nil); err == nil {
		t.Error("a non-numeric id was accepted")
	}
	if _, err := ot.Build("eu", []hubspot.Object{{ID: "1", Properties: map[string]*string{}}}, nil); err == nil {
		t.Error("a record read by name (no Values) was accepted")
	}
}
