// Package parquetio moves Arrow records of CloudQuery tables in and out of
// Parquet files, for running the plugin without the CloudQuery CLI: the
// built-in destination writes synced tables to Parquet, and reverse ETL reads
// warehouse exports back as Arrow records.
//
// Files are written with github.com/parquet-go/parquet-go using only standard
// logical types, so DuckDB, Spark and pandas read them with the right types:
// STRING, INT(n, signed), DATE, DECIMAL, UUID, JSON, 3-level LIST, and
// TIMESTAMP with isAdjustedToUTC set when the Arrow type has a time zone.
// Parquet has no seconds unit and Spark cannot read nanoseconds, so seconds
// are stored as milliseconds and nanoseconds as microseconds (truncated
// towards the past); reading with this package restores the original unit.
// Compression is snappy, with version 1 data pages.
//
// The exact Arrow schema, including the CloudQuery table and column metadata,
// is stored base64-encoded under the "ARROW:schema" key, the key Arrow's own
// writers use, and restored on read; the schema metadata is also stored as
// plain key-value pairs. Files without "ARROW:schema" get types inferred from
// their Parquet logical types, including legacy INT96 timestamps and 2-level
// lists. Reading registers CloudQuery's extension types with Arrow if they are
// not registered yet, so UUID and JSON columns come back as such.
//
// Writing and reading both stream: rows go out as row groups while records
// arrive, and reading decodes one batch at a time, so memory does not grow
// with the number of rows.
package parquetio
