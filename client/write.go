package client

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/cloudquery/plugin-sdk/v4/writers/mixedbatchwriter"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
)

var _ mixedbatchwriter.Client = (*Client)(nil)

// ErrReadNotSupported is returned by Read: HubSpot is written to as a destination and read from
// as a source (sync the hubspot_crm_* tables instead).
var ErrReadNotSupported = errors.New("the hubspot destination does not support reading tables back; sync them with the hubspot source instead")

// Read is not supported: see ErrReadNotSupported.
func (*Client) Read(context.Context, *schema.Table, chan<- arrow.Record) error {
	return ErrReadNotSupported
}

// Write runs one reverse-ETL session: every row gets an outcome in the report and the summary
// logged at the end. Row failures fail the sync only with fail_on_row_errors; errors that stop
// the session (credentials, rate limits, a bad mapping) always do.
func (c *Client) Write(ctx context.Context, msgs <-chan message.WriteMessage) error {
	if c.spec == nil {
		return errors.New("the destination needs a spec with credentials and mappings")
	}
	w, err := mixedbatchwriter.New(c, mixedbatchwriter.WithLogger(c.logger))
	if err != nil {
		return fmt.Errorf("start writer: %w", err)
	}
	run, err := reverse.NewRun(reverse.Options{
		DryRun:       c.spec.DryRun,
		ReportDir:    c.spec.ReportPath,
		Logger:       c.logger,
		SearchSettle: reverse.DefaultSearchSettle,
	})
	if err != nil {
		return fmt.Errorf("start reverse ETL: %w", err)
	}
	c.dest.mu.Lock()
	c.dest.run = run
	c.dest.mu.Unlock()
	err = w.Write(ctx, msgs)
	sum, closeErr := c.finishRun()
	if c.report != nil {
		c.report.recordUsage(c.portals)
	}
	if err = errors.Join(err, closeErr); err != nil {
		return err
	}
	if failed := sum.Failed(); failed > 0 && c.spec.FailOnRowErrors {
		return fmt.Errorf("%d rows failed (fail_on_row_errors is on); see the report in %s", failed, c.spec.ReportPath)
	}
	return nil
}

// finishRun closes the current session, if any: the report is flushed and the summary logged.
func (c *Client) finishRun() (reverse.Summary, error) {
	c.dest.mu.Lock()
	run := c.dest.run
	c.dest.run = nil
	c.dest.mu.Unlock()
	if run == nil {
		return reverse.Summary{}, nil
	}
	return run.Close()
}

func (c *Client) currentRun() (*reverse.Run, error) {
	c.dest.mu.Lock()
	defer c.dest.mu.Unlock()
	if c.dest.run == nil {
		return nil, errors.New("write messages arrived outside of a Write call")
	}
	return c.dest.run, nil
}

// InsertBatch writes rows to HubSpot through their table's mapping.
func (c *Client) InsertBatch(ctx context.Context, msgs message.WriteInserts) error {
	run, err := c.currentRun()
	if err != nil {
		return err
	}
	// The CloudQuery CLI may send a record per row: the records of a table that arrive together
	// are planned as one batch, whatever their size.
	for len(msgs) > 0 {
		table, ok := tableOf(msgs[0])
		if !ok {
			return errors.New("insert: record without a table name in its schema metadata")
		}
		n, rows := 0, int64(0)
		recs := make([]arrow.Record, 0, len(msgs))
		for ; n < len(msgs); n++ {
			if name, _ := tableOf(msgs[n]); name != table {
				break
			}
			recs = append(recs, msgs[n].Record)
			rows += msgs[n].Record.NumRows()
		}
		plan, err := c.plan(ctx, table, recs[0].Schema())
		if err != nil {
			return err
		}
		if err := run.Write(ctx, plan, recs...); err != nil {
			return fmt.Errorf("write %d rows of %s to %s: %w", rows, table, plan.Object.Name, err)
		}
		msgs = msgs[n:]
	}
	return nil
}

func tableOf(m *message.WriteInsert) (string, bool) {
	return m.Record.Schema().Metadata().GetValue(schema.MetadataTableName)
}

// DeleteStaleBatch applies the delete rule to tables whose rows from earlier syncs are gone:
// `ignore` logs it; `archive` archives the records earlier runs synced from the table (as their
// outcome reports in report_path show) that no row of this run names.
func (c *Client) DeleteStaleBatch(ctx context.Context, msgs message.WriteDeleteStales) error {
	run, err := c.currentRun()
	if err != nil {
		return err
	}
	for _, m := range msgs {
		plan, ok := c.deletePlan(m.TableName, "DeleteStale")
		if !ok {
			continue
		}
		if err := run.ArchiveStale(ctx, plan, c.spec.ReportPath); err != nil {
			return fmt.Errorf("archive stale %s records of %s: %w", plan.Object.Name, m.TableName, err)
		}
	}
	return nil
}

// DeleteRecordsBatch applies the delete rule to deleted rows: `ignore` logs it; `archive`
// archives the records whose match key the delete names (a where clause on a key column).
func (c *Client) DeleteRecordsBatch(ctx context.Context, msgs message.WriteDeleteRecords) error {
	run, err := c.currentRun()
	if err != nil {
		return err
	}
	for _, m := range msgs {
		plan, ok := c.deletePlan(m.TableName, "DeleteRecord")
		if !ok {
			continue
		}
		keys, err := deletedKeys(m, plan.KeyColumns())
		if err != nil {
			return fmt.Errorf("delete from %s: %w", m.TableName, err)
		}
		for _, column := range plan.KeyColumns() {
			if len(keys[column]) == 0 {
				continue
			}
			if err := run.Archive(ctx, plan, column, keys[column]); err != nil {
				return fmt.Errorf("archive deleted %s records of %s: %w", plan.Object.Name, m.TableName, err)
			}
		}
	}
	return nil
}

// deletePlan returns the plan of a table whose delete rule is archive, logging the rule otherwise.
func (c *Client) deletePlan(table, what string) (*reverse.Plan, bool) {
	c.dest.mu.Lock()
	plan, ok := c.dest.plans[table]
	c.dest.mu.Unlock()
	if !ok || plan.Mapping.OnDelete != reverse.DeleteArchive {
		c.logger.Info().Str("table", table).Str("message", what).
			Msg("delete ignored: the mapping's on_delete is ignore (set it to archive to archive the records in HubSpot)")
		return nil, false
	}
	return plan, true
}

// deletedKeys reads the key values a DeleteRecord names, by key column: `key = value`
// predicates on the columns of the plan's match keys. Any other predicate cannot name HubSpot
// records and is refused.
func deletedKeys(m *message.WriteDeleteRecord, keyColumns []string) (map[string][]string, error) {
	keys := map[string][]string{}
	for _, g := range m.WhereClause {
		for _, p := range g.Predicates {
			if !slices.Contains(keyColumns, p.Column) || !strings.EqualFold(p.Operator, "eq") {
				return nil, fmt.Errorf("only `column = value` predicates on a match key column (%s) name HubSpot records, got %s %s",
					strings.Join(keyColumns, ", "), p.Column, p.Operator)
			}
			for i := range p.Record.NumCols() {
				col := p.Record.Column(int(i))
				for r := range col.Len() {
					if col.IsValid(r) {
						keys[p.Column] = append(keys[p.Column], col.ValueStr(r))
					}
				}
			}
		}
	}
	return keys, nil
}
