package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/test/figures"
)

// BenchmarkServeCPU measures the CPU per record of `hubspot serve` itself, gRPC serving and Arrow
// IPC included (on a unix socket, as the CloudQuery CLI connects to the plugins it starts on Linux
// and macOS), with the pages answered from memory by the replay proxy (test/bench/replay), as
// test/bench does for the in-process figure: a priming sync records the emulator's answers, then
// five syncs of 20,000 contacts (~160 properties) each run in a fresh process against the
// recordings, within one burst of the plugin's limiter so that nothing waits. The median of the
// five is the figure. It runs before BenchmarkServeSync, whose 500,000-contact emulator would
// otherwise share the machine with it from this process's heap.
func BenchmarkServeCPU(b *testing.B) {
	const n = 20_000
	emu, err := emulator.New(emulator.Config{Seed: 5, NoLimits: true, Counts: contactsOnly(n)})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	b.Cleanup(srv.Close)
	replayURL := startReplay(b, srv.URL)
	raw, _ := json.Marshal(map[string]any{"access_token": emu.Token(), "base_url": replayURL, "settle_lag": "1s",
		"objects": []string{"contacts"}, "associations": map[string]bool{"enabled": false},
		"rate_limit": map[string]int{"burst_per_10s": 250}})
	sync := func() time.Duration {
		p := servePlugin(b, "unix")
		backend := serveStateBackend(b)
		cpu0 := processCPU(b, p.Pid)
		if _, err := p.Init(callCtx(b), &pb.Init_Request{Spec: raw}); err != nil {
			b.Fatalf("Init: %v", err)
		}
		rows, err := countSynced(p, &pb.Sync_Request{Tables: []string{contactsTable},
			Backend: &pb.Sync_BackendOptions{TableName: stateTable, Connection: backend.Addr}})
		if err != nil || rows != n {
			b.Fatalf("Sync: %d rows, %v; want %d rows", rows, err, n)
		}
		return (processCPU(b, p.Pid) - cpu0) / n
	}
	sync() // records the emulator's answers
	perRecord := make([]time.Duration, 5)
	for i := range perRecord {
		perRecord[i] = sync()
	}
	slices.Sort(perRecord)
	fmt.Printf("%-58s %s\n", "hubspot serve: CPU per record in five syncs, unthrottled", perRecord)
	b.ReportMetric(figures.Micros(perRecord[2]), "µs/rec")
	figures.Print("hubspot serve: CPU per record, unthrottled (median)", figures.Micros(perRecord[2]), "µs/rec", figures.Micros(figures.CPUPerRecord), false)
}

// BenchmarkServeSync runs `hubspot serve` as the CloudQuery CLI does (Init, GetTables, Sync over
// gRPC on a unix socket, with a state backend) and reads the process's peak RSS and CPU from
// /proc, Init included: 500,000 contacts with every property (~160), and every table of the
// default emulator. The emulator runs in this process, unthrottled; the plugin keeps HubSpot's
// fastest pace (250 requests per 10 s).
func BenchmarkServeSync(b *testing.B) {
	for _, tc := range []struct {
		name   string
		rows   int64 // when known: every one must arrive
		counts map[string]int
		tables []string
		spec   map[string]any
	}{
		{"500,000 contacts (~160 properties)", 500_000, contactsOnly(500_000), []string{contactsTable},
			map[string]any{"objects": []string{"contacts"}, "associations": map[string]bool{"enabled": false}}},
		{"all tables, default emulator", 0, nil, []string{"*"}, nil},
	} {
		b.Run(tc.name, func(b *testing.B) {
			emu, err := emulator.New(emulator.Config{Seed: 5, NoLimits: true, Counts: tc.counts})
			if err != nil {
				b.Fatal(err)
			}
			srv := httptest.NewServer(emu.Handler())
			b.Cleanup(srv.Close)
			spec := map[string]any{"access_token": emu.Token(), "base_url": srv.URL, "settle_lag": "1s",
				"rate_limit": map[string]int{"burst_per_10s": 250}}
			for k, v := range tc.spec {
				spec[k] = v
			}
			raw, _ := json.Marshal(spec)
			p := servePlugin(b, "unix")
			backend := serveStateBackend(b)
			cpu0 := processCPU(b, p.Pid)
			start := time.Now()
			if _, err := p.Init(callCtx(b), &pb.Init_Request{Spec: raw}); err != nil {
				b.Fatalf("Init: %v", err)
			}
			if _, err := p.GetTables(callCtx(b), &pb.GetTables_Request{Tables: tc.tables}); err != nil {
				b.Fatalf("GetTables: %v", err)
			}
			rows, err := countSynced(p, &pb.Sync_Request{Tables: tc.tables,
				Backend: &pb.Sync_BackendOptions{TableName: stateTable, Connection: backend.Addr}})
			if err != nil || (tc.rows > 0 && rows != tc.rows) {
				b.Fatalf("Sync: %d rows, %v", rows, err)
			}
			wall, cpu := time.Since(start), processCPU(b, p.Pid)-cpu0
			rss, err := figures.PeakRSSMiBOf(strconv.Itoa(p.Pid))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(rss, "MiB-peak-RSS")
			figures.Print("hubspot serve: peak RSS, "+tc.name, rss, "MiB", figures.PeakRSSMiB, false)
			perRecord := float64(cpu.Microseconds()) / float64(rows)
			b.ReportMetric(perRecord, "µs/rec")
			figures.Print("hubspot serve: CPU per record at the API's pace, "+tc.name, perRecord, "µs/rec", figures.Micros(figures.CPUPerRecord), false)
			fmt.Printf("%-58s %12d rows in %s wall, %s CPU\n", "hubspot serve: "+tc.name, rows, wall.Round(time.Millisecond), cpu.Round(time.Millisecond))
		})
	}
}

// contactsOnly seeds n contacts and nothing else worth syncing.
func contactsOnly(n int) map[string]int {
	counts := emulator.DefaultCounts()
	for name := range counts {
		counts[name] = 0
	}
	counts["contacts"] = n
	return counts
}

// countSynced drains one Sync as a fast destination would, counting the inserted rows.
func countSynced(p *servedPlugin, req *pb.Sync_Request) (int64, error) {
	stream, err := p.Sync(context.Background(), req)
	if err != nil {
		return 0, fmt.Errorf("start sync: %w", err)
	}
	var rows int64
	for {
		msg, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return rows, err
		}
		if ins, ok := msg.Message.(*pb.Sync_Response_Insert); ok {
			rec, err := pb.NewRecordFromBytes(ins.Insert.Record)
			if err != nil {
				return rows, fmt.Errorf("decode record: %w", err)
			}
			rows += rec.NumRows()
			rec.Release()
		}
	}
}

// processCPU is the CPU time the process pid has used so far.
func processCPU(b *testing.B, pid int) time.Duration {
	b.Helper()
	cpu, err := figures.CPUOf(pid)
	if err != nil {
		b.Fatal(err)
	}
	return cpu
}

// startReplay builds and starts the replay proxy in front of upstream and returns its URL.
func startReplay(b *testing.B, upstream string) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "replay")
	build := exec.Command("go", "build", "-o", bin, "./test/bench/replay")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build replay: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-upstream", upstream)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "replay listening on ")
	if err != nil || !ok {
		b.Fatalf("replay did not start: %q %v", line, err)
	}
	return url
}
