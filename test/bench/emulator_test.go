package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/cli"
	"github.com/hubspot-cq/cq-plugin-hubspot/test/figures"
)

// binary is the plugin binary built once for the benchmarks that run the emulator out of process,
// so that the benchmark process's CPU and memory are the plugin's alone; replayBinary is the
// replay proxy (see replay/main.go), out of process for the same reason.
var binary, replayBinary string

func TestMain(m *testing.M) {
	flag.Parse()
	if flag.Lookup("test.bench").Value.String() == "" {
		os.Exit(m.Run()) // no benchmark asked for: nothing to build
	}
	cli.TuneRuntime() // measure the runtime settings the binary syncs with
	dir, err := os.MkdirTemp("", "hubspot-bench")
	if err != nil {
		panic(err)
	}
	binary, replayBinary = filepath.Join(dir, "hubspot"), filepath.Join(dir, "replay")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Dir = "../.."
	buildReplay := exec.Command("go", "build", "-o", replayBinary, "./replay")
	for _, cmd := range []*exec.Cmd{build, buildReplay} {
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build:", err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// benchToken is the emulator's token in benchmarks.
const benchToken = "bench-token"

// source is a server a benchmark syncs from: the emulator, or the replay proxy in front of it.
type source interface {
	baseURL() string
	// requests is how many API requests the server has received so far.
	requests(b *testing.B) int
}

// externalEmulator is `hubspot emulator` running as its own process.
type externalEmulator struct {
	URL string
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

func startEmulator(b *testing.B, args ...string) *externalEmulator {
	b.Helper()
	return &externalEmulator{URL: startServer(b, binary, append([]string{"emulator", "--port", "0", "--token", benchToken}, args...)...)}
}

func (e *externalEmulator) baseURL() string { return e.URL }

func (e *externalEmulator) requests(b *testing.B) int { return e.stats(b).total() }

// replayServer is the replay proxy (replay/main.go) in front of an emulator.
type replayServer struct {
	URL string
}

func startReplay(b *testing.B, emu *externalEmulator) *replayServer {
	b.Helper()
	return &replayServer{URL: startServer(b, replayBinary, "-upstream", emu.URL)}
}

func (r *replayServer) baseURL() string { return r.URL }

// replayCounts is the proxy's /_replay/stats answer: requests by method.
type replayCounts struct {
	Replayed  map[string]int `json:"replayed"`
	Forwarded map[string]int `json:"forwarded"`
}

func (r *replayServer) counts(b *testing.B) replayCounts {
	b.Helper()
	var c replayCounts
	call(b, http.MethodGet, r.URL+"/_replay/stats", "", &c)
	return c
}

func (r *replayServer) requests(b *testing.B) int {
	c := r.counts(b)
	return sum(c.Replayed, c.Forwarded)
}

// setWait makes the proxy wait d before each answer from memory.
func (r *replayServer) setWait(b *testing.B, d time.Duration) {
	b.Helper()
	call(b, http.MethodPost, r.URL+"/_replay/wait?"+url.Values{"d": {d.String()}}.Encode(), "", nil)
}

// startServer starts a server process that prints "listening on URL" and returns the URL; the process
// ends with the benchmark.
func startServer(b *testing.B, name string, args ...string) string {
	b.Helper()
	cmd := exec.Command(name, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if m := listening.FindStringSubmatch(lines.Text()); m != nil {
			go func() {
				for lines.Scan() {
				}
			}()
			return m[1]
		}
	}
	b.Fatalf("%s did not start: %v", filepath.Base(name), lines.Err())
	return ""
}

// emulatorStats is the emulator's /_emulator/stats answer.
type emulatorStats struct {
	Requests    map[string]int `json:"requests"`
	RateLimited map[string]int `json:"rateLimited"`
}

func (s emulatorStats) total() int { return sum(s.Requests) }

// sum adds up the counts of any number of per-key tallies.
func sum(tallies ...map[string]int) int {
	n := 0
	for _, t := range tallies {
		for _, v := range t {
			n += v
		}
	}
	return n
}

func (e *externalEmulator) stats(b *testing.B) emulatorStats {
	b.Helper()
	var s emulatorStats
	e.admin(b, http.MethodGet, "stats", "", &s)
	return s
}

func (e *externalEmulator) admin(b *testing.B, method, path, body string, out any) {
	b.Helper()
	call(b, method, e.URL+"/_emulator/"+path, body, out)
}

// call sends a request to a benchmark's server and decodes the JSON answer into out, when not nil.
func call(b *testing.B, method, url, body string, out any) {
	b.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		b.Fatalf("%s %s: %s", method, url, res.Status)
	}
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			b.Fatal(err)
		}
	}
}

// report prints a figure with its target and ratio, and records it as a benchmark metric.
func report(b *testing.B, name string, value float64, unit string, target float64, higherIsBetter bool) {
	b.Helper()
	figures.Print(name, value, unit, target, higherIsBetter)
	b.ReportMetric(value, strings.ReplaceAll(unit, " ", "_"))
}
