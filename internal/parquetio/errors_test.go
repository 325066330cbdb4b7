package parquetio

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
)

func TestNewWriterRejects(t *testing.T) {
	str := arrow.BinaryTypes.String
	tests := []struct {
		name   string
		fields []arrow.Field
		opts   []WriterOption
		want   string
	}{
		{"struct column", []arrow.Field{{Name: "s", Type: arrow.StructOf(arrow.Field{Name: "a", Type: str})}}, nil, `column "s": unsupported Arrow type struct`},
		{"nested list", []arrow.Field{{Name: "l", Type: arrow.ListOf(arrow.ListOf(str))}}, nil, `column "l": unsupported Arrow type list`},
		{"duplicate name", []arrow.Field{{Name: "a", Type: str}, {Name: "a", Type: str}}, nil, `duplicate column name "a"`},
		{"zero rows per file", []arrow.Field{{Name: "a", Type: str}}, []WriterOption{WithMaxRowsPerFile(0)}, "max rows per file must be positive"},
		{"zero rows per group", []arrow.Field{{Name: "a", Type: str}}, []WriterOption{WithRowGroupRows(-1)}, "rows per row group must be positive"},
		{"prefix with slash", []arrow.Field{{Name: "a", Type: str}}, []WriterOption{WithFilePrefix("../x")}, "file prefix"},
		{"hidden prefix", []arrow.Field{{Name: "a", Type: str}}, []WriterOption{WithFilePrefix(".x")}, "file prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewWriter(t.TempDir(), arrow.NewSchema(tt.fields, nil), tt.opts...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewWriter error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// stringRecord builds a one-column record; nil entries are nulls.
func stringRecord(sc *arrow.Schema, values ...*string) arrow.Record {
	b := array.NewStringBuilder(memory.DefaultAllocator)
	defer b.Release()
	for _, v := range values {
		arrowtest.Append(b, v)
	}
	arr := b.NewArray()
	defer arr.Release()
	return array.NewRecord(sc, []arrow.Array{arr}, int64(arr.Len()))
}

func ptr(s string) *string { return &s }

func TestWriteFailureLeavesNoFile(t *testing.T) {
	required := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}}, nil)
	other := arrow.NewSchema([]arrow.Field{{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	tests := []struct {
		name string
		rec  arrow.Record
		want string
	}{
		{"null in non-nullable column", stringRecord(required, ptr("a"), nil), `column "id": null at row 1 of a non-nullable column`},
		{"other schema", stringRecord(other, ptr("a")), "record column 0 is name utf8, want id utf8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer tt.rec.Release()
			dir := t.TempDir()
			w, err := NewWriter(dir, required, WithFilePrefix("p"))
			if err != nil {
				t.Fatal(err)
			}
			ok := stringRecord(required, ptr("first"))
			defer ok.Release()
			if err := w.Write(ok); err != nil {
				t.Fatal(err)
			}
			err = w.Write(tt.rec)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write error %v, want one containing %q", err, tt.want)
			}
			if again := w.Write(ok); !errors.Is(again, err) {
				t.Errorf("Write after failure = %v, want the first failure", again)
			}
			if cerr := w.Close(); !errors.Is(cerr, err) {
				t.Errorf("Close = %v, want the write failure", cerr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("directory holds %v after a failed write, want nothing", entries)
			}
			if len(w.Files()) != 0 {
				t.Errorf("Files() = %v, want none", w.Files())
			}
		})
	}
}

func TestWriterNeverClobbers(t *testing.T) {
	dir := t.TempDir()
	sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}}, nil)
	rec := stringRecord(sc, ptr("a"))
	defer rec.Release()
	for run, want := range []string{"", "refusing to overwrite"} {
		w, err := NewWriter(dir, sc, WithFilePrefix("daily"))
		if err != nil {
			t.Fatal(err)
		}
		err = w.Write(rec)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Fatalf("run %d: Write error %v, want %q", run, err, want)
		}
		w.Close()
	}
	if recs := readAll(t, dir, 0); len(recs) != 1 || recs[0].NumRows() != 1 {
		t.Errorf("after a refused rerun the directory reads %d records, want the first run's one", len(recs))
	}
}

func TestWriterFilesAppearOnClose(t *testing.T) {
	dir := t.TempDir()
	sc := arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}}, nil)
	w, err := NewWriter(dir, sc, WithFilePrefix("p"))
	if err != nil {
		t.Fatal(err)
	}
	rec := stringRecord(sc, ptr("a"), ptr("b"))
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if recs := readAll(t, dir, 0); len(recs) != 0 {
		t.Errorf("a reader sees %d records before Close, want none", len(recs))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := w.Write(rec); !errors.Is(err, errClosed) {
		t.Errorf("Write after Close = %v, want %v", err, errClosed)
	}
	if recs := readAll(t, dir, 0); len(recs) != 1 || recs[0].NumRows() != 2 {
		t.Errorf("after Close the directory reads %d records, want one of 2 rows", len(recs))
	}
}

func TestEmptyWriterWritesNothing(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir, arrow.NewSchema([]arrow.Field{{Name: "id", Type: arrow.BinaryTypes.String}}, nil))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 || len(w.Files()) != 0 {
		t.Errorf("a writer without rows left %v", entries)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.parquet")
	if err := os.WriteFile(bad, []byte("not parquet at all"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		want string
	}{
		{"missing path", filepath.Join(dir, "missing"), "no such file"},
		{"not parquet", bad, "bad.parquet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs []error
			for rec, err := range Read(context.Background(), tt.path, 0) {
				if rec != nil {
					rec.Release()
					t.Error("got a record")
				}
				errs = append(errs, err)
			}
			if len(errs) != 1 || !strings.Contains(errs[0].Error(), tt.want) {
				t.Fatalf("errors %v, want one containing %q", errs, tt.want)
			}
			if _, err := Schema(tt.path); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Schema error %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestReadEmptyDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "_SUCCESS"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if recs := readAll(t, dir, 0); len(recs) != 0 {
		t.Errorf("read %d records from a directory without .parquet files", len(recs))
	}
	if _, err := Schema(dir); err == nil || !strings.Contains(err.Error(), "no .parquet files") {
		t.Errorf("Schema error %v, want no .parquet files", err)
	}
}

func TestReadStops(t *testing.T) {
	_, dir, _ := roundTrip(t)
	t.Run("consumer break", func(t *testing.T) {
		n := 0
		for rec, err := range Read(context.Background(), dir, 100) {
			if err != nil {
				t.Fatal(err)
			}
			rec.Release()
			if n++; n == 2 {
				break
			}
		}
		if n != 2 {
			t.Errorf("read %d records, want to stop at 2", n)
		}
	})
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var records int
		var last error
		for rec, err := range Read(ctx, dir, 100) {
			if err != nil {
				last = err
				continue
			}
			rec.Release()
			records++
			cancel()
		}
		if records != 1 || !errors.Is(last, context.Canceled) {
			t.Errorf("read %d records then %v, want 1 then context.Canceled", records, last)
		}
	})
}

func TestReadBatchSizes(t *testing.T) {
	sc := allTypesTable().ToArrowSchema()
	dir := t.TempDir()
	w, err := NewWriter(dir, sc, WithRowGroupRows(7), WithFilePrefix("p"))
	if err != nil {
		t.Fatal(err)
	}
	rec := randomRecord(sc, 50, rand.New(rand.NewPCG(5, 6)))
	defer rec.Release()
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		batch int
		want  []int64
	}{
		{batch: 0, want: []int64{50}},
		{batch: 20, want: []int64{20, 20, 10}},
		{batch: 7, want: []int64{7, 7, 7, 7, 7, 7, 7, 1}},
		{batch: 50, want: []int64{50}},
	}
	for _, tt := range tests {
		var got []int64
		for _, r := range readAll(t, dir, tt.batch) {
			got = append(got, r.NumRows())
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("batch %d: record sizes %v, want %v", tt.batch, got, tt.want)
		}
	}
}
