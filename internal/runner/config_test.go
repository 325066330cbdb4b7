package runner

import (
	"strings"
	"testing"
)

const hubspotSource = `
kind: source
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  registry: local
  tables: ["hubspot_crm_contacts"]
  spec:
    access_token: ${TOKEN}
`

const hubspotDestination = `
kind: destination
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  registry: local
  spec:
    access_token: ${TOKEN}
`

// filesDoc is a file plugin document of the given kind and format, with a path.
func filesDoc(kind, format string) string {
	return `
kind: ` + kind + `
spec:
  name: file
  path: cloudquery/file
  registry: cloudquery
  spec:
    path: /data/hubspot
    format: ` + format + "\n"
}

// withWriteMode adds write_mode to a plugin document.
func withWriteMode(doc, mode string) string {
	return strings.Replace(doc, "\nspec:\n", "\nspec:\n  write_mode: "+mode+"\n", 1)
}

const parquetSource = `
kind: source
spec:
  name: parquet
  path: local/parquet
  spec:
    path: /data/scores
`

func TestLoad(t *testing.T) {
	env := map[string]string{"TOKEN": "pat-na1-secret"}
	lookup := func(name string) (string, bool) { v, ok := env[name]; return v, ok }
	cases := []struct {
		name      string
		text      string
		wantErr   []string // substrings of the error; nil = success
		direction Direction
		dir       string
		writeMode string // of the hubspot destination; "" is not checked
	}{
		{name: "hubspot to file plugin with parquet format", text: hubspotSource + "---" + filesDoc("destination", "parquet"),
			direction: Read, dir: "/data/hubspot"},
		{name: "parquet plugin source to hubspot destination", text: parquetSource + "---" + hubspotDestination,
			direction: Write, dir: "/data/scores"},
		{name: "file plugin source with parquet format", text: hubspotDestination + "---" + filesDoc("source", "parquet"),
			direction: Write, dir: "/data/hubspot"},
		{name: "missing variables named", text: strings.ReplaceAll(hubspotSource, "${TOKEN}", "${NOPE_B}${NOPE_A}") + "---" +
			strings.ReplaceAll(filesDoc("destination", "parquet"), "/data/hubspot", "${NOPE_B}"),
			wantErr: []string{"NOPE_A", "NOPE_B", "not set"}},
		{name: "two plugin sides", text: hubspotSource + "---" + hubspotDestination,
			wantErr: []string{"one side must be the file plugin with format: parquet"}},
		{name: "two parquet sides", text: parquetSource + "---" + filesDoc("destination", "parquet"),
			wantErr: []string{"one side must be the file plugin"}},
		{name: "file plugin with another format", text: hubspotSource + "---" + filesDoc("destination", "csv"),
			wantErr: []string{"one side must be the file plugin with format: parquet"}},
		{name: "missing spec.path", text: hubspotSource + "---" + strings.ReplaceAll(filesDoc("destination", "parquet"), "path: /data/hubspot", "no_path: x"),
			wantErr: []string{"destination", "spec.path"}},
		{name: "unknown field", text: strings.ReplaceAll(hubspotSource, "registry:", "registri:") + "---" + filesDoc("destination", "parquet"),
			wantErr: []string{"document 1", "registri"}},
		{name: "bad kind", text: hubspotSource + "---" + filesDoc("transformer", "parquet"),
			wantErr: []string{"document 2", "kind must be source or destination", "transformer"}},
		{name: "only one document", text: hubspotSource,
			wantErr: []string{"one source and one destination", "got 1 and 0"}},
		{name: "write_mode defaults to overwrite-delete-stale", text: parquetSource + "---" + hubspotDestination,
			direction: Write, dir: "/data/scores", writeMode: WriteModeOverwriteDeleteStale},
		{name: "write_mode overwrite", text: parquetSource + "---" + withWriteMode(hubspotDestination, "overwrite"),
			direction: Write, dir: "/data/scores", writeMode: WriteModeOverwrite},
		{name: "write_mode append", text: parquetSource + "---" + withWriteMode(hubspotDestination, "append"),
			direction: Write, dir: "/data/scores", writeMode: WriteModeAppend},
		{name: "unknown write_mode", text: parquetSource + "---" + withWriteMode(hubspotDestination, "upsert"),
			wantErr: []string{`destination spec "hubspot"`, "write_mode must be one of overwrite-delete-stale, overwrite, append", `"upsert"`}},
		{name: "write_mode on a source", text: withWriteMode(parquetSource, "append") + "---" + hubspotDestination,
			wantErr: []string{`source spec "parquet"`, "write_mode is a destination setting"}},
		{name: "append to Parquet files", text: hubspotSource + "---" + withWriteMode(filesDoc("destination", "parquet"), "append"),
			direction: Read, dir: "/data/hubspot"},
		{name: "Parquet files are never overwritten", text: hubspotSource + "---" + withWriteMode(filesDoc("destination", "parquet"), "overwrite-delete-stale"),
			wantErr: []string{`destination spec "file"`, "only appends Parquet files"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, tc.text)
			job, err := Load(path, lookup)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("no error, job %+v", job)
				}
				for _, want := range append(tc.wantErr, path) {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not mention %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if job.Direction != tc.direction || job.Dir != tc.dir || job.Plugin.Name != "hubspot" {
				t.Errorf("got direction %v, dir %q, plugin %q; want %v, %q, hubspot", job.Direction, job.Dir, job.Plugin.Name, tc.direction, tc.dir)
			}
			if tc.writeMode != "" && job.Plugin.WriteMode != tc.writeMode {
				t.Errorf("write_mode %q, want %q", job.Plugin.WriteMode, tc.writeMode)
			}
			if got := job.Plugin.Spec["access_token"]; got != env["TOKEN"] {
				t.Errorf("access_token expanded to %v, want %q", got, env["TOKEN"])
			}
		})
	}
}

func TestLoadNamesEachMissingVariableOnce(t *testing.T) {
	text := strings.ReplaceAll(hubspotSource, "${TOKEN}", "${A}-${B}-${A}") + "---" + filesDoc("destination", "${B}")
	_, err := Load(writeFile(t, text), func(string) (string, bool) { return "", false })
	if err == nil {
		t.Fatal("no error")
	}
	if !strings.Contains(err.Error(), "variable(s) A, B not set") {
		t.Errorf("error %q, want each missing variable named once: A, B", err)
	}
}

func TestLoadMissingFile(t *testing.T) {
	if _, err := Load(t.TempDir()+"/absent.yml", func(string) (string, bool) { return "", true }); err == nil || !strings.Contains(err.Error(), "read spec") {
		t.Errorf("error %v, want read spec", err)
	}
}
