package emulator

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// faultStatuses are the statuses Faults.ErrorRate may inject.
var faultStatuses = []int{429, 423, 477, 500, 502, 503, 504, 521, 523, 524}

func (f Faults) validate() error {
	total := 0.0
	for status, rate := range f.ErrorRate {
		if !slices.Contains(faultStatuses, status) {
			return fmt.Errorf("fault status %d not supported (use one of %v)", status, faultStatuses)
		}
		if rate < 0 || rate > 1 {
			return fmt.Errorf("fault rate %v for %d outside [0, 1]", rate, status)
		}
		total += rate
	}
	switch {
	case total > 1:
		return fmt.Errorf("fault error rates sum to %v, more than 1", total)
	case f.ResetRate < 0 || f.ResetRate > 1 || f.TruncateRate < 0 || f.TruncateRate > 1 || f.HangRate < 0 || f.HangRate > 1:
		return fmt.Errorf("reset, truncate and hang rates must be within [0, 1]")
	case f.Latency < 0:
		return fmt.Errorf("latency must not be negative")
	}
	return nil
}

// faultInjector draws faults from an RNG seeded with the portal seed, so a run is reproducible
// when its requests arrive in the same order.
type faultInjector struct {
	mu  sync.Mutex
	rng *rand.Rand
	f   Faults
}

func newFaultInjector(seed int64, f Faults) *faultInjector {
	return &faultInjector{rng: rand.New(rand.NewPCG(uint64(seed), 0xfa17)), f: f}
}

func (fi *faultInjector) set(f Faults) {
	clamp := func(x float64) float64 { return min(max(x, 0), 1) }
	f.ResetRate, f.TruncateRate, f.HangRate, f.Latency = clamp(f.ResetRate), clamp(f.TruncateRate), clamp(f.HangRate), max(f.Latency, 0)
	rates := map[int]float64{}
	for s, r := range f.ErrorRate {
		if slices.Contains(faultStatuses, s) {
			rates[s] = clamp(r)
		}
	}
	f.ErrorRate = rates
	fi.mu.Lock()
	fi.f = f
	fi.mu.Unlock()
}

func (fi *faultInjector) get() Faults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.f
}

// fault is what happens to one request.
type fault struct {
	hang       bool
	reset      bool
	status     int
	retryAfter int
	truncate   bool
	latency    time.Duration
}

// draw decides one request's fault; the same number of RNG draws happen whatever the outcome.
func (fi *faultInjector) draw() fault {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	out := fault{latency: fi.f.Latency}
	reset, errDraw, trunc, retry, hang := fi.rng.Float64(), fi.rng.Float64(), fi.rng.Float64(), 1+fi.rng.IntN(2), fi.rng.Float64()
	out.hang = hang < fi.f.HangRate
	out.reset = reset < fi.f.ResetRate
	out.truncate = trunc < fi.f.TruncateRate
	acc := 0.0
	for _, s := range faultStatuses {
		acc += fi.f.ErrorRate[s]
		if errDraw < acc {
			out.status = s
			break
		}
	}
	switch out.status {
	case 423:
		out.retryAfter = 2
	case 477:
		out.retryAfter = retry
	}
	return out
}

// cloudflarePage is the HTML HubSpot's edge returns for origin failures: clients must cope with a
// non-JSON error body.
const cloudflarePage = `<!DOCTYPE html>
<html><head><title>%d: %s</title></head>
<body><h1>Error %d</h1><p>%s</p><p>Cloudflare Ray ID: %s</p></body></html>
`

// writeFault answers a request with an injected error status in HubSpot's shapes.
func (e *Emulator) writeFault(w http.ResponseWriter, f fault) {
	corr := newCorrelationID()
	switch f.status {
	case 429:
		writeRateLimited(w, PolicyTenSecondly, corr)
	case 502, 521, 523, 524:
		text := map[int]string{502: "Bad gateway", 521: "Web server is down", 523: "Origin is unreachable", 524: "A timeout occurred"}[f.status]
		body := fmt.Sprintf(cloudflarePage, f.status, text, f.status, text, corr[:16])
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(f.status)
		w.Write([]byte(body))
	default:
		msgs := map[int][2]string{
			423: {"LOCKED", "This portal is temporarily locked because of a high volume of writes. Retry after 2 seconds."},
			477: {"MIGRATION_IN_PROGRESS", "This portal is being migrated between data centers. Retry later."},
			500: {"INTERNAL_ERROR", "internal error"},
			503: {"SERVICE_UNAVAILABLE", "The service is temporarily unavailable."},
			504: {"GATEWAY_TIMEOUT", "The request timed out."},
		}[f.status]
		err := newError(f.status, msgs[0], "%s", msgs[1])
		err.retryAfter = f.retryAfter
		writeError(w, err, corr)
	}
}
