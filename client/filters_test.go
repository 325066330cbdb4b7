package client_test

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/cloudquery/plugin-sdk/v4/message"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/arrowtest"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// warehouse keeps what an upserting destination keeps of a table: the latest row of each id,
// with its tombstone reason ("" on live rows).
type warehouse map[string]string

func (w warehouse) apply(t *testing.T, msgs message.SyncMessages, table string) {
	t.Helper()
	for _, rec := range insertsFor(msgs, table) {
		ids := arrowtest.Column[*array.Int64](t, rec, "id")
		archived := arrowtest.Column[*array.Boolean](t, rec, "archived")
		reasons := arrowtest.Column[*array.String](t, rec, "archived_reason")
		for i := range int(rec.NumRows()) {
			reason := ""
			if archived.Value(i) {
				reason = reasons.Value(i)
			}
			w[strconv.FormatInt(ids.Value(i), 10)] = reason
		}
	}
}

// live lists the ids of live rows, sorted.
func (w warehouse) live() []string {
	var ids []string
	for id, reason := range w {
		if reason == "" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// matching lists the live contacts whose lifecyclestage is one of stages, sorted.
func matching(p *portal, stages ...string) []string {
	var ids []string
	for _, c := range p.emu.Records("contacts", false) {
		if slices.Contains(stages, c.Properties["lifecyclestage"]) {
			ids = append(ids, c.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func stageFilter(stages ...string) map[string]any {
	var groups []any
	for _, s := range stages {
		groups = append(groups, []any{map[string]any{"property": "lifecyclestage", "operator": "EQ", "value": s}})
	}
	return map[string]any{"contacts": map[string]any{"groups": groups}}
}

func TestRecordFiltersKeepTheWarehouseToMatchingRecords(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 11, Counts: smallCounts})
	spec := func(stages ...string) []byte {
		return p.spec(map[string]any{"objects": []string{"contacts"}, "filters": stageFilter(stages...)})
	}
	w := warehouse{}
	w.apply(t, p.mustSync(spec("customer", "evangelist"), "hubspot_crm_contacts"), "hubspot_crm_contacts")
	want := matching(p, "customer", "evangelist")
	if len(want) < 2 || !slices.Equal(w.live(), want) {
		t.Fatalf("backfill: %d live rows, want the %d customers and evangelists", len(w.live()), len(want))
	}
	if len(w) != len(want) {
		t.Fatalf("backfill sent %d rows for %d matching records: non-matching ones must not arrive", len(w), len(want))
	}

	// One customer stops matching, one lead starts; neither is otherwise touched.
	leaving := want[0]
	joining := matching(p, "lead")[0]
	bystander := matching(p, "subscriber", "other")[0] // never matches; changes anyway
	must(t, p.emu.Update("contacts", leaving, map[string]string{"lifecyclestage": "lead"}))
	must(t, p.emu.Update("contacts", joining, map[string]string{"lifecyclestage": "customer"}))
	must(t, p.emu.Update("contacts", bystander, map[string]string{"firstname": "Changed"}))
	time.Sleep(1100 * time.Millisecond) // past the 1 s settle lag
	w.apply(t, p.mustSync(spec("customer", "evangelist"), "hubspot_crm_contacts"), "hubspot_crm_contacts")
	if got, want := w.live(), matching(p, "customer", "evangelist"); !slices.Equal(got, want) {
		t.Errorf("incremental: live rows differ from the matching records: %d vs %d", len(got), len(want))
	}
	if w[leaving] != "filtered_out" {
		t.Errorf("contact %s no longer matches: its row says %q, want filtered_out", leaving, w[leaving])
	}
	if reason, ok := w[bystander]; ok {
		t.Errorf("contact %s never matched, yet got a row (%q)", bystander, reason)
	}

	// The filter changes: every record is judged again.
	w.apply(t, p.mustSync(spec("lead"), "hubspot_crm_contacts"), "hubspot_crm_contacts")
	if got, want := w.live(), matching(p, "lead"); !slices.Equal(got, want) {
		t.Errorf("after the filter changed: %d live rows, want the %d leads", len(got), len(want))
	}
	for _, id := range matching(p, "customer", "evangelist") {
		if w[id] != "filtered_out" {
			t.Fatalf("customer %s after the filter changed to leads: row says %q, want filtered_out", id, w[id])
		}
	}
	if reason, ok := w[bystander]; ok {
		t.Errorf("contact %s matched neither filter, yet got a row (%q)", bystander, reason)
	}
}

// HubSpot matches IN values on a string property as sent against lower-cased values, so a
// filter written with the CRM's capitals must still find those records.
func TestRecordFilterInMatchesStringValuesWhateverTheirCase(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 11, Counts: smallCounts})
	var first string
	var want []string
	for _, c := range p.emu.Records("contacts", false) {
		if n := c.Properties["firstname"]; first == "" && n != strings.ToLower(n) {
			first = n
		}
	}
	for _, c := range p.emu.Records("contacts", false) {
		if strings.EqualFold(c.Properties["firstname"], first) {
			want = append(want, c.ID)
		}
	}
	slices.Sort(want)
	filters := map[string]any{"contacts": map[string]any{"groups": []any{[]any{
		map[string]any{"property": "firstname", "operator": "IN", "values": []string{first}}}}}}
	w := warehouse{}
	w.apply(t, p.mustSync(p.spec(map[string]any{"objects": []string{"contacts"}, "filters": filters}), "hubspot_crm_contacts"), "hubspot_crm_contacts")
	if got := w.live(); len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("firstname IN [%q]: %d live rows, want the %d contacts of that name", first, len(got), len(want))
	}
}

func TestRecordFiltersAreCheckedAgainstTheProperties(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 11, Counts: smallCounts})
	cond := func(c map[string]any) map[string]any {
		return map[string]any{"contacts": map[string]any{"groups": []any{[]any{c}}}}
	}
	for _, tc := range []struct {
		name    string
		filters map[string]any
		want    []string
	}{
		{"unknown property", cond(map[string]any{"property": "lifecyclestag", "operator": "EQ", "value": "lead"}),
			[]string{"filters.contacts.groups[0][0].property", `"lifecyclestag"`, "did you mean lifecyclestage"}},
		{"operator for another type", cond(map[string]any{"property": "firstname", "operator": "GT", "value": "a"}),
			[]string{"filters.contacts.groups[0][0]", "GT does not apply to firstname, a string property"}},
		{"not an option", cond(map[string]any{"property": "lifecyclestage", "operator": "EQ", "value": "custmer"}),
			[]string{`"custmer" is not an option of lifecyclestage`, "did you mean customer"}},
		{"not a date", cond(map[string]any{"property": "createdate", "operator": "GT", "value": "last week"}),
			[]string{`"last week" is not a date`}},
		{"an object the sync does not read", map[string]any{"deals": map[string]any{"groups": []any{[]any{map[string]any{"property": "dealname", "operator": "HAS_PROPERTY"}}}}},
			[]string{"filters.deals", "not an object type this sync reads"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.sync(p.spec(map[string]any{"objects": []string{"contacts"}, "filters": tc.filters}), "hubspot_crm_contacts")
			if err == nil {
				t.Fatal("the sync accepted the filter")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

func TestRecordFiltersFitHubSpotsSearchLimits(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 11, Counts: smallCounts})
	has := map[string]any{"property": "email", "operator": "HAS_PROPERTY"}
	group := func(n int) []any { return slices.Repeat([]any{has}, n) }
	for _, tc := range []struct {
		name   string
		groups []any
		want   string
	}{
		{"six groups", slices.Repeat([]any{group(1)}, 6), "groups': maxItems: got 6, want 5"},
		{"nine conditions in a group", []any{group(9)}, "at most 8 fit in a group"},
		{"30 filters with the sync's own", []any{group(8), group(8), group(8)}, "needs 30 search filters"},
		{"IN without values", []any{[]any{map[string]any{"property": "email", "operator": "IN"}}}, "IN needs values"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			filters := map[string]any{"contacts": map[string]any{"groups": tc.groups}}
			_, err := p.sync(p.spec(map[string]any{"objects": []string{"contacts"}, "filters": filters}), "hubspot_crm_contacts")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one saying %q", err, tc.want)
			}
		})
	}
}

// manualContactList returns the emulator's MANUAL list of contacts.
func manualContactList(t *testing.T, p *portal) emulator.List {
	t.Helper()
	for _, l := range p.emu.Lists() {
		if l.ObjectTypeID == "0-1" && l.ProcessingType == emulator.ListManual {
			return l
		}
	}
	t.Fatal("the emulator seeds no MANUAL list of contacts")
	return emulator.List{}
}

func TestListGateFollowsMembershipWithoutRecordChanges(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 13, Counts: smallCounts})
	list := manualContactList(t, p)
	if len(list.Members) < 3 {
		t.Fatalf("list %s has %d members; the test needs 3", list.ID, len(list.Members))
	}
	spec := p.spec(map[string]any{"objects": []string{"contacts"}, "filters": map[string]any{"contacts": map[string]any{"lists": []string{list.ID}}}})
	members := func() []string {
		for _, l := range p.emu.Lists() {
			if l.ID == list.ID {
				ids := slices.Clone(l.Members)
				slices.Sort(ids)
				return ids
			}
		}
		return nil
	}
	// A contact outside the list at first, to join it later.
	joining := list.Members[1]
	must(t, p.emu.RemoveFromList(list.ID, []string{joining}))
	w := warehouse{}
	w.apply(t, p.mustSync(spec, "hubspot_crm_contacts"), "hubspot_crm_contacts")
	if got := w.live(); !slices.Equal(got, members()) || len(w) != len(got) {
		t.Fatalf("backfill: %d rows, %d live; want exactly the %d members", len(w), len(got), len(members()))
	}

	// Membership changes only: no record is edited.
	leaving := list.Members[0]
	must(t, p.emu.RemoveFromList(list.ID, []string{leaving}))
	must(t, p.emu.AddToList(list.ID, []string{joining}))
	w.apply(t, p.mustSync(spec, "hubspot_crm_contacts"), "hubspot_crm_contacts")
	if got := w.live(); !slices.Equal(got, members()) {
		t.Errorf("after membership changes: live %v, members %v", got, members())
	}
	if w[leaving] != "filtered_out" {
		t.Errorf("contact %s left the list: its row says %q, want filtered_out", leaving, w[leaving])
	}

	// A run with no change sends nothing.
	if rows := objectRows(t, p.mustSync(spec, "hubspot_crm_contacts"), "hubspot_crm_contacts"); len(rows) != 0 {
		t.Errorf("a run without changes sent %d rows", len(rows))
	}
}

func TestListGateChecksTheLists(t *testing.T) {
	p := newPortal(t, emulator.Config{Seed: 13, Counts: smallCounts})
	var companyList string
	for _, l := range p.emu.Lists() {
		if l.ObjectTypeID == "0-2" {
			companyList = l.ID
		}
	}
	for _, tc := range []struct {
		list string
		want string
	}{
		{"987654", "filters.contacts.lists[0]: portal default has no list 987654"},
		{companyList, "holds records of object type 0-2, not contacts"},
		{"abc", `"abc" is not a list id`},
	} {
		_, err := p.sync(p.spec(map[string]any{"objects": []string{"contacts"},
			"filters": map[string]any{"contacts": map[string]any{"lists": []string{tc.list}}}}), "hubspot_crm_contacts")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("list %q: error %v, want one saying %q", tc.list, err, tc.want)
		}
	}
}

// Filters compose with the record cap: a capped filtered backfill and a capped list-gated one
// resume where they stopped, and deliver each matching record exactly once.
func TestRecordFiltersResumeUnderTheCap(t *testing.T) {
	for _, tc := range []struct {
		name   string
		filter func(p *portal) (map[string]any, []string)
	}{
		{"filter groups", func(p *portal) (map[string]any, []string) {
			return stageFilter("customer", "lead"), matching(p, "customer", "lead")
		}},
		{"list gate", func(p *portal) (map[string]any, []string) {
			l := manualContactList(t, p)
			ids := slices.Clone(l.Members)
			slices.Sort(ids)
			return map[string]any{"contacts": map[string]any{"lists": []string{l.ID}}}, ids
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			counts := maps.Clone(smallCounts)
			counts["contacts"] = 600
			p := newPortal(t, emulator.Config{Seed: 17, Counts: counts})
			filters, want := tc.filter(p)
			const limit = 40
			if len(want) < 3*limit {
				t.Fatalf("%d matching records: too few to need several capped runs", len(want))
			}
			spec := p.spec(map[string]any{"objects": []string{"contacts"}, "filters": filters, "max_records_per_sync": limit})
			seen := map[string]int{}
			runs := 0
			for ; runs < 100; runs++ {
				msgs, rep, err := p.syncWithReport(spec, "hubspot_crm_contacts")
				if err != nil {
					t.Fatal(err)
				}
				for id := range objectRows(t, msgs, "hubspot_crm_contacts") {
					seen[id]++
				}
				if len(rep.Incomplete()) == 0 {
					break
				}
			}
			got := slices.Sorted(maps.Keys(seen))
			if !slices.Equal(got, want) {
				t.Fatalf("after %d capped runs: %d records delivered, want the %d matching", runs+1, len(got), len(want))
			}
			for id, n := range seen {
				if n != 1 {
					t.Errorf("record %s delivered %d times", id, n)
				}
			}
			if most := (len(want)+limit-1)/limit + 1; runs+1 > most {
				t.Errorf("%d runs for %d records under a cap of %d, want at most %d", runs+1, len(want), limit, most)
			}
		})
	}
}
