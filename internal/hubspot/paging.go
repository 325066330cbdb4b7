package hubspot

import (
	"fmt"
	"iter"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot/pagejson"
)

// paging is HubSpot's cursor block, which record pages carry too.
type paging = pagejson.Paging

// walk pages through a cursor-paged endpoint from after to the last page. It stops at the first
// error (yielding it) and when the consumer breaks. A page whose next cursor is the one it was
// read with is an error: following it would page for ever.
func walk[P any](after string, fetch func(after string) (P, string, error)) iter.Seq2[P, error] {
	return func(yield func(P, error) bool) {
		var zero P
		for {
			page, next, err := fetch(after)
			if err != nil {
				yield(zero, err)
				return
			}
			if !yield(page, nil) || next == "" {
				return
			}
			if err := checkAdvance(after, next); err != nil {
				yield(zero, err)
				return
			}
			after = next
		}
	}
}

// checkAdvance fails when a page's next cursor is the one the page was read with.
func checkAdvance(after, next string) error {
	if next != "" && next == after {
		return fmt.Errorf("paging repeated cursor %q", next)
	}
	return nil
}
