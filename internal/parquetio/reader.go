package parquetio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/parquet-go/parquet-go"
)

const (
	// DefaultBatchRows is the number of rows per record Read uses when
	// given zero or less.
	DefaultBatchRows = 10_000
	// maxRowsPerRead bounds the row buffer handed to parquet-go.
	maxRowsPerRead = 1024
)

// Read streams every .parquet file of path (a file, or a directory whose
// files are read in name order) as Arrow records of up to batchRows rows. The
// records of a file have that file's schema: the Arrow schema stored in it if
// any, types inferred from its Parquet logical types otherwise. The caller
// releases each record. Iteration stops at the first error, which is yielded
// with a nil record.
func Read(ctx context.Context, path string, batchRows int) iter.Seq2[arrow.Record, error] {
	if batchRows <= 0 {
		batchRows = DefaultBatchRows
	}
	return func(yield func(arrow.Record, error) bool) {
		files, err := listFiles(path)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, name := range files {
			if err := readFile(ctx, name, batchRows, yield); err != nil {
				if !errors.Is(err, errStopped) {
					yield(nil, fmt.Errorf("read %s: %w", name, err))
				}
				return
			}
		}
	}
}

// Schema returns the Arrow schema of the first .parquet file of path.
func Schema(path string) (*arrow.Schema, error) {
	files, err := listFiles(path)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .parquet files in %s", path)
	}
	f, pf, err := openParquet(files[0])
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc, _, err := fileSchema(pf)
	if err != nil {
		return nil, fmt.Errorf("schema of %s: %w", files[0], err)
	}
	return sc, nil
}

// listFiles returns path itself, or the .parquet files directly in the
// directory path, sorted by name. Temporary and hidden files are skipped.
func listFiles(path string) ([]string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return []string{path}, nil
	}
	entries, err := os.ReadDir(path)
	if err != nil {
		return nil, err
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() && strings.HasSuffix(name, ".parquet") && !strings.HasPrefix(name, ".") {
			files = append(files, filepath.Join(path, name))
		}
	}
	return files, nil
}

func openParquet(name string) (*os.File, *parquet.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	pf, err := parquet.OpenFile(f, info.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("open %s: %w", name, err)
	}
	return f, pf, nil
}

// fileSchema returns the Arrow schema of a file and where its columns are.
// The stored Arrow schema wins when it has one field per top-level column,
// as pqarrow decides; otherwise types are inferred and the file's key-value
// metadata becomes the schema metadata.
func fileSchema(pf *parquet.File) (*arrow.Schema, []fileColumn, error) {
	cols, err := fileColumns(pf.Root())
	if err != nil {
		return nil, nil, err
	}
	if stored, ok := pf.Lookup(arrowSchemaKey); ok {
		sc, err := decodeArrowSchema(stored)
		if err != nil {
			return nil, nil, err
		}
		if sc.NumFields() == len(cols) {
			return sc, cols, nil
		}
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = c.inferred
	}
	var keys, values []string
	for _, kv := range pf.Metadata().KeyValueMetadata {
		if kv.Key != arrowSchemaKey {
			keys, values = append(keys, kv.Key), append(values, kv.Value)
		}
	}
	md := arrow.NewMetadata(keys, values)
	return arrow.NewSchema(fields, &md), cols, nil
}

// errStopped reports that the consumer stopped the iteration.
var errStopped = errors.New("iteration stopped")

// readFile yields the rows of one file in records of batchRows rows; the
// last record may be shorter. Row groups stream: a batch may span them.
func readFile(ctx context.Context, name string, batchRows int, yield func(arrow.Record, error) bool) error {
	f, pf, err := openParquet(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc, cols, err := fileSchema(pf)
	if err != nil {
		return err
	}
	b, err := newBatcher(sc, cols)
	if err != nil {
		return err
	}
	defer b.release()
	buf := make([]parquet.Row, min(batchRows, maxRowsPerRead))
	emit := func() error {
		if !yield(b.record(), nil) {
			return errStopped
		}
		return nil
	}
	for _, rg := range pf.RowGroups() {
		if err := b.readGroup(ctx, rg, buf, batchRows, emit); err != nil {
			return err
		}
	}
	if b.rows > 0 {
		return emit()
	}
	return nil
}

// batcher accumulates rows into one decoder per column.
type batcher struct {
	sc       *arrow.Schema
	decoders []*columnDecoder // indexed by leaf column, which is field order
	rows     int
	addRow   func(col int, values []parquet.Value) bool
}

func newBatcher(sc *arrow.Schema, cols []fileColumn) (*batcher, error) {
	b := &batcher{sc: sc, decoders: make([]*columnDecoder, 0, len(cols))}
	for i, c := range cols {
		d, err := newColumnDecoder(memory.DefaultAllocator, sc.Field(i), c.shape, c.leaf.Type())
		if err != nil {
			b.release()
			return nil, err
		}
		b.decoders = append(b.decoders, d)
	}
	b.addRow = func(col int, values []parquet.Value) bool {
		b.decoders[col].appendRow(values)
		return true
	}
	return b, nil
}

// readGroup appends the rows of a row group, calling emit whenever a batch
// is full.
func (b *batcher) readGroup(ctx context.Context, rg parquet.RowGroup, buf []parquet.Row, batchRows int, emit func() error) error {
	rows := rg.Rows()
	defer rows.Close()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := rows.ReadRows(buf[:min(len(buf), batchRows-b.rows)])
		for _, row := range buf[:n] {
			row.Range(b.addRow)
		}
		b.rows += n
		if b.rows == batchRows {
			if err := emit(); err != nil {
				return err
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return err
		}
	}
}

// record returns the accumulated rows as a record and starts a new batch.
func (b *batcher) record() arrow.Record {
	cols := make([]arrow.Array, len(b.decoders))
	for i, d := range b.decoders {
		cols[i] = d.finish()
	}
	rec := array.NewRecord(b.sc, cols, int64(b.rows))
	for _, c := range cols {
		c.Release()
	}
	b.rows = 0
	return rec
}

func (b *batcher) release() {
	for _, d := range b.decoders {
		d.release()
	}
}
