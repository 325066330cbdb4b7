package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"
	"github.com/cloudquery/plugin-sdk/v4/schema"
)

// row is one decoded Arrow row: column name -> Go value (nil for null).
type row map[string]any

// synced is what one Sync call streamed back, decoded from Arrow IPC.
type synced struct {
	// Migrated lists the tables of the migrate messages, in the order they came.
	Migrated []*schema.Table
	// Rows holds the inserted rows per table.
	Rows map[string][]row
}

// IDs returns the id column of a table's rows, ascending.
func (s synced) IDs(table string) []int64 {
	ids := make([]int64, 0, len(s.Rows[table]))
	for _, r := range s.Rows[table] {
		ids = append(ids, r["id"].(int64))
	}
	slices.Sort(ids)
	return ids
}

// ByID indexes a table's rows by id.
func (s synced) ByID(table string) map[int64]row {
	out := make(map[int64]row, len(s.Rows[table]))
	for _, r := range s.Rows[table] {
		out[r["id"].(int64)] = r
	}
	return out
}

// Table returns the migrated table of that name.
func (s synced) Table(t *testing.T, name string) *schema.Table {
	t.Helper()
	return findTable(t, s.Migrated, name)
}

// syncOver runs one Sync call and decodes every message, as a destination would.
func syncOver(ctx context.Context, p *servedPlugin, req *pb.Sync_Request) (synced, error) {
	out := synced{Rows: map[string][]row{}}
	stream, err := p.Sync(ctx, req)
	if err != nil {
		return out, fmt.Errorf("start sync: %w", err)
	}
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		switch m := msg.Message.(type) {
		case *pb.Sync_Response_MigrateTable:
			table, err := decodeTable(m.MigrateTable.Table)
			if err != nil {
				return out, err
			}
			out.Migrated = append(out.Migrated, table)
		case *pb.Sync_Response_Insert:
			name, rows, err := decodeRecord(m.Insert.Record)
			if err != nil {
				return out, err
			}
			out.Rows[name] = append(out.Rows[name], rows...)
		default:
			return out, fmt.Errorf("unexpected sync message %T", m)
		}
	}
}

func decodeTable(b []byte) (*schema.Table, error) {
	sc, err := pb.NewSchemaFromBytes(b)
	if err != nil {
		return nil, fmt.Errorf("decode schema: %w", err)
	}
	table, err := schema.NewTableFromArrowSchema(sc)
	if err != nil {
		return nil, fmt.Errorf("table from schema: %w", err)
	}
	return table, nil
}

// decodeRecord reads one Arrow IPC record: the table name from its schema metadata, then its rows.
func decodeRecord(b []byte) (string, []row, error) {
	rec, err := pb.NewRecordFromBytes(b)
	if err != nil {
		return "", nil, fmt.Errorf("decode record: %w", err)
	}
	defer rec.Release()
	name, ok := rec.Schema().Metadata().GetValue(schema.MetadataTableName)
	if !ok {
		return "", nil, errors.New("record without table name metadata")
	}
	rows := make([]row, rec.NumRows())
	for i := range rows {
		rows[i] = row{}
	}
	for c, f := range rec.Schema().Fields() {
		col := rec.Column(c)
		for i := range rows {
			rows[i][f.Name] = value(col, i)
		}
	}
	return name, rows, nil
}

// value converts one Arrow value to a plain Go value the assertions compare with emulator truth.
func value(col arrow.Array, i int) any {
	if col.IsNull(i) {
		return nil
	}
	switch a := col.(type) {
	case *array.Int64:
		return a.Value(i)
	case *array.Uint64:
		return a.Value(i)
	case *array.Float64:
		return a.Value(i)
	case *array.Boolean:
		return a.Value(i)
	case *array.String:
		return a.Value(i)
	case *array.Timestamp:
		return a.Value(i).ToTime(a.DataType().(*arrow.TimestampType).Unit).UTC()
	default:
		return a.ValueStr(i)
	}
}

// emulatorIDs turns emulator record ids into numbers, ascending: HubSpot ids compare as numbers.
func emulatorIDs(t *testing.T, ids []string) []int64 {
	t.Helper()
	out := make([]int64, len(ids))
	for i, id := range ids {
		out[i] = mustID(t, id)
	}
	slices.Sort(out)
	return out
}

func mustID(t *testing.T, id string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatalf("id %q: %v", id, err)
	}
	return n
}

// ms truncates a time to the millisecond precision of the timestamp columns.
func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }
