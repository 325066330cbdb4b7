package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/runner"
	"github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

const syncUsage = `Usage: hubspot sync [flags] SPEC.yml

Runs the plugin without the CloudQuery CLI, from the same YAML a CloudQuery user writes:
  - source hubspot + destination file (format: parquet): HubSpot records land in one Parquet
    directory per table under the destination's spec.path, incrementally;
  - source file (format: parquet) + destination hubspot: Parquet rows are written to HubSpot
    (reverse ETL) through the destination's mappings.
${VAR} in the file is replaced by the environment variable. Without backend_options, cursors are
kept in a local state file (--state).

Flags:
`

func runSync(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	fs.SetOutput(stderr)
	statePath := fs.String("state", "", "local state file (default: .hubspot-state.json in the Parquet directory)")
	logLevel := fs.String("log-level", "warn", "plugin log level: debug, info, warn, error")
	fs.Usage = func() {
		fmt.Fprint(stderr, syncUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("sync: give exactly one spec file")
	}
	job, err := runner.Load(fs.Arg(0), os.LookupEnv)
	if err != nil {
		return err
	}
	level, err := zerolog.ParseLevel(*logLevel)
	if err != nil {
		return fmt.Errorf("sync: --log-level: %w", err)
	}
	if *statePath == "" {
		*statePath = filepath.Join(job.Dir, ".hubspot-state.json")
	}
	tty := isTerminal(stdout)
	logger := zerolog.New(zerolog.ConsoleWriter{Out: stderr, NoColor: !isTerminal(stderr), TimeFormat: time.TimeOnly}).Level(level).With().Timestamp().Logger()
	sum, err := job.Run(ctx, runner.Options{StatePath: *statePath, Out: stdout, Progress: tty, Logger: logger, NewPlugin: plugin.Plugin})
	if sum != nil {
		fmt.Fprintln(stdout)
		sum.Print(stdout)
	}
	if err != nil {
		return fmt.Errorf("sync failed: %w. %s; with --log-level info the log shows each table's progress", err, client.Advice(err))
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && isatty.IsTerminal(f.Fd())
}
