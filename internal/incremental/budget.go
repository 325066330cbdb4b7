package incremental

import "sync/atomic"

// Budget is the run-wide cap on object records (max_records_per_sync), shared by every table.
// Readers reserve before asking HubSpot for a page and ask for no more than they were granted, so
// the cap is exact and every table stops at a point it can resume from.
type Budget struct {
	remaining atomic.Int64
}

// NewBudget returns a budget of max records.
func NewBudget(max int) *Budget {
	b := &Budget{}
	b.remaining.Store(int64(max))
	return b
}

// Reserve takes up to want records from the budget and returns how many were granted (0 when spent).
func (b *Budget) Reserve(want int) int {
	for {
		left := b.remaining.Load()
		if left <= 0 {
			return 0
		}
		got := min(int64(want), left)
		if b.remaining.CompareAndSwap(left, left-got) {
			return int(got)
		}
	}
}

// Release gives back records that were reserved but not read.
func (b *Budget) Release(n int) {
	if n > 0 {
		b.remaining.Add(int64(n))
	}
}
