// Package crm defines the hubspot_crm_* tables.
package crm

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// staticColumns come first in every object table, in this order.
const staticColumns = 6

// ObjectTable is the table of one CRM object type: static columns, then one typed column per
// synced property. Its rows are built straight into Arrow arrays (see client.ObjectTable).
func ObjectTable(obj client.ObjectType) client.ObjectTable {
	name := "hubspot_crm_" + columnName(obj.Name)
	cols := schema.ColumnList{
		{Name: "portal", Type: arrow.BinaryTypes.String, PrimaryKey: true, NotNull: true, Description: "Name of the portal in the spec (`default` for a single-portal spec)."},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, PrimaryKey: true, NotNull: true, Description: "Record id (hs_object_id)."},
		{Name: "created_at", Type: arrow.FixedWidthTypes.Timestamp_ms, Description: "When the record was created."},
		{Name: "updated_at", Type: arrow.FixedWidthTypes.Timestamp_ms, IncrementalKey: true, Description: "Last modification (" + obj.ModifiedProperty + "); the incremental cursor."},
		{Name: "archived", Type: arrow.FixedWidthTypes.Boolean, Description: "True on tombstone rows: the record was archived (deleted) in HubSpot."},
		{Name: "archived_at", Type: arrow.FixedWidthTypes.Timestamp_ms, Description: "When the record was archived."},
	}
	taken := map[string]bool{}
	for _, c := range cols {
		taken[c.Name] = true
	}
	props := make([]propertyColumn, len(obj.Properties))
	for i, p := range obj.Properties {
		col := columnName(p.Name)
		if taken[col] {
			col = "property_" + col
		}
		taken[col] = true
		props[i] = propertyColumn{column: col, kind: kindOf(p)}
		cols = append(cols, schema.Column{
			Name:        col,
			Type:        props[i].kind.arrowType(),
			Description: fmt.Sprintf("%s (HubSpot property %s, type %s/%s)", p.Label, p.Name, p.Type, p.FieldType),
		})
	}
	table := &schema.Table{
		Name:          name,
		Title:         "HubSpot " + obj.Name,
		Description:   fmt.Sprintf("HubSpot CRM %s (object type %s): one row per record, tombstones for archived ones. After the static columns come one typed column per HubSpot property of the portal (see docs/types.md).", obj.Name, obj.TypeID),
		IsIncremental: true,
		Columns:       cols,
	}
	b := &recordBuilder{schema: table.ToArrowSchema(), props: props}
	return client.ObjectTable{Table: table, Object: obj.Name, Build: b.build}
}

// propertyColumn is where one HubSpot property lands.
type propertyColumn struct {
	column string
	kind   valueKind
}

// recordBuilder turns a page of records into one Arrow record of its table. The records carry
// their property values by position (hubspot.Object.Values) in the order of obj.Properties, which
// is also the order of the property columns.
type recordBuilder struct {
	schema *arrow.Schema
	props  []propertyColumn
}

func (b *recordBuilder) build(portal string, objs []hubspot.Object, bad client.BadValueFunc) (arrow.Record, error) {
	n := len(objs)
	portals, ids := make([]string, n), make([]int64, n)
	created, updated, archivedAt := make([]arrow.Timestamp, n), make([]arrow.Timestamp, n), make([]arrow.Timestamp, n)
	archived, archivedAtValid := make([]bool, n), newValidity(n)
	for i := range objs {
		o := &objs[i]
		id, err := strconv.ParseInt(o.ID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("record id %q is not numeric: %w", o.ID, err)
		}
		if len(o.Values) != len(b.props) {
			return nil, fmt.Errorf("record %s carries %d property values for %d property columns", o.ID, len(o.Values), len(b.props))
		}
		portals[i], ids[i], archived[i] = portal, id, o.Archived
		created[i], updated[i] = arrow.Timestamp(o.CreatedAt.UnixMilli()), arrow.Timestamp(o.UpdatedAt.UnixMilli())
		if o.ArchivedAt != nil {
			archivedAt[i] = arrow.Timestamp(o.ArchivedAt.UnixMilli())
		}
		archivedAtValid.set(i, o.ArchivedAt != nil)
	}
	cols := make([]arrow.Array, 0, staticColumns+len(b.props))
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	typeOf := func(c int) arrow.DataType { return b.schema.Field(c).Type }
	cols = append(cols,
		textColumn(portals),
		fixedArray(typeOf(1), ids, validity{}),
		fixedArray(typeOf(2), created, validity{}),
		fixedArray(typeOf(3), updated, validity{}),
		boolArray(archived, validity{}),
		fixedArray(typeOf(5), archivedAt, archivedAtValid),
	)
	vals := make([]string, n)
	for c, p := range b.props {
		for i := range objs {
			vals[i] = objs[i].Values[c]
		}
		cols = append(cols, p.kind.column(vals, func(i int, err error) { bad(p.column, vals[i], err) }))
	}
	return array.NewRecord(b.schema, cols, int64(n)), nil
}
