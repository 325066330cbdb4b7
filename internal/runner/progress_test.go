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
		{name: "redrawn lines on a terminal", live: true, want: []string{"\x1b[2K  hubspot_crm_contacts", "1,500 rows\n", "\x1b[2K  hubspot_crm_deals"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			p := newProgress(&out, tc.live)
			p.add("hubspot_crm_contacts", 1000)
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
