package hubspot

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// WithBaseURL points the client at another endpoint, such as the project's emulator. Plain http
// is accepted only for loopback hosts so that a token never crosses a network unencrypted. A path
// in the URL is kept as a prefix of every request path.
func WithBaseURL(u string) Option {
	return func(c *Client) error {
		parsed, err := url.Parse(u)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err // the url.Error text repeats the URL, which may carry credentials
			}
			return fmt.Errorf("base url: %w", err)
		}
		if parsed.User != nil || parsed.RawQuery != "" || parsed.Fragment != "" {
			return errors.New("base url: must not carry user info, query or fragment")
		}
		if parsed.Host == "" {
			return fmt.Errorf("base url %q: missing host", u)
		}
		switch parsed.Scheme {
		case "https":
		case "http":
			if !IsLoopback(parsed.Hostname()) {
				return fmt.Errorf("base url %q: plain http is only allowed for loopback hosts; use https", u)
			}
		default:
			return fmt.Errorf("base url %q: scheme must be https (or http for loopback)", u)
		}
		parsed.Path = strings.TrimRight(parsed.Path, "/")
		parsed.RawPath = ""
		c.baseURL = parsed
		return nil
	}
}

// IsLoopback reports whether host names this machine (localhost in any case, or a loopback
// address), the only place a token may travel over plain http.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// WithHTTPClient replaces http.DefaultClient, for transport timeouts (dial, TLS, response
// headers), proxies or custom TLS. The same client fetches OAuth tokens. WithAttemptTimeout
// bounds each whole attempt on top of it.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("http client is nil")
		}
		c.httpClient = hc
		return nil
	}
}

// WithAttemptTimeout bounds each HTTP attempt, OAuth token refreshes included: connecting,
// sending, and reading the whole answer must finish within d, while the wait for a limiter slot
// does not count. An attempt that runs out of time is treated like a broken connection: re-sent
// when that is safe, reported as *AmbiguousWriteError for a create. 0 means no limit.
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d < 0 {
			return fmt.Errorf("attempt timeout %s: must be 0 (no limit) or positive", d)
		}
		c.attemptTimeout = d
		return nil
	}
}

// WithAccessToken authenticates with a private app access token or a service key.
func WithAccessToken(token string) Option {
	return func(c *Client) error {
		if token == "" {
			return errors.New("access token is empty")
		}
		c.accessToken = token
		return nil
	}
}

// OAuthConfig holds a public app's credentials and a refresh token obtained when the app was
// installed in the portal.
type OAuthConfig struct {
	ClientID, ClientSecret, RefreshToken string
}

// WithOAuth authenticates with short-lived access tokens refreshed from cfg.RefreshToken at the
// base URL's /oauth/v1/token endpoint.
func WithOAuth(cfg OAuthConfig) Option {
	return func(c *Client) error {
		if cfg.ClientID == "" || cfg.ClientSecret == "" || cfg.RefreshToken == "" {
			return errors.New("oauth: client id, client secret and refresh token are all required")
		}
		c.oauthConfig = &cfg
		return nil
	}
}

// WithAPIVersion selects the path family: APIVersionV3 (default) or APIVersionLatest. Requests
// carry the shapes the selected version's spec declares.
func WithAPIVersion(v string) Option {
	return func(c *Client) error {
		switch v {
		case APIVersionLatest, APIVersionV3:
			c.apiVersion = v
			return nil
		default:
			return fmt.Errorf("api version %q: want %q or %q", v, APIVersionLatest, APIVersionV3)
		}
	}
}

// WithLimiter shares one limiter between every client of a portal, since HubSpot's limits are
// per portal and app rather than per connection.
func WithLimiter(l *Limiter) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("limiter is nil")
		}
		c.limiter = l
		return nil
	}
}

// RetryPolicy bounds the retries of one call. Zero fields take DefaultRetryPolicy's values.
type RetryPolicy struct {
	MaxAttempts     int           // attempts per call, the first included; default 6
	InitialInterval time.Duration // first backoff; default 500 ms
	MaxInterval     time.Duration // cap of one backoff; default 30 s
	MaxElapsed      time.Duration // total time spent retrying one call; default 5 min
}

// DefaultRetryPolicy returns the policy used when none is given.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxAttempts: 6, InitialInterval: 500 * time.Millisecond, MaxInterval: 30 * time.Second, MaxElapsed: 5 * time.Minute}
}

// WithRetryPolicy replaces the default retry bounds.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *Client) error {
		if p.MaxAttempts < 0 || p.InitialInterval < 0 || p.MaxInterval < 0 || p.MaxElapsed < 0 {
			return errors.New("retry policy: negative values are not allowed")
		}
		def := DefaultRetryPolicy()
		c.retry = RetryPolicy{
			MaxAttempts:     cmp.Or(p.MaxAttempts, def.MaxAttempts),
			InitialInterval: cmp.Or(p.InitialInterval, def.InitialInterval),
			MaxInterval:     cmp.Or(p.MaxInterval, def.MaxInterval),
			MaxElapsed:      cmp.Or(p.MaxElapsed, def.MaxElapsed),
		}
		return nil
	}
}

// WithUserAgent sets the User-Agent header, so HubSpot's logs attribute traffic to the integration.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		if ua == "" {
			return errors.New("user agent is empty")
		}
		c.userAgent = ua
		return nil
	}
}

// WithLogger receives debug lines about retries and limiter waits, and warnings of reads HubSpot's
// paging may have left incomplete. Lines never carry credentials.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l == nil {
			return errors.New("logger is nil")
		}
		c.logger = l
		return nil
	}
}
