package cli

import (
	"os"
	"runtime"
	"runtime/debug"
)

// Runtime settings for the commands that sync (`serve`, `sync`), unless the user set GOGC,
// GOMEMLIMIT or GOMAXPROCS. Measured on `hubspot serve` and `hubspot sync` (README, Performance):
//
//   - A sync allocates fast (about 25 KB per record served to the CloudQuery CLI: the page body,
//     its values, the Arrow columns and their IPC encoding) and keeps little alive: the pages in
//     flight and, in `hubspot sync`, each Parquet writer's open row group. Go's default GOGC
//     (100) spends a third more CPU per record at the API's pace than 200; larger values cost
//     memory and, on fresh memory that has to be faulted in and cleared, CPU too.
//   - The memory limit is a ceiling for syncs that keep more alive (very wide custom objects), not
//     a target: a sync below it never reaches it.
//   - One processor. A sync is a pipeline of goroutines handing pages and records to each other
//     at HubSpot's pace; with more processors each hand-off wakes an idle one, which spins looking
//     for work, and the collector's work spreads over them with more page faults. One processor
//     spends about a fifth less CPU per record at the API's pace, in the same wall time, and
//     keeps up with about eight portals at HubSpot's fastest pace.
const (
	gcPercent   = 200
	memoryLimit = 192 << 20
	processors  = 1
)

// TuneRuntime applies the settings above where the environment does not set its own.
func TuneRuntime() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(memoryLimit)
	}
	if _, set := os.LookupEnv("GOMAXPROCS"); !set {
		runtime.GOMAXPROCS(processors)
	}
}
