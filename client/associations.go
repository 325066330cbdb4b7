package client

import (
	"context"
	"slices"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/catalog"
)

// AssociationPair is one direction of associations to read: from each record of From, its
// associations to To. Associations are symmetric in HubSpot, so one direction per pair suffices.
type AssociationPair struct {
	From, To ObjectType
}

// AssociationPairs lists the pairs to read for a portal: the spec's `associations.pairs`, or by
// default every synced object towards the object types the catalog associates it with (companies to
// contacts; deals to contacts and companies; tickets and engagements to the primary objects before
// them; custom objects to those of the primary objects their schema associates them with).
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
	for _, from := range cat.Objects {
		for _, name := range defaultTargets(from) {
			to, ok := cat.Object(name)
			if ok && (!from.Custom || slices.Contains(from.AssociatesWith, to.TypeID)) {
				pairs = append(pairs, AssociationPair{From: from, To: to})
			}
		}
	}
	return pairs, nil
}

// defaultTargets names the object types whose associations are read from from by default: the
// catalog's for a standard object, the primary objects for a custom one.
func defaultTargets(from ObjectType) []string {
	if from.Custom {
		return catalog.CustomTargets
	}
	o, _ := catalog.Lookup(from.Name)
	return o.AssociatesTo
}
