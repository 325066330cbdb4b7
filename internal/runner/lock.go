package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/durable"
)

// lockRun takes the exclusive lock of the runs that share a state file (and so an output
// directory), held until unlock or the process ends, however it ends. Two overlapping runs would
// interleave cursors and files, and one would clean up the other's files in progress.
func lockRun(statePath string) (unlock func(), err error) {
	path := statePath + ".lock"
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("state directory: %w", err)
	}
	f, err := durable.Lock(path)
	if errors.Is(err, durable.ErrHeld) {
		return nil, fmt.Errorf("another hubspot sync is running on this output (it holds %s): wait for it to end, or stop it, then run again", path)
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { f.Close() }, nil
}
