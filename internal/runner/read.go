package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/statefile"
)

// read syncs HubSpot into one Parquet directory per table.
func (j *Job) read(ctx context.Context, p *plugin.Plugin, opts Options, progress *progress) (*Summary, error) {
	unlock, err := lockRun(opts.StatePath)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := j.removeTemp(opts); err != nil {
		return nil, err
	}
	backend, commit, err := j.stateBackend(opts.StatePath)
	if err != nil {
		return nil, err
	}
	sum := &Summary{Direction: Read, Tables: map[string]int64{}}
	// Files are named after the run's start, to the millisecond: runs a moment apart (a rerun
	// after a failure) must not collide with the files of the run before.
	prefix := time.Now().UTC().Format("20060102T150405.000Z")
	writers := map[string]*parquetio.Writer{}

	msgs := make(chan message.SyncMessage)
	syncErr := make(chan error, 1)
	go func() {
		defer close(msgs)
		syncErr <- p.Sync(ctx, plugin.SyncOptions{Tables: orAll(j.Plugin.Tables), SkipTables: j.Plugin.SkipTables, BackendOptions: backend}, msgs)
	}()
	var writeErr error
	for msg := range msgs {
		ins, ok := msg.(*message.SyncInsert)
		if !ok || writeErr != nil {
			continue // migrate and delete messages mean nothing to files; after a write error, drain
		}
		table := tableName(ins.Record.Schema())
		w, err := writerFor(writers, filepath.Join(j.Dir, table), ins.Record.Schema(), prefix)
		if err == nil {
			err = w.Write(ins.Record)
		}
		if err != nil {
			writeErr = fmt.Errorf("write %s: %w", table, err)
			continue
		}
		sum.Tables[table] += ins.Record.NumRows()
		progress.add(table, ins.Record.NumRows())
	}
	progress.done()
	for table, w := range writers {
		if err := w.Close(); err != nil && writeErr == nil {
			writeErr = fmt.Errorf("close %s: %w", table, err)
		}
		sum.Files = append(sum.Files, w.Files()...)
	}
	if writeErr != nil {
		return sum, writeErr
	}
	// Every record the cursors cover is in a closed file now, even when some table failed.
	if err := commit(); err != nil {
		return sum, err
	}
	if j.Plugin.BackendOptions == nil {
		sum.StateSaved = opts.StatePath
	} else {
		sum.StateSaved = "backend " + j.Plugin.BackendOptions.TableName
	}
	if err := <-syncErr; err != nil {
		return sum, fmt.Errorf("sync: %w", err)
	}
	return sum, nil
}

// removeTemp removes what a killed run left half-written: Parquet files in the table directories
// and temporary state files. The run lock makes sure no other run is writing them.
func (j *Job) removeTemp(opts Options) error {
	tables, err := os.ReadDir(j.Dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("list %s: %w", j.Dir, err)
	}
	var removed []string
	for _, t := range tables {
		if !t.IsDir() {
			continue
		}
		files, err := parquetio.RemoveTemp(filepath.Join(j.Dir, t.Name()))
		if err != nil {
			return err
		}
		removed = append(removed, files...)
	}
	files, err := statefile.RemoveTemp(opts.StatePath)
	if err != nil {
		return err
	}
	if removed = append(removed, files...); len(removed) > 0 {
		opts.Logger.Info().Strs("files", removed).Msg("removed files an interrupted run left half-written")
	}
	return nil
}

func writerFor(writers map[string]*parquetio.Writer, dir string, sc *arrow.Schema, prefix string) (*parquetio.Writer, error) {
	if w, ok := writers[dir]; ok {
		return w, nil
	}
	w, err := parquetio.NewWriter(dir, sc, parquetio.WithFilePrefix(prefix))
	if err != nil {
		return nil, err
	}
	writers[dir] = w
	return w, nil
}

func tableName(sc *arrow.Schema) string {
	name, _ := sc.Metadata().GetValue(schema.MetadataTableName)
	return name
}

func orAll(tables []string) []string {
	if len(tables) == 0 {
		return []string{"*"}
	}
	return tables
}
