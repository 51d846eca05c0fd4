#!/usr/bin/env bash
# `make test`: unit tests, then the integration suite. Integration tests start
# real servers on a 2-core machine; a test that fails is run once more on its
# own, and the build fails only if it fails again. The first failure stays in
# the log (look for "retrying"), so a flaky test is visible, not hidden.
set -uo pipefail
cd "$(dirname "$0")/.."

# tools/bench.py's parsing and rendering on canned redis-benchmark output.
if command -v python3 >/dev/null; then
  python3 tools/bench_test.py || exit 1
else
  echo "python3 missing: skipping tools/bench_test.py"
fi

cargo test --release --lib --bins -- --test-threads=4 || exit 1

# The differential command fuzzer, one fixed seed (about a second); skipped
# when redis-server is not installed, like the differential tests.
if command -v redis-server >/dev/null; then
  python3 tools/diff_fuzz.py --seed 1 --count 2000 || exit 1
else
  echo "SKIP diff_fuzz: redis-server is not installed"
fi

log=target/it-first-run.log
cargo test --release --test it -- --test-threads=4 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] && exit 0

failed=$(sed -n '/^failures:$/,/^test result/p' "$log" | grep -E '^    [a-z_:0-9]+$' | sed 's/^ *//' | sort -u)
if [ -z "$failed" ]; then
  echo "integration suite failed without a list of failed tests"
  exit 1
fi
echo "retrying failed integration tests once: $failed"
# shellcheck disable=SC2086
cargo test --release --test it -- --exact --test-threads=1 $failed
