package crm

import (
	"context"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/types"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// propertyRow is a property definition with the object type it belongs to.
type propertyRow struct {
	ObjectType string
	hubspot.Property
}

// Properties is the table of property definitions of every synced object type, all of them
// (allow-lists limit the object tables' columns, not this table). Definitions discovery read for
// the run's object tables are not read again.
func Properties() *schema.Table {
	return &schema.Table{
		Name:        "hubspot_crm_properties",
		Title:       "HubSpot property definitions",
		Description: "Property definitions per object type: type, field type, options, and whether a value can be written.",
		Resolver:    fetchProperties,
		Multiplex:   client.Multiplex,
		Columns: schema.ColumnList{
			portalColumn(),
			primaryKey(column("object_type", arrow.BinaryTypes.String, "ObjectType", "Object type (plural name).")),
			primaryKey(column("name", arrow.BinaryTypes.String, "Name", "Property name.")),
			column("label", arrow.BinaryTypes.String, "Label", ""),
			column("type", arrow.BinaryTypes.String, "Type", "string, number, bool, date, datetime, enumeration, phone_number, ..."),
			column("field_type", arrow.BinaryTypes.String, "FieldType", "Form field type; checkbox enumerations are multi-select."),
			column("group_name", arrow.BinaryTypes.String, "GroupName", ""),
			column("description", arrow.BinaryTypes.String, "Description", ""),
			column("options", types.ExtensionTypes.JSON, "Options", "Enumeration options as [{label, value, displayOrder, hidden}]."),
			column("calculated", arrow.FixedWidthTypes.Boolean, "Calculated", ""),
			column("has_unique_value", arrow.FixedWidthTypes.Boolean, "HasUniqueValue", "Usable as an upsert key."),
			column("hidden", arrow.FixedWidthTypes.Boolean, "Hidden", ""),
			column("hubspot_defined", arrow.FixedWidthTypes.Boolean, "HubspotDefined", "False for custom properties."),
			column("read_only_value", arrow.FixedWidthTypes.Boolean, "ModificationMetadata.ReadOnlyValue", "Values cannot be written through the API."),
			column("read_only_definition", arrow.FixedWidthTypes.Boolean, "ModificationMetadata.ReadOnlyDefinition", ""),
			column("referenced_object_type", arrow.BinaryTypes.String, "ReferencedObjectType", ""),
		},
	}
}

func fetchProperties(ctx context.Context, meta schema.ClientMeta, _ *schema.Resource, res chan<- any) error {
	cat, err := portalOf(meta).Catalog(ctx)
	if err != nil {
		return err
	}
	var rows []propertyRow
	for _, obj := range cat.Objects {
		for _, prop := range obj.Definitions {
			rows = append(rows, propertyRow{ObjectType: obj.Name, Property: prop})
		}
	}
	return sendRows(ctx, res, rows)
}
