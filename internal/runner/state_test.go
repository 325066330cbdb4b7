package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCorruptStateErrorNamesTheStateFile(t *testing.T) {
	p := newTestPortal(t, smallCounts)
	p.env["TABLES"] = "[hubspot_crm_companies]"
	must(t, os.MkdirAll(filepath.Dir(p.state), 0o755))
	must(t, os.WriteFile(p.state, []byte("{broken"), 0o600))
	_, _, err := p.run(p.load(readSpec))
	if err == nil {
		t.Fatal("a corrupt state file was accepted")
	}
	if msg := err.Error(); !strings.Contains(msg, p.state+" is not valid state") || strings.Contains(msg, ".work") {
		t.Errorf("error %q, want it to name %s, not a working copy", msg, p.state)
	}
}

// Files a killed run left half-written are removed by the next run; Parquet files and files of
// other naming are kept.
func TestReadRemovesTempFilesOfAKilledRun(t *testing.T) {
	p := newTestPortal(t, smallCounts)
	p.env["TABLES"] = "[hubspot_crm_companies]"
	job := p.load(readSpec)
	p.mustRun(job)
	table := filepath.Join(p.dir, "hubspot_crm_companies")
	leftovers := []string{filepath.Join(table, "20260101T000000.000Z-00000.parquet.tmp"),
		filepath.Join(filepath.Dir(p.state), "."+filepath.Base(p.state)+".123456.tmp")}
	kept := filepath.Join(table, "notes.tmp")
	for _, f := range append(leftovers, kept) {
		must(t, os.WriteFile(f, nil, 0o644))
	}
	before := parquetFiles(t, table)
	p.mustRun(job)
	for _, f := range leftovers {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s is still there after the next run (%v)", f, err)
		}
	}
	if _, err := os.Stat(kept); err != nil {
		t.Errorf("a file of another naming was removed: %v", err)
	}
	if after := parquetFiles(t, table); len(after) < len(before) {
		t.Errorf("Parquet files %v became %v", before, after)
	}
}

// Two runs on the same output cannot overlap: the second fails at once, saying why.
func TestReadRefusesAnOverlappingRun(t *testing.T) {
	p := newTestPortal(t, smallCounts)
	p.env["TABLES"] = "[hubspot_crm_companies]"
	job := p.load(readSpec)
	unlock, err := lockRun(p.state)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = p.run(job)
	if err == nil || !strings.Contains(err.Error(), "another hubspot sync") || !strings.Contains(err.Error(), p.state+".lock") {
		t.Errorf("error %v, want one saying another run holds %s.lock", err, p.state)
	}
	unlock()
	p.mustRun(job)
}
