package hubspot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot/pagejson"
)

// step is one scripted answer of a fake.
type step struct {
	status   int
	body     string
	header   map[string]string
	reset    bool // close the connection without an answer
	truncate bool // announce a longer body than is sent, then close
}

func (s step) serve(w http.ResponseWriter) {
	for k, v := range s.header {
		w.Header().Set(k, v)
	}
	switch {
	case s.reset:
		panic(http.ErrAbortHandler)
	case s.truncate:
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"results":[{"id":"1"`))
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler)
	default:
		writeRaw(w, s.status, s.body)
	}
}

// scripted serves steps in order, repeating the last one.
func scripted(t *testing.T, steps ...step) *fakeAPI {
	return newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, n int) {
		steps[min(n, len(steps)-1)].serve(w)
	})
}

const (
	okList   = `{"results":[{"id":"1"}]}`
	okBatch  = `{"status":"COMPLETE","results":[{"id":"1"}]}`
	errBody  = `{"status":"error","message":"Service unavailable","category":"SERVICE_UNAVAILABLE","correlationId":"c"}`
	rateBody = `{"status":"error","message":"You have reached your ten_secondly_rolling limit.","errorType":"RATE_LIMIT","correlationId":"c","policyName":"TEN_SECONDLY_ROLLING"}`
)

// listContacts is a call that is safe to repeat; createContact one that is not.
func listContacts(ctx context.Context) func(c *Client) error {
	return func(c *Client) error {
		_, err := c.Objects.ListPage(ctx, "contacts", ListOptions{})
		return err
	}
}

func createContact(ctx context.Context) func(c *Client) error {
	return func(c *Client) error {
		_, err := c.Objects.BatchCreate(ctx, "contacts", []ObjectInput{{Properties: map[string]string{"email": "a@b.c"}}})
		return err
	}
}

func TestRetries(t *testing.T) {
	list, create := listContacts(t.Context()), createContact(t.Context())
	update := func(c *Client) error {
		_, err := c.Objects.BatchUpdate(t.Context(), "contacts", []ObjectInput{{ID: "1"}})
		return err
	}
	search := func(c *Client) error {
		_, err := c.Objects.Search(t.Context(), "contacts", SearchRequest{})
		return err
	}
	batchRead := func(c *Client) error {
		_, err := c.Objects.BatchRead(t.Context(), "contacts", BatchReadRequest{IDs: []string{"1"}})
		return err
	}
	associationRead := func(c *Client) error {
		_, err := c.Associations.BatchRead(t.Context(), "contacts", "companies", []string{"1"})
		return err
	}
	associationCreate := func(c *Client) error {
		_, err := c.Associations.BatchCreate(t.Context(), "contacts", "companies",
			[]AssociationInput{{FromID: "1", ToID: "2", Types: []AssociationTypeSpec{{Category: "HUBSPOT_DEFINED", TypeID: 1}}}})
		return err
	}
	isAmbiguous := func(err error) bool { return IsAmbiguousWrite(err) }
	isNil := func(err error) bool { return err == nil }
	tests := []struct {
		name         string
		call         func(c *Client) error
		steps        []step
		wantRequests int
		wantErr      func(error) bool
		wantMinSleep time.Duration
	}{
		{"503 twice then ok", list, []step{{status: 503, body: errBody}, {status: 503, body: errBody}, {status: 200, body: okList}}, 3, isNil, 0},
		{"503 forever stops at MaxAttempts", list, []step{{status: 503, body: errBody}}, 6, func(err error) bool {
			return err != nil && strings.Contains(err.Error(), "giving up after 6 attempts")
		}, 0},
		{"each transient status", list, []step{{status: 502}, {status: 504}, {status: 521}, {status: 523}, {status: 524}, {status: 200, body: okList}}, 6, isNil, 0},
		{"400 is never retried", list, []step{{status: 400, body: `{"status":"error","category":"VALIDATION_ERROR","message":"bad"}`}}, 1, IsValidation, 0},
		{"500 then ok is retried", list, []step{{status: 500, body: errBody}, {status: 200, body: okList}}, 2, isNil, 0},
		{"search 500 is retried", search, []step{{status: 500, body: errBody}, {status: 200, body: okList}}, 2, isNil, 0},
		{"batch read 500 is retried", batchRead, []step{{status: 500, body: errBody}, {status: 200, body: okBatch}}, 2, isNil, 0},
		{"association read 500 is retried", associationRead, []step{{status: 500, body: errBody}, {status: 200, body: `{"results":[]}`}}, 2, isNil, 0},
		{"create 500 is ambiguous", create, []step{{status: 500, body: errBody}, {status: 200, body: okBatch}}, 1, isAmbiguous, 0},
		{"association create 500 is ambiguous", associationCreate, []step{{status: 500, body: errBody}, {status: 201, body: `{"results":[]}`}}, 1, isAmbiguous, 0},
		{"429 then ok waits for the window", list, []step{{status: 429, body: rateBody}, {status: 200, body: okList}}, 2, isNil, 10 * time.Second},
		{"423 waits at least 2 s", list, []step{{status: 423, body: errBody}, {status: 200, body: okList}}, 2, isNil, 2 * time.Second},
		{"477 honours Retry-After", list, []step{{status: 477, body: errBody, header: map[string]string{"Retry-After": "7"}}, {status: 200, body: okList}}, 2, isNil, 7 * time.Second},
		{"503 honours Retry-After", list, []step{{status: 503, body: errBody, header: map[string]string{"Retry-After": "4"}}, {status: 200, body: okList}}, 2, isNil, 4 * time.Second},
		{"reset read is retried", list, []step{{reset: true}, {status: 200, body: okList}}, 2, isNil, 0},
		{"truncated body is retried", list, []step{{truncate: true}, {status: 200, body: okList}}, 2, isNil, 0},
		{"undecodable body is retried", list, []step{{status: 200, body: `<html>oops`}, {status: 200, body: okList}}, 2, isNil, 0},
		{"create 502 is ambiguous", create, []step{{status: 502}, {status: 200, body: okBatch}}, 1, isAmbiguous, 0},
		{"create reset is ambiguous", create, []step{{reset: true}, {status: 200, body: okBatch}}, 1, isAmbiguous, 0},
		{"create truncated answer is ambiguous", create, []step{{truncate: true}, {status: 200, body: okBatch}}, 1, isAmbiguous, 0},
		{"create 429 is re-sent", create, []step{{status: 429, body: rateBody}, {status: 200, body: okBatch}}, 2, isNil, 0},
		{"create 423 is re-sent", create, []step{{status: 423, body: errBody}, {status: 200, body: okBatch}}, 2, isNil, 2 * time.Second},
		{"create 477 is re-sent", create, []step{{status: 477, header: map[string]string{"Retry-After": "1"}}, {status: 200, body: okBatch}}, 2, isNil, time.Second},
		{"update 502 is re-sent", update, []step{{status: 502}, {status: 200, body: okBatch}}, 2, isNil, 0},
		{"update reset is re-sent", update, []step{{reset: true}, {status: 200, body: okBatch}}, 2, isNil, 0},
		{"daily 429 stops", list, []step{{status: 429, body: `{"status":"error","message":"You have reached your daily limit.","errorType":"RATE_LIMIT","policyName":"DAILY"}`}}, 1,
			func(err error) bool { return errors.Is(err, ErrDailyBudgetExhausted) }, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := scripted(t, tt.steps...)
			c, clk := newTestClient(t, f)
			err := tt.call(c)
			if !tt.wantErr(err) {
				t.Errorf("unexpected error result: %v", err)
			}
			if got := len(f.Requests()); got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
			st := c.Stats()
			if st.Requests != int64(tt.wantRequests) || st.Retries != int64(tt.wantRequests-1) {
				t.Errorf("stats = %+v, want %d requests and %d retries", st, tt.wantRequests, tt.wantRequests-1)
			}
			var slept time.Duration
			for _, d := range clk.Sleeps() {
				slept += d
			}
			if slept < tt.wantMinSleep {
				t.Errorf("slept %s (%v) before the retry, want at least %s", slept, clk.Sleeps(), tt.wantMinSleep)
			}
		})
	}
}

func TestDailyExhaustionStopsLaterCalls(t *testing.T) {
	f := scripted(t, step{status: 429, body: `{"status":"error","message":"You have reached your daily limit.","policyName":"DAILY"}`})
	c, _ := newTestClient(t, f)
	for range 2 {
		if _, err := c.Properties.List(t.Context(), "contacts"); !errors.Is(err, ErrDailyBudgetExhausted) {
			t.Fatalf("err = %v, want ErrDailyBudgetExhausted", err)
		}
	}
	if got := len(f.Requests()); got != 1 {
		t.Errorf("%d requests, want 1: the second call must stop before sending", got)
	}
}

func TestRetryElapsedBound(t *testing.T) {
	f := scripted(t, step{status: 503, body: errBody, header: map[string]string{"Retry-After": "2"}})
	c, _ := newTestClient(t, f, WithRetryPolicy(RetryPolicy{MaxAttempts: 100, MaxElapsed: 3 * time.Second}))
	_, err := c.Properties.List(t.Context(), "contacts")
	if err == nil || !strings.Contains(err.Error(), "within 3s") {
		t.Fatalf("err = %v, want the elapsed bound", err)
	}
	if got := len(f.Requests()); got != 2 {
		t.Errorf("%d requests, want 2 (0 s and 2 s; 4 s is past the bound)", got)
	}
}

func TestConnectionRefusedCreateIsResent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	clk := newFakeClock(true)
	l := NewLimiter(LimiterConfig{})
	l.clock = clk
	c, err := NewClient(WithBaseURL("http://"+addr+basePath), WithAccessToken(testToken), WithLimiter(l), withClock(clk),
		WithRetryPolicy(RetryPolicy{MaxAttempts: 3}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Objects.BatchCreate(t.Context(), "contacts", []ObjectInput{{Properties: map[string]string{"email": "a@b.c"}}})
	if err == nil || IsAmbiguousWrite(err) || !strings.Contains(err.Error(), "giving up after 3 attempts") {
		t.Fatalf("err = %v, want a plain error after 3 attempts", err)
	}
	if st := c.Stats(); st.Requests != 3 || st.Retries != 2 || st.Errors != 3 {
		t.Errorf("stats = %+v", st)
	}
}

func TestTimeouts(t *testing.T) {
	tests := []struct {
		name         string
		create       bool
		wantRequests int
		wantErr      func(error) bool
	}{
		{"read is retried", false, 2, func(err error) bool { return err != nil && strings.Contains(err.Error(), "giving up after 2 attempts") }},
		{"create is ambiguous", true, 1, IsAmbiguousWrite},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			release := make(chan struct{})
			f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
				select {
				case <-release:
				case <-r.Context().Done():
				}
			})
			t.Cleanup(func() { close(release) })
			c, _ := newTestClient(t, f, WithHTTPClient(&http.Client{Timeout: attemptTimeout}), WithRetryPolicy(RetryPolicy{MaxAttempts: 2}))
			var err error
			if tt.create {
				_, err = c.Objects.BatchCreate(t.Context(), "contacts", []ObjectInput{{Properties: map[string]string{"email": "a@b.c"}}})
			} else {
				_, err = c.Objects.ListPage(t.Context(), "contacts", ListOptions{})
			}
			if !tt.wantErr(err) {
				t.Errorf("err = %v", err)
			}
			if got := len(f.Requests()); got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
		})
	}
}

func TestContextCancelStopsRetries(t *testing.T) {
	f := scripted(t, step{status: 503, body: errBody})
	c, _ := newTestClient(t, f)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Properties.List(ctx, "contacts")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestCancelledCreateIsAmbiguous(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
		cancel()
		<-r.Context().Done()
	})
	c, _ := newTestClient(t, f)
	_, err := c.Objects.BatchCreate(ctx, "contacts", []ObjectInput{{Properties: map[string]string{"email": "a@b.c"}}})
	if !IsAmbiguousWrite(err) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want an ambiguous write caused by the cancellation", err)
	}
}

// TestRetriesCountedAfterResets resets connections that carried an earlier request: Go's
// transport re-sends an idempotent request on a fresh connection by itself, and that resend
// reaches HubSpot like any other attempt.
func TestRetriesCountedAfterResets(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		calls int
		want  Stats
	}{
		{"reset on a fresh connection", []step{{reset: true}, {status: 200, body: okList}}, 1,
			Stats{Requests: 2, Retries: 1, Errors: 1}},
		{"reset on a reused connection", []step{{status: 200, body: okList}, {reset: true}, {status: 200, body: okList}}, 2,
			Stats{Requests: 3, Retries: 1, Errors: 1}},
		{"two resets on reused connections", []step{{status: 200, body: okList}, {reset: true}, {reset: true}, {status: 200, body: okList}}, 2,
			Stats{Requests: 4, Retries: 2, Errors: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := scripted(t, tt.steps...)
			c, _ := newTestClient(t, f)
			for range tt.calls {
				if _, err := c.Objects.ListPage(t.Context(), "contacts", ListOptions{}); err != nil {
					t.Fatalf("ListPage: %v", err)
				}
			}
			st := c.Stats()
			if got := int64(len(f.Requests())); got != tt.want.Requests {
				t.Errorf("server saw %d requests, want %d", got, tt.want.Requests)
			}
			if st.Requests != tt.want.Requests || st.Retries != tt.want.Retries || st.Errors != tt.want.Errors {
				t.Errorf("stats = %+v, want %d requests, %d retries, %d errors", st, tt.want.Requests, tt.want.Retries, tt.want.Errors)
			}
		})
	}
}

// hang answers nothing until the client gives up on the request; stall sends the headers and
// part of the body first. Neither can hang a test: the client's deadline ends both.
var (
	hang  = func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	stall = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"results":[`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
	answer = func(body string) func(http.ResponseWriter, *http.Request) {
		return func(w http.ResponseWriter, _ *http.Request) { writeRaw(w, http.StatusOK, body) }
	}
)

// attemptTimeout bounds the attempts of the timeout tests. Their fake server answers in the order
// it records requests, so a first attempt whose server goroutine stalls past the timeout would let
// the retry take the first answer; a loaded -race run can stall tens of milliseconds.
const attemptTimeout = 250 * time.Millisecond

func TestAttemptTimeout(t *testing.T) {
	const timeout = attemptTimeout
	list, create := listContacts(t.Context()), createContact(t.Context())
	gaveUp := func(err error) bool {
		return errors.Is(err, context.DeadlineExceeded) && strings.Contains(err.Error(), "giving up after 2 attempts") &&
			strings.Contains(err.Error(), "GET /crm/v3/objects/contacts: HubSpot did not answer within "+timeout.String())
	}
	tests := []struct {
		name         string
		call         func(c *Client) error
		answers      []func(http.ResponseWriter, *http.Request)
		wantRequests int
		wantErr      func(error) bool
	}{
		{"hung read is retried", list, []func(http.ResponseWriter, *http.Request){hang, answer(okList)}, 2, func(err error) bool { return err == nil }},
		{"stalled body is retried", list, []func(http.ResponseWriter, *http.Request){stall, answer(okList)}, 2, func(err error) bool { return err == nil }},
		{"read gives up naming the limit", list, []func(http.ResponseWriter, *http.Request){hang}, 2, gaveUp},
		{"hung create is ambiguous", create, []func(http.ResponseWriter, *http.Request){hang, answer(okBatch)}, 1, func(err error) bool {
			return IsAmbiguousWrite(err) && strings.Contains(err.Error(), "did not answer within "+timeout.String())
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ []byte, n int) {
				tt.answers[min(n, len(tt.answers)-1)](w, r)
			})
			c, _ := newTestClient(t, f, WithAPIVersion(APIVersionV3), WithAttemptTimeout(timeout), WithRetryPolicy(RetryPolicy{MaxAttempts: 2}))
			if err := tt.call(c); !tt.wantErr(err) {
				t.Errorf("unexpected error result: %v", err)
			}
			if got := len(f.Requests()); got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
			if st := c.Stats(); st.Requests != int64(tt.wantRequests) || st.Retries != int64(tt.wantRequests-1) {
				t.Errorf("stats = %+v, want %d requests and %d retries", st, tt.wantRequests, tt.wantRequests-1)
			}
			c.limiter.mu.Lock()
			defer c.limiter.mu.Unlock()
			if c.limiter.inflight != 0 {
				t.Errorf("%d limiter slots still held after the call", c.limiter.inflight)
			}
		})
	}
}

func TestAttemptTimeoutBoundsTokenRefresh(t *testing.T) {
	var refreshes atomic.Int32
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
		if !strings.HasSuffix(r.URL.Path, "/oauth/v1/token") {
			writeRaw(w, http.StatusOK, `{"results":[]}`)
			return
		}
		if refreshes.Add(1) == 1 {
			hang(w, r)
			return
		}
		writeRaw(w, http.StatusOK, `{"access_token":"access-token-1","refresh_token":"rotated-1","expires_in":1800,"token_type":"bearer"}`)
	})
	clk := newFakeClock(true)
	l := NewLimiter(LimiterConfig{})
	l.clock = clk
	c, err := NewClient(WithBaseURL(f.URL()), WithOAuth(OAuthConfig{ClientID: "app-id", ClientSecret: testClientSecret, RefreshToken: testRefreshToken}),
		WithLimiter(l), withClock(clk), WithAttemptTimeout(attemptTimeout))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Properties.List(t.Context(), "contacts"); err != nil {
		t.Fatalf("List: %v", err)
	}
	if got := refreshes.Load(); got != 2 {
		t.Errorf("%d token requests, want 2: the hung one cut at the deadline, then one that answered", got)
	}
	if st := c.Stats(); st.Retries != 1 {
		t.Errorf("stats = %+v, want the repeated attempt counted once", st)
	}
}

// TestDebugLinesCarryTheAttempt checks every retry and limiter-wait line: method, path, attempt
// and wait always, the redacted error on a retry, never the token.
func TestDebugLinesCarryTheAttempt(t *testing.T) {
	echo := `{"status":"error","message":"busy, token ` + testToken + `","category":"SERVICE_UNAVAILABLE"}`
	tests := []struct {
		name     string
		steps    []step
		calls    int
		wantMsgs []string
	}{
		{"5xx retry", []step{{status: 503, body: echo}, {status: 200, body: okList}}, 1, []string{"hubspot: retrying"}},
		{"429 then a limiter wait", []step{{status: 429, body: rateBody}, {status: 200, body: okList}}, 1,
			[]string{"hubspot: retrying", "hubspot: waited for rate limit"}},
		{"transport resend", []step{{status: 200, body: okList}, {reset: true}, {status: 200, body: okList}}, 2,
			[]string{"hubspot: the connection broke and the transport re-sent the request"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			c, _ := newTestClient(t, scripted(t, tt.steps...), WithLogger(logger))
			for range tt.calls {
				if _, err := c.Objects.ListPage(t.Context(), "contacts", ListOptions{}); err != nil {
					t.Fatalf("ListPage: %v", err)
				}
			}
			checkDebugLines(t, logs.String(), tt.wantMsgs)
		})
	}
}

func TestDebugLineOnTokenRefresh(t *testing.T) {
	o := newOAuthFake(t, 1800)
	o.expired["access-1-"+strings.Repeat("z", 400)] = true
	var logs bytes.Buffer
	clk := newFakeClock(true)
	l := NewLimiter(LimiterConfig{})
	l.clock = clk
	c, err := NewClient(WithBaseURL(o.URL()), WithOAuth(OAuthConfig{ClientID: "app-id", ClientSecret: testClientSecret, RefreshToken: testRefreshToken}),
		WithLimiter(l), withClock(clk), WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Properties.List(t.Context(), "contacts"); err != nil {
		t.Fatalf("List: %v", err)
	}
	checkDebugLines(t, logs.String(), []string{"hubspot: access token expired, refreshing"})
	if strings.Contains(logs.String(), "access-1-") {
		t.Errorf("the expired access token reached the log: %s", logs.String())
	}
}

// checkDebugLines asserts that the JSON log lines include wantMsgs and that each line names the
// request and its attempt, and never carries the test token.
func checkDebugLines(t *testing.T, logs string, wantMsgs []string) {
	t.Helper()
	if strings.Contains(logs, testToken) {
		t.Errorf("the token reached the log: %s", logs)
	}
	var msgs []string
	for _, line := range strings.FieldsFunc(logs, func(r rune) bool { return r == '\n' }) {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		msg, _ := rec["msg"].(string)
		msgs = append(msgs, msg)
		for _, key := range []string{"method", "path", "attempt", "wait"} {
			if _, ok := rec[key]; !ok {
				t.Errorf("line %q lacks %q", line, key)
			}
		}
		if msg != "hubspot: waited for rate limit" && msg != "hubspot: the connection broke and the transport re-sent the request" {
			if e, _ := rec["error"].(string); e == "" {
				t.Errorf("retry line %q lacks the error", line)
			}
		}
	}
	for _, want := range wantMsgs {
		if !slices.Contains(msgs, want) {
			t.Errorf("no %q line in %v", want, msgs)
		}
	}
}

// TestRedirectIsNotARetry: a followed redirect takes a second connection too, after an answer.
func TestRedirectIsNotARetry(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ []byte, n int) {
		if n == 0 {
			w.Header().Set("Connection", "close")
			http.Redirect(w, r, r.URL.Path+"/", http.StatusTemporaryRedirect)
			return
		}
		writeRaw(w, http.StatusOK, okList)
	})
	c, _ := newTestClient(t, f)
	if _, err := c.Objects.ListPage(t.Context(), "contacts", ListOptions{}); err != nil {
		t.Fatalf("ListPage: %v", err)
	}
	if got := len(f.Requests()); got != 2 {
		t.Fatalf("%d requests, want the redirect and its target", got)
	}
	if st := c.Stats(); st.Retries != 0 || st.Errors != 0 {
		t.Errorf("stats = %+v, want no retry and no error", st)
	}
}

// TestCutPagesAreRetried cuts record pages at every byte: decoding each cut must fail with an
// error the retry logic treats as a transport fault, so the page is read again.
func TestCutPagesAreRetried(t *testing.T) {
	pages := []struct {
		body string
		into func() any
	}{
		{`{"results":[{"id":"1","properties":{"a":"x\ny","b":null},"createdAt":"2024-01-02T03:04:05Z"}],"paging":{"next":{"after":"2"}}}`, func() any { return new(pagejson.List) }},
		{`{"total":3,"results":[{"id":1,"properties":{"a":null}}],"paging":{"next":{"after":"3"}}}`, func() any { return new(pagejson.Search) }},
		{`{"status":"COMPLETE","results":[{"id":"1","new":true}],"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND"}]}`, func() any { return new(pagejson.Batch[[]batchErrorWire]) }},
	}
	for _, page := range pages {
		for n := range len(page.body) {
			for _, l := range []*pagejson.Layout{nil, pagejson.NewLayout([]string{"a", "b"})} {
				err := decodeBody([]byte(page.body[:n]), page.into(), l)
				if err == nil || decodeFailure(err) != failAmbiguous {
					t.Fatalf("%q (by position: %t): error %v is not retried", page.body[:n], l != nil, err)
				}
			}
		}
	}
}
