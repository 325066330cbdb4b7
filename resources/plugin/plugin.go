// Package plugin holds the plugin's identity and assembles it from the client and the tables.
package plugin

import (
	"runtime/debug"

	"github.com/cloudquery/plugin-sdk/v4/plugin"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	stamped "github.com/hubspot-cq/cq-plugin-hubspot/plugin"
	"github.com/hubspot-cq/cq-plugin-hubspot/resources/services"
)

const (
	Name = "hubspot"
	Kind = "source"
	Team = "hubspot-cq"
)

// developmentVersion is the version of a build that says nothing about its own.
const developmentVersion = "development"

// Version is the plugin's version: the one stamped at build time into plugin.Version (by
// `hubspot package` or `make build`), else the module version that `go install module@v1.2.3`
// records, else "development". It is computed rather than constant so that the package command's
// -X of this variable, which plugin-sdk v4.71.1 sets to the module path, has no effect.
var Version = resolveVersion(stamped.Version, debug.ReadBuildInfo)

func resolveVersion(stampedVersion string, buildInfo func() (*debug.BuildInfo, bool)) string {
	if stampedVersion != "" {
		return stampedVersion
	}
	// Test binaries and `go run` report "(devel)" or nothing.
	if info, ok := buildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return developmentVersion
}

// Plugin returns the plugin, serving both Sync (source) and Write (reverse ETL). Options are for
// in-process runs (client.WithReport, client.WithLocalState); served to the CloudQuery CLI, it
// takes none.
func Plugin(options ...client.Option) *plugin.Plugin {
	p := plugin.NewPlugin(Name, Version, client.New(Version, services.Tables, options...),
		plugin.WithKind(Kind),
		plugin.WithTeam(Team),
		plugin.WithJSONSchema(spec.JSONSchema),
		plugin.WithConnectionTester(client.TestConnection(Version)),
	)
	// The SDK's check at Init lists every table, which would discover every object type of every
	// portal; the client makes the same check on the tables a run selects.
	p.SetSkipTableValidation(true)
	return p
}
