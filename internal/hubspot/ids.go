package hubspot

import (
	"cmp"
	"strings"
)

// CompareIDs orders record ids (decimal digits, no leading zeros) as numbers: a shorter id is
// smaller. Ids compared as text would put 10 before 9.
func CompareIDs(a, b string) int {
	return cmp.Or(cmp.Compare(len(a), len(b)), strings.Compare(a, b))
}
