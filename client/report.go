package client

import (
	"context"
	"slices"
	"sync"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// Report is what a sync did beyond its records: requests per portal and streams left incomplete.
// In-process callers (`hubspot sync`) pass one through the context with WithReport; the CLI path
// reads the same figures from the log.
type Report struct {
	mu         sync.Mutex
	portals    map[string]hubspot.Stats
	incomplete []string
}

type reportKey struct{}

// WithReport asks Sync to fill r.
func WithReport(ctx context.Context, r *Report) context.Context {
	return context.WithValue(ctx, reportKey{}, r)
}

func reportFrom(ctx context.Context) *Report {
	r, _ := ctx.Value(reportKey{}).(*Report)
	return r
}

// Requests returns the API usage of each portal.
func (r *Report) Requests() map[string]hubspot.Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]hubspot.Stats, len(r.portals))
	for k, v := range r.portals {
		out[k] = v
	}
	return out
}

// Incomplete lists the streams the record cap stopped ("portal/table").
func (r *Report) Incomplete() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.incomplete)
}

func (r *Report) record(portals []*Portal, incomplete []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.portals = map[string]hubspot.Stats{}
	for _, p := range portals {
		r.portals[p.Name] = p.API.Stats()
	}
	r.incomplete = slices.Sorted(slices.Values(incomplete))
}
