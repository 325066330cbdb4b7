// Package cli dispatches the command line: the plugin SDK's commands and our own.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cloudquery/plugin-sdk/v4/serve"

	"github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

const usage = `hubspot: the HubSpot plugin for CloudQuery

Our commands:
  sync       run a spec without the CloudQuery CLI: HubSpot to Parquet, or Parquet to HubSpot
  status     the health of reverse ETL per object over the last runs, from its reports (hubspot status --help)
  emulator   serve a seeded HubSpot portal on loopback for tests and demos (hubspot emulator --help)
  demo       run the whole product against a bundled emulator, no token needed

Plugin SDK commands (what the CloudQuery CLI runs):
  serve      serve the plugin over gRPC (hubspot serve --address 127.0.0.1:7777)
  doc        generate table docs
  package    package the plugin for a registry
`

// Main runs one command and returns the process exit status.
func Main(ctx context.Context, args []string) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, args, os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintln(os.Stderr, "hubspot:", err)
		return 1
	}
	return 0
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return nil
	}
	switch args[0] {
	case "sync":
		TuneRuntime()
		return runSync(ctx, args[1:], stdout, stderr)
	case "status":
		return runStatus(ctx, args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "emulator":
		return runEmulator(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default: // serve, doc, package
		TuneRuntime()
		return serve.Plugin(plugin.Plugin(), serve.WithArgs(args...)).Serve(ctx)
	}
}
