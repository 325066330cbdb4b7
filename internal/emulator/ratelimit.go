package emulator

import (
	"net/http"
	"strconv"
	"sync"
)

// Rate-limit policies, named as in HubSpot's 429 bodies.
const (
	PolicyTenSecondly = "TEN_SECONDLY_ROLLING"
	PolicySecondly    = "SECONDLY"
	PolicyDaily       = "DAILY"
)

const (
	burstWindowMs  = 10_000
	searchWindowMs = 1_000
)

// rateLimitBody is HubSpot's 429 body; clients key on these exact strings.
type rateLimitBody struct {
	Status        string `json:"status"`
	Message       string `json:"message"`
	ErrorType     string `json:"errorType"`
	CorrelationID string `json:"correlationId"`
	PolicyName    string `json:"policyName"`
}

var policyMessages = map[string]string{
	PolicyTenSecondly: "You have reached your ten_secondly_rolling limit.",
	PolicySecondly:    "You have reached your secondly limit.",
	PolicyDaily:       "You have reached your daily limit.",
}

// window counts events in a rolling window of fixed length.
type window struct {
	length int64
	times  []int64 // ascending epoch ms of counted events
}

func (w *window) count(now int64) int {
	i := 0
	for i < len(w.times) && w.times[i] <= now-w.length {
		i++
	}
	w.times = w.times[i:]
	return len(w.times)
}

// limiter enforces the burst window (every API request), the per-second search limit and the daily
// budget. Requests refused with 429 are not counted.
type limiter struct {
	burstMax, searchMax, dailyMax int

	mu     sync.Mutex
	burst  window
	search window
	day    int64
	daily  int
}

func newLimiter(burst, search, daily int) *limiter {
	return &limiter{burstMax: burst, searchMax: search, dailyMax: daily,
		burst: window{length: burstWindowMs}, search: window{length: searchWindowMs}}
}

// quota is the state after admitting a request, for the rate-limit headers.
type quota struct {
	burstRemaining, dailyRemaining int
}

// admit counts a request or names the policy that refuses it.
func (l *limiter) admit(now int64, isSearch bool) (quota, string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d := now / dayMs; d != l.day {
		l.day, l.daily = d, 0
	}
	burst := l.burst.count(now)
	refused := quota{burstRemaining: max(l.burstMax-burst, 0), dailyRemaining: max(l.dailyMax-l.daily, 0)}
	switch {
	case l.dailyMax > 0 && l.daily >= l.dailyMax:
		return refused, PolicyDaily
	case l.burstMax > 0 && burst >= l.burstMax:
		return refused, PolicyTenSecondly
	case isSearch && l.searchMax > 0 && l.search.count(now) >= l.searchMax:
		return refused, PolicySecondly
	}
	l.burst.times = append(l.burst.times, now)
	if isSearch {
		l.search.times = append(l.search.times, now)
	}
	l.daily++
	return quota{burstRemaining: l.burstMax - burst - 1, dailyRemaining: l.dailyMax - l.daily}, ""
}

// setHeaders adds HubSpot's rate-limit headers to a non-search response. OAuth access tokens get
// no daily headers, as in HubSpot.
func (l *limiter) setHeaders(h http.Header, q quota, oauth bool) {
	if l.burstMax > 0 {
		h.Set("X-HubSpot-RateLimit-Max", strconv.Itoa(l.burstMax))
		h.Set("X-HubSpot-RateLimit-Remaining", strconv.Itoa(q.burstRemaining))
		h.Set("X-HubSpot-RateLimit-Interval-Milliseconds", strconv.Itoa(burstWindowMs))
	}
	if l.dailyMax > 0 && !oauth {
		h.Set("X-HubSpot-RateLimit-Daily", strconv.Itoa(l.dailyMax))
		h.Set("X-HubSpot-RateLimit-Daily-Remaining", strconv.Itoa(q.dailyRemaining))
	}
}

// writeRateLimited writes the exact 429 body of a policy. No Retry-After: HubSpot promises none.
func writeRateLimited(w http.ResponseWriter, policy, correlationID string) {
	writeJSON(w, http.StatusTooManyRequests, rateLimitBody{Status: "error", Message: policyMessages[policy],
		ErrorType: "RATE_LIMIT", CorrelationID: correlationID, PolicyName: policy})
}
