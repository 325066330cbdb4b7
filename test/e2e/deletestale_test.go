package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/parquetio"
)

// staleEmails are the contacts a first run writes; the second run's warehouse rows lost the last.
var staleEmails = []string{"stale-one@example.com", "stale-two@example.com", "stale-gone@example.com"}

// assertStaleArchived checks that the contacts the first run wrote are live except the archived
// ones, and that the portal lost nothing else.
func assertStaleArchived(t *testing.T, hs *portal, liveBefore int, archived []string) {
	t.Helper()
	live := map[string]bool{}
	for _, r := range hs.emu.Records("contacts", false) {
		live[r.Properties["email"]] = true
	}
	for _, email := range staleEmails {
		if want := !slices.Contains(archived, email); live[email] != want {
			t.Errorf("contact %s live = %v, want %v", email, live[email], want)
		}
	}
	if want := liveBefore + len(staleEmails) - len(archived); len(live) != want {
		t.Errorf("%d live contacts, want %d: only the rows that disappeared may be archived", len(live), want)
	}
}

// TestDeleteStaleOverTheProtocol drives two runs as the CloudQuery CLI does, each in a new plugin
// process: the second run's rows lack one contact, and under overwrite-delete-stale the CLI ends
// the run with a DeleteStale naming the table, the source and the sync time. With on_delete:
// archive exactly that contact is archived; with append or overwrite the CLI sends no
// DeleteStale and nothing is archived.
func TestDeleteStaleOverTheProtocol(t *testing.T) {
	cases := []struct {
		name        string
		deleteStale bool
		archived    []string
	}{
		{"overwrite-delete-stale", true, staleEmails[2:]},
		{"append or overwrite", false, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hs := newPortal(t)
			spec := hs.spec(map[string]any{
				"report_path": t.TempDir(),
				"mappings":    []map[string]any{{"table": warehouseTable, "object": "contacts", "on_delete": "archive"}},
			})
			liveBefore := len(hs.emu.Records("contacts", false))
			table := warehouseContacts()
			for run, emails := range [][]string{staleEmails, staleEmails[:2]} {
				p := servePlugin(t, "unix")
				if _, err := p.Init(callCtx(t), &pb.Init_Request{Spec: spec}); err != nil {
					t.Fatalf("run %d: Init: %v", run, err)
				}
				syncTime := time.Now().UTC()
				rows := make([][2]string, len(emails))
				for i, e := range emails {
					rows[i] = [2]string{e, fmt.Sprintf("Run %d", run)}
				}
				msgs := []*pb.Write_Request{migrateMsg(t, table), insertMsg(contactRows(t, table, syncTime, rows))}
				if tc.deleteStale {
					msgs = append(msgs, deleteStaleMsg(syncTime))
				}
				if err := writeOver(t, p, msgs...); err != nil {
					t.Fatalf("run %d: Write: %v", run, err)
				}
			}
			assertStaleArchived(t, hs, liveBefore, tc.archived)
		})
	}
}

// TestDeleteStaleThroughHubspotSync runs `hubspot sync` twice from a Parquet table to the hubspot
// destination: the second run's table lacks one contact. The write mode decides, as under the
// CLI, whether the run ends with DeleteStale and so whether that contact is archived.
func TestDeleteStaleThroughHubspotSync(t *testing.T) {
	cases := []struct {
		writeMode string // "" leaves it to the default
		archived  []string
	}{
		{"", staleEmails[2:]},
		{"overwrite-delete-stale", staleEmails[2:]},
		{"overwrite", nil},
		{"append", nil},
	}
	for _, tc := range cases {
		t.Run("write_mode "+tc.writeMode, func(t *testing.T) {
			hs := newPortal(t)
			dir, report := t.TempDir(), t.TempDir()
			spec := staleSpec(t, hs, dir, report, tc.writeMode)
			liveBefore := len(hs.emu.Records("contacts", false))
			for run, emails := range [][]string{staleEmails, staleEmails[:2]} {
				writePeople(t, dir, emails)
				cmd := exec.CommandContext(callCtx(t), pluginBinary, "sync", spec)
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				if err := cmd.Run(); err != nil {
					t.Fatalf("run %d: hubspot sync: %v\n%s", run, err, out.String())
				}
			}
			assertStaleArchived(t, hs, liveBefore, tc.archived)
		})
	}
}

// staleSpec writes a `hubspot sync` spec sending the Parquet table people to contacts with the
// archive delete rule, and returns its path.
func staleSpec(t *testing.T, hs *portal, dir, report, writeMode string) string {
	t.Helper()
	mode := ""
	if writeMode != "" {
		mode = "\n  write_mode: " + writeMode
	}
	text := fmt.Sprintf(`
kind: source
spec:
  name: warehouse
  path: cloudquery/file
  registry: cloudquery
  tables: [people]
  destinations: [hubspot]
  spec:
    path: %s
    format: parquet
---
kind: destination
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  registry: local%s
  spec:
    access_token: %s
    base_url: %s
    objects: [contacts]
    report_path: %s
    mappings:
      - table: people
        object: contacts
        on_delete: archive
`, dir, mode, hs.emu.Token(), hs.url, report)
	path := filepath.Join(t.TempDir(), "spec.yml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// writePeople replaces the Parquet table people under dir with one row per email.
func writePeople(t *testing.T, dir string, emails []string) {
	t.Helper()
	table := filepath.Join(dir, "people")
	if err := os.RemoveAll(table); err != nil {
		t.Fatal(err)
	}
	sc := arrow.NewSchema([]arrow.Field{{Name: "email", Type: arrow.BinaryTypes.String, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	for _, e := range emails {
		b.Field(0).(*array.StringBuilder).Append(e)
	}
	rec := b.NewRecord()
	defer rec.Release()
	w, err := parquetio.NewWriter(table, sc, parquetio.WithFilePrefix("export"))
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
