package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/demo"
)

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "demo-output", "where the demo writes its specs, Parquet files and state")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := zerolog.New(zerolog.ConsoleWriter{Out: stderr, NoColor: !isTerminal(stderr), TimeFormat: time.TimeOnly}).Level(zerolog.WarnLevel).With().Timestamp().Logger()
	start := time.Now()
	if err := demo.Run(ctx, demo.Options{Dir: *dir, Out: stdout, Live: isTerminal(stdout), Logger: logger}); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	fmt.Fprintf(stdout, "\nDemo finished in %s.\n", time.Since(start).Round(time.Second))
	return nil
}
