package client

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/names"
)

// operatorsByType are the operators HubSpot's search applies to each property type.
var operatorsByType = map[string][]string{
	"bool":         {spec.OpEQ, spec.OpNEQ},
	"number":       {spec.OpEQ, spec.OpNEQ, spec.OpGT, spec.OpGTE, spec.OpLT, spec.OpLTE, spec.OpBetween, spec.OpIn, spec.OpNotIn},
	"date":         {spec.OpEQ, spec.OpNEQ, spec.OpGT, spec.OpGTE, spec.OpLT, spec.OpLTE, spec.OpBetween},
	"datetime":     {spec.OpEQ, spec.OpNEQ, spec.OpGT, spec.OpGTE, spec.OpLT, spec.OpLTE, spec.OpBetween},
	"string":       {spec.OpEQ, spec.OpNEQ, spec.OpIn, spec.OpNotIn, spec.OpContainsToken, spec.OpNotContainsToken},
	"phone_number": {spec.OpEQ, spec.OpNEQ, spec.OpIn, spec.OpNotIn, spec.OpContainsToken, spec.OpNotContainsToken},
	"enumeration":  {spec.OpEQ, spec.OpNEQ, spec.OpIn, spec.OpNotIn},
}

// compileFilter checks an object's record filter against its property definitions and turns it
// into HubSpot's filter groups (nil for none), with the key that tells a changed filter or list
// gate from the one a stream began with. Dates and times written as YYYY-MM-DD or RFC 3339 become epoch milliseconds, as
// search takes them.
func compileFilter(o ObjectType, f spec.RecordFilter, path string) ([]hubspot.FilterGroup, string, error) {
	defs := make(map[string]hubspot.Property, len(o.Definitions))
	known := make([]string, 0, len(o.Definitions))
	for _, d := range o.Definitions {
		defs[d.Name] = d
		known = append(known, d.Name)
	}
	var groups []hubspot.FilterGroup
	if len(f.Groups) > 0 {
		groups = make([]hubspot.FilterGroup, len(f.Groups))
	}
	for i, group := range f.Groups {
		for j, c := range group {
			at := fmt.Sprintf("%s.groups[%d][%d]", path, i, j)
			def, ok := defs[c.Property]
			if !ok {
				return nil, "", &spec.FieldError{Path: at + ".property", Problem: fmt.Sprintf("%q is not a property of %s%s", c.Property, o.Name, didYouMean(c.Property, known))}
			}
			filter, err := searchFilter(def, c)
			if err != nil {
				return nil, "", &spec.FieldError{Path: at, Problem: err.Error()}
			}
			groups[i].Filters = append(groups[i].Filters, filter)
		}
	}
	b, _ := json.Marshal(struct { // strings only: always encodes
		Groups []hubspot.FilterGroup
		Lists  []string
	}{groups, slices.Sorted(slices.Values(f.Lists))})
	sum := sha256.Sum256(b)
	return groups, hex.EncodeToString(sum[:8]), nil
}

// searchFilter is one condition as HubSpot's search takes it, checked against the property.
func searchFilter(def hubspot.Property, c spec.Condition) (hubspot.Filter, error) {
	f := hubspot.Filter{PropertyName: c.Property, Operator: c.Operator}
	if c.Operator == spec.OpHasProperty || c.Operator == spec.OpNotHasProperty {
		return f, nil
	}
	ops, typed := operatorsByType[def.Type]
	if !typed || !slices.Contains(ops, c.Operator) {
		return f, fmt.Errorf("%s does not apply to %s, a %s property; it takes %s", c.Operator, c.Property, def.Type, strings.Join(append(slices.Clone(ops), spec.OpHasProperty, spec.OpNotHasProperty), ", "))
	}
	value := func(v spec.FilterValue) (string, error) { return filterValue(def, string(v)) }
	var err error
	if c.Value != nil {
		if f.Value, err = value(*c.Value); err != nil {
			return f, err
		}
	}
	if c.HighValue != nil {
		if f.HighValue, err = value(*c.HighValue); err != nil {
			return f, err
		}
	}
	for _, v := range c.Values {
		s, err := value(v)
		if err != nil {
			return f, err
		}
		f.Values = append(f.Values, def.InValue(s))
	}
	return f, nil
}

// filterValue checks a value against the property's type and options, and writes dates as epoch
// milliseconds.
func filterValue(def hubspot.Property, v string) (string, error) {
	switch def.Type {
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return "", fmt.Errorf("%q is not a number, and %s is a number property", v, def.Name)
		}
	case "bool":
		if v != "true" && v != "false" {
			return "", fmt.Errorf("%q is not true or false, and %s is a bool property", v, def.Name)
		}
	case "date", "datetime":
		if _, err := strconv.ParseInt(v, 10, 64); err == nil {
			return v, nil
		}
		for _, layout := range []string{time.RFC3339Nano, time.DateOnly} {
			if t, err := time.Parse(layout, v); err == nil {
				return strconv.FormatInt(t.UnixMilli(), 10), nil
			}
		}
		return "", fmt.Errorf("%q is not a date: write YYYY-MM-DD, RFC 3339 or epoch milliseconds", v)
	case "enumeration":
		if len(def.Options) > 0 && !slices.ContainsFunc(def.Options, func(o hubspot.PropertyOption) bool { return o.Value == v }) {
			values := make([]string, len(def.Options))
			for i, o := range def.Options {
				values[i] = o.Value
			}
			hint := didYouMean(v, values)
			if hint == "" && len(values) <= 12 {
				hint = " (its options: " + strings.Join(values, ", ") + ")"
			}
			return "", fmt.Errorf("%q is not an option of %s%s", v, def.Name, hint)
		}
	}
	return v, nil
}

// didYouMean names the closest known names to a misspelt one, or nothing.
func didYouMean(written string, known []string) string {
	close := names.Closest(written, known, 3)
	if len(close) == 0 {
		return ""
	}
	return " (did you mean " + strings.Join(close, " or ") + "?)"
}

// checkLists verifies that the gate's lists exist and hold records of the object type.
func (p *PortalClient) checkLists(ctx context.Context, o ObjectType, lists []string, path string) error {
	for i, id := range lists {
		at := fmt.Sprintf("%s.lists[%d]", path, i)
		l, err := p.API.Lists.Get(ctx, id, hubspot.ListGetOptions{})
		switch {
		case hubspot.IsNotFound(err):
			return &spec.FieldError{Path: at, Problem: fmt.Sprintf("portal %s has no list %s (see the hubspot_crm_lists table)", p.Name, id)}
		case err != nil:
			return fmt.Errorf("%s: read list %s: %w", at, id, err)
		case l.ObjectTypeID != o.TypeID:
			return &spec.FieldError{Path: at, Problem: fmt.Sprintf("list %s (%q) holds records of object type %s, not %s", id, l.Name, l.ObjectTypeID, o.Name)}
		}
	}
	return nil
}

// listMembers reads the ids of the members of any of lists.
func (p *PortalClient) listMembers(ctx context.Context, lists []string) ([]string, error) {
	seen := map[string]bool{}
	var ids []string
	for _, id := range lists {
		for page, err := range p.API.Lists.Memberships(ctx, id, hubspot.MembershipOptions{}) {
			if err != nil {
				return nil, fmt.Errorf("read the members of list %s: %w", id, err)
			}
			for _, m := range page.Members {
				if !seen[m.RecordID] {
					seen[m.RecordID] = true
					ids = append(ids, m.RecordID)
				}
			}
		}
	}
	return ids, nil
}
