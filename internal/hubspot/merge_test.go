package hubspot

import (
	"encoding/json"
	"net/http"
	"testing"
)

func TestMergeRequest(t *testing.T) {
	const survivor = `{"id":"101","properties":{"hs_merged_object_ids":"202;303","email":"a@example.com"},
	  "createdAt":"2024-01-02T00:00:00Z","updatedAt":"2026-09-01T12:00:00.000Z","archived":false}`
	for _, tt := range []struct{ version, path string }{
		{APIVersionV3, "/crm/v3/objects/contacts/merge"},
		{APIVersionLatest, "/crm/objects/2026-09/contacts/merge"},
	} {
		t.Run(tt.version, func(t *testing.T) {
			f := scripted(t, step{status: http.StatusOK, body: survivor})
			c, _ := newTestClient(t, f, WithAPIVersion(tt.version))
			obj, err := c.Objects.Merge(t.Context(), "contacts", "101", "202")
			if err != nil {
				t.Fatalf("Merge: %v", err)
			}
			req := f.Requests()[0]
			if req.Method != http.MethodPost || req.Path != tt.path {
				t.Errorf("sent %s %s, want POST %s", req.Method, req.Path, tt.path)
			}
			var body map[string]string
			if err := json.Unmarshal(req.Body, &body); err != nil {
				t.Fatalf("body %s: %v", req.Body, err)
			}
			if len(body) != 2 || body["primaryObjectId"] != "101" || body["objectIdToMerge"] != "202" {
				t.Errorf("body %s, want primaryObjectId 101 and objectIdToMerge 202 only", req.Body)
			}
			if obj.ID != "101" || *obj.Properties["hs_merged_object_ids"] != "202;303" || obj.UpdatedAt.IsZero() {
				t.Errorf("survivor %+v", obj)
			}
			if got := c.Stats().ByFamily[familyBatch]; got != 1 {
				t.Errorf("merge counted %d in the batch family, want 1", got)
			}
		})
	}
}

func TestMergeFailures(t *testing.T) {
	notFound := `{"status":"error","message":"Object not found.","category":"OBJECT_NOT_FOUND","correlationId":"c"}`
	tests := []struct {
		name         string
		steps        []step
		wantRequests int
		wantErr      func(error) bool
	}{
		{"500 is ambiguous, never re-sent", []step{{status: 500, body: errBody}, {status: 200, body: okList}}, 1, IsAmbiguousWrite},
		{"reset is ambiguous, never re-sent", []step{{reset: true}, {status: 200, body: okList}}, 1, IsAmbiguousWrite},
		{"429 is re-sent: HubSpot refused it unprocessed", []step{{status: 429, body: rateBody}, {status: 200, body: `{"id":"1"}`}}, 2, func(err error) bool { return err == nil }},
		{"unknown id", []step{{status: 404, body: notFound}}, 1, IsNotFound},
		{"merge into itself", []step{{status: 400, body: `{"status":"error","message":"itself","category":"VALIDATION_ERROR","correlationId":"c"}`}}, 1, IsValidation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := scripted(t, tt.steps...)
			c, _ := newTestClient(t, f)
			_, err := c.Objects.Merge(t.Context(), "contacts", "1", "2")
			if !tt.wantErr(err) {
				t.Errorf("error %v", err)
			}
			if got := len(f.Requests()); got != tt.wantRequests {
				t.Errorf("%d requests, want %d", got, tt.wantRequests)
			}
		})
	}
	f := scripted(t, step{status: 200, body: okList})
	c, _ := newTestClient(t, f)
	if _, err := c.Objects.Merge(t.Context(), "contacts", "1", ""); err == nil || len(f.Requests()) != 0 {
		t.Errorf("a merge without the merged id must fail before sending: %v, %d requests", err, len(f.Requests()))
	}
}
