package crm

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/types"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// listsScope is what both list tables need; without it they are skipped unless named.
const listsScope = "crm.lists.read"

// listRow is a list with the name of its members' object type.
type listRow struct {
	hubspot.List
	ObjectType *string
	Archived   bool
}

const listsTable = "hubspot_crm_lists"

// Lists is the table of the portal's lists (segments) of any object type, with their members in
// ListMemberships: its Sync reads the lists, then the members of those that changed.
func Lists() client.CustomTable {
	memberships := ListMemberships()
	table := &schema.Table{
		Name:  listsTable,
		Title: "HubSpot lists",
		Description: "Lists (segments) of contacts, companies and other records, of every processing type: " +
			"MANUAL and SNAPSHOT lists change when users add or remove records, DYNAMIC lists follow their filters. " +
			"Read in full on every run (one request per 500 lists), so with `write_mode: overwrite-delete-stale` " +
			"the destination drops deleted lists. Needs scope `" + listsScope + "`: without it the table is skipped " +
			"when selected through a pattern such as `*`, and the sync fails when the table is named.",
		Columns: schema.ColumnList{
			portalColumn(),
			primaryKey(column("id", arrow.BinaryTypes.String, "ID", "The list's ILS id, as `hubspot_crm_list_memberships.list_id` holds it.")),
			column("name", arrow.BinaryTypes.String, "Name", ""),
			column("object_type_id", arrow.BinaryTypes.String, "ObjectTypeID", "Object type id of the members: 0-1 for contacts, 0-2 for companies, 2-NNNN for a custom object."),
			column("object_type", arrow.BinaryTypes.String, "ObjectType", "Plural name of the members' standard object type (contacts, companies...); null for a custom object."),
			column("processing_type", arrow.BinaryTypes.String, "ProcessingType", "MANUAL, DYNAMIC or SNAPSHOT."),
			column("processing_status", arrow.BinaryTypes.String, "ProcessingStatus", "COMPLETE once HubSpot has evaluated the list."),
			column("size", arrow.PrimitiveTypes.Int64, "Size", "Members when read (hs_list_size)."),
			column("version", arrow.PrimitiveTypes.Int64, "Version", "Bumped by HubSpot on every change of the list's definition."),
			column("created_at", arrow.FixedWidthTypes.Timestamp_ms, "CreatedAt", ""),
			column("updated_at", arrow.FixedWidthTypes.Timestamp_ms, "UpdatedAt", ""),
			column("filters_updated_at", arrow.FixedWidthTypes.Timestamp_ms, "FiltersUpdatedAt", "When a DYNAMIC list's filters last changed."),
			column("archived", arrow.FixedWidthTypes.Boolean, "Archived", "True for a deleted list (HubSpot keeps them restorable for a while)."),
			column("properties", types.ExtensionTypes.JSON, "Properties", "List properties as HubSpot returns them: hs_list_size, hs_last_record_added_at, hs_last_record_removed_at..."),
		},
		Relations: schema.Tables{memberships},
	}
	memberships.Parent = table
	return client.CustomTable{Table: table, Sync: syncLists, Companions: []string{listMembershipRefreshesTable}}
}

// syncLists sends every list of the portal, then, when the run selected the memberships table,
// the members of the lists that changed.
func syncLists(ctx context.Context, m *client.Meta, selected *schema.Table, send func(arrow.Record) error) error {
	lists, err := m.Portal.API.Lists.All(ctx, hubspot.ListSearch{})
	if err != nil {
		if m.SkipForScope(err, "lists", listsTable, listMembershipsTable, listMembershipRefreshesTable) {
			return nil
		}
		return fmt.Errorf("search lists: %w", err)
	}
	if err := sendLists(ctx, m, selected, lists, send); err != nil {
		return err
	}
	memberships := selected.Relations.Get(listMembershipsTable)
	if memberships == nil {
		return nil
	}
	plan, err := m.PlanMemberships(ctx, memberships.Name, lists)
	if err != nil {
		return &client.RelationFailed{Table: memberships.Name, Err: err}
	}
	if err := sendLists(ctx, m, selected, plan.Missed, send); err != nil {
		return err
	}
	if err := syncMemberships(ctx, m, memberships, plan, send); err != nil {
		return &client.RelationFailed{Table: memberships.Name, Err: err}
	}
	return nil
}

func sendLists(ctx context.Context, m *client.Meta, table *schema.Table, lists []hubspot.List, send func(arrow.Record) error) error {
	rows := make([]listRow, len(lists))
	for i, l := range lists {
		rows[i] = listRow{List: l, ObjectType: objectTypeName(l.ObjectTypeID), Archived: l.DeletedAt != nil}
	}
	return sendResolved(ctx, m, table, rows, send)
}

// objectTypeName names a standard object type by its type id; nil for any other.
func objectTypeName(typeID string) *string {
	for _, o := range client.StandardObjects {
		if o.TypeID == typeID {
			return &o.Name
		}
	}
	return nil
}
