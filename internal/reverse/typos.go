package reverse

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
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
	// minTypoLength keeps short names (id, pk, zip) from matching everything a letter away.
	minTypoLength = 4
	// affixScore ranks a match by a dropped leading word (company_domain, domain) after the
	// one-edit and two-edit typos; a dropped trailing word ranks one lower.
	affixScore = 3
)

// suggest finds the columns that look like a property they are not mapped to: each column of
// unmapped (not a synced column, not the exact name of a property) against the writable
// properties no column maps to yet (taken).
func suggest(unmapped []string, props map[string]hubspot.Property, taken map[string]string) []Suggestion {
	var out []Suggestion
	for _, col := range unmapped {
		if _, exact := props[col]; exact || slices.Contains(syncedColumns, col) {
			continue
		}
		type scored struct {
			name  string
			score int
		}
		var close []scored
		for name, def := range props {
			if _, ok := taken[name]; ok || !writable(def) {
				continue
			}
			if score, ok := closeness(col, name); ok {
				close = append(close, scored{name, score})
			}
		}
		if len(close) == 0 {
			continue
		}
		slices.SortFunc(close, func(a, b scored) int { return cmp.Or(cmp.Compare(a.score, b.score), strings.Compare(a.name, b.name)) })
		s := Suggestion{Column: col}
		for _, c := range close[:min(maxSuggestions, len(close))] {
			s.Properties = append(s.Properties, c.name)
		}
		out = append(out, s)
	}
	return out
}

// closeness scores how close a column name is to a property name, ignoring case, `_` and `-`:
// the edit distance (a swap of two letters counts one) when it is at most 1, or 2 for names of
// 8 letters or more; else affixScore when dropping the column's first word gives the property
// (company_domain, domain), one more when dropping its last word does.
func closeness(column, property string) (int, bool) {
	a, b := nameKey(column), nameKey(property)
	if len(a) < minTypoLength || len(b) < minTypoLength {
		return 0, false
	}
	limit := 1
	if min(len(a), len(b)) >= 8 {
		limit = 2
	}
	if d := editDistance(a, b); d <= limit {
		return d, true
	}
	words := strings.FieldsFunc(strings.ToLower(column), isNameSeparator)
	switch {
	case len(words) < 2:
		return 0, false
	case strings.Join(words[1:], "") == b:
		return affixScore, true
	case strings.Join(words[:len(words)-1], "") == b:
		return affixScore + 1, true
	}
	return 0, false
}

func isNameSeparator(r rune) bool { return r == '_' || r == '-' }

// nameKey is a name as typos are compared: lower case, without `_` and `-`.
func nameKey(s string) string {
	return strings.Map(func(r rune) rune {
		if isNameSeparator(r) {
			return -1
		}
		return r
	}, strings.ToLower(s))
}

// editDistance is the optimal string alignment distance: insertions, deletions, substitutions
// and swaps of adjacent letters each count one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2, prev, cur := make([]int, len(rb)+1), make([]int, len(rb)+1), make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
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
