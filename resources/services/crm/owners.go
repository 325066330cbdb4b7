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

// Owners is the table of HubSpot users and queues that can own records (hubspot_owner_id
// values), active and archived, read in full on every run.
func Owners() *schema.Table {
	return &schema.Table{
		Name:        "hubspot_crm_owners",
		Title:       "HubSpot owners",
		Description: "Users who can own CRM records; `id` is what hubspot_owner_id properties hold.",
		Resolver:    fetchOwners,
		Multiplex:   client.Multiplex,
		Columns: schema.ColumnList{
			portalColumn(),
			primaryKey(column("id", arrow.BinaryTypes.String, "ID", "Owner id.")),
			column("email", arrow.BinaryTypes.String, "Email", ""),
			column("first_name", arrow.BinaryTypes.String, "FirstName", ""),
			column("last_name", arrow.BinaryTypes.String, "LastName", ""),
			column("type", arrow.BinaryTypes.String, "Type", "PERSON, or QUEUE for a queue of users."),
			column("user_id", arrow.PrimitiveTypes.Int64, "UserID", "The owner's HubSpot user id, kept after the user is deactivated; null for a queue."),
			column("teams", types.ExtensionTypes.JSON, "Teams", "Teams as [{id, name, primary}]."),
			column("created_at", arrow.FixedWidthTypes.Timestamp_ms, "CreatedAt", ""),
			column("updated_at", arrow.FixedWidthTypes.Timestamp_ms, "UpdatedAt", ""),
			column("archived", arrow.FixedWidthTypes.Boolean, "Archived", "True for deactivated owners."),
		},
	}
}

func fetchOwners(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	api := portalOf(meta).API
	var owners []hubspot.Owner
	for _, archived := range []bool{false, true} {
		for owner, err := range api.Owners.List(ctx, archived) {
			if err != nil {
				return fmt.Errorf("list owners (archived=%t): %w", archived, err)
			}
			owners = append(owners, owner)
		}
	}
	return sendRows(ctx, res, owners)
}
