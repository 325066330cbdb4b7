package hubspot

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestBatchPartialFailures(t *testing.T) {
	const results = `"results":[{"id":"1","properties":{"email":"a@b.c","phone":null}}]`
	const errs = `"numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","message":"Could not get some CONTACT objects","context":{"ids":["2","3"]}}]`
	tests := []struct {
		name      string
		version   string
		status    int
		body      string
		wantErrs  int
		wantIDs   []string
		wantCateg string
	}{
		{"v3 207", APIVersionV3, http.StatusMultiStatus, `{"status":"COMPLETE",` + results + `,` + errs + `}`, 1, []string{"2", "3"}, "OBJECT_NOT_FOUND"},
		{"2026-09 folded into 200", APIVersionLatest, http.StatusOK, `{"status":"COMPLETE",` + results + `,` + errs + `}`, 1, []string{"2", "3"}, "OBJECT_NOT_FOUND"},
		{"207 without details", APIVersionV3, http.StatusMultiStatus, `{"status":"COMPLETE",` + results + `}`, 1, nil, "UNKNOWN"},
		{"numErrors without details", APIVersionLatest, http.StatusOK, `{"status":"COMPLETE",` + results + `,"numErrors":2,"errors":[]}`, 1, nil, "UNKNOWN"},
		{"full success", APIVersionLatest, http.StatusOK, `{"status":"COMPLETE",` + results + `}`, 0, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) { writeRaw(w, tt.status, tt.body) })
			c, _ := newTestClient(t, f, WithAPIVersion(tt.version))
			res, err := c.Objects.BatchRead(t.Context(), "contacts", BatchReadRequest{IDs: []string{"1", "2", "3"}, Properties: []string{"email", "phone"}})
			if err != nil {
				t.Fatalf("BatchRead: %v", err)
			}
			if len(res.Results) != 1 || res.Results[0].ID != "1" {
				t.Fatalf("results = %+v", res.Results)
			}
			if v, ok := res.Results[0].Properties["phone"]; !ok || v != nil {
				t.Errorf("null property: %v %v", v, ok)
			}
			if len(res.Errors) != tt.wantErrs {
				t.Fatalf("errors = %+v, want %d", res.Errors, tt.wantErrs)
			}
			if tt.wantErrs > 0 {
				e := res.Errors[0]
				if e.Category != tt.wantCateg || !slices.Equal(e.IDs, tt.wantIDs) {
					t.Errorf("error = %+v, want category %s ids %v", e, tt.wantCateg, tt.wantIDs)
				}
				if e.Error() == "" {
					t.Error("empty error text")
				}
			}
		})
	}
}

// HubSpot's multi-status batch create names the failed input in context.objectWriteTraceId
// (developers.hubspot.com/docs/api-reference/error-handling); the spec's error has no such member.
func TestBatchCreateErrorsNameTheirTraceID(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		writeRaw(w, http.StatusMultiStatus, `{"status":"COMPLETE","results":[{"id":"1","properties":{}}],"numErrors":1,`+
			`"errors":[{"status":"error","category":"VALIDATION_ERROR","message":"Property values were not valid","context":{"objectWriteTraceId":["row-2"]}}]}`)
	})
	c, _ := newTestClient(t, f)
	res, err := c.Objects.BatchCreate(t.Context(), "tickets", []ObjectInput{{ObjectWriteTraceID: "row-1"}, {ObjectWriteTraceID: "row-2"}})
	if err != nil {
		t.Fatalf("BatchCreate: %v", err)
	}
	if len(res.Errors) != 1 || res.Errors[0].ObjectWriteTraceID != "row-2" {
		t.Errorf("errors = %+v, want one naming trace row-2", res.Errors)
	}
}

func TestBatchWriteBodies(t *testing.T) {
	create := func(c *Client) (*BatchResult, error) {
		return c.Objects.BatchCreate(t.Context(), "contacts", []ObjectInput{{ID: "ignored", Properties: map[string]string{"email": "a@b.c"}, ObjectWriteTraceID: "row-1"}})
	}
	tests := []struct {
		name     string
		version  string
		call     func(c *Client) (*BatchResult, error)
		wantPath string
		wantBody string
	}{
		{"v3 create carries associations", APIVersionV3, create,
			"/crm/v3/objects/contacts/batch/create", `{"inputs":[{"properties":{"email":"a@b.c"},"associations":[],"objectWriteTraceId":"row-1"}]}`},
		{"2026-09 create carries associations", APIVersionLatest, create,
			"/crm/objects/2026-09/contacts/batch/create", `{"inputs":[{"properties":{"email":"a@b.c"},"associations":[],"objectWriteTraceId":"row-1"}]}`},
		{"update", APIVersionLatest, func(c *Client) (*BatchResult, error) {
			return c.Objects.BatchUpdate(t.Context(), "contacts", []ObjectInput{{ID: "7", Properties: map[string]string{"phone": ""}}})
		}, "/crm/objects/2026-09/contacts/batch/update", `{"inputs":[{"id":"7","properties":{"phone":""}}]}`},
		{"upsert", APIVersionLatest, func(c *Client) (*BatchResult, error) {
			return c.Objects.BatchUpsert(t.Context(), "contacts", []ObjectInput{{ID: "a@b.c", IDProperty: "email"}})
		}, "/crm/objects/2026-09/contacts/batch/upsert", `{"inputs":[{"id":"a@b.c","idProperty":"email","properties":{}}]}`},
		{"read", APIVersionLatest, func(c *Client) (*BatchResult, error) {
			return c.Objects.BatchRead(t.Context(), "contacts", BatchReadRequest{IDs: []string{"x@y.z"}, IDProperty: "email"})
		}, "/crm/objects/2026-09/contacts/batch/read", `{"inputs":[{"id":"x@y.z"}],"properties":[],"propertiesWithHistory":[],"idProperty":"email"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
				writeRaw(w, http.StatusOK, `{"status":"COMPLETE","results":[{"id":"7","new":true,"properties":{}}]}`)
			})
			c, _ := newTestClient(t, f, WithAPIVersion(tt.version))
			res, err := tt.call(c)
			if err != nil {
				t.Fatalf("call: %v", err)
			}
			r := f.Requests()[0]
			if r.Path != tt.wantPath || string(r.Body) != tt.wantBody {
				t.Errorf("got %s %s\nwant %s %s", r.Path, r.Body, tt.wantPath, tt.wantBody)
			}
			if r.Header.Get("Content-Type") != "application/json" {
				t.Errorf("Content-Type = %q", r.Header.Get("Content-Type"))
			}
			if !res.Results[0].New || res.Results[0].ID != "7" {
				t.Errorf("result = %+v", res.Results[0])
			}
		})
	}
}

func TestBatchArchive(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) { w.WriteHeader(http.StatusNoContent) })
	c, _ := newTestClient(t, f)
	if err := c.Objects.BatchArchive(t.Context(), "deals", []string{"1", "2"}); err != nil {
		t.Fatalf("BatchArchive: %v", err)
	}
	if got := string(f.Requests()[0].Body); got != `{"inputs":[{"id":"1"},{"id":"2"}]}` {
		t.Errorf("body = %s", got)
	}
}

func TestBatchInputLimits(t *testing.T) {
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprint(i + 1)
		}
		return out
	}
	inputs := func(n int) []ObjectInput {
		out := make([]ObjectInput, n)
		for i := range out {
			out[i] = ObjectInput{ID: fmt.Sprint(i), IDProperty: "email"}
		}
		return out
	}
	pairs := func(n int) []AssociationInput {
		out := make([]AssociationInput, n)
		for i := range out {
			out[i] = AssociationInput{FromID: "1", ToID: fmt.Sprint(i), Types: []AssociationTypeSpec{{Category: "HUBSPOT_DEFINED", TypeID: 1}}}
		}
		return out
	}
	tests := []struct {
		name string
		call func(c *Client) error
	}{
		{"read", func(c *Client) error {
			_, err := c.Objects.BatchRead(t.Context(), "contacts", BatchReadRequest{IDs: ids(101)})
			return err
		}},
		{"create", func(c *Client) error {
			_, err := c.Objects.BatchCreate(t.Context(), "contacts", inputs(101))
			return err
		}},
		{"update", func(c *Client) error {
			_, err := c.Objects.BatchUpdate(t.Context(), "contacts", inputs(101))
			return err
		}},
		{"upsert", func(c *Client) error {
			_, err := c.Objects.BatchUpsert(t.Context(), "contacts", inputs(101))
			return err
		}},
		{"archive", func(c *Client) error { return c.Objects.BatchArchive(t.Context(), "contacts", ids(101)) }},
		{"association read", func(c *Client) error {
			_, err := c.Associations.BatchRead(t.Context(), "contacts", "companies", ids(1001))
			return err
		}},
		{"association create", func(c *Client) error {
			_, err := c.Associations.BatchCreate(t.Context(), "contacts", "companies", pairs(2001))
			return err
		}},
		{"association default", func(c *Client) error {
			_, err := c.Associations.CreateDefault(t.Context(), "contacts", "companies", pairs(2001))
			return err
		}},
		{"association archive", func(c *Client) error {
			return c.Associations.BatchArchive(t.Context(), "contacts", "companies", pairs(2001))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) { writeRaw(w, http.StatusOK, `{}`) })
			c, _ := newTestClient(t, f)
			err := tt.call(c)
			if err == nil || !strings.Contains(err.Error(), "exceed HubSpot's limit") {
				t.Errorf("err = %v, want a limit error", err)
			}
			if n := len(f.Requests()); n != 0 {
				t.Errorf("%d requests sent, want none", n)
			}
		})
	}
}

func TestBatchWholeFailureIsAnError(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, _ []byte, _ int) {
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"status": "error", "message": "Property values were not valid", "category": "VALIDATION_ERROR", "correlationId": "abc",
			"errors": []map[string]any{{"message": "Property \"nope\" does not exist", "code": "PROPERTY_DOESNT_EXIST", "context": map[string]any{"propertyName": []string{"nope"}}}},
		})
	})
	c, _ := newTestClient(t, f)
	_, err := c.Objects.BatchUpdate(t.Context(), "contacts", []ObjectInput{{ID: "1", Properties: map[string]string{"nope": "x"}}})
	var apiErr *APIError
	if !IsValidation(err) || !errors.As(err, &apiErr) {
		t.Fatalf("err = %v, want a validation APIError", err)
	}
	if len(apiErr.Details) != 1 || apiErr.Details[0].Code != "PROPERTY_DOESNT_EXIST" || apiErr.Details[0].Context["propertyName"][0] != "nope" {
		t.Errorf("details = %+v", apiErr.Details)
	}
	if b, _ := json.Marshal(apiErr.Details); !strings.Contains(string(b), "nope") {
		t.Errorf("details lost the property: %s", b)
	}
}
