package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/cloudquery/plugin-sdk/v4/schema"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
)

const readBatchRows = 1000

// write sends the rows of every Parquet table under Dir to the plugin's destination side. A table
// is a directory of .parquet files (or a single file); its name is the one stored in the files by
// `hubspot sync`, else the directory or file name. As the CloudQuery CLI does, write mode
// overwrite-delete-stale ends the run with one DeleteStale per table sent, naming the source and
// the time the run started, once every row was sent.
func (j *Job) write(ctx context.Context, p *plugin.Plugin, opts Options) (*Summary, error) {
	syncTime := time.Now().UTC()
	sources, err := parquetTables(j.Dir)
	if err != nil {
		return nil, err
	}
	sum := &Summary{Direction: Write, Tables: map[string]int64{}}
	progress := newProgress(opts.Out, opts.Progress, time.Now)
	msgs := make(chan message.WriteMessage)
	writeErr := make(chan error, 1)
	// writerDone lets the reader stop sending once the writer has returned, whatever its error:
	// nothing would ever receive from msgs again.
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		writeErr <- p.Write(ctx, msgs)
	}()
	send := func(m message.WriteMessage) error {
		select {
		case msgs <- m:
			return nil
		case <-writerDone:
			return errWriterStopped
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	readErr := func() error {
		defer close(msgs)
		var sent []string
		for _, src := range sources {
			// The Parquet side is the source: its tables and skip_tables select what is sent.
			if !matchesAny(src.name, orAll(j.Files.Tables)) || matchesAny(src.name, j.Files.SkipTables) {
				continue
			}
			sc, err := parquetio.Schema(src.path)
			if err != nil {
				return fmt.Errorf("read %s: %w", src.path, err)
			}
			sc = withTableName(sc, src.name)
			table, err := schema.NewTableFromArrowSchema(sc)
			if err != nil {
				return fmt.Errorf("table %s: %w", src.name, err)
			}
			if err := send(&message.WriteMigrateTable{Table: table}); err != nil {
				return err
			}
			sent = append(sent, table.Name)
			for rec, err := range parquetio.Read(ctx, src.path, readBatchRows) {
				if err != nil {
					return fmt.Errorf("read %s: %w", src.path, err)
				}
				rec = withRecordTableName(rec, sc)
				sum.Tables[src.name] += rec.NumRows()
				progress.add(src.name, rec.NumRows())
				if err := send(&message.WriteInsert{Record: rec}); err != nil {
					return err
				}
			}
		}
		if j.Plugin.WriteMode != WriteModeOverwriteDeleteStale {
			return nil
		}
		for _, table := range sent {
			if err := send(&message.WriteDeleteStale{TableName: table, SourceName: j.Files.Name, SyncTime: syncTime}); err != nil {
				return err
			}
		}
		return nil
	}()
	progress.done()
	if err := <-writeErr; err != nil {
		return sum, fmt.Errorf("write to HubSpot: %w", err)
	}
	return sum, readErr
}

// errWriterStopped is the reader's error when the writer returned before taking every row.
var errWriterStopped = errors.New("the HubSpot writer stopped before taking every row")

type parquetTable struct{ name, path string }

// parquetTables lists the tables under dir: each subdirectory holding .parquet files, and each
// .parquet file directly in dir; dir may also be a single file.
func parquetTables(dir string) ([]parquetTable, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("parquet source: %w", err)
	}
	if !info.IsDir() {
		return []parquetTable{{name: strings.TrimSuffix(filepath.Base(dir), ".parquet"), path: dir}}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("parquet source: %w", err)
	}
	var out []parquetTable
	for _, e := range entries {
		path := filepath.Join(dir, e.Name())
		switch {
		case e.IsDir():
			if files, _ := filepath.Glob(filepath.Join(path, "*.parquet")); len(files) > 0 {
				out = append(out, parquetTable{name: e.Name(), path: path})
			}
		case strings.HasSuffix(e.Name(), ".parquet"):
			out = append(out, parquetTable{name: strings.TrimSuffix(e.Name(), ".parquet"), path: path})
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("parquet source %s holds no .parquet files", dir)
	}
	return out, nil
}

// withTableName names the table in the schema metadata unless the files already carry a name.
func withTableName(sc *arrow.Schema, name string) *arrow.Schema {
	md := sc.Metadata()
	if v, ok := md.GetValue(schema.MetadataTableName); ok && v != "" {
		return sc
	}
	keys := append(slices.Clone(md.Keys()), schema.MetadataTableName)
	vals := append(slices.Clone(md.Values()), name)
	md = arrow.NewMetadata(keys, vals)
	return arrow.NewSchema(sc.Fields(), &md)
}

func withRecordTableName(rec arrow.Record, sc *arrow.Schema) arrow.Record {
	if rec.Schema().Equal(sc) && rec.Schema().Metadata().Equal(sc.Metadata()) {
		return rec
	}
	return array.NewRecord(sc, rec.Columns(), rec.NumRows())
}

func matchesAny(name string, patterns []string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { ok, _ := filepath.Match(p, name); return ok })
}
