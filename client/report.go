package client

import (
	"slices"
	"sync"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/incremental"
)

// Report is what a sync did beyond its records: requests per portal, tables that failed, object
// types skipped for a missing scope and streams left incomplete by the record cap. In-process
// callers (`hubspot sync`) hand one to New with WithReport; the CLI path reads the same facts
// from the log and the sync's error.
type Report struct {
	mu         sync.Mutex
	portals    map[string]hubspot.Stats
	incomplete []string
	failed     []TableFailure
	skipped    []Skipped
}

// Skipped is an object type of a portal left out because the token lacks a scope (only for
// objects selected through `*`; a named one fails the sync).
type Skipped struct {
	Portal        string
	Object        string // plural name, such as tickets; "custom objects" when the schemas are unreadable; "lists"
	MissingScopes []string
}

// WithReport has the client's Sync and Write calls fill r: Sync with all of it, Write with the
// API usage.
func WithReport(r *Report) Option {
	return func(c *Client) { c.report = r }
}

// WithProgress has Sync's reads tell p how many records each expects to hand over, as far as
// HubSpot's search totals say: what a live display estimates the time left from.
func WithProgress(p incremental.Progress) Option {
	return func(c *Client) { c.progress = p }
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

// Failed lists the tables that lost records ("portal/table") with their cause, by table.
func (r *Report) Failed() []TableFailure {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.failed)
}

// Skipped lists the object types discovery skipped for a missing scope.
func (r *Report) Skipped() []Skipped {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.skipped)
}

// recordOutcome takes the streams the cap stopped and the tables that failed, both sorted.
func (r *Report) recordOutcome(incomplete []string, failed []TableFailure) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.incomplete = slices.Clone(incomplete)
	r.failed = slices.Clone(failed)
}

// recordUsage takes every portal's API counters, which cover the client's life (discovery
// included), and the objects discovery skipped.
func (r *Report) recordUsage(portals []*PortalClient) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.portals = map[string]hubspot.Stats{}
	r.skipped = nil
	for _, p := range portals {
		r.portals[p.Name] = p.API.Stats()
		r.skipped = append(r.skipped, p.skippedObjects()...)
	}
}
