package hubspot

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func newTestLimiter(cfg LimiterConfig, clk *fakeClock) *Limiter {
	l := NewLimiter(cfg)
	l.clock = clk
	return l
}

func (l *Limiter) waiting() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.waiters
}

// TestLimiterHoldsWindowUnderConcurrency runs goroutines with fake response latencies against
// one limiter and checks what a server would see: no window of Burst+1 arrivals shorter than
// Window.
func TestLimiterHoldsWindowUnderConcurrency(t *testing.T) {
	const (
		burst      = 10
		window     = 10 * time.Second
		goroutines = 6
		perG       = 30
	)
	clk := newFakeClock(false)
	l := newTestLimiter(LimiterConfig{Burst: burst, Window: window}, clk)
	latencies := []time.Duration{0, 500 * time.Millisecond, 3 * time.Second}

	var mu sync.Mutex
	var arrivals []time.Time
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range perG {
				p, err := l.Wait(t.Context(), false)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				arrivals = append(arrivals, clk.Now())
				mu.Unlock()
				if err := sleep(t.Context(), clk, latencies[(g+i)%len(latencies)]); err != nil {
					t.Error(err)
				}
				p.Done(nil)
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	driveFakeClock(t, clk, done)

	slices.SortFunc(arrivals, time.Time.Compare)
	if len(arrivals) != goroutines*perG {
		t.Fatalf("%d arrivals, want %d", len(arrivals), goroutines*perG)
	}
	for i := burst; i < len(arrivals); i++ {
		if gap := arrivals[i].Sub(arrivals[i-burst]); gap < window {
			t.Fatalf("arrivals %d and %d are %s apart: %d requests inside one %s window", i-burst, i, gap, burst+1, window)
		}
	}
	// Every slot is held for latency+window, so the best possible pace is one window plus the
	// average latency per Burst requests; allow slack for the driver advancing early.
	elapsed := arrivals[len(arrivals)-1].Sub(arrivals[0])
	if limit := time.Duration(len(arrivals)/burst) * (window + 3*time.Second); elapsed > limit {
		t.Errorf("took %s of fake time for %d requests, want at most %s", elapsed, len(arrivals), limit)
	}
}

// driveFakeClock advances clk whenever its timers are the only thing left to wait for, until
// done is closed.
func driveFakeClock(t *testing.T, clk *fakeClock, done <-chan struct{}) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	quiet, last := 0, -1
	for {
		select {
		case <-done:
			return
		case <-time.After(100 * time.Microsecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("stalled: goroutines never finished")
		}
		n := clk.Pending()
		if n == 0 || n != last {
			quiet, last = 0, n
			continue
		}
		if quiet++; quiet >= 3 {
			clk.AdvanceToNext()
			quiet, last = 0, -1
		}
	}
}

func TestLimiterSustainsBurst(t *testing.T) {
	tests := []struct {
		name        string
		cfg         LimiterConfig
		search      bool
		requests    int
		wantElapsed time.Duration
	}{
		{"burst window", LimiterConfig{Burst: 100}, false, 1000, 90 * time.Second},
		{"search per second", LimiterConfig{Burst: 100, SearchPerSecond: 5}, true, 20, 3 * time.Second},
		{"search also counts in the burst window", LimiterConfig{Burst: 4, SearchPerSecond: 5}, true, 10, 20 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock(true)
			l := newTestLimiter(tt.cfg, clk)
			start := clk.Now()
			var last time.Time
			for range tt.requests {
				p, err := l.Wait(t.Context(), tt.search)
				if err != nil {
					t.Fatal(err)
				}
				last = clk.Now()
				p.Done(nil)
			}
			if got := last.Sub(start); got != tt.wantElapsed {
				t.Errorf("last request at +%s, want +%s (full use of the window)", got, tt.wantElapsed)
			}
		})
	}
}

func TestLimiterFollowsHeaders(t *testing.T) {
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	tests := []struct {
		name     string
		cfg      LimiterConfig
		header   http.Header
		freeNext int // requests that pass without waiting after the first one
	}{
		{"portal Max raises a defaulted burst", LimiterConfig{}, hdr(headerRateMax, "190", headerRateRemaining, "189"), 189},
		{"configured burst caps the portal Max", LimiterConfig{Burst: 50}, hdr(headerRateMax, "190", headerRateRemaining, "189"), 49},
		{"portal Max lowers the burst", LimiterConfig{Burst: 100}, hdr(headerRateMax, "40", headerRateRemaining, "39"), 39},
		{"other integrations use the window", LimiterConfig{Burst: 100}, hdr(headerRateMax, "100", headerRateRemaining, "20"), 20},
		{"remaining matching our own count", LimiterConfig{Burst: 100}, hdr(headerRateMax, "100", headerRateRemaining, "99"), 99},
		{"no headers", LimiterConfig{Burst: 100}, nil, 99},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock(true)
			l := newTestLimiter(tt.cfg, clk)
			p, err := l.Wait(t.Context(), false)
			if err != nil {
				t.Fatal(err)
			}
			p.Done(tt.header)
			for i := range tt.freeNext + 1 {
				p, err := l.Wait(t.Context(), false)
				if err != nil {
					t.Fatal(err)
				}
				p.Done(nil)
				waited := len(clk.Sleeps()) > 0
				if want := i == tt.freeNext; waited != want {
					t.Fatalf("request %d: waited=%v, want %v (sleeps %v)", i+2, waited, want, clk.Sleeps())
				}
			}
		})
	}
}

func TestLimiterIntervalHeader(t *testing.T) {
	clk := newFakeClock(true)
	l := newTestLimiter(LimiterConfig{Burst: 2}, clk)
	h := http.Header{}
	h.Set(headerRateInterval, "1000")
	for range 3 {
		p, err := l.Wait(t.Context(), false)
		if err != nil {
			t.Fatal(err)
		}
		p.Done(h)
	}
	if got := clk.Sleeps(); !slices.Equal(got, []time.Duration{time.Second}) {
		t.Errorf("sleeps = %v, want one 1 s wait", got)
	}
}

func TestLimiterDailyBudget(t *testing.T) {
	daily := func(v string) http.Header {
		h := http.Header{}
		h.Set(headerRateDailyRemaining, v)
		return h
	}
	tests := []struct {
		name   string
		cfg    LimiterConfig
		header http.Header
		allow  int
	}{
		{"our cap", LimiterConfig{DailyBudget: 3}, nil, 3},
		{"portal's Daily-Remaining", LimiterConfig{}, daily("2"), 3},
		{"portal's day already spent", LimiterConfig{}, daily("0"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock(true)
			l := newTestLimiter(tt.cfg, clk)
			for i := range tt.allow {
				p, err := l.Wait(t.Context(), false)
				if err != nil {
					t.Fatalf("request %d: %v", i+1, err)
				}
				if i == 0 {
					p.Done(tt.header)
				} else {
					p.Done(nil)
				}
			}
			if _, err := l.Wait(t.Context(), false); !errors.Is(err, ErrDailyBudgetExhausted) {
				t.Fatalf("request %d: err = %v, want ErrDailyBudgetExhausted", tt.allow+1, err)
			}
			clk.mu.Lock()
			clk.now = clk.now.Add(24 * time.Hour)
			clk.mu.Unlock()
			if _, err := l.Wait(t.Context(), false); err != nil {
				t.Errorf("next day: %v", err)
			}
		})
	}
}

// TestLimiterDailyUsageCarriesAcrossRuns restores an earlier run's count, as the plugin does from
// its state, so a budget of N per UTC day holds across processes. The fake clock starts at noon.
func TestLimiterDailyUsageCarriesAcrossRuns(t *testing.T) {
	const today, yesterday = "2026-09-01", "2026-08-31"
	tests := []struct {
		name        string
		restore     DailyUsage
		wantApplied bool
		allow       int
	}{
		{"today's spent budget", DailyUsage{Day: today, Requests: 3}, true, 0},
		{"today's partial count", DailyUsage{Day: today, Requests: 2}, true, 1},
		{"yesterday's count is ignored", DailyUsage{Day: yesterday, Requests: 3}, false, 3},
		{"negative count is ignored", DailyUsage{Day: today, Requests: -5}, false, 3},
		{"unreadable day is ignored", DailyUsage{Day: "09/01/2026", Requests: 3}, false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newFakeClock(true)
			l := newTestLimiter(LimiterConfig{DailyBudget: 3}, clk)
			if got := l.RestoreDailyUsage(tt.restore); got != tt.wantApplied {
				t.Errorf("RestoreDailyUsage = %v, want %v", got, tt.wantApplied)
			}
			for i := range tt.allow {
				p, err := l.Wait(t.Context(), false)
				if err != nil {
					t.Fatalf("request %d: %v", i+1, err)
				}
				p.Done(nil)
			}
			_, err := l.Wait(t.Context(), false)
			if !errors.Is(err, ErrDailyBudgetExhausted) {
				t.Fatalf("request %d: err = %v, want ErrDailyBudgetExhausted", tt.allow+1, err)
			}
			for _, want := range []string{"3 requests per UTC day", "resets at 00:00 UTC", "rate_limit.daily_budget"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not say %q", err, want)
				}
			}
			if got := l.DailyUsage(); got != (DailyUsage{Day: today, Requests: 3}) {
				t.Errorf("DailyUsage = %+v, want 3 requests today", got)
			}

			clk.mu.Lock()
			clk.now = time.Date(2026, 9, 2, 0, 0, 0, 0, time.UTC)
			clk.mu.Unlock()
			if got := l.DailyUsage(); got != (DailyUsage{Day: "2026-09-02", Requests: 0}) {
				t.Errorf("after midnight DailyUsage = %+v, want a fresh day", got)
			}
			if l.RestoreDailyUsage(DailyUsage{Day: today, Requests: 3}) {
				t.Error("the previous day's count was applied after midnight")
			}
			p, err := l.Wait(t.Context(), false)
			if err != nil {
				t.Fatalf("after midnight: %v", err)
			}
			p.Done(nil)
			if got := l.DailyUsage(); got != (DailyUsage{Day: "2026-09-02", Requests: 1}) {
				t.Errorf("DailyUsage = %+v, want 1 request on the new day", got)
			}
		})
	}
}

func TestLimiterWaitHonoursContext(t *testing.T) {
	for _, name := range []string{"all slots in flight", "slots held by the window"} {
		t.Run(name, func(t *testing.T) {
			clk := newFakeClock(false)
			l := newTestLimiter(LimiterConfig{Burst: 1}, clk)
			p, err := l.Wait(t.Context(), false)
			if err != nil {
				t.Fatal(err)
			}
			if name == "slots held by the window" {
				p.Done(nil)
			}
			ctx, cancel := context.WithCancel(t.Context())
			errc := make(chan error, 1)
			go func() {
				_, err := l.Wait(ctx, false)
				errc <- err
			}()
			awaitWaiter(t, l, func() bool { return len(errc) > 0 })
			cancel()
			if err := <-errc; !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v, want context.Canceled", err)
			}
		})
	}
}

// awaitWaiter returns once a request waits in l. A request that ended instead, granted a slot at
// once or failed, fails the test rather than leaving it polling until the package times out.
func awaitWaiter(t *testing.T, l *Limiter, ended func() bool) {
	t.Helper()
	for l.waiting() == 0 {
		if ended() {
			t.Fatal("the request ended without waiting in the limiter")
		}
		time.Sleep(100 * time.Microsecond)
	}
}

func TestLimiterDoneWakesWaiters(t *testing.T) {
	clk := newFakeClock(false)
	l := newTestLimiter(LimiterConfig{Burst: 1, Window: time.Second}, clk)
	p, err := l.Wait(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan time.Time, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		p2, err := l.Wait(t.Context(), false)
		if err != nil {
			t.Error(err)
			return
		}
		got <- clk.Now()
		p2.Done(nil)
	}()
	awaitWaiter(t, l, func() bool {
		select {
		case <-done:
			return true
		default:
			return false
		}
	})
	start := clk.Now()
	p.Done(nil) // the waiter learns the release time only now
	p.Done(nil) // a second Done changes nothing
	driveFakeClock(t, clk, done)
	at := <-got
	if d := at.Sub(start); d != time.Second {
		t.Errorf("second request at +%s, want +1s", d)
	}
}

// TestClientZero429sAgainstWindowedServer runs concurrent calls on the real clock against a
// server that enforces a rolling window on arrival times: because slots are released a window
// after each response, the server never sees more than Burst requests in a window.
func TestClientZero429sAgainstWindowedServer(t *testing.T) {
	const (
		burst  = 5
		window = 100 * time.Millisecond
	)
	var mu sync.Mutex
	var arrivals []time.Time
	var limited atomic.Int64
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		now := time.Now()
		mu.Lock()
		n := 0
		for _, a := range arrivals {
			if now.Sub(a) < window {
				n++
			}
		}
		if n >= burst {
			mu.Unlock()
			limited.Add(1)
			writeRaw(w, http.StatusTooManyRequests, rateBody)
			return
		}
		arrivals = append(arrivals, now)
		mu.Unlock()
		w.Header().Set(headerRateMax, strconv.Itoa(burst))
		w.Header().Set(headerRateRemaining, strconv.Itoa(burst-n-1))
		writeRaw(w, http.StatusOK, `{"results":[]}`)
	})
	c, err := NewClient(WithBaseURL(f.URL()), WithLimiter(NewLimiter(LimiterConfig{Burst: burst, Window: window})))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 4 {
				if _, err := c.Properties.List(t.Context(), "contacts"); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if n := limited.Load(); n != 0 {
		t.Errorf("server answered %d requests with 429", n)
	}
	if st := c.Stats(); st.Requests != 32 || st.RateLimited != 0 {
		t.Errorf("stats = %+v", st)
	}
}

func BenchmarkLimiter(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		l := NewLimiter(LimiterConfig{Burst: 1 << 30})
		ctx := context.Background()
		for b.Loop() {
			p, err := l.Wait(ctx, false)
			if err != nil {
				b.Fatal(err)
			}
			p.Done(nil)
		}
	})
	b.Run("parallel", func(b *testing.B) {
		l := NewLimiter(LimiterConfig{Burst: 1 << 30})
		ctx := context.Background()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				p, err := l.Wait(ctx, false)
				if err != nil {
					b.Error(err)
					return
				}
				p.Done(nil)
			}
		})
	})
}
