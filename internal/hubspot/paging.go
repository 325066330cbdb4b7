package hubspot

import (
	"iter"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot/pagejson"
)

// paging is HubSpot's cursor block, which record pages carry too.
type paging = pagejson.Paging

// walk pages through a cursor-paged endpoint from after to the last page. It stops at the first
// error (yielding it) and when the consumer breaks.
func walk[P any](after string, fetch func(after string) (P, string, error)) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		for {
			page, next, err := fetch(after)
			if err != nil {
				var zero P
				yield(zero, err)
				return
			}
			if !yield(page, nil) || next == "" {
				return
			}
			after = next
		}
	}
}
