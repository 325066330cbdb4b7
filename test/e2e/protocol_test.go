package e2e

import (
	"slices"
	"strings"
	"testing"

	pbdiscovery "github.com/cloudquery/plugin-pb-go/pb/discovery/v1"
	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"
	"github.com/cloudquery/plugin-sdk/v4/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// staticTables are the tables a NoConnection Init (doc, package, `cloudquery tables`) must list.
var staticTables = []string{
	"hubspot_crm_contacts", "hubspot_crm_companies", "hubspot_crm_deals", "hubspot_crm_tickets",
	"hubspot_crm_calls", "hubspot_crm_emails", "hubspot_crm_meetings", "hubspot_crm_notes", "hubspot_crm_tasks",
	"hubspot_crm_owners", "hubspot_crm_pipelines", "hubspot_crm_properties", "hubspot_crm_associations",
}

// TestIdentityAndSchema checks what the CLI asks first, over TCP and a unix socket.
func TestIdentityAndSchema(t *testing.T) {
	for _, network := range []string{"tcp", "unix"} {
		t.Run(network, func(t *testing.T) {
			p := servePlugin(t, network)
			ctx := callCtx(t)

			versions, err := p.Discovery.GetVersions(ctx, &pbdiscovery.GetVersions_Request{})
			if err != nil {
				t.Fatalf("GetVersions: %v", err)
			}
			if !slices.Contains(versions.Versions, 3) {
				t.Errorf("GetVersions = %v, want protocol 3 among them", versions.Versions)
			}
			name, err := p.GetName(ctx, &pb.GetName_Request{})
			if err != nil {
				t.Fatalf("GetName: %v", err)
			}
			if name.Name != "hubspot" {
				t.Errorf("GetName = %q, want hubspot", name.Name)
			}
			version, err := p.GetVersion(ctx, &pb.GetVersion_Request{})
			if err != nil {
				t.Fatalf("GetVersion: %v", err)
			}
			if version.Version == "" {
				t.Error("GetVersion is empty")
			}
			sc := specSchema(t, p)
			if err := sc.Validate(map[string]any{"access_token": "pat-na1-0000"}); err != nil {
				t.Errorf("served schema rejects a minimal spec: %v", err)
			}
		})
	}
}

// specSchema fetches the served JSON schema and compiles it as `cloudquery validate-config` does.
func specSchema(t *testing.T, p *servedPlugin) *jsonschema.Schema {
	t.Helper()
	res, err := p.GetSpecSchema(callCtx(t), &pb.GetSpecSchema_Request{})
	if err != nil {
		t.Fatalf("GetSpecSchema: %v", err)
	}
	if res.JsonSchema == nil || *res.JsonSchema == "" {
		t.Fatal("GetSpecSchema returned no schema")
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(*res.JsonSchema))
	if err != nil {
		t.Fatalf("served schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("hubspot-spec.json", doc); err != nil {
		t.Fatalf("add schema: %v", err)
	}
	sc, err := c.Compile("hubspot-spec.json")
	if err != nil {
		t.Fatalf("compile served schema: %v", err)
	}
	return sc
}

// TestNoConnectionInitListsStaticTables covers `cloudquery tables`, `doc` and `package`: the spec
// is nil or `null` or `{}`, and no HubSpot call may be made.
func TestNoConnectionInitListsStaticTables(t *testing.T) {
	p := servePlugin(t, "unix")
	ctx := callCtx(t)
	for _, spec := range []struct {
		name string
		raw  []byte
	}{{"nil", nil}, {"null", []byte("null")}, {"empty object", []byte("{}")}} {
		t.Run(spec.name, func(t *testing.T) {
			if _, err := p.Init(ctx, &pb.Init_Request{Spec: spec.raw, NoConnection: true}); err != nil {
				t.Fatalf("Init(NoConnection): %v", err)
			}
			tables := getTables(t, p, &pb.GetTables_Request{Tables: []string{"*"}})
			if got := tableNames(tables); !isSubset(staticTables, got) {
				t.Errorf("tables = %v, want at least %v", got, staticTables)
			}
			contacts := findTable(t, tables, "hubspot_crm_contacts")
			if !contacts.IsIncremental {
				t.Error("hubspot_crm_contacts is not incremental")
			}
			if got := contacts.PrimaryKeys(); !slices.Equal(got, []string{"portal", "id"}) {
				t.Errorf("hubspot_crm_contacts primary key = %v, want [portal id]", got)
			}
			if col := contacts.Column("updated_at"); col == nil || !col.IncrementalKey {
				t.Errorf("hubspot_crm_contacts.updated_at = %+v, want an incremental key", col)
			}
		})
	}
}

// TestGetTablesFilters checks that table selection reaches the plugin as the CLI sends it.
func TestGetTablesFilters(t *testing.T) {
	p := servePlugin(t, "tcp")
	if _, err := p.Init(callCtx(t), &pb.Init_Request{Spec: []byte("null"), NoConnection: true}); err != nil {
		t.Fatalf("Init: %v", err)
	}
	for _, tc := range []struct {
		name string
		req  *pb.GetTables_Request
		want []string
	}{
		{"glob", &pb.GetTables_Request{Tables: []string{"hubspot_crm_c*"}}, []string{"hubspot_crm_calls", "hubspot_crm_carts", "hubspot_crm_communications", "hubspot_crm_companies", "hubspot_crm_contacts"}},
		{"exact names", &pb.GetTables_Request{Tables: []string{"hubspot_crm_deals", "hubspot_crm_owners"}}, []string{"hubspot_crm_deals", "hubspot_crm_owners"}},
		{"skip", &pb.GetTables_Request{Tables: []string{"hubspot_crm_c*"}, SkipTables: []string{"hubspot_crm_calls"}}, []string{"hubspot_crm_carts", "hubspot_crm_communications", "hubspot_crm_companies", "hubspot_crm_contacts"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tableNames(getTables(t, p, tc.req))
			slices.Sort(got)
			if !slices.Equal(got, tc.want) {
				t.Errorf("tables = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestInitRejectsBadSpecs checks that a bad spec fails at Init with the field's path, and that the
// token never appears in the error.
func TestInitRejectsBadSpecs(t *testing.T) {
	p := servePlugin(t, "tcp")
	ctx := callCtx(t)
	const secret = "pat-na1-e2e-secret-0001"
	for _, tc := range []struct {
		name string
		spec string
		want []string // substrings of the error
	}{
		{"null spec needs credentials", `null`, []string{"access_token"}},
		{"empty spec needs credentials", `{}`, []string{"access_token"}},
		{"wrong type", `{"access_token": 12345}`, []string{"/access_token"}},
		{"unknown field", `{"acces_token": "` + secret + `"}`, []string{"acces_token"}},
		{"out of range", `{"access_token": "` + secret + `", "rate_limit": {"burst_per_10s": 999}}`, []string{"/rate_limit/burst_per_10s"}},
		{"bad enum", `{"access_token": "` + secret + `", "api_version": "v4"}`, []string{"/api_version"}},
		{"bad duration", `{"access_token": "` + secret + `", "settle_lag": "a minute"}`, []string{"/settle_lag"}},
		{"plain http off loopback", `{"access_token": "` + secret + `", "base_url": "http://api.example.com"}`, []string{"base_url", "https"}},
		{"unexpanded variable", `{"access_token": "${HUBSPOT_ACCESS_TOKEN}"}`, []string{"access_token", "unexpanded"}},
		{"both credentials", `{"access_token": "` + secret + `", "oauth": {"client_id": "a", "client_secret": "b", "refresh_token": "c"}}`, []string{"access_token", "oauth"}},
		{"bad start date", `{"access_token": "` + secret + `", "start_date": "yesterday"}`, []string{"start_date"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := p.Init(ctx, &pb.Init_Request{Spec: []byte(tc.spec)})
			if err == nil {
				t.Fatal("Init accepted the spec")
			}
			msg := status.Convert(err).Message()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("Init error %q does not mention %q", msg, w)
				}
			}
			if strings.Contains(msg, secret) {
				t.Errorf("Init error leaks the token: %q", msg)
			}
		})
	}
	// A failed Init leaves no client behind: the CLI must not go on with stale tables.
	_, err := p.GetTables(ctx, &pb.GetTables_Request{Tables: []string{"*"}})
	if status.Code(err) == codes.OK {
		t.Error("GetTables after a failed Init succeeded")
	}
}

func getTables(t *testing.T, p *servedPlugin, req *pb.GetTables_Request) []*schema.Table {
	t.Helper()
	res, err := p.GetTables(callCtx(t), req)
	if err != nil {
		t.Fatalf("GetTables: %v", err)
	}
	tables := make([]*schema.Table, len(res.Tables))
	for i, b := range res.Tables {
		if tables[i], err = decodeTable(b); err != nil {
			t.Fatal(err)
		}
	}
	return tables
}

func tableNames(tables []*schema.Table) []string {
	names := make([]string, len(tables))
	for i, tb := range tables {
		names[i] = tb.Name
	}
	return names
}

func findTable(t *testing.T, tables []*schema.Table, name string) *schema.Table {
	t.Helper()
	for _, tb := range tables {
		if tb.Name == name {
			return tb
		}
	}
	t.Fatalf("table %s not served; got %v", name, tableNames(tables))
	return nil
}

func isSubset(want, got []string) bool {
	for _, w := range want {
		if !slices.Contains(got, w) {
			return false
		}
	}
	return true
}
