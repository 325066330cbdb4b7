package hubspot

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// AssociationsService reads and writes associations between records (associations v4).
// See https://developers.hubspot.com/docs/api/crm/associations.
type AssociationsService struct {
	client *Client
}

// AssociationType is one association type between two records. Label is nil for unlabeled types.
type AssociationType struct {
	Category string // HUBSPOT_DEFINED, USER_DEFINED or INTEGRATOR_DEFINED
	TypeID   int
	Label    *string
}

// AssociatedObject is a record associated with the set's FromID, with every type linking them.
type AssociatedObject struct {
	ToObjectID string
	Types      []AssociationType
}

// AssociationSet lists the associations of one record to one object type.
type AssociationSet struct {
	FromID string
	To     []AssociatedObject
}

type associationSetWire struct {
	From struct {
		ID flexString `json:"id"`
	} `json:"from"`
	To []struct {
		ToObjectID       flexString `json:"toObjectId"`
		AssociationTypes []struct {
			Category string  `json:"category"`
			TypeID   int     `json:"typeId"`
			Label    *string `json:"label"`
		} `json:"associationTypes"`
	} `json:"to"`
	Paging *paging `json:"paging"`
}

func (w associationSetWire) to() []AssociatedObject {
	out := make([]AssociatedObject, len(w.To))
	for i, t := range w.To {
		types := make([]AssociationType, len(t.AssociationTypes))
		for j, at := range t.AssociationTypes {
			types[j] = AssociationType{Category: at.Category, TypeID: at.TypeID, Label: at.Label}
		}
		out[i] = AssociatedObject{ToObjectID: string(t.ToObjectID), Types: types}
	}
	return out
}

type associationReadInput struct {
	ID    string `json:"id"`
	After string `json:"after,omitempty"`
}

// BatchRead returns the associations from up to MaxAssociationReadInputs records of fromType to
// toType, following each record's paging until its list is complete. Records without
// associations (HubSpot's NO_ASSOCIATIONS_FOUND) get no set; any other error fails the call.
func (s *AssociationsService) BatchRead(ctx context.Context, fromType, toType string, ids []string) ([]AssociationSet, error) {
	if err := checkAssociationInputs("read", fromType, toType, len(ids), MaxAssociationReadInputs); err != nil {
		return nil, err
	}
	var sets []AssociationSet
	index := make(map[string]int)
	seen := make(map[associationReadInput]bool)
	pending := make([]associationReadInput, len(ids))
	for i, id := range ids {
		pending[i] = associationReadInput{ID: id}
	}
	for len(pending) > 0 {
		resp, status, err := call[struct {
			Results []associationSetWire `json:"results"`
			batchErrorsWire
		}](ctx, s.client, request{
			method: http.MethodPost, path: s.client.path(areaAssociations, fromType, toType, "batch", "read"),
			body: inputsBody[associationReadInput]{pending}, family: familyAssociations, idempotent: true,
		})
		if err != nil {
			return nil, fmt.Errorf("read %s->%s associations: %w", fromType, toType, err)
		}
		for _, e := range s.client.batchErrors(status, resp.batchErrorsWire) {
			if !strings.Contains(e.Category+" "+e.SubCategory, categoryNoAssociations) {
				return nil, fmt.Errorf("read %s->%s associations: %w", fromType, toType, e)
			}
		}
		pending = pending[:0]
		for _, r := range resp.Results {
			from := string(r.From.ID)
			i, ok := index[from]
			if !ok {
				i = len(sets)
				index[from] = i
				sets = append(sets, AssociationSet{FromID: from})
			}
			sets[i].To = append(sets[i].To, r.to()...)
			if next := r.Paging.After(); next != "" {
				in := associationReadInput{ID: from, After: next}
				if seen[in] {
					return nil, fmt.Errorf("read %s->%s associations of %s: paging repeated cursor %q", fromType, toType, from, next)
				}
				seen[in] = true
				pending = append(pending, in)
			}
		}
	}
	return sets, nil
}

// AssociationInput is a pair of records to associate (or dissociate) with the given types.
type AssociationInput struct {
	FromID, ToID string
	Types        []AssociationTypeSpec
}

// AssociationTypeSpec names an association type to create.
type AssociationTypeSpec struct {
	Category string `json:"associationCategory"`
	TypeID   int    `json:"associationTypeId"`
}

// AssociationBatchResult is the outcome of an association write. Errors hold partial failures,
// such as a record that does not exist.
type AssociationBatchResult struct {
	Results []CreatedAssociation
	Errors  []BatchError
}

// CreatedAssociation is one association HubSpot confirmed.
type CreatedAssociation struct {
	FromID, ToID string
	Labels       []string              // labels of the created types (batch create)
	Types        []AssociationTypeSpec // the default type used (associate/default)
}

// UnmarshalJSON reads both result shapes: batch create's {fromObjectId, toObjectId, labels} and
// associate/default's {from:{id}, to:{id}, associationSpec}.
func (a *CreatedAssociation) UnmarshalJSON(data []byte) error {
	type ref struct {
		ID flexString `json:"id"`
	}
	var w struct {
		FromObjectID flexString           `json:"fromObjectId"`
		ToObjectID   flexString           `json:"toObjectId"`
		Labels       []string             `json:"labels"`
		From         *ref                 `json:"from"`
		To           *ref                 `json:"to"`
		Spec         *AssociationTypeSpec `json:"associationSpec"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	*a = CreatedAssociation{FromID: string(w.FromObjectID), ToID: string(w.ToObjectID), Labels: w.Labels}
	if w.From != nil {
		a.FromID = string(w.From.ID)
	}
	if w.To != nil {
		a.ToID = string(w.To.ID)
	}
	if w.Spec != nil {
		a.Types = []AssociationTypeSpec{*w.Spec}
	}
	return nil
}

type idRef struct {
	ID string `json:"id"`
}

type associationWriteInput struct {
	From  idRef                 `json:"from"`
	To    idRef                 `json:"to"`
	Types []AssociationTypeSpec `json:"types,omitempty"`
}

func associationWriteInputs(pairs []AssociationInput, withTypes bool) []associationWriteInput {
	out := make([]associationWriteInput, len(pairs))
	for i, p := range pairs {
		out[i] = associationWriteInput{From: idRef{p.FromID}, To: idRef{p.ToID}}
		if withTypes {
			out[i].Types = p.Types
		}
	}
	return out
}

// BatchCreate creates up to MaxAssociationCreateInputs associations with the given types.
// Creates are not re-sent after an ambiguous failure (*AmbiguousWriteError).
func (s *AssociationsService) BatchCreate(ctx context.Context, fromType, toType string, inputs []AssociationInput) (*AssociationBatchResult, error) {
	for _, in := range inputs {
		if len(in.Types) == 0 {
			return nil, fmt.Errorf("create %s->%s associations: input %s->%s has no types; use CreateDefault for the unlabeled type", fromType, toType, in.FromID, in.ToID)
		}
	}
	return s.write(ctx, fromType, toType, "create", associationWriteInputs(inputs, true), "batch", "create")
}

// CreateDefault associates up to MaxAssociationCreateInputs pairs with the default
// (unlabeled) association type; the pairs' Types are ignored.
func (s *AssociationsService) CreateDefault(ctx context.Context, fromType, toType string, pairs []AssociationInput) (*AssociationBatchResult, error) {
	return s.write(ctx, fromType, toType, "create default", associationWriteInputs(pairs, false), "batch", "associate", "default")
}

func (s *AssociationsService) write(ctx context.Context, fromType, toType, verb string, inputs []associationWriteInput, segments ...string) (*AssociationBatchResult, error) {
	if err := checkAssociationInputs(verb, fromType, toType, len(inputs), MaxAssociationCreateInputs); err != nil {
		return nil, err
	}
	if len(inputs) == 0 {
		return &AssociationBatchResult{}, nil
	}
	resp, status, err := call[struct {
		Results []CreatedAssociation `json:"results"`
		batchErrorsWire
	}](ctx, s.client, request{
		method: http.MethodPost, path: s.client.path(areaAssociations, append([]string{fromType, toType}, segments...)...),
		body: inputsBody[associationWriteInput]{inputs}, family: familyAssociations,
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s->%s associations: %w", verb, fromType, toType, err)
	}
	return &AssociationBatchResult{Results: resp.Results, Errors: s.client.batchErrors(status, resp.batchErrorsWire)}, nil
}

// BatchArchive removes every association between each pair (up to
// MaxAssociationCreateInputs pairs). v4 answers 204 and reports no partial failure; 2026-09
// folds them into its answer, and the call then fails with the first (a BatchError).
func (s *AssociationsService) BatchArchive(ctx context.Context, fromType, toType string, pairs []AssociationInput) error {
	if err := checkAssociationInputs("archive", fromType, toType, len(pairs), MaxAssociationCreateInputs); err != nil || len(pairs) == 0 {
		return err
	}
	type archiveInput struct {
		From idRef   `json:"from"`
		To   []idRef `json:"to"`
	}
	var inputs []archiveInput
	index := make(map[string]int)
	for _, p := range pairs {
		i, ok := index[p.FromID]
		if !ok {
			i = len(inputs)
			index[p.FromID] = i
			inputs = append(inputs, archiveInput{From: idRef{p.FromID}})
		}
		if !slices.Contains(inputs[i].To, idRef{p.ToID}) {
			inputs[i].To = append(inputs[i].To, idRef{p.ToID})
		}
	}
	resp, status, err := call[batchErrorsWire](ctx, s.client, request{
		method: http.MethodPost, path: s.client.path(areaAssociations, fromType, toType, "batch", "archive"),
		body: inputsBody[archiveInput]{inputs}, family: familyAssociations, idempotent: true,
	})
	if err != nil {
		return fmt.Errorf("archive %s->%s associations: %w", fromType, toType, err)
	}
	if errs := s.client.batchErrors(status, resp); len(errs) > 0 {
		return fmt.Errorf("archive %s->%s associations: %d failed, the first: %w", fromType, toType, len(errs), errs[0])
	}
	return nil
}

// AssociationLabel is an association type defined between two object types. Label is "" for
// the unlabeled default type.
type AssociationLabel struct {
	Category string
	TypeID   int
	Label    string
}

// Labels lists the association types from fromType to toType.
func (s *AssociationsService) Labels(ctx context.Context, fromType, toType string) ([]AssociationLabel, error) {
	if err := checkAssociationInputs("labels", fromType, toType, 0, 0); err != nil {
		return nil, err
	}
	resp, _, err := call[struct {
		Results []struct {
			Category string  `json:"category"`
			TypeID   int     `json:"typeId"`
			Label    *string `json:"label"`
		} `json:"results"`
	}](ctx, s.client, request{method: http.MethodGet, path: s.client.path(areaAssociations, fromType, toType, "labels"), family: familyAssociations, idempotent: true})
	if err != nil {
		return nil, fmt.Errorf("list %s->%s association labels: %w", fromType, toType, err)
	}
	out := make([]AssociationLabel, len(resp.Results))
	for i, r := range resp.Results {
		out[i] = AssociationLabel{Category: r.Category, TypeID: r.TypeID}
		if r.Label != nil {
			out[i].Label = *r.Label
		}
	}
	return out, nil
}

func checkAssociationInputs(verb, fromType, toType string, n, limit int) error {
	if fromType == "" || toType == "" {
		return fmt.Errorf("%s associations: both object types are required", verb)
	}
	if n > limit {
		return fmt.Errorf("%s %s->%s associations: %d inputs exceed HubSpot's limit of %d per call", verb, fromType, toType, n, limit)
	}
	return nil
}
