package reverse

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/durable"
)

// LockFile is the file in the report folder that one run at a time holds locked.
const LockFile = ".hubspot-reverse-etl.lock"

// reportPrefix starts the name of every report file.
const reportPrefix = "reverse-etl-"

// reportFolder is report_path held by one run: locked against overlapping runs, cleared of the
// partial report files a killed run left, and holding the create journal (only read in a dry run).
type reportFolder struct {
	lock    *os.File
	journal *journal
}

// openReportFolder holds opts.ReportDir for a run, with its journal.
func openReportFolder(opts Options) (*reportFolder, error) {
	dir := opts.ReportDir
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report folder: %w", err)
	}
	lock, err := durable.Lock(filepath.Join(dir, LockFile))
	if errors.Is(err, durable.ErrHeld) {
		return nil, fmt.Errorf("report_path %s is in use by another reverse-ETL run (it holds %s): wait for that run to end, or give each run its own report_path", dir, LockFile)
	}
	if err != nil {
		return nil, fmt.Errorf("lock report folder: %w", err)
	}
	f := &reportFolder{lock: lock}
	if err := removePartialReports(dir, opts.Logger); err != nil {
		return nil, errors.Join(err, f.close())
	}
	open := openJournal
	if opts.DryRun {
		open = readJournal
	}
	if f.journal, err = open(dir, opts.Now); err != nil {
		return nil, errors.Join(err, f.close())
	}
	return f, nil
}

// removePartialReports deletes the unfinished report files (<name>.parquet.tmp) a killed run
// left behind; with the folder locked, no other run is writing them.
func removePartialReports(dir string, log zerolog.Logger) error {
	partial, err := filepath.Glob(filepath.Join(dir, reportPrefix+"*.parquet.tmp"))
	if err != nil {
		return fmt.Errorf("list partial reports: %w", err)
	}
	for _, name := range partial {
		if err := os.Remove(name); err != nil {
			return fmt.Errorf("remove partial report: %w", err)
		}
	}
	if len(partial) > 0 {
		log.Info().Strs("files", partial).Msg("removed unfinished report files an interrupted run left")
	}
	return nil
}

// close closes the journal and releases the lock.
func (f *reportFolder) close() error {
	var err error
	if f.journal != nil {
		err = f.journal.close()
	}
	if unlockErr := f.lock.Close(); unlockErr != nil {
		err = errors.Join(err, fmt.Errorf("unlock report folder: %w", unlockErr))
	}
	return err
}
