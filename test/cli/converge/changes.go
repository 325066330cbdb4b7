package converge

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/hubspot-cq/cq-plugin-hubspot/client/spec"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// Lifecycle stages the changes move contacts between: each round one contact leaves StageIn for
// StageOut and another joins StageIn, so that Filter sees records leave and enter it.
const (
	StageIn  = "customer"
	StageOut = "lead"
)

// Filter is the contacts filter of the filtered variants: lifecycle stage customer or evangelist.
func Filter() *spec.RecordFilter {
	values := []spec.FilterValue{StageIn, "evangelist"}
	return &spec.RecordFilter{Groups: [][]spec.Condition{{{Property: "lifecyclestage", Operator: spec.OpIn, Values: values}}}}
}

// GatedFilter is Filter with a list gate: members of the portal's MANUAL list of contacts (the
// list Change adds contacts to and removes them from).
func (p *Portal) GatedFilter(ctx context.Context) (*spec.RecordFilter, error) {
	list, err := p.gateList(ctx)
	if err != nil {
		return nil, err
	}
	f := Filter()
	f.Lists = []string{list}
	return f, nil
}

// gateList finds the MANUAL list of contacts, whose members Change moves.
func (p *Portal) gateList(ctx context.Context) (string, error) {
	lists, err := p.API.Lists.All(ctx, hubspot.ListSearch{ProcessingTypes: []string{hubspot.ListManual}, ObjectTypeID: "0-1"})
	if err != nil {
		return "", fmt.Errorf("find the gate list: %w", err)
	}
	if len(lists) > 0 {
		return lists[0].ID, nil
	}
	return "", errors.New("the portal has no MANUAL list of contacts")
}

// members lists the ids of a list's members.
func (p *Portal) members(ctx context.Context, list string) (map[int64]bool, error) {
	out := map[int64]bool{}
	for page, err := range p.API.Lists.Memberships(ctx, list, hubspot.MembershipOptions{}) {
		if err != nil {
			return nil, fmt.Errorf("members of list %s: %w", list, err)
		}
		for _, m := range page.Members {
			n, err := strconv.ParseInt(m.RecordID, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("members of list %s: id %q: %w", list, m.RecordID, err)
			}
			out[n] = true
		}
	}
	return out, nil
}

// billingContact is the labelled contact-to-company association type the changes create.
var billingContact = hubspot.AssociationTypeSpec{Category: "USER_DEFINED", TypeID: 101}

// Merge is a merge one round made: Away was merged into Into.
type Merge struct {
	Object     string
	Into, Away int64
}

// Round is what one round of changes did, for checks beyond the live set.
type Round struct {
	Merges []Merge
}

// picker hands out records no earlier change of the round touched.
type picker struct{ used map[string]bool }

func (p picker) touched(object string, id int64) bool {
	return p.used[object+"/"+strconv.FormatInt(id, 10)]
}

func (p picker) touch(object string, id int64) { p.used[object+"/"+strconv.FormatInt(id, 10)] = true }

// next picks the first of ids (records of object) that is untouched.
func (p picker) next(object string, ids []int64) (int64, error) {
	i := slices.IndexFunc(ids, func(id int64) bool { return !p.touched(object, id) })
	if i < 0 {
		return 0, fmt.Errorf("no untouched %s left: seed the emulator with more records", object)
	}
	p.touch(object, ids[i])
	return ids[i], nil
}

// Change makes one round of changes through HubSpot's public API, each to records that no other
// change of the round touches: a contact merged into another and a company into another; an
// association created and one removed between a contact and a company that are otherwise
// unchanged (neither record's last-modified time moves); a contact's name updated, a contact
// leaving StageIn and another joining it; a contact and a company archived; a contact created at
// StageIn; a contact at StageIn added to the MANUAL list of contacts and one removed from it,
// neither otherwise changed.
func (p *Portal) Change(ctx context.Context) (Round, error) {
	contacts, err := p.LiveIDs(ctx, "contacts", nil)
	if err != nil {
		return Round{}, err
	}
	companies, err := p.LiveIDs(ctx, "companies", nil)
	if err != nil {
		return Round{}, err
	}
	stage := func(s string) ([]int64, error) {
		return p.LiveIDs(ctx, "contacts", &spec.RecordFilter{Groups: [][]spec.Condition{{{Property: "lifecyclestage", Operator: spec.OpEQ, Value: ptr(spec.FilterValue(s))}}}})
	}
	in, err := stage(StageIn)
	if err != nil {
		return Round{}, err
	}
	out, err := stage(StageOut)
	if err != nil {
		return Round{}, err
	}
	links, err := p.Associations(ctx, "contacts", "companies")
	if err != nil {
		return Round{}, err
	}

	pick := picker{used: map[string]bool{}}
	var round Round
	for _, m := range []struct {
		object string
		ids    []int64
	}{{"contacts", contacts}, {"companies", companies}} {
		into, err1 := pick.next(m.object, m.ids)
		away, err2 := pick.next(m.object, m.ids)
		if err := errors.Join(err1, err2); err != nil {
			return round, fmt.Errorf("merge: %w", err)
		}
		if _, err := p.API.Objects.Merge(ctx, m.object, id(into), id(away)); err != nil {
			return round, fmt.Errorf("merge %s %d into %d: %w", m.object, away, into, err)
		}
		round.Merges = append(round.Merges, Merge{m.object, into, away})
	}

	removed, err := untouchedLink(pick, links)
	if err != nil {
		return round, err
	}
	if err := p.API.Associations.BatchArchive(ctx, "contacts", "companies", []hubspot.AssociationInput{{FromID: id(removed.FromID), ToID: id(removed.ToID)}}); err != nil {
		return round, fmt.Errorf("remove association: %w", err)
	}
	contact, err1 := pick.next("contacts", contacts)
	company, err2 := pick.next("companies", companies)
	if err := errors.Join(err1, err2); err != nil {
		return round, fmt.Errorf("create association: %w", err)
	}
	created, err := p.API.Associations.BatchCreate(ctx, "contacts", "companies",
		[]hubspot.AssociationInput{{FromID: id(contact), ToID: id(company), Types: []hubspot.AssociationTypeSpec{billingContact}}})
	if err == nil && len(created.Errors) > 0 {
		err = created.Errors[0]
	}
	if err != nil {
		return round, fmt.Errorf("create association: %w", err)
	}

	var updates []hubspot.ObjectInput
	for _, u := range []struct {
		ids   []int64
		props map[string]string
	}{
		{contacts, map[string]string{"firstname": "Converged"}},
		{in, map[string]string{"lifecyclestage": StageOut}},
		{out, map[string]string{"lifecyclestage": StageIn}},
	} {
		who, err := pick.next("contacts", u.ids)
		if err != nil {
			return round, fmt.Errorf("update: %w", err)
		}
		updates = append(updates, hubspot.ObjectInput{ID: id(who), Properties: u.props})
	}
	if err := batchErr(p.API.Objects.BatchUpdate(ctx, "contacts", updates)); err != nil {
		return round, fmt.Errorf("update contacts: %w", err)
	}
	for _, a := range []struct {
		object string
		ids    []int64
	}{{"contacts", contacts}, {"companies", companies}} {
		gone, err := pick.next(a.object, a.ids)
		if err != nil {
			return round, fmt.Errorf("archive: %w", err)
		}
		if err := p.API.Objects.BatchArchive(ctx, a.object, []string{id(gone)}); err != nil {
			return round, fmt.Errorf("archive %s %d: %w", a.object, gone, err)
		}
	}
	made, err := p.API.Objects.BatchCreate(ctx, "contacts", []hubspot.ObjectInput{{Properties: map[string]string{
		"email": fmt.Sprintf("converged-%d@example.com", len(contacts)), "firstname": "New", "lifecyclestage": StageIn}}})
	if err := batchErr(made, err); err != nil {
		return round, fmt.Errorf("create contact: %w", err)
	}
	return round, p.changeMembers(ctx, pick, in)
}

// changeMembers removes a contact of in from the gate list and adds another that is not a member
// (one that an earlier round removed, when the seed made every one a member), both untouched.
func (p *Portal) changeMembers(ctx context.Context, pick picker, in []int64) error {
	list, err := p.gateList(ctx)
	if err != nil {
		return err
	}
	members, err := p.members(ctx, list)
	if err != nil {
		return err
	}
	outside := slices.DeleteFunc(slices.Clone(in), func(id int64) bool { return members[id] })
	inside := slices.DeleteFunc(slices.Clone(in), func(id int64) bool { return !members[id] })
	if joiner, err := pick.next("contacts", outside); err == nil {
		if _, err := p.API.Lists.AddMembers(ctx, list, []string{id(joiner)}); err != nil {
			return fmt.Errorf("add %d to list %s: %w", joiner, list, err)
		}
	}
	leaver, err := pick.next("contacts", inside)
	if err != nil {
		return fmt.Errorf("list memberships: %w", err)
	}
	if _, err := p.API.Lists.RemoveMembers(ctx, list, []string{id(leaver)}); err != nil {
		return fmt.Errorf("remove %d from list %s: %w", leaver, list, err)
	}
	return nil
}

// untouchedLink picks an association between a contact and a company that no change touches,
// and marks both records touched.
func untouchedLink(pick picker, links []Association) (Association, error) {
	for _, l := range links {
		if !pick.touched("contacts", l.FromID) && !pick.touched("companies", l.ToID) {
			pick.touch("contacts", l.FromID)
			pick.touch("companies", l.ToID)
			return l, nil
		}
	}
	return Association{}, errors.New("remove association: every contact-company association involves a changed record")
}

// batchErr folds a batch call's partial failures into its error.
func batchErr(res *hubspot.BatchResult, err error) error {
	if err == nil && len(res.Errors) > 0 {
		err = res.Errors[0]
	}
	return err
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func ptr[T any](v T) *T { return &v }
