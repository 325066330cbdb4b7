package runner

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestThousands(t *testing.T) {
	cases := []struct {
		n    int64
		want string
	}{
		{0, "0"}, {7, "7"}, {999, "999"}, {1000, "1,000"}, {12345, "12,345"}, {999999, "999,999"},
		{1234567, "1,234,567"}, {-1, "-1"}, {-1000, "-1,000"}, {-987654321, "-987,654,321"},
		{9223372036854775807, "9,223,372,036,854,775,807"},
	}
	for _, tc := range cases {
		if got := Thousands(tc.n); got != tc.want {
			t.Errorf("Thousands(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestSummaryPrint(t *testing.T) {
	cases := []struct {
		name    string
		sum     Summary
		want    []string
		notWant []string
	}{
		{
			name: "read with state and a capped table",
			sum: Summary{Direction: Read, Tables: map[string]int64{"hubspot_crm_contacts": 500000, "hubspot_crm_companies": 1234},
				Requests: 5210, Retries: 3, Limited: 2, Elapsed: 1500 * time.Millisecond, StateSaved: "/out/.hubspot-state.json",
				Incomplete: []string{"default/hubspot_crm_deals", "default/hubspot_crm_contacts"}},
			want: []string{"hubspot_crm_companies  1,234", "hubspot_crm_contacts   500,000", "total                  501,234",
				"501,234 rows synced from HubSpot in 1.5s; 5,210 API requests (3 retried, 2 rate-limited 429s)",
				"state saved: /out/.hubspot-state.json",
				"record cap reached: default/hubspot_crm_contacts, default/hubspot_crm_deals stopped early; the next run continues"},
		},
		{
			name: "read with a failed and a skipped table",
			sum: Summary{Direction: Read, Tables: map[string]int64{"hubspot_crm_contacts": 60}, Requests: 9, Elapsed: time.Second,
				Failed:  []string{"default/hubspot_crm_owners: missing scopes crm.objects.owners.read"},
				Skipped: []string{"default/tickets: missing scope tickets"}},
			want: []string{"failed: default/hubspot_crm_owners: missing scopes crm.objects.owners.read",
				"skipped: default/tickets: missing scope tickets"},
			notWant: []string{"record cap"},
		},
		{
			name:    "write without state",
			sum:     Summary{Direction: Write, Tables: map[string]int64{"customer_scores": 3}, Requests: 4, Elapsed: time.Second},
			want:    []string{"customer_scores  3", "total            3", "3 rows sent to HubSpot in 1s; 4 API requests (0 retried, 0 rate-limited 429s)"},
			notWant: []string{"state saved", "record cap"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			tc.sum.Print(&out)
			rest := out.String()
			for _, w := range tc.want { // in order: tables sorted, then the totals
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("output lacks %q after the earlier lines:\n%s", w, out.String())
					continue
				}
				rest = rest[i+len(w):]
			}
			for _, w := range tc.notWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestProgressLines(t *testing.T) {
	cases := []struct {
		name string
		live bool
		want []string
	}{
		{name: "plain lines for logs", want: []string{"progress: hubspot_crm_contacts 1,500 rows\n", "progress: hubspot_crm_deals 7 rows\n"}},
		{name: "live lines on a terminal", live: true, want: []string{"hubspot_crm_contacts", "1,500 rows  150 rows/s  10s", "hubspot_crm_deals", "7 rows  1 rows/s  10s"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			clock := base
			p := newProgress(&out, tc.live, func() time.Time { return clock })
			clock = clock.Add(10 * time.Second)
			p.add("hubspot_crm_contacts", 1000)
			p.Expect("default/hubspot_crm_contacts", 2000)
			p.add("hubspot_crm_deals", 7)
			p.add("hubspot_crm_contacts", 500)
			p.done()
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%q", w, out.String())
				}
			}
		})
	}
}

var base = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// A table's line: its rows, of HubSpot's estimate while rows are still to come, the rate and
// time until its last rows, and the time left at that rate.
func TestTableProgressLine(t *testing.T) {
	cases := []struct {
		name     string
		rows     int64
		after    time.Duration
		expected map[string]int64 // nil: no estimate
		done     bool
		want     string
	}{
		{name: "first rows", rows: 250, after: 300 * time.Millisecond, want: "250 rows"},
		{name: "no estimate (a list backfill)", rows: 19_000, after: 10 * time.Second, want: "19,000 rows  1,900 rows/s  10s"},
		{name: "estimate from the search total", rows: 3_000, after: 2 * time.Second,
			expected: map[string]int64{"default/hubspot_crm_contacts": 12_000}, want: "3,000 of ~12,000 rows  1,500 rows/s  2s  ~6s left"},
		{name: "estimates of two portals add up", rows: 400, after: 4 * time.Second,
			expected: map[string]int64{"eu/hubspot_crm_deals": 300, "us/hubspot_crm_deals": 500}, want: "400 of ~800 rows  100 rows/s  4s  ~4s left"},
		{name: "estimate reached", rows: 12_050, after: 8 * time.Second,
			expected: map[string]int64{"default/hubspot_crm_contacts": 12_000}, want: "12,050 rows  1,506 rows/s  8s"},
		{name: "nothing changed", expected: map[string]int64{"default/hubspot_crm_contacts": 0}, want: "0 rows"},
		{name: "done short of the estimate", rows: 900, after: 3 * time.Second, done: true,
			expected: map[string]int64{"default/hubspot_crm_contacts": 1_000}, want: "900 rows  300 rows/s  3s"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tp := &tableProgress{rows: tc.rows, last: base.Add(tc.after), expected: map[string]int64{}, done: tc.done}
			for k, v := range tc.expected {
				tp.expected[k], tp.estimated = v, true
			}
			if got := tp.describe(base); got != tc.want {
				t.Errorf("line %q, want %q", got, tc.want)
			}
		})
	}
}

// Only a table's own streams ("portal/table") count towards its estimate.
func TestProgressExpectIgnoresOtherStreams(t *testing.T) {
	p := newProgress(nil, false, time.Now)
	defer p.done()
	p.Expect("default/hubspot_crm_contacts", 40)
	p.Expect("default/hubspot_crm_associations/contacts", 9_000)
	p.Expect("no-portal", 5)
	if len(p.order) != 1 || p.tables["hubspot_crm_contacts"].total() != 40 {
		t.Errorf("tables %v, contacts estimate %d; want only hubspot_crm_contacts with 40", p.order, p.tables["hubspot_crm_contacts"].total())
	}
}
