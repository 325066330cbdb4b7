package crm

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// membershipRow is one record in one list.
type membershipRow struct {
	ObjectTypeID string
	ObjectType   *string
	RecordID     int64
	JoinedAt     time.Time
}

// ListMemberships is the table of every list's members, a child of Lists.
func ListMemberships() *schema.Table {
	return &schema.Table{
		Name:  "hubspot_crm_list_memberships",
		Title: "HubSpot list memberships",
		Description: "The records in each list, one row per list and record. Read in full on every run (not incremental: " +
			"one request per 250 members of each list, and at least one per list), so with " +
			"`write_mode: overwrite-delete-stale` the destination's delete-stale step removes the rows of memberships " +
			"that ended: records removed from a list, that stopped matching a DYNAMIC list's filters, or that were archived. " +
			"Needs scope `" + listsScope + "`, as hubspot_crm_lists does.",
		Resolver: fetchListMemberships,
		Columns: schema.ColumnList{
			portalColumn(),
			primaryKey(schema.Column{Name: "list_id", Type: arrow.BinaryTypes.String, Resolver: schema.ParentColumnResolver("id"),
				Description: "The list's id (`hubspot_crm_lists.id`)."}),
			column("object_type_id", arrow.BinaryTypes.String, "ObjectTypeID", "Object type id of the record: 0-1 for contacts, 0-2 for companies..."),
			column("object_type", arrow.BinaryTypes.String, "ObjectType", "Plural name of the record's standard object type; its table is hubspot_crm_<object_type>."),
			primaryKey(column("record_id", arrow.PrimitiveTypes.Int64, "RecordID", "The record's id, as its object table's `id` holds it.")),
			column("membership_timestamp", arrow.FixedWidthTypes.Timestamp_ms, "JoinedAt", "When the record was added to the list."),
		},
	}
}

func fetchListMemberships(ctx context.Context, meta schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
	list := parent.Item.(listRow)
	for page, err := range portalOf(meta).API.Lists.Memberships(ctx, list.ID, hubspot.MembershipOptions{}) {
		if err != nil {
			return fmt.Errorf("read members of list %s: %w", list.ID, err)
		}
		rows := make([]membershipRow, len(page.Members))
		for i, mb := range page.Members {
			id, err := strconv.ParseInt(mb.RecordID, 10, 64)
			if err != nil {
				return fmt.Errorf("list %s: record id %q is not a number: %w", list.ID, mb.RecordID, err)
			}
			rows[i] = membershipRow{ObjectTypeID: list.ObjectTypeID, ObjectType: list.ObjectType, RecordID: id, JoinedAt: mb.JoinedAt}
		}
		if err := sendRows(ctx, res, rows); err != nil {
			return err
		}
	}
	return nil
}
