package reverse

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// Defaults of Options.
const (
	DefaultConcurrency  = 4
	DefaultSearchSettle = 5 * time.Second
	ambiguousRetries    = 2
)

// Options configure a Run.
type Options struct {
	// DryRun computes the same plan, reads included, and writes nothing to HubSpot.
	DryRun bool
	// ReportDir receives the Parquet outcome report and the journal of in-flight creates; a run
	// holds it locked. "" writes no report and keeps no journal.
	ReportDir string
	Logger    zerolog.Logger
	// Concurrency is the number of requests in flight for one batch of rows; default 4. The
	// portal's limiter still decides when each is sent.
	Concurrency int
	// SearchSettle is how long to let HubSpot's search index settle before searching for records
	// an ambiguous or journaled create may have made (DefaultSearchSettle suits HubSpot; 0 does
	// not wait). Lookups by id or unique property never wait.
	SearchSettle time.Duration
	// Now is the clock of outcome times; nil is time.Now.
	Now func() time.Time
}

// Run is one reverse-ETL write session: it remembers keys across batches (the first row with a
// key wins), collects every row's outcome into the report and the summary, and is closed once.
type Run struct {
	opts    Options
	started time.Time

	mu        sync.Mutex
	seen      map[string]map[string]int64 // table -> key -> first row
	next      map[string]int64            // table -> index of the next row
	summaries map[[2]string]*ObjectSummary
	report    *report
	resolvers map[*pipelineResolver]string                     // for logging auto choices at the end
	named     map[string]map[string]bool                       // table -> identities (claimFor) this run's rows carry or reached: see namedIn
	recovered map[string]map[string]map[string]*hubspot.Object // table -> key property -> key -> record a journaled create made
	closed    bool

	folder *reportFolder // nil without ReportDir
	// reconcileMu serializes reconciling; reconciled lists the portal/table pairs done.
	reconcileMu sync.Mutex
	reconciled  map[[2]string]bool
	// wait sleeps, ctx-aware; tests replace it to move a fake clock instead.
	wait func(ctx context.Context, d time.Duration) error
}

// NewRun starts a session. With a ReportDir it locks the folder (a second run on the same folder
// fails at once), removes unfinished report files a killed run left, and, unless DryRun, opens
// the journal of in-flight creates.
func NewRun(opts Options) (*Run, error) {
	opts.Concurrency = cmp.Or(opts.Concurrency, DefaultConcurrency)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	r := &Run{
		opts: opts, started: opts.Now(),
		seen: map[string]map[string]int64{}, next: map[string]int64{},
		summaries: map[[2]string]*ObjectSummary{}, resolvers: map[*pipelineResolver]string{},
		named: map[string]map[string]bool{}, recovered: map[string]map[string]map[string]*hubspot.Object{},
		reconciled: map[[2]string]bool{}, wait: sleep,
	}
	if opts.ReportDir != "" {
		f, err := openReportFolder(opts)
		if err != nil {
			return nil, err
		}
		r.folder = f
	}
	return r, nil
}

// journal is the run's create journal, nil when it keeps none.
func (r *Run) journal() *journal {
	if r.folder == nil {
		return nil
	}
	return r.folder.journal
}

// Write plans and applies the rows of records of plan's table as one batch, so HubSpot is read and
// written in its batch sizes however few rows each record holds. Row problems become outcomes;
// the error is for what stops the run (credentials, rate-limit exhaustion, cancellation), after
// the batch's rows were given outcomes.
func (r *Run) Write(ctx context.Context, plan *Plan, recs ...arrow.Record) error {
	b := r.newBatch(plan)
	for _, rec := range recs {
		b.convert(rec)
	}
	err := b.execute(ctx)
	r.markKeys(plan, b.rows)
	return r.finish(b, err)
}

// Archive moves the records whose match key held in column has one of values to the recycle
// bin: the archive delete rule.
func (r *Run) Archive(ctx context.Context, plan *Plan, column string, values []string) error {
	k := slices.IndexFunc(plan.keys, func(key matchKey) bool { return key.column == column })
	if k < 0 {
		return fmt.Errorf("column %q holds no match key of %s (match_key columns: %s)", column, plan.Table, strings.Join(plan.KeyColumns(), ", "))
	}
	b := r.newBatch(plan)
	b.archiveOnly = true
	for _, v := range values {
		b.addRow(k, v)
	}
	return r.finish(b, b.execute(ctx))
}

// finish records every row's outcome; rows that err left undecided fail with its category.
func (r *Run) finish(b *batch, err error) error {
	now := r.opts.Now()
	outs := make([]Outcome, 0, len(b.rows))
	for _, row := range b.rows {
		if row.status == "" {
			f := describeFailure(err)
			row.fail(f)
		}
		outs = append(outs, row.outcome(b, now))
	}
	if recErr := r.record(b.plan, outs); recErr != nil && err == nil {
		err = recErr
	}
	return err
}

// claim returns -1 when key is new in table, or the index of the row that claimed it first.
func (r *Run) claim(table, key string, row int64) int64 {
	first, _ := r.claimAll(table, []string{key}, row)
	return first
}

// claimAll claims every key for row, or none of them: it returns the first row that claimed one
// of them before, with that key, or -1 once it claimed them all.
func (r *Run) claimAll(table string, keys []string, row int64) (int64, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := r.seen[table]
	if seen == nil {
		seen = map[string]int64{}
		r.seen[table] = seen
	}
	for i, key := range keys {
		if first, ok := seen[key]; ok && first != row {
			return first, i
		}
	}
	for _, key := range keys {
		seen[key] = row
	}
	return -1, -1
}

// reserve hands out the indexes of n new rows of table.
func (r *Run) reserve(table string, n int) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	base := r.next[table]
	r.next[table] += int64(n)
	return base
}

func (r *Run) record(plan *Plan, outs []Outcome) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if plan.pipelines != nil {
		r.resolvers[plan.pipelines] = plan.Table
	}
	key := [2]string{plan.Target.Name, plan.Object.Name}
	s := r.summaries[key]
	if s == nil {
		s = &ObjectSummary{Portal: plan.Target.Name, Object: plan.Object.Name, Categories: map[string]int{}, MatchedBy: map[string]int{}}
		r.summaries[key] = s
	}
	named := r.namedIn(plan.Table)
	for _, o := range outs {
		s.add(o)
		if o.HubSpotID != "" {
			named[claimFor("hs_object_id", o.HubSpotID)] = true
		}
	}
	if r.opts.ReportDir == "" || len(outs) == 0 {
		return nil
	}
	if r.report == nil {
		rep, err := newReport(r.opts.ReportDir, reportPrefix+r.started.UTC().Format("20060102T150405.000Z"))
		if err != nil {
			return err
		}
		r.report = rep
	}
	return r.report.write(outs)
}

// Close finishes the report, releases the report folder and logs the summary per object.
// Calling it again returns an empty summary.
func (r *Run) Close() (Summary, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return Summary{DryRun: r.opts.DryRun}, nil
	}
	r.closed = true
	sum := Summary{DryRun: r.opts.DryRun}
	var err error
	if r.report != nil {
		sum.ReportFiles, err = r.report.close()
	}
	if r.folder != nil {
		err = errors.Join(err, r.folder.close())
	}
	for _, k := range slices.SortedFunc(maps.Keys(r.summaries), func(a, b [2]string) int { return strings.Compare(a[0]+"/"+a[1], b[0]+"/"+b[1]) }) {
		sum.Objects = append(sum.Objects, *r.summaries[k])
	}
	r.logSummary(sum)
	return sum, err
}

func (r *Run) logSummary(sum Summary) {
	log := r.opts.Logger
	for res, table := range r.resolvers {
		for _, c := range res.Choices() {
			log.Info().Str("table", table).Str("kind", c.Kind).Str("value", c.Value).Str("label", c.Label).Str("id", c.ID).
				Float64("similarity", c.Score).Msg("pipelines auto mapping chose this pair")
		}
	}
	for _, o := range sum.Objects {
		ev := log.Info()
		if o.Failed > 0 {
			ev = log.Warn()
		}
		top := o.TopCategories(5)
		cats := make([]string, len(top))
		for i, c := range top {
			cats[i] = c.Category + "=" + strconv.Itoa(c.Count)
		}
		var matched []string
		for _, k := range slices.Sorted(maps.Keys(o.MatchedBy)) {
			matched = append(matched, k+"="+strconv.Itoa(o.MatchedBy[k]))
		}
		ev.Str("portal", o.Portal).Str("object", o.Object).Bool("dry_run", sum.DryRun).
			Int("synced", o.Synced).Int("created", o.Created).Int("updated", o.Updated).Int("unchanged", o.Unchanged).
			Int("archived", o.Archived).Int("failed", o.Failed).Int("excluded", o.Excluded).Strs("top_categories", cats).
			Strs("matched_by", matched).
			Msg("reverse ETL summary")
	}
	if len(sum.ReportFiles) > 0 {
		log.Info().Strs("files", sum.ReportFiles).Msg("reverse ETL outcome report written (one row per input row)")
	}
}
