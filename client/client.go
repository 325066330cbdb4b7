// Package client is the plugin's client: it turns the spec into one HubSpot API client per portal,
// discovers each portal's objects and properties, and runs syncs and writes.
package client

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/incremental"
)

// TablesFunc builds the plugin's tables for a catalog (static columns only when it is empty) and
// a spec (nil for NoConnection inits, which list every table).
type TablesFunc func(*Catalog, *spec.Spec) TableSet

// TableSet is every table of the plugin. Objects and Custom are synced by Sync itself; the rest
// (Tables less those) go through the SDK's scheduler.
type TableSet struct {
	Tables  schema.Tables
	Objects []ObjectTable
	Custom  []CustomTable
}

// CustomTable is a table whose Sync sends its records itself, once per portal, rather than
// through the scheduler's resources: the associations table, whose reads also fill its relation,
// and the lists table, which decides from its own rows which lists' members to read again.
type CustomTable struct {
	Table *schema.Table
	// Companions name relations synced whenever their parent is, whatever skip_dependent_tables
	// says: the refresh tables, without which live rows cannot be told from removed ones.
	Companions []string
	// Follows, when set, names the object types whose changes, as their tables found them this
	// run, Sync reads (ReadAssociationSources): the job takes a slot only after every object table
	// holds one, and the tables of those types keep their changes for it.
	Follows func(ctx context.Context, m *Meta) ([]string, error)
	// Sync reads the table for m's portal. selected is the table as the run selected it: its
	// Relations are the relations to fill. send hands one record of the table or of a relation
	// over, each record carrying its table's schema.
	Sync func(ctx context.Context, m *Meta, selected *schema.Table, send func(arrow.Record) error) error
}

// ObjectTable is the table of one object type. Its rows are built straight into Arrow arrays
// rather than through the scheduler's resources: at a couple of hundred property columns, the
// scheduler's per-value work (a scalar, a resolver call and a conversion for every value) costs
// more CPU per record than HubSpot's rate limits leave for the whole record.
type ObjectTable struct {
	Table  *schema.Table
	Object string // ObjectType.Name
	// Build turns records of one portal into one Arrow record with the table's schema, reporting
	// values that do not parse (their cells are null). The records carry their properties by
	// position (hubspot.Object.Values) in the order of ObjectType.ReadProperties, as ReadObjects
	// reads them; a record that absorbed others in merges adds a tombstone row for each.
	Build func(portal string, objs []hubspot.Object, bad BadValueFunc) (arrow.Record, error)
}

// BadValueFunc is told about a value that did not parse as its column's type.
type BadValueFunc func(column, value string, err error)

// Client serves Sync for the source role and Write for the reverse-ETL role.
type Client struct {
	plugin.UnimplementedTransformer

	logger   zerolog.Logger
	spec     *spec.Spec // nil for NoConnection inits
	portals  []*PortalClient
	tablesFn TablesFunc
	// static are the tables known without asking HubSpot: standard objects' (static columns
	// only) and the definition tables.
	static TableSet
	dest   destination
	// report, when set, is filled by Sync and Write (WithReport).
	report *Report
	// progress, when set, hears the reads' expected record counts (WithProgress).
	progress incremental.Progress
	// localState, when set, is the state file Sync keeps its cursors in (WithLocalState).
	localState string
}

var _ plugin.Client = (*Client)(nil)

// PortalClient is one HubSpot account: its API client (with its own rate budget) and what discovery
// read of its object types (see Catalog).
type PortalClient struct {
	Name string
	API  *hubspot.Client

	spec    *spec.Spec
	logger  zerolog.Logger
	limiter *hubspot.Limiter
	// usageRestored: the state's count of today's requests was added to the limiter.
	usageRestored bool

	// mu guards discovery, which Tables calls may run at the same time.
	mu         sync.Mutex
	defs       definitions            // as HubSpot answered, for the source and the destination alike
	custom     []ObjectType           // custom objects, with their definitions
	customRead bool                   // custom holds the schema list's answer
	objects    map[string]*ObjectType // by name; nil when skipped for a missing scope

	skippedMu sync.Mutex
	skipped   []Skipped // object types discovery or reading left out for a missing scope
}

// Option configures the clients New builds, for callers that run the plugin in-process
// (`hubspot sync`): the CloudQuery CLI passes none.
type Option func(*Client)

// New returns the plugin's NewClientFunc; version is the plugin's, sent in the User-Agent. Init
// validates the spec and builds the API clients without calling HubSpot: the source's discovery
// waits for Tables, which knows what the run selects, and a reverse-ETL destination needs none of
// it. With NoConnection (doc, package, `cloudquery tables`) Tables lists the static tables.
func New(version string, tablesFn TablesFunc, options ...Option) plugin.NewClientFunc {
	configure := func(c *Client) *Client {
		for _, o := range options {
			o(c)
		}
		return c
	}
	return func(_ context.Context, logger zerolog.Logger, raw []byte, opts plugin.NewClientOptions) (plugin.Client, error) {
		if opts.NoConnection {
			return configure(&Client{logger: logger, tablesFn: tablesFn, static: tablesFn(&Catalog{Objects: StandardObjects}, nil)}), nil
		}
		s, err := parseSpec(raw)
		if err != nil {
			return nil, err
		}
		logger = roleLogger(logger, s, opts)
		c := configure(&Client{logger: logger, spec: s, tablesFn: tablesFn, static: tablesFn(&Catalog{Objects: StandardObjects}, s)})
		for _, ps := range s.Portals {
			p, err := newPortal(ps, s, version, logger)
			if err != nil {
				return nil, err
			}
			c.portals = append(c.portals, p)
		}
		return c, nil
	}
}

// roleLogger names the role the process plays in the logger's module field. The SDK's serve sets
// it to <name>-<kind>, "hubspot-source", before any Init says which spec the process serves; a
// spec with mappings is a destination's. zerolog cannot replace one field, so the context is
// reset and the invocation id the SDK's Init added is set again.
func roleLogger(logger zerolog.Logger, s *spec.Spec, opts plugin.NewClientOptions) zerolog.Logger {
	if len(s.Mappings) == 0 || opts.PluginMeta.Name == "" {
		return logger
	}
	ctx := logger.With().Reset().Str("module", opts.PluginMeta.Name+"-"+string(plugin.KindDestination))
	if opts.InvocationID != "" {
		ctx = ctx.Str("invocation_id", opts.InvocationID)
	}
	return ctx.Logger()
}

// newPortal builds a portal's API client; extra options override the spec's (the connection
// test's tighter bounds).
func newPortal(ps spec.Portal, s *spec.Spec, version string, logger zerolog.Logger, extra ...hubspot.Option) (*PortalClient, error) {
	limiter := hubspot.NewLimiter(hubspot.LimiterConfig{
		Burst:           ps.RateLimit.BurstPer10s,
		SearchPerSecond: ps.RateLimit.SearchPerSecond,
		DailyBudget:     ps.RateLimit.DailyBudget,
	})
	timeout := s.RequestTimeout.Duration()
	logger = logger.With().Str("portal", ps.Name).Logger()
	opts := []hubspot.Option{
		hubspot.WithBaseURL(ps.BaseURL),
		hubspot.WithAPIVersion(s.APIVersion),
		hubspot.WithLimiter(limiter),
		hubspot.WithHTTPClient(httpClient(timeout)),
		hubspot.WithAttemptTimeout(timeout),
		hubspot.WithLogger(newSlogLogger(logger)),
		hubspot.WithUserAgent(userAgent(version)),
	}
	if ps.OAuth != nil {
		opts = append(opts, hubspot.WithOAuth(hubspot.OAuthConfig{ClientID: ps.OAuth.ClientID, ClientSecret: ps.OAuth.ClientSecret, RefreshToken: ps.OAuth.RefreshToken}))
	} else {
		opts = append(opts, hubspot.WithAccessToken(ps.AccessToken))
	}
	api, err := hubspot.NewClient(append(opts, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("portal %s: %w", ps.Name, err)
	}
	return &PortalClient{Name: ps.Name, API: api, spec: s, logger: logger, limiter: limiter, objects: map[string]*ObjectType{}}, nil
}

// httpClient bounds each stage of a connection, so that a peer that accepts and then goes
// silent fails the attempt instead of holding it (and its rate-limit slot) forever; the attempt
// as a whole is bounded by the API client's attempt timeout.
func httpClient(attemptTimeout time.Duration) *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: min(attemptTimeout, 30*time.Second), KeepAlive: 30 * time.Second}).DialContext
	t.TLSHandshakeTimeout = min(attemptTimeout, 10*time.Second)
	t.ResponseHeaderTimeout = attemptTimeout
	return &http.Client{Transport: t}
}

func validateAgainstSchema(raw []byte) error {
	// The SDK compiles the schema but leaves validation to `cloudquery validate-config`; checking here
	// makes a bad spec fail at init with the field's path.
	return spec.ValidateJSON(raw)
}

// Tables lists the tables matching the options, discovering only the object types they select.
func (c *Client) Tables(ctx context.Context, opts plugin.TableOptions) (schema.Tables, error) {
	_, tables, err := c.selectTables(ctx, opts)
	return tables, err
}

// selectTables builds the tables matching the options and the set they were chosen from. Which
// object tables the patterns select depends on names alone, so it is worked out on tables without
// property columns; then each portal discovers those object types (or has already), and the
// tables are built with their columns.
func (c *Client) selectTables(ctx context.Context, opts plugin.TableOptions) (TableSet, schema.Tables, error) {
	if c.spec == nil {
		tables, err := c.static.Tables.FilterDfs(opts.Tables, opts.SkipTables, opts.SkipDependentTables)
		return c.static, tables, err
	}
	withCustom := c.mayMatchCustom(opts)
	candidates := make([]*Catalog, 0, len(c.portals))
	for _, p := range c.portals {
		cat, err := p.candidateCatalog(ctx, withCustom)
		if err != nil {
			return TableSet{}, nil, err
		}
		candidates = append(candidates, cat)
	}
	unbuilt := c.tablesFn(Union(candidates), c.spec)
	picked, err := unbuilt.Tables.FilterDfs(opts.Tables, opts.SkipTables, opts.SkipDependentTables)
	if err != nil {
		return TableSet{}, nil, err
	}
	var names []string
	for _, ot := range unbuilt.Objects {
		if picked.Get(ot.Table.Name) != nil {
			names = append(names, ot.Object)
		}
	}
	catalogs := make([]*Catalog, 0, len(c.portals))
	for _, p := range c.portals {
		cat := &Catalog{}
		if len(names) > 0 {
			if cat, err = p.discover(ctx, names); err != nil {
				return TableSet{}, nil, err
			}
		}
		catalogs = append(catalogs, cat)
	}
	set := c.tablesFn(Union(catalogs), c.spec)
	tables, err := set.Tables.FilterDfs(opts.Tables, opts.SkipTables, opts.SkipDependentTables)
	if err != nil {
		return TableSet{}, nil, err
	}
	if tables, err = withCompanions(set, tables, opts); err != nil {
		return TableSet{}, nil, err
	}
	// The SDK's own check at Init would list every table, discovery and all; it is made here.
	if err := tables.ValidateDuplicateTables(); err != nil {
		return TableSet{}, nil, fmt.Errorf("tables: %w", err)
	}
	if err := tables.ValidateDuplicateColumns(); err != nil {
		return TableSet{}, nil, fmt.Errorf("tables: %w", err)
	}
	return set, tables, nil
}

// withCompanions gives each selected custom table's selected relations their companions, even
// where skip_dependent_tables, which the CloudQuery CLI turns on by default, would leave them out.
// A companion the options skip by name stays out.
func withCompanions(set TableSet, tables schema.Tables, opts plugin.TableOptions) (schema.Tables, error) {
	if !opts.SkipDependentTables || len(set.Custom) == 0 {
		return tables, nil
	}
	withRelations, err := set.Tables.FilterDfs(opts.Tables, opts.SkipTables, false)
	if err != nil {
		return nil, err
	}
	for i, t := range tables {
		if j := slices.IndexFunc(set.Custom, func(ct CustomTable) bool { return ct.Table.Name == t.Name }); j >= 0 {
			full := withRelations.Get(t.Name)
			keepSelected(full, tables, set.Custom[j].Companions)
			tables[i] = full
		}
	}
	return tables, nil
}

// keepSelected prunes t's relations (a copy with every relation) to those selected and their
// companions.
func keepSelected(t *schema.Table, selected schema.Tables, companions []string) {
	kept := t.Relations[:0]
	for _, r := range t.Relations {
		if selected.Get(r.Name) != nil || slices.Contains(companions, r.Name) {
			keepSelected(r, selected, companions)
			kept = append(kept, r)
		}
	}
	t.Relations = kept
}

// mayMatchCustom reports whether a table pattern could match a custom object's table, which only
// the portals' schema lists can tell: any pattern but the exact name of a table known without
// them, when the spec's objects can select a custom object.
func (c *Client) mayMatchCustom(opts plugin.TableOptions) bool {
	if !mayWantCustom(c.spec) {
		return false
	}
	return slices.ContainsFunc(slices.Concat(opts.Tables, opts.SkipTables), func(pattern string) bool {
		return c.static.Tables.Get(pattern) == nil
	})
}

// Close finishes a reverse-ETL session that is still open (its report is flushed and its
// summary logged); API clients hold no connections beyond the HTTP pool.
func (c *Client) Close(context.Context) error {
	_, err := c.finishRun()
	return err
}
