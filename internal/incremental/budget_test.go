package incremental

import (
	"context"
	"errors"
	"testing"
)

func TestBudgetWaitsForUnsettledReservations(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name       string
		used       int // of the first reader's 100
		wantSecond int
	}{
		{"first reader read nothing", 0, 100},
		{"first reader read a short page", 30, 70},
		{"first reader read everything", 100, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBudget(100)
			first, err := b.Reserve(ctx, 200)
			if err != nil || first != 100 {
				t.Fatalf("first reserve = %d, %v; want 100", first, err)
			}
			got := make(chan int)
			go func() {
				n, err := b.Reserve(ctx, 200)
				if err != nil {
					t.Error(err)
				}
				got <- n
			}()
			// The second reader cannot be answered before the first settles: nothing is left
			// unreserved, yet whether the budget is spent depends on what the first reads.
			b.Settle(first, tc.used)
			if n := <-got; n != tc.wantSecond {
				t.Errorf("second reserve = %d, want %d", n, tc.wantSecond)
			}
		})
	}
}

func TestBudgetSpentAnswersAtOnce(t *testing.T) {
	b := NewBudget(50)
	n, _ := b.Reserve(context.Background(), 100)
	b.Settle(n, n)
	if n, err := b.Reserve(context.Background(), 100); n != 0 || err != nil {
		t.Errorf("reserve from a spent budget = %d, %v; want 0, nil", n, err)
	}
}

func TestBudgetWaitEndsWithTheContext(t *testing.T) {
	b := NewBudget(10)
	if _, err := b.Reserve(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Reserve(ctx, 10); !errors.Is(err, context.Canceled) {
		t.Errorf("reserve with a cancelled context = %v, want context.Canceled", err)
	}
}
