package plugin

import (
	"runtime/debug"
	"testing"
)

func TestResolveVersion(t *testing.T) {
	withMain := func(version string) func() (*debug.BuildInfo, bool) {
		return func() (*debug.BuildInfo, bool) {
			return &debug.BuildInfo{Main: debug.Module{Path: "github.com/hubspot-cq/cq-plugin-hubspot", Version: version}}, true
		}
	}
	noInfo := func() (*debug.BuildInfo, bool) { return nil, false }
	tests := []struct {
		name      string
		stamped   string
		buildInfo func() (*debug.BuildInfo, bool)
		want      string
	}{
		{"stamped by hubspot package or make build", "v1.2.3", withMain("v0.0.0-20260101000000-abcdef123456"), "v1.2.3"},
		{"go install module@version", "", withMain("v1.4.0"), "v1.4.0"},
		{"go build in a checkout", "", withMain("v0.0.0-20260101000000-abcdef123456+dirty"), "v0.0.0-20260101000000-abcdef123456+dirty"},
		{"go run or a test binary", "", withMain("(devel)"), developmentVersion},
		{"no build info", "", noInfo, developmentVersion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := resolveVersion(tc.stamped, tc.buildInfo); got != tc.want {
				t.Errorf("resolveVersion(%q) = %q, want %q", tc.stamped, got, tc.want)
			}
		})
	}
}
