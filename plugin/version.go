// Package plugin holds the version that the plugin SDK's `package` command stamps into the
// binaries it builds. plugin-sdk v4.71.1 passes -X <module>/plugin.Version=<the version packaged>
// and -X <module>/resources/plugin.Version=<the module path>; the second is a mistake of the SDK's,
// so the plugin reads its version from here (see resources/plugin.Version).
package plugin

// Version is set by -ldflags "-X github.com/hubspot-cq/cq-plugin-hubspot/plugin.Version=v1.2.3",
// as `hubspot package` and `make build` do; empty in other builds.
var Version string
