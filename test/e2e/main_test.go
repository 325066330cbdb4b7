// Package e2e drives the built hubspot binary over the CloudQuery plugin protocol (gRPC), the way
// the CloudQuery CLI does, against the bundled HubSpot emulator and an in-process state backend.
package e2e

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var (
	// repoRoot is the module root the binary is built from.
	repoRoot string
	// pluginBinary is the hubspot binary built once for every test.
	pluginBinary string
)

func TestMain(m *testing.M) {
	code, err := run(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		code = 1
	}
	os.Exit(code)
}

func run(m *testing.M) (int, error) {
	root, err := moduleRoot()
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp("", "hubspot-e2e-")
	if err != nil {
		return 0, fmt.Errorf("temp dir: %w", err)
	}
	defer os.RemoveAll(dir)

	repoRoot, pluginBinary = root, filepath.Join(dir, "hubspot")
	build := exec.Command("go", "build", "-o", pluginBinary, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("go build: %w\n%s", err, out)
	}
	return m.Run(), nil
}

// moduleRoot asks the go command where go.mod is, so the tests run from any working directory.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("go env GOMOD: not inside the plugin's module")
	}
	return filepath.Dir(gomod), nil
}
