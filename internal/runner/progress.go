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

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// progress shows rows per table while a run goes. On a terminal each table has a live line
// (mpb: rows, rate, time, and a bar with the time left where HubSpot's search totals give an
// estimate); otherwise a plain line per changed table every few seconds (logs, CI).
type progress struct {
	now    func() time.Time
	start  time.Time
	mu     sync.Mutex
	tables map[string]*tableProgress
	order  []string
	// bars draws the live lines; nil for plain lines.
	bars *mpb.Progress
	// plain lines
	out      io.Writer
	shown    map[string]int64
	stop     chan struct{}
	finished chan struct{}
}

// tableProgress is what one table's line shows.
type tableProgress struct {
	rows int64
	last time.Time // when rows last came
	// expected is the sum of its streams' estimates (per portal); estimated once any stream gave one.
	expected  map[string]int64
	estimated bool
	done      bool
	bar       *mpb.Bar
}

func newProgress(out io.Writer, live bool, now func() time.Time) *progress {
	if out == nil {
		out = io.Discard
	}
	p := &progress{now: now, start: now(), tables: map[string]*tableProgress{}, out: out}
	if live {
		p.bars = mpb.New(mpb.WithOutput(out), mpb.WithAutoRefresh(), mpb.WithRefreshRate(200*time.Millisecond))
		return p
	}
	p.shown, p.stop, p.finished = map[string]int64{}, make(chan struct{}), make(chan struct{})
	go p.plainLoop(5 * time.Second)
	return p
}

func (p *progress) add(table string, rows int64) {
	p.mu.Lock()
	t := p.table(table)
	t.rows += rows
	t.last = p.now()
	bar := t.bar
	p.mu.Unlock()
	if bar != nil {
		bar.IncrInt64(rows) // wakes the bar to redraw; its line is drawn from t
	}
}

// Expect takes a stream's estimate from the incremental reader. Streams are "portal/table";
// other streams (association reads, "portal/table/object") are not a table's records.
func (p *progress) Expect(stream string, records int) {
	_, table, ok := strings.Cut(stream, "/")
	if !ok || strings.Contains(table, "/") {
		return
	}
	p.mu.Lock()
	t := p.table(table)
	t.expected[stream], t.estimated = int64(records), true
	p.mu.Unlock()
}

// table returns the progress of a table, adding its line; p.mu is held.
func (p *progress) table(name string) *tableProgress {
	if t, ok := p.tables[name]; ok {
		return t
	}
	t := &tableProgress{expected: map[string]int64{}, last: p.start}
	p.tables[name] = t
	p.order = append(p.order, name)
	if p.bars != nil {
		// Add fails only once the display is done; the table then has no line.
		t.bar, _ = p.bars.Add(0, p.filler(t),
			mpb.BarWidth(24),
			mpb.PrependDecorators(decor.Name(name, decor.WCSyncSpaceR)),
			mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return p.line(t) })))
	}
	return t
}

// filler draws a bar only for a table with an estimate: without one a bar would mean nothing.
func (p *progress) filler(t *tableProgress) mpb.BarFiller {
	bar := mpb.BarStyle().Build()
	return mpb.BarFillerFunc(func(w io.Writer, st decor.Statistics) error {
		p.mu.Lock()
		expected, estimated := t.total(), t.estimated
		p.mu.Unlock()
		if !estimated || expected == 0 {
			// Blank, so that every table's numbers stay in one column.
			_, err := io.WriteString(w, strings.Repeat(" ", min(st.RequestedWidth, st.AvailableWidth)))
			return err
		}
		st.Total = max(expected, st.Current)
		return bar.Fill(w, st)
	})
}

func (t *tableProgress) total() int64 {
	var n int64
	for _, e := range t.expected {
		n += e
	}
	return n
}

func (p *progress) line(t *tableProgress) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return t.describe(p.start)
}

// describe is a table's line after its name: rows (of the estimate), the rate and time since the
// run began until the table's last rows, and the time left at that rate.
func (t *tableProgress) describe(start time.Time) string {
	elapsed := t.last.Sub(start)
	var b strings.Builder
	expected := t.total()
	if t.estimated && !t.done && expected > t.rows {
		fmt.Fprintf(&b, "%s of ~%s rows", Thousands(t.rows), Thousands(expected))
	} else {
		fmt.Fprintf(&b, "%s rows", Thousands(t.rows))
	}
	if elapsed < time.Second {
		return b.String()
	}
	rate := float64(t.rows) / elapsed.Seconds()
	fmt.Fprintf(&b, "  %s rows/s  %s", Thousands(int64(rate+0.5)), elapsed.Round(time.Second))
	if t.estimated && !t.done && expected > t.rows && rate > 0 {
		left := time.Duration(float64(expected-t.rows) / rate * float64(time.Second))
		fmt.Fprintf(&b, "  ~%s left", left.Round(time.Second))
	}
	return b.String()
}

func (p *progress) plainLoop(interval time.Duration) {
	defer close(p.finished)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			p.plainLines()
		case <-p.stop:
			p.plainLines()
			return
		}
	}
}

func (p *progress) plainLines() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, name := range p.order {
		if rows := p.tables[name].rows; rows != p.shown[name] {
			fmt.Fprintf(p.out, "progress: %s %s rows\n", name, Thousands(rows))
			p.shown[name] = rows
		}
	}
}

// done stops the display after a last update: every live line shows its final count.
func (p *progress) done() {
	if p.bars == nil {
		close(p.stop)
		<-p.finished
		return
	}
	p.mu.Lock()
	bars := make([]*mpb.Bar, 0, len(p.order))
	for _, name := range p.order {
		t := p.tables[name]
		t.done = true
		if t.bar != nil {
			bars = append(bars, t.bar)
		}
	}
	p.mu.Unlock()
	for _, b := range bars {
		b.SetTotal(-1, true)
	}
	p.bars.Wait()
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
