package reverse

import (
	"slices"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

func TestSuggestFindsColumnsThatLookLikeProperties(t *testing.T) {
	props := map[string]hubspot.Property{}
	for _, name := range []string{"email", "firstname", "lastname", "domain", "company", "city", "state", "zip",
		"hs_lead_status", "jobtitle", "phone", "mobilephone", "createdate"} {
		props[name] = hubspot.Property{Name: name}
	}
	props["hs_object_id"] = hubspot.Property{Name: "hs_object_id", ModificationMetadata: hubspot.ModificationMetadata{ReadOnlyValue: true}}
	props["hs_analytics_num_visits"] = hubspot.Property{Name: "hs_analytics_num_visits", Calculated: true}

	cases := []struct {
		column string
		taken  []string // properties other columns already map to
		want   []string // nil: no warning
	}{
		{column: "fristname", want: []string{"firstname"}},
		{column: "e_mail", want: []string{"email"}},
		{column: "E-Mail", want: []string{"email"}},
		{column: "last_name", want: []string{"lastname"}},
		{column: "lead_status", want: []string{"hs_lead_status"}},
		{column: "company_domain", want: []string{"domain", "company"}},
		{column: "job_titel", want: []string{"jobtitle"}},
		{column: "phnoe", want: []string{"phone"}},
		{column: "emial", taken: []string{"email"}}, // email is written by another column already
		// Not typos: short names, the plugin's own columns, exact names of read-only properties,
		// names no property is near.
		{column: "id"},
		{column: "pk"},
		{column: "zip_"},
		{column: "portal"},
		{column: "created_at"},
		{column: "updated_at"},
		{column: "archived"},
		{column: "archived_at"},
		{column: "hs_object_id"},
		{column: "hs_analytics_num_visit"}, // close only to a calculated property
		{column: "status"},
		{column: "score"},
		{column: "loaded_at"},
		{column: "customer_tier"},
		{column: "internal_note"},
	}
	for _, tc := range cases {
		t.Run(tc.column, func(t *testing.T) {
			taken := map[string]string{}
			for _, p := range tc.taken {
				taken[p] = "other"
			}
			got := suggest([]string{tc.column}, props, taken)
			switch {
			case tc.want == nil && len(got) > 0:
				t.Errorf("%q warned with %v; it must not", tc.column, got[0].Properties)
			case tc.want != nil && (len(got) != 1 || got[0].Column != tc.column || !slices.Equal(got[0].Properties, tc.want)):
				t.Errorf("%q: suggestions %+v, want %v", tc.column, got, tc.want)
			}
		})
	}
}
