package reverse

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/names"
)

// Suggestion is an unmapped column whose name is close to property names: most likely a typo
// (`fristname`, `e_mail`) or a prefixed name (`company_domain`) of a property it was meant for.
type Suggestion struct {
	Column string
	// Properties are the closest writable properties, closest first.
	Properties []string
}

// syncedColumns are the static columns of the plugin's own object tables: a table synced from
// HubSpot and written back carries them, and they are not typos (created_at is one edit away
// from createdate).
var syncedColumns = []string{"id", "created_at", "updated_at", "archived", "archived_at", "portal"}

const (
	maxSuggestions = 3
)

// suggest finds the columns that look like a property they are not mapped to: each column of
// unmapped (not a synced column, not the exact name of a property) against the writable
// properties no column maps to yet (taken).
func suggest(unmapped []string, props map[string]hubspot.Property, taken map[string]string) []Suggestion {
	var known []string
	for name, def := range props {
		if _, ok := taken[name]; !ok && writable(def) {
			known = append(known, name)
		}
	}
	var out []Suggestion
	for _, col := range unmapped {
		if _, exact := props[col]; exact || slices.Contains(syncedColumns, col) {
			continue
		}
		if close := names.Closest(col, known, maxSuggestions); len(close) > 0 {
			out = append(out, Suggestion{Column: col, Properties: close})
		}
	}
	return out
}

// strictColumnsError is the migrate error for suggestions under strict_columns: one per column.
func strictColumnsError(table string, suggestions []Suggestion) error {
	errs := make([]error, len(suggestions))
	for i, s := range suggestions {
		quoted := make([]string, len(s.Properties))
		for j, p := range s.Properties {
			quoted[j] = fmt.Sprintf("%q", p)
		}
		errs[i] = &ConfigError{Table: table, Column: s.Column, Problem: fmt.Sprintf(
			"no property has this name, but %s is close (strict_columns is on): map the column to its property in columns, or skip it with `%s: \"\"`",
			strings.Join(quoted, " or "), s.Column)}
	}
	return errors.Join(errs...)
}
