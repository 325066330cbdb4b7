package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/durable"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/statefile"
)

// Options are how `hubspot sync` runs a job.
type Options struct {
	// StatePath is the local state file used when the spec has no backend_options.
	StatePath string
	// Out receives progress and the summary; Progress redraws lines in place (a terminal).
	Out      io.Writer
	Progress bool
	Logger   zerolog.Logger
	// NewPlugin builds the plugin to run in-process, its client configured with options.
	NewPlugin func(options ...client.Option) *plugin.Plugin
}

// Summary is what a run did, printed at its end.
type Summary struct {
	Direction  Direction
	Tables     map[string]int64 // rows per table
	Requests   int64
	Retries    int64
	Limited    int64 // 429s seen
	Elapsed    time.Duration
	StateSaved string   // where the cursors went; "" when none were kept
	Incomplete []string // "portal/table" streams the record cap stopped
	Failed     []string // "portal/table: cause" of tables that lost records
	Skipped    []string // "portal/object: missing scope ..." of objects discovery left out
	Files      []string
}

// Run executes the job.
func (j *Job) Run(ctx context.Context, opts Options) (*Summary, error) {
	spec, err := json.Marshal(j.Plugin.Spec)
	if err != nil {
		return nil, fmt.Errorf("encode %s spec: %w", j.Plugin.Name, err)
	}
	report := &client.Report{}
	options := []client.Option{client.WithReport(report)}
	var shown *progress
	if j.Direction == Read {
		shown = newProgress(opts.Out, opts.Progress, time.Now)
		options = append(options, client.WithProgress(shown))
		if j.Plugin.BackendOptions == nil {
			options = append(options, client.WithLocalState(workingState(opts.StatePath)))
		}
	}
	p := opts.NewPlugin(options...)
	p.SetLogger(opts.Logger)
	if err := p.Init(ctx, spec, plugin.NewClientOptions{}); err != nil {
		return nil, fmt.Errorf("init %s: %w", j.Plugin.Name, err)
	}
	defer p.Close(ctx)
	start := time.Now()
	var sum *Summary
	if j.Direction == Read {
		sum, err = j.read(ctx, p, opts, shown)
	} else {
		sum, err = j.write(ctx, p, opts)
	}
	if sum != nil {
		sum.Elapsed = time.Since(start)
		for _, st := range report.Requests() {
			sum.Requests += st.Requests
			sum.Retries += st.Retries
			sum.Limited += st.RateLimited
		}
		sum.Incomplete = report.Incomplete()
		for _, f := range report.Failed() {
			sum.Failed = append(sum.Failed, fmt.Sprintf("%s: %v", f.Table, f.Err))
		}
		for _, s := range report.Skipped() {
			sum.Skipped = append(sum.Skipped, fmt.Sprintf("%s/%s: missing scope %s", s.Portal, s.Object, strings.Join(s.MissingScopes, ", ")))
		}
	}
	return sum, err
}

// workingState is the copy of the local state file a sync writes to (see stateBackend).
func workingState(statePath string) string { return statePath + ".work" }

// stateBackend returns the backend options for a sync: the spec's own backend, or none when the
// plugin keeps its cursors in the working copy of the local state file (client.WithLocalState,
// set up by Run), which commit() makes current once the Parquet files are durable, so a crash
// never leaves cursors ahead of the files.
func (j *Job) stateBackend(statePath string) (*plugin.BackendOptions, func() error, error) {
	if b := j.Plugin.BackendOptions; b != nil {
		return &plugin.BackendOptions{TableName: b.TableName, Connection: b.Connection}, func() error { return nil }, nil
	}
	if err := os.MkdirAll(filepath.Dir(statePath), 0o755); err != nil {
		return nil, nil, fmt.Errorf("state directory: %w", err)
	}
	// The plugin reads a working copy; checking the file itself first makes a damaged one
	// reported under its own name.
	current, err := statefile.Open(statePath)
	if err != nil {
		return nil, nil, err
	}
	current.Close()
	work := workingState(statePath)
	if err := statefile.Copy(statePath, work); err != nil {
		return nil, nil, fmt.Errorf("prepare state file: %w", err)
	}
	commit := func() error {
		if _, err := os.Stat(work); os.IsNotExist(err) {
			return nil // nothing was flushed
		}
		if err := os.Rename(work, statePath); err != nil {
			return fmt.Errorf("save state file: %w", err)
		}
		if err := durable.SyncDir(filepath.Dir(statePath)); err != nil {
			return fmt.Errorf("save state file: %w", err)
		}
		return nil
	}
	return nil, commit, nil
}
