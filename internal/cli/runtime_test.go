package cli

import (
	"os"
	"runtime"
	"runtime/debug"
	"testing"
)

// TestTuneRuntimeLeavesWhatTheUserSet: each setting applies only where its variable is unset.
func TestTuneRuntimeLeavesWhatTheUserSet(t *testing.T) {
	procs, gcPercentBefore, limitBefore := runtime.GOMAXPROCS(0), debug.SetGCPercent(100), debug.SetMemoryLimit(-1)
	t.Cleanup(func() {
		runtime.GOMAXPROCS(procs)
		debug.SetGCPercent(gcPercentBefore)
		debug.SetMemoryLimit(limitBefore)
	})
	const userProcs, userPercent, userLimit = 3, 150, 64 << 20
	for _, tc := range []struct {
		name                   string
		set                    map[string]bool // variables the user set
		wantProcs, wantPercent int
		wantLimit              int64
	}{
		{"nothing set", nil, processors, gcPercent, memoryLimit},
		{"GOMAXPROCS set", map[string]bool{"GOMAXPROCS": true}, userProcs, gcPercent, memoryLimit},
		{"GOGC set", map[string]bool{"GOGC": true}, processors, userPercent, memoryLimit},
		{"GOMEMLIMIT set", map[string]bool{"GOMEMLIMIT": true}, processors, gcPercent, userLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The runtime read the variables at start; the test sets what they would have set.
			runtime.GOMAXPROCS(userProcs)
			debug.SetGCPercent(userPercent)
			debug.SetMemoryLimit(userLimit)
			for _, name := range []string{"GOMAXPROCS", "GOGC", "GOMEMLIMIT"} {
				if tc.set[name] {
					t.Setenv(name, "set")
				} else {
					unsetenv(t, name)
				}
			}
			TuneRuntime()
			if got := runtime.GOMAXPROCS(0); got != tc.wantProcs {
				t.Errorf("GOMAXPROCS = %d, want %d", got, tc.wantProcs)
			}
			if got := debug.SetGCPercent(tc.wantPercent); got != tc.wantPercent {
				t.Errorf("GC percent = %d, want %d", got, tc.wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != tc.wantLimit {
				t.Errorf("memory limit = %d, want %d", got, tc.wantLimit)
			}
		})
	}
}

// unsetenv removes name for the test, restoring it after.
func unsetenv(t *testing.T, name string) {
	t.Helper()
	t.Setenv(name, "") // restores the original value at cleanup
	os.Unsetenv(name)
}
