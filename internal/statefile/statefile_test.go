package statefile

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cloudquery/plugin-sdk/v4/state"
)

var _ state.Client = (*File)(nil)

func mustOpen(t *testing.T, path string) *File {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return f
}

func get(t *testing.T, f *File, key string) string {
	t.Helper()
	v, err := f.GetKey(context.Background(), key)
	if err != nil {
		t.Fatalf("GetKey(%q): %v", key, err)
	}
	return v
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state", "hubspot.json")
	f := mustOpen(t, path)
	if v := get(t, f, "hubspot_crm_contacts"); v != "" {
		t.Fatalf("missing file: GetKey = %q, want empty", v)
	}
	want := map[string]string{
		"hubspot_crm_contacts":  `{"mode":"incremental","after":"2026-01-02T03:04:05.678Z","id":"719869649082"}`,
		"hubspot_crm_companies": "backfill:after=12345",
		"empty":                 "",
		"unicode ✓":             "東京\n\"quoted\"",
	}
	for k, v := range want {
		if err := f.SetKey(ctx, k, v); err != nil {
			t.Fatal(err)
		}
	}
	if got := get(t, f, "hubspot_crm_companies"); got != want["hubspot_crm_companies"] {
		t.Errorf("GetKey before Flush = %q", got)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("SetKey wrote to disk before Flush: %v", err)
	}
	if err := f.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version int               `json:"version"`
		Keys    map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || doc.Version != 1 {
		t.Fatalf("file %s: version %d, err %v; want version 1", raw, doc.Version, err)
	}

	again := mustOpen(t, path)
	for k, v := range want {
		if got := get(t, again, k); got != v {
			t.Errorf("after reopen %q = %q, want %q", k, got, v)
		}
	}
}

func TestFlushSkipsUnchangedState(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.json")
	f := mustOpen(t, path)
	if err := f.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Flush of an empty, unchanged state created the file")
	}
	f.SetKey(ctx, "k", "v")
	if err := f.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	f.SetKey(ctx, "k", "v") // same value: not a change
	if err := f.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Flush rewrote the file although nothing changed")
	}
}

func TestFlushRestrictsPermissions(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(`{"version":1,"keys":{"a":"1"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f := mustOpen(t, path)
	f.SetKey(ctx, "b", "2")
	if err := f.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v after Flush, want 0600", info.Mode().Perm())
	}
	if got := get(t, mustOpen(t, path), "a"); got != "1" {
		t.Errorf("existing key a = %q after Flush, want 1", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.json")
	f := mustOpen(t, path)
	const workers, keys = 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers*keys)
	for w := range workers {
		wg.Go(func() {
			for k := range keys {
				key := fmt.Sprintf("table_%d_%d", w, k)
				if err := f.SetKey(ctx, key, strconv.Itoa(k)); err != nil {
					errs <- err
				}
				if _, err := f.GetKey(ctx, key); err != nil {
					errs <- err
				}
				if k%50 == 0 {
					if err := f.Flush(ctx); err != nil {
						errs <- err
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := f.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	again := mustOpen(t, path)
	for w := range workers {
		for k := range keys {
			if got := get(t, again, fmt.Sprintf("table_%d_%d", w, k)); got != strconv.Itoa(k) {
				t.Fatalf("table_%d_%d = %q, want %d", w, k, got, k)
			}
		}
	}
}

func TestOpenRejectsBadFiles(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    []string
	}{
		{"garbage", "not json", []string{"is not valid state", "delete it"}},
		{"partial write", `{"version":1,"keys":{"hubspot_crm_contacts":"2026-01`, []string{"is not valid state", "Restore it from a backup"}},
		{"empty file", "", []string{"is not valid state"}},
		{"no version", `{"keys":{}}`, []string{`no "version" field`}},
		{"unknown field", `{"version":1,"keys":{},"secret":"x"}`, []string{"is not valid state"}},
		{"trailing data", `{"version":1,"keys":{}} {}`, []string{"trailing data"}},
		{"newer version", `{"version":2,"keys":{}}`, []string{"format version 2", "upgrade the plugin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Open(path)
			if err == nil {
				t.Fatal("Open succeeded, want an error")
			}
			for _, want := range append(tt.want, path) {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if raw, _ := os.ReadFile(path); string(raw) != tt.content {
				t.Errorf("Open changed the file to %q", raw)
			}
		})
	}
}

// TestLeftoverTempFileIsIgnored covers a crash after the temporary file was
// (partly) written but before the rename.
func TestLeftoverTempFileIsIgnored(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	f := mustOpen(t, path)
	f.SetKey(ctx, "cursor", "old")
	if err := f.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	leftover := filepath.Join(dir, ".state.json.123456.tmp")
	if err := os.WriteFile(leftover, []byte(`{"version":1,"keys":{"cursor":"ne`), 0o600); err != nil {
		t.Fatal(err)
	}
	again := mustOpen(t, path)
	if got := get(t, again, "cursor"); got != "old" {
		t.Fatalf("cursor = %q with a leftover temp file, want old", got)
	}
	again.SetKey(ctx, "cursor", "new")
	if err := again.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := get(t, mustOpen(t, path), "cursor"); got != "new" {
		t.Errorf("cursor = %q after Flush, want new", got)
	}
}

func TestFlushHonoursContext(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	f := mustOpen(t, path)
	f.SetKey(context.Background(), "k", "v")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Flush(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Flush = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("a cancelled Flush wrote the file")
	}
	if err := f.Flush(context.Background()); err != nil {
		t.Fatalf("Flush after a cancelled one: %v", err)
	}
	if got := get(t, mustOpen(t, path), "k"); got != "v" {
		t.Errorf("k = %q, want v: a cancelled Flush must not count as flushed", got)
	}
}

func TestClosed(t *testing.T) {
	ctx := context.Background()
	f := mustOpen(t, filepath.Join(t.TempDir(), "state.json"))
	f.SetKey(ctx, "k", "v")
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := f.SetKey(ctx, "k", "w"); !errors.Is(err, ErrClosed) {
		t.Errorf("SetKey after Close = %v", err)
	}
	if _, err := f.GetKey(ctx, "k"); !errors.Is(err, ErrClosed) {
		t.Errorf("GetKey after Close = %v", err)
	}
	if err := f.Flush(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Flush after Close = %v", err)
	}
}

// crashHelperEnv names the state file a child process flushes in a loop
// until it is killed.
const crashHelperEnv = "STATEFILE_CRASH_HELPER"

// TestCrashHelper is the child process of TestKilledDuringFlush.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashHelperEnv)
	if path == "" {
		t.Skip("runs only as the child of TestKilledDuringFlush")
	}
	ctx := context.Background()
	f, err := Open(path)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	for i := 1; ; i++ {
		n := strconv.Itoa(i)
		f.SetKey(ctx, "a", n)
		f.SetKey(ctx, "b", n)
		if err := f.Flush(ctx); err != nil {
			fmt.Println("flush:", err)
			os.Exit(1)
		}
		fmt.Println(n)
	}
}

// TestKilledDuringFlush kills a process that flushes continuously, at
// whatever point it has reached, and checks that the file is always a
// complete state: both keys of one Flush, never a mix or a torn file.
func TestKilledDuringFlush(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$")
		cmd.Env = append(os.Environ(), crashHelperEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := bufio.NewScanner(out)
		for range 20 + 7*round {
			if !lines.Scan() {
				t.Fatalf("helper stopped early: %v", lines.Err())
			}
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		f, err := Open(path)
		if err != nil {
			t.Fatalf("round %d: state unreadable after kill: %v", round, err)
		}
		a, b := get(t, f, "a"), get(t, f, "b")
		// The child printed the count only after its Flush returned.
		if n, err := strconv.Atoi(a); err != nil || a != b || n < 20+7*round {
			t.Fatalf("round %d: a=%q b=%q, want equal counts of at least %d", round, a, b, 20+7*round)
		}
	}
}

// Copy gives the working copy of a state file the same durability as Flush: the content, the
// owner-only mode, no temporary file left; with no state file yet, no copy.
func TestCopy(t *testing.T) {
	for _, tc := range []struct {
		name     string
		src      string // "" for no state file
		staleDst bool   // a copy from an earlier run is there
	}{
		{name: "state file", src: `{"version":1,"keys":{"a":"1"}}` + "\n"},
		{name: "state file over an old copy", src: `{"version":1,"keys":{"a":"2"}}` + "\n", staleDst: true},
		{name: "no state file", staleDst: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src, dst := filepath.Join(dir, "state.json"), filepath.Join(dir, "state.json.work")
			if tc.src != "" {
				if err := os.WriteFile(src, []byte(tc.src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tc.staleDst {
				if err := os.WriteFile(dst, []byte("old"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := Copy(src, dst); err != nil {
				t.Fatalf("Copy: %v", err)
			}
			got, err := os.ReadFile(dst)
			switch {
			case tc.src == "" && !os.IsNotExist(err):
				t.Errorf("copy of no state file: %q, %v; want none", got, err)
			case tc.src != "" && (err != nil || string(got) != tc.src):
				t.Errorf("copy = %q, %v; want %q", got, err, tc.src)
			}
			if info, err := os.Stat(dst); err == nil && info.Mode().Perm() != fileMode {
				t.Errorf("copy mode %v, want %v", info.Mode().Perm(), os.FileMode(fileMode))
			}
			if tmp, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(tmp) > 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
		})
	}
}
