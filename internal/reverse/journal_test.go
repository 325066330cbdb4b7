package reverse

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// searchLag is the emulated search index's lag; testSettle the engine's SearchSettle.
const (
	searchLag  = 3 * time.Second
	testSettle = 5 * time.Second
)

// fakeClock is the emulator's and the run's clock: it moves only when the run waits.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) wait(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.waits = append(c.waits, d)
	c.now = c.now.Add(max(d, 0))
	return ctx.Err()
}

// advance moves the clock as time passing between runs does: no run waited for it.
func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) waited() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.waits...)
}

// journalPortal is an emulated portal on the fake clock, with a report folder and a hook that
// runs when a create request arrives, before HubSpot applies it.
type journalPortal struct {
	emu    *emulator.Emulator
	clock  *fakeClock
	portal *Target
	dir    string
	sc     *arrow.Schema // the incoming table's columns: match key, then a name

	mu       sync.Mutex
	onCreate func()
	creates  int
}

func (p *journalPortal) createRequests() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.creates
}

func newJournalPortal(t *testing.T) *journalPortal {
	t.Helper()
	p := &journalPortal{clock: &fakeClock{now: time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)}, dir: t.TempDir()}
	emu, err := emulator.New(emulator.Config{Seed: 3, Counts: map[string]int{"contacts": 5, "companies": 5}, SearchLag: searchLag, Now: p.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	p.emu = emu
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/batch/create") {
			p.mu.Lock()
			p.creates++
			if p.onCreate != nil {
				p.onCreate()
			}
			p.mu.Unlock()
		}
		emu.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	api, err := hubspot.NewClient(hubspot.WithBaseURL(srv.URL), hubspot.WithAccessToken(emu.Token()),
		hubspot.WithLimiter(hubspot.NewLimiter(hubspot.LimiterConfig{Burst: 1 << 30, SearchPerSecond: 1 << 30})))
	if err != nil {
		t.Fatal(err)
	}
	p.portal = NewTarget("default", api, apiDiscovery{api})
	return p
}

// plan compiles a mapping of table accounts (columns matchKey and nameColumn) to object.
func (p *journalPortal) plan(t *testing.T, object, matchKey string, mode Mode, nameColumn string) *Plan {
	t.Helper()
	p.sc = arrow.NewSchema([]arrow.Field{
		{Name: matchKey, Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: nameColumn, Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	plan, err := Compile(context.Background(), p.portal, "accounts", p.sc, Mapping{Object: object, Mode: mode,
		MatchKey: []string{matchKey}, Conflict: ConflictSource, RequireEmail: object == "contacts", OnDelete: DeleteIgnore})
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// write runs one session over rows (key, name) and returns its summary of the plan's object.
func (p *journalPortal) write(t *testing.T, plan *Plan, dryRun bool, rows ...[2]string) ObjectSummary {
	t.Helper()
	run := p.start(t, plan, dryRun, rows...)
	sum, err := run.Close()
	if err != nil {
		t.Fatalf("close: %v", err)
	}
	return sum.Objects[0]
}

// start opens a session and writes rows (key, name) through it, leaving it open.
func (p *journalPortal) start(t *testing.T, plan *Plan, dryRun bool, rows ...[2]string) *Run {
	t.Helper()
	run, err := NewRun(Options{ReportDir: p.dir, DryRun: dryRun, Now: p.clock.Now, SearchSettle: testSettle})
	if err != nil {
		t.Fatal(err)
	}
	run.wait = p.clock.wait
	rec := p.record(rows...)
	defer rec.Release()
	if err := run.Write(context.Background(), plan, rec); err != nil {
		t.Fatalf("write: %v", err)
	}
	return run
}

// kill ends a session as kill -9 does: its files are closed by the system, not by the run, so
// the journal stays as the run's last write left it.
func (p *journalPortal) kill(t *testing.T, run *Run) {
	t.Helper()
	if err := errors.Join(run.journal().f.Close(), run.folder.lock.Close()); err != nil {
		t.Fatal(err)
	}
}

// record builds the incoming rows (key, name).
func (p *journalPortal) record(rows ...[2]string) arrow.Record {
	b := array.NewRecordBuilder(memory.DefaultAllocator, p.sc)
	defer b.Release()
	for _, r := range rows {
		b.Field(0).(*array.StringBuilder).Append(r[0])
		b.Field(1).(*array.StringBuilder).Append(r[1])
	}
	return b.NewRecord()
}

// journal writes entries as an earlier, killed run left them.
func (p *journalPortal) journal(t *testing.T, entries ...journalEntry) {
	t.Helper()
	var text strings.Builder
	for _, e := range entries {
		line, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		text.Write(append(line, '\n'))
	}
	if err := os.WriteFile(filepath.Join(p.dir, JournalFile), []byte(text.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

func (p *journalPortal) count(object, prop, value string) int {
	n := 0
	for _, r := range p.emu.Records(object, false) {
		if r.Properties[prop] == value {
			n++
		}
	}
	return n
}

// TestReconcileJournaledCreates reruns after a killed run whose create was journaled: the rerun
// looks the key up before creating anything, waits for the search index only when a search
// misses, and never creates a record the killed run made.
func TestReconcileJournaledCreates(t *testing.T) {
	cases := []struct {
		name            string
		object, key     string
		mode            Mode
		nameCol, value  string
		made            bool          // the killed run's create reached HubSpot
		sentAgo         time.Duration // how long before the rerun the create was sent
		wantWait        time.Duration // the longest wait of the rerun
		created, exists int           // the rerun's created rows and RECORD_EXISTS exclusions
		updated         int
	}{
		{name: "domain made, not yet searchable: wait for the index, then update", object: "companies", key: "domain",
			mode: ModeUpsert, nameCol: "name", value: "kill.example", made: true, wantWait: testSettle, updated: 1},
		{name: "domain never made: wait out the index, then create once", object: "companies", key: "domain",
			mode: ModeUpsert, nameCol: "name", value: "lost.example", wantWait: testSettle, created: 1},
		{name: "domain journaled long ago, made only now (the request waited for the rate limit): wait from the rerun's start, then update",
			object: "companies", key: "domain", mode: ModeUpsert, nameCol: "name", value: "late.example", made: true,
			sentAgo: time.Minute, wantWait: testSettle, updated: 1},
		{name: "domain never made, journaled long ago: wait from the rerun's start, then create once", object: "companies", key: "domain",
			mode: ModeUpsert, nameCol: "name", value: "old.example", sentAgo: time.Minute, wantWait: testSettle, created: 1},
		{name: "email read back at once: no wait", object: "contacts", key: "email",
			mode: ModeCreate, nameCol: "firstname", value: "kill@example.com", made: true, exists: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newJournalPortal(t)
			plan := p.plan(t, tc.object, tc.key, tc.mode, tc.nameCol)
			sent := p.clock.Now().Add(-tc.sentAgo)
			p.journal(t, journalEntry{ID: 1, Portal: "default", Table: "accounts", Object: tc.object, Property: tc.key,
				Keys: []journalKey{{Key: tc.value, Sent: tc.value}}, Sent: sent})
			if tc.made {
				if _, err := p.emu.Create(tc.object, map[string]string{tc.key: tc.value, tc.nameCol: "Killed"}); err != nil {
					t.Fatal(err)
				}
			}

			got := p.write(t, plan, false, [2]string{tc.value, "Rerun"})
			if got.Created != tc.created || got.Updated != tc.updated || got.Categories[ReasonExists] != tc.exists {
				t.Errorf("created %d updated %d exists %d, want %d %d %d", got.Created, got.Updated, got.Categories[ReasonExists], tc.created, tc.updated, tc.exists)
			}
			if n := p.count(tc.object, tc.key, tc.value); n != 1 {
				t.Errorf("%d %s with %s %s, want 1", n, tc.object, tc.key, tc.value)
			}
			longest := time.Duration(0)
			for _, d := range p.clock.waited() {
				longest = max(longest, d)
			}
			if longest != tc.wantWait {
				t.Errorf("longest wait %v, want %v (waits %v)", longest, tc.wantWait, p.clock.waited())
			}
			j, err := openJournal(p.dir, p.clock.Now)
			if err != nil {
				t.Fatal(err)
			}
			defer j.close()
			if n := len(j.unsettled("default", "accounts")); n != 0 {
				t.Errorf("%d journaled creates left unsettled after the rerun", n)
			}
		})
	}
}

// TestRerunWithinSearchLagFindsSettledCreates reruns a run whose company creates all settled,
// before HubSpot's search index shows them: the rerun finds them, it does not create them again.
func TestRerunWithinSearchLagFindsSettledCreates(t *testing.T) {
	cases := []struct {
		name   string
		killed bool          // the first run is killed once its creates settled, before it closes
		later  time.Duration // how long after the first run the rerun starts (reports are named by it)
	}{
		{"back-to-back runs", false, time.Second},
		{"killed once its creates settled, rerun at once", true, time.Second},
		{"rerun once search shows the creates: the journal is pruned", false, testSettle},
	}
	rows := [][2]string{{"lag-1.example", "Lag 1"}, {"lag-2.example", "Lag 2"}, {"lag-3.example", "Lag 3"}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newJournalPortal(t)
			plan := p.plan(t, "companies", "domain", ModeUpsert, "name")
			if run := p.start(t, plan, false, rows...); tc.killed {
				p.kill(t, run)
			} else if _, err := run.Close(); err != nil {
				t.Fatal(err)
			}
			p.clock.advance(tc.later)

			got := p.write(t, plan, false, rows...)
			if got.Created != 0 || got.Unchanged != len(rows) {
				t.Errorf("rerun created %d, unchanged %d; want 0 and %d", got.Created, got.Unchanged, len(rows))
			}
			for _, r := range rows {
				if n := p.count("companies", "domain", r[0]); n != 1 {
					t.Errorf("%d companies with domain %s, want 1", n, r[0])
				}
			}
			if w := p.clock.waited(); len(w) != 0 {
				t.Errorf("the rerun waited %v for records it knew", w)
			}
			if _, err := os.Stat(filepath.Join(p.dir, JournalFile)); tc.later >= testSettle && !os.IsNotExist(err) {
				t.Errorf("journal kept after search shows every create: %v", err)
			}
		})
	}
}

// TestCreateIsJournaledBeforeItIsSent reads the journal when the create request arrives: the
// entry names the keys and nothing else of the rows.
func TestCreateIsJournaledBeforeItIsSent(t *testing.T) {
	p := newJournalPortal(t)
	plan := p.plan(t, "companies", "domain", ModeUpsert, "name")
	var seen []journalEntry
	p.onCreate = func() {
		raw, err := os.ReadFile(filepath.Join(p.dir, JournalFile))
		if err != nil {
			t.Errorf("no journal when the create arrived: %v", err)
			return
		}
		if strings.Contains(string(raw), "Secret Name") || strings.Contains(string(raw), p.emu.Token()) {
			t.Errorf("the journal holds more than match keys: %s", raw)
		}
		for line := range strings.Lines(string(raw)) {
			var e journalEntry
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Errorf("journal line %q: %v", line, err)
			}
			seen = append(seen, e)
		}
	}
	got := p.write(t, plan, false, [2]string{"https://www.New.example/about", "Secret Name"})
	if got.Created != 1 {
		t.Fatalf("created %d, want 1", got.Created)
	}
	want := journalEntry{ID: 1, Portal: "default", Table: "accounts", Object: "companies", Property: "domain",
		Keys: []journalKey{{Key: "new.example", Sent: "https://www.New.example/about"}}, Sent: p.clock.Now()}
	if len(seen) != 1 || !seen[0].Sent.Equal(want.Sent) || seen[0].Portal != want.Portal || seen[0].Table != want.Table ||
		seen[0].Object != want.Object || seen[0].Property != want.Property || len(seen[0].Keys) != 1 || seen[0].Keys[0] != want.Keys[0] {
		t.Errorf("journal when the create arrived: %+v, want %+v", seen, want)
	}
}

// TestJournalFailureStopsTheRunBeforeSending makes the journal unwritable: no create may go out.
func TestJournalFailureStopsTheRunBeforeSending(t *testing.T) {
	p := newJournalPortal(t)
	plan := p.plan(t, "companies", "domain", ModeUpsert, "name")
	run, err := NewRun(Options{ReportDir: p.dir, Now: p.clock.Now, SearchSettle: testSettle})
	if err != nil {
		t.Fatal(err)
	}
	run.journal().f.Close()
	rec := p.record([2]string{"unjournaled.example", "Unjournaled"})
	defer rec.Release()
	err = run.Write(context.Background(), plan, rec)
	if err == nil || !strings.Contains(err.Error(), "journal a create") {
		t.Errorf("write error %v, want the journal named", err)
	}
	run.Close()
	if n := p.createRequests(); n != 0 || p.count("companies", "domain", "unjournaled.example") != 0 {
		t.Errorf("%d create requests sent without a journal entry", n)
	}
}

// TestDryRunReadsTheJournalAndLeavesItAlone previews a rerun after a killed run and right after a
// finished one: the dry run finds the records the journal names, as the rerun would, so it does
// not report them as creates, and it leaves the journal as it was.
func TestDryRunReadsTheJournalAndLeavesItAlone(t *testing.T) {
	cases := []struct {
		name    string
		earlier func(t *testing.T, p *journalPortal, plan *Plan) // what the run before the dry run left
		rows    [][2]string
		want    ObjectSummary
	}{
		{name: "killed with a create unsettled that reached HubSpot",
			earlier: func(t *testing.T, p *journalPortal, _ *Plan) {
				p.journal(t, journalEntry{ID: 7, Portal: "default", Table: "accounts", Object: "companies", Property: "domain",
					Keys: []journalKey{{Key: "kill.example", Sent: "kill.example"}}, Sent: p.clock.Now()})
				if _, err := p.emu.Create("companies", map[string]string{"domain": "kill.example", "name": "Killed"}); err != nil {
					t.Fatal(err)
				}
			},
			rows: [][2]string{{"kill.example", "Dry"}}, want: ObjectSummary{Updated: 1}},
		{name: "finished, search not showing its creates yet",
			earlier: func(t *testing.T, p *journalPortal, plan *Plan) {
				if _, err := p.start(t, plan, false, [2]string{"lag-1.example", "Lag 1"}, [2]string{"lag-2.example", "Lag 2"}).Close(); err != nil {
					t.Fatal(err)
				}
				p.clock.advance(time.Second) // reports are named by their run's start
			},
			rows: [][2]string{{"lag-1.example", "Lag 1"}, {"lag-2.example", "Lag 2"}}, want: ObjectSummary{Unchanged: 2}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newJournalPortal(t)
			plan := p.plan(t, "companies", "domain", ModeUpsert, "name")
			tc.earlier(t, p, plan)
			before, err := os.ReadFile(filepath.Join(p.dir, JournalFile))
			if err != nil {
				t.Fatal(err)
			}
			creates := p.createRequests()
			got := p.write(t, plan, true, tc.rows...)
			if got.Created != tc.want.Created || got.Updated != tc.want.Updated || got.Unchanged != tc.want.Unchanged {
				t.Errorf("dry run: created %d updated %d unchanged %d, want %d %d %d", got.Created, got.Updated, got.Unchanged,
					tc.want.Created, tc.want.Updated, tc.want.Unchanged)
			}
			after, err := os.ReadFile(filepath.Join(p.dir, JournalFile))
			if err != nil || string(after) != string(before) {
				t.Errorf("dry run changed the journal: %q -> %q (%v)", before, after, err)
			}
			if n := p.createRequests(); n != creates {
				t.Errorf("dry run sent %d create requests", n-creates)
			}
		})
	}
}

func TestOpenJournal(t *testing.T) {
	entry := `{"id":4,"portal":"default","table":"accounts","object":"companies","property":"domain","keys":[{"key":"a.example","sent":"a.example"}],"sent":"2026-05-04T12:00:00Z"}` + "\n"
	made := func(until string) string {
		return `{"id":4,"done":true,"portal":"default","table":"accounts","object":"companies","property":"domain","keys":[{"key":"a.example","sent":"a.example","record":"101"}],"until":"` + until + `"}` + "\n"
	}
	cases := []struct {
		name      string
		text      string
		unsettled int
		recent    int   // settled creates whose records search may not show yet
		size      int64 // bytes kept
		next      int64 // id of the next entry
		err       string
	}{
		{"empty", "", 0, 0, 0, 1, ""},
		{"one unsettled", entry, 1, 0, int64(len(entry)), 5, ""},
		{"settled entries are compacted away", entry + `{"id":4,"done":true}` + "\n", 0, 0, 0, 5, ""},
		{"a create search may not show yet keeps its done line", entry + made("2999-01-01T00:00:00Z"), 0, 1, int64(len(made("2999-01-01T00:00:00Z"))), 5, ""},
		{"a create search shows is compacted away", entry + made("2000-01-01T00:00:00Z"), 0, 0, 0, 5, ""},
		{"a torn last line was never sent", entry + `{"id":5,"port`, 1, 0, int64(len(entry)), 5, ""},
		{"a broken whole line is refused", "garbage\n" + entry, 0, 0, 0, 0, "line 1 is not a journal entry"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, JournalFile)
			if err := os.WriteFile(path, []byte(tc.text), 0o600); err != nil {
				t.Fatal(err)
			}
			j, err := openJournal(dir, time.Now)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), path) {
					t.Fatalf("err %v, want %q naming %s", err, tc.err, path)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer j.close()
			if got := len(j.unsettled("default", "accounts")); got != tc.unsettled {
				t.Errorf("%d unsettled, want %d", got, tc.unsettled)
			}
			if got := len(j.recentlyMade("default", "accounts")); got != tc.recent {
				t.Errorf("%d recent creates, want %d", got, tc.recent)
			}
			if info, err := os.Stat(path); err != nil || info.Size() != tc.size {
				t.Errorf("journal size %v (%v), want %d", info.Size(), err, tc.size)
			}
			if id, err := j.begin(journalEntry{Portal: "default", Table: "accounts"}); err != nil || id != tc.next {
				t.Errorf("next entry id %d (%v), want %d", id, err, tc.next)
			}
		})
	}
}

func TestReportFolderIsLockedAndCleaned(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"reverse-etl-20260504T120000.000Z-00000.parquet.tmp": "",        // zero-byte, left by a kill
		"reverse-etl-20260504T120000.000Z-00001.parquet.tmp": "PAR1...", // partial
		"reverse-etl-20260504T110000.000Z-00000.parquet":     "PAR1",    // a finished report
		"someone-elses.parquet.tmp":                          "",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	first, err := NewRun(Options{ReportDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for name := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		wantGone := strings.HasPrefix(name, reportPrefix) && strings.HasSuffix(name, ".tmp")
		if gone := os.IsNotExist(err); gone != wantGone {
			t.Errorf("%s: removed %v, want %v", name, gone, wantGone)
		}
	}
	if _, err := NewRun(Options{ReportDir: dir, DryRun: true}); err == nil || !strings.Contains(err.Error(), "in use by another reverse-ETL run") {
		t.Errorf("second run on a locked folder: %v", err)
	}
	if _, err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second, err := NewRun(Options{ReportDir: dir})
	if err != nil {
		t.Fatalf("run after the first ended: %v", err)
	}
	second.Close()
}
