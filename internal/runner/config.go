// Package runner runs the plugin in-process without the CloudQuery CLI: HubSpot to Parquet files
// (sync), or Parquet files to HubSpot (reverse ETL), from the same YAML a CloudQuery user writes.
package runner

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// document is one `kind: source|destination` document of a CloudQuery spec file.
type document struct {
	Kind string     `yaml:"kind"`
	Spec pluginSpec `yaml:"spec"`
}

type pluginSpec struct {
	Name           string          `yaml:"name"`
	Path           string          `yaml:"path"`
	Registry       string          `yaml:"registry"`
	Version        string          `yaml:"version"`
	Tables         []string        `yaml:"tables"`
	SkipTables     []string        `yaml:"skip_tables"`
	Destinations   []string        `yaml:"destinations"`
	BackendOptions *backendOptions `yaml:"backend_options"`
	// WriteMode is a destination's write mode, as the CloudQuery CLI reads it.
	WriteMode string         `yaml:"write_mode"`
	Spec      map[string]any `yaml:"spec"`
}

// Write modes of a destination, with the CloudQuery CLI's meaning: overwrite-delete-stale (the
// default) ends each table with a DeleteStale message, overwrite and append send none.
const (
	WriteModeOverwriteDeleteStale = "overwrite-delete-stale"
	WriteModeOverwrite            = "overwrite"
	WriteModeAppend               = "append"
)

var writeModes = []string{WriteModeOverwriteDeleteStale, WriteModeOverwrite, WriteModeAppend}

type backendOptions struct {
	TableName  string `yaml:"table_name"`
	Connection string `yaml:"connection"`
}

// Direction says which way records move.
type Direction int

const (
	// Read lands HubSpot records in Parquet files.
	Read Direction = iota
	// Write sends Parquet rows to HubSpot (reverse ETL).
	Write
)

// Job is a loaded spec file: the HubSpot side, the Parquet side, and the direction between them.
type Job struct {
	Direction Direction
	// Plugin is the hubspot plugin's document (source for Read, destination for Write).
	Plugin pluginSpec
	// Files is the Parquet side's document; Dir is its path.
	Files pluginSpec
	Dir   string
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// Load reads a spec file, expanding ${VAR} from the environment as the CloudQuery CLI does.
func Load(path string, lookupEnv func(string) (string, bool)) (*Job, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	var missing []string
	expanded := envRef.ReplaceAllFunc(raw, func(m []byte) []byte {
		name := string(envRef.FindSubmatch(m)[1])
		v, ok := lookupEnv(name)
		if !ok {
			missing = append(missing, name)
		}
		return []byte(v)
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("%s: environment variable(s) %s not set", path, strings.Join(slices.Compact(slices.Sorted(slices.Values(missing))), ", "))
	}
	docs, err := decodeDocuments(expanded)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	job, err := pair(docs)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return job, nil
}

func decodeDocuments(raw []byte) ([]document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	var docs []document
	for i := 1; ; i++ {
		var d document
		err := dec.Decode(&d)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if d.Kind != "source" && d.Kind != "destination" {
			return nil, fmt.Errorf("document %d: kind must be source or destination, got %q", i, d.Kind)
		}
		docs = append(docs, d)
	}
}

// isFiles reports whether a document is the Parquet side: CloudQuery's file plugin with format
// parquet, or a plugin named parquet.
func (s pluginSpec) isFiles() bool {
	if s.Name == "parquet" || strings.HasSuffix(s.Path, "/parquet") {
		return true
	}
	format, _ := s.Spec["format"].(string)
	return (s.Name == "file" || strings.HasSuffix(s.Path, "/file")) && format == "parquet"
}

// checkWriteModes applies the CLI's write_mode rules: a destination setting, defaulting to
// overwrite-delete-stale. The Parquet destination of a sync only appends files.
func (j *Job) checkWriteModes(src pluginSpec) error {
	if src.WriteMode != "" {
		return fmt.Errorf("source spec %q: write_mode is a destination setting; move it to the destination document", src.Name)
	}
	if j.Direction == Read {
		if m := j.Files.WriteMode; m != "" && m != WriteModeAppend {
			return fmt.Errorf("destination spec %q: hubspot sync only appends Parquet files; set write_mode to append or leave it out, got %q", j.Files.Name, m)
		}
		return nil
	}
	j.Plugin.WriteMode = cmp.Or(j.Plugin.WriteMode, WriteModeOverwriteDeleteStale)
	if !slices.Contains(writeModes, j.Plugin.WriteMode) {
		return fmt.Errorf("destination spec %q: write_mode must be one of %s, got %q", j.Plugin.Name, strings.Join(writeModes, ", "), j.Plugin.WriteMode)
	}
	return nil
}

func pair(docs []document) (*Job, error) {
	var sources, dests []document
	for _, d := range docs {
		if d.Kind == "source" {
			sources = append(sources, d)
		} else {
			dests = append(dests, d)
		}
	}
	if len(sources) != 1 || len(dests) != 1 {
		return nil, fmt.Errorf("want one source and one destination document, got %d and %d", len(sources), len(dests))
	}
	src, dst := sources[0].Spec, dests[0].Spec
	job := &Job{}
	switch {
	case dst.isFiles() && !src.isFiles():
		job.Direction, job.Plugin, job.Files = Read, src, dst
	case src.isFiles() && !dst.isFiles():
		job.Direction, job.Plugin, job.Files = Write, dst, src
	default:
		return nil, fmt.Errorf("hubspot sync moves records between HubSpot and Parquet files: one side must be the file plugin with format: parquet (destination %q, source %q); for other destinations use the CloudQuery CLI", dst.Name, src.Name)
	}
	if err := job.checkWriteModes(src); err != nil {
		return nil, err
	}
	dir, _ := job.Files.Spec["path"].(string)
	if dir == "" {
		return nil, fmt.Errorf("%s spec %q: set spec.path to the Parquet directory", map[Direction]string{Read: "destination", Write: "source"}[job.Direction], job.Files.Name)
	}
	job.Dir = dir
	return job, nil
}
