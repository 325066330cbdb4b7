package hubspot

import (
	"net/http/httptest"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
)

// TestEmulatorAcceptsEachVersionsShapes sends each version's search and create bodies to the
// emulator, which is at least as strict as HubSpot about them.
func TestEmulatorAcceptsEachVersionsShapes(t *testing.T) {
	for _, version := range []string{APIVersionV3, APIVersionLatest} {
		t.Run(version, func(t *testing.T) {
			e, err := emulator.New(emulator.Config{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(e.Handler())
			t.Cleanup(srv.Close)
			c, err := NewClient(WithBaseURL(srv.URL), WithAccessToken(e.Token()), WithAPIVersion(version))
			if err != nil {
				t.Fatal(err)
			}
			req := SearchRequest{
				FilterGroups: []FilterGroup{{Filters: []Filter{{PropertyName: "hs_object_id", Operator: "GT", Value: "0"}}}},
				Sorts:        []Sort{{PropertyName: "hs_object_id", Direction: "ASCENDING"}},
				Limit:        2,
			}
			first, err := c.Objects.Search(t.Context(), "contacts", req)
			if err != nil || len(first.Results) != 2 || first.After == "" {
				t.Fatalf("first page = %+v, %v", first, err)
			}
			req.After = first.After
			second, err := c.Objects.Search(t.Context(), "contacts", req)
			if err != nil || len(second.Results) == 0 || second.Results[0].ID == first.Results[0].ID {
				t.Fatalf("second page = %+v, %v", second, err)
			}
			res, err := c.Objects.BatchCreate(t.Context(), "companies", []ObjectInput{{Properties: map[string]string{"domain": "shapes-" + version + ".example"}}})
			if err != nil || len(res.Errors) != 0 || len(res.Results) != 1 {
				t.Fatalf("create = %+v, %v", res, err)
			}
		})
	}
}
