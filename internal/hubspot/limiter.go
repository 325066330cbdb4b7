package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Rate-limit headers HubSpot sets on normal (non-search) responses.
const (
	headerRateMax            = "X-HubSpot-RateLimit-Max"
	headerRateRemaining      = "X-HubSpot-RateLimit-Remaining"
	headerRateInterval       = "X-HubSpot-RateLimit-Interval-Milliseconds"
	headerRateDailyRemaining = "X-HubSpot-RateLimit-Daily-Remaining"
)

const searchWindow = time.Second

// LimiterConfig describes a portal's limits. Zero fields take HubSpot's smallest published limits.
type LimiterConfig struct {
	Burst           int           // requests per Window; default 100. When left 0, the portal's X-HubSpot-RateLimit-Max is followed.
	Window          time.Duration // length of the rolling burst window; default 10 s
	SearchPerSecond int           // search requests per rolling second; default 5
	DailyBudget     int           // requests this limiter may send per UTC day; 0 = no cap of our own. See RestoreDailyUsage to carry it across processes.
}

// Limiter keeps one portal's traffic inside HubSpot's rolling windows. A request takes a slot
// when it is sent, and the slot is released a full window after its response arrived, so the
// server never counts more than Burst requests in any window whatever the latency. Share one
// Limiter between every client and goroutine talking to the same portal.
type Limiter struct {
	mu              sync.Mutex
	clock           clock
	burstCap        int // configured burst; 0 lets the portal's header decide
	burst           int
	window          time.Duration
	searchPerSecond int
	dailyBudget     int

	inflight       int
	held           []time.Time // release times of answered requests, ascending
	external       int         // slots other integrations use, from the latest Remaining header
	externalUntil  time.Time
	searchInflight int
	searchHeld     []time.Time
	pausedUntil    time.Time // after a 429 on the burst window
	searchPaused   time.Time // after a 429 on the search window

	day            time.Time
	dayCount       int
	dailyRemaining int // the Daily-Remaining header less our requests since; -1 when unknown

	waiters int
	changed chan struct{}
}

// NewLimiter returns a limiter for cfg.
func NewLimiter(cfg LimiterConfig) *Limiter {
	l := &Limiter{
		clock:           realClock{},
		burstCap:        max(cfg.Burst, 0),
		burst:           cfg.Burst,
		window:          cfg.Window,
		searchPerSecond: cfg.SearchPerSecond,
		dailyBudget:     max(cfg.DailyBudget, 0),
		dailyRemaining:  -1,
		changed:         make(chan struct{}),
	}
	if l.burst <= 0 {
		l.burst = 100
	}
	if l.window <= 0 {
		l.window = 10 * time.Second
	}
	if l.searchPerSecond <= 0 {
		l.searchPerSecond = 5
	}
	return l
}

// Permit is a slot taken by Wait. Call Done once the response (or the failure) is known.
type Permit struct {
	l        *Limiter
	search   bool
	released bool
}

// Wait blocks until a request may be sent, or until ctx is done. Search requests also take a
// slot of the per-second search window. It fails with ErrDailyBudgetExhausted once the daily
// budget, ours or the portal's, is spent.
func (l *Limiter) Wait(ctx context.Context, search bool) (*Permit, error) {
	l.mu.Lock()
	for {
		now := l.clock.Now()
		if err := l.dailyErr(now); err != nil {
			l.mu.Unlock()
			return nil, err
		}
		wake, ok := l.available(now, search)
		if ok {
			l.inflight++
			l.dayCount++
			if l.dailyRemaining > 0 {
				l.dailyRemaining--
			}
			if search {
				l.searchInflight++
			}
			l.mu.Unlock()
			return &Permit{l: l, search: search}, nil
		}
		changed := l.changed
		l.waiters++
		l.mu.Unlock()
		err := l.block(ctx, now, wake, changed)
		l.mu.Lock()
		l.waiters--
		if err != nil {
			l.mu.Unlock()
			return nil, fmt.Errorf("wait for rate limit: %w", err)
		}
	}
}

// block waits until wake (when set), a change of the limiter's state or the end of ctx.
func (l *Limiter) block(ctx context.Context, now, wake time.Time, changed <-chan struct{}) error {
	var timer <-chan time.Time
	if !wake.IsZero() {
		ch, stop := l.clock.NewTimer(wake.Sub(now))
		defer stop()
		timer = ch
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
	case <-timer:
	}
	return nil
}

// dayLayout formats DailyUsage.Day.
const dayLayout = "2006-01-02"

// DailyUsage is the number of requests this limiter counted on a UTC day.
type DailyUsage struct {
	Day      string // UTC date, "2006-01-02"
	Requests int
}

// DailyUsage returns today's count (on the limiter's clock), so that a caller can keep it
// and restore it in the next process of the same UTC day.
func (l *Limiter) DailyUsage() DailyUsage {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rollDay(l.clock.Now())
	return DailyUsage{Day: l.day.Format(dayLayout), Requests: l.dayCount}
}

// RestoreDailyUsage adds an earlier run's count to today's, when u.Day is today (UTC);
// a count from another day is ignored. It returns whether it was applied. Restore each
// earlier count once: counts add up.
func (l *Limiter) RestoreDailyUsage(u DailyUsage) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rollDay(l.clock.Now())
	if u.Day != l.day.Format(dayLayout) || u.Requests < 0 {
		return false
	}
	l.dayCount += u.Requests
	return true
}

// rollDay starts a fresh count when now is past the current UTC day.
func (l *Limiter) rollDay(now time.Time) {
	if day := now.UTC().Truncate(24 * time.Hour); !day.Equal(l.day) {
		l.day, l.dayCount, l.dailyRemaining = day, 0, -1
	}
}

func (l *Limiter) dailyErr(now time.Time) error {
	l.rollDay(now)
	if l.dailyBudget > 0 && l.dayCount >= l.dailyBudget {
		return fmt.Errorf("%w: the configured budget of %d requests per UTC day is spent; it resets at 00:00 UTC (in %s), or raise rate_limit.daily_budget",
			ErrDailyBudgetExhausted, l.dailyBudget, l.day.Add(24*time.Hour).Sub(now).Round(time.Minute))
	}
	if l.dailyRemaining == 0 {
		return fmt.Errorf("%w: HubSpot reports %d requests left today for this portal", ErrDailyBudgetExhausted, l.dailyRemaining)
	}
	return nil
}

// available reports whether a slot is free now; if not, it returns the earliest time worth
// checking again (zero when only a response can free a slot).
func (l *Limiter) available(now time.Time, search bool) (time.Time, bool) {
	l.prune(now)
	var wake time.Time
	later := func(t time.Time) {
		if t.After(wake) {
			wake = t
		}
	}
	blocked := false
	if now.Before(l.pausedUntil) {
		blocked = true
		later(l.pausedUntil)
	}
	if l.used() >= l.burst {
		blocked = true
		later(l.nextRelease())
	}
	if search {
		if now.Before(l.searchPaused) {
			blocked = true
			later(l.searchPaused)
		}
		if l.searchInflight+len(l.searchHeld) >= l.searchPerSecond {
			blocked = true
			if len(l.searchHeld) > 0 {
				later(l.searchHeld[0])
			}
		}
	}
	return wake, !blocked
}

// nextRelease is the earliest time a burst slot frees up, zero when only a response can free one.
func (l *Limiter) nextRelease() time.Time {
	var t time.Time
	if len(l.held) > 0 {
		t = l.held[0]
	}
	if l.external > 0 && (t.IsZero() || l.externalUntil.Before(t)) {
		t = l.externalUntil
	}
	return t
}

// used counts the slots taken in the current window: ours in flight or held, plus other
// integrations' estimated usage.
func (l *Limiter) used() int {
	return l.inflight + len(l.held) + l.external
}

func (l *Limiter) prune(now time.Time) {
	l.held = pruneBefore(l.held, now)
	l.searchHeld = pruneBefore(l.searchHeld, now)
	if l.external > 0 && !now.Before(l.externalUntil) {
		l.external = 0
	}
}

func pruneBefore(ts []time.Time, now time.Time) []time.Time {
	i := 0
	for i < len(ts) && !ts[i].After(now) {
		i++
	}
	return ts[i:]
}

// Done releases the permit's slot a window from now and learns the portal's real limits from
// the response headers h (nil when no response arrived). Calling Done twice has no effect.
func (p *Permit) Done(h http.Header) {
	l := p.l
	l.mu.Lock()
	defer l.mu.Unlock()
	if p.released {
		return
	}
	p.released = true
	now := l.clock.Now()
	l.observe(now, h)
	l.inflight--
	l.held = append(l.held, now.Add(l.window))
	if p.search {
		l.searchInflight--
		l.searchHeld = append(l.searchHeld, now.Add(searchWindow))
	}
	l.notify()
}

// observe follows X-HubSpot-RateLimit-* headers: the portal's real burst and window, usage by
// other integrations sharing the app (Remaining lower than our own count) and the daily quota.
func (l *Limiter) observe(now time.Time, h http.Header) {
	if ms, ok := headerInt(h, headerRateInterval); ok && ms > 0 {
		l.window = time.Duration(ms) * time.Millisecond
	}
	if limit, ok := headerInt(h, headerRateMax); ok && limit > 0 {
		l.burst = limit
		if l.burstCap > 0 {
			l.burst = min(l.burstCap, limit)
		}
		if remaining, ok := headerInt(h, headerRateRemaining); ok {
			l.prune(now)
			l.external = 0
			if ext := (limit - remaining) - (l.inflight + len(l.held)); ext > 0 {
				l.external, l.externalUntil = ext, now.Add(l.window)
			}
		}
	}
	if remaining, ok := headerInt(h, headerRateDailyRemaining); ok && remaining >= 0 {
		l.dailyRemaining = remaining
	}
}

// backOff stops new requests after a 429: the burst window for a burst 429, the search window
// for a search one, and the rest of the day for a daily one.
func (l *Limiter) backOff(policy string, search bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.clock.Now()
	switch {
	case policy == policyDaily:
		l.dailyRemaining = 0
	case search && policy != policyTenSecondly:
		l.searchPaused = now.Add(searchWindow)
	default:
		l.pausedUntil = now.Add(l.window)
	}
	l.notify()
}

func (l *Limiter) notify() {
	if l.waiters > 0 {
		close(l.changed)
		l.changed = make(chan struct{})
	}
}

func headerInt(h http.Header, key string) (int, bool) {
	v := h.Get(key)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	return n, err == nil
}
