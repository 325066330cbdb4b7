package client_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"
	"github.com/cloudquery/plugin-sdk/v4/message"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/reverse"
)

// contactsWithCompanies is a table that updates, creates and associates contacts.
func contactsWithCompanies(p *destPortal) (*table, map[string]any, map[string]any) {
	cs := p.seeded("contacts", 3, "email", "firstname")
	co := p.seeded("companies", 2, "domain")
	tb := newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "firstname": utf8, "employer": utf8},
		map[string]any{"email": cs[0].Properties["email"], "firstname": "Renamed", "employer": co[0].Properties["domain"]},
		map[string]any{"email": cs[1].Properties["email"], "firstname": cs[1].Properties["firstname"]},
		map[string]any{"email": "dry.run@example.com", "firstname": "Dry", "employer": co[1].Properties["domain"]},
		map[string]any{"email": "bad"},
	)
	m := map[string]any{"table": "crm_contacts", "object": "contacts",
		"associations": []map[string]any{{"to": "companies", "column": "employer", "match_property": "domain"}}}
	return tb, m, nil
}

func TestDryRunComputesTheSamePlanAndWritesNothing(t *testing.T) {
	real, dry := newDestPortal(t), newDestPortal(t)
	realDir, dryDir := t.TempDir(), t.TempDir()
	tb, m, _ := contactsWithCompanies(real)
	if err := write(context.Background(), t, real.specFor(t, realDir, nil, m), tb); err != nil {
		t.Fatal(err)
	}
	tb, m, _ = contactsWithCompanies(dry)
	before := len(dry.e.Records("contacts", false))
	if err := write(context.Background(), t, dry.specFor(t, dryDir, map[string]any{"dry_run": true}, m), tb); err != nil {
		t.Fatal(err)
	}
	if n := dry.writeCount(); n != 0 {
		t.Errorf("dry run sent %d write requests", n)
	}
	if after := len(dry.e.Records("contacts", false)); after != before {
		t.Errorf("dry run changed the portal: %d contacts, was %d", after, before)
	}
	want, got := byRow(outcomes(t, realDir), "crm_contacts"), byRow(outcomes(t, dryDir), "crm_contacts")
	if len(got) != len(want) || len(got) != 4 {
		t.Fatalf("dry run %d outcomes, real %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Status != w.Status || g.Action != w.Action || g.Category != w.Category || !g.DryRun || w.DryRun {
			t.Errorf("row %d: dry run %s/%s/%s (dry %v), real %s/%s/%s", i, g.Status, g.Action, g.Category, g.DryRun, w.Status, w.Action, w.Category)
		}
	}
	if !strings.Contains(got[0].Message, "would associate") {
		t.Errorf("dry run message %q does not mention the planned association", got[0].Message)
	}
}

func TestSecondIdenticalRunWritesNothing(t *testing.T) {
	p := newDestPortal(t)
	tb, m, _ := contactsWithCompanies(p)
	if err := write(context.Background(), t, p.specFor(t, t.TempDir(), nil, m), tb); err != nil {
		t.Fatal(err)
	}
	first := p.writeCount()
	if first == 0 {
		t.Fatal("first run wrote nothing")
	}
	dir := t.TempDir()
	if err := write(context.Background(), t, p.specFor(t, dir, nil, m), tb); err != nil {
		t.Fatal(err)
	}
	if n := p.writeCount() - first; n != 0 {
		t.Errorf("second identical run sent %d write requests", n)
	}
	for _, o := range outcomes(t, dir) {
		if o.Status == reverse.StatusSynced && o.Action != reverse.ActionUnchanged {
			t.Errorf("row %d: %s on the second run", o.Row, o.Action)
		}
	}
}

func TestPartialFailureIsReadPerRecord(t *testing.T) {
	for _, version := range []string{"v3", "2026-09"} {
		t.Run(version, func(t *testing.T) {
			p := newDestPortal(t)
			deals := p.seeded("deals", 4, "dealname")
			rows := make([]map[string]any, len(deals))
			for i, d := range deals {
				rows[i] = map[string]any{"id": d.ID, "dealname": fmt.Sprintf("Renamed %d", i)}
			}
			gone := deals[2].ID
			var once atomic.Bool
			p.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				// The record disappears between the read and the write: HubSpot answers 207.
				if path.Base(r.URL.Path) == "update" && once.CompareAndSwap(false, true) {
					if err := p.e.Archive("deals", gone); err != nil {
						t.Error(err)
					}
				}
				return false
			})
			dir := t.TempDir()
			tb := newTable("deal_names", map[string]arrow.DataType{"id": utf8, "dealname": utf8}, rows...)
			spec := p.specFor(t, dir, map[string]any{"api_version": version}, map[string]any{"table": "deal_names", "object": "deals", "mode": "update"})
			if err := write(context.Background(), t, spec, tb); err != nil {
				t.Fatal(err)
			}
			outs := byRow(outcomes(t, dir), "deal_names")
			for i, d := range deals {
				o := outs[int64(i)]
				if d.ID == gone {
					if o.Status != reverse.StatusFailed || o.Category != "OBJECT_NOT_FOUND" {
						t.Errorf("vanished deal: %+v", o)
					}
					continue
				}
				r, _ := p.byID("deals", d.ID)
				if o.Status != reverse.StatusSynced || o.Action != reverse.ActionUpdated || r.Properties["dealname"] != fmt.Sprintf("Renamed %d", i) {
					t.Errorf("deal %s: %+v, dealname %q", d.ID, o, r.Properties["dealname"])
				}
			}
		})
	}
}

// One pair HubSpot refuses in an association batch fails only its own row: the others' associations
// were made.
func TestAssociationPartialFailureIsReadPerPair(t *testing.T) {
	for _, version := range []string{"v3", "2026-09"} {
		t.Run(version, func(t *testing.T) {
			p := newDestPortal(t)
			contacts := p.seeded("contacts", 3, "email")
			companies := p.seeded("companies", 3, "domain")
			rows := make([]map[string]any, len(contacts))
			for i, c := range contacts {
				rows[i] = map[string]any{"email": c.Properties["email"], "employer": companies[i].ID}
			}
			gone := companies[1].ID
			var once atomic.Bool
			p.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
				// The company disappears between the association read and the create: HubSpot answers 207.
				if strings.HasSuffix(r.URL.Path, "/batch/create") && strings.Contains(r.URL.Path, "associations") && once.CompareAndSwap(false, true) {
					if err := p.e.Archive("companies", gone); err != nil {
						t.Error(err)
					}
				}
				return false
			})
			dir := t.TempDir()
			tb := newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "employer": utf8}, rows...)
			m := map[string]any{"table": "crm_contacts", "object": "contacts",
				"associations": []map[string]any{{"to": "companies", "column": "employer", "label": "Billing contact"}}}
			if err := write(context.Background(), t, p.specFor(t, dir, map[string]any{"api_version": version}, m), tb); err != nil {
				t.Fatal(err)
			}
			if !once.Load() {
				t.Fatal("no association batch create was sent")
			}
			outs := byRow(outcomes(t, dir), "crm_contacts")
			for i := range contacts {
				o := outs[int64(i)]
				if want := companies[i].ID == gone; (o.Status == reverse.StatusFailed) != want {
					t.Errorf("row %d, associated with company %s (gone %t): %+v", i, companies[i].ID, want, o)
				}
			}
		})
	}
}

// companyRows are n new companies keyed by domain.
func companyRows(n int) *table {
	rows := make([]map[string]any, n)
	for i := range rows {
		rows[i] = map[string]any{"domain": fmt.Sprintf("rerun-%03d.example", i), "name": fmt.Sprintf("Rerun %d", i)}
	}
	tb := newTable("accounts", map[string]arrow.DataType{"domain": utf8, "name": utf8}, rows...)
	tb.perBatch = 50
	return tb
}

// assertNoDuplicateDomains checks that every rerun-* domain exists exactly once.
func assertNoDuplicateDomains(t *testing.T, p *destPortal, n int) {
	t.Helper()
	seen := map[string]int{}
	for _, r := range p.e.Records("companies", false) {
		if strings.HasPrefix(r.Properties["domain"], "rerun-") {
			seen[r.Properties["domain"]]++
		}
	}
	if len(seen) != n {
		t.Errorf("%d distinct companies, want %d", len(seen), n)
	}
	for d, c := range seen {
		if c > 1 {
			t.Errorf("%s created %d times", d, c)
		}
	}
}

func TestKilledRunRerunCreatesNoDuplicates(t *testing.T) {
	p := newDestPortal(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var creates atomic.Int32
	p.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if path.Base(r.URL.Path) == "create" && creates.Add(1) == 2 {
			p.e.Handler().ServeHTTP(w, r) // applied in HubSpot...
			cancel()                      // ...while the run is killed
			return true
		}
		return false
	})
	m := map[string]any{"table": "accounts", "object": "companies", "mode": "create"}
	if err := write(ctx, t, p.specFor(t, t.TempDir(), nil, m), companyRows(200)); err == nil {
		t.Fatal("the killed run reported success")
	}
	p.setIntercept(nil)
	dir := t.TempDir()
	if err := write(context.Background(), t, p.specFor(t, dir, nil, m), companyRows(200)); err != nil {
		t.Fatal(err)
	}
	assertNoDuplicateDomains(t, p, 200)
	exists := 0
	for _, o := range outcomes(t, dir) {
		if o.Category == reverse.ReasonExists {
			exists++
		}
	}
	if exists < 50 {
		t.Errorf("rerun found %d records the killed run created, want at least 50", exists)
	}
}

func TestAmbiguousCreateIsLookedUpBeforeResending(t *testing.T) {
	p := newDestPortal(t)
	creates := p.loseFirstAnswer(t, "create")
	dir := t.TempDir()
	m := map[string]any{"table": "accounts", "object": "companies", "mode": "create"}
	if err := write(context.Background(), t, p.specFor(t, dir, nil, m), companyRows(120)); err != nil {
		t.Fatal(err)
	}
	assertNoDuplicateDomains(t, p, 120)
	if n := creates.Load(); n != 2 {
		t.Errorf("%d create requests, want 2 for 120 rows in batches of 100 (the interrupted one is looked up, not sent again)", n)
	}
	for _, o := range outcomes(t, dir) {
		if o.Status != reverse.StatusSynced || o.Action != reverse.ActionCreated || o.HubSpotID == "" {
			t.Errorf("row %d: %+v", o.Row, o)
		}
	}
}

// loseFirstAnswer lets HubSpot apply the first batch request named op (create, upsert...), then
// breaks the connection before the answer arrives; it counts the requests named op.
func (p *destPortal) loseFirstAnswer(t *testing.T, op string) *atomic.Int32 {
	var n atomic.Int32
	p.setIntercept(func(w http.ResponseWriter, r *http.Request) bool {
		if path.Base(r.URL.Path) != op || n.Add(1) != 1 {
			return false
		}
		p.e.Handler().ServeHTTP(httptest.NewRecorder(), r)
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return false
		}
		conn.(*net.TCPConn).SetLinger(0)
		conn.Close()
		return true
	})
	return &n
}

// TestResentUpsertReportsCreated loses the answer of an upsert that created its records: the
// re-sent upsert hears new=false, yet no record matched before, so the rows were created.
func TestResentUpsertReportsCreated(t *testing.T) {
	p := newDestPortal(t)
	upserts := p.loseFirstAnswer(t, "upsert")
	rows := make([]map[string]any, 30)
	for i := range rows {
		rows[i] = map[string]any{"email": fmt.Sprintf("resent-%02d@example.com", i), "firstname": "Resent"}
	}
	tb := newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "firstname": utf8}, rows...)
	dir := t.TempDir()
	m := map[string]any{"table": "crm_contacts", "object": "contacts"}
	if err := write(context.Background(), t, p.specFor(t, dir, nil, m), tb); err != nil {
		t.Fatal(err)
	}
	if n := upserts.Load(); n != 2 {
		t.Fatalf("%d upsert requests, want 2 (the lost answer re-sent once)", n)
	}
	outs := outcomes(t, dir)
	if len(outs) != len(rows) {
		t.Fatalf("%d outcomes, want %d", len(outs), len(rows))
	}
	for _, o := range outs {
		if o.Status != reverse.StatusSynced || o.Action != reverse.ActionCreated || o.HubSpotID == "" {
			t.Errorf("row %d: %s %s %s, want synced created with an id", o.Row, o.Status, o.Action, o.HubSpotID)
		}
	}
}

func TestLabelledAssociationType(t *testing.T) {
	p := newDestPortal(t)
	c := p.seeded("contacts", 1, "email")[0]
	co := p.seeded("companies", 3, "domain")[2]
	tb := newTable("crm_contacts", map[string]arrow.DataType{"email": utf8, "billing_company": utf8},
		map[string]any{"email": c.Properties["email"], "billing_company": co.ID})
	m := map[string]any{"table": "crm_contacts", "object": "contacts",
		"associations": []map[string]any{{"to": "companies", "column": "billing_company", "label": "Billing contact"}}}
	if err := write(context.Background(), t, p.specFor(t, t.TempDir(), nil, m), tb); err != nil {
		t.Fatal(err)
	}
	api, err := hubspot.NewClient(hubspot.WithBaseURL(p.srv.URL), hubspot.WithAccessToken(p.e.Token()))
	if err != nil {
		t.Fatal(err)
	}
	sets, err := api.Associations.BatchRead(context.Background(), "contacts", "companies", []string{c.ID})
	if err != nil {
		t.Fatal(err)
	}
	labelled := false
	for _, s := range sets {
		for _, to := range s.To {
			for _, ty := range to.Types {
				labelled = labelled || (to.ToObjectID == co.ID && ty.Label != nil && *ty.Label == "Billing contact")
			}
		}
	}
	if !labelled {
		t.Errorf("no Billing contact association from %s to %s: %+v", c.ID, co.ID, sets)
	}
}

func TestDeleteRules(t *testing.T) {
	p := newDestPortal(t)
	cs := p.seeded("contacts", 4, "email")
	rowsOf := func(recs ...int) []map[string]any {
		var out []map[string]any
		for _, i := range recs {
			out = append(out, map[string]any{"email": cs[i].Properties["email"], "jobtitle": "Kept"})
		}
		return out
	}
	cols := map[string]arrow.DataType{"email": utf8, "jobtitle": utf8}
	archiveRule := map[string]any{"table": "crm_contacts", "object": "contacts", "on_delete": "archive"}
	dir := t.TempDir()

	// Run 1 writes contacts 0..3 (reported); run 2 still has 0..2, deletes 0 by key and ends with
	// DeleteStale: 0 is archived by DeleteRecord, 3 by DeleteStale.
	if err := write(context.Background(), t, p.specFor(t, dir, nil, archiveRule), newTable("crm_contacts", cols, rowsOf(0, 1, 2, 3)...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // the next run starts after the first run's report entries
	tb := newTable("crm_contacts", cols, rowsOf(1, 2)...)
	tb.deletes = []message.WriteMessage{deleteByKey("crm_contacts", "email", cs[0].Properties["email"]),
		&message.WriteDeleteStale{TableName: "crm_contacts", SourceName: "warehouse", SyncTime: time.Now()}}
	if err := write(context.Background(), t, p.specFor(t, dir, nil, archiveRule), tb); err != nil {
		t.Fatal(err)
	}
	for i, wantLive := range []bool{false, true, true, false} {
		if _, live := p.byID("contacts", cs[i].ID); live != wantLive {
			t.Errorf("contact %d live = %v, want %v", i, live, wantLive)
		}
	}

	// With the default rule, deletes change nothing.
	q := newDestPortal(t)
	ignoreRule := map[string]any{"table": "crm_contacts", "object": "contacts"}
	qc := q.seeded("contacts", 1, "email")[0]
	tb = newTable("crm_contacts", cols)
	tb.deletes = []message.WriteMessage{deleteByKey("crm_contacts", "email", qc.Properties["email"]),
		&message.WriteDeleteStale{TableName: "crm_contacts", SourceName: "warehouse", SyncTime: time.Now()}}
	if err := write(context.Background(), t, q.specFor(t, t.TempDir(), nil, ignoreRule), tb); err != nil {
		t.Fatal(err)
	}
	if _, live := q.byID("contacts", qc.ID); !live || q.writeCount() != 0 {
		t.Errorf("ignore rule: contact live %v, %d writes", live, q.writeCount())
	}
}

// TestDeleteStaleSparesRowsStillPresent reruns a synced table with DeleteStale: a row still in
// the table keeps its record whatever its own outcome; only a row that is gone loses it.
func TestDeleteStaleSparesRowsStillPresent(t *testing.T) {
	cases := []struct {
		name     string
		row      func(email, domain string) map[string]any // contact 0's row in the second run; nil: gone
		category string                                    // the row's category in the second run
		wantLive bool
	}{
		{"a value that is not an option fails the row", func(email, domain string) map[string]any {
			return map[string]any{"email": email, "lifecyclestage": "not-an-option", "employer": domain}
		}, "INVALID_OPTION", true},
		{"a missing association target excludes the row", func(email, _ string) map[string]any {
			return map[string]any{"email": email, "employer": "not-yet-synced.example"}
		}, reverse.ReasonTargetMissing, true},
		{"the row is gone", nil, "", false},
	}
	cols := map[string]arrow.DataType{"email": utf8, "lifecyclestage": utf8, "employer": utf8}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := newDestPortal(t)
			cs := p.seeded("contacts", 2, "email")
			domain := p.seeded("companies", 1, "domain")[0].Properties["domain"]
			rule := map[string]any{"table": "crm_contacts", "object": "contacts", "on_delete": "archive",
				"associations": []map[string]any{{"to": "companies", "column": "employer", "match_property": "domain"}}}
			dir := t.TempDir()
			kept := map[string]any{"email": cs[1].Properties["email"], "employer": domain}
			first := newTable("crm_contacts", cols, map[string]any{"email": cs[0].Properties["email"], "employer": domain}, kept)
			if err := write(context.Background(), t, p.specFor(t, dir, nil, rule), first); err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond) // the next run starts after the first run's report entries
			rows := []map[string]any{kept}
			if tc.row != nil {
				rows = append(rows, tc.row(cs[0].Properties["email"], domain))
			}
			second := newTable("crm_contacts", cols, rows...)
			second.deletes = []message.WriteMessage{&message.WriteDeleteStale{TableName: "crm_contacts", SourceName: "warehouse", SyncTime: time.Now()}}
			if err := write(context.Background(), t, p.specFor(t, dir, nil, rule), second); err != nil {
				t.Fatal(err)
			}
			if _, live := p.byID("contacts", cs[0].ID); live != tc.wantLive {
				t.Errorf("contact live = %v after DeleteStale, want %v", live, tc.wantLive)
			}
			if _, live := p.byID("contacts", cs[1].ID); !live {
				t.Errorf("the unchanged row's contact was archived")
			}
			if tc.category != "" && !slices.ContainsFunc(outcomes(t, dir), func(o reverse.Outcome) bool { return o.Category == tc.category }) {
				t.Errorf("no row reported %s", tc.category)
			}
		})
	}
}

func deleteByKey(table, column, value string) *message.WriteDeleteRecord {
	sc := arrow.NewSchema([]arrow.Field{{Name: column, Type: arrow.BinaryTypes.String}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, sc)
	defer b.Release()
	b.Field(0).(*array.StringBuilder).Append(value)
	return &message.WriteDeleteRecord{DeleteRecord: message.DeleteRecord{TableName: table, WhereClause: message.PredicateGroups{{
		GroupingType: "AND", Predicates: message.Predicates{{Operator: "eq", Column: column, Record: b.NewRecord()}}}}}}
}

// A row that reached a record protects that record by its id, and only that one: its other match
// keys must not keep a record that a row now gone matched by one of them. Here the gone row
// matched a company by name, and the row still present carries the same name but matches another
// company by domain.
func TestDeleteStaleArchivesWhatOnlyAGoneRowMatched(t *testing.T) {
	p := newDestPortal(t)
	byName, err := p.e.Create("companies", map[string]string{"name": "Stale Name Holdings"})
	if err != nil {
		t.Fatal(err)
	}
	byDomain, err := p.e.Create("companies", map[string]string{"name": "Stale Name Holdings", "domain": "kept-by-domain.example"})
	if err != nil {
		t.Fatal(err)
	}
	rule := map[string]any{"table": "crm_companies", "object": "companies", "match_key": []string{"domain", "name"}, "on_delete": "archive"}
	cols := map[string]arrow.DataType{"domain": utf8, "name": utf8}
	dir := t.TempDir()
	spec := p.specFor(t, dir, map[string]any{"objects": []string{"companies"}}, rule)
	present := map[string]any{"domain": "kept-by-domain.example", "name": "Stale Name Holdings"}
	if err := write(context.Background(), t, spec, newTable("crm_companies", cols, map[string]any{"name": "Stale Name Holdings"}, present)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // the next run starts after the first run's report entries
	second := newTable("crm_companies", cols, present)
	second.deletes = []message.WriteMessage{&message.WriteDeleteStale{TableName: "crm_companies", SourceName: "warehouse", SyncTime: time.Now()}}
	if err := write(context.Background(), t, spec, second); err != nil {
		t.Fatal(err)
	}
	if _, live := p.byID("companies", byName); live {
		t.Error("the company only the gone row matched is still live after DeleteStale")
	}
	if _, live := p.byID("companies", byDomain); !live {
		t.Error("the present row's company was archived")
	}
}
