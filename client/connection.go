package client

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// Connection-test failure codes. The SDK defines none; these are the ones CloudQuery's own
// plugins answer with.
const (
	ConnInvalidSpec  = "INVALID_SPEC"
	ConnUnauthorized = "UNAUTHORIZED"
	ConnAccessDenied = "ACCESS_DENIED"
	ConnUnreachable  = "UNREACHABLE"
	ConnFailed       = "CONNECTION_FAILED"
)

// A connection test answers within seconds or says why not: one attempt and one retry, each
// bounded well below a sync's request timeout.
const (
	connectionTestTimeout = 30 * time.Second
	probeAttemptTimeout   = 10 * time.Second
)

var probeRetries = hubspot.RetryPolicy{MaxAttempts: 2, InitialInterval: 500 * time.Millisecond, MaxElapsed: 5 * time.Second}

// ownersScope is what the owners probe needs.
const ownersScope = "crm.objects.owners.read"

// TestConnection returns the plugin's connection tester (`cloudquery test-connection`). For each
// portal it reads one record of the first object type the spec needs; when HubSpot refuses that
// with a 403 it reads the owners too, because HubSpot refuses a token without the scope and a
// portal whose plan lacks API access with the same 403 MISSING_SCOPES, and only a second call
// needing another scope tells them apart. Failures are *plugin.TestConnError with one of the
// Conn* codes and a message ending in the fix.
func TestConnection(version string) plugin.ConnectionTester {
	return func(ctx context.Context, logger zerolog.Logger, raw []byte) error {
		s, err := parseSpec(raw)
		if err != nil {
			return plugin.NewTestConnError(ConnInvalidSpec, err)
		}
		ctx, cancel := context.WithTimeout(ctx, connectionTestTimeout)
		defer cancel()
		for _, ps := range s.Portals {
			p, err := newPortal(ps, s, version, logger,
				hubspot.WithRetryPolicy(probeRetries),
				hubspot.WithHTTPClient(httpClient(probeAttemptTimeout)),
				hubspot.WithAttemptTimeout(probeAttemptTimeout))
			if err != nil {
				return plugin.NewTestConnError(ConnInvalidSpec, err)
			}
			if err := p.testConnection(ctx, ps.BaseURL); err != nil {
				return err
			}
		}
		return nil
	}
}

// testConnection makes the portal's probes and turns a failure into a *plugin.TestConnError.
func (p *PortalClient) testConnection(ctx context.Context, baseURL string) error {
	object := p.probeObject()
	err := p.probe(ctx, object)
	if err == nil {
		return nil
	}
	var apiErr *hubspot.APIError
	var netErr net.Error // transport failures: DNS, refused or reset connections, TLS, timeouts
	switch {
	case hubspot.IsUnauthorized(err):
		return plugin.NewTestConnError(ConnUnauthorized, fmt.Errorf("portal %s: %w", p.Name, err))
	case errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusForbidden:
		what, scope := probeTarget(object)
		return p.forbidden(ctx, what, cmpScopes(apiErr.MissingScopes, scope))
	case errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded):
		return plugin.NewTestConnError(ConnUnreachable, fmt.Errorf("portal %s: cannot reach HubSpot at %s: %w: check base_url and that this machine can reach it (DNS, proxy, firewall)", p.Name, baseURL, err))
	case errors.Is(err, hubspot.ErrDailyBudgetExhausted):
		return plugin.NewTestConnError(ConnFailed, fmt.Errorf("portal %s: %w: %s", p.Name, err, Advice(err)))
	default: // a 429 or a 5xx past its retry
		return plugin.NewTestConnError(ConnFailed, fmt.Errorf("portal %s: %w: test again in a few minutes; https://status.hubspot.com lists HubSpot's incidents", p.Name, err))
	}
}

// forbidden tells a missing scope from a portal without API access by reading the owners, which
// need another scope: a portal whose plan lacks API access refuses that as well.
func (p *PortalClient) forbidden(ctx context.Context, what, scopes string) error {
	ownersErr := p.readOwner(ctx)
	var apiErr *hubspot.APIError
	if errors.As(ownersErr, &apiErr) && apiErr.StatusCode == http.StatusForbidden {
		return plugin.NewTestConnError(ConnAccessDenied, fmt.Errorf(
			"portal %s: HubSpot refused every call tried with 403 (reading %s needs %s, reading owners needs %s): "+
				"if the app has these scopes, the portal's plan lacks API access (free portals without it are refused this way): "+
				"upgrade the portal or use one with API access; otherwise add the scopes to the private app (HubSpot: Settings > Integrations > Private Apps > Scopes)",
			p.Name, what, scopes, ownersScope))
	}
	return plugin.NewTestConnError(ConnAccessDenied, fmt.Errorf(
		"portal %s: the token lacks scope %s, which reading %s needs: add it to the private app (HubSpot: Settings > Integrations > Private Apps > Scopes) or to the OAuth app's scopes and reinstall the app",
		p.Name, scopes, what))
}

// probe reads what the portal's role needs first: one record of object (see probeObject), or the
// custom object schemas when object is "".
func (p *PortalClient) probe(ctx context.Context, object string) error {
	if object != "" {
		_, err := p.API.Objects.ListPage(ctx, object, hubspot.ListOptions{Limit: 1})
		return err
	}
	_, err := p.API.Schemas.List(ctx)
	return err
}

// readOwner reads one page of owners, a single request.
func (p *PortalClient) readOwner(ctx context.Context) error {
	for _, err := range p.API.Owners.List(ctx, false) {
		return err
	}
	return nil
}

// probeObject is the first standard object type the portal's role needs: its mappings' objects
// for a destination, else the spec's objects; "" when those are custom objects only.
func (p *PortalClient) probeObject() string {
	for _, m := range p.spec.Mappings {
		if m.Portal == p.Name && isStandard(m.Object) {
			return m.Object
		}
	}
	if len(p.spec.Mappings) > 0 {
		return ""
	}
	for _, o := range StandardObjects {
		if p.spec.WantsObject(o.Name) {
			return o.Name
		}
	}
	return ""
}

// probeTarget names what probe reads for object and the scope it likely needs, for messages that
// HubSpot's answer leaves without a scope.
func probeTarget(object string) (what, scope string) {
	if object == "" {
		return "custom object schemas", "crm.schemas.custom.read"
	}
	return object, readScopes[object]
}

// readScopes are the read scopes of the standard object types (see docs/authentication.md).
var readScopes = map[string]string{
	"contacts": "crm.objects.contacts.read", "companies": "crm.objects.companies.read",
	"deals": "crm.objects.deals.read", "tickets": "tickets", "emails": "sales-email-read",
	"calls": "crm.objects.contacts.read", "meetings": "crm.objects.contacts.read",
	"notes": "crm.objects.contacts.read", "tasks": "crm.objects.contacts.read",
}

// cmpScopes joins the scopes HubSpot named, or falls back to the likely one.
func cmpScopes(named []string, likely string) string {
	if len(named) > 0 {
		return strings.Join(named, ", ")
	}
	return likely
}

// parseSpec validates raw against the JSON schema, then parses it; a spec without credentials
// is refused, since every role needs them.
func parseSpec(raw []byte) (*spec.Spec, error) {
	if err := validateAgainstSchema(raw); err != nil {
		return nil, err
	}
	s, err := spec.Parse(raw)
	if err != nil {
		return nil, err
	}
	if len(s.Portals) == 0 {
		return nil, &spec.FieldError{Path: "access_token", Problem: "no credentials: set access_token (private app or service key), oauth, or portals"}
	}
	return s, nil
}
