package reverse

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// ConfigError is a mapping that cannot work against the portal, found at migrate time. It names
// the table, and the column and property when one is at fault.
type ConfigError struct {
	Table, Column, Property, Problem string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "mapping for table %q", e.Table)
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %q", e.Column)
	}
	if e.Property != "" {
		fmt.Fprintf(&b, ", property %q", e.Property)
	}
	return b.String() + ": " + e.Problem
}

// column is one incoming column written to one property.
type column struct {
	name string
	prop hubspot.Property
	conv converter
}

// matchKey is one entry of a mapping's match_key: how rows are looked up by it and which
// incoming column holds it.
type matchKey struct {
	name string // as the mapping names it: id, email, domain...
	finder
	column string
}

// Plan is a mapping checked against a table's columns and the portal's definitions: everything
// the engine needs to turn the table's rows into HubSpot writes.
type Plan struct {
	Table   string
	Mapping Mapping
	Object  *Object
	Target  *Target

	columns   []column
	keys      []matchKey // match_key, in the order rows are matched
	idConv    converter  // reads the id key's column, which is not written as a property
	pipelines *pipelineResolver
	assocs    []*assocPlan
	readProps []string
	Unmapped  []string // incoming columns that go nowhere (no property of that name)
	// Suggestions are the unmapped columns whose names are close to a writable property's.
	Suggestions []Suggestion
}

// idProperties name a record id as a mapping target.
var idProperties = []string{MatchByID, "hs_object_id"}

// Compile checks mapping m for table (columns from sc) against portal p and returns the plan.
// Problems are *ConfigError values naming table, column and property.
func Compile(ctx context.Context, p *Target, table string, sc *arrow.Schema, m Mapping) (*Plan, error) {
	obj, err := p.Object(ctx, m.Object)
	if err != nil {
		return nil, &ConfigError{Table: table, Problem: fmt.Sprintf("object: %v", err)}
	}
	plan := &Plan{Table: table, Mapping: m, Object: obj, Target: p}
	cfgErr := func(col, prop, format string, args ...any) error {
		return &ConfigError{Table: table, Column: col, Property: prop, Problem: fmt.Sprintf(format, args...)}
	}
	for _, col := range slices.Sorted(maps.Keys(m.Columns)) {
		if len(sc.FieldIndices(col)) == 0 {
			return nil, cfgErr(col, m.Columns[col], "the table has no such column")
		}
	}
	for _, name := range m.MatchKey {
		f, err := newFinder(obj, name)
		if err != nil {
			return nil, cfgErr("", name, "match_key: %v", err)
		}
		if i := slices.IndexFunc(plan.keys, func(k matchKey) bool { return k.property == f.property }); i >= 0 {
			return nil, cfgErr("", name, "match_key lists %q and %q, which are the same key: list it once", plan.keys[i].name, name)
		}
		plan.keys = append(plan.keys, matchKey{name: name, finder: f})
	}
	idKey := slices.IndexFunc(plan.keys, func(k matchKey) bool { return k.kind == keyByID })
	pipeProps, hasPipes := pipelineProperties[obj.Name]
	mapped := map[string]string{} // property -> column
	for _, f := range sc.Fields() {
		target, explicit := m.Columns[f.Name]
		switch {
		case strings.HasPrefix(f.Name, "_cq_") || (explicit && target == ""):
			continue
		case !explicit && slices.Contains(idProperties, f.Name):
			target = f.Name
		case !explicit:
			target = f.Name
			def, ok := obj.Properties[target]
			if !ok || !writable(def) {
				plan.Unmapped = append(plan.Unmapped, f.Name)
				continue
			}
		}
		if slices.Contains(idProperties, target) {
			if idKey < 0 {
				if explicit {
					return nil, cfgErr(f.Name, target, "record ids are read-only; map this column only when match_key lists id")
				}
				plan.Unmapped = append(plan.Unmapped, f.Name)
				continue
			}
			if held := plan.keys[idKey].column; held != "" {
				return nil, cfgErr(f.Name, target, "column %q already holds the record id", held)
			}
			plan.keys[idKey].column = f.Name
			if plan.idConv, err = newConverter(f.Type, hubspot.Property{Name: target, Type: "string"}); err != nil {
				return nil, cfgErr(f.Name, target, "%v", err)
			}
			continue
		}
		def, ok := obj.Properties[target]
		switch {
		case !ok:
			return nil, cfgErr(f.Name, target, "%s has no such property (see the hubspot_crm_properties table)", obj.Name)
		case def.Calculated:
			return nil, cfgErr(f.Name, target, "the property is calculated by HubSpot and cannot be written")
		case def.ModificationMetadata.ReadOnlyValue:
			return nil, cfgErr(f.Name, target, "the property is read-only")
		}
		if other, dup := mapped[target]; dup {
			return nil, cfgErr(f.Name, target, "column %q already maps to this property", other)
		}
		mapped[target] = f.Name
		convDef := def
		if m.Pipelines != nil && hasPipes && (target == pipeProps[0] || target == pipeProps[1]) {
			convDef = hubspot.Property{Name: def.Name, Type: "string"} // translated by the pipeline mapping
		}
		conv, err := newConverter(f.Type, convDef)
		if err != nil {
			return nil, cfgErr(f.Name, target, "%v", err)
		}
		plan.columns = append(plan.columns, column{name: f.Name, prop: def, conv: conv})
	}
	plan.Suggestions = suggest(plan.Unmapped, obj.Properties, mapped)
	if m.StrictColumns && len(plan.Suggestions) > 0 {
		return nil, strictColumnsError(table, plan.Suggestions)
	}
	if err := plan.checkKey(mapped); err != nil {
		return nil, err
	}
	if err := plan.checkRequired(mapped); err != nil {
		return nil, err
	}
	if m.Pipelines != nil && hasPipes {
		plan.pipelines = newPipelineResolver(obj.Pipelines, *m.Pipelines, pipeProps)
	}
	for i, rule := range m.Associations {
		a, err := compileAssociation(ctx, p, obj, sc, rule)
		if err != nil {
			return nil, cfgErr(rule.Column, rule.MatchProperty, "associations[%d]: %v", i, err)
		}
		plan.assocs = append(plan.assocs, a)
	}
	plan.readProps = slices.Sorted(maps.Keys(mapped))
	for _, k := range plan.keys {
		if k.kind != keyByID {
			plan.readProps = appendMissing(plan.readProps, k.property)
		}
	}
	return plan, nil
}

// KeyColumns names the incoming columns holding the match keys, in match_key's order.
func (p *Plan) KeyColumns() []string {
	out := make([]string, len(p.keys))
	for i, k := range p.keys {
		out[i] = k.column
	}
	return out
}

func writable(p hubspot.Property) bool { return !p.Calculated && !p.ModificationMetadata.ReadOnlyValue }

// checkKey makes sure a column carries each match key.
func (p *Plan) checkKey(mapped map[string]string) error {
	for i := range p.keys {
		k := &p.keys[i]
		if k.kind == keyByID {
			if k.column == "" {
				return &ConfigError{Table: p.Table, Property: MatchByID, Problem: "match_key lists id but no column holds record ids: name a column id or map one to id"}
			}
			continue
		}
		col, ok := mapped[k.property]
		if !ok {
			return &ConfigError{Table: p.Table, Property: k.property, Problem: "no column maps to the match_key property"}
		}
		k.column = col
	}
	return nil
}

// checkRequired makes sure a mapping that may create records maps what HubSpot needs to create.
func (p *Plan) checkRequired(mapped map[string]string) error {
	creates := p.Mapping.Mode == ModeCreate ||
		(p.Mapping.Mode == ModeUpsert && slices.ContainsFunc(p.keys, func(k matchKey) bool { return k.kind != keyByID }))
	if !creates {
		return nil
	}
	for _, group := range p.Object.Required {
		if !slices.ContainsFunc(group, func(name string) bool { _, ok := mapped[name]; return ok }) {
			return &ConfigError{Table: p.Table, Property: strings.Join(group, " or "),
				Problem: fmt.Sprintf("required to create %s (mode %s) but no column maps to it", p.Object.Name, p.Mapping.Mode)}
		}
	}
	return nil
}
