package hubspot

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAPIErrorMessages(t *testing.T) {
	tests := []struct {
		name       string
		status     int
		body       string
		is         func(error) bool
		wantScopes []string
		wantInText []string
	}{
		{
			name:   "missing scopes",
			status: http.StatusForbidden,
			body: `{"status":"error","message":"This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
			  "correlationId":"a1b2","category":"MISSING_SCOPES","errors":[{"message":"One or more of the following scopes are required.",
			  "context":{"requiredGranularScopes":["crm.objects.contacts.read","crm.schemas.custom.read"]}}]}`,
			is:         IsMissingScopes,
			wantScopes: []string{"crm.objects.contacts.read", "crm.schemas.custom.read"},
			wantInText: []string{"crm.objects.contacts.read, crm.schemas.custom.read", "private app", "OAuth app", "correlation id a1b2"},
		},
		{
			name:       "invalid token",
			status:     http.StatusUnauthorized,
			body:       `{"status":"error","message":"Authentication credentials not found.","correlationId":"c","category":"INVALID_AUTHENTICATION"}`,
			is:         IsUnauthorized,
			wantInText: []string{"invalid or expired", "Private Apps", "refresh token", "INVALID_AUTHENTICATION"},
		},
		{
			name:       "portal without API access",
			status:     http.StatusForbidden,
			body:       `{"status":"error","message":"This portal does not have API access.","correlationId":"c","category":"FORBIDDEN","subCategory":"NO_API_ACCESS"}`,
			is:         func(err error) bool { return apiStatus(err) == http.StatusForbidden && !IsMissingScopes(err) },
			wantInText: []string{"check that the token has scope crm.objects.contacts.read", "the portal's plan includes API access", "This portal does not have API access."},
		},
		{
			name:       "conflict",
			status:     http.StatusConflict,
			body:       `{"status":"error","message":"Contact already exists. Existing ID: 512","correlationId":"c","category":"CONFLICT"}`,
			is:         IsConflict,
			wantInText: []string{"409 CONFLICT", "Existing ID: 512", "/crm/objects/2026-09/contacts"},
		},
		{
			name:       "not json",
			status:     http.StatusNotFound,
			body:       `<html>no such route</html>`,
			is:         IsNotFound,
			wantInText: []string{"404", "no such route"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := scripted(t, step{status: tt.status, body: tt.body})
			c, _ := newTestClient(t, f, WithAPIVersion(APIVersionLatest))
			_, err := c.Objects.ListPage(t.Context(), "contacts", ListOptions{After: "secret-cursor"})
			if !tt.is(err) {
				t.Fatalf("predicate false for %v", err)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("not an *APIError: %v", err)
			}
			if !slices.Equal(apiErr.MissingScopes, tt.wantScopes) {
				t.Errorf("MissingScopes = %v, want %v", apiErr.MissingScopes, tt.wantScopes)
			}
			if apiErr.Method != http.MethodGet || apiErr.Path != "/crm/objects/2026-09/contacts" {
				t.Errorf("method/path = %s %s", apiErr.Method, apiErr.Path)
			}
			for _, want := range tt.wantInText {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("%q does not contain %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "secret-cursor") {
				t.Errorf("error text carries the query: %q", err)
			}
			if got := len(f.Requests()); got != 1 {
				t.Errorf("%d requests, want 1", got)
			}
		})
	}
}

// TestMissingScopesShapes reads the scopes from every place HubSpot puts them.
func TestMissingScopesShapes(t *testing.T) {
	const head = `"status":"error","message":"This app hasn't been granted all required scopes to make this call.","correlationId":"c","category":"MISSING_SCOPES"`
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"context requiredGranularScopes", `{` + head + `,"context":{"requiredGranularScopes":["crm.objects.deals.read"]}}`, []string{"crm.objects.deals.read"}},
		{"errors[] requiredGranularScopes", `{` + head + `,"errors":[{"message":"m","context":{"requiredGranularScopes":["crm.objects.deals.read"]}}]}`, []string{"crm.objects.deals.read"}},
		{"errors[] requiredScopes", `{` + head + `,"errors":[{"message":"m","context":{"requiredScopes":["crm.objects.owners.read"]}}]}`, []string{"crm.objects.owners.read"}},
		{"errors[] missingScopes", `{` + head + `,"errors":[{"message":"m","context":{"missingScopes":["tickets"]}}]}`, []string{"tickets"}},
		{"context missingScopes", `{` + head + `,"context":{"missingScopes":["crm.schemas.custom.read","crm.objects.custom.read"]}}`, []string{"crm.schemas.custom.read", "crm.objects.custom.read"}},
		{"top-level missingScopes", `{` + head + `,"missingScopes":["crm.objects.companies.read"]}`, []string{"crm.objects.companies.read"}},
		{"top-level missingScopes as one string", `{` + head + `,"missingScopes":"crm.objects.companies.read"}`, []string{"crm.objects.companies.read"}},
		{"every place, deduplicated in order", `{` + head + `,"missingScopes":["a.read"],"context":{"requiredGranularScopes":["b.read","a.read"],"missingScopes":["c.read"]},
			"errors":[{"message":"m","context":{"requiredScopes":["c.read","d.read"],"missingScopes":["e.read"]}}]}`,
			[]string{"a.read", "b.read", "c.read", "d.read", "e.read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := scripted(t, step{status: http.StatusForbidden, body: tt.body})
			c, _ := newTestClient(t, f)
			_, err := c.Objects.ListPage(t.Context(), "deals", ListOptions{})
			if !IsMissingScopes(err) {
				t.Fatalf("IsMissingScopes false for %v", err)
			}
			var apiErr *APIError
			if !errors.As(err, &apiErr) || !slices.Equal(apiErr.MissingScopes, tt.want) {
				t.Fatalf("MissingScopes = %v, want %v", apiErr.MissingScopes, tt.want)
			}
			if want := "missing scopes " + strings.Join(tt.want, ", ") + ": add them"; !strings.Contains(err.Error(), want) {
				t.Errorf("%q does not contain %q", err, want)
			}
		})
	}
}

// TestForbiddenNamesWhatToCheck: a 403 that names no scope says which scope and which plan
// feature the endpoint needs, whatever HubSpot's wording.
func TestForbiddenNamesWhatToCheck(t *testing.T) {
	list := func(objectType string) func(c *Client) error {
		return func(c *Client) error {
			_, err := c.Objects.ListPage(t.Context(), objectType, ListOptions{})
			return err
		}
	}
	tests := []struct {
		name     string
		category string
		call     func(c *Client) error
		want     string
	}{
		{"contacts list", "FORBIDDEN", list("contacts"), "check that the token has scope crm.objects.contacts.read and that the portal's plan includes API access"},
		{"deals by type id", "", list("0-3"), "scope crm.objects.deals.read and"},
		{"tickets", "FORBIDDEN", list("tickets"), "scope tickets and"},
		{"calls, under the contacts scopes", "FORBIDDEN", list("calls"), "scope crm.objects.contacts.read and"},
		{"goal targets by type id", "FORBIDDEN", list("0-74"), "scope crm.objects.goals.read and"},
		{"line items create", "FORBIDDEN", func(c *Client) error {
			_, err := c.Objects.BatchCreate(t.Context(), "line_items", []ObjectInput{{Properties: map[string]string{"name": "Seat"}}})
			return err
		}, "scope crm.objects.line_items.write and"},
		{"feedback submissions create, which no scope allows", "FORBIDDEN", func(c *Client) error {
			_, err := c.Objects.BatchCreate(t.Context(), "feedback_submissions", []ObjectInput{{Properties: map[string]string{"hs_content": "x"}}})
			return err
		}, "check the token's scopes for this endpoint and"},
		{"companies create", "FORBIDDEN", func(c *Client) error {
			_, err := c.Objects.BatchCreate(t.Context(), "companies", []ObjectInput{{Properties: map[string]string{"domain": "a.com"}}})
			return err
		}, "scope crm.objects.companies.write and"},
		{"contacts search", "FORBIDDEN", func(c *Client) error {
			_, err := c.Objects.Search(t.Context(), "contacts", SearchRequest{})
			return err
		}, "scope crm.objects.contacts.read and"},
		{"owners", "FORBIDDEN", func(c *Client) error {
			for _, err := range c.Owners.List(t.Context(), false) {
				if err != nil {
					return err
				}
			}
			return nil
		}, "scope crm.objects.owners.read and that the portal's plan includes API access"},
		{"custom object", "FORBIDDEN", list("2-1234"), "scope crm.objects.custom.read and that the portal's plan includes API access and custom objects (Enterprise)"},
		{"schemas", "FORBIDDEN", func(c *Client) error {
			_, err := c.Schemas.List(t.Context())
			return err
		}, "scope crm.schemas.custom.read and that the portal's plan includes API access and custom objects (Enterprise)"},
		{"deal properties", "FORBIDDEN", func(c *Client) error {
			_, err := c.Properties.List(t.Context(), "deals")
			return err
		}, "scope crm.objects.deals.read and"},
		{"unknown object", "FORBIDDEN", list("widgets"), "check the token's scopes for this endpoint and that the portal's plan includes API access"},
		{"missing scopes without names", "MISSING_SCOPES", list("contacts"), "missing scopes (HubSpot named none; likely crm.objects.contacts.read): add them"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := scripted(t, step{status: http.StatusForbidden, body: `{"status":"error","message":"Forbidden","correlationId":"c","category":"` + tt.category + `"}`})
			c, _ := newTestClient(t, f, WithAPIVersion(APIVersionV3))
			err := tt.call(c)
			if apiStatus(err) != http.StatusForbidden || IsMissingScopes(err) {
				t.Fatalf("err = %v, want a 403 naming no scopes", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("%q spans several lines", err)
			}
		})
	}
}

func TestErrorPredicates(t *testing.T) {
	api := func(status int) error { return fmt.Errorf("wrapped: %w", &APIError{StatusCode: status}) }
	tests := []struct {
		name string
		err  error
		is   func(error) bool
		want bool
	}{
		{"not found", api(404), IsNotFound, true},
		{"not found vs 400", api(400), IsNotFound, false},
		{"rate limited", api(429), IsRateLimited, true},
		{"conflict", api(409), IsConflict, true},
		{"validation", api(400), IsValidation, true},
		{"unauthorized 401", api(401), IsUnauthorized, true},
		{"unauthorized auth error", fmt.Errorf("x: %w", &AuthError{Code: "invalid_grant"}), IsUnauthorized, true},
		{"missing scopes needs scopes", api(403), IsMissingScopes, false},
		{"ambiguous", fmt.Errorf("x: %w", &AmbiguousWriteError{Err: errors.New("reset")}), IsAmbiguousWrite, true},
		{"plain error", errors.New("x"), IsNotFound, false},
		{"nil", nil, IsRateLimited, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.is(tt.err); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"3", 3 * time.Second}, {"0.5", 500 * time.Millisecond}, {"-1", 0}, {"soon", 0},
	}
	for _, tt := range tests {
		if got := parseRetryAfter(tt.in); got != tt.want {
			t.Errorf("parseRetryAfter(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestSecretsNeverLeak puts the credentials everywhere a server could echo them and checks every
// error string and log line.
func TestSecretsNeverLeak(t *testing.T) {
	secrets := []string{testToken, testClientSecret, testRefreshToken}
	echo := strings.Join(secrets, " ")
	bodies := []step{
		{status: 400, body: fmt.Sprintf(`{"status":"error","message":"bad token %s","correlationId":"%s","category":"%s","subCategory":"%s",
		  "errors":[{"message":"%s","code":"%s","in":"%s","context":{"%s":["%s"],"requiredGranularScopes":["%s"]}}]}`,
			echo, testToken, testToken, testToken, echo, testToken, testToken, testToken, echo, testToken)},
		{status: 401, body: `{"status":"error","message":"token ` + echo + ` expired","category":"INVALID_AUTHENTICATION"}`},
		{status: 403, body: `{"status":"error","category":"MISSING_SCOPES","errors":[{"context":{"requiredGranularScopes":["` + testToken + `"]}}]}`},
		{status: 503, body: "plain text " + echo},
		{status: 207, body: `{"results":[],"numErrors":1,"errors":[{"status":"error","category":"X","message":"` + echo + `","context":{"ids":["` + testToken + `"]}}]}`},
	}
	for i, s := range bodies {
		t.Run(fmt.Sprint(s.status), func(t *testing.T) {
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			f := scripted(t, s)
			c, _ := newTestClient(t, f, WithLogger(logger), WithRetryPolicy(RetryPolicy{MaxAttempts: 2}))
			c.secrets.add(testClientSecret, testRefreshToken)
			var texts []string
			res, err := c.Objects.BatchRead(t.Context(), "contacts", BatchReadRequest{IDs: []string{"1"}})
			if err != nil {
				texts = append(texts, err.Error(), fmt.Sprintf("%+v", err))
				var apiErr *APIError
				if errors.As(err, &apiErr) {
					texts = append(texts, fmt.Sprintf("%+v", *apiErr))
				}
			}
			if res != nil {
				texts = append(texts, fmt.Sprintf("%+v", res.Errors))
				for _, e := range res.Errors {
					texts = append(texts, e.Error())
				}
			}
			texts = append(texts, logs.String())
			if !strings.Contains(strings.Join(texts, "\n"), redacted) {
				t.Errorf("no echoed secret reached an error or log, so the check proves nothing: %q", texts)
			}
			if i == 3 && !strings.Contains(logs.String(), "retrying") {
				t.Errorf("expected a retry log line, got %q", logs.String())
			}
			for _, text := range texts {
				for _, secret := range secrets {
					if strings.Contains(text, secret) {
						t.Errorf("secret leaked in %q", text)
					}
				}
			}
		})
	}
}

func TestOAuthSecretsNeverLeak(t *testing.T) {
	o := newOAuthFake(t, 1800)
	o.badGrant = true
	var logs bytes.Buffer
	clk := newFakeClock(true)
	l := NewLimiter(LimiterConfig{})
	l.clock = clk
	c, err := NewClient(WithBaseURL(o.URL()), WithOAuth(OAuthConfig{ClientID: "app-id", ClientSecret: testClientSecret, RefreshToken: testRefreshToken}),
		WithLimiter(l), withClock(clk), WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Properties.List(t.Context(), "contacts")
	if err == nil {
		t.Fatal("want an error")
	}
	for _, text := range []string{err.Error(), fmt.Sprintf("%#v", err), logs.String()} {
		for _, secret := range []string{testClientSecret, testRefreshToken} {
			if strings.Contains(text, secret) {
				t.Errorf("secret leaked in %q", text)
			}
		}
	}
}
