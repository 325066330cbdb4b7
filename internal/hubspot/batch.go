package hubspot

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot/pagejson"
)

// Input limits of HubSpot's batch endpoints. Larger calls fail before any request is sent.
const (
	MaxBatchInputs             = 100
	MaxAssociationReadInputs   = 1000
	MaxAssociationCreateInputs = 2000
)

// BatchReadRequest names records by id (or by a unique IDProperty's values) and the properties
// to return; names travel in the body, so any number fits.
type BatchReadRequest struct {
	IDs        []string
	IDProperty string
	Properties []string
	ByPosition bool // fill Object.Values in the order of Properties instead of Object.Properties
}

// ObjectInput is one record to write. ID and IDProperty identify the record for update and
// upsert; ObjectWriteTraceID ties a create's errors back to its input.
type ObjectInput struct {
	ID, IDProperty     string
	Properties         map[string]string // "" clears a value
	ObjectWriteTraceID string
}

// BatchResult is the outcome of a batch call. Partial failures (HTTP 207 in v3, errors folded
// into a 200 in 2026-09) land in Errors; a result with Errors is never a full success.
type BatchResult struct {
	Results []BatchObject
	Errors  []BatchError
}

// BatchObject is a record returned by a batch call.
type BatchObject = pagejson.BatchObject

// BatchError is one failed part of a batch call.
type BatchError struct {
	Status, Category, SubCategory, Message string
	Context                                map[string][]string
	ObjectWriteTraceID                     string
	// IDs are the records the error names: context.ids for record batches, context.objectId for
	// association writes (the record of the pair that does not exist).
	IDs []string
}

// Error makes a BatchError usable as an error value.
func (e BatchError) Error() string {
	msg := "hubspot batch error " + e.Category
	if e.SubCategory != "" {
		msg += " " + e.SubCategory
	}
	if len(e.IDs) > 0 {
		msg += " (ids " + strings.Join(e.IDs, ", ") + ")"
	}
	return msg + ": " + e.Message
}

type batchErrorWire struct {
	Status      string      `json:"status"`
	Category    string      `json:"category"`
	SubCategory flexString  `json:"subCategory"`
	Message     string      `json:"message"`
	Context     flexContext `json:"context"`
}

// batchErrorsWire is the error part shared by every batch response.
type batchErrorsWire struct {
	NumErrors int              `json:"numErrors"`
	Errors    []batchErrorWire `json:"errors"`
}

// batchErrors converts a response's errors, redacted. A 207 or a numErrors without details
// still yields an error, so a partial failure can never pass as success.
func (c *Client) batchErrors(status int, w batchErrorsWire) []BatchError {
	out := make([]BatchError, 0, len(w.Errors))
	for _, e := range w.Errors {
		ctx := c.secrets.redactContext(e.Context)
		// A multi-status create names the failed input in context.objectWriteTraceId.
		var trace string
		if t := ctx["objectWriteTraceId"]; len(t) > 0 {
			trace = t[0]
		}
		out = append(out, BatchError{
			Status: e.Status, Category: e.Category, SubCategory: c.secrets.redact(string(e.SubCategory)),
			Message: c.secrets.redact(e.Message), Context: ctx, ObjectWriteTraceID: trace, IDs: slices.Concat(ctx["ids"], ctx["objectId"]),
		})
	}
	if missing := w.NumErrors - len(out); missing > 0 || (status == http.StatusMultiStatus && len(out) == 0) {
		out = append(out, BatchError{
			Status: "error", Category: "UNKNOWN",
			Message: fmt.Sprintf("HubSpot reported a partial failure (HTTP %d, %d errors) without details", status, w.NumErrors),
		})
	}
	return out
}

type idInput struct {
	ID string `json:"id"`
}

func idInputs(ids []string) []idInput {
	in := make([]idInput, len(ids))
	for i, id := range ids {
		in[i] = idInput{ID: id}
	}
	return in
}

// BatchRead reads up to MaxBatchInputs records; ids that do not exist come back as
// OBJECT_NOT_FOUND errors. See https://developers.hubspot.com/docs/api/crm/contacts (batch/read).
func (s *ObjectsService) BatchRead(ctx context.Context, objectType string, req BatchReadRequest) (*BatchResult, error) {
	return s.batchRead(ctx, objectType, req, false)
}

func (s *ObjectsService) batchRead(ctx context.Context, objectType string, req BatchReadRequest, archived bool) (*BatchResult, error) {
	body := struct {
		Inputs                []idInput `json:"inputs"`
		Properties            []string  `json:"properties"`
		PropertiesWithHistory []string  `json:"propertiesWithHistory"`
		IDProperty            string    `json:"idProperty,omitempty"`
	}{idInputs(req.IDs), req.Properties, []string{}, req.IDProperty}
	if body.Properties == nil {
		body.Properties = []string{}
	}
	var q url.Values
	if archived {
		q = url.Values{"archived": {"true"}}
	}
	return s.batch(ctx, objectType, "read", len(req.IDs), request{query: q, body: body, idempotent: true, layout: layoutOf(req.ByPosition, req.Properties)})
}

type objectInputWire struct {
	ID         string            `json:"id,omitempty"`
	IDProperty string            `json:"idProperty,omitempty"`
	Properties map[string]string `json:"properties"`
	// Associations is sent, always empty, where the version's spec requires it (2026-09 batch
	// create): records are associated once they exist, through AssociationsService.
	Associations       *[]struct{} `json:"associations,omitempty"`
	ObjectWriteTraceID string      `json:"objectWriteTraceId,omitempty"`
}

func objectInputs(inputs []ObjectInput, withID bool) []objectInputWire {
	out := make([]objectInputWire, len(inputs))
	for i, in := range inputs {
		w := objectInputWire{Properties: in.Properties, ObjectWriteTraceID: in.ObjectWriteTraceID}
		if w.Properties == nil {
			w.Properties = map[string]string{}
		}
		if withID {
			w.ID, w.IDProperty = in.ID, in.IDProperty
		}
		out[i] = w
	}
	return out
}

type inputsBody[T any] struct {
	Inputs []T `json:"inputs"`
}

// BatchCreate creates up to MaxBatchInputs records. Creates are not idempotent: after an
// ambiguous failure the call returns *AmbiguousWriteError instead of re-sending.
func (s *ObjectsService) BatchCreate(ctx context.Context, objectType string, inputs []ObjectInput) (*BatchResult, error) {
	wire := objectInputs(inputs, false)
	for i := range wire {
		wire[i].Associations = &[]struct{}{} // required by both versions' specs
	}
	return s.batch(ctx, objectType, "create", len(inputs), request{body: inputsBody[objectInputWire]{wire}})
}

// BatchUpdate updates up to MaxBatchInputs records by id or by IDProperty.
func (s *ObjectsService) BatchUpdate(ctx context.Context, objectType string, inputs []ObjectInput) (*BatchResult, error) {
	return s.batch(ctx, objectType, "update", len(inputs), request{body: inputsBody[objectInputWire]{objectInputs(inputs, true)}, idempotent: true})
}

// BatchUpsert creates or updates up to MaxBatchInputs records matched on IDProperty (email for
// contacts, or any unique property); results say which were New.
func (s *ObjectsService) BatchUpsert(ctx context.Context, objectType string, inputs []ObjectInput) (*BatchResult, error) {
	for _, in := range inputs {
		if in.ID == "" || in.IDProperty == "" {
			return nil, fmt.Errorf("upsert %s: every input needs ID and IDProperty", objectType)
		}
	}
	return s.batch(ctx, objectType, "upsert", len(inputs), request{body: inputsBody[objectInputWire]{objectInputs(inputs, true)}, idempotent: true})
}

// BatchArchive moves up to MaxBatchInputs records to the recycle bin.
func (s *ObjectsService) BatchArchive(ctx context.Context, objectType string, ids []string) error {
	if err := checkInputs("archive", objectType, len(ids), MaxBatchInputs); err != nil || len(ids) == 0 {
		return err
	}
	r := request{method: http.MethodPost, path: s.client.path(areaObjects, objectType, "batch", "archive"),
		body: inputsBody[idInput]{idInputs(ids)}, family: familyBatch, idempotent: true}
	if err := send(ctx, s.client, r); err != nil {
		return fmt.Errorf("archive %s: %w", objectType, err)
	}
	return nil
}

// batch sends r to /{type}/batch/{verb} after checking the input count.
func (s *ObjectsService) batch(ctx context.Context, objectType, verb string, n int, r request) (*BatchResult, error) {
	if err := checkInputs(verb, objectType, n, MaxBatchInputs); err != nil {
		return nil, err
	}
	if n == 0 {
		return &BatchResult{}, nil
	}
	r.method, r.family = http.MethodPost, familyBatch
	r.path = s.client.path(areaObjects, objectType, "batch", verb)
	resp, status, err := call[pagejson.Batch[[]batchErrorWire]](ctx, s.client, r)
	if err != nil {
		return nil, fmt.Errorf("batch %s %s: %w", verb, objectType, err)
	}
	return &BatchResult{Results: resp.Results, Errors: s.client.batchErrors(status, batchErrorsWire{NumErrors: resp.NumErrors, Errors: resp.Errors})}, nil
}

func checkInputs(verb, objectType string, n, limit int) error {
	if objectType == "" {
		return fmt.Errorf("%s: object type is empty", verb)
	}
	if n > limit {
		return fmt.Errorf("%s %s: %d inputs exceed HubSpot's limit of %d per call", verb, objectType, n, limit)
	}
	return nil
}

var _ error = BatchError{}
