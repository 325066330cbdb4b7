// Package services lists every table of the plugin.
package services

import (
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/resources/services/crm"
)

// Tables builds the plugin's tables for a catalog: one table per object type it holds, then the
// definition tables, lists (with their memberships) and, unless the spec turns them off,
// associations.
func Tables(cat *client.Catalog, s *spec.Spec) client.TableSet {
	set := client.TableSet{Tables: make(schema.Tables, 0, len(cat.Objects)+5)}
	for _, obj := range cat.Objects {
		ot := crm.ObjectTable(obj)
		set.Objects = append(set.Objects, ot)
		set.Tables = append(set.Tables, ot.Table)
	}
	set.Tables = append(set.Tables, crm.Owners(), crm.Pipelines(), crm.Properties())
	addCustom := func(ct client.CustomTable) {
		set.Custom = append(set.Custom, ct)
		set.Tables = append(set.Tables, ct.Table)
	}
	addCustom(crm.Lists())
	if s == nil || *s.Associations.Enabled {
		addCustom(crm.Associations())
	}
	return set
}
