package parquetio

import (
	"fmt"
	"strings"
	"time"
)

const (
	// DefaultMaxRowsPerFile is where a Writer starts a new file by default.
	DefaultMaxRowsPerFile = 1_000_000
	// DefaultRowGroupRows is the default number of rows in a row group: big
	// enough for good compression, small enough to keep the writer's memory
	// in tens of MiB for wide tables.
	DefaultRowGroupRows = 64 * 1024
	// rowGroupMaxBytes ends a row group early when its buffered data grows
	// past this, whatever the row count, to bound memory for wide rows: the
	// open row group is most of what `hubspot sync` keeps alive. At 64 MiB a
	// 160-property contacts table held a peak RSS of 256 MiB even with Go's
	// default GC; at 16 MiB, 121 MiB.
	rowGroupMaxBytes = 16 << 20
	// pageBufferBytes is each column's page buffer: parquet-go's default
	// (256 KiB) costs 40 MiB for a 160-column table before any row is written.
	pageBufferBytes = 32 << 10
)

// WriterOption configures a Writer.
type WriterOption func(*writerConfig)

type writerConfig struct {
	maxRowsPerFile int
	rowGroupRows   int
	prefix         string
}

func defaultWriterConfig() writerConfig {
	return writerConfig{
		maxRowsPerFile: DefaultMaxRowsPerFile,
		rowGroupRows:   DefaultRowGroupRows,
		prefix:         time.Now().UTC().Format("20060102T150405.000000000Z"),
	}
}

// WithMaxRowsPerFile caps the rows per file; the writer starts a new file
// when a file is full, so files stay a manageable size for downstream tools.
func WithMaxRowsPerFile(n int) WriterOption {
	return func(c *writerConfig) { c.maxRowsPerFile = n }
}

// WithRowGroupRows sets the rows per row group, the unit in which rows are
// flushed to disk and in which readers stream.
func WithRowGroupRows(n int) WriterOption {
	return func(c *writerConfig) { c.rowGroupRows = n }
}

// WithFilePrefix names the files "<prefix>-00000.parquet" and so on. Use a
// value unique to the run, such as the sync's start time, so that reruns add
// files next to earlier ones. The default is the writer's creation time in UTC.
func WithFilePrefix(p string) WriterOption {
	return func(c *writerConfig) { c.prefix = p }
}

func (c writerConfig) validate() error {
	switch {
	case c.maxRowsPerFile < 1:
		return fmt.Errorf("max rows per file must be positive, got %d", c.maxRowsPerFile)
	case c.rowGroupRows < 1:
		return fmt.Errorf("rows per row group must be positive, got %d", c.rowGroupRows)
	case c.prefix == "" || strings.ContainsAny(c.prefix, `/\`) || strings.HasPrefix(c.prefix, "."):
		return fmt.Errorf("file prefix %q must be a non-empty file name not starting with a dot", c.prefix)
	}
	return nil
}
