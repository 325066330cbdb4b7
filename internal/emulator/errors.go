package emulator

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
)

// HubSpot error categories used by the emulator.
const (
	catValidation   = "VALIDATION_ERROR"
	catInvalidAuth  = "INVALID_AUTHENTICATION"
	catExpiredAuth  = "EXPIRED_AUTHENTICATION"
	catMissingScope = "MISSING_SCOPES"
	catNotFound     = "OBJECT_NOT_FOUND"
	catConflict     = "CONFLICT"
)

// errorDetail is one entry of an error body's errors array.
type errorDetail struct {
	Message string              `json:"message"`
	Code    string              `json:"code,omitempty"`
	Context map[string][]string `json:"context,omitempty"`
	In      string              `json:"in,omitempty"`
}

// apiError is a HubSpot error response; handlers return it and the router writes it.
type apiError struct {
	status      int
	category    string
	subCategory string
	message     string
	errors      []errorDetail
	context     map[string][]string
	links       map[string]string
	retryAfter  int
}

func (e *apiError) Error() string {
	var codes []string
	for _, d := range e.errors {
		if d.Code != "" {
			codes = append(codes, d.Code)
		}
	}
	if len(codes) > 0 {
		return fmt.Sprintf("%d %s: %s %v", e.status, e.category, e.message, codes)
	}
	return fmt.Sprintf("%d %s: %s", e.status, e.category, e.message)
}

func newError(status int, category, format string, args ...any) *apiError {
	return &apiError{status: status, category: category, message: fmt.Sprintf(format, args...)}
}

func badRequest(format string, args ...any) *apiError {
	return newError(http.StatusBadRequest, catValidation, format, args...)
}

func notFound(format string, args ...any) *apiError {
	return newError(http.StatusNotFound, catNotFound, format, args...)
}

// objectNotFound is HubSpot's answer for a record id (or idProperty value) that matches nothing.
func objectNotFound(id string) *apiError {
	nf := notFound("Object not found.  objectId are usually numeric.")
	nf.context = map[string][]string{"id": {id}}
	return nf
}

// errorBody is the JSON shape of every HubSpot error, fields in HubSpot's order.
type errorBody struct {
	Status        string              `json:"status"`
	Message       string              `json:"message"`
	CorrelationID string              `json:"correlationId"`
	Category      string              `json:"category"`
	SubCategory   string              `json:"subCategory,omitempty"`
	Errors        []errorDetail       `json:"errors,omitempty"`
	Context       map[string][]string `json:"context,omitempty"`
	Links         map[string]string   `json:"links,omitempty"`
}

// batchError is one entry of a batch response's errors array (207 or folded). HubSpot's
// StandardError schema requires every field but subCategory, so none is omitted when empty.
type batchError struct {
	Status      string              `json:"status"`
	Category    string              `json:"category"`
	SubCategory string              `json:"subCategory,omitempty"`
	Message     string              `json:"message"`
	Context     map[string][]string `json:"context"`
	Errors      []errorDetail       `json:"errors"`
	Links       map[string]string   `json:"links"`
}

func newBatchError(category, subCategory, message string, context map[string][]string) batchError {
	return batchError{Status: "error", Category: category, SubCategory: subCategory, Message: message,
		Context: context, Errors: []errorDetail{}, Links: map[string]string{}}
}

// newCorrelationID gives every answer its own uuid, as HubSpot does: drawn from a randomly seeded
// source, so ids never repeat across requests, runs or emulators built with the same seed.
func newCorrelationID() string {
	return uuidFrom(rand.Uint64(), rand.Uint64())
}

// writeJSON writes v with status; encoding errors cannot happen for the emulator's own types.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("emulator: encode response: %v", err))
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

// writeError writes an apiError in HubSpot's error body shape.
func writeError(w http.ResponseWriter, e *apiError, correlationID string) {
	if e.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	writeJSON(w, e.status, errorBody{
		Status: "error", Message: e.message, CorrelationID: correlationID, Category: e.category,
		SubCategory: e.subCategory, Errors: e.errors, Context: e.context, Links: e.links,
	})
}
