package hubspot

import (
	"net/http"
	"regexp"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/catalog"
)

// customObjectType matches a custom object's type id (2-1234) or fully qualified name (p123_cars).
var customObjectType = regexp.MustCompile(`^(2-\d+|p\d+_.+)$`)

// accessHint is what a 403 on an endpoint points at: the scope the endpoint most likely needs
// ("" when the path names no standard object) and whether the plan must include custom objects.
type accessHint struct {
	scope  string
	custom bool
}

// hintFor guesses the scope a request needs from its area and object type; writes need the
// object's write scope, reads (searches and batch reads included) its read scope.
func hintFor(method, path string) accessHint {
	a, rest, ok := areaOf(path)
	if !ok {
		return accessHint{}
	}
	mode := "read"
	if method != http.MethodGet && !strings.HasSuffix(path, "/search") && !strings.HasSuffix(path, "/batch/read") {
		mode = "write"
	}
	switch a {
	case areaOwners:
		return accessHint{scope: "crm.objects.owners.read"}
	case areaSchemas:
		return accessHint{scope: "crm.schemas.custom." + mode, custom: true}
	case areaLists:
		return accessHint{scope: "crm.lists." + mode}
	}
	objectType, _, _ := strings.Cut(rest, "/")
	if customObjectType.MatchString(objectType) {
		return accessHint{scope: "crm.objects.custom." + mode, custom: true}
	}
	obj, ok := catalog.Lookup(objectType)
	if !ok {
		return accessHint{}
	}
	if mode == "read" {
		return accessHint{scope: obj.ReadScope}
	}
	return accessHint{scope: obj.WriteScope}
}

// areaOf finds the area of a request path and the rest of the path after the area's prefix.
func areaOf(path string) (area, string, bool) {
	for _, byArea := range prefixes {
		for a, prefix := range byArea {
			if rest, ok := strings.CutPrefix(path, prefix); ok && (rest == "" || rest[0] == '/') {
				return area(a), strings.TrimPrefix(rest, "/"), true
			}
		}
	}
	return 0, "", false
}

// forbiddenFix tells what to check after a 403 that names no scope: the token's scopes and the
// portal's plan, since free portals without API access refuse every call the same way.
func (h accessHint) forbiddenFix() string {
	plan := "and that the portal's plan includes API access"
	if h.custom {
		plan += " and custom objects (Enterprise)"
	}
	if h.scope == "" {
		return "check the token's scopes for this endpoint " + plan
	}
	return "check that the token has scope " + h.scope + " " + plan
}
