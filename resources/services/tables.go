// Package services lists every table of the plugin.
package services

import (
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/resources/services/crm"
)

// Tables builds the plugin's tables for a catalog: one table per object type it holds, then the
// definition tables and associations.
func Tables(cat *client.Catalog) schema.Tables {
	tables := make(schema.Tables, 0, len(cat.Objects)+4)
	for _, obj := range cat.Objects {
		tables = append(tables, crm.ObjectTable(obj))
	}
	return append(tables, crm.Owners(), crm.Pipelines(), crm.Properties(), crm.Associations())
}
