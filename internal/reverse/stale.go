package reverse

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
)

// ArchiveStale archives the records that earlier runs synced from plan's table, as the outcome
// reports in reportDir show, and that no row of this run names: the archive rule for DeleteStale.
// Without earlier reports nothing is archived.
func (r *Run) ArchiveStale(ctx context.Context, plan *Plan, reportDir string) error {
	ids, err := r.staleIDs(ctx, plan, reportDir)
	if err != nil {
		return err
	}
	r.opts.Logger.Info().Str("table", plan.Table).Int("records", len(ids)).Bool("dry_run", r.opts.DryRun).
		Msg("archiving records synced by earlier runs and absent from this one (on_delete: archive)")
	b := r.newBatch(plan)
	b.archiveOnly = true
	for _, id := range ids {
		row := b.newRow(int64(len(b.rows)))
		row.keyText, row.id, row.op = id, id, opArchive
	}
	return r.finish(b, b.write(ctx))
}

// markKeys notes the match keys of a table's rows that reached no record: a row still in the
// source keeps its record from DeleteStale even when it failed or was excluded before its record
// was matched, since the earlier reports tie its key to that record. A row that reached a record
// names it by id, and only it: its other keys may be what a row now gone matched by. Only a
// mapping that archives needs them.
func (r *Run) markKeys(plan *Plan, rows []*row) {
	if plan.Mapping.OnDelete != DeleteArchive {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	named := r.namedIn(plan.Table)
	for _, row := range rows {
		if row.id != "" {
			continue
		}
		for k, key := range plan.keys {
			if row.keys[k] != "" {
				named[claimFor(key.property, row.keys[k])] = true
			}
		}
	}
}

// namedIn is the set of identities this run's rows of table named: their match keys and the ids
// of the records they matched or wrote. Callers hold r.mu.
func (r *Run) namedIn(table string) map[string]bool {
	named := r.named[table]
	if named == nil {
		named = map[string]bool{}
		r.named[table] = named
	}
	return named
}

// staleIDs reads the reports of earlier runs: the records of plan's table and portal whose latest
// outcome was synced (not archived), minus the records this run's rows named, by id or by the
// match key that outcome reported.
func (r *Run) staleIDs(ctx context.Context, plan *Plan, dir string) ([]string, error) {
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	type entry struct {
		at   int64
		live bool
		key  string // identity of the reported match key, "" when this plan has no such key
	}
	latest := map[string]entry{}
	before := arrow.Timestamp(r.started.UnixMilli())
	for rec, err := range parquetio.Read(ctx, dir, 0) {
		if err != nil {
			return nil, fmt.Errorf("read earlier reports in %s: %w", dir, err)
		}
		col := func(name string) arrow.Array { return rec.Column(rec.Schema().FieldIndices(name)[0]) }
		table, portal, id := col("table").(*array.String), col("portal").(*array.String), col("hubspot_id").(*array.String)
		status, action := col("outcome").(*array.String), col("action").(*array.String)
		key, via := col("key").(*array.String), col("match_key").(*array.String)
		at, dry := col("time").(*array.Timestamp), col("dry_run").(*array.Boolean)
		for i := range int(rec.NumRows()) {
			if table.Value(i) != plan.Table || portal.Value(i) != plan.Target.Name || id.IsNull(i) || dry.Value(i) || at.Value(i) >= before {
				continue
			}
			e := entry{at: int64(at.Value(i)), live: Status(status.Value(i)) == StatusSynced && Action(action.Value(i)) != ActionArchived}
			if k := slices.IndexFunc(plan.keys, func(k matchKey) bool { return k.name == via.Value(i) }); k >= 0 && key.IsValid(i) {
				e.key = claimFor(plan.keys[k].property, plan.keys[k].normalize(key.Value(i)))
			}
			if prev, ok := latest[id.Value(i)]; !ok || prev.at <= e.at {
				latest[id.Value(i)] = e
			}
		}
		rec.Release()
	}
	r.mu.Lock()
	named := r.namedIn(plan.Table)
	var ids []string
	for id, e := range latest {
		if e.live && !named[claimFor("hs_object_id", id)] && (e.key == "" || !named[e.key]) {
			ids = append(ids, id)
		}
	}
	r.mu.Unlock()
	slices.SortFunc(ids, hubspot.CompareIDs)
	return ids, nil
}
