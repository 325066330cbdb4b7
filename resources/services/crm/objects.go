// Package crm defines the hubspot_crm_* tables.
package crm

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// staticColumns come first in every object table, in this order.
const staticColumns = 8

// Values of archived_reason on tombstone rows.
const (
	reasonArchived    = "archived"
	reasonMerged      = "merged"
	reasonFilteredOut = "filtered_out"
)

// ObjectTable is the table of one CRM object type: static columns, then one typed column per
// synced property. Its rows are built straight into Arrow arrays (see client.ObjectTable).
func ObjectTable(obj client.ObjectType) client.ObjectTable {
	name := "hubspot_crm_" + columnName(obj.Name)
	cols := schema.ColumnList{
		{Name: "portal", Type: arrow.BinaryTypes.String, PrimaryKey: true, NotNull: true, Description: "Name of the portal in the spec (`default` for a single-portal spec)."},
		{Name: "id", Type: arrow.PrimitiveTypes.Int64, PrimaryKey: true, NotNull: true, Description: "Record id (hs_object_id)."},
		{Name: "created_at", Type: arrow.FixedWidthTypes.Timestamp_ms, Description: "When the record was created; null on `merged` tombstones."},
		{Name: "updated_at", Type: arrow.FixedWidthTypes.Timestamp_ms, IncrementalKey: true, Description: "Last modification (" + obj.ModifiedProperty + "); the incremental cursor. On `merged` tombstones, the merge (the survivor's last modification)."},
		{Name: "archived", Type: arrow.FixedWidthTypes.Boolean, Description: "True on tombstone rows: the record left HubSpot (archived, or merged into another) or the sync's record filters (see archived_reason)."},
		{Name: "archived_at", Type: arrow.FixedWidthTypes.Timestamp_ms, Description: "When the record was archived, merged away (the survivor's last modification), or changed so that it no longer matches the filters (its last modification)."},
		{Name: "archived_reason", Type: arrow.BinaryTypes.String, Description: "Why a tombstone row's record left: `archived` (in the recycle bin), `merged` (merged into merged_into_id) or `filtered_out` (no longer matches the spec's filters; its values are the record's as read). Null on live rows."},
		// Null wherever nothing was merged, which is every row of the types HubSpot does not merge.
		{Name: "merged_into_id", Type: arrow.PrimitiveTypes.Int64, IgnoreInTests: true, Description: "On a `merged` tombstone, the id of the record it was merged into; every property column of such a row is null."},
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
		Description:   fmt.Sprintf("HubSpot CRM %s (object type %s): one row per record, tombstones for archived and merged-away ones and for records that no longer match the spec's filters (see docs/incremental.md). After the static columns come one typed column per HubSpot property of the portal (see docs/types.md).", obj.Name, obj.TypeID),
		IsIncremental: true,
		Columns:       cols,
	}
	read := obj.ReadProperties()
	b := &recordBuilder{schema: table.ToArrowSchema(), props: props, values: len(read), mergedAt: slices.Index(read, client.MergedIDsProperty)}
	return client.ObjectTable{Table: table, Object: obj.Name, Build: b.build}
}

// propertyColumn is where one HubSpot property lands.
type propertyColumn struct {
	column string
	kind   valueKind
}

// recordBuilder turns a page of records into one Arrow record of its table. The records carry
// their property values by position (hubspot.Object.Values) in the order of
// obj.ReadProperties: first the property columns' values, in column order, then possibly the
// merged ids read for tombstones only.
type recordBuilder struct {
	schema   *arrow.Schema
	props    []propertyColumn
	values   int // values per record
	mergedAt int // position of hs_merged_object_ids among the values; -1 when the type has none
}

// mergeTombstone is the row of a record merged into another: HubSpot lists it nowhere, so it
// leaves the warehouse through the survivor's hs_merged_object_ids.
type mergeTombstone struct {
	id, into int64
	at       arrow.Timestamp // the survivor's last modification: the merge or later
}

func (b *recordBuilder) build(portal string, all []hubspot.Object, bad client.BadValueFunc) (arrow.Record, error) {
	var tombs []mergeTombstone
	objs := make([]hubspot.Object, 0, len(all)) // the records that get a row of their own
	ids := make([]int64, 0, len(all))
	for i := range all {
		o := &all[i]
		id, err := strconv.ParseInt(o.ID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("record id %q is not numeric: %w", o.ID, err)
		}
		if len(o.Values) != b.values {
			return nil, fmt.Errorf("record %s carries %d property values, want %d", o.ID, len(o.Values), b.values)
		}
		if b.mergedAt >= 0 {
			tombs = appendMerged(tombs, id, arrow.Timestamp(o.UpdatedAt.UnixMilli()), o.Values[b.mergedAt], bad)
		}
		if !o.MergesOnly {
			objs, ids = append(objs, *o), append(ids, id)
		}
	}
	n := len(objs) + len(tombs)
	portals := make([]string, n)
	created, updated, archivedAt := make([]arrow.Timestamp, n), make([]arrow.Timestamp, n), make([]arrow.Timestamp, n)
	createdValid, archivedAtValid, mergedValid := newValidity(n), newValidity(n), newValidity(n)
	archived, reasons, mergedInto := make([]bool, n), make([]string, n), make([]int64, n)
	for i := range objs {
		o := &objs[i]
		portals[i], archived[i] = portal, o.Archived || o.FilteredOut
		created[i], updated[i] = arrow.Timestamp(o.CreatedAt.UnixMilli()), arrow.Timestamp(o.UpdatedAt.UnixMilli())
		createdValid.set(i, true)
		switch {
		case o.Archived:
			reasons[i] = reasonArchived
			if o.ArchivedAt != nil {
				archivedAt[i] = arrow.Timestamp(o.ArchivedAt.UnixMilli())
			}
		case o.FilteredOut:
			reasons[i], archivedAt[i] = reasonFilteredOut, updated[i]
		}
		archivedAtValid.set(i, o.ArchivedAt != nil || o.FilteredOut)
		mergedValid.set(i, false)
	}
	for j, tomb := range tombs {
		i := len(objs) + j
		ids = append(ids, tomb.id)
		portals[i], archived[i], reasons[i], mergedInto[i] = portal, true, reasonMerged, tomb.into
		updated[i], archivedAt[i] = tomb.at, tomb.at
		createdValid.set(i, false)
		archivedAtValid.set(i, true)
		mergedValid.set(i, true)
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
		fixedArray(typeOf(2), created, createdValid),
		fixedArray(typeOf(3), updated, validity{}),
		boolArray(archived, validity{}),
		fixedArray(typeOf(5), archivedAt, archivedAtValid),
		textColumn(reasons),
		fixedArray(typeOf(7), mergedInto, mergedValid),
	)
	// Tombstones of merges carry no values: their cells stay "", which is null.
	vals := make([]string, n)
	for c, p := range b.props {
		for i := range objs {
			vals[i] = objs[i].Values[c]
		}
		cols = append(cols, p.kind.column(vals, func(i int, err error) { bad(p.column, vals[i], err) }))
	}
	return array.NewRecord(b.schema, cols, int64(n)), nil
}

// appendMerged adds a tombstone for each id of a survivor's hs_merged_object_ids; an id that is not
// a number is reported to bad and skipped.
func appendMerged(tombs []mergeTombstone, survivor int64, at arrow.Timestamp, mergedIDs string, bad client.BadValueFunc) []mergeTombstone {
	ids, notIDs := client.MergedIDs(mergedIDs)
	for _, part := range notIDs {
		bad(client.MergedIDsProperty, part, fmt.Errorf("merged id %q of record %d is not numeric", part, survivor))
	}
	for _, id := range ids {
		tombs = append(tombs, mergeTombstone{id: id, into: survivor, at: at})
	}
	return tombs
}
