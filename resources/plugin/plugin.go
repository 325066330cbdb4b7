// Package plugin holds the plugin's identity and assembles it from the client and the tables.
package plugin

import (
	"github.com/cloudquery/plugin-sdk/v4/plugin"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/resources/services"
)

const (
	Name = "hubspot"
	Kind = "source"
	Team = "hubspot-cq"
)

// Version is set at build time with -ldflags "-X .../resources/plugin.Version=v1.2.3".
var Version = "development"

// Plugin returns the plugin, serving both Sync (source) and Write (reverse ETL). Options are for
// in-process runs (client.WithReport, client.WithLocalState); served to the CloudQuery CLI, it
// takes none.
func Plugin(options ...client.Option) *plugin.Plugin {
	p := plugin.NewPlugin(Name, Version, client.New(Version, services.Tables, options...),
		plugin.WithKind(Kind),
		plugin.WithTeam(Team),
		plugin.WithJSONSchema(spec.JSONSchema),
	)
	// The SDK's check at Init lists every table, which would discover every object type of every
	// portal; the client makes the same check on the tables a run selects.
	p.SetSkipTableValidation(true)
	return p
}
