// Package demo runs the whole product against a bundled, seeded HubSpot emulator: a full sync to
// Parquet, changes in HubSpot, an incremental sync that moves only the changes, and a reverse-ETL
// write back to HubSpot. No token and nothing to install.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/runner"
	"github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
)

// Options configure a demo run.
type Options struct {
	Dir    string // output directory (./demo-output)
	Out    io.Writer
	Live   bool // redraw progress in place
	Logger zerolog.Logger
}

const settleLag = 2 * time.Second

var counts = map[string]int{
	"contacts": 5000, "companies": 800, "deals": 1200, "tickets": 600, "calls": 500, "emails": 500,
	"meetings": 400, "notes": 600, "tasks": 500, "cars": 300, "subscriptions": 300,
}

// Run runs the demo, removing what an earlier demo left in opts.Dir.
func Run(ctx context.Context, opts Options) error {
	if err := os.RemoveAll(opts.Dir); err != nil {
		return fmt.Errorf("clean %s: %w", opts.Dir, err)
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return err
	}
	emu, err := emulator.New(emulator.Config{Seed: 42, Counts: counts, BurstLimit: 190, SearchPerSecond: 5, SearchLag: time.Second})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	base := "http://" + ln.Addr().String()
	d := &demo{opts: opts, emu: emu, out: opts.Out}

	d.step("1. A HubSpot portal (the bundled emulator, Professional tier: 190 requests per 10 s) at %s", base)
	fmt.Fprintf(d.out, "   %s records across %d object types, with custom objects, associations, pipelines and owners\n", runner.Thousands(total(counts)), len(counts))
	syncSpec, err := d.writeSpec("sync.yml", syncTemplate, map[string]string{"BaseURL": base, "Out": filepath.Join(opts.Dir, "parquet"), "Lag": settleLag.String()})
	if err != nil {
		return err
	}
	env := map[string]string{"HUBSPOT_ACCESS_TOKEN": emu.Token()}

	d.step("2. Full sync: hubspot sync %s", syncSpec)
	if err := d.run(ctx, syncSpec, env); err != nil {
		return err
	}

	d.step("3. Changes in HubSpot: 25 contacts edited, 10 deals created, 5 companies archived")
	if err := d.mutate(); err != nil {
		return err
	}
	time.Sleep(settleLag + time.Second) // let HubSpot's search index settle the changes

	d.step("4. Incremental sync: only the changes move")
	if err := d.run(ctx, syncSpec, env); err != nil {
		return err
	}
	warehouse, err := d.writeWarehouse(filepath.Join(opts.Dir, "warehouse"))
	if err != nil {
		return fmt.Errorf("write the warehouse table: %w", err)
	}
	report := filepath.Join(opts.Dir, "reverse-etl-report")
	reverseSpec, err := d.writeSpec("reverse-etl.yml", reverseTemplate, map[string]string{"BaseURL": base, "In": warehouse, "Report": report, "Table": warehouseTable})
	if err != nil {
		return err
	}
	d.step("5. Reverse ETL: %s rows from the warehouse (Parquet) back to HubSpot contacts: hubspot sync %s", warehouseTable, reverseSpec)
	fmt.Fprintln(d.out, "   match by email; conflict winner: source (empty values change nothing); associate each contact with its company by domain")
	if err := d.reverseETL(ctx, reverseSpec, env, report); err != nil {
		return err
	}
	d.step("6. The same reverse ETL again: nothing changed, so it only reads to diff and writes nothing")
	if err := d.reverseETL(ctx, reverseSpec, env, report); err != nil {
		return err
	}

	d.step("Done. In %s: Parquet tables (parquet/), the specs used, the warehouse input and the outcome reports", opts.Dir)
	return nil
}

type demo struct {
	opts Options
	emu  *emulator.Emulator
	out  io.Writer
}

func (d *demo) step(format string, args ...any) {
	fmt.Fprintf(d.out, "\n== "+format+"\n", args...)
}

func (d *demo) writeSpec(name, tmpl string, data map[string]string) (string, error) {
	var b strings.Builder
	if err := template.Must(template.New(name).Parse(tmpl)).Execute(&b, data); err != nil {
		return "", err
	}
	path := filepath.Join(d.opts.Dir, name)
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

func (d *demo) run(ctx context.Context, spec string, env map[string]string) error {
	job, err := runner.Load(spec, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return err
	}
	sum, err := job.Run(ctx, runner.Options{StatePath: filepath.Join(d.opts.Dir, "state.json"), Out: d.out, Progress: d.opts.Live, Logger: d.opts.Logger, NewPlugin: plugin.Plugin})
	if sum != nil {
		fmt.Fprintln(d.out)
		sum.Print(d.out)
	}
	return err
}

// reverseETL runs the reverse-ETL spec and tallies the outcome report it wrote.
func (d *demo) reverseETL(ctx context.Context, spec string, env map[string]string, report string) error {
	if err := d.run(ctx, spec, env); err != nil {
		return err
	}
	fmt.Fprintln(d.out)
	return d.printOutcomes(ctx, report)
}

func (d *demo) mutate() error {
	contacts := d.emu.Records("contacts", false)
	companies := d.emu.Records("companies", false)
	var errs []error
	for i, c := range contacts[:25] {
		errs = append(errs, d.emu.Update("contacts", c.ID, map[string]string{"lifecyclestage": "customer", "jobtitle": fmt.Sprintf("Head of Data %d", i)}))
	}
	for i := range 10 {
		_, err := d.emu.Create("deals", map[string]string{"dealname": fmt.Sprintf("Demo renewal %d", i+1), "pipeline": "default", "dealstage": "appointmentscheduled", "amount": "12000"})
		errs = append(errs, err)
	}
	for _, c := range companies[:5] {
		errs = append(errs, d.emu.Archive("companies", c.ID))
	}
	return errors.Join(errs...)
}

func total(m map[string]int) int64 {
	var n int64
	for _, v := range m {
		n += int64(v)
	}
	return n
}

const reverseTemplate = `# Parquet -> HubSpot (reverse ETL), run with: hubspot sync reverse-etl.yml
kind: source
spec:
  name: parquet
  path: cloudquery/file
  tables: ["*"]
  destinations: [hubspot]
  spec:
    path: {{.In}}
    format: parquet
---
kind: destination
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  spec:
    access_token: ${HUBSPOT_ACCESS_TOKEN}
    base_url: {{.BaseURL}}
    rate_limit:
      burst_per_10s: 190
    report_path: {{.Report}}
    mappings:
      - table: {{.Table}}
        object: contacts
        match_key: email
        conflict: source
        columns:
          score: tier_score
          company_domain: ""
        associations:
          - to: companies
            column: company_domain
            match_property: domain
`

const syncTemplate = `# HubSpot -> Parquet, run with: hubspot sync sync.yml (HUBSPOT_ACCESS_TOKEN set)
kind: source
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  tables: ["*"]
  destinations: [parquet]
  spec:
    access_token: ${HUBSPOT_ACCESS_TOKEN}
    base_url: {{.BaseURL}}
    settle_lag: {{.Lag}}
    # Archived records arrive at every run rather than once an hour (the default).
    tombstone_interval: 0s
    rate_limit:
      burst_per_10s: 190
---
kind: destination
spec:
  name: parquet
  path: cloudquery/file
  spec:
    path: {{.Out}}
    format: parquet
`
