package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
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
	// AssociatesWith lists, for a custom object, the type ids its schema defines associations to.
	AssociatesWith []string
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
var StandardObjects = []ObjectType{
	{Name: "contacts", TypeID: "0-1", ModifiedProperty: "lastmodifieddate"},
	{Name: "companies", TypeID: "0-2", ModifiedProperty: "hs_lastmodifieddate"},
	{Name: "deals", TypeID: "0-3", ModifiedProperty: "hs_lastmodifieddate"},
	{Name: "tickets", TypeID: "0-5", ModifiedProperty: "hs_lastmodifieddate"},
	{Name: "calls", TypeID: "0-48", ModifiedProperty: "hs_lastmodifieddate"},
	{Name: "emails", TypeID: "0-49", ModifiedProperty: "hs_lastmodifieddate"},
	{Name: "meetings", TypeID: "0-47", ModifiedProperty: "hs_lastmodifieddate"},
	{Name: "notes", TypeID: "0-46", ModifiedProperty: "hs_lastmodifieddate"},
	{Name: "tasks", TypeID: "0-27", ModifiedProperty: "hs_lastmodifieddate"},
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

// discover reads a portal's object types and property definitions. Object types the token may not
// read are skipped with a warning when the spec selected them through `*`, and fail the init when
// the spec names them.
func (p *Portal) discover(ctx context.Context) (*Catalog, error) {
	candidates := slices.Clone(StandardObjects)
	schemas, err := p.API.Schemas.List(ctx)
	switch {
	case err == nil:
		for _, s := range schemas {
			obj := ObjectType{Name: s.Name, TypeID: s.ObjectTypeID, Custom: true, ModifiedProperty: "hs_lastmodifieddate"}
			for _, a := range s.Associations {
				other := a.ToObjectTypeID
				if other == s.ObjectTypeID {
					other = a.FromObjectTypeID
				}
				obj.AssociatesWith = append(obj.AssociatesWith, other)
			}
			candidates = append(candidates, obj)
		}
	case p.skippable(err, "custom objects"):
	default:
		return nil, fmt.Errorf("portal %s: list custom object schemas: %w", p.Name, err)
	}
	cat := &Catalog{}
	for _, o := range candidates {
		if !p.spec.WantsObject(o.Name) {
			continue
		}
		props, err := p.API.Properties.List(ctx, o.TypeID)
		if err != nil {
			if !p.spec.ExplicitObject(o.Name) && p.skippable(err, o.Name) {
				continue
			}
			return nil, fmt.Errorf("portal %s: list %s properties: %w", p.Name, o.Name, err)
		}
		if o.Properties, err = selectProperties(props, p.spec.Properties[o.Name]); err != nil {
			return nil, &spec.FieldError{Path: "properties." + o.Name, Problem: fmt.Sprintf("portal %s: %v", p.Name, err)}
		}
		cat.Objects = append(cat.Objects, o)
	}
	for _, name := range p.spec.Objects {
		if _, ok := cat.Object(name); name != "*" && !ok {
			return nil, &spec.FieldError{Path: "objects", Problem: fmt.Sprintf("portal %s: %q is neither a standard object nor a custom object of this portal", p.Name, name)}
		}
	}
	return cat, nil
}

// skippable reports a missing-scope refusal, noting it for the run's summary and logging which
// scope would enable what.
func (p *Portal) skippable(err error, what string) bool {
	var apiErr *hubspot.APIError
	if !errors.As(err, &apiErr) || len(apiErr.MissingScopes) == 0 {
		return false
	}
	p.skipped = append(p.skipped, Skipped{Portal: p.Name, Object: what, MissingScopes: apiErr.MissingScopes})
	p.logger.Warn().Str("portal", p.Name).Strs("missing_scopes", apiErr.MissingScopes).
		Msgf("skipping %s: the token lacks a scope; add it to the app to sync them", what)
	return true
}

// selectProperties keeps the allow-listed properties (all when the list is empty), sorted by name.
func selectProperties(all []hubspot.Property, allow []string) ([]hubspot.Property, error) {
	for _, name := range allow {
		if !slices.ContainsFunc(all, func(p hubspot.Property) bool { return p.Name == name }) {
			return nil, fmt.Errorf("%q is not a property of this object (see the hubspot_crm_properties table)", name)
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
