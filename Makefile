# baoxue — common tasks. `make test` is what CI runs (through .ci/run).
GO           ?= go
PKGS         := ./...
FUZZTIME     ?= 5s
FUZZMINIMIZE ?= 50x

.PHONY: build test vet fmt-check unit cgo-off fuzz bench demo clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/baoxue ./cmd/baoxue

# The README's test command: formatting, vet, the race-enabled test suite, pure-Go builds (this
# system, Windows, macOS), and a short run of every fuzz target.
test: fmt-check vet unit cgo-off fuzz

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

unit:
	$(GO) test -race -count=1 -timeout 30m $(PKGS)
	# The kill-during-import test at full size (1,000,000 rows) is too slow under -race; run it plainly.
	$(GO) test -count=1 -timeout 10m -run 'TestImportKilled$$' ./internal/ingest/

# Pure Go for this system and for the county PC (Windows) and a Mac: a file that builds only on
# Linux (a syscall Windows or macOS lacks) fails here, not on the official's machine.
cgo-off:
	CGO_ENABLED=0 $(GO) build ./...
	GOOS=windows CGO_ENABLED=0 $(GO) build ./...
	GOOS=darwin CGO_ENABLED=0 $(GO) build ./...
	GOOS=windows $(GO) vet ./...

# Each fuzz target runs for FUZZTIME on top of its seed corpus (which the unit run already covers).
# Minimizing each new interesting input is cut to FUZZMINIMIZE runs: with the default (60 s), a
# target that writes a file per input (FuzzParallelCSV) spent its 5 s minimizing the first one
# (6 inputs run, 0 new; with 20x: 2,320 run, 48 new in 20 s).
# A failure fails the build when it is a finding: the fuzzer wrote a failing input (to the
# package's testdata/fuzz; commit it with the fix) or an input of the corpus failed. Any other
# failure (the fuzz engine missing its own deadline on an overloaded machine) is printed and
# tolerated, after the seed corpus is replayed once more.
fuzz:
	@set -e; for pkg in $$($(GO) list $(PKGS)); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$f"; \
			if ! $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINIMIZE) $$pkg >/tmp/baoxue-fuzz.log 2>&1; then \
				cat /tmp/baoxue-fuzz.log; \
				if grep -q -e 'Failing input written to' -e 'failure while testing seed corpus entry' /tmp/baoxue-fuzz.log; then exit 1; fi; \
				$(GO) test -count=1 -run "^$$f$$" $$pkg || exit 1; \
				echo "fuzz $$f: no failing input; the failure above is the fuzz engine's, tolerated"; \
			fi; \
		done; \
	done

# Go micro-benchmarks of the hot paths, then the comparison against DuckDB and PostgreSQL on a
# generated province (bench/ is its own module: DuckDB needs cgo). BENCH_SCALE=county for a quick run.
BENCH_SCALE ?= province
bench:
	$(GO) test -run '^$$' -bench . -benchmem -cpu 1 ./internal/idcard/ ./internal/normalize/ ./internal/pinyin/ ./internal/match/
	cd bench && $(GO) run . --scale $(BENCH_SCALE) --runs 3 --out ../docs/BENCHMARKS.md

demo:
	$(GO) run ./cmd/baoxue demo

clean:
	rm -rf bin
