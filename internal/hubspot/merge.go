package hubspot

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// mergeInput is HubSpot's PublicMergeInput.
type mergeInput struct {
	PrimaryObjectID string `json:"primaryObjectId"`
	ObjectIDToMerge string `json:"objectIdToMerge"`
}

// Merge merges the record mergedID into primaryID and returns the surviving record. HubSpot then
// lists the merged record nowhere (not even as archived) and names it in the survivor's
// hs_merged_object_ids. Contacts, companies, deals, tickets and custom objects merge; engagements
// do not. A merge is not safe to repeat (the second one finds the merged id gone), so after an
// ambiguous failure it returns *AmbiguousWriteError instead of re-sending.
// See https://developers.hubspot.com/docs/api-reference/crm-contacts-v3/basic/post-crm-v3-objects-contacts-merge.
func (s *ObjectsService) Merge(ctx context.Context, objectType, primaryID, mergedID string) (*Object, error) {
	if objectType == "" || primaryID == "" || mergedID == "" {
		return nil, errors.New("merge: object type, primary id and merged id are required")
	}
	r := request{method: http.MethodPost, path: s.client.path(areaObjects, objectType, "merge"), family: familyBatch,
		body: mergeInput{PrimaryObjectID: primaryID, ObjectIDToMerge: mergedID}}
	obj, _, err := call[Object](ctx, s.client, r)
	if err != nil {
		return nil, fmt.Errorf("merge %s %s into %s: %w", objectType, mergedID, primaryID, err)
	}
	return &obj, nil
}
