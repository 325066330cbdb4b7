package hubspot

import (
	"context"
	"time"
)

// clock abstracts time so the limiter's windows and the retry waits can be tested with a fake.
type clock interface {
	Now() time.Time
	// NewTimer returns a channel that fires after d and a function that stops the timer.
	NewTimer(d time.Duration) (<-chan time.Time, func() bool)
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	t := time.NewTimer(d)
	return t.C, t.Stop
}

// sleep waits for d on clk, returning early with ctx's error.
func sleep(ctx context.Context, clk clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	ch, stop := clk.NewTimer(d)
	defer stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-ch:
		return nil
	}
}
