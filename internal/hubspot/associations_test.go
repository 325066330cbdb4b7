package hubspot

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

func TestAssociationsBatchRead(t *testing.T) {
	f := newFakeAPI(t, func(w http.ResponseWriter, _ *http.Request, body []byte, n int) {
		var req struct {
			Inputs []associationReadInput `json:"inputs"`
		}
		if err := json.Unmarshal(body, &req); err != nil {
			t.Errorf("body: %v", err)
		}
		switch n {
		case 0:
			if fmt.Sprint(req.Inputs) != "[{1 } {2 } {3 }]" {
				t.Errorf("first inputs = %v", req.Inputs)
			}
			writeRaw(w, http.StatusMultiStatus, `{"status":"COMPLETE","results":[
			  {"from":{"id":"1"},"to":[{"toObjectId":719869649082,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null},{"category":"USER_DEFINED","typeId":7,"label":"Billing contact"}]}],
			   "paging":{"next":{"after":"p2"}}},
			  {"from":{"id":"2"},"to":[{"toObjectId":5,"associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":1,"label":"Primary"}]}]}],
			 "numErrors":1,"errors":[{"status":"error","category":"OBJECT_NOT_FOUND","subCategory":"crm.associations.NO_ASSOCIATIONS_FOUND","message":"No company is associated with contact 3.","context":{"fromObjectId":["3"]}}]}`)
		case 1:
			if fmt.Sprint(req.Inputs) != "[{1 p2}]" {
				t.Errorf("paging inputs = %v", req.Inputs)
			}
			writeRaw(w, http.StatusOK, `{"status":"COMPLETE","results":[{"from":{"id":"1"},"to":[{"toObjectId":"6","associationTypes":[{"category":"HUBSPOT_DEFINED","typeId":279}]}]}]}`)
		default:
			t.Errorf("unexpected request %d", n)
		}
	})
	c, _ := newTestClient(t, f, WithAPIVersion(APIVersionV3))
	sets, err := c.Associations.BatchRead(t.Context(), "contacts", "companies", []string{"1", "2", "3"})
	if err != nil {
		t.Fatalf("BatchRead: %v", err)
	}
	if len(sets) != 2 || sets[0].FromID != "1" || sets[1].FromID != "2" {
		t.Fatalf("sets = %+v", sets)
	}
	to := sets[0].To
	if len(to) != 2 || to[0].ToObjectID != "719869649082" || to[1].ToObjectID != "6" {
		t.Fatalf("contact 1 associations = %+v", to)
	}
	if ty := to[0].Types; len(ty) != 2 || ty[0].Label != nil || ty[1].TypeID != 7 || *ty[1].Label != "Billing contact" {
		t.Errorf("types = %+v", ty)
	}
	if st := c.Stats(); st.ByFamily[familyAssociations] != 2 {
		t.Errorf("stats = %+v", st)
	}
}

func TestAssociationsBatchReadFailures(t *testing.T) {
	tests := []struct {
		name     string
		answer   step
		wantReqs int
	}{
		{"a real error", step{status: 207, body: `{"results":[],"numErrors":1,"errors":[{"status":"error","category":"VALIDATION_ERROR","message":"bad id"}]}`}, 1},
		{"a cursor that never advances", step{status: 200, body: `{"results":[{"from":{"id":"1"},"to":[],"paging":{"next":{"after":"same"}}}]}`}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := scripted(t, tt.answer)
			c, _ := newTestClient(t, f)
			if _, err := c.Associations.BatchRead(t.Context(), "contacts", "companies", []string{"1"}); err == nil {
				t.Fatal("want an error")
			}
			if got := len(f.Requests()); got != tt.wantReqs {
				t.Errorf("%d requests, want %d", got, tt.wantReqs)
			}
		})
	}
}

func TestAssociationWrites(t *testing.T) {
	inputs := []AssociationInput{
		{FromID: "1", ToID: "10", Types: []AssociationTypeSpec{{Category: "HUBSPOT_DEFINED", TypeID: 279}}},
		{FromID: "1", ToID: "11", Types: []AssociationTypeSpec{{Category: "USER_DEFINED", TypeID: 7}}},
		{FromID: "2", ToID: "10", Types: []AssociationTypeSpec{{Category: "HUBSPOT_DEFINED", TypeID: 279}}},
		{FromID: "1", ToID: "10"},
	}
	tests := []struct {
		name       string
		answer     step
		call       func(c *Client) (*AssociationBatchResult, error)
		wantBody   string
		wantResult string
	}{
		{
			name:   "create",
			answer: step{status: 201, body: `{"status":"COMPLETE","results":[{"fromObjectTypeId":"0-1","fromObjectId":1,"toObjectTypeId":"0-2","toObjectId":10,"labels":[]},{"fromObjectTypeId":"0-1","fromObjectId":1,"toObjectTypeId":"0-2","toObjectId":11,"labels":["Billing contact"]}],"numErrors":1,"errors":[{"status":"error","category":"VALIDATION_ERROR","message":"One or more associations are invalid","context":{"INVALID_OBJECT_IDS":["CONTACT=2 is not valid"],"objectId":["2"],"objectType":["CONTACT"]}}]}`},
			call: func(c *Client) (*AssociationBatchResult, error) {
				return c.Associations.BatchCreate(t.Context(), "contacts", "companies", inputs[:3])
			},
			wantBody:   `{"inputs":[{"from":{"id":"1"},"to":{"id":"10"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}]},{"from":{"id":"1"},"to":{"id":"11"},"types":[{"associationCategory":"USER_DEFINED","associationTypeId":7}]},{"from":{"id":"2"},"to":{"id":"10"},"types":[{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}]}]}`,
			wantResult: `[{1 10 [] []} {1 11 [Billing contact] []}] errors naming [[2]]`,
		},
		{
			name:   "default",
			answer: step{status: 200, body: `{"status":"COMPLETE","results":[{"from":{"id":"1"},"to":{"id":"10"},"associationSpec":{"associationCategory":"HUBSPOT_DEFINED","associationTypeId":279}}]}`},
			call: func(c *Client) (*AssociationBatchResult, error) {
				return c.Associations.CreateDefault(t.Context(), "contacts", "companies", inputs[3:])
			},
			wantBody:   `{"inputs":[{"from":{"id":"1"},"to":{"id":"10"}}]}`,
			wantResult: `[{1 10 [] [{HUBSPOT_DEFINED 279}]}] errors naming []`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := scripted(t, tt.answer)
			c, _ := newTestClient(t, f)
			res, err := tt.call(c)
			if err != nil {
				t.Fatal(err)
			}
			if got := string(f.Requests()[0].Body); got != tt.wantBody {
				t.Errorf("body\n got %s\nwant %s", got, tt.wantBody)
			}
			var named [][]string
			for _, e := range res.Errors {
				named = append(named, e.IDs)
			}
			if got := fmt.Sprintf("%v errors naming %v", res.Results, named); got != tt.wantResult {
				t.Errorf("result %s, want %s", got, tt.wantResult)
			}
		})
	}
	t.Run("create without types is refused", func(t *testing.T) {
		f := scripted(t, step{status: 200, body: `{}`})
		c, _ := newTestClient(t, f)
		if _, err := c.Associations.BatchCreate(t.Context(), "contacts", "companies", inputs[3:]); err == nil || len(f.Requests()) != 0 {
			t.Errorf("err = %v, requests = %d", err, len(f.Requests()))
		}
	})
	t.Run("archive groups by from id", func(t *testing.T) {
		f := scripted(t, step{status: 204})
		c, _ := newTestClient(t, f)
		if err := c.Associations.BatchArchive(t.Context(), "contacts", "companies", inputs); err != nil {
			t.Fatal(err)
		}
		want := `{"inputs":[{"from":{"id":"1"},"to":[{"id":"10"},{"id":"11"}]},{"from":{"id":"2"},"to":[{"id":"10"}]}]}`
		if got := string(f.Requests()[0].Body); got != want {
			t.Errorf("body\n got %s\nwant %s", got, want)
		}
	})
	t.Run("create 503 is ambiguous", func(t *testing.T) {
		f := scripted(t, step{status: 503, body: errBody})
		c, _ := newTestClient(t, f)
		_, err := c.Associations.BatchCreate(t.Context(), "contacts", "companies", inputs[:1])
		if !IsAmbiguousWrite(err) || len(f.Requests()) != 1 {
			t.Errorf("err = %v after %d requests, want one ambiguous attempt", err, len(f.Requests()))
		}
	})
}

func TestAssociationLabels(t *testing.T) {
	f := scripted(t, step{status: 200, body: `{"results":[{"category":"HUBSPOT_DEFINED","typeId":279,"label":null},{"category":"USER_DEFINED","typeId":7,"label":"Billing contact"}]}`})
	c, _ := newTestClient(t, f)
	labels, err := c.Associations.Labels(t.Context(), "contacts", "companies")
	if err != nil {
		t.Fatal(err)
	}
	if want := "[{HUBSPOT_DEFINED 279 } {USER_DEFINED 7 Billing contact}]"; fmt.Sprint(labels) != want {
		t.Errorf("labels = %v, want %s", labels, want)
	}
}

// An archive answers 204 in v4; 2026-09 answers a batch response whose errors must not pass as
// success, while the pairs that could be archived are.
func TestAssociationArchiveErrors(t *testing.T) {
	tests := []struct {
		version   string
		wantError bool
	}{
		{APIVersionV3, false},
		{APIVersionLatest, true},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			c, e := listsClient(t, tt.version, emulator.Config{})
			var ids []string
			for _, r := range e.Records("contacts", false)[:50] {
				ids = append(ids, r.ID)
			}
			sets, err := c.Associations.BatchRead(t.Context(), "contacts", "companies", ids)
			if err != nil || len(sets) == 0 {
				t.Fatalf("read = %v, %v", sets, err)
			}
			from, to := sets[0].FromID, sets[0].To[0].ToObjectID
			err = c.Associations.BatchArchive(t.Context(), "contacts", "companies", []AssociationInput{{FromID: from, ToID: to}, {FromID: from, ToID: "999"}})
			var batchErr BatchError
			if got := errors.As(err, &batchErr); got != tt.wantError || err != nil && !strings.Contains(err.Error(), "999") {
				t.Errorf("archive error %v, want a batch error naming 999: %t", err, tt.wantError)
			}
			after, err := c.Associations.BatchRead(t.Context(), "contacts", "companies", []string{from})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range after {
				if slices.ContainsFunc(s.To, func(o AssociatedObject) bool { return o.ToObjectID == to }) {
					t.Errorf("contact %s still associated with company %s", from, to)
				}
			}
		})
	}
}

func TestAssociationArchiveAnswers(t *testing.T) {
	tests := []struct {
		name      string
		answer    step
		wantError string // "" for success
	}{
		{"v4 204", step{status: 204}, ""},
		{"2026-09 without errors", step{status: 200, body: `{"status":"COMPLETE","results":[],"startedAt":"2026-09-01T00:00:00Z","completedAt":"2026-09-01T00:00:00Z"}`}, ""},
		{"2026-09 folded error", step{status: 200, body: `{"status":"COMPLETE","results":[],"numErrors":1,"errors":[{"status":"error","category":"VALIDATION_ERROR","message":"bad pair","context":{"toObjectId":["999"]}}]}`}, "VALIDATION_ERROR"},
		{"2026-09 errors without details", step{status: 200, body: `{"status":"COMPLETE","results":[],"numErrors":2}`}, "without details"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := newTestClient(t, scripted(t, tt.answer), WithAPIVersion(APIVersionLatest))
			err := c.Associations.BatchArchive(t.Context(), "contacts", "companies", []AssociationInput{{FromID: "1", ToID: "999"}})
			if (err == nil) != (tt.wantError == "") || err != nil && !strings.Contains(err.Error(), tt.wantError) {
				t.Errorf("err = %v, want one naming %q", err, tt.wantError)
			}
		})
	}
}
