// Package statefile keeps CloudQuery incremental state (per-table cursors) in
// one local JSON file, for running the plugin without a CloudQuery state
// backend (`hubspot sync spec.yml`).
//
// The file holds only what callers put in with SetKey: sync cursors such as
// timestamps, page tokens and record ids. Never put tokens or other secrets
// in it; it is plain text, readable by anyone who can read the file (it is
// created with mode 0600).
//
// Writes are atomic: Flush writes a temporary file in the same directory,
// syncs it, renames it over the state file and syncs the directory, so a
// crash at any moment leaves either the previous or the new complete file.
package statefile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/durable"
)

// formatVersion is the version of the file layout written by this package.
// Open refuses files of a newer version rather than misreading them.
const formatVersion = 1

// fileMode keeps the state readable by its owner only.
const fileMode = 0o600

// document is the JSON layout of the state file.
type document struct {
	Version int               `json:"version"`
	Keys    map[string]string `json:"keys"`
}

// File is a state.Client backed by a JSON file. SetKey and GetKey work in
// memory; Flush persists. Like the SDK's state backends, Close does not
// flush: state that was never flushed was never meant to be kept. File is
// safe for concurrent use.
type File struct {
	path string

	flushMu sync.Mutex // serialises Flush so files land in order

	mu      sync.Mutex
	keys    map[string]string
	changes uint64 // SetKey calls that changed a value
	flushed uint64 // value of changes at the last successful Flush
	closed  bool
}

// ErrClosed is returned by SetKey, GetKey and Flush after Close.
var ErrClosed = errors.New("state file is closed")

// Open loads the state file at path. A missing file is an empty state; a file
// that cannot be read as state is an error naming the file and the way out,
// never a silent reset, which would make the next sync start over.
func Open(path string) (*File, error) {
	f := &File{path: path, keys: map[string]string{}}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return f, nil
	case err != nil:
		return nil, fmt.Errorf("read state file: %w", err)
	}
	var doc document
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil || dec.More() {
		if err == nil {
			err = errors.New("trailing data after the JSON document")
		}
		return nil, corrupt(path, err)
	}
	switch {
	case doc.Version == 0:
		return nil, corrupt(path, errors.New(`no "version" field`))
	case doc.Version > formatVersion:
		return nil, &unreadableError{fmt.Sprintf("state file %s has format version %d, but this build reads up to version %d: upgrade the plugin", path, doc.Version, formatVersion)}
	}
	if doc.Keys != nil {
		f.keys = doc.Keys
	}
	return f, nil
}

// ErrUnreadable is in the chain of the errors of Open for a file that exists but cannot be used
// as state: a rerun fails the same way until the file is restored, deleted or the plugin upgraded.
var ErrUnreadable = errors.New("unreadable state file")

func corrupt(path string, cause error) error {
	return &unreadableError{fmt.Sprintf("state file %s is not valid state (%v); it was left unchanged. "+
		"Restore it from a backup, or delete it to start every table over with a full sync", path, cause)}
}

type unreadableError struct{ msg string }

func (e *unreadableError) Error() string        { return e.msg }
func (e *unreadableError) Is(target error) bool { return target == ErrUnreadable }

// SetKey records a value in memory; Flush persists it.
func (f *File) SetKey(_ context.Context, key, value string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return ErrClosed
	}
	if old, ok := f.keys[key]; ok && old == value {
		return nil
	}
	f.keys[key] = value
	f.changes++
	return nil
}

// GetKey returns the value of key, or "" when it has none, as the SDK's
// state clients do.
func (f *File) GetKey(_ context.Context, key string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return "", ErrClosed
	}
	return f.keys[key], nil
}

// Flush writes the current state to disk atomically. It does nothing when
// nothing changed since the last Flush.
func (f *File) Flush(ctx context.Context) error {
	f.flushMu.Lock()
	defer f.flushMu.Unlock()
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return ErrClosed
	}
	changes := f.changes
	if changes == f.flushed {
		f.mu.Unlock()
		return nil
	}
	doc := document{Version: formatVersion, Keys: maps.Clone(f.keys)}
	f.mu.Unlock()

	if err := ctx.Err(); err != nil {
		return fmt.Errorf("flush state file %s: %w", f.path, err)
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("flush state file %s: %w", f.path, err)
	}
	if err := writeAtomic(f.path, append(data, '\n')); err != nil {
		return fmt.Errorf("flush state file %s: %w", f.path, err)
	}
	f.mu.Lock()
	f.flushed = changes
	f.mu.Unlock()
	return nil
}

// Close releases the File without flushing; SetKey, GetKey and Flush return
// ErrClosed afterwards. Closing twice is harmless.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// tempPattern names Flush's temporary files for the state file at path.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".*.tmp" }

// RemoveTemp removes temporary files an interrupted Flush of the state file at path left behind,
// and returns their names. Only one process may use the state file meanwhile: callers hold a lock.
func RemoveTemp(path string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(filepath.Dir(path), tempPattern(path)))
	if err != nil {
		return nil, fmt.Errorf("list temporary state files: %w", err)
	}
	for _, m := range matches {
		if err := os.Remove(m); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("remove temporary state file: %w", err)
		}
	}
	return matches, nil
}

// Copy makes dst a copy of the state file at src that survives a crash or a power loss, or
// removes dst when there is no src.
func Copy(src, dst string) error {
	data, err := os.ReadFile(src)
	if os.IsNotExist(err) {
		if err := os.Remove(dst); err != nil && !os.IsNotExist(err) {
			return err
		}
		return nil
	}
	if err != nil {
		return err
	}
	return writeAtomic(dst, data)
}

// writeAtomic replaces path with data so that a crash leaves either the old
// or the new content: temporary file in the same directory, fsync, rename,
// fsync of the directory.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, tempPattern(path))
	if err != nil {
		return err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(fileMode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return durable.SyncDir(dir)
}
