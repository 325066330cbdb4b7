# The checksum database does not list the CloudQuery modules; go.sum (committed) pins them instead.
export GONOSUMDB := github.com/cloudquery,github.com/aws/aws-sdk-go-v2/service/licensemanager,github.com/aws/aws-sdk-go-v2/service/marketplacemetering
export CQ_TELEMETRY_LEVEL := none

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo development)
LDFLAGS := -X github.com/hubspot-cq/cq-plugin-hubspot/plugin.Version=$(VERSION)
GEN_DIR := $(shell mktemp -d 2>/dev/null || echo /tmp/hubspot-gen)

.PHONY: build test test-faults test-package lint gen check-gen bench bench-1m demo check-duckdb check-cli clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/hubspot .

## test: lint, stale generated files, every test with the race detector, then the fault matrix.
test: lint check-gen
	$(GO) test -race -count=1 -short -timeout 20m ./...
	$(MAKE) test-faults

## test-faults: the real `hubspot sync` process under every fault, alone and combined, and kill -9
## with an immediate rerun (skipped by -short). Its cases wait on backoffs more than they compute,
## so they run side by side.
test-faults:
	$(GO) test -count=1 -run TestFaultMatrix -parallel 12 -timeout 20m ./test/e2e/

## test-package: `hubspot package -m test v1.2.3` into a temp dir, then the packaged binary must
## report v1.2.3. It builds every release target (minutes), so `make test` leaves it out.
test-package:
	HUBSPOT_TEST_PACKAGE=1 $(GO) test -count=1 -run TestPackagedVersion -timeout 30m ./test/e2e/

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

## lint: vet, staticcheck, gofmt, and go.mod/go.sum exactly as `go mod tidy` would leave them.
lint:
	@$(GO) mod tidy -diff || { echo "go.mod or go.sum is not tidy: run go mod tidy (with GONOSUMDB as set above)"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

## gen: the spec's JSON schema, the configuration reference and the table docs.
gen:
	$(GO) run ./client/spec/gen client/spec/schema.json docs/configuration.md
	rm -rf docs/tables && $(GO) run . doc --format markdown docs/tables

## check-gen: fails when a committed generated file differs from what gen makes.
check-gen:
	$(GO) run ./client/spec/gen $(GEN_DIR)/schema.json $(GEN_DIR)/configuration.md
	$(GO) run . doc --format markdown $(GEN_DIR)/tables
	@diff -u client/spec/schema.json $(GEN_DIR)/schema.json || { echo "client/spec/schema.json is stale: run make gen"; exit 1; }
	@diff -u docs/configuration.md $(GEN_DIR)/configuration.md || { echo "docs/configuration.md is stale: run make gen"; exit 1; }
	@diff -ru docs/tables $(GEN_DIR)/tables || { echo "docs/tables is stale: run make gen"; exit 1; }
	@rm -rf $(GEN_DIR)

## bench: performance figures against the emulator, with the ratio to each target; one package at
## a time (-p 1), so that no benchmark shares the machine with another. About half an hour.
bench:
	$(GO) test -p 1 -run '^$$' -bench . -benchtime 1x -timeout 60m ./test/bench/ ./internal/reverse/ ./test/e2e/

## bench-1m: the headline, 1,000,000 contacts backfilled at 190 requests per 10 s (about ten minutes).
bench-1m:
	HUBSPOT_BENCH_1M=1 $(GO) test -run '^$$' -bench Backfill1M -benchtime 1x -timeout 40m ./test/bench/

demo:
	$(GO) run -ldflags "$(LDFLAGS)" . demo

## check-duckdb: DuckDB reads the demo's Parquet output with the right types (needs Node.js and npm).
check-duckdb:
	@test -d demo-output/parquet || { echo "run make demo first"; exit 1; }
	cd test/duckdb && npm install --no-save --no-package-lock @duckdb/node-api@1.5.6-r.1 >/dev/null
	node test/duckdb/check.mjs demo-output/parquet

## check-cli: by hand, under the real CloudQuery CLI: SQLite and PostgreSQL converge on HubSpot's
## live set after merges, association changes, updates, archives and list membership changes,
## with filters off and on and with a list gate.
## Needs CQ, CQ_SQLITE, CQ_POSTGRES (binaries) and PG_URL; test/cli/README.md says how to get them.
check-cli:
	CQ="$(CQ)" CQ_SQLITE="$(CQ_SQLITE)" CQ_POSTGRES="$(CQ_POSTGRES)" PG_URL="$(PG_URL)" test/cli/converge.sh

clean:
	rm -rf bin demo-output
