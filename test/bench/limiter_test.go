package bench

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// BenchmarkLimiterSustained drives the API client flat out against an emulator enforcing
// HubSpot's rolling 10-second window and reports the sustained rate and the 429s it drew.
func BenchmarkLimiterSustained(b *testing.B) {
	const warmup, measure = 5 * time.Second, 20 * time.Second
	for _, burst := range []int{100, 190} {
		b.Run(fmt.Sprintf("burst=%d", burst), func(b *testing.B) {
			emu := startEmulator(b, "--burst", strconv.Itoa(burst), "--counts", "contacts=200")
			api, err := hubspot.NewClient(hubspot.WithBaseURL(emu.URL), hubspot.WithAccessToken(benchToken),
				hubspot.WithLimiter(hubspot.NewLimiter(hubspot.LimiterConfig{Burst: burst})))
			if err != nil {
				b.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), warmup+measure)
			defer cancel()
			start := time.Now()
			var inWindow atomic.Int64
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for ctx.Err() == nil {
						_, err := api.Objects.ListPage(ctx, "contacts", hubspot.ListOptions{Limit: 1})
						if err != nil {
							if ctx.Err() == nil {
								b.Error(err)
							}
							return
						}
						if since := time.Since(start); since >= warmup && since < warmup+measure {
							inWindow.Add(1)
						}
					}
				})
			}
			wg.Wait()
			rate := float64(inWindow.Load()) / measure.Seconds()
			limit := float64(burst) / 10
			report(b, fmt.Sprintf("limiter %d/10s: sustained share of the burst limit", burst), 100*rate/limit, "%", 95, true)
			limited := emu.stats(b).RateLimited["TEN_SECONDLY_ROLLING"]
			report(b, fmt.Sprintf("limiter %d/10s: burst-limit 429s", burst), float64(limited), "429s", 0, false)
		})
	}
}

// BenchmarkEmulatorListPages measures the emulator serving full list pages (100 contacts, every
// property) over loopback to four clients at once, unthrottled. The test bed must outrun the
// fastest rate HubSpot allows (250 requests per 10 s), or the rate benchmarks would measure it
// instead of the plugin. Outrunning the API is not enough for the plugin's CPU per record, in which
// the wait for each page shows: that is measured from replayed pages (see unthrottledSyncs).
func BenchmarkEmulatorListPages(b *testing.B) {
	const run = 5 * time.Second
	emu := startEmulator(b, "--no-limits", "--counts", "contacts=20000")
	api, names := unthrottled(b, emu), propertyNames(b, emu)
	ctx, cancel := context.WithTimeout(context.Background(), run)
	defer cancel()
	var pages atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			after := ""
			for ctx.Err() == nil {
				page, err := api.Objects.ListPage(ctx, "contacts", hubspot.ListOptions{Properties: names, After: after})
				if err != nil {
					if ctx.Err() == nil {
						b.Error(err)
					}
					return
				}
				pages.Add(1)
				after = page.After
			}
		})
	}
	wg.Wait()
	report(b, fmt.Sprintf("emulator: list pages/s (100 contacts x %d properties)", len(names)), float64(pages.Load())/run.Seconds(), "pages/s", 25, true)
}
