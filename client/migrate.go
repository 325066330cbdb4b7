package client

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/message"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
)

// destination is the reverse-ETL side of a Client: the portals' definitions and the plans
// compiled from the mappings, kept for the plugin's lifetime, and the current write session.
type destination struct {
	mu      sync.Mutex
	portals map[string]*reverse.Target
	plans   map[string]*reverse.Plan // by table name
	run     *reverse.Run
}

// MigrateTableBatch checks each incoming table's mapping against its portal: unknown, read-only
// or calculated properties, required properties left unmapped, match keys and column types that
// cannot convert. It reports every problem at once, each naming table, column and property.
// HubSpot's schema is never changed.
func (c *Client) MigrateTableBatch(ctx context.Context, msgs message.WriteMigrateTables) error {
	var errs []error
	for _, m := range msgs {
		sc := m.Table.ToArrowSchema()
		if _, err := c.compile(ctx, m.Table.Name, sc); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("reverse ETL mappings do not fit the portal: %w", errors.Join(errs...))
	}
	return nil
}

// plan returns the compiled plan of table, compiling it from sc on first use (a table written
// without a migrate message).
func (c *Client) plan(ctx context.Context, table string, sc *arrow.Schema) (*reverse.Plan, error) {
	c.dest.mu.Lock()
	p, ok := c.dest.plans[table]
	c.dest.mu.Unlock()
	if ok {
		return p, nil
	}
	return c.compile(ctx, table, sc)
}

func (c *Client) compile(ctx context.Context, table string, sc *arrow.Schema) (*reverse.Plan, error) {
	if c.spec == nil {
		return nil, errors.New("the destination needs a spec with credentials and mappings")
	}
	m, ok := c.spec.MappingFor(table)
	if !ok {
		return nil, &reverse.ConfigError{Table: table, Problem: "no entry of mappings matches this table; add one with table, object and (optionally) columns"}
	}
	portal, err := c.reversePortal(m.Portal)
	if err != nil {
		return nil, err
	}
	plan, err := reverse.Compile(ctx, portal, table, sc, engineRules(m))
	if err != nil {
		return nil, err
	}
	for _, s := range plan.Suggestions {
		c.logger.Warn().Str("table", table).Str("column", s.Column).Strs("closest_properties", s.Properties).
			Msg("column looks like a misspelt property and is not written: map it in columns (or to \"\" to skip it), or set strict_columns to fail on it")
	}
	if len(plan.Unmapped) > 0 {
		c.logger.Info().Str("table", table).Strs("columns", plan.Unmapped).
			Msg("columns without a writable HubSpot property of the same name are not written; map them in columns to write them")
	}
	c.dest.mu.Lock()
	defer c.dest.mu.Unlock()
	if c.dest.plans == nil {
		c.dest.plans = map[string]*reverse.Plan{}
	}
	c.dest.plans[table] = plan
	return plan, nil
}

// reversePortal returns the engine's view of the named portal, created once.
func (c *Client) reversePortal(name string) (*reverse.Target, error) {
	c.dest.mu.Lock()
	defer c.dest.mu.Unlock()
	if p, ok := c.dest.portals[name]; ok {
		return p, nil
	}
	for _, p := range c.portals {
		if p.Name == name {
			if c.dest.portals == nil {
				c.dest.portals = map[string]*reverse.Target{}
			}
			rp := reverse.NewTarget(p.Name, p.API, p)
			c.dest.portals[name] = rp
			return rp, nil
		}
	}
	return nil, fmt.Errorf("no portal named %q", name)
}

// The engine's rule for each word of the spec.
var (
	engineModes = map[string]reverse.Mode{
		spec.ModeUpsert: reverse.ModeUpsert, spec.ModeUpdate: reverse.ModeUpdate,
		spec.ModeCreate: reverse.ModeCreate, spec.ModeArchive: reverse.ModeArchive,
	}
	engineConflicts = map[string]reverse.Conflict{
		spec.ConflictSource: reverse.ConflictSource, spec.ConflictHubSpot: reverse.ConflictHubSpot,
	}
	engineDeleteRules = map[string]reverse.DeleteRule{
		spec.DeleteIgnore: reverse.DeleteIgnore, spec.DeleteArchive: reverse.DeleteArchive,
	}
	enginePipelineMatches = map[string]reverse.PipelineMatch{
		spec.PipelinesByID: reverse.PipelinesByID, spec.PipelinesByLabel: reverse.PipelinesByLabel, spec.PipelinesAuto: reverse.PipelinesAuto,
	}
)

// engineRules translates a mapping of a validated spec, defaults set, into the engine's rules.
func engineRules(m *spec.Mapping) reverse.Mapping {
	r := reverse.Mapping{
		Object:        m.Object,
		Mode:          engineModes[m.Mode],
		MatchKey:      m.MatchKey,
		Columns:       m.Columns,
		Conflict:      engineConflicts[m.Conflict],
		RequireEmail:  m.RequiresEmail(),
		StrictColumns: m.StrictColumns,
		OnDelete:      engineDeleteRules[m.OnDelete],
	}
	if m.Pipelines != nil {
		r.Pipelines = &reverse.PipelineRules{Match: enginePipelineMatches[m.Pipelines.Mode], Map: m.Pipelines.Map}
	}
	for _, a := range m.Associations {
		r.Associations = append(r.Associations, reverse.AssociationRule{
			To: a.To, Column: a.Column, MatchProperty: a.MatchProperty, TypeID: a.TypeID, Label: a.Label})
	}
	return r
}
