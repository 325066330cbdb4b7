package emulator

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"
)

const maxTokenLen = 512

// authState accepts the private-app token and, when OAuth is configured, issues and checks
// expiring access tokens.
type authState struct {
	privateToken string
	seed         uint64
	oauth        *OAuthConfig

	mu      sync.Mutex
	revoked bool
	access  map[string]int64 // access token -> expiry, epoch ms
	issued  uint64
}

func newAuthState(cfg Config, seed uint64) (*authState, error) {
	a := &authState{privateToken: cfg.Token, seed: seed, access: map[string]int64{}}
	if a.privateToken == "" {
		a.privateToken = "pat-na1-" + uuidFrom(hash3(seed, 0x70c, 1), hash3(seed, 0x70c, 2))
	}
	if len(a.privateToken) > maxTokenLen {
		return nil, fmt.Errorf("token longer than %d characters", maxTokenLen)
	}
	if cfg.OAuth != nil {
		o := *cfg.OAuth
		if o.ClientID == "" || o.ClientSecret == "" || o.RefreshToken == "" {
			return nil, errors.New("oauth needs a client id, a client secret and a refresh token")
		}
		if o.AccessTokenTTL <= 0 {
			o.AccessTokenTTL = 1800 * time.Second
		}
		a.oauth = &o
	}
	return a, nil
}

// uuidFrom formats two hash words as a version-4 UUID.
func uuidFrom(a, b uint64) string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", uint32(a), uint16(a>>32), (a>>48)&0xfff, 0x8000|(b&0x3fff), (b>>16)&0xffffffffffff)
}

// authenticate checks the bearer token; oauth reports whether it is an OAuth access token.
func (a *authState) authenticate(header string, now int64) (oauth bool, err *apiError) {
	token, ok := strings.CutPrefix(header, "Bearer ")
	if !ok || token == "" {
		return false, newError(http.StatusUnauthorized, catInvalidAuth,
			"Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview")
	}
	if len(token) <= maxTokenLen && token == a.privateToken {
		return false, nil
	}
	a.mu.Lock()
	exp, known := a.access[token]
	a.mu.Unlock()
	switch {
	case known && now < exp:
		return true, nil
	case known:
		return true, newError(http.StatusUnauthorized, catExpiredAuth,
			"The OAuth token used to make this call expired %d second(s) ago.", (now-exp)/1000)
	}
	return false, newError(http.StatusUnauthorized, catInvalidAuth,
		"Authentication credentials not found. The provided token is invalid or has been revoked.")
}

func (a *authState) expireAll(now int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for t, exp := range a.access {
		a.access[t] = min(exp, now)
	}
}

func (a *authState) revoke() {
	a.mu.Lock()
	a.revoked = true
	a.mu.Unlock()
}

// tokenResponse is the body of a successful refresh-token grant.
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token"`
	AccessToken  string `json:"access_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// grantError is the OAuth endpoint's error body, which differs from the CRM error shape: HubSpot's
// status (BAD_REFRESH_TOKEN) beside RFC 6749's error code (invalid_grant).
type grantError struct {
	Status           string `json:"status"`
	Message          string `json:"message"`
	CorrelationID    string `json:"correlationId"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// handleToken serves POST /oauth/v1/token (form-encoded refresh_token grant).
func (e *Emulator) handleToken(w http.ResponseWriter, r *http.Request) {
	fail := func(status, errCode, message string) {
		writeJSON(w, http.StatusBadRequest, grantError{Status: status, Message: message,
			CorrelationID: newCorrelationID(), Error: errCode, ErrorDescription: message})
	}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		fail("BAD_REQUEST", "invalid_request", "The request must be form-encoded (application/x-www-form-urlencoded).")
		return
	}
	if err := r.ParseForm(); err != nil {
		fail("BAD_REQUEST", "invalid_request", "The request body could not be parsed.")
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "refresh_token" {
		fail("BAD_GRANT_TYPE", "unsupported_grant_type", fmt.Sprintf("grant_type %q is not supported; use refresh_token", gt))
		return
	}
	a := e.auth
	a.mu.Lock()
	defer a.mu.Unlock()
	o := a.oauth
	if o == nil || a.revoked || r.PostForm.Get("client_id") != o.ClientID ||
		r.PostForm.Get("client_secret") != o.ClientSecret || r.PostForm.Get("refresh_token") != o.RefreshToken {
		fail("BAD_REFRESH_TOKEN", "invalid_grant", "missing or unknown refresh token")
		return
	}
	a.issued++
	token := accessToken(a.seed, a.issued)
	a.access[token] = e.nowMs() + o.AccessTokenTTL.Milliseconds()
	writeJSON(w, http.StatusOK, tokenResponse{TokenType: "bearer", RefreshToken: o.RefreshToken,
		AccessToken: token, ExpiresIn: int(o.AccessTokenTTL / time.Second)})
}

// accessToken derives a long opaque access token, as HubSpot's are (several hundred characters).
func accessToken(seed, n uint64) string {
	raw := make([]byte, 0, 300)
	for i := uint64(0); len(raw) < 300; i++ {
		raw = binary.LittleEndian.AppendUint64(raw, hash3(seed, n, i))
	}
	return "CN" + base64.RawURLEncoding.EncodeToString(raw[:300])
}

// scope messages HubSpot uses; clients show them to users.
const (
	missingScopeMessage = "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes."
	scopesLink          = "https://developers.hubspot.com/scopes"
)

// requireScopes fails with HubSpot's MISSING_SCOPES body when a scope is not granted. A portal
// without API access can be granted none.
func (e *Emulator) requireScopes(scopes ...string) *apiError {
	if e.scopes == nil && !e.cfg.NoAPIAccess {
		return nil
	}
	for _, s := range scopes {
		if !e.scopes[s] {
			err := newError(http.StatusForbidden, catMissingScope, missingScopeMessage)
			err.links = map[string]string{"scopes": scopesLink}
			if e.cfg.ScopeErrorShape == ScopeErrorMissing {
				err.context = map[string][]string{"missingScopes": {s}}
				return err
			}
			key := "requiredGranularScopes"
			if e.cfg.ScopeErrorShape == ScopeErrorRequired {
				key = "requiredScopes"
			}
			err.errors = []errorDetail{{Message: "One or more of the following scopes are required.",
				Context: map[string][]string{key: {s}}}}
			return err
		}
	}
	return nil
}
