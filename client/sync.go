package client

import (
	"context"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/scheduler"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/state"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/incremental"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/statefile"
)

// LocalStatePrefix in BackendOptions.Connection selects a local state file instead of a
// CloudQuery state backend; `hubspot sync` uses it.
const LocalStatePrefix = "file://"

// Sync reads the selected tables of every portal. A table that lost records fails the sync after
// every other table finished; the record cap stops tables at resumable points and is logged.
// Object tables are read by syncObjects; the others go through the SDK's scheduler.
func (c *Client) Sync(ctx context.Context, opts plugin.SyncOptions, res chan<- message.SyncMessage) error {
	if rep := reportFrom(ctx); rep != nil {
		// Whatever the outcome, the counters as they stand when Sync returns.
		defer rep.recordUsage(c.portals)
	}
	set, tables, err := c.selectTables(ctx, plugin.TableOptions{Tables: opts.Tables, SkipTables: opts.SkipTables, SkipDependentTables: opts.SkipDependentTables})
	if err != nil {
		return fmt.Errorf("select tables: %w", err)
	}
	for _, p := range c.portals {
		p.namedTables = opts.Tables
	}
	store, err := c.openState(ctx, opts.BackendOptions)
	if err != nil {
		return err
	}
	defer store.Close()
	for _, p := range c.portals {
		if err := p.restoreDailyUsage(ctx, store); err != nil {
			return err
		}
	}

	r := &run{
		spec:        c.spec,
		portals:     c.portals,
		store:       store,
		records:     incremental.NewBudget(c.spec.MaxRecordsPerSync),
		association: incremental.NewBudget(c.spec.MaxRecordsPerSync),
		failed:      map[string]error{},
		badValues:   map[string]int{},
	}
	objects, scheduled := c.shard(set, tables, opts.Shard)
	recordFailures(r, scheduled)
	// Like the SDK, every shard migrates every selected table; the scheduler migrates its own.
	for _, t := range tables {
		if !slices.Contains(scheduled, t) && !send(ctx, res, &message.SyncMigrateTable{Table: t}) {
			return ctx.Err()
		}
	}
	var schedErr error
	var wg sync.WaitGroup
	if len(scheduled) > 0 {
		wg.Go(func() {
			// The SDK derives table concurrency as concurrency/100. Sharding was applied above.
			sched := scheduler.NewScheduler(scheduler.WithLogger(c.logger), scheduler.WithConcurrency(c.spec.Concurrency*100))
			schedErr = sched.Sync(ctx, &Meta{Logger: c.logger, run: r}, scheduled, res, scheduler.WithSyncDeterministicCQID(opts.DeterministicCQID))
		})
	}
	c.syncObjects(ctx, r, objects, res)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	// Every record a cursor covers has been sent by now; today's request counts go with the
	// cursors, whether or not a table failed.
	for _, p := range c.portals {
		if err := p.saveDailyUsage(ctx, store); err != nil {
			return err
		}
	}
	if err := store.Flush(ctx); err != nil {
		return fmt.Errorf("flush state: %w", err)
	}
	if schedErr != nil {
		return fmt.Errorf("sync: %w", schedErr)
	}
	return r.outcome(ctx, c.logger)
}

// objectJob is one object table of one portal.
type objectJob struct {
	table  ObjectTable
	portal *Portal
}

// shard picks this process's share of the work for `cloudquery sync --shard`: object tables by
// (table, portal), other tables whole (each runs for every portal). Every shard computes the same
// ordered list and takes a contiguous part of it, so the shards cover everything exactly once.
func (c *Client) shard(set TableSet, tables schema.Tables, s *plugin.Shard) ([]objectJob, schema.Tables) {
	type unit struct {
		job   *objectJob
		table *schema.Table
	}
	var units []unit
	for _, t := range tables {
		i := slices.IndexFunc(set.Objects, func(o ObjectTable) bool { return o.Table.Name == t.Name })
		if i < 0 {
			units = append(units, unit{table: t})
			continue
		}
		for _, p := range c.portals {
			units = append(units, unit{job: &objectJob{table: set.Objects[i], portal: p}})
		}
	}
	if s != nil && s.Total > 0 {
		n, k, total := len(units), int(s.Num), int(s.Total)
		units = units[(k-1)*n/total : k*n/total]
	}
	var jobs []objectJob
	var scheduled schema.Tables
	for _, u := range units {
		if u.job != nil {
			jobs = append(jobs, *u.job)
		} else {
			scheduled = append(scheduled, u.table)
		}
	}
	return jobs, scheduled
}

// syncObjects reads object tables, at most spec.concurrency at a time, sending one Arrow record
// per page. Failures are recorded in the run, which reports them once every table has finished.
func (c *Client) syncObjects(ctx context.Context, r *run, jobs []objectJob, res chan<- message.SyncMessage) {
	slots := make(chan struct{}, c.spec.Concurrency)
	var wg sync.WaitGroup
	for _, j := range jobs {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-slots }()
			m := &Meta{Portal: j.portal, Logger: j.portal.logger, run: r}
			name := j.table.Table.Name
			bad := func(column, value string, err error) { m.CountBadValue(name, column, value, err) }
			err := m.ReadObjects(ctx, name, j.table.Object, func(objs []hubspot.Object) error {
				rec, err := j.table.Build(j.portal.Name, objs, bad)
				if err != nil {
					return fmt.Errorf("build %s rows: %w", name, err)
				}
				if !send(ctx, res, &message.SyncInsert{Record: rec}) {
					return ctx.Err()
				}
				return nil
			})
			if err != nil {
				r.fail(m.tableOfPortal(name), err)
			}
		})
	}
	wg.Wait()
}

// recordFailures makes the resolvers of tables handed to the SDK's scheduler, and of their
// children, record a failure in the run under the portal and table's name: the scheduler only logs
// a resolver's error and carries on, which would leave the table silently empty. A panic is a
// failure too. The tables are this Sync's own copies (Tables filters into copies).
func recordFailures(r *run, tables schema.Tables) {
	for _, t := range tables {
		resolve, name := t.Resolver, t.Name
		t.Resolver = func(ctx context.Context, meta schema.ClientMeta, parent *schema.Resource, res chan<- any) (err error) {
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("resolver panicked: %v", p)
					meta.(*Meta).Logger.Error().Str("table", name).Str("stack", string(debug.Stack())).Msg("resolver panicked")
				}
				if err != nil {
					r.fail(meta.(*Meta).tableOfPortal(name), err)
				}
			}()
			return resolve(ctx, meta, parent, res)
		}
		recordFailures(r, t.Relations)
	}
}

func send(ctx context.Context, res chan<- message.SyncMessage, msg message.SyncMessage) bool {
	select {
	case res <- msg:
		return true
	case <-ctx.Done():
		return false
	}
}

func (c *Client) openState(ctx context.Context, opts *plugin.BackendOptions) (state.Client, error) {
	switch {
	case opts == nil:
		c.logger.Warn().Msg("no state backend configured (backend_options): every run reads everything again; configure one for incremental syncs")
		return &state.NoOpClient{}, nil
	case strings.HasPrefix(opts.Connection, LocalStatePrefix):
		f, err := statefile.Open(strings.TrimPrefix(opts.Connection, LocalStatePrefix))
		if err != nil {
			return nil, fmt.Errorf("open state file: %w", err)
		}
		return f, nil
	default:
		s, err := state.NewConnectedClient(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("connect to state backend %q: %w", opts.TableName, err)
		}
		return s, nil
	}
}
