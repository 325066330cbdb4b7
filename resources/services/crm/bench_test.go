package crm

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/hubspot-cq/cq-plugin-hubspot/client"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// BenchmarkObjectTableBuild builds the Arrow record of a 100-record page of contacts with every
// property (160 with the emulator's default seed), as read by the incremental reader.
func BenchmarkObjectTableBuild(b *testing.B) {
	e, err := emulator.New(emulator.Config{Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	api, err := hubspot.NewClient(hubspot.WithBaseURL(srv.URL), hubspot.WithAccessToken(e.Token()))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	props, err := api.Properties.List(ctx, "contacts")
	if err != nil {
		b.Fatal(err)
	}
	obj := client.ObjectType{Name: "contacts", TypeID: "0-1", ModifiedProperty: "lastmodifieddate", Properties: props}
	page, err := api.Objects.ListPage(ctx, "contacts", hubspot.ListOptions{Properties: obj.PropertyNames(), ByPosition: true})
	if err != nil {
		b.Fatal(err)
	}
	table := ObjectTable(obj)
	bad := func(column, value string, err error) { b.Fatalf("%s = %q: %v", column, value, err) }
	b.ReportAllocs()
	for b.Loop() {
		rec, err := table.Build("default", page.Results, bad)
		if err != nil {
			b.Fatal(err)
		}
		rec.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(page.Results))/1000, "µs/record")
}
