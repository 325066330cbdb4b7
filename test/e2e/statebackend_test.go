package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	pbdiscovery "github.com/cloudquery/plugin-pb-go/pb/discovery/v1"
	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// stateBackend is a destination plugin that keeps key/value/version tables in memory. It serves
// exactly what the SDK's state client v3 calls: discovery GetVersions, then Write (a migrate
// message, later inserts) and Read of the state table.
type stateBackend struct {
	pb.UnimplementedPluginServer
	pbdiscovery.UnimplementedDiscoveryServer

	// Addr is the loopback address to pass as backend_options.connection.
	Addr string

	// HangWrite, when set, is the number of the Write stream (1 for the first) that never
	// answers: a backend whose database hangs.
	HangWrite atomic.Int32
	writes    atomic.Int32

	mu       sync.Mutex
	tables   map[string]map[string]stateEntry // table -> key -> entry
	migrated map[string]bool
}

type stateEntry struct {
	value   string
	version uint64
}

// serveStateBackend serves a stateBackend on a loopback port until the test ends.
func serveStateBackend(t testing.TB) *stateBackend {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &stateBackend{Addr: lis.Addr().String(), tables: map[string]map[string]stateEntry{}, migrated: map[string]bool{}}
	srv := grpc.NewServer()
	pb.RegisterPluginServer(srv, b)
	pbdiscovery.RegisterDiscoveryServer(srv, b)
	go func() { _ = srv.Serve(lis) }() // returns when Stop closes the listener
	t.Cleanup(srv.Stop)
	return b
}

// Values returns a copy of one state table's key -> value pairs.
func (b *stateBackend) Values(table string) map[string]string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]string, len(b.tables[table]))
	for k, e := range b.tables[table] {
		out[k] = e.value
	}
	return out
}

// GetVersions says the backend speaks plugin protocol v3, which the state client requires.
func (b *stateBackend) GetVersions(context.Context, *pbdiscovery.GetVersions_Request) (*pbdiscovery.GetVersions_Response, error) {
	return &pbdiscovery.GetVersions_Response{Versions: []int32{3}}, nil
}

// Write stores migrated tables and upserts inserted rows by key, keeping the highest version.
func (b *stateBackend) Write(stream pb.Plugin_WriteServer) error {
	if b.writes.Add(1) == b.HangWrite.Load() {
		<-stream.Context().Done()
		return stream.Context().Err()
	}
	for {
		req, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&pb.Write_Response{})
		}
		if err != nil {
			return err
		}
		switch m := req.Message.(type) {
		case *pb.Write_Request_MigrateTable:
			table, err := decodeTable(m.MigrateTable.Table)
			if err != nil {
				return status.Error(codes.InvalidArgument, err.Error())
			}
			b.mu.Lock()
			b.migrated[table.Name] = true
			b.mu.Unlock()
		case *pb.Write_Request_Insert:
			if err := b.insert(m.Insert.Record); err != nil {
				return status.Error(codes.InvalidArgument, err.Error())
			}
		default:
			return status.Errorf(codes.Unimplemented, "state backend double: %T", m)
		}
	}
}

func (b *stateBackend) insert(record []byte) error {
	name, rows, err := decodeRecord(record)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.migrated[name] {
		return fmt.Errorf("insert into %s before it was migrated", name)
	}
	if b.tables[name] == nil {
		b.tables[name] = map[string]stateEntry{}
	}
	for _, r := range rows {
		key, _ := r["key"].(string)
		value, _ := r["value"].(string)
		version, _ := r["version"].(uint64)
		e := stateEntry{value: value, version: version}
		if cur, ok := b.tables[name][key]; !ok || cur.version <= e.version {
			b.tables[name][key] = e
		}
	}
	return nil
}

// Read streams a state table back in the requested schema: key, value, version.
func (b *stateBackend) Read(req *pb.Read_Request, stream pb.Plugin_ReadServer) error {
	sc, err := pb.NewSchemaFromBytes(req.Table)
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	name, ok := sc.Metadata().GetValue(schema.MetadataTableName)
	if !ok {
		return status.Error(codes.InvalidArgument, "read: schema without table name")
	}
	bldr := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer bldr.Release()
	b.mu.Lock()
	for key, e := range b.tables[name] {
		for i, f := range sc.Fields() {
			switch f.Name {
			case "key":
				bldr.Field(i).(*array.StringBuilder).Append(key)
			case "value":
				bldr.Field(i).(*array.StringBuilder).Append(e.value)
			case "version":
				bldr.Field(i).(*array.Uint64Builder).Append(e.version)
			default:
				bldr.Field(i).AppendNull()
			}
		}
	}
	b.mu.Unlock()
	rec := bldr.NewRecord()
	defer rec.Release()
	encoded, err := pb.RecordToBytes(rec)
	if err != nil {
		return status.Error(codes.Internal, err.Error())
	}
	return stream.Send(&pb.Read_Response{Record: encoded})
}

// A state backend that stops answering fails the run within five request timeouts, naming what
// it was doing, instead of holding the scheduled job for ever: when the sync connects (the first
// Write migrates the state table) and when it saves the cursors (the second Write).
func TestHungStateBackendFailsTheRun(t *testing.T) {
	hs := newPortal(t)
	for _, tc := range []struct {
		name string
		hang int32
		want string
	}{
		{"connecting", 1, "connect to state backend"},
		{"saving", 2, "save state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			backend := serveStateBackend(t)
			backend.HangWrite.Store(tc.hang)
			p := servePlugin(t, "unix")
			initConnected(t, p, hs.spec(map[string]any{"request_timeout": "400ms"}))
			start := time.Now()
			_, err := syncOver(callCtx(t), p, objectTables(backend))
			if err == nil {
				t.Fatal("Sync succeeded with a state backend that never answered")
			}
			if msg := status.Convert(err).Message(); !strings.Contains(msg, tc.want) || !strings.Contains(msg, "no answer within 2s") {
				t.Errorf("Sync error %q; want it to say %q and the deadline", msg, tc.want)
			}
			if took := time.Since(start); took > 30*time.Second {
				t.Errorf("Sync took %s to give up on the state backend", took)
			}
		})
	}
}
