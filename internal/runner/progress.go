package runner

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// progress shows rows per table while a run goes: redrawn lines on a terminal, a plain line per
// changed table every few seconds otherwise (logs, CI).
type progress struct {
	out      io.Writer
	live     bool
	mu       sync.Mutex
	counts   map[string]int64
	order    []string
	shown    map[string]int64
	drawn    int
	stop     chan struct{}
	finished chan struct{}
}

func newProgress(out io.Writer, live bool) *progress {
	p := &progress{out: out, live: live, counts: map[string]int64{}, shown: map[string]int64{}, stop: make(chan struct{}), finished: make(chan struct{})}
	if out == nil {
		p.out = io.Discard
	}
	interval := 5 * time.Second
	if live {
		interval = 200 * time.Millisecond
	}
	go p.loop(interval)
	return p
}

func (p *progress) add(table string, rows int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.counts[table]; !ok {
		p.order = append(p.order, table)
	}
	p.counts[table] += rows
}

func (p *progress) loop(interval time.Duration) {
	defer close(p.finished)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			p.draw()
		case <-p.stop:
			p.draw()
			return
		}
	}
}

// done stops the display after a last update.
func (p *progress) done() {
	close(p.stop)
	<-p.finished
}

func (p *progress) draw() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live {
		if p.drawn > 0 {
			fmt.Fprintf(p.out, "\x1b[%dA", p.drawn)
		}
		for _, t := range p.order {
			fmt.Fprintf(p.out, "\x1b[2K  %-42s %12s rows\n", t, Thousands(p.counts[t]))
		}
		p.drawn = len(p.order)
		return
	}
	for _, t := range p.order {
		if p.counts[t] != p.shown[t] {
			fmt.Fprintf(p.out, "progress: %s %s rows\n", t, Thousands(p.counts[t]))
			p.shown[t] = p.counts[t]
		}
	}
}

// Print writes the summary table.
func (s *Summary) Print(w io.Writer) {
	verb := map[Direction]string{Read: "synced from HubSpot", Write: "sent to HubSpot"}[s.Direction]
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "TABLE\tROWS\n")
	tables := make([]string, 0, len(s.Tables))
	for t := range s.Tables {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	var total int64
	for _, t := range tables {
		fmt.Fprintf(tw, "%s\t%s\n", t, Thousands(s.Tables[t]))
		total += s.Tables[t]
	}
	fmt.Fprintf(tw, "total\t%s\n", Thousands(total))
	tw.Flush()
	fmt.Fprintf(w, "\n%s rows %s in %s; %s API requests (%d retried, %d rate-limited 429s)\n",
		Thousands(total), verb, s.Elapsed.Round(time.Millisecond), Thousands(s.Requests), s.Retries, s.Limited)
	if s.StateSaved != "" {
		fmt.Fprintf(w, "state saved: %s\n", s.StateSaved)
	}
	for _, f := range s.Failed {
		fmt.Fprintf(w, "failed: %s\n", f)
	}
	for _, sk := range s.Skipped {
		fmt.Fprintf(w, "skipped: %s\n", sk)
	}
	if len(s.Incomplete) > 0 {
		fmt.Fprintf(w, "record cap reached: %s stopped early; the next run continues where they stopped\n", strings.Join(slices.Sorted(slices.Values(s.Incomplete)), ", "))
	}
}

// Thousands formats 1234567 as 1,234,567.
func Thousands(n int64) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + Thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
