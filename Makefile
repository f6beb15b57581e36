# RustyDB build, run and test targets. `make run` starts a dev server on
# ./data; `make test` is what CI runs.
GO      ?= go
BIN     := bin/rusty-db-server
CLI     := bin/rusty-db-cli
PKGS    := ./...

.PHONY: all build cli run test test-clients test-tools test-short crashtest fuzz slt bench bench-asm bench-pgbench bench-sqlite bench-tpch bench-load lint fmt clean

all: build

build: cli
	$(GO) build -o $(BIN) ./cmd/rusty-db-server

# The psql-like client, over the wire or --embedded on a data directory.
cli:
	$(GO) build -o $(CLI) ./cmd/rusty-db-cli

# Dev mode on embedded defaults: data in ./data, 127.0.0.1 only,
# PostgreSQL protocol on 5432, REST on 8080, metrics on 9090.
run: build
	./$(BIN) --data-dir ./data

# Unit, integration and end-to-end tests (the e2e tests build and start the
# real server binary). Kernels also run with -tags noasm once asm/ exists.
test: lint test-tools
	$(GO) test -count=1 -timeout 20m $(PKGS)
	@if [ -d asm ]; then $(GO) test -count=1 -tags noasm ./asm/...; fi

# The shared sqllogictest corpus (../shared/slt), embedded, with a per-file summary.
slt:
	$(GO) run ./slt/cmd/rusty-slt -timeout 5s $(SLT_FLAGS) ../shared/slt

# Client libraries against a started server: pgJDBC and node-postgres
# programs in clients/; each skips with a message when its runtime or
# driver is missing. Not part of make test (needs Java, npm and network).
test-clients:
	scripts/test-clients.sh

# psql, promtool, curl and jq, installed with apt-get when missing (tests
# that need one skip without it).
test-tools:
	@.ci/install-tools

test-short:
	$(GO) test -short -count=1 $(PKGS)

# The row-store crash-safety test at length: 50 cycles of concurrent writers,
# kill -9 and a verified restart (make test runs 3).
crashtest:
	RUSTYDB_CRASH_CYCLES=50 $(GO) test -run TestCrashCycles -count=1 -timeout 30m -v ./cmd/rusty-db-server/

# Fuzz the parser, the row decoder and the protocol message handling, a
# minute each (FUZZTIME=10m for longer); make test runs their seed corpora.
FUZZTIME ?= 60s
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime $(FUZZTIME) ./sql/
	$(GO) test -run '^$$' -fuzz FuzzDecodeRow -fuzztime $(FUZZTIME) ./row/
	$(GO) test -run '^$$' -fuzz FuzzFrontendMessages -fuzztime $(FUZZTIME) ./api/

bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)

# SIMD kernels per level and size against a plain Go loop and a copy baseline.
bench-asm:
	$(GO) test -run '^$$' -bench . -benchtime 200ms -count 5 ./asm/

# pgbench against a throwaway PostgreSQL 15, same durability, one table of figures.
bench-pgbench:
	benchmarks/pgbench/run.sh

# The row-store issue's embedded workloads against SQLite (WAL, synchronous=FULL),
# in process through database/sql; a separate module so cgo stays out of ./...
bench-sqlite:
	cd benchmarks/peers/sqlite && $(GO) run .

# TPC-H on embedded RustyDB and DuckDB (duckdb-go, cgo) on the same tpchgen data,
# in process; TPCH_FLAGS sets -sf, -queries, -runs, -threads, -workers, -dir, -timeout.
bench-tpch:
	cd benchmarks/peers/duckdb && $(GO) run . $(TPCH_FLAGS)

# TPC-H lineitem COPY FROM file, export to Parquet and read back: RustyDB, DuckDB and a
# throwaway PostgreSQL 15 in one table. SF (default 1) and TPCH_DIR (default /tmp/tpch-sf1,
# generated when missing) from the environment.
bench-load:
	benchmarks/load/run.sh

lint:
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet $(PKGS)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
