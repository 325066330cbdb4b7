package hubspot

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Error categories and rate-limit policies HubSpot puts in error bodies.
const (
	categoryMissingScopes  = "MISSING_SCOPES"
	categoryExpiredAuth    = "EXPIRED_AUTHENTICATION"
	categoryNoAssociations = "NO_ASSOCIATIONS_FOUND"
	categoryObjectNotFound = "OBJECT_NOT_FOUND"
	policyDaily            = "DAILY"
	policyTenSecondly      = "TEN_SECONDLY_ROLLING"
)

// Body size limits: error bodies are small; a page of records with every property is not.
const (
	maxErrorBodyBytes   = 64 << 10
	maxSuccessBodyBytes = 256 << 20
)

// HubSpot answers a portal whose plan lacks API access to a feature with the same 403
// MISSING_SCOPES as a token without the scope, so the fix names both.
const scopesFixHint = "add them to the private app (HubSpot: Settings > Integrations > Private Apps > Scopes) or to the OAuth app's scopes and reinstall it; if the app has them already, the portal's plan lacks API access to this feature (free portals without API access are refused this way)"

// ErrDailyBudgetExhausted means the daily request budget is spent: the cap configured in
// LimiterConfig.DailyBudget, or the portal's own quota as reported by HubSpot. Continuing would
// take the quota other integrations of the portal need until the day resets.
var ErrDailyBudgetExhausted = errors.New("hubspot: daily request budget exhausted")

// APIError is a non-success answer from HubSpot with its error body parsed. See
// https://developers.hubspot.com/docs/api/error-handling.
type APIError struct {
	StatusCode    int
	Method, Path  string // the request's method and path, without the query
	Message       string
	Category      string // e.g. VALIDATION_ERROR, OBJECT_NOT_FOUND, MISSING_SCOPES, RATE_LIMIT
	SubCategory   string
	CorrelationID string // quote it to HubSpot support
	PolicyName    string // rate-limit policy of a 429: TEN_SECONDLY_ROLLING, SECONDLY or DAILY
	Details       []ErrorDetail
	MissingScopes []string      // scopes a 403 names, from any of the places HubSpot puts them
	RetryAfter    time.Duration // from the Retry-After header, 0 when absent
}

// ErrorDetail is one entry of an error body's errors array.
type ErrorDetail struct {
	Message, Code, In string
	Context           map[string][]string
}

// Error names the request, HubSpot's category and message, and the fix where one is known.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hubspot: %s %s: %d", e.Method, e.Path, e.StatusCode)
	if e.Category != "" {
		b.WriteString(" " + e.Category)
	}
	switch {
	case e.StatusCode == http.StatusForbidden && len(e.MissingScopes) > 0:
		fmt.Fprintf(&b, ": missing scopes %s: %s", strings.Join(e.MissingScopes, ", "), scopesFixHint)
	case e.StatusCode == http.StatusForbidden && e.Category == categoryMissingScopes:
		if scope := hintFor(e.Method, e.Path).scope; scope != "" {
			fmt.Fprintf(&b, ": missing scopes (HubSpot named none; likely %s): %s", scope, scopesFixHint)
		} else {
			b.WriteString(": missing scopes (HubSpot named none): " + scopesFixHint)
		}
	case e.StatusCode == http.StatusForbidden:
		b.WriteString(": " + hintFor(e.Method, e.Path).forbiddenFix())
	case e.StatusCode == http.StatusUnauthorized:
		b.WriteString(": the access token is invalid or expired; create a new private app access token (HubSpot: Settings > Integrations > Private Apps) or, for OAuth, a new refresh token by reinstalling the app")
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	if e.CorrelationID != "" {
		b.WriteString(" (correlation id " + e.CorrelationID + ")")
	}
	return b.String()
}

// errorBody is HubSpot's error JSON.
type errorBody struct {
	Message       string        `json:"message"`
	Category      string        `json:"category"`
	ErrorType     string        `json:"errorType"`
	SubCategory   flexString    `json:"subCategory"`
	CorrelationID string        `json:"correlationId"`
	PolicyName    string        `json:"policyName"`
	Context       flexContext   `json:"context"`
	Errors        []errorDetail `json:"errors"`
	MissingScopes flexStrings   `json:"missingScopes"`
}

type errorDetail struct {
	Message string      `json:"message"`
	Code    string      `json:"code"`
	In      string      `json:"in"`
	Context flexContext `json:"context"`
}

// newAPIError parses an error response body (already read through maxErrorBodyBytes); secrets
// echoed anywhere in it are redacted.
func newAPIError(status int, method, path string, h http.Header, body []byte, r *redactor) *APIError {
	e := &APIError{StatusCode: status, Method: method, Path: path, RetryAfter: parseRetryAfter(h.Get("Retry-After"))}
	var eb errorBody
	if err := json.Unmarshal(body, &eb); err != nil {
		e.Message = r.redact(strings.TrimSpace(string(body[:min(len(body), 512)])))
		if e.Message == "" {
			e.Message = http.StatusText(status)
		}
		return e
	}
	e.Message = r.redact(eb.Message)
	e.Category = r.redact(cmp.Or(eb.Category, eb.ErrorType))
	e.SubCategory = r.redact(string(eb.SubCategory))
	e.CorrelationID = r.redact(eb.CorrelationID)
	e.PolicyName = r.redact(eb.PolicyName)
	e.addScopes(r.redactAll(eb.MissingScopes))
	e.addScopesFrom(r.redactContext(eb.Context))
	for _, d := range eb.Errors {
		ctx := r.redactContext(d.Context)
		e.Details = append(e.Details, ErrorDetail{Message: r.redact(d.Message), Code: r.redact(d.Code), In: r.redact(d.In), Context: ctx})
		e.addScopesFrom(ctx)
	}
	return e
}

// scopeKeys are the context keys under which HubSpot names missing scopes: the error handling
// guide's requiredGranularScopes, the errors' requiredScopes and the spec's missingScopes.
var scopeKeys = []string{"requiredGranularScopes", "requiredScopes", "missingScopes"}

func (e *APIError) addScopesFrom(ctx map[string][]string) {
	for _, k := range scopeKeys {
		e.addScopes(ctx[k])
	}
}

// addScopes appends scopes not yet listed, keeping HubSpot's order.
func (e *APIError) addScopes(scopes []string) {
	for _, s := range scopes {
		if s != "" && !slices.Contains(e.MissingScopes, s) {
			e.MissingScopes = append(e.MissingScopes, s)
		}
	}
}

// parseRetryAfter reads Retry-After as seconds or an HTTP date; 0 when absent or unreadable.
func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// AuthError is a failed OAuth token refresh: the refresh token or the app's credentials are
// rejected, which no retry can fix.
type AuthError struct {
	StatusCode  int    // HTTP status of the token endpoint
	Code        string // OAuth error code, e.g. invalid_grant
	Status      string // HubSpot's status, e.g. BAD_REFRESH_TOKEN
	Description string
}

// Error says what was rejected and how to get working credentials.
func (e *AuthError) Error() string {
	what := fmt.Sprintf("hubspot oauth: token refresh failed (%d", e.StatusCode)
	for _, code := range []string{e.Code, e.Status} {
		if code != "" {
			what += " " + code
		}
	}
	what += ")"
	if e.Description != "" {
		what += ": " + e.Description
	}
	// HubSpot names the problem in its status; Code is for a token endpoint that speaks RFC 6749.
	switch {
	case e.Status == "BAD_REFRESH_TOKEN" || e.Code == "invalid_grant":
		return what + ": the refresh token is invalid or revoked; create a new refresh token by re-authorizing (reinstalling) the app in the portal and update the configuration"
	case e.Status == "BAD_CLIENT_ID" || e.Code == "invalid_client":
		return what + ": the client id or client secret is wrong; copy them again from the app's Auth settings"
	default:
		return what + ": check the OAuth client id, client secret and refresh token, or reinstall the app to get a new refresh token"
	}
}

// AmbiguousWriteError is a non-idempotent write (batch create, association create) whose request
// was sent but whose outcome is unknown: the connection broke, timed out or HubSpot answered with
// a 5xx. HubSpot may have applied it, so it was not sent again; check before re-sending.
type AmbiguousWriteError struct {
	Method, Path string
	Err          error
}

// Error explains that the write may have been applied.
func (e *AmbiguousWriteError) Error() string {
	return fmt.Sprintf("hubspot: %s %s: outcome unknown, HubSpot may have applied the write, so it was not re-sent; check the records before retrying: %v", e.Method, e.Path, e.Err)
}

// Unwrap returns the failure that made the outcome unknown.
func (e *AmbiguousWriteError) Unwrap() error { return e.Err }

func apiStatus(err error) int {
	var e *APIError
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// IsNotFound reports whether err is HubSpot's 404.
func IsNotFound(err error) bool { return apiStatus(err) == http.StatusNotFound }

// IsRateLimited reports whether err is a 429 that retries could not get past.
func IsRateLimited(err error) bool { return apiStatus(err) == http.StatusTooManyRequests }

// IsConflict reports whether err is a 409, such as creating a contact whose email exists.
func IsConflict(err error) bool { return apiStatus(err) == http.StatusConflict }

// IsValidation reports whether err is a 400, such as an unknown or read-only property.
func IsValidation(err error) bool { return apiStatus(err) == http.StatusBadRequest }

// IsUnauthorized reports whether the credentials were refused: a 401 or a failed OAuth refresh.
func IsUnauthorized(err error) bool {
	var ae *AuthError
	return apiStatus(err) == http.StatusUnauthorized || errors.As(err, &ae)
}

// IsMissingScopes reports whether err is a 403 naming scopes the token lacks.
func IsMissingScopes(err error) bool {
	var e *APIError
	return errors.As(err, &e) && e.StatusCode == http.StatusForbidden && len(e.MissingScopes) > 0
}

// IsAmbiguousWrite reports whether err is an AmbiguousWriteError.
func IsAmbiguousWrite(err error) bool {
	var e *AmbiguousWriteError
	return errors.As(err, &e)
}
