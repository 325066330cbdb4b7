package crm

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// tombstoneRow is what a test reads back from one row of an object table.
type tombstoneRow struct {
	id, mergedInto   int64
	archived         bool
	reason           string
	created, updated string
	archivedAt       string
	name             string
}

func readRows(t *testing.T, rec arrow.Record, nameColumn int) []tombstoneRow {
	t.Helper()
	stamp := func(a *array.Timestamp, i int) string {
		if a.IsNull(i) {
			return "null"
		}
		return time.UnixMilli(int64(a.Value(i))).UTC().Format(time.RFC3339)
	}
	out := make([]tombstoneRow, rec.NumRows())
	for i := range out {
		r := tombstoneRow{
			id:       rec.Column(1).(*array.Int64).Value(i),
			created:  stamp(rec.Column(2).(*array.Timestamp), i),
			updated:  stamp(rec.Column(3).(*array.Timestamp), i),
			archived: rec.Column(4).(*array.Boolean).Value(i), archivedAt: stamp(rec.Column(5).(*array.Timestamp), i),
			reason: rec.Column(6).(*array.String).Value(i),
		}
		if merged := rec.Column(7).(*array.Int64); merged.IsValid(i) {
			r.mergedInto = merged.Value(i)
		}
		if nameColumn >= 0 {
			r.name = rec.Column(nameColumn).(*array.String).Value(i)
		}
		out[i] = r
	}
	return out
}

func TestObjectTableTombstones(t *testing.T) {
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	merge := time.Date(2025, 6, 1, 9, 30, 0, 0, time.UTC)
	archivedAt := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	name := hubspot.Property{Name: "name", Type: "string"}
	mergedIDs := hubspot.Property{Name: client.MergedIDsProperty, Type: "string"}
	const c, m, d = "2025-01-01T00:00:00Z", "2025-06-01T09:30:00Z", "2025-07-01T00:00:00Z"
	survivor := tombstoneRow{id: 10, created: c, updated: m, archivedAt: "null", name: "Acme"}
	tests := []struct {
		name    string
		obj     client.ObjectType
		objs    []hubspot.Object
		want    []tombstoneRow
		wantBad []string
	}{
		{
			name: "merged ids synced as a column too",
			obj:  client.ObjectType{Name: "companies", Properties: []hubspot.Property{mergedIDs, name}, Definitions: []hubspot.Property{mergedIDs, name}},
			objs: []hubspot.Object{{ID: "10", CreatedAt: created, UpdatedAt: merge, Values: []string{"11;12", "Acme"}}},
			want: []tombstoneRow{
				survivor,
				{id: 11, mergedInto: 10, archived: true, reason: "merged", created: "null", updated: m, archivedAt: m},
				{id: 12, mergedInto: 10, archived: true, reason: "merged", created: "null", updated: m, archivedAt: m},
			},
		},
		{
			name: "merged ids read though the allow-list leaves them out",
			obj:  client.ObjectType{Name: "companies", Properties: []hubspot.Property{name}, Definitions: []hubspot.Property{mergedIDs, name}},
			objs: []hubspot.Object{{ID: "10", CreatedAt: created, UpdatedAt: merge, Values: []string{"Acme", "11"}}},
			want: []tombstoneRow{
				survivor,
				{id: 11, mergedInto: 10, archived: true, reason: "merged", created: "null", updated: m, archivedAt: m},
			},
		},
		{
			name: "recycle bin tombstones say archived",
			obj:  client.ObjectType{Name: "companies", Properties: []hubspot.Property{name}, Definitions: []hubspot.Property{mergedIDs, name}},
			objs: []hubspot.Object{
				{ID: "10", CreatedAt: created, UpdatedAt: merge, Values: []string{"Acme", ""}},
				{ID: "20", CreatedAt: created, UpdatedAt: merge, Archived: true, ArchivedAt: &archivedAt, Values: []string{"Gone", ""}},
			},
			want: []tombstoneRow{survivor, {id: 20, archived: true, reason: "archived", created: c, updated: m, archivedAt: d, name: "Gone"}},
		},
		{
			name: "types HubSpot does not merge read no merged ids",
			obj:  client.ObjectType{Name: "notes", Properties: []hubspot.Property{name}, Definitions: []hubspot.Property{name}},
			objs: []hubspot.Object{{ID: "10", CreatedAt: created, UpdatedAt: merge, Values: []string{"Acme"}}},
			want: []tombstoneRow{survivor},
		},
		{
			name:    "a merged id that is not a number is reported and skipped",
			obj:     client.ObjectType{Name: "companies", Properties: []hubspot.Property{name}, Definitions: []hubspot.Property{mergedIDs, name}},
			objs:    []hubspot.Object{{ID: "10", CreatedAt: created, UpdatedAt: merge, Values: []string{"Acme", "x1; 11 ;"}}},
			want:    []tombstoneRow{survivor, {id: 11, mergedInto: 10, archived: true, reason: "merged", created: "null", updated: m, archivedAt: m}},
			wantBad: []string{"hs_merged_object_ids=x1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ot := ObjectTable(tt.obj)
			var bad []string
			rec, err := ot.Build("eu", tt.objs, func(column, value string, err error) { bad = append(bad, column+"="+value) })
			if err != nil {
				t.Fatal(err)
			}
			defer rec.Release()
			if !rec.Schema().Equal(ot.Table.ToArrowSchema()) {
				t.Fatalf("record schema %v differs from the table's", rec.Schema())
			}
			got := readRows(t, rec, slices.Index(ot.Table.Columns.Names(), "name"))
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("rows\n got %+v\nwant %+v", got, tt.want)
			}
			if !slices.Equal(bad, tt.wantBad) {
				t.Errorf("bad values %v, want %v", bad, tt.wantBad)
			}
			for _, col := range ot.Table.Columns.Names()[staticColumns:] {
				column := rec.Column(slices.Index(ot.Table.Columns.Names(), col))
				for i, r := range got {
					if r.reason == "merged" && column.IsValid(i) {
						t.Errorf("merged tombstone %d has a value in %s", r.id, col)
					}
				}
			}
		})
	}
}

func TestObjectTableRefusesMisalignedValues(t *testing.T) {
	mergedIDs := hubspot.Property{Name: client.MergedIDsProperty, Type: "string"}
	ot := ObjectTable(client.ObjectType{Name: "contacts", Properties: []hubspot.Property{{Name: "email", Type: "string"}}, Definitions: []hubspot.Property{mergedIDs}})
	if _, err := ot.Build("eu", []hubspot.Object{{ID: "1", Values: []string{"a@example.com"}}}, nil); err == nil {
		t.Error("a record read without the merged ids was accepted: its values would be misread")
	}
}
