package client

import (
	"context"
	"fmt"
	"strings"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/scheduler"
	"github.com/cloudquery/plugin-sdk/v4/state"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/incremental"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/statefile"
)

// LocalStatePrefix in BackendOptions.Connection selects a local state file instead of a
// CloudQuery state backend; `hubspot sync` uses it.
const LocalStatePrefix = "file://"

// Sync reads the selected tables of every portal. A table that lost records fails the sync after
// every other table finished; the record cap stops tables at resumable points and is logged.
func (c *Client) Sync(ctx context.Context, opts plugin.SyncOptions, res chan<- message.SyncMessage) error {
	tables, err := c.Tables(ctx, plugin.TableOptions{Tables: opts.Tables, SkipTables: opts.SkipTables, SkipDependentTables: opts.SkipDependentTables})
	if err != nil {
		return fmt.Errorf("select tables: %w", err)
	}
	store, err := c.openState(ctx, opts.BackendOptions)
	if err != nil {
		return err
	}
	defer store.Close()

	r := &run{
		spec:        c.spec,
		portals:     c.portals,
		store:       store,
		records:     incremental.NewBudget(c.spec.MaxRecordsPerSync),
		association: incremental.NewBudget(c.spec.MaxRecordsPerSync),
		failed:      map[string]error{},
		badValues:   map[string]int{},
	}
	// The SDK derives table concurrency as concurrency/100.
	sched := scheduler.NewScheduler(scheduler.WithLogger(c.logger), scheduler.WithConcurrency(c.spec.Concurrency*100))
	syncOpts := []scheduler.SyncOption{scheduler.WithSyncDeterministicCQID(opts.DeterministicCQID)}
	if opts.Shard != nil {
		syncOpts = append(syncOpts, scheduler.WithShard(opts.Shard.Num, opts.Shard.Total))
	}
	if err := sched.Sync(ctx, &Meta{Logger: c.logger, run: r}, tables, res, syncOpts...); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	// Every record a cursor covers has been sent by now.
	if err := store.Flush(ctx); err != nil {
		return fmt.Errorf("flush state: %w", err)
	}
	return r.outcome(ctx, c.logger)
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
