package e2e

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"io"
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

	name := fmt.Sprintf("plugin-hubspot-%s-%s-%s", version, runtime.GOOS, runtime.GOARCH)
	binary := unzipBinary(t, filepath.Join(dist, name+".zip"), name)
	out, err := exec.Command(binary, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("%s --version: %v\n%s", binary, err, out)
	}
	if got, want := strings.TrimSpace(string(out)), "hubspot version "+version; got != want {
		t.Errorf("packaged binary reports %q, want %q", got, want)
	}
}

// unzipBinary extracts the packaged binary name from its archive into a temp dir.
func unzipBinary(t *testing.T, archive, name string) string {
	t.Helper()
	zr, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatalf("open %s: %v", archive, err)
	}
	defer zr.Close()
	src, err := zr.Open(name)
	if err != nil {
		t.Fatalf("%s in %s: %v", name, archive, err)
	}
	defer src.Close()
	binary := filepath.Join(t.TempDir(), name)
	dst, err := os.OpenFile(binary, os.O_CREATE|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		t.Fatalf("extract %s: %v", name, err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	return binary
}
