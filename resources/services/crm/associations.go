package crm

import (
	"context"
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
)

// associationRow is one labelled association between two records.
type associationRow struct {
	FromObjectType string
	FromID         int64
	ToObjectType   string
	ToID           int64
	TypeID         int64
	Category       string
	Label          *string
}

// Associations is the table of associations between records, refreshed for the records that
// changed since the last run (or all of them with associations.full_refresh).
func Associations() *schema.Table {
	return &schema.Table{
		Name:          "hubspot_crm_associations",
		Title:         "HubSpot associations",
		Description:   "Associations between CRM records, one row per association type (labels included). Refreshed for records changed since the last run; association changes alone do not mark a record changed in HubSpot, so use associations.full_refresh to re-read all.",
		Resolver:      fetchAssociations,
		Multiplex:     client.Multiplex,
		IsIncremental: true,
		Columns: schema.ColumnList{
			portalColumn(),
			primaryKey(column("from_object_type", arrow.BinaryTypes.String, "FromObjectType", "Object type of the record the association is read from.")),
			primaryKey(column("from_id", arrow.PrimitiveTypes.Int64, "FromID", "")),
			primaryKey(column("to_object_type", arrow.BinaryTypes.String, "ToObjectType", "")),
			primaryKey(column("to_id", arrow.PrimitiveTypes.Int64, "ToID", "")),
			primaryKey(column("type_id", arrow.PrimitiveTypes.Int64, "TypeID", "Association type id (e.g. 279 contact to company).")),
			column("category", arrow.BinaryTypes.String, "Category", "HUBSPOT_DEFINED, USER_DEFINED or INTEGRATOR_DEFINED."),
			column("label", arrow.BinaryTypes.String, "Label", "The association label; null for unlabelled types."),
		},
	}
}

func fetchAssociations(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	m := meta.(*client.Meta)
	byFrom := map[string][]client.AssociationPair{}
	var froms []client.ObjectType
	pairs, err := m.AssociationPairs(ctx)
	if err != nil {
		return err
	}
	for _, pair := range pairs {
		if len(byFrom[pair.From.Name]) == 0 {
			froms = append(froms, pair.From)
		}
		byFrom[pair.From.Name] = append(byFrom[pair.From.Name], pair)
	}
	table := Associations().Name
	var pending []associationRow // sent in slices of 100 or more; see sendRows
	for _, from := range froms {
		err := m.ReadChangedIDs(ctx, table, from, func(ids []string) error {
			for _, pair := range byFrom[from.Name] {
				rows, err := readAssociations(ctx, m, pair, ids)
				if err != nil {
					return err
				}
				pending = append(pending, rows...)
			}
			if len(pending) < 100 {
				return nil
			}
			err := sendRows(ctx, res, pending)
			pending = nil
			return err
		})
		if err != nil {
			return err
		}
	}
	return sendRows(ctx, res, pending)
}

// readAssociations reads the associations of ids from one pair's source object to its target.
func readAssociations(ctx context.Context, m *client.Meta, pair client.AssociationPair, ids []string) ([]associationRow, error) {
	sets, err := m.Portal.API.Associations.BatchRead(ctx, pair.From.TypeID, pair.To.TypeID, ids)
	if err != nil {
		return nil, fmt.Errorf("read %s to %s associations: %w", pair.From.Name, pair.To.Name, err)
	}
	var rows []associationRow
	for _, set := range sets {
		fromID, err := strconv.ParseInt(set.FromID, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("association from id %q is not numeric: %w", set.FromID, err)
		}
		for _, to := range set.To {
			toID, err := strconv.ParseInt(to.ToObjectID, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("association to id %q is not numeric: %w", to.ToObjectID, err)
			}
			for _, t := range to.Types {
				rows = append(rows, associationRow{FromObjectType: pair.From.Name, FromID: fromID, ToObjectType: pair.To.Name, ToID: toID, TypeID: int64(t.TypeID), Category: t.Category, Label: t.Label})
			}
		}
	}
	return rows, nil
}
