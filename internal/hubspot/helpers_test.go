package hubspot

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// basePath mounts every fake under a prefix so that absolute-path bugs show up as 404s.
const basePath = "/hubspot-api"

const testToken = "pat-na1-11111111-2222-3333-4444-555555555555"

// fakeClock is a manual clock. In auto mode every timer fires at once and moves time forward,
// which keeps sequential retry tests instant; sleeps records every timer duration asked for.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	auto   bool
	timers []*fakeTimer
	sleeps []time.Duration
}

type fakeTimer struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(auto bool) *fakeClock {
	return &fakeClock{now: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC), auto: auto}
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) NewTimer(d time.Duration) (<-chan time.Time, func() bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sleeps = append(f.sleeps, d)
	ch := make(chan time.Time, 1)
	if f.auto {
		f.now = f.now.Add(d)
		ch <- f.now
		return ch, func() bool { return false }
	}
	t := &fakeTimer{at: f.now.Add(d), ch: ch}
	f.timers = append(f.timers, t)
	return ch, func() bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		i := slices.Index(f.timers, t)
		if i >= 0 {
			f.timers = slices.Delete(f.timers, i, i+1)
		}
		return i >= 0
	}
}

// Sleeps returns the durations of the timers asked for so far.
func (f *fakeClock) Sleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.sleeps)
}

// Pending counts timers waiting to fire.
func (f *fakeClock) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.timers)
}

// AdvanceToNext moves time to the earliest pending timer and fires every timer due by then.
func (f *fakeClock) AdvanceToNext() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.timers) == 0 {
		return false
	}
	next := f.timers[0].at
	for _, t := range f.timers {
		if t.at.Before(next) {
			next = t.at
		}
	}
	if next.After(f.now) {
		f.now = next
	}
	kept := f.timers[:0]
	for _, t := range f.timers {
		if t.at.After(f.now) {
			kept = append(kept, t)
			continue
		}
		t.ch <- f.now
	}
	f.timers = kept
	return true
}

func withClock(clk clock) Option {
	return func(c *Client) error {
		c.clock = clk
		return nil
	}
}

// recorded is one request a fake received.
type recorded struct {
	Method, Path string
	Query        url.Values
	Body         []byte
	Header       http.Header
	URILen       int
}

// fakeAPI serves handle under basePath and records every request.
type fakeAPI struct {
	t      *testing.T
	mu     sync.Mutex
	reqs   []recorded
	handle func(w http.ResponseWriter, r *http.Request, body []byte, n int)
	srv    *httptest.Server
}

func newFakeAPI(t *testing.T, handle func(w http.ResponseWriter, r *http.Request, body []byte, n int)) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, handle: handle}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if !strings.HasPrefix(r.URL.Path, basePath+"/") {
		f.t.Errorf("request %s %s is not under the base path %s", r.Method, r.URL.Path, basePath)
		http.NotFound(w, r)
		return
	}
	f.mu.Lock()
	n := len(f.reqs)
	f.reqs = append(f.reqs, recorded{Method: r.Method, Path: strings.TrimPrefix(r.URL.Path, basePath), Query: r.URL.Query(), Body: body, Header: r.Header.Clone(), URILen: len(r.RequestURI)})
	f.mu.Unlock()
	f.handle(w, r, body, n)
}

func (f *fakeAPI) Requests() []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.reqs)
}

func (f *fakeAPI) URL() string { return f.srv.URL + basePath }

// newTestClient returns a client for f with a token, an auto-advancing fake clock shared with
// its own limiter, and fast retry defaults.
func newTestClient(t *testing.T, f *fakeAPI, opts ...Option) (*Client, *fakeClock) {
	t.Helper()
	clk := newFakeClock(true)
	l := NewLimiter(LimiterConfig{})
	l.clock = clk
	all := append([]Option{WithBaseURL(f.URL()), WithAccessToken(testToken), WithLimiter(l), withClock(clk)}, opts...)
	c, err := NewClient(all...)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c, clk
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeRaw(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func ptr[T any](v T) *T { return &v }
