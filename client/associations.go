package client

import (
	"context"
	"slices"
	"strings"
)

// AssociationPair is one direction of associations to read: from each record of From, its
// associations to To. Associations are symmetric in HubSpot, so one direction per pair suffices.
type AssociationPair struct {
	From, To ObjectType
}

// primaryTargets are the object types that others associate to by default.
var primaryTargets = []string{"contacts", "companies", "deals", "tickets"}

// AssociationPairs lists the pairs to read for a portal: the spec's `associations.pairs`, or by
// default every synced object towards the primary objects ranked before it (companies to contacts;
// deals to contacts and companies; tickets and engagements to all four; custom objects to those their schema associates them with).
func (m *Meta) AssociationPairs(ctx context.Context) ([]AssociationPair, error) {
	cat, err := m.Portal.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	var pairs []AssociationPair
	if explicit := m.run.spec.Associations.Pairs; len(explicit) > 0 {
		for _, p := range explicit {
			from, to, _ := strings.Cut(p, ":")
			f, okF := cat.Object(from)
			t, okT := cat.Object(to)
			if okF && okT {
				pairs = append(pairs, AssociationPair{From: f, To: t})
			}
		}
		return pairs, nil
	}
	rank := func(o ObjectType) int {
		if i := slices.Index(primaryTargets, o.Name); i >= 0 {
			return i
		}
		return len(primaryTargets)
	}
	for _, from := range cat.Objects {
		for _, name := range primaryTargets {
			to, ok := cat.Object(name)
			if ok && rank(to) < rank(from) && (!from.Custom || slices.Contains(from.AssociatesWith, to.TypeID)) {
				pairs = append(pairs, AssociationPair{From: from, To: to})
			}
		}
	}
	return pairs, nil
}
