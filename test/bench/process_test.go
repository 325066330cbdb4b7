package bench

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/test/figures"
)

// syncProcess is what one `hubspot sync` process used.
type syncProcess struct {
	wall   time.Duration
	cpu    time.Duration
	peakMB float64 // peak resident set size, MiB
	output string
}

// parquetSpec is a `hubspot sync` spec landing the selected tables of emu in Parquet.
var parquetSpec = template.Must(template.New("spec").Parse(`kind: source
spec:
  name: hubspot
  path: hubspot-cq/hubspot
  tables: [{{.Tables}}]
  destinations: [parquet]
  spec:
    access_token: ` + benchToken + `
    base_url: {{.URL}}
    objects: [{{.Objects}}]
    settle_lag: 1s
    max_records_per_sync: {{.Cap}}
    rate_limit:
      burst_per_10s: {{.Burst}}
    associations:
      enabled: false
---
kind: destination
spec:
  name: parquet
  path: cloudquery/file
  spec:
    path: {{.Out}}
    format: parquet
`))

// parquetRun describes one `hubspot sync` to Parquet.
type parquetRun struct {
	URL, Tables, Objects, Out string
	Cap, Burst                int
}

// runSync runs `hubspot sync` with spec in a fresh directory and reports the process's resource use
// from the kernel's accounting of the finished child.
func runSync(b *testing.B, run parquetRun, env ...string) syncProcess {
	b.Helper()
	dir := b.TempDir()
	run.Out = filepath.Join(dir, "out")
	var spec bytes.Buffer
	if err := parquetSpec.Execute(&spec, run); err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "hubspot.yml")
	if err := os.WriteFile(path, spec.Bytes(), 0o600); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(binary, "sync", path)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("hubspot sync: %v\n%s", err, lastLines(out.String(), 20))
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return syncProcess{
		wall:   wall,
		cpu:    time.Duration(ru.Utime.Nano() + ru.Stime.Nano()),
		peakMB: float64(ru.Maxrss) / 1024, // kilobytes on Linux
		output: out.String(),
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// BenchmarkSyncParquet runs `hubspot sync` to Parquet over 500,000 contacts with every property
// (~160) at HubSpot's fastest pace, the emulator unthrottled, and reports the process's peak RSS
// and CPU per record.
func BenchmarkSyncParquet(b *testing.B) {
	const n = 500_000
	emu := startEmulator(b, "--no-limits", "--counts", fmt.Sprintf("contacts=%d", n))
	p := runSync(b, parquetRun{URL: emu.URL, Tables: "hubspot_crm_contacts", Objects: "contacts", Cap: n, Burst: burstPer10s})
	report(b, fmt.Sprintf("hubspot sync to Parquet: peak RSS, %d contacts (~160 properties)", n), p.peakMB, "MiB", figures.PeakRSSMiB, false)
	fmt.Printf("%-58s %12.2f µs/rec, Parquet encoding included (no target)\n", "hubspot sync to Parquet: CPU per record", figures.Micros(p.cpu/n))
	fmt.Printf("%-58s %12.0f records/s in %s wall\n", "hubspot sync to Parquet: wall-clock rate", n/p.wall.Seconds(), p.wall.Round(time.Millisecond))
}

// BenchmarkBackfill1M is DESIGN.md's headline: 1,000,000 contacts with every property (~160)
// backfilled by `hubspot sync` to Parquet at the Professional tier's 190 requests per 10 s, against
// the emulator enforcing that tier's limits, in under 10 minutes (the limit's own ceiling is 526 s).
// It takes about ten minutes, so `make bench` leaves it out: run it with `make bench-1m`.
func BenchmarkBackfill1M(b *testing.B) {
	if os.Getenv("HUBSPOT_BENCH_1M") == "" {
		b.Skip("set HUBSPOT_BENCH_1M=1 (make bench-1m) to run the 1,000,000-contact backfill")
	}
	const n, burst = 1_000_000, 190
	emu := startEmulator(b, "--tier", "professional", "--counts", fmt.Sprintf("contacts=%d", n))
	before := emu.stats(b)
	p := runSync(b, parquetRun{URL: emu.URL, Tables: "hubspot_crm_contacts", Objects: "contacts", Cap: n, Burst: burst})
	after := emu.stats(b)
	if !strings.Contains(p.output, "hubspot_crm_contacts") || !strings.Contains(p.output, "1,000,000") {
		b.Fatalf("the sync did not report 1,000,000 contacts:\n%s", lastLines(p.output, 15))
	}
	requests := after.total() - before.total()
	limited := sum(after.RateLimited) - sum(before.RateLimited)
	report(b, "backfill 1M contacts at 190/10s: wall time", p.wall.Seconds(), "s", 600, false)
	fmt.Printf("%-58s %12.0f records/s (the limit allows %d)\n", "backfill 1M contacts: rate", n/p.wall.Seconds(), burst*10)
	report(b, "backfill 1M contacts: share of the burst limit", 100*float64(requests)/(p.wall.Seconds()*burst/10), "%", 95, true)
	report(b, "backfill 1M contacts: 429s drawn", float64(limited), "429s", 0, false)
	report(b, "backfill 1M contacts: peak RSS", p.peakMB, "MiB", figures.PeakRSSMiB, false)
	fmt.Printf("%-58s %12d requests, %s CPU\n", "backfill 1M contacts", requests, p.cpu.Round(time.Second))
}
