package incremental

import (
	"context"
	"fmt"
	"sync"
)

// Budget is the run-wide cap on object records (max_records_per_sync), shared by every table.
// Readers reserve before asking HubSpot for a page and ask for no more than they were granted, so
// the cap is exact and every table stops at a point it can resume from.
//
// The budget is spent only when records are consumed. A reader that asks while nothing is left
// unreserved but other readers hold reservations waits until they settle: a reservation mostly
// comes back unused (a short page, an empty search), and a stream that stopped on it would be
// reported capped by a run that then reads less than the cap, or nothing at all.
type Budget struct {
	mu        sync.Mutex
	remaining int           // neither consumed nor reserved
	held      int           // reserved, not yet settled
	settled   chan struct{} // closed and replaced whenever a reservation settles
}

// NewBudget returns a budget of max records.
func NewBudget(max int) *Budget {
	return &Budget{remaining: max, settled: make(chan struct{})}
}

// Reserve takes up to want records from the budget and returns how many were granted. It returns
// 0 only when the budget is spent: every record of it consumed. While other reservations are
// outstanding it waits for them to settle, or for ctx to end.
func (b *Budget) Reserve(ctx context.Context, want int) (int, error) {
	b.mu.Lock()
	for b.remaining <= 0 && b.held > 0 {
		settled := b.settled
		b.mu.Unlock()
		select {
		case <-settled:
		case <-ctx.Done():
			return 0, fmt.Errorf("wait for the record budget: %w", ctx.Err())
		}
		b.mu.Lock()
	}
	defer b.mu.Unlock()
	got := max(min(want, b.remaining), 0)
	b.remaining -= got
	b.held += got
	return got, nil
}

// Settle ends a reservation of reserved records of which used were consumed; the rest return to
// the budget.
func (b *Budget) Settle(reserved, used int) {
	used = min(max(used, 0), reserved)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.held -= reserved
	b.remaining += reserved - used
	close(b.settled)
	b.settled = make(chan struct{})
}
