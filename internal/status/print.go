package status

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/runner"
)

// TopN is how many categories the view lists per object.
const TopN = 5

// Print writes the view as text: per object a line per run, then its top categories with fixes.
func (v *View) Print(w io.Writer) error {
	fmt.Fprintf(w, "Reverse-ETL status of %s: the last %d of %d runs\n", v.Dir, len(v.Runs), v.TotalRuns)
	for _, o := range v.Objects {
		fmt.Fprintf(w, "\n%s (portal %s)\n", o.Object, o.Portal)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "RUN\tSYNCED\tCREATED\tUPDATED\tUNCHANGED\tARCHIVED\tFAILED\tEXCLUDED\t")
		for i, c := range o.Runs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", v.Runs[i].label(),
				th(c.Synced), th(c.Created), th(c.Updated), th(c.Unchanged), th(c.Archived), th(c.Failed), th(c.Excluded))
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("print status: %w", err)
		}
		top := o.TopCategories(TopN)
		if len(top) == 0 {
			continue
		}
		fmt.Fprintf(w, "Top reasons over these runs:\n")
		for _, c := range top {
			fmt.Fprintf(w, "  %-8s %s (%s rows)\n    fix: %s\n", c.kind(), c.Category, th(c.Count), Fix(c.Category))
		}
	}
	return nil
}

func (c CategoryCount) kind() string {
	if c.Failed {
		return "failed"
	}
	return "excluded"
}

// label names a run by its start, marking dry runs.
func (r Run) label() string {
	s := r.Started.Format("2006-01-02 15:04:05.000") + " UTC"
	if r.DryRun {
		s += " (dry run)"
	}
	return s
}

func th(n int) string { return runner.Thousands(int64(n)) }

// exportHeader names the columns of the CSV export.
var exportHeader = []string{"run", "table", "object", "portal", "row_index", "key", "match_key", "hubspot_id", "outcome", "category", "message", "fix", "time", "dry_run"}

// ExportCSV writes the failed and excluded rows of the runs shown, with their reason and fix,
// one CSV line each, oldest run first.
func (v *View) ExportCSV(ctx context.Context, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(exportHeader); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	var werr error
	for _, run := range v.Runs {
		err := reportRows(ctx, run.Files, func(r reportRow) {
			if reverse.Status(r.outcome) == reverse.StatusSynced || werr != nil {
				return
			}
			werr = cw.Write([]string{run.Started.Format(runLayout), r.table, r.object, r.portal, strconv.FormatInt(r.row, 10),
				r.key, r.matchKey, r.hubspotID, r.outcome, r.category, r.message, Fix(r.category),
				r.time.Format(time.RFC3339Nano), strconv.FormatBool(r.dryRun)})
		})
		if err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cmp.Or(werr, cw.Error()); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
