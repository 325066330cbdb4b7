package e2e

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	pb "github.com/cloudquery/plugin-pb-go/pb/plugin/v3"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/test/figures"
)

// writeTarget is DESIGN.md's reverse-ETL budget per 1,000 rows: 20 when every row changed (read to
// diff + write), and half of it, the reads, when none did.
const writeTarget = 20.0

// BenchmarkReverseETLOneRowRecords writes 1,000 contacts to `hubspot serve` over the plugin
// protocol the way the CloudQuery CLI can feed a destination, one Arrow record per row: once with
// every row changed, then the same rows unchanged. It prints the requests HubSpot received per
// 1,000 rows to read and write them, beside the in-process figure of internal/reverse's
// BenchmarkReverseETL; the mapping's one-time read of the object's property definitions is
// setup, as there.
func BenchmarkReverseETLOneRowRecords(b *testing.B) {
	const rows = 1000
	emu, err := emulator.New(emulator.Config{Seed: 11, NoLimits: true, Counts: map[string]int{"contacts": 2 * rows, "companies": 0,
		"deals": 0, "tickets": 0, "calls": 0, "emails": 0, "meetings": 0, "notes": 0, "tasks": 0, "cars": 0, "subscriptions": 0}})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	b.Cleanup(srv.Close)
	var emails []string
	for _, r := range emu.Records("contacts", false) {
		if r.Properties["email"] != "" && len(emails) < rows {
			emails = append(emails, r.Properties["email"])
		}
	}
	spec, err := json.Marshal(map[string]any{
		"access_token": emu.Token(), "base_url": srv.URL, "objects": []string{"contacts"}, "report_path": b.TempDir(),
		"rate_limit": map[string]int{"burst_per_10s": 250},
		"mappings":   []map[string]any{{"table": warehouseTable, "object": "contacts", "match_key": "email"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	p := servePlugin(b, "unix")
	if _, err := p.Init(callCtx(b), &pb.Init_Request{Spec: spec}); err != nil {
		b.Fatalf("Init: %v", err)
	}
	table := warehouseContacts()
	var changed, unchanged float64
	var elapsed time.Duration
	for i := range b.N {
		syncTime := time.Now()
		msgs := []*pb.Write_Request{migrateMsg(b, table)}
		for j, email := range emails {
			msgs = append(msgs, insertMsg(contactRows(b, table, syncTime, [][2]string{{email, fmt.Sprintf("Bench %d-%d", i, j)}})))
		}
		for _, n := range []*float64{&changed, &unchanged} {
			before := emu.Stats().RecordRequests()
			start := time.Now()
			if err := writeOver(b, p, msgs...); err != nil {
				b.Fatalf("Write: %v", err)
			}
			elapsed += time.Since(start)
			*n += float64(emu.Stats().RecordRequests()-before) * 1000 / rows / float64(b.N)
		}
	}
	b.ReportMetric(changed, "req/1k-changed-rows")
	b.ReportMetric(unchanged, "req/1k-unchanged-rows")
	figures.Print("reverse ETL over gRPC, one-row records: req/1k changed rows", changed, "req/1k", writeTarget, false)
	figures.Print("reverse ETL over gRPC, one-row records: req/1k unchanged", unchanged, "req/1k", writeTarget/2, false)
	fmt.Printf("%-58s %12.0f rows/s (hubspot serve, emulator unthrottled)\n", "reverse ETL over gRPC, one-row records", float64(2*rows*b.N)/elapsed.Seconds())
}
