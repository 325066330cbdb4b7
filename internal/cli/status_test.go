package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad input to hubspot status says what is wrong and what to give instead.
func TestStatusRejectsBadInput(t *testing.T) {
	empty := t.TempDir()
	if err := os.WriteFile(filepath.Join(empty, "notes.txt"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{name: "no such folder", args: []string{filepath.Join(empty, "missing")}, want: "give the report_path of the hubspot destination"},
		{name: "a folder without reports", args: []string{empty}, want: "holds no reverse-ETL reports"},
		{name: "zero runs", args: []string{"--runs", "0", empty}, want: "show at least 1 run"},
		{name: "two folders", args: []string{empty, empty}, want: "give at most one report folder"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := runStatus(context.Background(), tc.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}
