package hubspot

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNewClientOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		wantErr bool
	}{
		{"defaults", nil, false},
		{"https base", []Option{WithBaseURL("https://api.hubapi.com")}, false},
		{"http localhost", []Option{WithBaseURL("http://localhost:8080/prefix/")}, false},
		{"http 127.0.0.2", []Option{WithBaseURL("http://127.0.0.2:1")}, false},
		{"http ::1", []Option{WithBaseURL("http://[::1]:8080")}, false},
		{"http remote host", []Option{WithBaseURL("http://api.hubapi.com")}, true},
		{"http private ip", []Option{WithBaseURL("http://10.0.0.1")}, true},
		{"ftp", []Option{WithBaseURL("ftp://localhost")}, true},
		{"no host", []Option{WithBaseURL("https://")}, true},
		{"user info", []Option{WithBaseURL("https://user:" + testToken + "@api.hubapi.com")}, true},
		{"query", []Option{WithBaseURL("https://api.hubapi.com?hapikey=x")}, true},
		{"unparsable with credentials", []Option{WithBaseURL("https://u:" + testToken + "@api.hubapi.com/%zz")}, true},
		{"v3", []Option{WithAPIVersion(APIVersionV3)}, false},
		{"unknown version", []Option{WithAPIVersion("2025-01")}, true},
		{"both auth kinds", []Option{WithAccessToken(testToken), WithOAuth(OAuthConfig{ClientID: "a", ClientSecret: "b", RefreshToken: "c"})}, true},
		{"incomplete oauth", []Option{WithOAuth(OAuthConfig{ClientID: "a"})}, true},
		{"empty token", []Option{WithAccessToken("")}, true},
		{"nil http client", []Option{WithHTTPClient(nil)}, true},
		{"nil limiter", []Option{WithLimiter(nil)}, true},
		{"nil logger", []Option{WithLogger(nil)}, true},
		{"empty user agent", []Option{WithUserAgent("")}, true},
		{"attempt timeout", []Option{WithAttemptTimeout(30 * time.Second)}, false},
		{"no attempt timeout", []Option{WithAttemptTimeout(0)}, false},
		{"negative attempt timeout", []Option{WithAttemptTimeout(-time.Second)}, true},
		{"negative retry", []Option{WithRetryPolicy(RetryPolicy{MaxAttempts: -1})}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.opts...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && containsSecret(err.Error()) {
				t.Errorf("error leaks the token: %v", err)
			}
			if err == nil && (c.Objects == nil || c.Owners == nil || c.limiter == nil) {
				t.Error("services or limiter missing")
			}
		})
	}
}

func containsSecret(s string) bool {
	for _, secret := range []string{testToken, testClientSecret, testRefreshToken} {
		if strings.Contains(s, secret) {
			return true
		}
	}
	return false
}

func TestRetryPolicyDefaults(t *testing.T) {
	c, err := NewClient(WithRetryPolicy(RetryPolicy{MaxAttempts: 2}))
	if err != nil {
		t.Fatal(err)
	}
	def := DefaultRetryPolicy()
	if c.retry.MaxAttempts != 2 || c.retry.InitialInterval != def.InitialInterval || c.retry.MaxElapsed != def.MaxElapsed {
		t.Errorf("policy = %+v", c.retry)
	}
}

// TestUserAgentBasePathAndDefaultVersion also pins the default path family: v3.
func TestUserAgentBasePathAndDefaultVersion(t *testing.T) {
	f := scripted(t, step{status: http.StatusOK, body: `{"results":[]}`})
	c, _ := newTestClient(t, f, WithUserAgent("my-sync/1.0"))
	if _, err := c.Schemas.List(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := f.Requests()[0]
	if r.Header.Get("User-Agent") != "my-sync/1.0" || r.Path != "/crm-object-schemas/v3/schemas" {
		t.Errorf("request = %s %v", r.Path, r.Header)
	}
}
