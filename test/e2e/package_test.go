package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestPackagedVersion packages the plugin as a release does (`hubspot package`, which builds every
// target: minutes) and checks that the packaged binary reports the version it was packaged with,
// not the module path plugin-sdk v4.71.1 also stamps. Run by `make test-package`.
func TestPackagedVersion(t *testing.T) {
	if os.Getenv("HUBSPOT_TEST_PACKAGE") == "" {
		t.Skip("builds every target; run with make test-package")
	}
	const version = "v1.2.3"
	dist := t.TempDir()
	pkg := exec.Command(pluginBinary, "package", "--dist-dir", dist, "-m", "test", version, repoRoot)
	pkg.Dir = repoRoot
	if out, err := pkg.CombinedOutput(); err != nil {
		t.Fatalf("hubspot package: %v\n%s", err, out)
	}

	var manifest struct {
		Version string `json:"version"`
	}
	raw, err := os.ReadFile(filepath.Join(dist, "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &manifest); err != nil {
		t.Fatalf("package.json: %v", err)
	}
	if manifest.Version != version {
		t.Errorf("package.json version = %q, want %q", manifest.Version, version)
	}

	binary := filepath.Join(dist, fmt.Sprintf("plugin-hubspot-%s-%s-%s", version, runtime.GOOS, runtime.GOARCH))
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	out, err := exec.Command(binary, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", binary, err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "hubspot version "+version; got != want {
		t.Errorf("packaged binary reports %q, want %q", got, want)
	}
}
