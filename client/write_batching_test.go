package client_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
)

// TestOneRowRecordsAreBatched writes rows the way the CloudQuery CLI feeds a destination, one
// Arrow record per row: the rows are still read and written in HubSpot's batch sizes, within the
// request budget (20 per 1,000 changed rows, 10 per 1,000 unchanged), and outcomes keep their
// per-row meaning (one per row, in order; the first row with a key wins).
func TestOneRowRecordsAreBatched(t *testing.T) {
	p := newDestPortal(t)
	existing := p.seeded("contacts", 150, "email")
	const n = 1_000
	rows := make([]map[string]any, 0, n)
	for i := range n {
		email := fmt.Sprintf("batched-%04d@example.com", i)
		if i < len(existing) {
			email = existing[i].Properties["email"]
		}
		rows = append(rows, map[string]any{"email": email, "firstname": fmt.Sprintf("Batched %d", i)})
	}
	rows[n-1]["email"] = rows[0]["email"] // a duplicate key, many records after the first
	tb := newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "firstname": utf8}, rows...)
	tb.perBatch = 1
	mapping := map[string]any{"table": "crm_contacts", "object": "contacts", "match_key": "email"}

	for _, run := range []struct {
		name      string
		perRows   float64 // request budget per 1,000 rows
		wantWrite bool
	}{
		{"changed", 20, true},
		{"unchanged", 10, false},
	} {
		t.Run(run.name, func(t *testing.T) {
			before := p.e.Stats().RecordRequests()
			dir := t.TempDir()
			if err := write(context.Background(), t, p.specFor(t, dir, nil, mapping), tb); err != nil {
				t.Fatal(err)
			}
			requests := p.e.Stats().RecordRequests() - before
			if budget := int(run.perRows * n / 1000); requests > budget {
				t.Errorf("%d requests for %d one-row records, want at most %d", requests, n, budget)
			}
			outs := byRow(outcomes(t, dir), "crm_contacts")
			if len(outs) != n {
				t.Fatalf("%d outcomes for %d rows", len(outs), n)
			}
			for i := range int64(n) {
				o, ok := outs[i]
				switch {
				case !ok:
					t.Errorf("row %d has no outcome", i)
				case i == n-1:
					if o.Status != reverse.StatusExcluded || o.Category != reverse.ReasonDuplicate {
						t.Errorf("row %d repeats row 0's key: got %s %s, want excluded %s", i, o.Status, o.Category, reverse.ReasonDuplicate)
					}
				case o.Status != reverse.StatusSynced:
					t.Errorf("row %d: %s %s %s", i, o.Status, o.Category, o.Message)
				case !run.wantWrite && o.Action != reverse.ActionUnchanged:
					t.Errorf("row %d: %s on an unchanged rerun", i, o.Action)
				}
			}
		})
	}
}
