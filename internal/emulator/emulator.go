// Package emulator is an in-memory HubSpot portal served over HTTP. It is the test bed for the
// whole project, so it reproduces HubSpot's strictness: both API path families, paging and search
// limits, batch partial failures, validation, scopes, OAuth, rate limits and injected faults.
// Seeded data is derived from the seed on demand, so a million-contact portal fits in memory.
package emulator

import (
	"fmt"
	"net/http"
	"sync"
	"time"
)

// HubSpot's Free tier limits, which apply when Config leaves a limit at 0.
const (
	FreeBurstLimit      = 100
	FreeDailyLimit      = 250_000
	FreeSearchPerSecond = 5
)

// Shapes of a 403 MISSING_SCOPES body, each naming the missing scope in a different place.
const (
	// ScopeErrorGranular names it in errors[].context.requiredGranularScopes.
	ScopeErrorGranular = "granular"
	// ScopeErrorRequired names it in errors[].context.requiredScopes.
	ScopeErrorRequired = "required"
	// ScopeErrorMissing names it in context.missingScopes.
	ScopeErrorMissing = "missing"
)

// Config describes the emulated portal. The zero value is a default-sized portal on HubSpot's
// Free tier limits.
type Config struct {
	// Seed makes every generated value, id and timestamp reproducible.
	Seed int64
	// PortalID is the HubSpot account id; default 12345678.
	PortalID int64
	// Token is the accepted private-app bearer token; "" generates one (see Emulator.Token).
	Token string
	// Counts holds records per object type name (contacts, companies, deals, tickets, calls, emails,
	// meetings, notes, tasks, cars, subscriptions). Missing keys take DefaultCounts.
	Counts map[string]int
	// BurstLimit is requests per rolling 10 s window; 0 = FreeBurstLimit.
	BurstLimit int
	// SearchPerSecond is search requests per rolling second; 0 = FreeSearchPerSecond.
	SearchPerSecond int
	// DailyLimit is requests per UTC day; 0 = FreeDailyLimit.
	DailyLimit int
	// NoLimits turns every rate limit off, for tests that are not about limits. HubSpot always
	// enforces them.
	NoLimits bool
	// SearchLag hides records changed less than this long ago from search, as HubSpot's index lags.
	SearchLag time.Duration
	// Scopes lists granted scopes; nil grants all.
	Scopes []string
	// ScopeErrorShape picks where 403 MISSING_SCOPES bodies name the missing scope, among the
	// shapes HubSpot answers with: ScopeErrorGranular ("" too), ScopeErrorRequired or
	// ScopeErrorMissing.
	ScopeErrorShape string
	// NoAPIAccess models a portal whose subscription lacks API access to the CRM: HubSpot can grant
	// its apps no scope, so every call is refused as HubSpot refuses a missing scope, 403
	// MISSING_SCOPES naming the scope the call needs.
	NoAPIAccess bool
	// OAuth, when set, enables /oauth/v1/token, which issues expiring access tokens.
	OAuth *OAuthConfig
	// Faults injects errors, latency, resets and truncated bodies into API responses.
	Faults Faults
	// Now is the clock; nil means time.Now. Inject a fake clock to test lag, windows and expiry.
	Now func() time.Time
}

// OAuthConfig is the public app the emulator accepts refresh-token grants for.
type OAuthConfig struct {
	ClientID, ClientSecret, RefreshToken string
	// AccessTokenTTL is how long issued access tokens live; default 1800 s.
	AccessTokenTTL time.Duration
}

// Faults are injected into API responses (never into the /_emulator admin routes), drawn from an
// RNG seeded with Config.Seed.
type Faults struct {
	// ErrorRate maps an HTTP status (429, 423, 477, 500, 502, 503, 504, 521, 523, 524) to the share
	// of API requests answered with it.
	ErrorRate map[int]float64 `json:"errorRate,omitempty"`
	// Latency is added to every API response.
	Latency time.Duration `json:"latency,omitempty"`
	// ResetRate is the share of requests whose connection is closed without a response.
	ResetRate float64 `json:"resetRate,omitempty"`
	// TruncateRate is the share of successful responses whose body is cut short.
	TruncateRate float64 `json:"truncateRate,omitempty"`
	// HangRate is the share of requests accepted and never answered: each is held until the
	// client gives up or Close is called.
	HangRate float64 `json:"hangRate,omitempty"`
}

// Emulator is one emulated HubSpot portal. All methods are safe for concurrent use.
type Emulator struct {
	cfg       Config
	now       func() time.Time
	seed      uint64
	portalID  int64
	startMs   int64
	scopes    map[string]bool
	types     []*objectType
	typeKeys  map[string]*objectType
	pipelines map[string][]pipeline
	owners    []owner

	mu     sync.RWMutex // guards tables and assoc
	tables map[string]*table
	assoc  *assocStore
	writes uint64
	lists  *listStore

	closing   chan struct{} // closed by Close: releases requests held by the hang fault
	closeOnce sync.Once

	auth    *authState
	limits  *limiter
	faults  *faultInjector
	stats   *statsCollector
	handler http.Handler
}

// New builds the portal: types, seeded records and associations. It validates the config.
func New(cfg Config) (*Emulator, error) {
	if cfg.PortalID == 0 {
		cfg.PortalID = 12345678
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.BurstLimit < 0 || cfg.SearchPerSecond < 0 || cfg.DailyLimit < 0 || cfg.SearchLag < 0 {
		return nil, fmt.Errorf("new emulator: limits and lag must not be negative")
	}
	switch cfg.ScopeErrorShape {
	case "":
		cfg.ScopeErrorShape = ScopeErrorGranular
	case ScopeErrorGranular, ScopeErrorRequired, ScopeErrorMissing:
	default:
		return nil, fmt.Errorf("new emulator: scope error shape %q: use %s, %s or %s", cfg.ScopeErrorShape, ScopeErrorGranular, ScopeErrorRequired, ScopeErrorMissing)
	}
	if err := cfg.Faults.validate(); err != nil {
		return nil, fmt.Errorf("new emulator: %w", err)
	}
	seed := mix(uint64(cfg.Seed))
	e := &Emulator{
		cfg: cfg, now: cfg.Now, seed: seed, portalID: cfg.PortalID,
		startMs:   cfg.Now().UnixMilli(),
		typeKeys:  map[string]*objectType{},
		tables:    map[string]*table{},
		pipelines: seedPipelines(seed),
		closing:   make(chan struct{}),
	}
	if cfg.Scopes != nil {
		e.scopes = map[string]bool{}
		for _, s := range cfg.Scopes {
			e.scopes[s] = true
		}
	}
	e.owners = seedOwners(seed, e.startMs)
	e.types = buildTypes(seed, cfg.PortalID, e.owners, e.pipelines)
	counts := DefaultCounts()
	for name, n := range cfg.Counts {
		if _, ok := counts[name]; !ok {
			return nil, fmt.Errorf("new emulator: unknown object type %q in counts", name)
		}
		if n < 0 {
			return nil, fmt.Errorf("new emulator: negative count %d for %s", n, name)
		}
		counts[name] = n
	}
	var wg sync.WaitGroup
	built := make([]*table, len(e.types))
	for i, t := range e.types {
		for _, k := range []string{t.name, t.typeID, t.fqName} {
			if k != "" {
				e.typeKeys[k] = t
			}
		}
		wg.Go(func() { built[i] = newTable(t, seed, counts[t.name], e.startMs) })
	}
	wg.Wait()
	for _, t := range built {
		e.tables[t.typ.name] = t
	}
	e.assoc = newAssocStore(seed, e.types, e.tables)
	e.lists = newListStore(seed, e.typeKeys, e.tables, e.startMs)
	auth, err := newAuthState(cfg, seed)
	if err != nil {
		return nil, fmt.Errorf("new emulator: %w", err)
	}
	e.auth = auth
	e.limits = newLimiter(cfg.limits())
	e.faults = newFaultInjector(cfg.Seed, cfg.Faults)
	e.stats = newStatsCollector()
	e.handler = e.routes()
	return e, nil
}

// limits gives the enforced burst, search and daily limits; 0 means not enforced.
func (cfg Config) limits() (burst, search, daily int) {
	if cfg.NoLimits {
		return 0, 0, 0
	}
	orFree := func(v, free int) int {
		if v == 0 {
			return free
		}
		return v
	}
	return orFree(cfg.BurstLimit, FreeBurstLimit), orFree(cfg.SearchPerSecond, FreeSearchPerSecond), orFree(cfg.DailyLimit, FreeDailyLimit)
}

// Handler serves the HubSpot API and the /_emulator admin routes.
func (e *Emulator) Handler() http.Handler { return e.handler }

// Token is the accepted private-app token (the configured one, or the generated one).
func (e *Emulator) Token() string { return e.auth.privateToken }

// PortalID is the emulated account id.
func (e *Emulator) PortalID() int64 { return e.portalID }

// SetFaults replaces the injected faults; invalid rates are clamped into [0, 1].
func (e *Emulator) SetFaults(f Faults) { e.faults.set(f) }

// Close releases every request held by the hang fault; later hung requests are released at
// once. Servers call it on shutdown (http.Server.RegisterOnShutdown), as http.Server.Shutdown
// waits for handlers to return.
func (e *Emulator) Close() {
	e.closeOnce.Do(func() { close(e.closing) })
}

// ExpireTokens makes every issued OAuth access token expire now.
func (e *Emulator) ExpireTokens() { e.auth.expireAll(e.nowMs()) }

// RevokeRefreshToken invalidates the refresh token: later grants fail with invalid_grant.
func (e *Emulator) RevokeRefreshToken() { e.auth.revoke() }

// ObjectTypes lists the standard and custom object type names.
func (e *Emulator) ObjectTypes() []string {
	out := make([]string, len(e.types))
	for i, t := range e.types {
		out[i] = t.name
	}
	return out
}

// Stats reports request counts by route family, 429s by policy and other errors by status.
func (e *Emulator) Stats() Stats { return e.stats.snapshot() }

func (e *Emulator) nowMs() int64 { return e.now().UnixMilli() }

// resolveType finds an object type by plural name, type id or fully qualified name.
func (e *Emulator) resolveType(key string) (*objectType, *apiError) {
	if t, ok := e.typeKeys[key]; ok {
		return t, nil
	}
	return nil, notFound("Unable to infer object type from: %s", key)
}
