# ferrodis: build, run, test and benchmark.
CARGO ?= cargo

.PHONY: all build run test bench fmt clippy clean fuzz-diff

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

bench: build
	python3 tools/bench.py

fmt:
	$(CARGO) fmt --all

clippy:
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	$(CARGO) clean
