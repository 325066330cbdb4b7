package reverse

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/durable"
)

// JournalFile is the journal of in-flight creates, kept in the report folder.
const JournalFile = ".hubspot-create-journal.jsonl"

// journalKey is one row's match key in a journaled create.
type journalKey struct {
	Key    string `json:"key"`              // normalized, as rows are compared
	Sent   string `json:"sent"`             // as the row carried it in the create
	Record string `json:"record,omitempty"` // on a done line: the id of the record the create made
}

// journalEntry is one line of the journal: a create request about to be sent, or (Done) the
// settling of an earlier line. It holds match keys only, never other property values or secrets.
type journalEntry struct {
	ID       int64        `json:"id"`
	Done     bool         `json:"done,omitempty"`
	Portal   string       `json:"portal,omitempty"`
	Table    string       `json:"table,omitempty"`
	Object   string       `json:"object,omitempty"`
	Property string       `json:"property,omitempty"`
	Keys     []journalKey `json:"keys,omitempty"`
	Sent     time.Time    `json:"sent,omitzero"`
	// Until is, on a done line that lists the records a search-keyed create made, when HubSpot's
	// search surely shows them; the line is kept till then.
	Until time.Time `json:"until,omitzero"`
}

// journal is the durable list of create requests whose outcome is not settled yet: a create is
// journaled (and synced to disk) before it is sent, and settled once its answer is applied or
// its rows are definitively rejected. What a killed run leaves unsettled, the next run looks up
// before creating anything for the table. A settled create keyed by search also keeps the ids of
// the records it made until search shows them, since a rerun meanwhile would not find them there.
// Safe for concurrent use.
type journal struct {
	path string
	size int64            // bytes of whole lines; a kill may leave a torn line after them
	now  func() time.Time // the run's clock, for Until

	mu      sync.Mutex
	f       *os.File
	next    int64
	open    map[int64]journalEntry // unsettled, in flight or left by earlier runs
	recent  map[int64]journalEntry // settled search-keyed creates whose records search may not show yet
	earlier map[int64]bool         // the open and recent entries that earlier runs left
}

// readJournal reads the journal in dir for a dry run, which looks up what earlier runs left as a
// real run would but writes nothing: the journal has no file open, and it must not be settled.
func readJournal(dir string, now func() time.Time) (*journal, error) {
	j := &journal{path: filepath.Join(dir, JournalFile), now: now, next: 1,
		open: map[int64]journalEntry{}, recent: map[int64]journalEntry{}, earlier: map[int64]bool{}}
	if err := j.load(); err != nil {
		return nil, err
	}
	return j, nil
}

// openJournal reads the journal in dir and opens it for writing, creating it when needed.
func openJournal(dir string, now func() time.Time) (*journal, error) {
	j, err := readJournal(dir, now)
	if err != nil {
		return nil, err
	}
	path := j.path
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open create journal: %w", err)
	}
	j.f = f
	if err := f.Truncate(j.size); err != nil {
		f.Close()
		return nil, fmt.Errorf("drop the torn last line of create journal %s: %w", path, err)
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if err := durable.SyncDir(dir); err != nil {
			f.Close()
			return nil, fmt.Errorf("create journal %s: %w", path, err)
		}
	}
	if len(j.open) == 0 {
		if err := j.compact(); err != nil {
			f.Close()
			return nil, err
		}
	}
	return j, nil
}

// load reads the entries earlier runs left. A last line cut short by a kill (no newline) was
// never synced, so its request was never sent: it is dropped. An unreadable whole line is an error.
func (j *journal) load() error {
	data, err := os.ReadFile(j.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read create journal: %w", err)
	}
	whole := data[:bytes.LastIndexByte(data, '\n')+1]
	j.size = int64(len(whole))
	sc := bufio.NewScanner(bytes.NewReader(whole))
	sc.Buffer(nil, len(whole)+1)
	for n := 1; sc.Scan(); n++ {
		var e journalEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil || e.ID <= 0 {
			return fmt.Errorf("create journal %s: line %d is not a journal entry; it lists creates an interrupted run may have made, so it cannot be skipped: repair the line, or delete the file after checking HubSpot for duplicates", j.path, n)
		}
		j.next = max(j.next, e.ID+1)
		if e.Done {
			delete(j.open, e.ID)
			delete(j.earlier, e.ID)
			if len(e.Keys) > 0 && e.Until.After(j.now()) {
				j.recent[e.ID] = e
				j.earlier[e.ID] = true
			}
			continue
		}
		j.open[e.ID] = e
		j.earlier[e.ID] = true
	}
	return nil
}

// begin journals a create request about to be sent and returns its entry id once it is on disk.
func (j *journal) begin(e journalEntry) (int64, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	e.ID = j.next
	if err := j.append(e); err != nil {
		return 0, err
	}
	j.next++
	j.open[e.ID] = e
	return e.ID, nil
}

// settle marks entry id settled. made lists, by key, the records a create keyed by search made:
// search may not show them before until, so its done line keeps them till then for the next run
// to read by id. Once nothing is left unsettled the journal is compacted.
func (j *journal) settle(id int64, made []journalKey, until time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	e, ok := j.open[id]
	if !ok {
		return nil
	}
	done := journalEntry{ID: id, Done: true}
	if len(made) > 0 && until.After(j.now()) {
		done = e
		done.Done, done.Keys, done.Until = true, made, until
	}
	if err := j.append(done); err != nil {
		return err
	}
	delete(j.open, id)
	delete(j.earlier, id)
	if !done.Until.IsZero() {
		j.recent[id] = done
	}
	if len(j.open) == 0 {
		return j.compact()
	}
	return nil
}

// settleAll settles the entries a rerun looked up; a dry run leaves them for the real run.
func (j *journal) settleAll(entries []journalEntry) error {
	if j.readOnly() {
		return nil
	}
	for _, e := range entries {
		if err := j.settle(e.ID, nil, time.Time{}); err != nil {
			return err
		}
	}
	return nil
}

// unsettled returns the entries earlier runs left unsettled for one table of one portal.
func (j *journal) unsettled(portal, table string) []journalEntry {
	return j.left(j.open, portal, table)
}

// recentlyMade returns the settled creates of earlier runs for one table of one portal whose
// records search may not show yet.
func (j *journal) recentlyMade(portal, table string) []journalEntry {
	return j.left(j.recent, portal, table)
}

// left returns the entries of set that earlier runs left for one table of one portal.
func (j *journal) left(set map[int64]journalEntry, portal, table string) []journalEntry {
	j.mu.Lock()
	defer j.mu.Unlock()
	var out []journalEntry
	for id := range j.earlier {
		if e, ok := set[id]; ok && e.Portal == portal && e.Table == table {
			out = append(out, e)
		}
	}
	return out
}

func (j *journal) append(e journalEntry) error {
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode create journal entry: %w", err)
	}
	if _, err := j.f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("write create journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("sync create journal %s: %w", j.path, err)
	}
	return nil
}

// prune forgets the settled creates that search shows by now. j.mu is held.
func (j *journal) prune() {
	for id, e := range j.recent {
		if !e.Until.After(j.now()) {
			delete(j.recent, id)
			delete(j.earlier, id)
		}
	}
}

// compact rewrites a journal whose entries are all settled to the done lines of the creates
// search may not show yet, dropping the others. With none to keep the file is emptied in place;
// otherwise the new file replaces the old one by a rename, so a kill meanwhile leaves one or the
// other whole.
func (j *journal) compact() error {
	j.prune()
	if len(j.recent) == 0 {
		if err := j.f.Truncate(0); err != nil {
			return fmt.Errorf("compact create journal %s: %w", j.path, err)
		}
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("compact create journal %s: %w", j.path, err)
		}
		return nil
	}
	var text []byte
	for _, id := range slices.Sorted(maps.Keys(j.recent)) {
		line, err := json.Marshal(j.recent[id])
		if err != nil {
			return fmt.Errorf("encode create journal entry: %w", err)
		}
		text = append(append(text, line...), '\n')
	}
	tmp := j.path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_APPEND|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("compact create journal %s: %w", j.path, err)
	}
	if _, err = f.Write(text); err == nil {
		err = f.Sync()
	}
	if err == nil {
		err = os.Rename(tmp, j.path)
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("compact create journal %s: %w", j.path, err)
	}
	// The old file is gone from the folder: later lines go to the new one.
	j.f.Close()
	j.f = f
	if err := durable.SyncDir(filepath.Dir(j.path)); err != nil {
		return fmt.Errorf("compact create journal %s: %w", j.path, err)
	}
	return nil
}

// readOnly reports whether the journal was only read, for a dry run.
func (j *journal) readOnly() bool { return j.f == nil }

// close closes the journal file, removing it when nothing is left unsettled and no create is
// waiting for search to show its records.
func (j *journal) close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.readOnly() {
		return nil
	}
	err := j.f.Close()
	j.prune()
	if err == nil && len(j.open) == 0 && len(j.recent) == 0 {
		err = os.Remove(j.path)
	}
	if err != nil {
		return fmt.Errorf("close create journal: %w", err)
	}
	return nil
}
