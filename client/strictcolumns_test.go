package client_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/rs/zerolog"

	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

// TestColumnsThatLookLikeProperties writes a table with misspelt columns: by default each is
// warned about once, with its closest properties, and the other rows' values are written; with
// strict_columns the migrate fails naming table, columns and suggestions, and nothing is written.
func TestColumnsThatLookLikeProperties(t *testing.T) {
	cases := []struct {
		name    string
		strict  bool
		wantErr []string // nil: the write succeeds
	}{
		{name: "warned once per column"},
		{name: "strict_columns fails migrate", strict: true, wantErr: []string{`table "people"`,
			`column "fristname"`, `"firstname"`, `column "job_titel"`, `"jobtitle"`, "strict_columns is on", `fristname: ""`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newDestPortal(t)
			c := p.seeded("contacts", 1, "email", "firstname")[0]
			tb := newTable("people", map[string]arrow.DataType{"email": utf8, "fristname": utf8, "job_titel": utf8,
				"created_at": arrow.FixedWidthTypes.Timestamp_us, "portal": utf8, "loaded_at": utf8, "city": utf8},
				map[string]any{"email": c.Properties["email"], "fristname": "Typo", "job_titel": "Typo", "city": "Lima"})
			mapping := map[string]any{"table": "people", "object": "contacts", "strict_columns": tc.strict}
			var log bytes.Buffer
			err := writeLogged(t, &log, p.specFor(t, t.TempDir(), nil, mapping), tb)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatal("migrate accepted misspelt columns under strict_columns")
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not name %q", err, w)
					}
				}
				if n := p.writeCount(); n != 0 {
					t.Errorf("%d write requests after a failed migrate", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("write: %v", err)
			}
			warned := map[string][]string{}
			scanner := bufio.NewScanner(&log)
			for scanner.Scan() {
				var line struct {
					Level, Message, Table, Column string
					Closest                       []string `json:"closest_properties"`
				}
				if json.Unmarshal(scanner.Bytes(), &line) != nil || !strings.Contains(line.Message, "misspelt") {
					continue
				}
				if line.Level != "warn" || line.Table != "people" {
					t.Errorf("warning %s", scanner.Text())
				}
				if _, dup := warned[line.Column]; dup {
					t.Errorf("column %s warned twice", line.Column)
				}
				warned[line.Column] = line.Closest
			}
			if len(warned) != 2 || !slices.Equal(warned["fristname"], []string{"firstname"}) || !slices.Equal(warned["job_titel"], []string{"jobtitle"}) {
				t.Errorf("warnings %v, want fristname: [firstname] and job_titel: [jobtitle] only", warned)
			}
			if r, _ := p.byID("contacts", c.ID); r.Properties["city"] != "Lima" || r.Properties["firstname"] == "Typo" {
				t.Errorf("contact city %q firstname %q: mapped columns are written, misspelt ones are not", r.Properties["city"], r.Properties["firstname"])
			}
		})
	}
}

// writeLogged is write with the plugin's log in log.
func writeLogged(t *testing.T, log *bytes.Buffer, spec []byte, tb *table) error {
	t.Helper()
	ctx := context.Background()
	p := hsplugin.Plugin()
	p.SetLogger(zerolog.New(&lockedWriter{w: log}))
	if err := p.Init(ctx, spec, plugin.NewClientOptions{}); err != nil {
		t.Fatalf("init: %v", err)
	}
	defer p.Close(ctx)
	msgs := []message.WriteMessage{&message.WriteMigrateTable{Table: tb.def}}
	for _, rec := range tb.records() {
		msgs = append(msgs, &message.WriteInsert{Record: rec})
	}
	return p.WriteAll(ctx, msgs)
}
