package emulator

import (
	"maps"
	"strconv"
	"sync"
)

// Route families counted by Stats.Requests.
const (
	FamilyList         = "list"         // object list and get-by-id
	FamilySearch       = "search"       // object search
	FamilyBatch        = "batch"        // object batch read and writes, single-record writes
	FamilyAssociations = "associations" // associations v4
	FamilyLists        = "lists"        // list memberships: reads and changes
	FamilyOther        = "other"        // properties, schemas, pipelines, owners, list definitions, oauth, unknown routes
)

// Stats counts what the emulator answered since it started (admin routes excluded).
type Stats struct {
	// Requests counts received API requests by route family.
	Requests map[string]int `json:"requests"`
	// RateLimited counts 429s from enforced limits, by policy name.
	RateLimited map[string]int `json:"rateLimited"`
	// Errors counts other error responses by HTTP status (injected fault statuses included).
	Errors map[int]int `json:"errors"`
	// Faults counts injected faults: "hang", "reset", "truncate", or the injected status.
	Faults map[string]int `json:"faults"`
}

// Total is the number of received API requests.
func (s Stats) Total() int {
	n := 0
	for _, v := range s.Requests {
		n += v
	}
	return n
}

// RecordRequests is the number of requests that read or wrote records: every family but the
// definitions (properties, schemas, pipelines, owners, lists), which a client reads once.
func (s Stats) RecordRequests() int { return s.Total() - s.Requests[FamilyOther] }

type statsCollector struct {
	mu sync.Mutex
	s  Stats
}

func newStatsCollector() *statsCollector {
	return &statsCollector{s: Stats{Requests: map[string]int{}, RateLimited: map[string]int{}, Errors: map[int]int{}, Faults: map[string]int{}}}
}

func (c *statsCollector) request(family string) {
	c.mu.Lock()
	c.s.Requests[family]++
	c.mu.Unlock()
}

func (c *statsCollector) rateLimited(policy string) {
	c.mu.Lock()
	c.s.RateLimited[policy]++
	c.mu.Unlock()
}

func (c *statsCollector) status(status int) {
	if status < 400 {
		return
	}
	c.mu.Lock()
	c.s.Errors[status]++
	c.mu.Unlock()
}

func (c *statsCollector) fault(f fault) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case f.hang:
		c.s.Faults["hang"]++
	case f.reset:
		c.s.Faults["reset"]++
	case f.status != 0:
		c.s.Faults[strconv.Itoa(f.status)]++
	case f.truncate:
		c.s.Faults["truncate"]++
	}
}

func (c *statsCollector) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Stats{Requests: maps.Clone(c.s.Requests), RateLimited: maps.Clone(c.s.RateLimited),
		Errors: maps.Clone(c.s.Errors), Faults: maps.Clone(c.s.Faults)}
}
