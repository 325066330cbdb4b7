package reverse

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/apache/arrow/go/v17/arrow"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// assocPlan is an association rule resolved against the portal.
type assocPlan struct {
	rule   AssociationRule
	target finder
	conv   converter
	kind   hubspot.AssociationTypeSpec
}

// compileAssociation resolves a rule's target object, key column, match property and type.
func compileAssociation(ctx context.Context, p *Target, from *Object, sc *arrow.Schema, rule AssociationRule) (*assocPlan, error) {
	to, err := p.Object(ctx, rule.To)
	if err != nil {
		return nil, fmt.Errorf("to: %w", err)
	}
	idx := sc.FieldIndices(rule.Column)
	if len(idx) == 0 {
		return nil, errors.New("the table has no such column")
	}
	target, err := newTargetFinder(to, rule.MatchProperty)
	if err != nil {
		return nil, fmt.Errorf("match_property: %w", err)
	}
	conv, err := newConverter(sc.Field(idx[0]).Type, hubspot.Property{Name: rule.MatchProperty, Type: "string"})
	if err != nil {
		return nil, err
	}
	labels, err := p.Labels(ctx, from, to)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(labels, func(l hubspot.AssociationLabel) bool {
		switch {
		case rule.TypeID != 0:
			return l.TypeID == rule.TypeID
		case rule.Label != "":
			return strings.EqualFold(l.Label, rule.Label)
		}
		return l.Label == "" && l.Category == "HUBSPOT_DEFINED"
	})
	if i < 0 {
		return nil, fmt.Errorf("no association type %s from %s to %s; known: %s", describeRule(rule), from.Name, to.Name, describeLabels(labels))
	}
	return &assocPlan{rule: rule, target: target, conv: conv,
		kind: hubspot.AssociationTypeSpec{Category: labels[i].Category, TypeID: labels[i].TypeID}}, nil
}

func describeRule(r AssociationRule) string {
	switch {
	case r.TypeID != 0:
		return fmt.Sprintf("with id %d", r.TypeID)
	case r.Label != "":
		return fmt.Sprintf("labelled %q", r.Label)
	}
	return "without label"
}

func describeLabels(ls []hubspot.AssociationLabel) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = fmt.Sprintf("%d %q", l.TypeID, l.Label)
	}
	return strings.Join(parts, ", ")
}

// pair is one association to create for one row.
type pair struct {
	row      *row
	from, to string
}

// existingPairs reads which of the pairs already exist with the plan's type, 1,000 records a
// request, so an unchanged association is never written again.
func existingPairs(ctx context.Context, api *hubspot.Client, from *Object, a *assocPlan, pairs []pair) (map[[2]string]bool, error) {
	var ids []string
	for _, p := range pairs {
		if !p.row.created {
			ids = append(ids, p.from)
		}
	}
	slices.SortFunc(ids, hubspot.CompareIDs)
	ids = slices.Compact(ids)
	have := map[[2]string]bool{}
	for part := range slices.Chunk(ids, hubspot.MaxAssociationReadInputs) {
		sets, err := api.Associations.BatchRead(ctx, from.TypeID, a.target.object.TypeID, part)
		if err != nil {
			return nil, fmt.Errorf("read %s->%s associations: %w", from.Name, a.target.object.Name, err)
		}
		for _, s := range sets {
			for _, to := range s.To {
				if slices.ContainsFunc(to.Types, func(t hubspot.AssociationType) bool { return t.TypeID == a.kind.TypeID }) {
					have[[2]string{s.FromID, to.ToObjectID}] = true
				}
			}
		}
	}
	return have, nil
}
