package cli

import (
	"os"
	"runtime/debug"
)

// Garbage collector settings for a sync, unless the user set GOGC or GOMEMLIMIT. A sync allocates
// fast (about 25 KB per record served to the CloudQuery CLI: the page body, its values, the Arrow
// columns and their IPC encoding) and keeps little alive: the pages in flight and, in `hubspot
// sync`, each Parquet writer's open row group. Measured on `hubspot serve` and `hubspot sync`
// (README, Performance), Go's default (100) spends a fifth more CPU per record than GOGC=200,
// GOGC=400 saves a twentieth more for about 50 MiB, and GOGC=1000 costs both memory and CPU
// (larger heaps of fresh memory to clear). The memory limit is a ceiling for syncs that keep more
// alive (very wide custom objects), not a target: a sync below it never reaches it.
const (
	gcPercent   = 200
	memoryLimit = 192 << 20
)

// TuneGC applies the settings above where the environment does not set its own.
func TuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(memoryLimit)
	}
}
