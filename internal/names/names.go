// Package names finds the names a user most likely meant: the closest property names to a
// misspelt one, for error messages and warnings.
package names

import (
	"cmp"
	"slices"
	"strings"
)

const (
	// minTypoLength keeps short names (id, pk, zip) from matching everything a letter away.
	minTypoLength = 4
	// affixScore ranks a match by a dropped leading word (company_domain, domain) after the
	// one-edit and two-edit typos; a dropped trailing word ranks one lower.
	affixScore = 3
)

// Closest returns up to n of known that written is close to (see Closeness), closest first.
func Closest(written string, known []string, n int) []string {
	type scored struct {
		name  string
		score int
	}
	var close []scored
	for _, k := range known {
		if score, ok := Closeness(written, k); ok {
			close = append(close, scored{k, score})
		}
	}
	slices.SortFunc(close, func(a, b scored) int { return cmp.Or(cmp.Compare(a.score, b.score), strings.Compare(a.name, b.name)) })
	out := make([]string, 0, min(n, len(close)))
	for _, c := range close[:min(n, len(close))] {
		out = append(out, c.name)
	}
	return out
}

// Closeness scores how close a name as written is to a known one, ignoring case, `_` and `-`:
// the edit distance (a swap of two letters counts one) when it is at most 1, or 2 for names of
// 8 letters or more; else affixScore when dropping the written name's first word gives the known one
// (company_domain, domain), one more when dropping its last word does.
func Closeness(written, known string) (int, bool) {
	a, b := nameKey(written), nameKey(known)
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
	words := strings.FieldsFunc(strings.ToLower(written), isNameSeparator)
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
