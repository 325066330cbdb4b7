package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	testClientSecret = "client-secret-0f9e8d7c6b5a"
	testRefreshToken = "refresh-token-na1-aaaabbbbccccdddd"
)

// oauthFake issues access tokens from /oauth/v1/token and serves API calls, answering 401
// EXPIRED_AUTHENTICATION for tokens listed in expired.
type oauthFake struct {
	*fakeAPI
	mu        sync.Mutex
	refreshes []string // refresh tokens presented
	expiresIn int
	badGrant  bool
	busy      []int // statuses the token endpoint answers first, one per request
	expired   map[string]bool
	hang      chan struct{} // when set, the token endpoint answers only once it is closed
}

func newOAuthFake(t *testing.T, expiresIn int) *oauthFake {
	o := &oauthFake{expiresIn: expiresIn, expired: map[string]bool{}}
	o.fakeAPI = newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, body []byte, _ int) {
		if o.hang != nil && strings.HasSuffix(r.URL.Path, "/oauth/v1/token") {
			select {
			case <-o.hang:
			case <-r.Context().Done():
				return
			}
		}
		o.mu.Lock()
		defer o.mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/oauth/v1/token") {
			form, err := url.ParseQuery(string(body))
			if err != nil {
				t.Errorf("token form: %v", err)
			}
			if form.Get("grant_type") != "refresh_token" || form.Get("client_id") != "app-id" || form.Get("client_secret") != testClientSecret {
				t.Errorf("token form = %v", form)
			}
			if len(o.busy) > 0 {
				status := o.busy[0]
				o.busy = o.busy[1:]
				writeRaw(w, status, `{"status":"error","message":"busy","correlationId":"c","category":"INTERNAL_ERROR"}`)
				return
			}
			if o.badGrant {
				writeRaw(w, http.StatusBadRequest, `{"status":"BAD_REFRESH_TOKEN","message":"missing or unknown refresh token","correlationId":"c"}`)
				return
			}
			o.refreshes = append(o.refreshes, form.Get("refresh_token"))
			n := len(o.refreshes)
			writeRaw(w, http.StatusOK, fmt.Sprintf(`{"access_token":"access-%d-%s","refresh_token":"rotated-%d-%s","expires_in":%d,"token_type":"bearer"}`,
				n, strings.Repeat("z", 400), n, strings.Repeat("r", 20), o.expiresIn))
			return
		}
		token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if o.expired[token] {
			writeRaw(w, http.StatusUnauthorized, `{"status":"error","message":"The OAuth token used to make this call expired 1 second(s) ago.","category":"EXPIRED_AUTHENTICATION","correlationId":"c"}`)
			return
		}
		writeRaw(w, http.StatusOK, `{"results":[]}`)
	})
	return o
}

func (o *oauthFake) refreshCount() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.refreshes)
}

func newOAuthClient(t *testing.T, o *oauthFake, opts ...Option) *Client {
	t.Helper()
	clk := newFakeClock(true)
	l := NewLimiter(LimiterConfig{})
	l.clock = clk
	c, err := NewClient(append([]Option{WithBaseURL(o.URL()), WithOAuth(OAuthConfig{ClientID: "app-id", ClientSecret: testClientSecret, RefreshToken: testRefreshToken}),
		WithLimiter(l), withClock(clk)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestOAuthRefreshAheadOfExpiry(t *testing.T) {
	tests := []struct {
		name          string
		expiresIn     int
		wantRefreshes int
	}{
		{"30-minute token is reused", 1800, 1},
		{"token inside the 5-minute margin is renewed before use", 299, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOAuthFake(t, tt.expiresIn)
			c := newOAuthClient(t, o)
			for range 3 {
				if _, err := c.Properties.List(t.Context(), "contacts"); err != nil {
					t.Fatalf("List: %v", err)
				}
			}
			if got := o.refreshCount(); got != tt.wantRefreshes {
				t.Errorf("%d refreshes, want %d", got, tt.wantRefreshes)
			}
			o.mu.Lock()
			defer o.mu.Unlock()
			if o.refreshes[0] != testRefreshToken {
				t.Errorf("first refresh used %q", o.refreshes[0])
			}
			for i := 1; i < len(o.refreshes); i++ {
				if !strings.HasPrefix(o.refreshes[i], fmt.Sprintf("rotated-%d-", i)) {
					t.Errorf("refresh %d used %q, want the rotated token", i+1, o.refreshes[i])
				}
			}
		})
	}
}

func TestOAuthRefreshOnExpiredAuthentication(t *testing.T) {
	o := newOAuthFake(t, 1800)
	o.expired["access-1-"+strings.Repeat("z", 400)] = true
	c := newOAuthClient(t, o)
	if _, err := c.Properties.List(t.Context(), "contacts"); err != nil {
		t.Fatalf("List: %v", err)
	}
	if got := o.refreshCount(); got != 2 {
		t.Errorf("%d refreshes, want 2", got)
	}
	reqs := o.Requests()
	var api []string
	for _, r := range reqs {
		if !strings.HasSuffix(r.Path, "/oauth/v1/token") {
			api = append(api, r.Header.Get("Authorization")[:16])
		}
	}
	if want := []string{"Bearer access-1-", "Bearer access-2-"}; fmt.Sprint(api) != fmt.Sprint(want) {
		t.Errorf("API calls used %v, want %v", api, want)
	}
}

func TestOAuthExpiredTwiceFails(t *testing.T) {
	o := newOAuthFake(t, 1800)
	o.expired["access-1-"+strings.Repeat("z", 400)] = true
	o.expired["access-2-"+strings.Repeat("z", 400)] = true
	c := newOAuthClient(t, o)
	_, err := c.Properties.List(t.Context(), "contacts")
	if !IsUnauthorized(err) {
		t.Fatalf("err = %v, want a 401", err)
	}
	if got := o.refreshCount(); got != 2 {
		t.Errorf("%d refreshes, want exactly one forced refresh after the first", got)
	}
}

func TestOAuthInvalidGrant(t *testing.T) {
	o := newOAuthFake(t, 1800)
	o.badGrant = true
	c := newOAuthClient(t, o)
	_, err := c.Properties.List(t.Context(), "contacts")
	var authErr *AuthError
	if !errors.As(err, &authErr) || authErr.Status != "BAD_REFRESH_TOKEN" {
		t.Fatalf("err = %#v, want *AuthError BAD_REFRESH_TOKEN", err)
	}
	for _, want := range []string{"new refresh token", "reinstalling"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q does not mention %q", err, want)
		}
	}
	if got := len(o.Requests()); got != 1 {
		t.Errorf("%d requests, want only the one refresh attempt", got)
	}
}

func TestOAuthRefreshRetriesServerErrors(t *testing.T) {
	o := newOAuthFake(t, 1800)
	o.busy = []int{http.StatusInternalServerError, http.StatusServiceUnavailable}
	c := newOAuthClient(t, o)
	if _, err := c.Properties.List(t.Context(), "contacts"); err != nil {
		t.Fatalf("List: %v", err)
	}
	if got := o.refreshCount(); got != 1 {
		t.Errorf("%d successful refreshes, want 1 after the 500 and the 503", got)
	}
	if got := len(o.Requests()); got != 4 {
		t.Errorf("%d requests, want 3 token requests and the API call", got)
	}
	if st := c.Stats(); st.Retries != 2 {
		t.Errorf("stats = %+v, want the two repeated attempts counted", st)
	}
}

// A token endpoint that stops answering must not hold requests past their context: a cancelled
// run ends at once, rather than after one attempt timeout per request queued behind the refresh.
// The waiting requests share one refresh.
func TestOAuthRefreshWaitEndsWithTheContext(t *testing.T) {
	o := newOAuthFake(t, 1800)
	o.hang = make(chan struct{})
	c := newOAuthClient(t, o, WithAttemptTimeout(10*time.Second))
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			if _, err := c.Properties.List(ctx, "contacts"); !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v, want the context's deadline", err)
			}
		})
	}
	wg.Wait()
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("requests returned %s after their context ended at 300ms", took)
	}
	close(o.hang)
	if _, err := c.Properties.List(t.Context(), "contacts"); err != nil {
		t.Fatalf("after the endpoint recovered: %v", err)
	}
	var tokenCalls int
	for _, r := range o.Requests() {
		if strings.HasSuffix(r.Path, "/oauth/v1/token") {
			tokenCalls++
		}
	}
	if tokenCalls > 2 {
		t.Errorf("%d token requests, want the four waiting requests to share one refresh", tokenCalls)
	}
}
