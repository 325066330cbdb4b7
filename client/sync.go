package client

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/scheduler"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/state"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/incremental"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/statefile"
)

// WithLocalState has Sync keep its cursors in the state file at path rather than in a
// CloudQuery state backend, whatever the sync's BackendOptions say: `hubspot sync` runs without
// the CLI's state backends.
func WithLocalState(path string) Option {
	return func(c *Client) { c.localState = path }
}

// Sync reads the selected tables of every portal. A table that lost records fails the sync after
// every other table finished; the record cap stops tables at resumable points and is logged.
// Object and custom tables are read by syncJobs; the others go through the SDK's scheduler.
func (c *Client) Sync(ctx context.Context, opts plugin.SyncOptions, res chan<- message.SyncMessage) error {
	if c.report != nil {
		// Whatever the outcome, the counters as they stand when Sync returns.
		defer c.report.recordUsage(c.portals)
	}
	set, tables, err := c.selectTables(ctx, plugin.TableOptions{Tables: opts.Tables, SkipTables: opts.SkipTables, SkipDependentTables: opts.SkipDependentTables})
	if err != nil {
		return fmt.Errorf("select tables: %w", err)
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
		report:      c.report,
		progress:    c.progress,
		records:     incremental.NewBudget(c.spec.MaxRecordsPerSync),
		association: incremental.NewBudget(c.spec.MaxRecordsPerSync),
		namedTables: opts.Tables,
		failed:      map[string]error{},
		badValues:   map[string]int{},
	}
	jobs, scheduled := c.shard(set, tables, opts.Shard)
	recordFailures(r, scheduled)
	// Like the SDK, every shard migrates every selected table; the scheduler migrates its own.
	for _, t := range tables {
		if slices.Contains(scheduled, t) {
			continue
		}
		for _, table := range (schema.Tables{t}).FlattenTables() {
			if !send(ctx, res, &message.SyncMigrateTable{Table: table}) {
				return ctx.Err()
			}
		}
	}
	var schedErr error
	var wg sync.WaitGroup
	if len(scheduled) > 0 {
		scheduledRes := make(chan message.SyncMessage)
		wg.Go(func() {
			defer close(scheduledRes)
			// The SDK derives table concurrency as concurrency/100. Sharding was applied above.
			sched := scheduler.NewScheduler(scheduler.WithLogger(c.logger), scheduler.WithConcurrency(c.spec.Concurrency*100))
			// The SDK's batcher hangs on a cancelled context: its workers stop while the scheduler
			// still hands them rows. So the scheduler runs uncancelled, and its resolvers stop with ctx.
			schedErr = sched.Sync(context.WithoutCancel(ctx), &Meta{Logger: c.logger, run: r}, resolveUntil(ctx, scheduled), scheduledRes, scheduler.WithSyncDeterministicCQID(opts.DeterministicCQID))
		})
		wg.Go(func() { forward(ctx, scheduledRes, res) })
	}
	c.syncJobs(ctx, r, jobs, res)
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
	if err := c.stateCall(ctx, "save state", store.Flush); err != nil {
		return err
	}
	if schedErr != nil {
		return fmt.Errorf("sync: %w", schedErr)
	}
	return r.outcome(c.logger)
}

// tableJob is one table that Sync reads itself, for one portal.
type tableJob struct {
	name   string
	portal *PortalClient
	sync   func(ctx context.Context, m *Meta, send func(arrow.Record) error) error
	// object is the object type of an object table's job ("" for a custom table).
	object string
	// follows is a custom table's CustomTable.Follows.
	follows func(ctx context.Context, m *Meta) ([]string, error)
}

// shard picks this process's share of the work for `cloudquery sync --shard`: object and custom
// tables by (table, portal), other tables whole (each runs for every portal). Every shard computes
// the same ordered list and takes a contiguous part of it, so the shards cover everything exactly
// once.
func (c *Client) shard(set TableSet, tables schema.Tables, s *plugin.Shard) ([]tableJob, schema.Tables) {
	type unit struct {
		job   *tableJob
		table *schema.Table
	}
	var units []unit
	for _, t := range tables {
		perPortal := jobOf(set, t)
		if perPortal == nil {
			units = append(units, unit{table: t})
			continue
		}
		for _, p := range c.portals {
			job := *perPortal
			job.portal = p
			units = append(units, unit{job: &job})
		}
	}
	if s != nil && s.Total > 0 {
		n, k, total := len(units), int(s.Num), int(s.Total)
		units = units[(k-1)*n/total : k*n/total]
	}
	var jobs []tableJob
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

// jobOf returns how Sync reads a selected table itself, for any portal, or nil for a table of the
// scheduler.
func jobOf(set TableSet, selected *schema.Table) *tableJob {
	if i := slices.IndexFunc(set.Objects, func(o ObjectTable) bool { return o.Table.Name == selected.Name }); i >= 0 {
		ot := set.Objects[i]
		return &tableJob{name: ot.Table.Name, object: ot.Object, sync: func(ctx context.Context, m *Meta, send func(arrow.Record) error) error {
			bad := func(column, value string, err error) { m.CountBadValue(ot.Table.Name, column, value, err) }
			return m.ReadObjects(ctx, ot.Table.Name, ot.Object, func(objs []hubspot.Object) error {
				rec, err := ot.Build(m.Portal.Name, objs, bad)
				if err != nil {
					return fmt.Errorf("build %s rows: %w", ot.Table.Name, err)
				}
				return send(rec)
			})
		}}
	}
	if i := slices.IndexFunc(set.Custom, func(c CustomTable) bool { return c.Table.Name == selected.Name }); i >= 0 {
		ct := set.Custom[i]
		return &tableJob{name: ct.Table.Name, follows: ct.Follows, sync: func(ctx context.Context, m *Meta, send func(arrow.Record) error) error {
			return ct.Sync(ctx, m, selected, send)
		}}
	}
	return nil
}

// syncJobs reads the tables Sync reads itself, at most spec.concurrency at a time. Failures are
// recorded in the run, which reports them once every table has finished.
func (c *Client) syncJobs(ctx context.Context, r *run, jobs []tableJob, res chan<- message.SyncMessage) {
	jobs = r.openFeeds(ctx, jobs)
	slots := make(chan struct{}, c.spec.Concurrency)
	var wg sync.WaitGroup
	for i, j := range jobs {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			r.closeFeeds(jobs[i:])
			wg.Wait()
			return
		}
		wg.Go(func() {
			defer func() { <-slots }()
			defer r.closeFeeds([]tableJob{j})
			m := r.meta(j.portal)
			err := j.sync(ctx, m, func(rec arrow.Record) error {
				if !send(ctx, res, &message.SyncInsert{Record: rec}) {
					return ctx.Err()
				}
				return nil
			})
			if err != nil {
				r.fail(m.tableOfPortal(failedTable(j.name, err)), err)
			}
		})
	}
	wg.Wait()
}

// openFeeds gives the object tables that a table following them reads from, in this process, a
// feed of their changes, and puts the followers last: a job waits on a feed only once every job
// before it holds a slot, so waiting never holds up the jobs it waits for. A follower that cannot
// name its types gets no feed; its own Sync meets the same error.
func (r *run) openFeeds(ctx context.Context, jobs []tableJob) []tableJob {
	var leaders, followers []tableJob
	followed := map[string]bool{}
	for _, j := range jobs {
		if j.follows == nil {
			leaders = append(leaders, j)
			continue
		}
		followers = append(followers, j)
		objects, _ := j.follows(ctx, r.meta(j.portal))
		for _, o := range objects {
			followed[feedKey(j.portal, o)] = true
		}
	}
	if len(followers) == 0 {
		return jobs
	}
	r.feeds = map[string]*incremental.Feed{}
	for _, j := range leaders {
		if key := feedKey(j.portal, j.object); j.object != "" && followed[key] {
			r.feeds[key] = incremental.NewFeed()
		}
	}
	return append(leaders, followers...)
}

// closeFeeds ends the feeds of jobs that finished or never started, so that no follower waits
// for them.
func (r *run) closeFeeds(jobs []tableJob) {
	for _, j := range jobs {
		if f := r.feeds[feedKey(j.portal, j.object)]; f != nil {
			f.Close()
		}
	}
}

// feed is the feed of an object type's changes in this portal, or nil when its table does not
// run in this process or nothing follows it.
func (m *Meta) feed(object string) *incremental.Feed {
	return m.run.feeds[feedKey(m.Portal, object)]
}

func feedKey(p *PortalClient, object string) string { return p.Name + "/" + object }

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

// resolveUntil has the tables' resolvers, relations included, stop when ctx ends, whatever
// context the scheduler gives them.
func resolveUntil(ctx context.Context, tables schema.Tables) schema.Tables {
	for _, t := range tables.FlattenTables() {
		resolve := t.Resolver
		if resolve == nil {
			continue
		}
		t.Resolver = func(rctx context.Context, meta schema.ClientMeta, parent *schema.Resource, res chan<- any) error {
			rctx, cancel := context.WithCancel(rctx)
			defer cancel()
			defer context.AfterFunc(ctx, cancel)()
			return resolve(rctx, meta, parent, res)
		}
	}
	return tables
}

// forward passes the scheduler's messages on until ctx ends, then discards the rest. The SDK's
// scheduler sends without watching ctx: once the reader of res is gone (the CLI cancelled, or the
// gRPC stream failed) it would block for ever, and Sync with it.
func forward(ctx context.Context, from <-chan message.SyncMessage, to chan<- message.SyncMessage) {
	for msg := range from {
		if !send(ctx, to, msg) {
			break
		}
	}
	for range from {
	}
}

func (c *Client) openState(ctx context.Context, opts *plugin.BackendOptions) (state.Client, error) {
	switch {
	case c.localState != "":
		f, err := statefile.Open(c.localState)
		if err != nil {
			return nil, fmt.Errorf("open state file: %w", err)
		}
		return f, nil
	case opts == nil:
		c.logger.Warn().Msg("no state backend configured (backend_options): every run reads everything again; configure one for incremental syncs")
		return &state.NoOpClient{}, nil
	default:
		var s state.Client
		err := c.stateCall(ctx, fmt.Sprintf("connect to state backend %q", opts.TableName), func(ctx context.Context) (err error) {
			s, err = state.NewConnectedClient(ctx, opts)
			return err
		})
		return s, err
	}
}

// stateCall runs one exchange with the state store (connecting and loading every key, or saving
// them) under a deadline: a state backend whose database hangs would otherwise hold the run for
// ever. The deadline is five times request_timeout, the setting users tune for slow networks.
func (c *Client) stateCall(ctx context.Context, what string, call func(context.Context) error) error {
	timeout := 5 * c.spec.RequestTimeout.Duration()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := call(ctx)
	switch {
	case err == nil:
		return nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: no answer within %s (five times request_timeout): %w", what, timeout, err)
	default:
		return fmt.Errorf("%s: %w", what, err)
	}
}
