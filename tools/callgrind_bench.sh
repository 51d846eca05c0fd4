#!/usr/bin/env bash
# Instructions per request, ferrodis against redis-server, under callgrind.
#
# Wall-clock req/s are noisy on a shared machine; instruction counts are not.
# Each server runs under `valgrind --tool=callgrind`; before each
# redis-benchmark test the counters are zeroed (callgrind_control -z) and
# after it they are dumped (callgrind_control -d), so each test's total Ir
# covers exactly the server's work for that test (accepting the clients,
# reading, parsing, running, replying, and the idle loop meanwhile). Ir per
# request = that total / requests.
#
# Usage: tools/callgrind_bench.sh [-n requests] [-P pipeline] [-c clients]
#            [-t test,test,...] [-s ferrodis|redis|both] [-p port-base] [-k dir]
#            [-d value-size] [-r keyspace] [-f keys] [-C] [-w warm-up requests]
#   -k dir  keep the callgrind dumps in dir (for callgrind_annotate)
#   -f keys fill the server with that many keys first (DEBUG POPULATE keys
#           key 3, outside the measured window), e.g. -f 1000000 with -r
#           1000000 to measure a big keyspace
#   -d, -r  passed to redis-benchmark (value size, random keyspace size)
#   -C      simulate the caches too (--cache-sim=yes): the dumps then also
#           hold D1/LL read and write misses (callgrind_annotate shows them)
#   -w n    run n requests of each test uncounted first (e.g. to grow ZADD's
#           zset with -r before measuring inserts into a big one)
# Needs valgrind, redis-server, redis-benchmark, redis-cli and a release build
# (or FERRODIS_BIN=path to compare another ferrodis build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FERRODIS="${FERRODIS_BIN:-$ROOT/target/release/ferrodis-server}"
N=20000
P=16
C=50
TESTS="ping_mbulk,set,get,incr,sadd,hset,spop,zadd,zpopmin,mset"
WHICH=both
PORT_BASE=7850
KEEP=""
WARM=0
BENCH_EXTRA=()
VG_EXTRA=()
FILL=0

while getopts "n:P:c:t:s:p:k:d:r:f:w:Ch" opt; do
    case $opt in
        n) N=$OPTARG ;;
        P) P=$OPTARG ;;
        c) C=$OPTARG ;;
        t) TESTS=$OPTARG ;;
        s) WHICH=$OPTARG ;;
        p) PORT_BASE=$OPTARG ;;
        k) KEEP=$OPTARG ;;
        d) BENCH_EXTRA+=(-d "$OPTARG") ;;
        r) BENCH_EXTRA+=(-r "$OPTARG") ;;
        f) FILL=$OPTARG ;;
        C) VG_EXTRA+=(--cache-sim=yes) ;;
        w) WARM=$OPTARG ;;
        *) sed -n '2,25p' "$0"; exit 2 ;;
    esac
done

for tool in valgrind callgrind_control redis-server redis-benchmark redis-cli; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }
done
[ -x "$FERRODIS" ] || { echo "$FERRODIS is missing: cargo build --release" >&2; exit 1; }

declare -A RESULT

# run_server NAME BINARY PORT: starts BINARY under callgrind, runs every test,
# fills RESULT[NAME,test] with Ir per request.
run_server() {
    local name=$1 bin=$2 port=$3
    local dir
    dir=$(mktemp -d "/tmp/cgbench-$name-XXXXXX")
    valgrind --tool=callgrind ${VG_EXTRA[@]+"${VG_EXTRA[@]}"} --callgrind-out-file="$dir/cg.out" \
        "$bin" --port "$port" --bind 127.0.0.1 --save "" --appendonly no \
        --dir "$dir" --logfile "$dir/server.log" >"$dir/valgrind.txt" 2>&1 &
    local pid=$!
    local i
    for i in $(seq 1 300); do
        if redis-cli -p "$port" ping 2>/dev/null | grep -q PONG; then break; fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$name exited at startup:" >&2; cat "$dir/valgrind.txt" >&2; exit 1
        fi
        sleep 0.1
    done
    if [ "$FILL" -gt 0 ]; then
        redis-cli -p "$port" debug populate "$FILL" key 3 >/dev/null
    fi
    local t dumps=0
    for t in ${TESTS//,/ }; do
        if [ "$WARM" -gt 0 ]; then
            redis-benchmark -h 127.0.0.1 -p "$port" -c "$C" -n "$WARM" -P "$P" -t "$t" \
                ${BENCH_EXTRA[@]+"${BENCH_EXTRA[@]}"} -q >/dev/null 2>&1 || true
        fi
        callgrind_control -z "$pid" >/dev/null 2>&1
        local out
        out=$(redis-benchmark -h 127.0.0.1 -p "$port" -c "$C" -n "$N" -P "$P" -t "$t" ${BENCH_EXTRA[@]+"${BENCH_EXTRA[@]}"} -q 2>&1 || true)
        callgrind_control -d "$pid" >/dev/null 2>&1
        dumps=$((dumps + 1))
        local f="$dir/cg.out.$dumps"
        if echo "$out" | grep -q "unknown command\|Error from server"; then
            RESULT[$name,$t]="n/a"
            continue
        fi
        local ir
        ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$f")
        RESULT[$name,$t]=$(awk -v ir="$ir" -v n="$N" 'BEGIN {printf "%.0f", ir / n}')
    done
    redis-cli -p "$port" shutdown nosave >/dev/null 2>&1 || kill "$pid"
    wait "$pid" || true
    if [ -n "$KEEP" ]; then
        mkdir -p "$KEEP"
        local k=0
        for t in ${TESTS//,/ }; do
            k=$((k + 1))
            [ -f "$dir/cg.out.$k" ] && cp "$dir/cg.out.$k" "$KEEP/$name.$t.P$P.out"
        done
    fi
    rm -rf "$dir"
}

case $WHICH in
    ferrodis) run_server ferrodis "$FERRODIS" "$PORT_BASE" ;;
    redis) run_server redis redis-server $((PORT_BASE + 1)) ;;
    both)
        run_server ferrodis "$FERRODIS" "$PORT_BASE"
        run_server redis redis-server $((PORT_BASE + 1))
        ;;
    *) echo "-s takes ferrodis, redis or both" >&2; exit 2 ;;
esac

echo "callgrind Ir per request: redis-benchmark -n $N -P $P -c $C ${BENCH_EXTRA[*]+${BENCH_EXTRA[*]}} (after $WARM warm-up requests)$([ "$FILL" -gt 0 ] && echo " after DEBUG POPULATE $FILL")"
printf "| %-10s | %16s | %16s | %7s |\n" test "ferrodis Ir/req" "redis Ir/req" ratio
printf "|%s|%s|%s|%s|\n" "------------" "----------------:" "----------------:" "-------:"
for t in ${TESTS//,/ }; do
    f=${RESULT[ferrodis,$t]:--}
    r=${RESULT[redis,$t]:--}
    ratio=$(awk -v f="$f" -v r="$r" 'BEGIN {
        if (f ~ /^[0-9]+$/ && r ~ /^[0-9]+$/ && r > 0) printf "%.2f", f / r; else print "n/a" }')
    printf "| %-10s | %16s | %16s | %7s |\n" "${t^^}" "$f" "$r" "$ratio"
done
