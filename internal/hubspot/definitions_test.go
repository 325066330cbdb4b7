package hubspot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"
)

func TestPropertiesList(t *testing.T) {
	f := scripted(t, step{status: 200, body: `{"results":[{"name":"hs_lead_status","label":"Lead Status","type":"enumeration","fieldType":"checkbox","groupName":"contactinformation",
	  "options":[{"label":"New","value":"NEW","displayOrder":0,"hidden":false},{"label":"Open","value":"OPEN","displayOrder":1,"hidden":true}],
	  "calculated":false,"hasUniqueValue":false,"hidden":false,"hubspotDefined":true,"modificationMetadata":{"archivable":true,"readOnlyDefinition":true,"readOnlyValue":false}},
	  {"name":"external_id","type":"string","hasUniqueValue":true,"modificationMetadata":{"readOnlyValue":true},"calculated":true,"referencedObjectType":"OWNER"}]}`})
	c, _ := newTestClient(t, f)
	props, err := c.Properties.List(t.Context(), "contacts")
	if err != nil {
		t.Fatal(err)
	}
	if len(props) != 2 {
		t.Fatalf("props = %+v", props)
	}
	p := props[0]
	if p.Type != "enumeration" || p.FieldType != "checkbox" || len(p.Options) != 2 || !p.Options[1].Hidden || p.Options[1].Value != "OPEN" ||
		!p.HubspotDefined || !p.ModificationMetadata.ReadOnlyDefinition || p.ModificationMetadata.ReadOnlyValue {
		t.Errorf("first property = %+v", p)
	}
	if q := props[1]; !q.HasUniqueValue || !q.Calculated || !q.ModificationMetadata.ReadOnlyValue || q.ReferencedObjectType != "OWNER" {
		t.Errorf("second property = %+v", q)
	}
}

func TestSchemasList(t *testing.T) {
	f := scripted(t, step{status: 200, body: `{"results":[{"id":"1234","name":"cars","objectTypeId":"2-1234","fullyQualifiedName":"p12345678_cars",
	  "primaryDisplayProperty":"vin","labels":{"singular":"Car","plural":"Cars"},"requiredProperties":["vin"],
	  "properties":[{"name":"vin","type":"string","hasUniqueValue":true}],
	  "associations":[{"id":"99","name":"cars_to_contacts","fromObjectTypeId":"2-1234","toObjectTypeId":"0-1"},{"id":100,"fromObjectTypeId":"2-1234","toObjectTypeId":"0-2"}]}]}`})
	c, _ := newTestClient(t, f)
	schemas, err := c.Schemas.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	s := schemas[0]
	if s.ObjectTypeID != "2-1234" || s.Labels.Plural != "Cars" || s.RequiredProperties[0] != "vin" || !s.Properties[0].HasUniqueValue || s.FullyQualifiedName != "p12345678_cars" {
		t.Errorf("schema = %+v", s)
	}
	if want := "[{99 cars_to_contacts 2-1234 0-1} {100  2-1234 0-2}]"; fmt.Sprint(s.Associations) != want {
		t.Errorf("associations = %v, want %s", s.Associations, want)
	}
}

func TestPipelinesList(t *testing.T) {
	f := scripted(t, step{status: 200, body: `{"results":[{"id":"default","label":"Sales","displayOrder":0,"archived":false,"createdAt":"2023-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z",
	  "stages":[{"id":"appointmentscheduled","label":"Appointment","displayOrder":0,"archived":false,"metadata":{"probability":"0.2"},"createdAt":"2023-01-02T00:00:00Z","updatedAt":"2023-01-03T00:00:00Z"},
	            {"id":"closedwon","label":"Won","displayOrder":1,"metadata":{"probability":1.0,"isClosed":true}}]}]}`})
	c, _ := newTestClient(t, f)
	pipes, err := c.Pipelines.List(t.Context(), "deals")
	if err != nil {
		t.Fatal(err)
	}
	p := pipes[0]
	if p.ID != "default" || p.Label != "Sales" || p.UpdatedAt.Year() != 2024 || len(p.Stages) != 2 {
		t.Fatalf("pipeline = %+v", p)
	}
	if s := p.Stages[0]; s.Metadata["probability"] != "0.2" || s.CreatedAt == nil || s.CreatedAt.Day() != 2 || s.UpdatedAt.Day() != 3 {
		t.Errorf("stage = %+v", s)
	}
	if s := p.Stages[1]; s.Metadata["probability"] != "1.0" || s.Metadata["isClosed"] != "true" {
		t.Errorf("stage metadata = %v", s.Metadata)
	}
}

// HubSpot dates its default pipelines and their stages 0: that is no creation time, not 1970.
func TestDefaultPipelineHasNoCreationTime(t *testing.T) {
	f := scripted(t, step{status: 200, body: `{"results":[{"id":"default","label":"Sales","displayOrder":0,"archived":false,"createdAt":"1970-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z",
	  "stages":[{"id":"closedwon","label":"Won","displayOrder":0,"archived":false,"metadata":{},"createdAt":"1970-01-01T00:00:00.000Z","updatedAt":"2024-01-02T00:00:00Z"},
	            {"id":"42","label":"Added","displayOrder":1,"archived":false,"metadata":{},"createdAt":"2023-05-06T00:00:00Z","updatedAt":"2024-01-02T00:00:00Z"}]}]}`})
	c, _ := newTestClient(t, f)
	pipes, err := c.Pipelines.List(t.Context(), "deals")
	if err != nil {
		t.Fatal(err)
	}
	p := pipes[0]
	if p.CreatedAt != nil || p.Stages[0].CreatedAt != nil {
		t.Errorf("default pipeline created %v, its stage %v; want neither", p.CreatedAt, p.Stages[0].CreatedAt)
	}
	if c := p.Stages[1].CreatedAt; c == nil || c.Year() != 2023 {
		t.Errorf("added stage created %v, want 2023-05-06", c)
	}
	if p.UpdatedAt.Year() != 2024 || p.Stages[0].UpdatedAt.Year() != 2024 {
		t.Errorf("updated %v / %v, want 2024", p.UpdatedAt, p.Stages[0].UpdatedAt)
	}
}

func TestOwnersList(t *testing.T) {
	tests := []struct {
		name     string
		archived bool
		breakAt  int
		wantIDs  string
		wantReqs int
	}{
		{"all pages", false, 0, "[1 2 3]", 2},
		{"archived", true, 0, "[1 2 3]", 2},
		{"break", false, 1, "[1]", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ []byte, n int) {
				if got := r.URL.Query().Get("archived"); got != fmt.Sprint(tt.archived) {
					t.Errorf("archived = %q", got)
				}
				if r.URL.Query().Get("limit") != "500" {
					t.Errorf("limit = %q", r.URL.Query().Get("limit"))
				}
				if n == 0 {
					writeRaw(w, 200, `{"results":[{"id":"1","email":"a@x.io","firstName":"A","lastName":"B","type":"PERSON","userId":9001,"teams":[{"id":7,"name":"East","primary":true}],"createdAt":"2024-01-01T00:00:00Z","archived":false},{"id":"2","type":"QUEUE"}],"paging":{"next":{"after":"2"}}}`)
					return
				}
				if r.URL.Query().Get("after") != "2" {
					t.Errorf("after = %q", r.URL.Query().Get("after"))
				}
				writeRaw(w, 200, `{"results":[{"id":"3","userId":"9003"}]}`)
			})
			c, _ := newTestClient(t, f)
			var owners []Owner
			for o, err := range c.Owners.List(t.Context(), tt.archived) {
				if err != nil {
					t.Fatal(err)
				}
				owners = append(owners, o)
				if len(owners) == tt.breakAt {
					break
				}
			}
			var ids []string
			for _, o := range owners {
				ids = append(ids, o.ID)
			}
			if fmt.Sprint(ids) != tt.wantIDs || len(f.Requests()) != tt.wantReqs {
				t.Errorf("ids %v after %d requests, want %s after %d", ids, len(f.Requests()), tt.wantIDs, tt.wantReqs)
			}
			first := owners[0]
			if first.UserID == nil || *first.UserID != 9001 || first.Type != "PERSON" || first.Email != "a@x.io" || len(first.Teams) != 1 || first.Teams[0].ID != "7" || !first.Teams[0].Primary ||
				!first.CreatedAt.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("owner = %+v", first)
			}
			if len(owners) > 1 && (owners[1].Type != "QUEUE" || owners[1].UserID != nil) {
				t.Errorf("queue = %+v, want type QUEUE and no user id", owners[1])
			}
		})
	}
}

func TestOwnerUserID(t *testing.T) {
	tests := []struct {
		name, body string
		want       int64 // 0: no user id
	}{
		{"active person", `{"id":"1","type":"PERSON","userId":9001,"userIdIncludingInactive":9001}`, 9001},
		// HubSpot nulls userId once a user is deactivated; the id stays in userIdIncludingInactive.
		{"archived person", `{"id":"2","type":"PERSON","archived":true,"userId":null,"userIdIncludingInactive":9002}`, 9002},
		{"only userId", `{"id":"3","type":"PERSON","userId":"9003"}`, 9003},
		{"queue", `{"id":"4","type":"QUEUE"}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var o Owner
			if err := json.Unmarshal([]byte(tt.body), &o); err != nil {
				t.Fatal(err)
			}
			var got int64
			if o.UserID != nil {
				got = *o.UserID
			}
			if got != tt.want {
				t.Errorf("UserID = %d, want %d (0: none)", got, tt.want)
			}
		})
	}
}

func TestOwnersListStopsOnError(t *testing.T) {
	f := scripted(t, step{status: 403, body: `{"status":"error","category":"MISSING_SCOPES","errors":[{"context":{"requiredGranularScopes":["crm.objects.owners.read"]}}]}`})
	c, _ := newTestClient(t, f)
	var errs int
	for _, err := range c.Owners.List(t.Context(), false) {
		if !IsMissingScopes(err) {
			t.Errorf("err = %v", err)
		}
		errs++
	}
	if errs != 1 || len(f.Requests()) != 1 {
		t.Errorf("%d errors after %d requests, want 1 and 1", errs, len(f.Requests()))
	}
}
