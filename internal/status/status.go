// Package status is the sync-health view of reverse ETL, as HubSpot's Data Sync shows it: from
// the outcome reports in a report folder (one Parquet report per run), per object and run, the
// synced (created / updated / unchanged / archived), failed and excluded counts and the top error
// categories with how to fix each; the failed and excluded rows as CSV; and one HTML page.
package status

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
)

// DefaultReportPath is the destination's report_path when the spec sets none.
const DefaultReportPath = "hubspot-reverse-etl-report"

// A report file is named reverse-etl-<run start>-<sequence>.parquet; the start names the run.
const (
	filePrefix = "reverse-etl-"
	runLayout  = "20060102T150405.000Z"
)

// View is the status of the last runs of one report folder.
type View struct {
	Dir string
	// Runs are the runs shown, oldest first; TotalRuns counts every run in the folder.
	Runs      []Run
	TotalRuns int
	// Objects are sorted by portal and object type.
	Objects []Object
}

// Run is one reverse-ETL run: its report files.
type Run struct {
	Started time.Time
	DryRun  bool
	Files   []string
}

// Object is one object type of one portal over the runs shown.
type Object struct {
	Portal, Object string
	// Runs holds the counts of each run of View.Runs, in the same order; a run that did not
	// write the object has zero counts.
	Runs []Counts
}

// Counts are the outcomes of one object in one run.
type Counts struct {
	Synced, Failed, Excluded              int
	Created, Updated, Unchanged, Archived int
	// Categories counts the failed and excluded rows by category.
	Categories map[string]int
}

// Rows is every row counted.
func (c Counts) Rows() int { return c.Synced + c.Failed + c.Excluded }

// CategoryCount is one line of the top categories.
type CategoryCount struct {
	Category string
	Failed   bool // a failure rather than an exclusion
	Count    int
}

// TopCategories returns the n most frequent failure and exclusion categories of the object over
// the runs shown, most frequent first.
func (o Object) TopCategories(n int) []CategoryCount {
	sum := map[string]int{}
	for _, r := range o.Runs {
		for k, v := range r.Categories {
			sum[k] += v
		}
	}
	out := make([]CategoryCount, 0, len(sum))
	for _, k := range slices.Sorted(maps.Keys(sum)) {
		out = append(out, CategoryCount{Category: k, Failed: !IsExclusion(k), Count: sum[k]})
	}
	slices.SortStableFunc(out, func(a, b CategoryCount) int { return cmp.Compare(b.Count, a.Count) })
	return out[:min(n, len(out))]
}

// Load reads the reports of the last runs runs of dir.
func Load(ctx context.Context, dir string, runs int) (*View, error) {
	if runs < 1 {
		return nil, fmt.Errorf("runs must be at least 1, got %d", runs)
	}
	all, err := listRuns(dir)
	if err != nil {
		return nil, err
	}
	v := &View{Dir: dir, TotalRuns: len(all), Runs: all[max(0, len(all)-runs):]}
	objects := map[[2]string]*Object{}
	for i := range v.Runs {
		if err := v.readRun(ctx, i, objects); err != nil {
			return nil, err
		}
	}
	for _, o := range objects {
		v.Objects = append(v.Objects, *o)
	}
	slices.SortFunc(v.Objects, func(a, b Object) int {
		return cmp.Or(cmp.Compare(a.Portal, b.Portal), cmp.Compare(a.Object, b.Object))
	})
	return v, nil
}

// listRuns groups the report files of dir by run, oldest first.
func listRuns(dir string) ([]Run, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("report folder %s does not exist: give the report_path of the hubspot destination (default ./%s)", dir, DefaultReportPath)
	}
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	byStart := map[time.Time]*Run{}
	for _, e := range entries {
		start, ok := runStart(e.Name())
		if !ok || e.IsDir() {
			continue
		}
		r := byStart[start]
		if r == nil {
			r = &Run{Started: start}
			byStart[start] = r
		}
		r.Files = append(r.Files, filepath.Join(dir, e.Name()))
	}
	if len(byStart) == 0 {
		return nil, fmt.Errorf("%s holds no reverse-ETL reports (%s*.parquet): give the report_path of the hubspot destination, where each run writes its report", dir, filePrefix)
	}
	runs := make([]Run, 0, len(byStart))
	for _, start := range slices.SortedFunc(maps.Keys(byStart), time.Time.Compare) {
		r := byStart[start]
		slices.Sort(r.Files)
		runs = append(runs, *r)
	}
	return runs, nil
}

// runStart reads the run's start from a finished report file's name.
func runStart(name string) (time.Time, bool) {
	rest, ok := strings.CutPrefix(name, filePrefix)
	if !ok || !strings.HasSuffix(rest, ".parquet") || len(rest) < len(runLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(runLayout, rest[:len(runLayout)])
	return t, err == nil
}

// reportRows reads the report rows of files, calling row for each.
func reportRows(ctx context.Context, files []string, row func(reportRow)) error {
	for _, f := range files {
		for rec, err := range parquetio.Read(ctx, f, 0) {
			if err != nil {
				return fmt.Errorf("read report: %w", err)
			}
			err := eachRow(rec, row)
			rec.Release()
			if err != nil {
				return fmt.Errorf("read report %s: %w", f, err)
			}
		}
	}
	return nil
}

// reportRow is one row of a report: one input row's outcome.
type reportRow struct {
	table, object, portal, key, matchKey, hubspotID string
	outcome, action, category, message              string
	row                                             int64
	time                                            time.Time
	dryRun                                          bool
}

func eachRow(rec arrow.Record, row func(reportRow)) error {
	cols := map[string]arrow.Array{}
	for i, f := range rec.Schema().Fields() {
		cols[f.Name] = rec.Column(i)
	}
	for _, f := range reverse.ReportSchema.Fields() {
		if c, ok := cols[f.Name]; !ok || !arrow.TypeEqual(c.DataType(), f.Type) {
			return fmt.Errorf("not an outcome report: column %s missing or not %s", f.Name, f.Type)
		}
	}
	text := func(name string, i int) string {
		c := cols[name].(*array.String)
		if c.IsNull(i) {
			return ""
		}
		return c.Value(i)
	}
	at := cols["time"].(*array.Timestamp)
	dry := cols["dry_run"].(*array.Boolean)
	rows := cols["row_index"].(*array.Int64)
	for i := range int(rec.NumRows()) {
		row(reportRow{
			table: text("table", i), object: text("object", i), portal: text("portal", i),
			key: text("key", i), matchKey: text("match_key", i), hubspotID: text("hubspot_id", i),
			outcome: text("outcome", i), action: text("action", i), category: text("category", i),
			message: text("message", i), row: rows.Value(i),
			time: time.UnixMilli(int64(at.Value(i))).UTC(), dryRun: dry.Value(i),
		})
	}
	return nil
}

func (v *View) readRun(ctx context.Context, run int, objects map[[2]string]*Object) error {
	return reportRows(ctx, v.Runs[run].Files, func(r reportRow) {
		v.Runs[run].DryRun = v.Runs[run].DryRun || r.dryRun
		o := objects[[2]string{r.portal, r.object}]
		if o == nil {
			o = &Object{Portal: r.portal, Object: r.object, Runs: make([]Counts, len(v.Runs))}
			objects[[2]string{r.portal, r.object}] = o
		}
		o.Runs[run].add(r)
	})
}

func (c *Counts) add(r reportRow) {
	switch reverse.Status(r.outcome) {
	case reverse.StatusSynced:
		c.Synced++
		switch reverse.Action(r.action) {
		case reverse.ActionCreated:
			c.Created++
		case reverse.ActionUpdated:
			c.Updated++
		case reverse.ActionUnchanged:
			c.Unchanged++
		case reverse.ActionArchived:
			c.Archived++
		}
		return
	case reverse.StatusFailed:
		c.Failed++
	case reverse.StatusExcluded:
		c.Excluded++
	}
	if c.Categories == nil {
		c.Categories = map[string]int{}
	}
	c.Categories[r.category]++
}
