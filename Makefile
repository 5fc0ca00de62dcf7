# Caravan. `make run` builds the UI and the binary and starts the server on SQLite; `make test` runs
# every test (Go on SQLite, and on PostgreSQL when CARAVAN_TEST_POSTGRES is set; the UI's type check
# and unit tests; the end-to-end test in headless Chromium).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

GO      ?= go
BIN     := bin/caravan
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/caravan-crm/caravan/internal/app.Version=$(VERSION)
UI_DEPS := frontend/node_modules/.package-lock.json
UI_SRC  := $(shell find frontend/src frontend/index.html frontend/vite.config.ts frontend/package.json -type f 2>/dev/null)

.PHONY: run build ui api-types test test-go test-ui e2e screenshots lint bench bench-go fuzz clean

run: build
	./$(BIN) serve

build: ui
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/caravan

# npm ci only when the lock file changed since the last install.
$(UI_DEPS): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

ui: api-types frontend/dist/index.html

# The UI's API types come from the server's OpenAPI document: a changed route or field breaks the
# type check instead of the browser. A Go test fails while the checked-in copy is stale.
api-types: $(UI_DEPS)
	$(GO) run ./cmd/caravan openapi > frontend/openapi.json.tmp && mv frontend/openapi.json.tmp frontend/openapi.json
	cd frontend && npm run --silent gen:api

frontend/dist/index.html: $(UI_DEPS) $(UI_SRC)
	cd frontend && npm run build

test: lint test-go test-ui e2e

PG_NOTE := NOTE: CARAVAN_TEST_POSTGRES is not set: every store test runs on SQLite only and the PostgreSQL half is skipped; set it (postgres://…) to run them on PostgreSQL too
test-go:
	@if [ -z "$${CARAVAN_TEST_POSTGRES:-}" ]; then echo "$(PG_NOTE)"; fi
	$(GO) test -race -count=1 ./...
	@if [ -z "$${CARAVAN_TEST_POSTGRES:-}" ]; then echo "$(PG_NOTE)"; fi

test-ui: $(UI_DEPS)
	cd frontend && npm run typecheck && npm test

e2e: build
	frontend/e2e/ensure-chromium.sh
	cd frontend && CARAVAN_BIN=$(CURDIR)/$(BIN) npm run e2e

# The README's screenshots (docs/screenshots/*.png): a small demo organization, the main pages in Chinese
# and English at 1440 px and two on a 390 px phone. Not part of `make test`. Needs Chromium and a Chinese
# font (Debian: fonts-noto-cjk), or the Chinese pages show boxes.
screenshots: build
	frontend/e2e/ensure-chromium.sh
	cd frontend && CARAVAN_BIN=$(CURDIR)/$(BIN) node e2e/screenshots.mjs --out $(CURDIR)/docs/screenshots

lint: $(UI_DEPS)
	@out=$$(gofmt -l cmd internal migrations frontend/embed.go); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	cd frontend && npm run typecheck

# Benchmarks. `make bench` runs `caravan bench`: every hot path against a baseline in the same run,
# medians of interleaved runs, the targets of the performance issue; it writes the table into
# BENCHMARKS.md (PostgreSQL figures too when CARAVAN_BENCH_POSTGRES or CARAVAN_TEST_POSTGRES is set).
# BENCH_FLAGS=--quick gives a run of a few minutes. `make bench-go` runs the packages' own
# `go test -bench` benchmarks, medians of 6 runs by benchstat.
BENCH_FLAGS ?=
BENCHSTAT := $(GO) run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
bench:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/caravan
	./$(BIN) bench $(BENCH_FLAGS) --markdown BENCHMARKS.md

bench-go:
	$(GO) test -run='^$$' -bench=. -benchmem -count=6 ./... | tee bench.out
	$(BENCHSTAT) bench.out

# A short run of every fuzz target (go test -fuzz takes one target at a time).
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg; \
	  done; \
	done

clean:
	rm -rf bin frontend/dist/assets frontend/dist/index.html
