package reverse

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/apache/arrow/go/v17/arrow"
	"github.com/apache/arrow/go/v17/arrow/array"
	"github.com/apache/arrow/go/v17/arrow/memory"

	"github.com/hubspot-cq/cq-plugin-hubspot/internal/emulator"
	"github.com/hubspot-cq/cq-plugin-hubspot/internal/hubspot"
)

// requestTarget is DESIGN.md's budget: at most 20 requests per 1,000 rows, read to diff + write.
const requestTarget = 20.0

// BenchmarkReverseETL writes 1,000 contact rows per iteration twice: once with every row changed
// (read to diff + write) and once unchanged (read only), against an unthrottled emulator. It
// reports requests per 1,000 rows for both, their ratio to the target, and rows per second.
func BenchmarkReverseETL(b *testing.B) {
	const rows = 1000
	e, err := emulator.New(emulator.Config{Seed: 11, Counts: map[string]int{"contacts": 2 * rows}})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	api, err := hubspot.NewClient(hubspot.WithBaseURL(srv.URL), hubspot.WithAccessToken(e.Token()),
		hubspot.WithLimiter(hubspot.NewLimiter(hubspot.LimiterConfig{Burst: 1 << 30, SearchPerSecond: 1 << 30})))
	if err != nil {
		b.Fatal(err)
	}
	var emails []string
	for _, r := range e.Records("contacts", false) {
		if r.Properties["email"] != "" && len(emails) < rows {
			emails = append(emails, r.Properties["email"])
		}
	}
	sc := arrow.NewSchema([]arrow.Field{
		{Name: "email", Type: arrow.BinaryTypes.String},
		{Name: "jobtitle", Type: arrow.BinaryTypes.String},
		{Name: "hs_lead_status", Type: arrow.BinaryTypes.String},
	}, nil)
	ctx := context.Background()
	plan, err := Compile(ctx, NewTarget("bench", api, apiDiscovery{api}), "bench", sc, Mapping{Object: "contacts",
		Mode: ModeUpsert, MatchKey: []string{"email"}, Conflict: ConflictSource, RequireEmail: true, OnDelete: DeleteIgnore})
	if err != nil {
		b.Fatal(err)
	}
	statuses := []string{"NEW", "OPEN", "IN_PROGRESS", "CONNECTED"}
	record := func(i int) arrow.Record {
		bld := array.NewRecordBuilder(memory.DefaultAllocator, sc)
		defer bld.Release()
		for j, email := range emails {
			bld.Field(0).(*array.StringBuilder).Append(email)
			bld.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("Title %d-%d", i, j))
			bld.Field(2).(*array.StringBuilder).Append(statuses[(i+j)%len(statuses)])
		}
		return bld.NewRecord()
	}
	var changedReq, unchangedReq int64
	write := func(rec arrow.Record) int64 {
		before := api.Stats().Requests
		run, err := NewRun(Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := run.Write(ctx, plan, rec); err != nil {
			b.Fatal(err)
		}
		sum, err := run.Close()
		if err != nil || sum.Failed() > 0 {
			b.Fatalf("close: %v, %+v", err, sum)
		}
		return api.Stats().Requests - before
	}
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		rec := record(i)
		changedReq += write(rec)
		unchangedReq += write(rec)
		rec.Release()
	}
	elapsed := time.Since(start)
	per := func(n int64) float64 { return float64(n) / float64(b.N) * 1000 / rows }
	b.ReportMetric(per(changedReq), "req/1k-changed-rows")
	b.ReportMetric(per(unchangedReq), "req/1k-unchanged-rows")
	b.ReportMetric(per(changedReq)/requestTarget, "changed/target")
	b.ReportMetric(per(unchangedReq)/requestTarget, "unchanged/target")
	b.ReportMetric(float64(2*rows*b.N)/elapsed.Seconds(), "rows/s")
	for _, line := range []struct {
		name string
		v    float64
	}{{"reverse ETL: requests per 1,000 changed rows", per(changedReq)}, {"reverse ETL: requests per 1,000 unchanged rows", per(unchangedReq)}} {
		fmt.Printf("%-58s %12.2f %-14s target <= %-10g ratio %6.3f  %s\n", line.name, line.v, "req/1k", requestTarget, line.v/requestTarget, verdict(line.v <= requestTarget))
	}
	fmt.Printf("%-58s %12.0f rows/s (emulator in process, unthrottled)\n", "reverse ETL: rows per second", float64(2*rows*b.N)/elapsed.Seconds())
}

func verdict(ok bool) string {
	if ok {
		return "meets"
	}
	return "MISSES"
}
