// Package hubspot is a typed client for HubSpot's CRM API (objects, properties, schemas,
// associations v4, pipelines, owners and lists) in both the v3 (default) and the date-based path families.
//
// Every call goes through one request path that waits on the portal's shared Limiter, retries
// what is safe to repeat and turns HubSpot's error bodies into typed errors.
// See https://developers.hubspot.com/docs/api/overview.
package hubspot

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// API versions and the default endpoint. APIVersionV3, the default, selects the /crm/v3 family
// that HubSpot's official client libraries still call, the path most proven in the field.
// APIVersionLatest opts in to the date-based paths HubSpot supports after the v3 sunset
// (September 2027).
const (
	APIVersionLatest = "2026-09"
	APIVersionV3     = "v3"
	DefaultBaseURL   = "https://api.hubapi.com"
)

const defaultUserAgent = "cq-plugin-hubspot"

// Client talks to one HubSpot portal. It is safe for concurrent use; its services share the
// client's limiter, retry policy and credentials.
type Client struct {
	Objects      *ObjectsService
	Properties   *PropertiesService
	Schemas      *SchemasService
	Associations *AssociationsService
	Pipelines    *PipelinesService
	Owners       *OwnersService
	Lists        *ListsService

	baseURL    *url.URL
	httpClient *http.Client
	apiVersion string
	userAgent  string
	limiter    *Limiter
	retry      RetryPolicy
	// attemptTimeout bounds one HTTP attempt; 0 means none.
	attemptTimeout time.Duration
	logger         *slog.Logger
	clock          clock

	accessToken string
	oauthConfig *OAuthConfig
	auth        tokenSource
	secrets     redactor

	stats        clientStats
	lastBodySize atomic.Int64 // of the latest success body, to size the next one's buffer
}

// Option configures a Client in NewClient.
type Option func(*Client) error

// NewClient builds a client for DefaultBaseURL and APIVersionV3 unless options say otherwise.
// Without WithAccessToken or WithOAuth requests are sent unauthenticated (useful for local fakes).
func NewClient(opts ...Option) (*Client, error) {
	base, err := url.Parse(DefaultBaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse default base url: %w", err)
	}
	c := &Client{
		baseURL:    base,
		httpClient: http.DefaultClient,
		apiVersion: APIVersionV3,
		userAgent:  defaultUserAgent,
		retry:      DefaultRetryPolicy(),
		logger:     slog.New(slog.DiscardHandler),
		clock:      realClock{},
	}
	for _, opt := range opts {
		if err := opt(c); err != nil {
			return nil, fmt.Errorf("hubspot client: %w", err)
		}
	}
	if c.limiter == nil {
		c.limiter = NewLimiter(LimiterConfig{})
	}
	if err := c.setupAuth(); err != nil {
		return nil, fmt.Errorf("hubspot client: %w", err)
	}
	c.Objects = &ObjectsService{client: c}
	c.Properties = &PropertiesService{client: c}
	c.Schemas = &SchemasService{client: c}
	c.Associations = &AssociationsService{client: c}
	c.Pipelines = &PipelinesService{client: c}
	c.Owners = &OwnersService{client: c}
	c.Lists = &ListsService{client: c}
	return c, nil
}

// Route families counted in Stats.ByFamily.
const (
	familyList         = "list"
	familySearch       = "search"
	familyBatch        = "batch"
	familyAssociations = "associations"
	familyLists        = "lists"
	familyOther        = "other"
)

// Stats counts the HTTP attempts a client made, so callers can check request budgets
// (requests per 1,000 records) and error rates against HubSpot's guidelines.
type Stats struct {
	Requests    int64            // HTTP attempts sent, retries included
	Retries     int64            // attempts that repeated an earlier one
	RateLimited int64            // 429 responses
	Errors      int64            // attempts that failed: error status or transport failure
	ByFamily    map[string]int64 // attempts per route family: list, search, batch, associations, lists, other
}

type clientStats struct {
	requests, retries, rateLimited, errors atomic.Int64
	mu                                     sync.Mutex
	byFamily                               map[string]int64
}

func (s *clientStats) count(family string, attempts int) {
	s.requests.Add(int64(attempts))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.byFamily == nil {
		s.byFamily = make(map[string]int64)
	}
	s.byFamily[family] += int64(attempts)
}

// Stats returns a snapshot of the client's counters; safe for concurrent use.
func (c *Client) Stats() Stats {
	c.stats.mu.Lock()
	byFamily := maps.Clone(c.stats.byFamily)
	c.stats.mu.Unlock()
	return Stats{
		Requests:    c.stats.requests.Load(),
		Retries:     c.stats.retries.Load(),
		RateLimited: c.stats.rateLimited.Load(),
		Errors:      c.stats.errors.Load(),
		ByFamily:    byFamily,
	}
}
