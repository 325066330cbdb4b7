package client

import (
	"context"
	"slices"
	"sort"
	"sync"

	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/state"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/incremental"
)

// Meta is what table resolvers receive: one portal of one run.
type Meta struct {
	Portal *PortalClient
	Logger zerolog.Logger
	run    *run
}

var _ schema.ClientMeta = (*Meta)(nil)

// ID names the portal, so the scheduler and logs tell portals apart.
func (m *Meta) ID() string {
	if m.Portal == nil {
		return "hubspot"
	}
	return "hubspot:" + m.Portal.Name
}

// run is the state shared by every table of one Sync call.
type run struct {
	spec        *spec.Spec
	portals     []*PortalClient
	store       state.Client
	report      *Report              // filled with the outcome when the client has one (WithReport)
	progress    incremental.Progress // hears expected record counts (WithProgress)
	records     *incremental.Budget  // object records, capped by max_records_per_sync
	association *incremental.Budget  // record ids read to refresh associations, capped alike
	// namedTables is the sync's `tables` option: a table it names exactly fails for a missing
	// scope instead of being skipped (see Meta.SkipForScope).
	namedTables []string

	mu         sync.Mutex
	incomplete []string         // streams the cap stopped
	failed     map[string]error // "portal/table" -> why it lost records
	badValues  map[string]int   // "table.column" -> values that did not parse

	// feeds carry each object table's changes to the tables that follow it ("portal/object");
	// set before syncJobs starts its jobs, read-only after (the scheduler's tables never read it).
	feeds map[string]*incremental.Feed
}

// Multiplex runs a table once per portal.
func Multiplex(meta schema.ClientMeta) []schema.ClientMeta {
	root := meta.(*Meta)
	out := make([]schema.ClientMeta, 0, len(root.run.portals))
	for _, p := range root.run.portals {
		out = append(out, root.run.meta(p))
	}
	return out
}

// meta is the ClientMeta of portal p in this run.
func (r *run) meta(p *PortalClient) *Meta {
	return &Meta{Portal: p, Logger: p.logger, run: r}
}

// objectRecordRows is the rows per Arrow record of an object table. The plugin protocol encodes
// each record with its schema, 160-odd fields for contacts, so one record per 100-record page
// spent a sixth of `hubspot serve`'s CPU per record on per-record work. Records of 250 rows cost
// as little CPU as records of 500 with a fifth less memory when every table syncs at once.
const objectRecordRows = 250

// ReadObjects reads one object type of this portal incrementally, handing records to emit. It
// fails when records were lost; it returns normally, leaving a resumable cursor, when the cap
// stopped it.
func (m *Meta) ReadObjects(ctx context.Context, table string, objectName string, emit func([]hubspot.Object) error) error {
	obj, ok, err := m.Portal.Object(ctx, objectName)
	if err != nil || !ok {
		return err // not ok: another portal's object type
	}
	res, err := m.reader(m.run.records).Read(ctx, incremental.Stream{
		Key:               m.stateKey(table),
		ObjectType:        obj.TypeID,
		ModifiedProperty:  obj.ModifiedProperty,
		Properties:        obj.ReadProperties(),
		MergedIDs:         MergedIDsProperty,
		Tombstones:        *m.run.spec.Tombstones,
		TombstoneInterval: m.run.spec.TombstoneInterval.Duration(),
		BatchSize:         objectRecordRows,
		Filter:            obj.Filter,
		Gate:              m.gate(obj),
		FilterKey:         obj.FilterKey,
		Share:             m.feed(obj.Name),
		ShareProperties:   associationSourceProperties(obj),
	}, emit)
	if m.unreadable(obj, err) {
		return nil
	}
	return m.endStream(table, res, err)
}

// MergedIDsProperty names, on a record that absorbed others in merges, every id merged into it
// (semicolon-separated), including the ids those had absorbed before.
const MergedIDsProperty = "hs_merged_object_ids"

// ReadProperties lists the properties ReadObjects reads, in the order records carry them
// (hubspot.Object.Values): the synced ones, then MergedIDsProperty when the type defines it and
// the allow-list left it out, so that merges leave the warehouse whatever the columns.
func (o ObjectType) ReadProperties() []string {
	names := o.PropertyNames()
	defined := slices.ContainsFunc(o.Definitions, func(p hubspot.Property) bool { return p.Name == MergedIDsProperty })
	if defined && !slices.Contains(names, MergedIDsProperty) {
		names = append(names, MergedIDsProperty)
	}
	return names
}

// gate keeps the members of the object's filter lists; nil without lists.
func (m *Meta) gate(obj ObjectType) *incremental.Gate {
	if len(obj.Lists) == 0 {
		return nil
	}
	return &incremental.Gate{Members: func(ctx context.Context) ([]string, error) { return m.Portal.listMembers(ctx, obj.Lists) }}
}

// unreadable reports a read of a custom object refused for a missing scope, when the spec selected
// the object through `*`: it is skipped and reported as discovery skips a standard object. Only
// custom objects get here, because their definitions come with the schema list, which needs
// another scope than reading their records.
func (m *Meta) unreadable(obj ObjectType, err error) bool {
	return err != nil && obj.Custom && !m.run.spec.ExplicitObject(obj.Name) && m.Portal.skippable(err, obj.Name)
}

func (m *Meta) reader(budget *incremental.Budget) *incremental.Reader {
	return &incremental.Reader{
		API:       m.Portal.API.Objects,
		Store:     m.run.store,
		Budget:    budget,
		SettleLag: m.run.spec.SettleLag.Duration(),
		Start:     m.run.spec.Start(),
		Logger:    m.Logger,
		Progress:  m.run.progress,
	}
}

func (m *Meta) stateKey(stream string) string { return m.Portal.Name + "/" + stream }

// tableOfPortal names a table of this portal in failures and summaries: "portal/table".
func (m *Meta) tableOfPortal(table string) string {
	if m.Portal == nil {
		return table
	}
	return m.Portal.Name + "/" + table
}

// endStream logs how a stream ended and notes a capped one; failures are recorded by the table's
// caller (syncJobs, or the scheduler's resolver wrapper), once per table.
func (m *Meta) endStream(stream string, res incremental.Result, err error) error {
	if err != nil {
		return err
	}
	ev := m.Logger.Info().Str("stream", stream).Int("records", res.Records).Int("tombstones", res.Tombstones).Int("filtered_out", res.FilteredOut).Str("phase", string(res.Phase))
	if !res.Complete {
		m.run.mu.Lock()
		m.run.incomplete = append(m.run.incomplete, m.Portal.Name+"/"+stream)
		m.run.mu.Unlock()
		ev.Msg("record cap reached: stopped at a resumable point; the next run continues here")
		return nil
	}
	ev.Msg("stream read")
	return nil
}

// CountBadValue records a property value that did not parse as its type (the column gets null);
// the first one per column is logged, all are summarised at the end of the run.
func (m *Meta) CountBadValue(table, column, value string, err error) {
	key := table + "." + column
	m.run.mu.Lock()
	m.run.badValues[key]++
	first := m.run.badValues[key] == 1
	m.run.mu.Unlock()
	if first {
		m.Logger.Warn().Str("table", table).Str("column", column).Int("value_length", len(value)).Err(err).
			Msg("a value did not parse as the property's type; the column is null for it (further ones are counted)")
	}
}

// fail records that a table of a portal lost records; the first cause is kept.
func (r *run) fail(table string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, seen := r.failed[table]; !seen {
		r.failed[table] = err
	}
}

// outcome summarises the run: log lines for the cap, skipped objects, failed tables and values
// that did not parse, the figures of the in-process report, and a *SyncError naming every table
// that lost records.
func (r *run) outcome(logger zerolog.Logger) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.portals {
		st := p.API.Stats()
		logger.Info().Str("portal", p.Name).Int64("requests", st.Requests).Int64("retries", st.Retries).
			Int64("rate_limited", st.RateLimited).Msg("HubSpot API usage")
		for _, s := range p.skippedObjects() {
			logger.Warn().Str("portal", p.Name).Str("object", s.Object).Strs("missing_scopes", s.MissingScopes).
				Msg("skipped: the token lacks a scope; add it to the app to sync this object")
		}
	}
	slices.Sort(r.incomplete)
	var failures []TableFailure
	for _, table := range sortedKeys(r.failed) {
		failures = append(failures, TableFailure{Table: table, Err: r.failed[table]})
		logger.Error().Str("table", table).Err(r.failed[table]).Msg("table failed: its cursor was not advanced past what was read")
	}
	if r.report != nil {
		r.report.recordOutcome(r.incomplete, failures) // Sync records the API usage as it returns
	}
	for _, key := range sortedKeys(r.badValues) {
		logger.Warn().Str("column", key).Int("values", r.badValues[key]).Msg("values that did not parse were synced as null")
	}
	if len(r.incomplete) > 0 {
		logger.Warn().Int("max_records_per_sync", r.spec.MaxRecordsPerSync).Strs("incomplete", r.incomplete).
			Msg("record cap reached: these streams stopped early and the next run continues where they stopped")
	}
	if len(failures) == 0 {
		return nil
	}
	return &SyncError{Failed: failures}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
