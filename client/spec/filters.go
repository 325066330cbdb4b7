package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/invopop/jsonschema"
)

// Operators of HubSpot's search filters, as record filters use them.
const (
	OpEQ, OpNEQ                         = "EQ", "NEQ"
	OpGT, OpGTE, OpLT, OpLTE, OpBetween = "GT", "GTE", "LT", "LTE", "BETWEEN"
	OpIn, OpNotIn                       = "IN", "NOT_IN"
	OpHasProperty, OpNotHasProperty     = "HAS_PROPERTY", "NOT_HAS_PROPERTY"
	OpContainsToken, OpNotContainsToken = "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"
)

// Operators lists every operator a condition may use.
var Operators = []string{OpEQ, OpNEQ, OpGT, OpGTE, OpLT, OpLTE, OpBetween, OpIn, OpNotIn,
	OpHasProperty, OpNotHasProperty, OpContainsToken, OpNotContainsToken}

// Room the sync leaves itself in HubSpot's search limits (5 groups, 10 filters in a group, 25 in
// all): it adds 2 filters of its own to every group (an id and a last-modified bound).
const (
	MaxFilterGroups      = 5
	MaxConditionsInGroup = 8
	MaxConditionValues   = 100
	syncFiltersPerGroup  = 2
	hubspotMaxFilters    = 25
)

// RecordFilter keeps the records of one object type that match any of its groups and, with
// lists, are members of one of the lists.
type RecordFilter struct {
	// Groups of conditions: a record matches a group when it meets every condition of the group,
	// and the filter when it matches at least one group (HubSpot's filterGroups). At most 5 groups
	// and 8 conditions in a group, and 2 conditions more than the groups need count against
	// HubSpot's 25 filters a search: the sync adds 2 of its own to each group.
	Groups [][]Condition `json:"groups,omitempty" jsonschema:"minItems=1,maxItems=5"`
	// Ids of HubSpot lists of this object type: only their members are synced (a member of any of
	// them), and a record that leaves them leaves the warehouse. Each run reads the lists'
	// memberships, one request per 250 members.
	Lists []string `json:"lists,omitempty" jsonschema:"minItems=1,uniqueItems=true"`
}

// Condition is one test of a property's value, with HubSpot search's operators.
type Condition struct {
	// HubSpot property name, for example `lifecyclestage`.
	Property string `json:"property" jsonschema:"required,minLength=1"`
	// EQ, NEQ, GT, GTE, LT, LTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY,
	// CONTAINS_TOKEN or NOT_CONTAINS_TOKEN.
	Operator string `json:"operator" jsonschema:"required,enum=EQ,enum=NEQ,enum=GT,enum=GTE,enum=LT,enum=LTE,enum=BETWEEN,enum=IN,enum=NOT_IN,enum=HAS_PROPERTY,enum=NOT_HAS_PROPERTY,enum=CONTAINS_TOKEN,enum=NOT_CONTAINS_TOKEN"`
	// The value compared with (the lower bound of BETWEEN). Dates and times may be written as
	// YYYY-MM-DD or RFC 3339; they are sent to HubSpot as epoch milliseconds.
	Value *FilterValue `json:"value,omitempty"`
	// The upper bound of BETWEEN.
	HighValue *FilterValue `json:"high_value,omitempty"`
	// The values of IN and NOT_IN, at most 100.
	Values []FilterValue `json:"values,omitempty" jsonschema:"maxItems=100"`
}

// FilterValue is a condition's value as written: a string, a number or a boolean, kept as text,
// which is how HubSpot takes every filter value.
type FilterValue string

// UnmarshalJSON takes a string, a number or a boolean.
func (v *FilterValue) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*v = FilterValue(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		*v = FilterValue(n.String())
		return nil
	}
	var t bool
	if err := json.Unmarshal(b, &t); err != nil {
		return errors.New("a filter value must be a string, a number or a boolean")
	}
	*v = FilterValue(fmt.Sprint(t))
	return nil
}

// JSONSchema describes a filter value as a string, a number or a boolean.
func (FilterValue) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{OneOf: []*jsonschema.Schema{{Type: "string"}, {Type: "number"}, {Type: "boolean"}}}
}

// validate checks what needs no property definitions: operators, the values each needs, and
// HubSpot's search limits beside the filters the sync adds. Property names and types are checked
// when the object's definitions are read.
func (f RecordFilter) validate(path string) error {
	if len(f.Groups) == 0 && len(f.Lists) == 0 {
		return fieldError(path, "needs groups of conditions, lists, or both")
	}
	for i, id := range f.Lists {
		if _, err := strconv.ParseUint(id, 10, 64); err != nil {
			return fieldError(fmt.Sprintf("%s.lists[%d]", path, i), fmt.Sprintf("%q is not a list id (a number, as the list's page in HubSpot shows it)", id))
		}
	}
	if len(f.Groups) > MaxFilterGroups {
		return fieldError(path+".groups", fmt.Sprintf("has %d groups; HubSpot's search takes at most %d", len(f.Groups), MaxFilterGroups))
	}
	total := 0
	for i, group := range f.Groups {
		gp := fmt.Sprintf("%s.groups[%d]", path, i)
		if len(group) == 0 {
			return fieldError(gp, "must list at least one condition")
		}
		if len(group) > MaxConditionsInGroup {
			return fieldError(gp, fmt.Sprintf("has %d conditions; at most %d fit in a group, because HubSpot takes 10 filters a group and the sync adds %d", len(group), MaxConditionsInGroup, syncFiltersPerGroup))
		}
		total += len(group) + syncFiltersPerGroup
		for j, c := range group {
			if err := c.validate(fmt.Sprintf("%s[%d]", gp, j)); err != nil {
				return err
			}
		}
	}
	if total > hubspotMaxFilters {
		return fieldError(path+".groups", fmt.Sprintf("needs %d search filters with the %d the sync adds to each group; HubSpot takes at most %d: use fewer groups or conditions", total, syncFiltersPerGroup, hubspotMaxFilters))
	}
	return nil
}

func (c Condition) validate(path string) error {
	if strings.TrimSpace(c.Property) == "" {
		return fieldError(path+".property", "must name a HubSpot property")
	}
	if !slices.Contains(Operators, c.Operator) {
		return fieldError(path+".operator", fmt.Sprintf("%q is not one of %s", c.Operator, strings.Join(Operators, ", ")))
	}
	has := func(v *FilterValue) bool { return v != nil }
	switch c.Operator {
	case OpHasProperty, OpNotHasProperty:
		if has(c.Value) || has(c.HighValue) || len(c.Values) > 0 {
			return fieldError(path, c.Operator+" takes no value")
		}
	case OpIn, OpNotIn:
		if len(c.Values) == 0 || has(c.Value) || has(c.HighValue) {
			return fieldError(path, c.Operator+" needs values (a list), and no value or high_value")
		}
		if len(c.Values) > MaxConditionValues {
			return fieldError(path+".values", fmt.Sprintf("has %d values; HubSpot takes at most %d", len(c.Values), MaxConditionValues))
		}
	case OpBetween:
		if !has(c.Value) || !has(c.HighValue) || len(c.Values) > 0 {
			return fieldError(path, "BETWEEN needs value and high_value")
		}
	default:
		if !has(c.Value) || has(c.HighValue) || len(c.Values) > 0 {
			return fieldError(path, c.Operator+" needs a value, and no high_value or values")
		}
	}
	return nil
}
