package client

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/catalog"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
)

// ObjectType is one CRM object type as a portal knows it.
type ObjectType struct {
	// Name is the plural name used in table names: contacts, deals, or a custom object's name.
	Name string
	// TypeID addresses the object in API paths: 0-1 for contacts, 2-NNNN for a custom object
	// (custom type ids differ between portals).
	TypeID string
	Custom bool
	// ModifiedProperty is the last-modified property that incremental reads sort and filter on.
	ModifiedProperty string
	// Properties are the synced property definitions, sorted by name.
	Properties []hubspot.Property
	// Definitions are every property definition of the type, allow-lists aside: what the
	// hubspot_crm_properties table lists.
	Definitions []hubspot.Property
	// AssociatesWith lists, for a custom object, the type ids its schema defines associations to.
	AssociatesWith []string
	// Filter selects the records synced (spec filters), as HubSpot's filter groups; nil syncs
	// every record. Lists, when set, keeps only their members. FilterKey identifies both in
	// cursors.
	Filter    []hubspot.FilterGroup
	Lists     []string
	FilterKey string
}

// PropertyNames lists the names of the synced properties.
func (o ObjectType) PropertyNames() []string {
	names := make([]string, len(o.Properties))
	for i, p := range o.Properties {
		names[i] = p.Name
	}
	return names
}

// StandardObjects are HubSpot's built-in CRM object types, each synced to its own table.
var StandardObjects = standardObjects()

func standardObjects() []ObjectType {
	out := make([]ObjectType, len(catalog.Standard))
	for i, o := range catalog.Standard {
		out[i] = ObjectType{Name: o.Name, TypeID: o.TypeID, ModifiedProperty: o.ModifiedProperty}
	}
	return out
}

// Catalog is what a portal holds: its object types with their property definitions.
type Catalog struct {
	Objects []ObjectType
}

// Object returns the object type with the given plural name.
func (c *Catalog) Object(name string) (ObjectType, bool) {
	i := slices.IndexFunc(c.Objects, func(o ObjectType) bool { return o.Name == name })
	if i < 0 {
		return ObjectType{}, false
	}
	return c.Objects[i], true
}

// Union merges portals' catalogs so one table serves every portal: an object type present in any
// portal, with every property any portal has (the first portal's definition wins a conflict).
func Union(catalogs []*Catalog) *Catalog {
	out := &Catalog{}
	for _, cat := range catalogs {
		for _, o := range cat.Objects {
			i := slices.IndexFunc(out.Objects, func(x ObjectType) bool { return x.Name == o.Name })
			if i < 0 {
				o.Properties = slices.Clone(o.Properties)
				out.Objects = append(out.Objects, o)
				continue
			}
			merged := &out.Objects[i]
			for _, p := range o.Properties {
				if !slices.ContainsFunc(merged.Properties, func(x hubspot.Property) bool { return x.Name == p.Name }) {
					merged.Properties = append(merged.Properties, p)
				}
			}
			slices.SortFunc(merged.Properties, func(a, b hubspot.Property) int { return strings.Compare(a.Name, b.Name) })
		}
	}
	return out
}

// Discovery reads a portal's object types and property definitions on demand and keeps them for
// the client's life: a run reads only the definitions of what it selects, and a second Tables call
// (the CLI's GetTables, then Sync) reads nothing again. Object types the token may not read are
// skipped with a warning when the spec selected them through `*`, and fail the run when the spec
// names them. The reverse-ETL engine reads the same definitions through Definitions.

// Catalog returns every object type the spec selects in this portal, with its definitions,
// reading those no earlier call read.
func (p *PortalClient) Catalog(ctx context.Context) (*Catalog, error) {
	return p.discover(ctx, nil)
}

// Object returns the named object type as this portal knows it, reading its definitions if no
// earlier call did. It is false when the spec does not select it, the portal has no such type
// (another portal's custom object), or the token may not read it.
func (p *PortalClient) Object(ctx context.Context, name string) (ObjectType, bool, error) {
	cat, err := p.discover(ctx, []string{name})
	if err != nil {
		return ObjectType{}, false, err
	}
	obj, ok := cat.Object(name)
	return obj, ok, nil
}

// discover returns the named object types the spec selects (all of them for nil names), with
// their definitions, reading what is not known yet. The custom-object schema list is read only
// when a name may be a custom object.
func (p *PortalClient) discover(ctx context.Context, names []string) (*Catalog, error) {
	withCustom := names == nil || slices.ContainsFunc(names, func(n string) bool { return !isStandard(n) })
	p.mu.Lock()
	defer p.mu.Unlock()
	candidates, err := p.candidates(ctx, withCustom)
	if err != nil {
		return nil, err
	}
	cat := &Catalog{}
	for _, o := range candidates {
		if names != nil && !slices.Contains(names, o.Name) {
			continue
		}
		known, read := p.objects[o.Name]
		if !read {
			if known, err = p.define(ctx, o); err != nil {
				return nil, err
			}
			p.objects[o.Name] = known
		}
		if known != nil {
			cat.Objects = append(cat.Objects, *known)
		}
	}
	return cat, nil
}

// candidateCatalog lists, without definitions, the object types the spec selects that the portal
// may hold (see candidates).
func (p *PortalClient) candidateCatalog(ctx context.Context, withCustom bool) (*Catalog, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	objs, err := p.candidates(ctx, withCustom)
	if err != nil {
		return nil, err
	}
	return &Catalog{Objects: objs}, nil
}

// candidates lists the object types the spec selects that the portal may hold: the standard ones
// and, with withCustom, its custom objects. A named object, or an object with a filter, that is
// neither fails. p.mu is held.
func (p *PortalClient) candidates(ctx context.Context, withCustom bool) ([]ObjectType, error) {
	out := make([]ObjectType, 0, len(StandardObjects))
	for _, o := range StandardObjects {
		if p.spec.WantsObject(o.Name) {
			out = append(out, o)
		}
	}
	custom := withCustom && mayWantCustom(p.spec)
	if custom {
		if !p.customRead {
			objs, err := p.readCustomObjects(ctx)
			if err != nil {
				return nil, err
			}
			p.custom, p.customRead = objs, true
		}
		for _, o := range p.custom {
			if p.spec.WantsObject(o.Name) {
				out = append(out, o)
			}
		}
	}
	// missing: the name is not among out, as far as can be told without the custom objects read.
	missing := func(name string) bool {
		return (custom || isStandard(name)) && !slices.ContainsFunc(out, func(o ObjectType) bool { return o.Name == name })
	}
	for _, name := range p.spec.Objects {
		if name != "*" && custom && missing(name) {
			return nil, &spec.FieldError{Path: "objects", Problem: fmt.Sprintf("portal %s: %q is neither a standard object nor a custom object of this portal", p.Name, name)}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(p.spec.Filters)) {
		if missing(name) {
			return nil, &spec.FieldError{Path: "filters." + name, Problem: fmt.Sprintf("portal %s: %q is not an object type this sync reads (see objects)", p.Name, name)}
		}
	}
	return out, nil
}

// readCustomObjects reads the custom object schemas, which carry every property definition of
// their object: custom objects cost no request of their own. Unreadable schemas give none.
func (p *PortalClient) readCustomObjects(ctx context.Context) ([]ObjectType, error) {
	schemas, err := p.schemas(ctx)
	if err != nil {
		if p.skippable(err, "custom objects") {
			return nil, nil
		}
		return nil, fmt.Errorf("portal %s: %w", p.Name, err)
	}
	out := make([]ObjectType, 0, len(schemas))
	for _, s := range schemas {
		obj := ObjectType{Name: s.Name, TypeID: s.ObjectTypeID, Custom: true, ModifiedProperty: "hs_lastmodifieddate", Definitions: s.Properties}
		for _, a := range s.Associations {
			other := a.ToObjectTypeID
			if other == s.ObjectTypeID {
				other = a.FromObjectTypeID
			}
			obj.AssociatesWith = append(obj.AssociatesWith, other)
		}
		out = append(out, obj)
	}
	return out, nil
}

// define completes a candidate with its definitions (read for a standard object, already there for
// a custom one) and the allow-listed properties; nil means skipped for a missing scope.
func (p *PortalClient) define(ctx context.Context, o ObjectType) (*ObjectType, error) {
	if !o.Custom {
		defs, err := p.properties(ctx, o.Name, o.TypeID)
		if err != nil {
			if !p.spec.ExplicitObject(o.Name) && p.skippable(err, o.Name) {
				return nil, nil
			}
			return nil, fmt.Errorf("portal %s: %w", p.Name, err)
		}
		o.Definitions = defs
	}
	props, err := selectProperties(o.Definitions, p.spec.Properties[o.Name])
	if err != nil {
		return nil, &spec.FieldError{Path: "properties." + o.Name, Problem: fmt.Sprintf("portal %s: %v", p.Name, err)}
	}
	o.Properties = props
	if f, ok := p.spec.Filters[o.Name]; ok {
		if o.Filter, o.FilterKey, err = compileFilter(o, f, "filters."+o.Name); err != nil {
			return nil, fmt.Errorf("portal %s: %w", p.Name, err)
		}
		if err := p.checkLists(ctx, o, f.Lists, "filters."+o.Name); err != nil {
			return nil, err
		}
		o.Lists = f.Lists
	}
	return &o, nil
}

// definitions are a portal's definitions as HubSpot answered them, each read once per client
// life whichever role asks first. Refusals are not kept: the source decides what it skips, and
// the destination fails on them. Portal.mu guards them.
type definitions struct {
	schemas    []hubspot.Schema              // the custom object schemas; nil until read
	properties map[string][]hubspot.Property // by standard object name
}

// schemas returns the custom object schemas. p.mu is held.
func (p *PortalClient) schemas(ctx context.Context) ([]hubspot.Schema, error) {
	if p.defs.schemas == nil {
		s, err := p.API.Schemas.List(ctx)
		if err != nil {
			return nil, fmt.Errorf("list custom object schemas: %w", err)
		}
		p.defs.schemas = append([]hubspot.Schema{}, s...)
	}
	return p.defs.schemas, nil
}

// properties returns every property definition of a standard object type. p.mu is held.
func (p *PortalClient) properties(ctx context.Context, name, typeID string) ([]hubspot.Property, error) {
	if defs, ok := p.defs.properties[name]; ok {
		return defs, nil
	}
	defs, err := p.API.Properties.List(ctx, typeID)
	if err != nil {
		return nil, fmt.Errorf("list %s properties: %w", name, err)
	}
	if p.defs.properties == nil {
		p.defs.properties = map[string][]hubspot.Property{}
	}
	p.defs.properties[name] = defs
	return defs, nil
}

var _ reverse.Discovery = (*PortalClient)(nil)

// Definitions returns an object type of the portal with every property definition, for the
// reverse-ETL engine: it shares discovery's reads, so a client reads each type's definitions
// once whichever role asks first. A mapping names the type it writes, so the spec's objects
// need not select it, and a missing scope fails rather than skips it.
func (p *PortalClient) Definitions(ctx context.Context, name string) (reverse.Definitions, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if isStandard(name) {
		std, _ := catalog.Lookup(name)
		defs, err := p.properties(ctx, name, std.TypeID)
		if err != nil {
			return reverse.Definitions{}, err
		}
		return reverse.Definitions{TypeID: std.TypeID, Properties: defs}, nil
	}
	schemas, err := p.schemas(ctx)
	if err != nil {
		return reverse.Definitions{}, err
	}
	i := slices.IndexFunc(schemas, func(s hubspot.Schema) bool { return s.Name == name })
	if i < 0 {
		return reverse.Definitions{}, fmt.Errorf("%q is neither a standard object nor a custom object of portal %s", name, p.Name)
	}
	return reverse.Definitions{TypeID: schemas[i].ObjectTypeID, Properties: schemas[i].Properties, Required: schemas[i].RequiredProperties}, nil
}

func isStandard(name string) bool {
	o, ok := catalog.Lookup(name)
	return ok && o.Name == name
}

// mayWantCustom reports whether the spec's objects can select a custom object: `*`, or a name
// that is not a standard object.
func mayWantCustom(s *spec.Spec) bool {
	return slices.ContainsFunc(s.Objects, func(name string) bool { return name == "*" || !isStandard(name) })
}

// skippable reports a missing-scope refusal, noting it (once per object) for the run's summary and
// logging which scope would enable what.
func (p *PortalClient) skippable(err error, what string) bool {
	var apiErr *hubspot.APIError
	if !errors.As(err, &apiErr) || len(apiErr.MissingScopes) == 0 {
		return false
	}
	p.skippedMu.Lock()
	defer p.skippedMu.Unlock()
	if slices.ContainsFunc(p.skipped, func(s Skipped) bool { return s.Object == what }) {
		return true
	}
	p.skipped = append(p.skipped, Skipped{Portal: p.Name, Object: what, MissingScopes: apiErr.MissingScopes})
	p.logger.Warn().Str("portal", p.Name).Strs("missing_scopes", apiErr.MissingScopes).
		Msgf("skipping %s: the token lacks a scope; add it to the app to sync them", what)
	return true
}

// SkipForScope reports a read refused for a missing scope that the run skips rather than fails:
// the run's `tables` option named none of tables exactly (it selected them through patterns such
// as `*`). The skip is noted under what for the run's summary, as discovery notes object types.
func (m *Meta) SkipForScope(err error, what string, tables ...string) bool {
	named := slices.ContainsFunc(tables, func(t string) bool { return slices.Contains(m.run.namedTables, t) })
	return !named && m.Portal.skippable(err, what)
}

// skippedObjects lists the object types left out for a missing scope so far.
func (p *PortalClient) skippedObjects() []Skipped {
	p.skippedMu.Lock()
	defer p.skippedMu.Unlock()
	return slices.Clone(p.skipped)
}

// selectProperties keeps the allow-listed properties (all when the list is empty), sorted by name.
func selectProperties(all []hubspot.Property, allow []string) ([]hubspot.Property, error) {
	for _, name := range allow {
		if !slices.ContainsFunc(all, func(p hubspot.Property) bool { return p.Name == name }) {
			known := make([]string, len(all))
			for i, p := range all {
				known[i] = p.Name
			}
			return nil, fmt.Errorf("%q is not a property of this object%s (see the hubspot_crm_properties table)", name, didYouMean(name, known))
		}
	}
	out := make([]hubspot.Property, 0, len(all))
	for _, p := range all {
		if len(allow) == 0 || slices.Contains(allow, p.Name) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b hubspot.Property) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
