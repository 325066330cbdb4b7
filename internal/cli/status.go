package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/status"
)

const statusUsage = `Usage: hubspot status [flags] [REPORT_PATH]

Shows the health of reverse ETL as HubSpot's Data Sync does, from the outcome reports a run
writes into the hubspot destination's report_path (default ./hubspot-reverse-etl-report): per
object and for the last runs, the synced (created / updated / unchanged / archived), failed and
excluded rows, and the top reasons with how to fix each.

Flags:
`

func runStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(stderr)
	runs := fs.Int("runs", 5, "how many of the latest runs to show")
	export := fs.String("export", "", "write the failed and excluded rows of those runs, with reason and fix, to this CSV file")
	page := fs.String("html", "", "write the view as one self-contained HTML page, with a chart of outcomes per run, to this file")
	fs.Usage = func() {
		fmt.Fprint(stderr, statusUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return errors.New("status: give at most one report folder; flags go before it")
	}
	if *runs < 1 {
		return fmt.Errorf("status: --runs %d: show at least 1 run", *runs)
	}
	dir := status.DefaultReportPath
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	view, err := status.Load(ctx, dir, *runs)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	if err := view.Print(stdout); err != nil {
		return fmt.Errorf("status: %w", err)
	}
	if *export != "" {
		if err := writeFile(*export, func(w io.Writer) error { return view.ExportCSV(ctx, w) }); err != nil {
			return fmt.Errorf("status: --export: %w", err)
		}
		fmt.Fprintf(stdout, "\nfailed and excluded rows written to %s\n", *export)
	}
	if *page != "" {
		if err := writeFile(*page, func(w io.Writer) error { return view.WriteHTML(w, time.Now()) }); err != nil {
			return fmt.Errorf("status: --html: %w", err)
		}
		fmt.Fprintf(stdout, "status page written to %s\n", *page)
	}
	return nil
}

// writeFile writes a file through write, removing it when writing fails.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}
