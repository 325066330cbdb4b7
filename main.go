// Command hubspot is the HubSpot plugin for CloudQuery: `serve`, `doc` and `package` from the
// plugin SDK, plus `sync`, `emulator` and `demo`.
package main

import (
	"context"
	"os"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/cli"
)

func main() {
	os.Exit(cli.Main(context.Background(), os.Args[1:]))
}
