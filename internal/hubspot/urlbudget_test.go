package hubspot

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// propertyFake answers list/get with the properties named in the URL and batch/read with the
// properties named in the body, refusing URLs longer than HubSpot's limit with 414.
func propertyFake(t *testing.T) *fakeAPI {
	return newFakeAPI(t, func(w http.ResponseWriter, r *http.Request, body []byte, _ int) {
		if len(r.RequestURI) > 16384 {
			writeRaw(w, http.StatusRequestURITooLong, `<html>414 Request-URI Too Large</html>`)
			return
		}
		record := func(id string, names []string) map[string]any {
			props := map[string]*string{}
			for _, n := range names {
				props[n] = ptr("v-" + n)
			}
			return map[string]any{"id": id, "properties": props}
		}
		switch {
		case strings.HasSuffix(r.URL.Path, "/batch/read"):
			var req struct {
				Inputs     []struct{ ID string } `json:"inputs"`
				Properties []string              `json:"properties"`
			}
			if err := json.Unmarshal(body, &req); err != nil {
				t.Errorf("batch read body: %v", err)
			}
			if len(req.Inputs) > MaxBatchInputs {
				writeRaw(w, http.StatusBadRequest, `{"status":"error","message":"too many inputs"}`)
				return
			}
			var results []map[string]any
			for _, in := range req.Inputs {
				results = append(results, record(in.ID, req.Properties))
			}
			writeJSON(w, http.StatusOK, map[string]any{"status": "COMPLETE", "results": results})
		case strings.Count(strings.TrimPrefix(r.URL.Path, basePath), "/") == 5: // /crm/objects/2026-09/{type}/{id}
			names := strings.Split(r.URL.Query().Get("properties"), ",")
			writeJSON(w, http.StatusOK, record("1", names))
		default:
			names := strings.Split(r.URL.Query().Get("properties"), ",")
			var results []map[string]any
			for i := range 5 {
				results = append(results, record(fmt.Sprint(i+1), names))
			}
			writeJSON(w, http.StatusOK, map[string]any{"results": results, "paging": map[string]any{"next": map[string]any{"after": "100"}}})
		}
	})
}

func names(n int, prefix string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s_%04d", prefix, i)
	}
	return out
}

func TestNoURITooLong(t *testing.T) {
	long := strings.Repeat("x", 60)
	tests := []struct {
		name     string
		props    []string
		wantReqs int
	}{
		{"250 typical names: one request", names(250, "custom_property"), 1},
		{"2,000 long names: list plus one batch read", names(2000, long), 2},
	}
	for _, tt := range tests {
		t.Run("list/"+tt.name, func(t *testing.T) {
			f := propertyFake(t)
			c, _ := newTestClient(t, f)
			page, err := c.Objects.ListPage(t.Context(), "contacts", ListOptions{Properties: tt.props})
			if err != nil {
				t.Fatalf("ListPage: %v", err)
			}
			checkAllProperties(t, page.Results, tt.props)
			checkRequests(t, f, tt.wantReqs)
		})
		t.Run("list by position/"+tt.name, func(t *testing.T) {
			f := propertyFake(t)
			c, _ := newTestClient(t, f)
			page, err := c.Objects.ListPage(t.Context(), "contacts", ListOptions{Properties: tt.props, ByPosition: true})
			if err != nil {
				t.Fatalf("ListPage: %v", err)
			}
			for _, o := range page.Results {
				if len(o.Values) != len(tt.props) || o.Properties != nil {
					t.Fatalf("record %s: %d values, properties %v", o.ID, len(o.Values), o.Properties)
				}
				for i, p := range tt.props {
					if o.Values[i] != "v-"+p {
						t.Fatalf("record %s value %d (%s) = %q", o.ID, i, p, o.Values[i])
					}
				}
			}
			checkRequests(t, f, tt.wantReqs)
		})
		t.Run("get/"+tt.name, func(t *testing.T) {
			f := propertyFake(t)
			c, _ := newTestClient(t, f)
			obj, err := c.Objects.Get(t.Context(), "contacts", "1", GetOptions{Properties: tt.props})
			if err != nil {
				t.Fatalf("Get: %v", err)
			}
			checkAllProperties(t, []Object{*obj}, tt.props)
			checkRequests(t, f, tt.wantReqs)
		})
	}
}

func checkAllProperties(t *testing.T, objs []Object, props []string) {
	t.Helper()
	if len(objs) == 0 {
		t.Fatal("no records")
	}
	for _, o := range objs {
		if len(o.Properties) != len(props) {
			t.Fatalf("record %s has %d properties, want %d", o.ID, len(o.Properties), len(props))
		}
		for _, p := range props {
			if v := o.Properties[p]; v == nil || *v != "v-"+p {
				t.Fatalf("record %s property %s = %v", o.ID, p, v)
			}
		}
	}
}

func checkRequests(t *testing.T, f *fakeAPI, want int) {
	t.Helper()
	reqs := f.Requests()
	if len(reqs) != want {
		t.Errorf("%d requests, want %d", len(reqs), want)
	}
	for _, r := range reqs {
		if r.URILen > urlBudget {
			t.Errorf("request URI of %d characters exceeds the %d budget", r.URILen, urlBudget)
		}
	}
}
