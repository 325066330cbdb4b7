package durable

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestLockIsExclusive holds a lock and checks that nobody else can take it until it is released:
// flock locks belong to an open file, so a second Lock, even in this process, is another holder.
func TestLockIsExclusive(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.lock")
	f, err := Lock(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Lock(path); !errors.Is(err, ErrHeld) {
		t.Fatalf("second Lock while held: %v, want ErrHeld", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	g, err := Lock(path)
	if err != nil {
		t.Fatalf("Lock after release: %v", err)
	}
	g.Close()
}
