package client

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
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
	Portal *Portal
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
	portals     []*Portal
	store       state.Client
	records     *incremental.Budget // object records, capped by max_records_per_sync
	association *incremental.Budget // record ids read to refresh associations, capped alike

	mu         sync.Mutex
	incomplete []string         // streams the cap stopped
	failed     map[string]error // tables that lost records
	badValues  map[string]int   // "table.column" -> values that did not parse
}

// Multiplex runs a table once per portal.
func Multiplex(meta schema.ClientMeta) []schema.ClientMeta {
	root := meta.(*Meta)
	out := make([]schema.ClientMeta, 0, len(root.run.portals))
	for _, p := range root.run.portals {
		out = append(out, &Meta{Portal: p, Logger: p.logger, run: root.run})
	}
	return out
}

// ReadObjects reads one object type of this portal incrementally, handing records to emit. It
// fails when records were lost; it returns normally, leaving a resumable cursor, when the cap
// stopped it.
func (m *Meta) ReadObjects(ctx context.Context, table string, objectName string, emit func([]hubspot.Object) error) error {
	obj, ok := m.Portal.Catalog.Object(objectName)
	if !ok {
		return nil // another portal's object type
	}
	res, err := m.reader(m.run.records).Read(ctx, incremental.Stream{
		Key:              m.stateKey(table),
		ObjectType:       obj.TypeID,
		ModifiedProperty: obj.ModifiedProperty,
		Properties:       obj.PropertyNames(),
		Tombstones:       *m.run.spec.Tombstones,
	}, emit)
	return m.settle(table, res, err)
}

// ReadChangedIDs hands over, 1,000 at a time, the ids of records of one object type changed since
// the last run of the named stream (every id on a full refresh), for association refreshes.
func (m *Meta) ReadChangedIDs(ctx context.Context, table string, obj ObjectType, emit func(ids []string) error) error {
	res, err := m.reader(m.run.association).Read(ctx, incremental.Stream{
		Key:              m.stateKey(table + "/" + obj.Name),
		ObjectType:       obj.TypeID,
		ModifiedProperty: obj.ModifiedProperty,
		Properties:       []string{obj.ModifiedProperty},
		BackfillBySearch: true,
		BatchSize:        hubspot.MaxAssociationReadInputs,
		FullRefresh:      m.run.spec.Associations.FullRefresh,
	}, func(objs []hubspot.Object) error {
		ids := make([]string, len(objs))
		for i, o := range objs {
			ids[i] = o.ID
		}
		return emit(ids)
	})
	return m.settle(table+" ("+obj.Name+")", res, err)
}

func (m *Meta) reader(budget *incremental.Budget) *incremental.Reader {
	start, _ := m.run.spec.Start() // validated at init
	lag, _ := m.run.spec.Lag()
	return &incremental.Reader{
		API:       m.Portal.API.Objects,
		Store:     m.run.store,
		Budget:    budget,
		SettleLag: lag,
		Start:     start,
		Logger:    m.Logger,
	}
}

func (m *Meta) stateKey(stream string) string { return m.Portal.Name + "/" + stream }

func (m *Meta) settle(stream string, res incremental.Result, err error) error {
	if err != nil {
		m.run.fail(stream, err)
		return err
	}
	ev := m.Logger.Info().Str("stream", stream).Int("records", res.Records).Int("tombstones", res.Tombstones).Str("phase", string(res.Phase))
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

func (r *run) fail(stream string, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed[stream] = err
}

// outcome summarises the run: an error naming every table that lost records, and log lines for
// the cap and for values that did not parse.
func (r *run) outcome(ctx context.Context, logger zerolog.Logger) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, p := range r.portals {
		st := p.API.Stats()
		logger.Info().Str("portal", p.Name).Int64("requests", st.Requests).Int64("retries", st.Retries).
			Int64("rate_limited", st.RateLimited).Msg("HubSpot API usage")
	}
	if rep := reportFrom(ctx); rep != nil {
		rep.record(r.portals, r.incomplete)
	}
	for _, key := range sortedKeys(r.badValues) {
		logger.Warn().Str("column", key).Int("values", r.badValues[key]).Msg("values that did not parse were synced as null")
	}
	if len(r.incomplete) > 0 {
		slices.Sort(r.incomplete)
		logger.Warn().Int("max_records_per_sync", r.spec.MaxRecordsPerSync).Strs("incomplete", r.incomplete).
			Msg("record cap reached: these streams stopped early and the next run continues where they stopped")
	}
	if len(r.failed) == 0 {
		return nil
	}
	parts := make([]string, 0, len(r.failed))
	for _, k := range sortedKeys(r.failed) {
		parts = append(parts, fmt.Sprintf("%s: %v", k, r.failed[k]))
	}
	return fmt.Errorf("sync failed for %d stream(s); their cursors were not advanced past what was read, rerun to continue:\n  %s",
		len(parts), strings.Join(parts, "\n  "))
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
