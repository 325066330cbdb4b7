package parquetio

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/snappy"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/durable"
)

// Writer appends Arrow records of one schema to Parquet files in one
// directory (one directory per table). Rows are written as row groups while
// records arrive; a file becomes visible under its final name only once it is
// complete and on disk, so readers never see a partial file. A Writer is not
// safe for concurrent use.
type Writer struct {
	dir      string
	sc       *arrow.Schema
	cfg      writerConfig
	encoders []columnEncoder
	options  []parquet.WriterOption

	out         *os.File // file being written, nil between files
	pw          *parquet.GenericWriter[any]
	final       string // name out gets once complete
	seq         int
	rowsInFile  int
	rowsInGroup int
	groupStart  int64 // pw.Size() when the current row group started
	values      []parquet.Value
	files       []string
	err         error // first failure; the writer is unusable after it
	closed      bool
}

// errClosed is returned by Write after Close.
var errClosed = errors.New("parquet writer is closed")

// NewWriter prepares a writer for records of schema sc in dir, creating dir
// if needed. No file is created until the first row is written.
func NewWriter(dir string, sc *arrow.Schema, opts ...WriterOption) (*Writer, error) {
	cfg := defaultWriterConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("parquet writer for %s: %w", dir, err)
	}
	names := make([]string, sc.NumFields())
	nodes := make([]parquet.Node, sc.NumFields())
	encoders := make([]columnEncoder, sc.NumFields())
	for i, f := range sc.Fields() {
		var err error
		if nodes[i], encoders[i], err = fieldNode(i, f); err != nil {
			return nil, fmt.Errorf("parquet writer for %s: %w", dir, err)
		}
		names[i] = f.Name
	}
	root, err := newOrderedGroup(names, nodes)
	if err != nil {
		return nil, fmt.Errorf("parquet writer for %s: %w", dir, err)
	}
	meta, err := encodeArrowSchema(sc)
	if err != nil {
		return nil, fmt.Errorf("parquet writer for %s: %w", dir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("parquet writer: %w", err)
	}
	schema := parquet.NewSchema("schema", root)
	options := []parquet.WriterOption{
		schema,
		parquet.Compression(&snappy.Codec{}),
		// Version 1 data pages are the ones every reader handles,
		// including Spark's vectorised reader.
		parquet.DataPageVersion(1),
		parquet.PageBufferSize(pageBufferBytes),
		parquet.CreatedBy("cq-plugin-hubspot", "", ""),
	}
	// Like Arrow's writers, store the schema metadata (the CloudQuery table
	// name and flags) as plain key-value pairs too, for tools that do not
	// decode ARROW:schema, then the schema itself.
	md := sc.Metadata()
	for i, k := range md.Keys() {
		options = append(options, parquet.KeyValueMetadata(k, md.Values()[i]))
	}
	options = append(options, parquet.KeyValueMetadata(arrowSchemaKey, meta))
	return &Writer{dir: dir, sc: sc, cfg: cfg, encoders: encoders, options: options}, nil
}

// Write appends the rows of rec, which must have the writer's columns.
// After an error the writer is unusable; Close then discards the partial file.
func (w *Writer) Write(rec arrow.Record) error {
	switch {
	case w.err != nil:
		return w.err
	case w.closed:
		return errClosed
	}
	if err := w.write(rec); err != nil {
		w.err = fmt.Errorf("write to %s: %w", w.dir, err)
		return w.err
	}
	return nil
}

func (w *Writer) write(rec arrow.Record) error {
	if err := sameColumns(w.sc, rec.Schema()); err != nil {
		return err
	}
	total := int(rec.NumRows())
	for off := 0; off < total; {
		if w.pw == nil {
			if err := w.openFile(); err != nil {
				return err
			}
		}
		n := min(total-off, w.cfg.maxRowsPerFile-w.rowsInFile, w.cfg.rowGroupRows-w.rowsInGroup)
		if err := w.writeRows(rec, off, n); err != nil {
			return err
		}
		off += n
		if err := w.endChunk(); err != nil {
			return err
		}
	}
	return nil
}

// writeRows writes rows [off, off+n) of rec, column by column.
func (w *Writer) writeRows(rec arrow.Record, off, n int) error {
	columns := w.pw.ColumnWriters()
	for i, enc := range w.encoders {
		col := rec.Column(i)
		if off != 0 || n != col.Len() {
			col = array.NewSlice(col, int64(off), int64(off+n))
			defer col.Release()
		}
		var err error
		if w.values, err = enc.encode(w.values[:0], col); err != nil {
			return err
		}
		written, err := columns[enc.shape.leaf].WriteRowValues(w.values)
		if err != nil {
			return fmt.Errorf("column %q: %w", enc.name, err)
		}
		if written != n {
			return fmt.Errorf("column %q: wrote %d of %d rows", enc.name, written, n)
		}
	}
	clear(w.values[:cap(w.values)]) // drop references to the record's buffers
	w.rowsInFile += n
	w.rowsInGroup += n
	return nil
}

// endChunk closes the row group and the file when they are full.
func (w *Writer) endChunk() error {
	if w.rowsInFile >= w.cfg.maxRowsPerFile {
		return w.commitFile()
	}
	if w.rowsInGroup >= w.cfg.rowGroupRows || w.pw.Size()-w.groupStart >= rowGroupMaxBytes {
		if err := w.pw.Flush(); err != nil {
			return fmt.Errorf("flush row group: %w", err)
		}
		w.rowsInGroup, w.groupStart = 0, w.pw.Size()
	}
	return nil
}

// tempSuffix marks a file still being written; it gets its final name once its bytes are on disk.
const tempSuffix = ".tmp"

// RemoveTemp removes the files a Writer left half-written in dir (a process killed while
// writing), and returns their names. Only one writer may use dir meanwhile: callers hold a lock.
func RemoveTemp(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.parquet"+tempSuffix))
	if err != nil {
		return nil, fmt.Errorf("list temporary files in %s: %w", dir, err)
	}
	for _, m := range matches {
		if err := os.Remove(m); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("remove temporary file: %w", err)
		}
	}
	return matches, nil
}

func (w *Writer) openFile() error {
	final := filepath.Join(w.dir, fmt.Sprintf("%s-%05d.parquet", w.cfg.prefix, w.seq))
	if _, err := os.Lstat(final); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("refusing to overwrite %s: choose another file prefix", final)
	}
	out, err := os.OpenFile(final+tempSuffix, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	w.out, w.final, w.seq = out, final, w.seq+1
	w.pw = parquet.NewGenericWriter[any](out, w.options...)
	w.rowsInFile, w.rowsInGroup, w.groupStart = 0, 0, 0
	return nil
}

// commitFile finishes the current file and moves it to its final name once
// its bytes are on disk. On failure the temporary file is removed.
func (w *Writer) commitFile() error {
	tmp := w.out.Name()
	err := w.pw.Close()
	if err == nil {
		err = w.out.Sync()
	}
	if cerr := w.out.Close(); err == nil {
		err = cerr
	}
	w.out, w.pw = nil, nil
	if err == nil {
		err = os.Rename(tmp, w.final)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("finish %s: %w", w.final, err)
	}
	if err := durable.SyncDir(w.dir); err != nil {
		return err
	}
	w.files = append(w.files, w.final)
	return nil
}

// discard abandons the file being written.
func (w *Writer) discard() {
	w.out.Close()
	os.Remove(w.out.Name())
	w.out, w.pw = nil, nil
}

// Close finishes the last file. After a failed Write it removes the partial
// file instead and returns the failure. Calling Close again returns the same.
func (w *Writer) Close() error {
	if w.closed {
		return w.err
	}
	w.closed = true
	switch {
	case w.out == nil:
	case w.err != nil:
		w.discard()
	default:
		if err := w.commitFile(); err != nil {
			w.err = fmt.Errorf("close %s: %w", w.dir, err)
		}
	}
	return w.err
}

// Files lists the completed files, in the order written.
func (w *Writer) Files() []string {
	return append([]string(nil), w.files...)
}

// sameColumns checks that a record has the writer's column names and types.
func sameColumns(want, got *arrow.Schema) error {
	if got.NumFields() != want.NumFields() {
		return fmt.Errorf("record has %d columns, want %d", got.NumFields(), want.NumFields())
	}
	for i, f := range want.Fields() {
		g := got.Field(i)
		if g.Name != f.Name || !arrow.TypeEqual(g.Type, f.Type) {
			return fmt.Errorf("record column %d is %s %s, want %s %s", i, g.Name, g.Type, f.Name, f.Type)
		}
	}
	return nil
}
