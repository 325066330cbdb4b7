package client

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"maps"
	"slices"
	"strconv"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// MembershipPlan says which lists' members a run of the memberships table reads, and which lists
// are gone since the last run. Joining or leaving a list changes no record, so a list's own
// properties tell when its members changed: its size and the times of its last addition and
// removal (and its version, bumped when a DYNAMIC list's filters change).
type MembershipPlan struct {
	// Read lists whose members changed since the last run, are new, or are due for their
	// periodic re-read (list_memberships.refresh_runs).
	Read []hubspot.List
	// Missed are live lists read before that this run's search did not return: the lists table
	// sends them too.
	Missed []hubspot.List
	// Gone names lists read before that were deleted or no longer exist: they have no members now.
	Gone []string

	meta  *Meta
	key   string
	saved membershipState
	seen  map[string]string // every live list of this run -> its fingerprint
}

// membershipState is what the state keeps between runs: the run count, which staggers the periodic
// re-reads, and the fingerprint of each list's members as last read.
type membershipState struct {
	V     int               `json:"v"`
	Run   int               `json:"run"`
	Lists map[string]string `json:"lists"`
}

// PlanMemberships compares lists, as this run's search returned them, with what the last run read.
// A list read before and missing from the search is looked up before it counts as gone, since a
// search that pages while other lists are deleted can skip a live one: first by a search by id,
// then, for lists that search does not return either, by id, where only a 404 or a deletion
// time says gone.
func (m *Meta) PlanMemberships(ctx context.Context, table string, lists []hubspot.List) (*MembershipPlan, error) {
	p := &MembershipPlan{meta: m, key: m.stateKey(table), seen: map[string]string{}}
	raw, err := m.run.store.GetKey(ctx, p.key)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w", p.key, err)
	}
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &p.saved); err != nil || p.saved.V != 1 {
			return nil, fmt.Errorf("state %s is not a list membership state (remove the key to read every list's members again): %q", p.key, raw)
		}
	}
	p.plan(lists)
	for chunk := range slices.Chunk(p.unseen(), hubspot.MaxListSearchCount) {
		found, err := m.Portal.API.Lists.All(ctx, hubspot.ListSearch{ListIDs: chunk})
		if err != nil {
			return nil, fmt.Errorf("look up lists missing from the search: %w", err)
		}
		p.miss(found)
	}
	for _, id := range p.unseen() {
		l, err := m.Portal.API.Lists.Get(ctx, id, hubspot.ListGetOptions{})
		if hubspot.IsNotFound(err) {
			continue // gone
		}
		if err != nil {
			return nil, fmt.Errorf("confirm that list %s is gone: %w", id, err)
		}
		p.miss([]hubspot.List{*l}) // kept when live; one with a deletion time stays gone
	}
	p.Gone = p.unseen()
	return p, nil
}

// miss takes the live lists among lists, found by id after the search missed them.
func (p *MembershipPlan) miss(lists []hubspot.List) {
	live := slices.DeleteFunc(lists, func(l hubspot.List) bool { return l.DeletedAt != nil })
	p.Missed = append(p.Missed, live...)
	p.plan(live)
}

// plan takes this run's live lists among lists, and the ones among them whose members to read.
func (p *MembershipPlan) plan(lists []hubspot.List) {
	runs := p.meta.run.spec.ListMemberships.RefreshRuns
	full := p.meta.run.spec.ListMemberships.FullRefresh
	for _, l := range lists {
		if l.DeletedAt != nil {
			continue
		}
		fp := fingerprint(l)
		p.seen[l.ID] = fp
		last, known := p.saved.Lists[l.ID]
		if full || !known || last != fp || refreshDue(l.ID, p.saved.Run, runs) {
			p.Read = append(p.Read, l)
		}
	}
}

// unseen names the lists read before that are not among this run's live lists so far.
func (p *MembershipPlan) unseen() []string {
	var ids []string
	for id := range p.saved.Lists {
		if _, live := p.seen[id]; !live {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// fingerprint is what changes when a list's members do, as far as HubSpot's list properties
// tell; the periodic re-read covers the rest.
func fingerprint(l hubspot.List) string {
	size := "?"
	if l.Size != nil {
		size = strconv.FormatInt(*l.Size, 10)
	}
	return fmt.Sprintf("%s|%s|%s|%d", size, l.Properties["hs_last_record_added_at"], l.Properties["hs_last_record_removed_at"], l.Version)
}

// refreshDue spreads the periodic re-reads over refresh_runs runs: each list falls due in one run
// of every refresh_runs, by a hash of its id, so that lists seen first together are not all read
// again in the same run.
func refreshDue(listID string, run, runs int) bool {
	h := fnv.New32a()
	h.Write([]byte(listID))
	return int(h.Sum32()%uint32(runs)) == run%runs
}

// Save records the run: the lists in read now hold the members read, gone lists are forgotten, and
// lists that were due but not read (their read failed) are read again next run. A live list not
// due was read before with the same fingerprint, so every live list keeps this run's.
func (p *MembershipPlan) Save(ctx context.Context, read []string) error {
	next := membershipState{V: 1, Run: p.saved.Run + 1, Lists: maps.Clone(p.seen)}
	for _, l := range p.Read {
		if !slices.Contains(read, l.ID) {
			delete(next.Lists, l.ID)
		}
	}
	raw, err := json.Marshal(next)
	if err != nil {
		return fmt.Errorf("encode state %s: %w", p.key, err)
	}
	if err := p.meta.run.store.SetKey(ctx, p.key, string(raw)); err != nil {
		return fmt.Errorf("save state %s: %w", p.key, err)
	}
	return nil
}
