# ferrodis: build, run, test and benchmark.
CARGO ?= cargo

.PHONY: all build run test bench fmt clippy clean

all: build

build:
	$(CARGO) build --release

run: build
	./target/release/ferrodis-server

test:
	$(CARGO) build --release
	./tools/test.sh

# BENCH_QUICK=1: one-round smoke run that prints and writes nothing.
bench: build
	python3 tools/bench.py $(if $(BENCH_QUICK),--quick)

fmt:
	$(CARGO) fmt --all

clippy:
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	$(CARGO) clean
