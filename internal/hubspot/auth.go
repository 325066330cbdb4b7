package hubspot

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/sync/singleflight"
)

// oauthEarlyRefresh renews an access token this long before it expires (HubSpot issues them for
// 30 minutes), so a long page walk never races the expiry.
const oauthEarlyRefresh = 5 * time.Minute

// tokenSource yields the bearer token for a request.
type tokenSource interface {
	token(ctx context.Context) (string, error)
	// invalidate drops stale after HubSpot rejected it as expired and reports whether a fresh
	// token can be fetched.
	invalidate(stale string) bool
}

type staticToken string

func (t staticToken) token(context.Context) (string, error) { return string(t), nil }
func (staticToken) invalidate(string) bool                  { return false }

func (c *Client) setupAuth() error {
	switch {
	case c.accessToken != "" && c.oauthConfig != nil:
		return errors.New("choose either an access token or OAuth, not both")
	case c.accessToken != "":
		c.secrets.add(c.accessToken)
		c.auth = staticToken(c.accessToken)
	case c.oauthConfig != nil:
		c.secrets.add(c.oauthConfig.ClientSecret, c.oauthConfig.RefreshToken)
		c.auth = newOAuthSource(*c.oauthConfig, c.baseURL.String()+"/oauth/v1/token", c.tokenHTTPClient(), &c.secrets)
	}
	return nil
}

// tokenHTTPClient is the API's HTTP client with the attempt timeout as its overall timeout, the
// only deadline a refresh can get: golang.org/x/oauth2 binds one context when the source is made.
func (c *Client) tokenHTTPClient() *http.Client {
	if c.attemptTimeout <= 0 || (c.httpClient.Timeout > 0 && c.httpClient.Timeout <= c.attemptTimeout) {
		return c.httpClient
	}
	hc := *c.httpClient
	hc.Timeout = c.attemptTimeout
	return &hc
}

// oauthSource runs HubSpot's refresh-token grant through golang.org/x/oauth2, whose token caching,
// expiry arithmetic and refresh-token rotation are tested upstream; hand-written refresh code
// would have to prove all of that again.
type oauthSource struct {
	conf    *oauth2.Config
	ctx     context.Context // carries the HTTP client used for the token endpoint
	timeout time.Duration   // that client's timeout, named when a refresh runs out of time
	secrets *redactor

	// refreshes lets the requests waiting for a token share one call of src, each leaving when its
	// own context ends: oauth2 binds no request's context to a refresh, and runs one at a time.
	refreshes singleflight.Group

	mu           sync.Mutex
	src          oauth2.TokenSource
	generation   int // counts the sources made, so a request never joins a discarded source's call
	refreshToken string
	current      string
}

func newOAuthSource(cfg OAuthConfig, tokenURL string, hc *http.Client, secrets *redactor) *oauthSource {
	o := &oauthSource{
		conf: &oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint:     oauth2.Endpoint{TokenURL: tokenURL, AuthStyle: oauth2.AuthStyleInParams},
		},
		ctx:          context.WithValue(context.Background(), oauth2.HTTPClient, hc),
		timeout:      hc.Timeout,
		secrets:      secrets,
		refreshToken: cfg.RefreshToken,
	}
	o.src = o.newSource()
	return o
}

// newSource starts a cache that refreshes on first use and again oauthEarlyRefresh before expiry.
func (o *oauthSource) newSource() oauth2.TokenSource {
	return oauth2.ReuseTokenSourceWithExpiry(nil, o.conf.TokenSource(o.ctx, &oauth2.Token{RefreshToken: o.refreshToken}), oauthEarlyRefresh)
}

func (o *oauthSource) token(ctx context.Context) (string, error) {
	o.mu.Lock()
	src, generation := o.src, o.generation
	o.mu.Unlock()
	call := o.refreshes.DoChan(strconv.Itoa(generation), func() (any, error) { return src.Token() })
	var res singleflight.Result
	select {
	case res = <-call:
	case <-ctx.Done():
		return "", fmt.Errorf("oauth token refresh: %w", context.Cause(ctx))
	}
	if res.Err != nil {
		return "", o.refreshError(res.Err)
	}
	t := res.Val.(*oauth2.Token)
	o.secrets.addIssued(t.AccessToken)
	o.secrets.addIssued(t.RefreshToken)
	o.mu.Lock()
	defer o.mu.Unlock()
	o.refreshToken = cmp.Or(t.RefreshToken, o.refreshToken)
	o.current = t.AccessToken
	return t.AccessToken, nil
}

func (o *oauthSource) invalidate(stale string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.current == stale {
		o.src = o.newSource()
		o.generation++
	}
	return true
}

// transientAuthError is a token refresh that failed for a reason a retry can fix (network, or a
// status the API itself answers with when it is busy: 429, 423, 477, 5xx). The API request itself
// was never sent. minWait is the least wait the status asks for (Retry-After, 2 s for 423).
type transientAuthError struct {
	err     error
	minWait time.Duration
}

func (e *transientAuthError) Error() string { return "oauth token refresh: " + e.err.Error() }
func (e *transientAuthError) Unwrap() error { return e.err }

// refreshError turns the token endpoint's refusal into *AuthError and anything else into a
// retryable error. Only redacted fields of the response are kept.
func (o *oauthSource) refreshError(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response == nil {
		var netErr net.Error
		if o.timeout > 0 && errors.As(err, &netErr) && netErr.Timeout() {
			err = fmt.Errorf("HubSpot did not answer within %s: %w", o.timeout, context.DeadlineExceeded)
		}
		return &transientAuthError{err: err}
	}
	status := re.Response.StatusCode
	busy := &APIError{StatusCode: status, RetryAfter: parseRetryAfter(re.Response.Header.Get("Retry-After"))}
	if kind, wait := classifyStatus(busy); kind == failThrottled || kind == failAmbiguous || status >= 500 {
		return &transientAuthError{err: fmt.Errorf("token endpoint answered %d", status), minWait: wait}
	}
	var body struct {
		Status  string `json:"status"`
		Message string `json:"message"`
	}
	_ = json.Unmarshal(re.Body, &body) // the fields are optional details; ErrorCode is already parsed
	return &AuthError{
		StatusCode:  status,
		Code:        o.secrets.redact(re.ErrorCode),
		Status:      o.secrets.redact(body.Status),
		Description: o.secrets.redact(cmp.Or(re.ErrorDescription, body.Message)),
	}
}
