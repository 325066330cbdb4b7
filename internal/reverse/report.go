package reverse

import (
	"fmt"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
)

// ReportSchema is the Arrow schema of the Parquet outcome report: one row per input row.
var ReportSchema = arrow.NewSchema([]arrow.Field{
	{Name: "table", Type: arrow.BinaryTypes.String},
	{Name: "object", Type: arrow.BinaryTypes.String},
	{Name: "portal", Type: arrow.BinaryTypes.String},
	{Name: "row_index", Type: arrow.PrimitiveTypes.Int64},
	{Name: "key", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "match_key", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "hubspot_id", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "outcome", Type: arrow.BinaryTypes.String},
	{Name: "action", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "category", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "message", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "time", Type: &arrow.TimestampType{Unit: arrow.Millisecond, TimeZone: "UTC"}},
	{Name: "dry_run", Type: arrow.FixedWidthTypes.Boolean},
}, nil)

// report appends outcomes to Parquet files in one directory, named after the run's start so that
// reruns add files next to earlier ones.
type report struct {
	w *parquetio.Writer
}

func newReport(dir, prefix string) (*report, error) {
	w, err := parquetio.NewWriter(dir, ReportSchema, parquetio.WithFilePrefix(prefix))
	if err != nil {
		return nil, fmt.Errorf("open report in %s: %w", dir, err)
	}
	return &report{w: w}, nil
}

func (r *report) write(outs []Outcome) error {
	if len(outs) == 0 {
		return nil
	}
	b := array.NewRecordBuilder(memory.DefaultAllocator, ReportSchema)
	defer b.Release()
	text := func(i int, v string) {
		sb := b.Field(i).(*array.StringBuilder)
		if v == "" && ReportSchema.Field(i).Nullable {
			sb.AppendNull()
			return
		}
		sb.Append(v)
	}
	for _, o := range outs {
		text(0, o.Table)
		text(1, o.Object)
		text(2, o.Portal)
		b.Field(3).(*array.Int64Builder).Append(o.Row)
		text(4, o.Key)
		text(5, o.MatchKey)
		text(6, o.HubSpotID)
		text(7, string(o.Status))
		text(8, string(o.Action))
		text(9, o.Category)
		text(10, o.Message)
		b.Field(11).(*array.TimestampBuilder).Append(arrow.Timestamp(o.Time.UnixMilli()))
		b.Field(12).(*array.BooleanBuilder).Append(o.DryRun)
	}
	rec := b.NewRecord()
	defer rec.Release()
	if err := r.w.Write(rec); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func (r *report) close() ([]string, error) {
	if err := r.w.Close(); err != nil {
		return nil, fmt.Errorf("close report: %w", err)
	}
	return r.w.Files(), nil
}
