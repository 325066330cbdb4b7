package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/cloudquery/plugin-sdk/v4/message"
	"github.com/cloudquery/plugin-sdk/v4/plugin"
	"github.com/rs/zerolog"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	hsplugin "github.com/hubspot-cq/cq-plugin-hubspot/resources/plugin"
	"github.com/hubspot-cq/cq-plugin-hubspot/test/figures"
)

// burstPer10s is the plugin's rate limit in the benchmarks: HubSpot's fastest tier.
const burstPer10s = 250

// syncRun is one plugin sync into a discarding sink.
type syncRun struct {
	records  int64
	requests int // received by the server synced from, Init's discovery included
	cpu      time.Duration
	wall     time.Duration
}

func (r syncRun) cpuPerRecord() time.Duration { return r.cpu / time.Duration(r.records) }

// syncContacts runs one plugin sync of contacts from src, with the spec fields in extra added or
// replaced.
func syncContacts(b *testing.B, src source, statePath string, extra map[string]any) syncRun {
	b.Helper()
	spec := map[string]any{"access_token": benchToken, "base_url": src.baseURL(), "objects": []string{"contacts"},
		"settle_lag": "1s", "rate_limit": map[string]int{"burst_per_10s": burstPer10s}, "associations": map[string]bool{"enabled": false}}
	for k, v := range extra {
		spec[k] = v
	}
	raw, _ := json.Marshal(spec)
	ctx := context.Background()
	p := hsplugin.Plugin(client.WithLocalState(statePath))
	p.SetLogger(zerolog.Nop())
	before := src.requests(b) // Init's discovery requests count: they take slots of the same limiter
	if err := p.Init(ctx, raw, plugin.NewClientOptions{}); err != nil {
		b.Fatal(err)
	}
	defer p.Close(ctx)
	cpu0, start := cpuTime(), time.Now()
	msgs := make(chan message.SyncMessage, 16)
	done := make(chan error, 1)
	go func() {
		defer close(msgs)
		done <- p.Sync(ctx, plugin.SyncOptions{Tables: []string{"hubspot_crm_contacts"}}, msgs)
	}()
	var run syncRun
	for m := range msgs {
		if ins, ok := m.(*message.SyncInsert); ok {
			run.records += ins.Record.NumRows()
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	run.wall, run.cpu = time.Since(start), cpuTime()-cpu0
	run.requests = src.requests(b) - before
	return run
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSourceRequests reports requests per 1,000 records for a full and an incremental sync of
// 20,000 contacts with every property, and the plugin's CPU per record, unthrottled, with every
// property (160) and with 100 of them.
func BenchmarkSourceRequests(b *testing.B) {
	const n = 20_000
	emu := startEmulator(b, "--no-limits", "--counts", "contacts="+strconv.Itoa(n))
	state := b.TempDir() + "/state.json"
	full := syncContacts(b, emu, state, nil)
	if full.records != n {
		b.Fatalf("full sync read %d contacts, want %d", full.records, n)
	}
	report(b, "source full sync: requests per 1,000 records", perThousand(full.requests, full.records), "req/1k", 10.5, false)
	fmt.Printf("%-58s %12.0f records/s in %s wall (paced by the emulator's page time)\n", "source full sync: wall-clock rate", float64(full.records)/full.wall.Seconds(), full.wall.Round(time.Millisecond))

	replay := startReplay(b, emu)
	median := unthrottledSyncs(b, replay, n, "160 properties", nil)
	report(b, "source full sync: plugin CPU per record, 160 properties", figures.Micros(median.cpuPerRecord()), "µs/rec", figures.Micros(figures.CPUPerRecord), false)
	fmt.Printf("%-58s %12.0f records/s on one core\n", "source full sync: CPU-bound rate", float64(time.Second)/float64(median.cpuPerRecord()))
	fmt.Printf("%-58s %12.0f records/s in %s wall (pages replayed from memory)\n", "source full sync: unthrottled wall-clock rate", float64(median.records)/median.wall.Seconds(), median.wall.Round(time.Millisecond))

	// The same pages, each answered after the time the emulator added to a page in the full sync:
	// the plugin now waits as it does for the emulator, without the emulator's own work beside it.
	wait := (full.wall - median.wall) / time.Duration(n/100)
	if wait <= 0 {
		b.Fatalf("the sync from the emulator (%s) was not slower than from memory (%s)", full.wall, median.wall)
	}
	replay.setWait(b, wait)
	paced := medianSync(b, replay, n, fmt.Sprintf("160 properties, %s wait a page", wait.Round(100*time.Microsecond)), nil)
	replay.setWait(b, 0)
	fmt.Printf("%-58s %12.2f µs/rec replayed after each wait (median of five), %.2f from the emulator (one sync)\n", "source full sync: plugin CPU per record at the emulator's pace", figures.Micros(paced.cpuPerRecord()), figures.Micros(full.cpuPerRecord()))

	names := propertyNames(b, emu)[:100]
	median100 := unthrottledSyncs(b, replay, n, "100 properties", map[string]any{"properties": map[string][]string{"contacts": names}})
	report(b, "source full sync: plugin CPU per record, 100 properties", figures.Micros(median100.cpuPerRecord()), "µs/rec(100p)", figures.Micros(figures.CPUPerRecord), false)

	changed := touchAll(b, emu, n)
	time.Sleep(2500 * time.Millisecond) // past the settle lag
	inc := syncContacts(b, emu, state, nil)
	if inc.records != int64(changed) {
		b.Fatalf("incremental sync read %d contacts, want the %d changed", inc.records, changed)
	}
	report(b, "source incremental sync: requests per 1,000 changed records", perThousand(inc.requests, inc.records), "req/1k changed", 5.5, false)
}

// unthrottledSyncs measures full syncs of n contacts unthrottled, with the pages answered from
// memory by the replay proxy as fast as loopback carries them: it primes the proxy with one sync
// from the emulator, then returns the median of five from the recordings (see medianSync).
//
// Synced from the emulator itself, the plugin waits several milliseconds for each page while the
// emulator renders it, and its CPU idles between pages. The CPU per record then rises with the
// server's slowness, by about a third on the 2-core virtual machine of the README's figures; the
// figures "at the emulator's pace" show by how much.
func unthrottledSyncs(b *testing.B, replay *replayServer, n int64, label string, extra map[string]any) syncRun {
	b.Helper()
	if prime := syncContacts(b, replay, b.TempDir()+"/state.json", extra); prime.records != n {
		b.Fatalf("priming sync read %d contacts, want %d", prime.records, n)
	}
	return medianSync(b, replay, n, label, extra)
}

// medianSync runs five full syncs of n contacts from the replay proxy's recordings and returns the
// one with the median CPU per record: CPU time on a shared machine varies by up to a third from run
// to run. Each sync must have had every GET (the catalog and every list page) answered from memory,
// only the incremental pass's search passed on (its bounds move with the clock), and few enough
// requests for one burst of the plugin's limiter: the plugin waits for nothing but the proxy.
func medianSync(b *testing.B, replay *replayServer, n int64, label string, extra map[string]any) syncRun {
	b.Helper()
	runs := make([]syncRun, 5)
	for i := range runs {
		before := replay.counts(b)
		runs[i] = syncContacts(b, replay, b.TempDir()+"/state.json", extra)
		after := replay.counts(b)
		fromMemory, passedOn := after.Replayed["GET"]-before.Replayed["GET"], after.Forwarded["GET"]-before.Forwarded["GET"]
		switch {
		case runs[i].records != n:
			b.Fatalf("full sync read %d contacts, want %d", runs[i].records, n)
		case passedOn > 0 || fromMemory < int(n/100):
			b.Fatalf("the replay proxy answered %d GET requests from memory and passed %d on, want every one from memory, list pages included (%d)", fromMemory, passedOn, n/100)
		case runs[i].requests > burstPer10s:
			b.Fatalf("a sync sent %d requests, more than one burst of the limiter (%d): it waited", runs[i].requests, burstPer10s)
		}
	}
	slices.SortFunc(runs, func(x, y syncRun) int { return cmp.Compare(x.cpuPerRecord(), y.cpuPerRecord()) })
	perRecord := make([]time.Duration, len(runs))
	for i, r := range runs {
		perRecord[i] = r.cpuPerRecord()
	}
	fmt.Printf("%-58s %s\n", "source full sync: CPU per record in five runs, "+label, perRecord)
	return runs[len(runs)/2]
}

// unthrottled is a client of emu with no rate limits of its own, for a benchmark's setup.
func unthrottled(b *testing.B, emu *externalEmulator) *hubspot.Client {
	b.Helper()
	api, err := hubspot.NewClient(hubspot.WithBaseURL(emu.URL), hubspot.WithAccessToken(benchToken),
		hubspot.WithLimiter(hubspot.NewLimiter(hubspot.LimiterConfig{Burst: 1 << 30, SearchPerSecond: 1 << 30})))
	if err != nil {
		b.Fatal(err)
	}
	return api
}

// propertyNames lists the contact properties the emulator defines, sorted.
func propertyNames(b *testing.B, emu *externalEmulator) []string {
	b.Helper()
	props, err := unthrottled(b, emu).Properties.List(context.Background(), "contacts")
	if err != nil {
		b.Fatal(err)
	}
	names := make([]string, len(props))
	for i, p := range props {
		names[i] = p.Name
	}
	slices.Sort(names)
	return names
}

// touchAll gives every contact a new last-modified time, 100 records per timestamp, as imports do.
func touchAll(b *testing.B, emu *externalEmulator, n int) int {
	b.Helper()
	var ids []string
	for page, err := range unthrottled(b, emu).Objects.List(context.Background(), "contacts", hubspot.ListOptions{Properties: []string{"email"}}) {
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range page.Results {
			ids = append(ids, o.ID)
		}
	}
	now := time.Now()
	for i := 0; i < len(ids); i += 100 {
		chunk, _ := json.Marshal(ids[i:min(i+100, len(ids))])
		at := now.Add(time.Duration(i/100) * 5 * time.Millisecond).UnixMilli()
		emu.admin(b, "POST", "mutate", fmt.Sprintf(`{"op":"setModified","type":"contacts","ids":%s,"at":"%d"}`, chunk, at), nil)
	}
	return len(ids)
}

// BenchmarkSourcePeakRSS syncs 500,000 contacts with every property into a discarding sink and
// reports the process's peak resident memory.
func BenchmarkSourcePeakRSS(b *testing.B) {
	const n = 500_000
	emu := startEmulator(b, "--no-limits", "--counts", "contacts="+strconv.Itoa(n))
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) // reset the peak to this benchmark
	run := syncContacts(b, emu, b.TempDir()+"/state.json", map[string]any{"tombstones": false})
	if run.records != n {
		b.Fatalf("read %d contacts, want %d", run.records, n)
	}
	rss, err := figures.PeakRSSMiBOf("self")
	if err != nil {
		b.Fatal(err)
	}
	report(b, fmt.Sprintf("source in-process (best case): peak RSS, %d contacts", n), rss, "MiB", figures.PeakRSSMiB, false)
	fmt.Printf("%-58s %12.2f µs/rec from the emulator at the API's pace, waits included\n", "source: plugin CPU per record at scale", figures.Micros(run.cpuPerRecord()))
}

func perThousand(requests int, records int64) float64 {
	return float64(requests) * 1000 / float64(records)
}
