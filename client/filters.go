package client

import (
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
// into HubSpot's filter groups, with the key that tells a changed filter from the one a stream
// began with. Dates and times written as YYYY-MM-DD or RFC 3339 become epoch milliseconds, as
// search takes them.
func compileFilter(o ObjectType, f spec.RecordFilter, path string) ([]hubspot.FilterGroup, string, error) {
	defs := make(map[string]hubspot.Property, len(o.Definitions))
	known := make([]string, 0, len(o.Definitions))
	for _, d := range o.Definitions {
		defs[d.Name] = d
		known = append(known, d.Name)
	}
	groups := make([]hubspot.FilterGroup, len(f.Groups))
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
	b, _ := json.Marshal(groups) // strings only: always encodes
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
		f.Values = append(f.Values, s)
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
