package hubspot

import (
	"net/url"
	"strings"
)

// area is an API area whose path prefix depends on the API version.
type area int

const (
	areaObjects area = iota
	areaProperties
	areaSchemas
	areaAssociations
	areaPipelines
	areaOwners
	areaLists
	areaCount
)

// prefixes maps each version to each area's path prefix. It is the only place that knows the
// two path families.
var prefixes = map[string][areaCount]string{
	APIVersionV3: {
		areaObjects:      "/crm/v3/objects",
		areaProperties:   "/crm/v3/properties",
		areaSchemas:      "/crm-object-schemas/v3/schemas",
		areaAssociations: "/crm/v4/associations",
		areaPipelines:    "/crm/v3/pipelines",
		areaOwners:       "/crm/v3/owners",
		areaLists:        "/crm/v3/lists",
	},
	APIVersionLatest: {
		areaObjects:      "/crm/objects/2026-09",
		areaProperties:   "/crm/properties/2026-09",
		areaSchemas:      "/crm-object-schemas/2026-09/schemas",
		areaAssociations: "/crm/associations/2026-09",
		areaPipelines:    "/crm/pipelines/2026-09",
		areaOwners:       "/crm/owners/2026-09",
		areaLists:        "/crm/lists/2026-09",
	},
}

// path builds the request path of an area for the client's API version, escaping each segment
// (object types, ids).
func (c *Client) path(a area, segments ...string) string {
	var b strings.Builder
	b.WriteString(prefixes[c.apiVersion][a])
	for _, s := range segments {
		b.WriteByte('/')
		b.WriteString(url.PathEscape(s))
	}
	return b.String()
}
