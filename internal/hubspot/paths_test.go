package hubspot

import (
	"context"
	"net/http"
	"testing"
)

func TestPathsPerFamily(t *testing.T) {
	pair := []AssociationInput{{FromID: "1", ToID: "2", Types: []AssociationTypeSpec{{Category: "HUBSPOT_DEFINED", TypeID: 279}}}}
	tests := []struct {
		name       string
		call       func(ctx context.Context, c *Client) error
		method     string
		v3, latest string
	}{
		{"list", func(ctx context.Context, c *Client) error {
			_, err := c.Objects.ListPage(ctx, "contacts", ListOptions{})
			return err
		}, http.MethodGet, "/crm/v3/objects/contacts", "/crm/objects/2026-09/contacts"},
		{"list by type id", func(ctx context.Context, c *Client) error {
			_, err := c.Objects.ListPage(ctx, "2-1234", ListOptions{})
			return err
		}, http.MethodGet, "/crm/v3/objects/2-1234", "/crm/objects/2026-09/2-1234"},
		{"get", func(ctx context.Context, c *Client) error {
			_, err := c.Objects.Get(ctx, "0-1", "42", GetOptions{})
			return err
		}, http.MethodGet, "/crm/v3/objects/0-1/42", "/crm/objects/2026-09/0-1/42"},
		{"search", func(ctx context.Context, c *Client) error {
			_, err := c.Objects.Search(ctx, "deals", SearchRequest{})
			return err
		}, http.MethodPost, "/crm/v3/objects/deals/search", "/crm/objects/2026-09/deals/search"},
		{"batch read", func(ctx context.Context, c *Client) error {
			_, err := c.Objects.BatchRead(ctx, "tickets", BatchReadRequest{IDs: []string{"1"}})
			return err
		}, http.MethodPost, "/crm/v3/objects/tickets/batch/read", "/crm/objects/2026-09/tickets/batch/read"},
		{"batch create", func(ctx context.Context, c *Client) error {
			_, err := c.Objects.BatchCreate(ctx, "contacts", []ObjectInput{{Properties: map[string]string{"email": "a@b.c"}}})
			return err
		}, http.MethodPost, "/crm/v3/objects/contacts/batch/create", "/crm/objects/2026-09/contacts/batch/create"},
		{"batch update", func(ctx context.Context, c *Client) error {
			_, err := c.Objects.BatchUpdate(ctx, "contacts", []ObjectInput{{ID: "1"}})
			return err
		}, http.MethodPost, "/crm/v3/objects/contacts/batch/update", "/crm/objects/2026-09/contacts/batch/update"},
		{"batch upsert", func(ctx context.Context, c *Client) error {
			_, err := c.Objects.BatchUpsert(ctx, "contacts", []ObjectInput{{ID: "a@b.c", IDProperty: "email"}})
			return err
		}, http.MethodPost, "/crm/v3/objects/contacts/batch/upsert", "/crm/objects/2026-09/contacts/batch/upsert"},
		{"batch archive", func(ctx context.Context, c *Client) error {
			return c.Objects.BatchArchive(ctx, "contacts", []string{"1"})
		}, http.MethodPost, "/crm/v3/objects/contacts/batch/archive", "/crm/objects/2026-09/contacts/batch/archive"},
		{"properties", func(ctx context.Context, c *Client) error {
			_, err := c.Properties.List(ctx, "companies")
			return err
		}, http.MethodGet, "/crm/v3/properties/companies", "/crm/properties/2026-09/companies"},
		{"schemas", func(ctx context.Context, c *Client) error {
			_, err := c.Schemas.List(ctx)
			return err
		}, http.MethodGet, "/crm-object-schemas/v3/schemas", "/crm-object-schemas/2026-09/schemas"},
		{"pipelines", func(ctx context.Context, c *Client) error {
			_, err := c.Pipelines.List(ctx, "deals")
			return err
		}, http.MethodGet, "/crm/v3/pipelines/deals", "/crm/pipelines/2026-09/deals"},
		{"owners", func(ctx context.Context, c *Client) error {
			for _, err := range c.Owners.List(ctx, false) {
				return err
			}
			return nil
		}, http.MethodGet, "/crm/v3/owners", "/crm/owners/2026-09"},
		{"association read", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.BatchRead(ctx, "contacts", "companies", []string{"1"})
			return err
		}, http.MethodPost, "/crm/v4/associations/contacts/companies/batch/read", "/crm/associations/2026-09/contacts/companies/batch/read"},
		{"association create", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.BatchCreate(ctx, "contacts", "companies", pair)
			return err
		}, http.MethodPost, "/crm/v4/associations/contacts/companies/batch/create", "/crm/associations/2026-09/contacts/companies/batch/create"},
		{"association default", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.CreateDefault(ctx, "contacts", "companies", pair)
			return err
		}, http.MethodPost, "/crm/v4/associations/contacts/companies/batch/associate/default", "/crm/associations/2026-09/contacts/companies/batch/associate/default"},
		{"association archive", func(ctx context.Context, c *Client) error {
			return c.Associations.BatchArchive(ctx, "contacts", "companies", pair)
		}, http.MethodPost, "/crm/v4/associations/contacts/companies/batch/archive", "/crm/associations/2026-09/contacts/companies/batch/archive"},
		{"association labels", func(ctx context.Context, c *Client) error {
			_, err := c.Associations.Labels(ctx, "contacts", "companies")
			return err
		}, http.MethodGet, "/crm/v4/associations/contacts/companies/labels", "/crm/associations/2026-09/contacts/companies/labels"},
	}
	for _, version := range []string{APIVersionV3, APIVersionLatest} {
		for _, tt := range tests {
			t.Run(version+"/"+tt.name, func(t *testing.T) {
				f := newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, _ []byte, _ int) {
					writeRaw(w, http.StatusOK, `{"id":"42","results":[]}`)
				})
				c, _ := newTestClient(t, f, WithAPIVersion(version))
				if err := tt.call(t.Context(), c); err != nil {
					t.Fatalf("call: %v", err)
				}
				reqs := f.Requests()
				if len(reqs) != 1 {
					t.Fatalf("got %d requests, want 1", len(reqs))
				}
				want := tt.latest
				if version == APIVersionV3 {
					want = tt.v3
				}
				if reqs[0].Method != tt.method || reqs[0].Path != want {
					t.Errorf("got %s %s, want %s %s", reqs[0].Method, reqs[0].Path, tt.method, want)
				}
				if got := reqs[0].Header.Get("Authorization"); got != "Bearer "+testToken {
					t.Errorf("Authorization = %q", got)
				}
				if got := reqs[0].Header.Get("User-Agent"); got != defaultUserAgent {
					t.Errorf("User-Agent = %q", got)
				}
			})
		}
	}
}
