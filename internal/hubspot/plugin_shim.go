package hubspot

// Temporary stand-ins so the plugin builds against the API client's coming options; the API
// client's own WithAttemptTimeout, DailyUsage and RestoreDailyUsage replace this file.

import (
	"errors"
	"time"
)

// WithAttemptTimeout gives every HTTP attempt a deadline (0 = none). Apply it after WithHTTPClient.
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return errors.New("attempt timeout must not be negative")
		}
		hc := *c.httpClient
		hc.Timeout = d
		c.httpClient = &hc
		return nil
	}
}

// DailyUsage is the number of requests a limiter counted on a UTC day.
type DailyUsage struct {
	Day      string // UTC date, "2006-01-02"
	Requests int
}

// DailyUsage returns today's count.
func (l *Limiter) DailyUsage() DailyUsage {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	_ = l.dailyErr(now) // rolls the count over at midnight UTC
	return DailyUsage{Day: now.UTC().Format(time.DateOnly), Requests: l.dayCount}
}

// RestoreDailyUsage adds an earlier run's count to today's when u.Day is today (UTC).
func (l *Limiter) RestoreDailyUsage(u DailyUsage) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	_ = l.dailyErr(now)
	if u.Day != now.UTC().Format(time.DateOnly) || u.Requests <= 0 {
		return false
	}
	l.dayCount += u.Requests
	return true
}
