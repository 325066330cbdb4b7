// Package spec owns the plugin's configuration: its fields, defaults, validation and JSON schema.
// One spec type serves both roles, since the CloudQuery CLI starts one process per source or
// destination spec.
package spec

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/configtype"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// JSONSchema is generated from Spec by `make gen` (client/spec/gen) and served to the CLI.
//
//go:embed schema.json
var JSONSchema string

const (
	DefaultMaxRecordsPerSync = 500_000
	DefaultConcurrency       = 8
	DefaultSettleLag         = time.Minute
	DefaultTombstoneInterval = time.Hour
	// DefaultAssociationRefreshRuns re-reads every record's associations once a day when runs are
	// hourly.
	DefaultAssociationRefreshRuns = 24
	// DefaultListRefreshRuns re-reads every list's members once a day when runs are hourly.
	DefaultListRefreshRuns = 24
	DefaultRequestTimeout  = time.Minute
	maxRequestTimeout      = 10 * time.Minute
	DefaultBurstPer10s     = 100
	DefaultSearchPerSecond = 5
	defaultPortalName      = "default"
)

// Spec is the `spec:` block of a CloudQuery source or destination using this plugin.
type Spec struct {
	// Private-app or service-key access token of a single portal. In a CLI spec write
	// `${HUBSPOT_ACCESS_TOKEN}` rather than the token itself.
	AccessToken string `json:"access_token,omitempty" jsonschema:"minLength=1,maxLength=512"`
	// OAuth refresh-token credentials of a single portal, instead of access_token.
	OAuth *OAuth `json:"oauth,omitempty"`
	// HubSpot API base URL. Plain http is accepted only for loopback addresses (the bundled emulator).
	BaseURL string `json:"base_url,omitempty" jsonschema:"default=https://api.hubapi.com"`
	// HubSpot API version: the "v3" paths (the default, and what HubSpot's official client
	// libraries call), or the date-based "2026-09" paths, opt-in.
	APIVersion string `json:"api_version,omitempty" jsonschema:"enum=v3,enum=2026-09,default=v3"`
	// Deadline of one HTTP attempt: connecting, HubSpot's answer and reading its body. An attempt
	// that runs out is retried like a dropped connection; the table fails once retries are spent.
	// Loading and saving the state through a CloudQuery state backend get five times this each.
	RequestTimeout *configtype.Duration `json:"request_timeout,omitempty" jsonschema:"pattern=^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$,default=60s"`
	// Request budget of a single portal.
	RateLimit *RateLimit `json:"rate_limit,omitempty"`
	// Several portals in one spec, each with its own credentials and rate budget. Use either this
	// list or the single-portal fields above.
	Portals []Portal `json:"portals,omitempty"`

	// Object types to sync, by plural name (`contacts`, `deals`, a custom object's name) or `*` for
	// every standard and custom object.
	Objects []string `json:"objects,omitempty" jsonschema:"default=*"`
	// Property allow-lists per object type, for example `{"contacts": ["email", "firstname"]}`.
	// Object types not listed sync every property; a standard object's properties that HubSpot
	// marks as sensitive data are not synced.
	Properties map[string][]string `json:"properties,omitempty"`
	// Object records read in one run across all tables; the next run resumes where this one stopped.
	MaxRecordsPerSync int `json:"max_records_per_sync,omitempty" jsonschema:"minimum=1,default=500000"`
	// Tables resolved at the same time.
	Concurrency int `json:"concurrency,omitempty" jsonschema:"minimum=1,maximum=64,default=8"`
	// Records modified more recently than this are left for the next run, because HubSpot's search
	// index has not settled them yet.
	SettleLag *configtype.Duration `json:"settle_lag,omitempty" jsonschema:"pattern=^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$,default=1m"`
	// Only records modified at or after this time (RFC 3339 or YYYY-MM-DD) are synced.
	StartDate *configtype.Time `json:"start_date,omitempty"`
	// Record filters per object type, as HubSpot's Data Sync filters them, for example
	// `{"contacts": {"groups": [[{"property": "lifecyclestage", "operator": "EQ", "value": "customer"}]]}}`.
	// Only matching records are synced; a record that stops matching leaves as a tombstone
	// (`archived_reason = 'filtered_out'`). Object types not listed sync every record.
	Filters map[string]RecordFilter `json:"filters,omitempty"`
	// Emit archived records as tombstone rows (`archived = true`).
	Tombstones *bool `json:"tombstones,omitempty" jsonschema:"default=true"`
	// How often the recycle bin is listed for tombstones: a new pass starts once the last complete
	// one started this long ago (`0s`: every run). A pass costs each object table one request per
	// 100 archived records (one at least); the trade is that deletions arrive within this interval
	// rather than at the next run. A pass the record cap interrupted always continues.
	TombstoneInterval *configtype.Duration `json:"tombstone_interval,omitempty" jsonschema:"pattern=^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$,default=1h"`
	// Association sync settings.
	Associations *Associations `json:"associations,omitempty"`
	// List membership sync settings.
	ListMemberships *ListMemberships `json:"list_memberships,omitempty"`

	// Destination (reverse ETL): where each incoming table's rows go in HubSpot.
	Mappings []Mapping `json:"mappings,omitempty"`
	// Destination: compute the full plan, reads included, and write nothing to HubSpot.
	DryRun bool `json:"dry_run,omitempty"`
	// Destination: directory of the Parquet outcome report (one row per input row).
	ReportPath string `json:"report_path,omitempty" jsonschema:"default=./hubspot-reverse-etl-report"`
	// Destination: fail the sync when any row failed. By default failures are reported only.
	FailOnRowErrors bool `json:"fail_on_row_errors,omitempty"`
}

// OAuth holds the credentials of a public or private OAuth app installed in a portal.
type OAuth struct {
	// The app's client id.
	ClientID string `json:"client_id" jsonschema:"required,minLength=1"`
	// The app's client secret. Write it as ${VAR} in CLI specs.
	ClientSecret string `json:"client_secret" jsonschema:"required,minLength=1"`
	// A refresh token from the app's installation in the portal; access tokens are refreshed from
	// it before they expire.
	RefreshToken string `json:"refresh_token" jsonschema:"required,minLength=1"`
}

// RateLimit is the request budget of one portal.
type RateLimit struct {
	// Requests per rolling 10 seconds: 100 (Free/Starter), 110 (public OAuth apps), 190
	// (Professional/Enterprise), 250 (API add-on).
	BurstPer10s int `json:"burst_per_10s,omitempty" jsonschema:"minimum=1,maximum=250,default=100"`
	// Search requests per second (HubSpot allows 5).
	SearchPerSecond int `json:"search_per_second,omitempty" jsonschema:"minimum=1,maximum=5,default=5"`
	// Requests this plugin may spend per UTC day; 0 leaves the portal's daily limit as the only cap.
	// Other integrations share the portal's daily limit, so cap it to leave them room. The day's
	// count is kept in the state with the cursors (the CloudQuery state backend, or the local state
	// file of `hubspot sync`), so the budget holds across the runs of a day and starts over at
	// 00:00 UTC. Without a state backend every run counts from zero.
	DailyBudget int `json:"daily_budget,omitempty" jsonschema:"minimum=0"`
}

// Portal is one HubSpot account in a multi-portal spec.
type Portal struct {
	// Short name used in logs, state keys and the `portal` column.
	Name string `json:"name" jsonschema:"required,pattern=^[a-z0-9_-]+$"`
	// Private-app or service-key access token of this portal.
	AccessToken string `json:"access_token,omitempty" jsonschema:"minLength=1,maxLength=512"`
	// OAuth credentials of this portal, instead of access_token.
	OAuth *OAuth `json:"oauth,omitempty"`
	// API base URL of this portal; defaults to the spec's base_url.
	BaseURL string `json:"base_url,omitempty"`
	// Request budget of this portal; defaults to the spec's rate_limit.
	RateLimit *RateLimit `json:"rate_limit,omitempty"`
}

// Associations selects which association pairs are synced.
type Associations struct {
	// Sync the hubspot_crm_associations table.
	Enabled *bool `json:"enabled,omitempty" jsonschema:"default=true"`
	// Pairs as `from:to`, for example `contacts:companies`; empty means every pair of synced objects.
	Pairs []string `json:"pairs,omitempty"`
	// Re-read the associations of every record, not only of records changed since the last run.
	// Association changes alone do not change a record's last-modified time in HubSpot.
	FullRefresh bool `json:"full_refresh,omitempty"`
	// Re-read every record's associations at least once every this many runs, in whole pages as
	// they fall due: association changes between records that otherwise do not change reach the
	// destination within that many runs.
	RefreshRuns int `json:"refresh_runs,omitempty" jsonschema:"minimum=1,default=24"`
}

// ListMemberships says when a list's members are read again.
type ListMemberships struct {
	// Re-read the members of every list on every run, not only of lists whose size or last
	// addition or removal changed since the last run.
	FullRefresh bool `json:"full_refresh,omitempty"`
	// Re-read every list's members at least once every this many runs, changed or not: a change
	// HubSpot's list properties do not show (a member archived while another is restored) reaches
	// the destination within that many runs.
	RefreshRuns int `json:"refresh_runs,omitempty" jsonschema:"minimum=1,default=24"`
}

// Parse unmarshals, defaults and validates a spec. A nil or `null` spec is an empty spec.
func Parse(raw []byte) (*Spec, error) {
	var s Spec
	if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 && !bytes.Equal(trimmed, []byte("null")) {
		dec := json.NewDecoder(bytes.NewReader(trimmed))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			if named := typedValueError(trimmed); named != nil {
				return nil, named
			}
			return nil, fmt.Errorf("%w: %w", ErrInvalidSpec, err)
		}
	}
	s.SetDefaults()
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// SetDefaults fills every optional field, and turns the single-portal fields into Portals[0].
func (s *Spec) SetDefaults() {
	if s.APIVersion == "" {
		s.APIVersion = hubspot.APIVersionV3
	}
	if len(s.Objects) == 0 {
		s.Objects = []string{"*"}
	}
	if s.MaxRecordsPerSync == 0 {
		s.MaxRecordsPerSync = DefaultMaxRecordsPerSync
	}
	if s.Concurrency == 0 {
		s.Concurrency = DefaultConcurrency
	}
	if s.SettleLag == nil {
		s.SettleLag = ptr(configtype.NewDuration(DefaultSettleLag))
	}
	if s.RequestTimeout == nil {
		s.RequestTimeout = ptr(configtype.NewDuration(DefaultRequestTimeout))
	}
	if s.Tombstones == nil {
		s.Tombstones = ptr(true)
	}
	if s.TombstoneInterval == nil {
		s.TombstoneInterval = ptr(configtype.NewDuration(DefaultTombstoneInterval))
	}
	if s.Associations == nil {
		s.Associations = &Associations{}
	}
	if s.Associations.Enabled == nil {
		s.Associations.Enabled = ptr(true)
	}
	if s.Associations.RefreshRuns == 0 {
		s.Associations.RefreshRuns = DefaultAssociationRefreshRuns
	}
	if s.ListMemberships == nil {
		s.ListMemberships = &ListMemberships{}
	}
	if s.ListMemberships.RefreshRuns == 0 {
		s.ListMemberships.RefreshRuns = DefaultListRefreshRuns
	}
	if len(s.Portals) == 0 && (s.AccessToken != "" || s.OAuth != nil) {
		s.Portals = []Portal{{Name: defaultPortalName, AccessToken: s.AccessToken, OAuth: s.OAuth, BaseURL: s.BaseURL, RateLimit: s.RateLimit}}
	}
	s.ReportPath = cmp.Or(s.ReportPath, DefaultReportPath)
	onlyPortal := ""
	if len(s.Portals) == 1 {
		onlyPortal = s.Portals[0].Name
	}
	for i := range s.Mappings {
		s.Mappings[i].setDefaults(onlyPortal)
	}
	for i := range s.Portals {
		p := &s.Portals[i]
		if p.BaseURL == "" {
			p.BaseURL = cmp.Or(s.BaseURL, hubspot.DefaultBaseURL)
		}
		if p.RateLimit == nil {
			p.RateLimit = cmp.Or(s.RateLimit, &RateLimit{})
		}
		if p.RateLimit.BurstPer10s == 0 {
			p.RateLimit.BurstPer10s = DefaultBurstPer10s
		}
		if p.RateLimit.SearchPerSecond == 0 {
			p.RateLimit.SearchPerSecond = DefaultSearchPerSecond
		}
	}
}

var portalName = regexp.MustCompile(`^[a-z0-9_-]+$`)

// Validate reports the first problem, naming the field's path and what is expected.
func (s *Spec) Validate() error {
	if len(s.Portals) > 0 && (s.AccessToken != "" || s.OAuth != nil) && s.Portals[0].Name != defaultPortalName {
		return fieldError("portals", "use either portals or the single-portal access_token/oauth, not both")
	}
	if s.APIVersion != hubspot.APIVersionLatest && s.APIVersion != hubspot.APIVersionV3 {
		return fieldError("api_version", fmt.Sprintf("must be %q or %q, got %q", hubspot.APIVersionLatest, hubspot.APIVersionV3, s.APIVersion))
	}
	seen := map[string]bool{}
	for i, p := range s.Portals {
		path := fmt.Sprintf("portals[%d]", i)
		if len(s.Portals) == 1 && p.Name == defaultPortalName {
			path = ""
		}
		if !portalName.MatchString(p.Name) {
			return fieldError(join(path, "name"), fmt.Sprintf("must match %s, got %q", portalName, p.Name))
		}
		if seen[p.Name] {
			return fieldError(join(path, "name"), fmt.Sprintf("portal %q is listed twice", p.Name))
		}
		seen[p.Name] = true
		if err := p.validate(path); err != nil {
			return err
		}
	}
	for i, o := range s.Objects {
		if strings.TrimSpace(o) == "" {
			return fieldError(fmt.Sprintf("objects[%d]", i), "must be an object name such as contacts, or *")
		}
	}
	if s.MaxRecordsPerSync < 1 {
		return fieldError("max_records_per_sync", fmt.Sprintf("must be at least 1, got %d", s.MaxRecordsPerSync))
	}
	if s.Concurrency < 1 || s.Concurrency > 64 {
		return fieldError("concurrency", fmt.Sprintf("must be between 1 and 64, got %d", s.Concurrency))
	}
	for _, f := range durationFields {
		if d := f.value(s).Duration(); d < f.min || (f.max > 0 && d > f.max) {
			return fieldError(f.name, f.problem(strconv.Quote(d.String())))
		}
	}
	if s.StartDate != nil && !isFixed(*s.StartDate) {
		return fieldError("start_date", startDateProblem(strconv.Quote(s.StartDate.String())))
	}
	if s.Associations.RefreshRuns < 1 {
		return fieldError("associations.refresh_runs", fmt.Sprintf("must be at least 1, got %d", s.Associations.RefreshRuns))
	}
	if s.ListMemberships.RefreshRuns < 1 {
		return fieldError("list_memberships.refresh_runs", fmt.Sprintf("must be at least 1, got %d", s.ListMemberships.RefreshRuns))
	}
	for _, object := range slices.Sorted(maps.Keys(s.Filters)) {
		if err := s.Filters[object].validate("filters." + object); err != nil {
			return err
		}
	}
	for i, pair := range s.Associations.Pairs {
		if from, to, ok := strings.Cut(pair, ":"); !ok || from == "" || to == "" {
			return fieldError(fmt.Sprintf("associations.pairs[%d]", i), fmt.Sprintf(`must look like "contacts:companies", got %q`, pair))
		}
	}
	tables := map[string]int{}
	for i := range s.Mappings {
		m := &s.Mappings[i]
		p := fmt.Sprintf("mappings[%d]", i)
		if j, dup := tables[m.Table]; dup {
			return fieldError(p+".table", fmt.Sprintf("%q is already mapped by mappings[%d]", m.Table, j))
		}
		tables[m.Table] = i
		if err := m.validate(p, s.Portals); err != nil {
			return err
		}
	}
	return nil
}

func (p Portal) validate(path string) error {
	switch {
	case p.AccessToken == "" && p.OAuth == nil:
		return fieldError(join(path, "access_token"), "set access_token (private app or service key) or oauth (client_id, client_secret, refresh_token)")
	case p.AccessToken != "" && p.OAuth != nil:
		return fieldError(join(path, "access_token"), "set access_token or oauth, not both")
	case len(p.AccessToken) > 512:
		return fieldError(join(path, "access_token"), fmt.Sprintf("must be at most 512 characters, got %d", len(p.AccessToken)))
	case strings.Contains(p.AccessToken, "${"):
		name, _, _ := strings.Cut(strings.SplitN(p.AccessToken, "${", 2)[1], "}")
		return fieldError(join(path, "access_token"), fmt.Sprintf("holds an unexpanded ${%s}: set the environment variable %s before running", name, name))
	}
	if p.OAuth != nil {
		for name, v := range map[string]string{"client_id": p.OAuth.ClientID, "client_secret": p.OAuth.ClientSecret, "refresh_token": p.OAuth.RefreshToken} {
			if v == "" {
				return fieldError(join(path, "oauth."+name), "is required with oauth")
			}
		}
	}
	if err := CheckBaseURL(p.BaseURL); err != nil {
		return fieldError(join(path, "base_url"), err.Error())
	}
	rl := p.RateLimit
	switch {
	case rl.BurstPer10s < 1 || rl.BurstPer10s > 250:
		return fieldError(join(path, "rate_limit.burst_per_10s"), fmt.Sprintf("must be between 1 and 250 (HubSpot tiers: 100, 110, 190, 250), got %d", rl.BurstPer10s))
	case rl.SearchPerSecond < 1 || rl.SearchPerSecond > 5:
		return fieldError(join(path, "rate_limit.search_per_second"), fmt.Sprintf("must be between 1 and 5, got %d", rl.SearchPerSecond))
	case rl.DailyBudget < 0:
		return fieldError(join(path, "rate_limit.daily_budget"), fmt.Sprintf("must be 0 (no cap) or positive, got %d", rl.DailyBudget))
	}
	return nil
}

// CheckBaseURL accepts https URLs, and plain http only for loopback hosts, so that a token never
// travels unencrypted over a network.
func CheckBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("must be an absolute URL such as %s, got %q", hubspot.DefaultBaseURL, raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if hubspot.IsLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("plain http is allowed only for loopback hosts (127.0.0.1, ::1, localhost); use https for %q", u.Host)
	default:
		return fmt.Errorf("must use https, got scheme %q", u.Scheme)
	}
}

// durationField is one of the spec's durations with its bounds (max 0: none), which Validate
// checks; a value that is not a duration at all is reported in the same words.
type durationField struct {
	name     string
	value    func(*Spec) *configtype.Duration
	min, max time.Duration
}

var durationFields = []durationField{
	{name: "settle_lag", value: func(s *Spec) *configtype.Duration { return s.SettleLag }},
	{name: "tombstone_interval", value: func(s *Spec) *configtype.Duration { return s.TombstoneInterval }},
	{name: "request_timeout", value: func(s *Spec) *configtype.Duration { return s.RequestTimeout }, min: time.Millisecond, max: maxRequestTimeout},
}

// problem says what the field takes; got is the value as the user wrote it, quoted.
func (f durationField) problem(got string) string {
	if f.max == 0 {
		return "must be a non-negative duration such as 30s or 2m, got " + got
	}
	return fmt.Sprintf("must be a duration between %s and %s such as 60s, got %s", f.min, f.max, got)
}

func startDateProblem(got string) string {
	return "must be RFC 3339 (2024-01-31T00:00:00Z) or YYYY-MM-DD, got " + got
}

// isFixed reports whether t names a point in time rather than one relative to the run ("now",
// "7 days ago"), which configtype.Time also accepts: a start that moved with every run would
// never let a backfill finish.
func isFixed(t configtype.Time) bool {
	return t.AsTime(time.Time{}).Equal(t.AsTime(time.Unix(0, 0)))
}

// Start returns StartDate in UTC, or the zero time when unset.
func (s *Spec) Start() time.Time {
	if s.StartDate == nil {
		return time.Time{}
	}
	return s.StartDate.AsTime(time.Time{}).UTC() // fixed (Validate), so independent of now
}

// typedValueError names the field of a spec whose duration or time does not parse, or returns
// nil: the SDK's types reject a value without saying whose it is.
func typedValueError(raw []byte) error {
	var fields map[string]json.RawMessage
	if json.Unmarshal(raw, &fields) != nil {
		return nil
	}
	for _, f := range durationFields {
		if v, ok := fields[f.name]; ok && new(configtype.Duration).UnmarshalJSON(v) != nil {
			return fieldError(f.name, f.problem(string(v)))
		}
	}
	if v, ok := fields["start_date"]; ok && new(configtype.Time).UnmarshalJSON(v) != nil {
		return fieldError("start_date", startDateProblem(string(v)))
	}
	return nil
}

// WantsObject reports whether an object type (plural name) is selected by Objects.
func (s *Spec) WantsObject(name string) bool {
	return slices.Contains(s.Objects, "*") || slices.Contains(s.Objects, name)
}

// ExplicitObject reports whether the user named the object type rather than selecting it through `*`.
func (s *Spec) ExplicitObject(name string) bool { return slices.Contains(s.Objects, name) }

// FieldError is a spec problem with the field's path, so the user knows what to change.
type FieldError struct {
	Path    string
	Problem string
}

func (e *FieldError) Error() string { return fmt.Sprintf("invalid spec: %s: %s", e.Path, e.Problem) }

// Is makes every FieldError an ErrInvalidSpec.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidSpec }

// ErrInvalidSpec is in the chain of every error about the spec's content, which a rerun of the
// same spec cannot get past.
var ErrInvalidSpec = errors.New("invalid spec")

func fieldError(path, problem string) error { return &FieldError{Path: path, Problem: problem} }

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func ptr[T any](v T) *T { return &v }

var schemaValidator = sync.OnceValues(func() (*jsonschema.Schema, error) { return plugin.JSONSchemaValidator(JSONSchema) })

// ValidateJSON checks a raw spec against the JSON schema, so that a wrong type or an unknown field
// is reported with its path before anything else runs.
func ValidateJSON(raw []byte) error {
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) == 0 || bytes.Equal(trimmed, []byte("null")) {
		return nil
	}
	v, err := schemaValidator()
	if err != nil {
		return fmt.Errorf("compile spec schema: %w", err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(trimmed))
	if err != nil {
		return fmt.Errorf("%w: not JSON: %w", ErrInvalidSpec, err)
	}
	if err := v.Validate(doc); err != nil {
		return fmt.Errorf("%w: %s", ErrInvalidSpec, describe(err))
	}
	return nil
}

// describe lists a schema violation's errors by JSON pointer ("at '/rate_limit/burst_per_10s':
// maximum: got 500, want 250"), leaving out the first line, which names the schema's file: a
// path on the machine that compiled it, meaningless to a user.
func describe(err error) string {
	lines := strings.Split(err.Error(), "\n")
	var parts []string
	for _, l := range lines[1:] {
		if l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "- ")); l != "" {
			parts = append(parts, l)
		}
	}
	if len(parts) == 0 {
		return err.Error()
	}
	return strings.Join(parts, "; ")
}
