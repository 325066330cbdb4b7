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
