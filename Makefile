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

bench: build
	python3 tools/bench.py

fmt:
	$(CARGO) fmt --all

clippy:
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	$(CARGO) clean
