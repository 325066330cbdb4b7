// Package crm defines the hubspot_crm_* tables.
package crm

import (
	"context"
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// ObjectTable is the table of one CRM object type: static columns, then one typed column per
// synced property.
func ObjectTable(obj client.ObjectType) *schema.Table {
	name := "hubspot_crm_" + columnName(obj.Name)
	cols := schema.ColumnList{
		portalColumn(),
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, PrimaryKey: true, NotNull: true, Resolver: resolveObjectID, Description: "Record id (hs_object_id)."},
		{Name: "created_at", Type: arrow.FixedWidthTypes.Timestamp_ms, Resolver: objectField(func(o *hubspot.Object) any { return o.CreatedAt }), Description: "When the record was created."},
		{Name: "updated_at", Type: arrow.FixedWidthTypes.Timestamp_ms, IncrementalKey: true, Resolver: objectField(func(o *hubspot.Object) any { return o.UpdatedAt }), Description: "Last modification (" + obj.ModifiedProperty + "); the incremental cursor."},
		{Name: "archived", Type: arrow.FixedWidthTypes.Boolean, Resolver: objectField(func(o *hubspot.Object) any { return o.Archived }), Description: "True on tombstone rows: the record was archived (deleted) in HubSpot."},
		{Name: "archived_at", Type: arrow.FixedWidthTypes.Timestamp_ms, Resolver: objectField(func(o *hubspot.Object) any { return o.ArchivedAt }), Description: "When the record was archived."},
	}
	taken := map[string]bool{}
	for _, c := range cols {
		taken[c.Name] = true
	}
	for _, p := range obj.Properties {
		col := columnName(p.Name)
		if taken[col] {
			col = "property_" + col
		}
		taken[col] = true
		cols = append(cols, propertyColumn(name, col, p))
	}
	return &schema.Table{
		Name:          name,
		Title:         "HubSpot " + obj.Name,
		Description:   fmt.Sprintf("HubSpot CRM %s (object type %s): one row per record, tombstones for archived ones. After the static columns come one typed column per HubSpot property of the portal (see docs/types.md).", obj.Name, obj.TypeID),
		Resolver:      fetchObjects(name, obj.Name),
		Multiplex:     client.Multiplex,
		IsIncremental: true,
		Columns:       cols,
	}
}

func fetchObjects(table, object string) schema.TableResolver {
	return func(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
		return meta.(*client.Meta).ReadObjects(ctx, table, object, func(objs []hubspot.Object) error {
			for i := range objs {
				select {
				case res <- &objs[i]:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			return nil
		})
	}
}

// objectField resolves a static column from a record field without reflection (PathResolver's
// reflection is measurable at hundreds of thousands of records).
func objectField(get func(*hubspot.Object) any) schema.ColumnResolver {
	return func(_ context.Context, _ schema.ClientMeta, r *schema.Resource, c schema.Column) error {
		return r.Set(c.Name, get(r.Item.(*hubspot.Object)))
	}
}

func resolveObjectID(_ context.Context, _ schema.ClientMeta, r *schema.Resource, c schema.Column) error {
	id, err := strconv.ParseInt(r.Item.(*hubspot.Object).ID, 10, 64)
	if err != nil {
		return fmt.Errorf("record id %q is not numeric: %w", r.Item.(*hubspot.Object).ID, err)
	}
	return r.Set(c.Name, id)
}

func propertyColumn(table, col string, p hubspot.Property) schema.Column {
	kind := kindOf(p)
	idx := newCachedIndex()
	return schema.Column{
		Name:        col,
		Type:        kind.arrowType(),
		Description: fmt.Sprintf("%s (HubSpot property %s, type %s/%s)", p.Label, p.Name, p.Type, p.FieldType),
		Resolver: func(_ context.Context, meta schema.ClientMeta, r *schema.Resource, c schema.Column) error {
			v := r.Item.(*hubspot.Object).Properties[p.Name]
			if v == nil || *v == "" {
				return nil // absent, null and "" (a cleared value) are all null
			}
			if err := kind.set(r.GetValues()[idx.of(r, c.Name)], *v); err != nil {
				meta.(*client.Meta).CountBadValue(table, c.Name, *v, err)
			}
			return nil
		},
	}
}
