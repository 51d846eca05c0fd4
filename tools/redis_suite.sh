#!/usr/bin/env bash
# Runs units of Redis 7.0.15's own Tcl test suite with ferrodis-server
# standing in for redis-server (docs/redis-test-suite.md).
#
# The suite is Redis's code, so it never enters this repository: it is
# fetched from Debian's source package (the same 7.0.15 release Debian ships
# as redis-server) into a work directory outside the tree, with a private apt
# source list that leaves the machine's apt configuration alone.
#
# Usage: tools/redis_suite.sh [-d dir] [-p baseport] [-r] unit...
#   -d dir       work directory (default /tmp/redis-suite); kept between runs
#   -p baseport  first port the suite may use (default 21000; it uses 450)
#   -r           run real redis-server instead, as a control
#   unit         e.g. unit/type/list unit/querybuf integration/aof
# Prints one line per unit: ok / err / exception / skip counts. Logs go to
# dir/logs/<unit>.log. Needs tclsh, apt-get, the release build, and Debian's
# redis-server and redis-tools (for redis-cli, redis-benchmark,
# redis-check-aof).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=/tmp/redis-suite
BASEPORT=21000
REAL=0
while getopts "d:p:r" opt; do
    case $opt in
        d) DIR=$OPTARG ;;
        p) BASEPORT=$OPTARG ;;
        r) REAL=1 ;;
        *) sed -n '2,18p' "$0" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { sed -n '2,18p' "$0" >&2; exit 2; }

VERSION=7.0.15
# sha256 of redis_7.0.15.orig.tar.gz, the upstream release tarball.
ORIG_SHA256=4b1dc4ee6d622a09fff9c6777191209750fb5e5a725ef78ea012d6eef4c22982
SRC="$DIR/src/redis-$VERSION"

fetch_suite() {
    [ -d "$SRC/tests" ] && return
    local apt="$DIR/apt"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$DIR/src"
    cat >"$apt/src.list" <<'EOF'
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian bookworm main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian-security bookworm-security main
EOF
    local o=(-o "Dir::Etc::SourceList=$apt/src.list" -o Dir::Etc::SourceParts=/dev/null
             -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache")
    apt-get "${o[@]}" update >/dev/null
    # Any 7.0.15 Debian revision carries the same upstream tarball.
    local rev
    rev=$(apt-cache "${o[@]}" showsrc redis 2>/dev/null \
          | sed -n "s/^Version: \(5:$VERSION-.*\)/\1/p" | head -1)
    [ -n "$rev" ] || { echo "no redis $VERSION source package found" >&2; exit 1; }
    (cd "$DIR/src" && apt-get "${o[@]}" source --download-only "redis=$rev" >/dev/null 2>&1)
    echo "$ORIG_SHA256  $DIR/src/redis_$VERSION.orig.tar.gz" | sha256sum -c --quiet -
    tar -C "$DIR/src" -xzf "$DIR/src/redis_$VERSION.orig.tar.gz"
}

# A copy of tests/ whose src/ holds the binaries the suite runs.
make_harness() {
    local h=$1 server=$2
    if [ ! -d "$h/tests" ]; then
        mkdir -p "$h/src"
        cp -r "$SRC/tests" "$h/"
    fi
    for t in redis-cli redis-benchmark redis-check-aof redis-check-rdb; do
        ln -sf "/usr/bin/$t" "$h/src/$t"
    done
    ln -sf "$server" "$h/src/redis-server"
}

fetch_suite
if [ "$REAL" = 1 ]; then
    H="$DIR/real"
    make_harness "$H" /usr/bin/redis-server
else
    H="$DIR/ferrodis"
    [ -x "$ROOT/target/release/ferrodis-server" ] || { echo "build first: cargo build --release" >&2; exit 1; }
    make_harness "$H" "$ROOT/target/release/ferrodis-server"
fi

# Each unit runs in a PID namespace of its own when the machine allows it.
# The Tcl harness `kill -9`s every server pid it still lists on a TIMEOUT or
# an exception (force_kill_all_servers), including servers that had died
# long before; with pid_max 32768 pids recycle within minutes here, and such
# a stale SIGKILL once landed on a test server of another run (a server
# that had logged "Ready" vanished silently). In its own namespace the
# harness can only signal its own processes, and they all end with it.
ISOLATE=()
if unshare --pid --fork --mount-proc --kill-child true 2>/dev/null; then
    ISOLATE=(unshare --pid --fork --mount-proc --kill-child)
fi

mkdir -p "$DIR/logs"
status=0
for u in "$@"; do
    log="$DIR/logs/$(echo "$u" | tr / _).log"
    # --durable: a Tcl exception in one test does not end the unit;
    # --timeout: a test waiting for something ferrodis never sends ends.
    (cd "$H" && timeout 1200 ${ISOLATE[@]+"${ISOLATE[@]}"} tclsh tests/test_helper.tcl --single "$u" \
        --baseport "$BASEPORT" --portcount 450 --clients 1 --timeout 300 \
        --durable >"$log" 2>&1) || status=1
    plain=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
    printf '%-28s ok=%-4s err=%-4s exception=%-3s skip=%s\n' "$u" \
        "$(grep -c '^\[ok\]' <<<"$plain" || true)" "$(grep -c '^\[err\]' <<<"$plain" || true)" \
        "$(grep -c '^\[exception\]' <<<"$plain" || true)" \
        "$(grep -cE '^\[(ignore|skip)\]' <<<"$plain" || true)"
done
exit $status
