package hubspot

import "iter"

// paging is HubSpot's cursor block: {"next": {"after": "..."}}, absent on the last page.
type paging struct {
	Next *struct {
		After flexString `json:"after"`
	} `json:"next"`
}

// after returns the next cursor, "" on the last page.
func (p *paging) after() string {
	if p == nil || p.Next == nil {
		return ""
	}
	return string(p.Next.After)
}

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
