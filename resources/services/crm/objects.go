// Package crm defines the hubspot_crm_* tables.
package crm

import (
	"fmt"
	"strconv"
	"sync/atomic"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
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
		props[i] = propertyColumn{column: col, property: p.Name, kind: kindOf(p)}
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
	b := &recordBuilder{schema: table.ToArrowSchema(), props: props, textBytes: make([]atomic.Int64, len(props))}
	return client.ObjectTable{Table: table, Object: obj.Name, Build: b.build}
}

// propertyColumn is where one HubSpot property lands.
type propertyColumn struct {
	column, property string
	kind             valueKind
}

// recordBuilder turns a page of records into one Arrow record of its table.
type recordBuilder struct {
	schema *arrow.Schema
	props  []propertyColumn
	// textBytes remembers each text column's size on the previous page, so its buffer is sized
	// once rather than grown by copying; pages of one table are alike.
	textBytes []atomic.Int64
}

func (b *recordBuilder) build(portal string, objs []hubspot.Object, bad client.BadValueFunc) (arrow.Record, error) {
	rb := array.NewRecordBuilder(memory.DefaultAllocator, b.schema)
	defer rb.Release()
	rb.Reserve(len(objs))
	portals := rb.Field(0).(*array.StringBuilder)
	ids := rb.Field(1).(*array.Int64Builder)
	created := rb.Field(2).(*array.TimestampBuilder)
	updated := rb.Field(3).(*array.TimestampBuilder)
	archived := rb.Field(4).(*array.BooleanBuilder)
	archivedAt := rb.Field(5).(*array.TimestampBuilder)
	for i := range objs {
		o := &objs[i]
		id, err := strconv.ParseInt(o.ID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("record id %q is not numeric: %w", o.ID, err)
		}
		portals.Append(portal)
		ids.Append(id)
		created.Append(arrow.Timestamp(o.CreatedAt.UnixMilli()))
		updated.Append(arrow.Timestamp(o.UpdatedAt.UnixMilli()))
		archived.Append(o.Archived)
		if o.ArchivedAt != nil {
			archivedAt.Append(arrow.Timestamp(o.ArchivedAt.UnixMilli()))
		} else {
			archivedAt.AppendNull()
		}
	}
	fields := rb.Fields()[staticColumns:]
	for c, f := range fields {
		if sb, ok := f.(*array.StringBuilder); ok {
			sb.ReserveData(int(b.textBytes[c].Load()))
		}
	}
	for i := range objs {
		props := objs[i].Properties // one record's map at a time: its lookups stay in cache
		for c, p := range b.props {
			v := props[p.property]
			if v == nil || *v == "" {
				fields[c].AppendNull() // absent, null and "" (a cleared value) are all null
				continue
			}
			if err := p.kind.append(fields[c], *v); err != nil {
				fields[c].AppendNull()
				bad(p.column, *v, err)
			}
		}
	}
	for c, f := range fields {
		if sb, ok := f.(*array.StringBuilder); ok {
			b.textBytes[c].Store(int64(sb.DataLen()))
		}
	}
	return rb.NewRecord(), nil
}
