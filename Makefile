# ferrodis: build, run, test and benchmark.
CARGO ?= cargo

.PHONY: all build run test bench fuzz fuzz-diff fmt clippy clean

all: build

build:
	$(CARGO) build --release

run: build
	./target/release/ferrodis-server

test:
	$(CARGO) build --release
	./tools/test.sh

# Differential command fuzzer against redis-server (docs/testing.md).
fuzz-diff: build
	python3 tools/diff_fuzz.py --seed 1 --count 2000

# BENCH_QUICK=1: one-round smoke run that prints and writes nothing.
bench: build
	python3 tools/bench.py $(if $(BENCH_QUICK),--quick)

# cargo-fuzz targets for the RDB loader and RESTORE payloads (tools/fuzz,
# nightly + cargo-fuzz): FUZZ_SECS per target, one job each. Not part of
# `make test`; see docs/testing.md.
FUZZ_SECS ?= 60
FUZZ_TARGETS ?= rdb_load restore_payload rdb_roundtrip
fuzz:
	@command -v cargo-fuzz >/dev/null || { echo "cargo install cargo-fuzz" >&2; exit 1; }
	cd tools/fuzz && for t in $(FUZZ_TARGETS); do \
		mkdir -p corpus/$$t artifacts/$$t && \
		cargo +nightly fuzz run -s none --fuzz-dir . $$t corpus/$$t seeds/$$t -- \
			-max_total_time=$(FUZZ_SECS) -rss_limit_mb=2048 -timeout=10 \
			-artifact_prefix=artifacts/$$t/ -print_final_stats=1 || exit 1; \
	done

fmt:
	$(CARGO) fmt --all

clippy:
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	$(CARGO) clean
