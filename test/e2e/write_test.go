package e2e

import (
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"google.golang.org/protobuf/types/known/timestamppb"
)

const warehouseTable = "warehouse_contacts"

// warehouseContacts is the table a warehouse source would send: the CLI adds its _cq_* columns.
func warehouseContacts(extra ...schema.Column) *schema.Table {
	cols := schema.ColumnList{
		schema.CqSourceNameColumn, schema.CqSyncTimeColumn, schema.CqIDColumn, schema.CqParentIDColumn,
		{Name: "email", Type: arrow.BinaryTypes.String, PrimaryKey: true},
		{Name: "firstname", Type: arrow.BinaryTypes.String},
	}
	return &schema.Table{Name: warehouseTable, Columns: append(cols, extra...)}
}

// contactRows builds one insert of (email, firstname) rows, null for "".
func contactRows(t testing.TB, table *schema.Table, syncTime time.Time, rows [][2]string) []byte {
	t.Helper()
	sc := table.ToArrowSchema()
	bldr := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer bldr.Release()
	for _, r := range rows {
		for i, f := range sc.Fields() {
			switch f.Name {
			case schema.CqSourceNameColumn.Name:
				bldr.Field(i).(*array.StringBuilder).Append("warehouse")
			case schema.CqSyncTimeColumn.Name:
				bldr.Field(i).(*array.TimestampBuilder).Append(arrow.Timestamp(syncTime.UnixMicro()))
			case "email":
				appendText(bldr.Field(i), r[0])
			case "firstname":
				appendText(bldr.Field(i), r[1])
			default:
				bldr.Field(i).AppendNull()
			}
		}
	}
	rec := bldr.NewRecord()
	defer rec.Release()
	b, err := pb.RecordToBytes(rec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func appendText(b array.Builder, v string) {
	if v == "" {
		b.AppendNull()
		return
	}
	b.(*array.StringBuilder).Append(v)
}

// writeOver streams write messages to the plugin as the CLI does and returns the final status.
func writeOver(t testing.TB, p *servedPlugin, msgs ...*pb.Write_Request) error {
	t.Helper()
	stream, err := p.Write(callCtx(t))
	if err != nil {
		return err
	}
	for _, m := range msgs {
		// A failed Send means the server already ended the call; CloseAndRecv tells why.
		if err := stream.Send(m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
	}
	_, err = stream.CloseAndRecv()
	return err
}

func migrateMsg(t testing.TB, table *schema.Table) *pb.Write_Request {
	t.Helper()
	b, err := pb.SchemaToBytes(table.ToArrowSchema())
	if err != nil {
		t.Fatal(err)
	}
	return &pb.Write_Request{Message: &pb.Write_Request_MigrateTable{MigrateTable: &pb.Write_MessageMigrateTable{Table: b}}}
}

func insertMsg(record []byte) *pb.Write_Request {
	return &pb.Write_Request{Message: &pb.Write_Request_Insert{Insert: &pb.Write_MessageInsert{Record: record}}}
}

// deleteStaleMsg is what the CLI sends per table at the end of the default overwrite-delete-stale mode.
func deleteStaleMsg(syncTime time.Time) *pb.Write_Request {
	return &pb.Write_Request{Message: &pb.Write_Request_Delete{Delete: &pb.Write_MessageDeleteStale{
		TableName: warehouseTable, SourceName: "warehouse", SyncTime: timestamppb.New(syncTime),
	}}}
}

// TestWriteReverseETL writes warehouse rows back to HubSpot over the protocol: a migrate message,
// inserts carrying the CLI's _cq_* columns, and the DeleteStale of the default write mode. The
// emulator must then hold the update and the new contact, and nothing else may change.
func TestWriteReverseETL(t *testing.T) {
	hs := newPortal(t)
	report := t.TempDir()
	p := servePlugin(t, "unix")
	spec := hs.spec(map[string]any{
		"report_path": report,
		"mappings":    []map[string]any{{"table": warehouseTable, "object": "contacts"}},
	})
	if _, err := p.Init(callCtx(t), &pb.Init_Request{Spec: spec}); err != nil {
		t.Fatalf("Init: %v", err)
	}

	before := hs.emu.Records("contacts", false)
	existing := before[3]
	syncTime := time.Now().UTC()
	table := warehouseContacts()
	err := writeOver(t, p,
		migrateMsg(t, table),
		insertMsg(contactRows(t, table, syncTime, [][2]string{
			{existing.Properties["email"], "Updated-E2E"},
			{"e2e-writer@example.com", "Newton"},
			{"", "No Email"},                            // excluded: contacts need an email
			{"e2e-writer@example.com", "Second Newton"}, // a duplicate key: the first row wins
		})),
		deleteStaleMsg(syncTime),
	)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}

	after := hs.emu.Records("contacts", false)
	if len(after) != len(before)+1 {
		t.Fatalf("contacts: %d after the write, want %d (one created)", len(after), len(before)+1)
	}
	byEmail := map[string]map[string]string{}
	for _, r := range after {
		byEmail[r.Properties["email"]] = r.Properties
	}
	if got := byEmail[existing.Properties["email"]]["firstname"]; got != "Updated-E2E" {
		t.Errorf("existing contact firstname = %q, want Updated-E2E", got)
	}
	if got := byEmail["e2e-writer@example.com"]["firstname"]; got != "Newton" {
		t.Errorf("new contact firstname = %q, want Newton (the first row with the key)", got)
	}
	for _, r := range after {
		if strings.Contains(r.Properties["firstname"], "No Email") {
			t.Errorf("contact %s was written from a row without email", r.ID)
		}
	}
	if n := countFiles(t, report, ".parquet"); n == 0 {
		t.Errorf("no Parquet outcome report in %s", report)
	}
}

// TestWriteRejectsMappingsThatDoNotFit checks that a mapping naming an unknown property fails the
// write at migrate time, naming the table, the column and the property, and writes nothing.
func TestWriteRejectsMappingsThatDoNotFit(t *testing.T) {
	hs := newPortal(t)
	p := servePlugin(t, "tcp")
	spec := hs.spec(map[string]any{
		"report_path": t.TempDir(),
		"mappings": []map[string]any{{
			"table": warehouseTable, "object": "contacts",
			"columns": map[string]string{"shoe_size": "shoe_size_e2e"},
		}},
	})
	if _, err := p.Init(callCtx(t), &pb.Init_Request{Spec: spec}); err != nil {
		t.Fatalf("Init: %v", err)
	}
	before := hs.emu.Records("contacts", false)
	table := warehouseContacts(schema.Column{Name: "shoe_size", Type: arrow.PrimitiveTypes.Float64})
	err := writeOver(t, p,
		migrateMsg(t, table),
		insertMsg(contactRows(t, table, time.Now(), [][2]string{{"e2e-rejected@example.com", "Nobody"}})),
	)
	if err == nil {
		t.Fatal("Write accepted a mapping to a property the portal does not have")
	}
	for _, want := range []string{warehouseTable, "shoe_size", "shoe_size_e2e"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Write error %q does not name %q", err, want)
		}
	}
	if after := hs.emu.Records("contacts", false); len(after) != len(before) {
		t.Errorf("contacts: %d after a rejected write, want %d", len(after), len(before))
	}
}

func countFiles(t *testing.T, dir, ext string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(path) == ext {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
