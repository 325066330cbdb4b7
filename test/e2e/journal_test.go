package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
)

// journalDomains is how many new companies each killed run sets out to create: ten create requests.
const journalDomains = 1000

// killPoint is where, around the n-th company create request, the run is killed.
type killPoint int

const (
	killBeforeApply  killPoint = iota // the request arrived, HubSpot never applied it
	killAfterApply                    // HubSpot applied it, the answer never left
	killAfterAnswer                   // HubSpot applied it and answered
	killAfterCreates                  // every create was answered and settled: at the first association request
)

// killingPortal is an emulator with HubSpot's search lag that kills the running `hubspot sync`
// (SIGKILL, as kill -9) at one point of one company create request, or once the creates are done.
type killingPortal struct {
	emu          *emulator.Emulator
	url          string
	creates      atomic.Int32
	associations atomic.Int32
	victim       atomic.Pointer[exec.Cmd]
	once         sync.Once
}

func newKillingPortal(t *testing.T, killAt int32, point killPoint) *killingPortal {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Seed: 11, Counts: smallCounts(), SearchLag: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	p := &killingPortal{emu: emu}
	api := emu.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The association requests of the written records (not the labels read at migrate).
		isAssociation := strings.Contains(r.URL.Path, "/associations/") && strings.Contains(r.URL.Path, "/batch/")
		if point == killAfterCreates && isAssociation && p.associations.Add(1) == 1 {
			p.kill(t)
			return
		}
		// Only companies are created here, by type id or name.
		isCreate := strings.Contains(r.URL.Path, "/objects/") && strings.HasSuffix(r.URL.Path, "/batch/create")
		if !isCreate || p.creates.Add(1) != killAt {
			api.ServeHTTP(w, r)
			return
		}
		switch point {
		case killBeforeApply:
			p.kill(t)
		case killAfterApply:
			api.ServeHTTP(httptest.NewRecorder(), r)
			p.kill(t)
		case killAfterAnswer:
			api.ServeHTTP(w, r)
			http.NewResponseController(w).Flush()
			p.kill(t)
		}
	}))
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

// kill sends SIGKILL to the running sync, once.
func (p *killingPortal) kill(t *testing.T) {
	p.once.Do(func() {
		if cmd := p.victim.Load(); cmd != nil {
			if err := cmd.Process.Kill(); err != nil {
				t.Errorf("kill: %v", err)
			}
		}
	})
}

// sync runs `hubspot sync spec` to its end; victim marks the run the portal kills.
func (p *killingPortal) sync(t *testing.T, spec string, victim bool) (string, error) {
	t.Helper()
	cmd := exec.Command(pluginBinary, "sync", "--log-level", "info", spec)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start hubspot sync: %v", err)
	}
	if victim {
		p.victim.Store(cmd) // once started: the handler reads cmd.Process
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return out.String(), err
	case <-callCtx(t).Done():
		cmd.Process.Kill()
		<-done
		t.Fatalf("hubspot sync did not finish\n%s", out.String())
		return "", nil
	}
}

// companySpec writes a `hubspot sync` spec sending the Parquet table accounts to companies, matched
// by domain and associated with their owner contact, and returns its path.
func companySpec(t *testing.T, p *killingPortal, dir, report string) string {
	t.Helper()
	text := fmt.Sprintf(`
kind: source
spec:
  name: file
  path: cloudquery/file
  registry: cloudquery
  version: v5.4.0
  tables: [accounts]
  destinations: [hubspot]
  spec:
    path: %s
    format: parquet
---
kind: destination
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  registry: local
  spec:
    access_token: %s
    base_url: %s
    objects: [companies]
    report_path: %s
    mappings:
      - table: accounts
        object: companies
        match_key: domain
        associations:
          - {to: contacts, column: owner, match_property: email}
`, dir, p.emu.Token(), p.url, report)
	path := filepath.Join(t.TempDir(), "spec.yml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writeAccounts writes n new companies (domain, name, the email of their owner, a contact of
// the portal) as the Parquet table accounts under dir.
func writeAccounts(t *testing.T, emu *emulator.Emulator, dir string, n int) {
	t.Helper()
	owner := emu.Records("contacts", false)[0].Properties["email"]
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "domain", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "owner", Type: arrow.BinaryTypes.String, Nullable: true},
	}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for i := range n {
		b.Field(0).(*array.StringBuilder).Append(fmt.Sprintf("journal-%04d.example", i))
		b.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("Journal %d", i))
		b.Field(2).(*array.StringBuilder).Append(owner)
	}
	rec := b.NewRecord()
	defer rec.Release()
	w, err := parquetio.NewWriter(filepath.Join(dir, "accounts"), sc, parquetio.WithFilePrefix("export"))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(rec); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestJournalKilledCompanyRunRerunCreatesNoDuplicates kills a companies-by-domain reverse ETL at
// several points of its creates and reruns it at once, while HubSpot's search index still lags
// behind the killed run's creates: every domain must exist exactly once.
func TestJournalKilledCompanyRunRerunCreatesNoDuplicates(t *testing.T) {
	cases := []struct {
		name   string
		killAt int32
		point  killPoint
		// unanswered: the killed request was never answered, so its create is still journaled.
		unanswered bool
	}{
		{"before the first create is applied", 1, killBeforeApply, true},
		{"in the middle, the applied create's answer lost", 5, killAfterApply, true},
		{"right after a create answer", 2, killAfterAnswer, false},
		{"once every create settled, before search shows them", 0, killAfterCreates, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newKillingPortal(t, tc.killAt, tc.point)
			dir, report := t.TempDir(), t.TempDir()
			writeAccounts(t, p.emu, dir, journalDomains)
			spec := companySpec(t, p, dir, report)

			if out, err := p.sync(t, spec, true); err == nil {
				t.Fatalf("the run meant to be killed finished\n%s", out)
			}
			journal := filepath.Join(report, reverse.JournalFile)
			if info, err := os.Stat(journal); tc.unanswered && (err != nil || info.Size() == 0) {
				t.Errorf("the killed run left no journaled create (%v)", err)
			}
			if out, err := p.sync(t, spec, false); err != nil {
				t.Fatalf("rerun: %v\n%s", err, out)
			}
			assertEachDomainOnce(t, p.emu, journalDomains)
			assertNothingUnsettled(t, journal)
		})
	}
}

// assertNothingUnsettled checks that a journal holds no unsettled create once its run ended: it is
// gone, or holds only the settled creates HubSpot's search may not show yet.
func assertNothingUnsettled(t *testing.T, journal string) {
	t.Helper()
	data, err := os.ReadFile(journal)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(data)) {
		var e struct {
			Done bool `json:"done"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil || !e.Done {
			t.Errorf("the journal holds an unsettled line after a run that settled everything: %q (%v)", line, err)
		}
	}
}

// assertEachDomainOnce checks that every journal-* domain is held by exactly one company.
func assertEachDomainOnce(t *testing.T, emu *emulator.Emulator, n int) {
	t.Helper()
	count := map[string]int{}
	for _, r := range emu.Records("companies", false) {
		if d := r.Properties["domain"]; strings.HasPrefix(d, "journal-") {
			count[d]++
		}
	}
	dups := 0
	for _, c := range count {
		dups += c - 1
	}
	if len(count) != n || dups > 0 {
		t.Errorf("%d of %d domains exist, %d duplicate companies; want each domain exactly once", len(count), n, dups)
	}
}
