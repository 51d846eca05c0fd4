#!/usr/bin/env python3
"""Benchmark ferrodis against redis-server with redis-benchmark.

Starts target/release/ferrodis-server and redis-server on free loopback
ports, runs each redis-benchmark test against both (50 clients, pipeline 1
and 16), alternating which server goes first in each round, and reports the
median requests/sec over the rounds with p50/p99 latencies from the CSV
output. Writes the table to docs/performance.md with a machine description.

A test whose command ferrodis does not implement shows "n/a (unimplemented)":
redis-benchmark prints "Error from server: ERR unknown command ..." and
stops, which is detected instead of crashing the tool.

    python3 tools/bench.py                 # full run (3 rounds), ~5-10 minutes
    python3 tools/bench.py --quick         # 1 round, fewer requests
    python3 tools/bench.py --tests ping_inline,set,get
"""

import argparse
import csv
import datetime
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FERRODIS = os.path.join(ROOT, "target", "release", "ferrodis-server")
DEFAULT_TESTS = [
    "ping_inline", "ping_mbulk", "set", "get", "incr", "lpush", "rpush", "lpop",
    "rpop", "sadd", "hset", "spop", "zadd", "zpopmin", "lrange_100", "mset",
]
# redis-benchmark's row titles for tests whose title is not just the name.
TITLES = {"lrange_100": "LRANGE_100 (first 100 elements)", "mset": "MSET (10 keys)"}
CLIENTS = 50
PIPELINES = [1, 16]
RUN_TIMEOUT_S = 120


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProc:
    """A server process on a free port in its own temporary directory."""

    def __init__(self, name, binary):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="ferrodis-bench-%s-" % name)
        self.port = free_port()
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--dir", self.dir,
                "--logfile", os.path.join(self.dir, "server.log")]
        # Startup errors (a bad directive) go to stderr, before the log file opens.
        self.stderr = open(os.path.join(self.dir, "stderr.txt"), "w")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.stderr)
        self.wait_ready()

    def wait_ready(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                with open(os.path.join(self.dir, "stderr.txt")) as f:
                    sys.exit("%s exited at startup:\n%s" % (self.name, f.read()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        sys.exit("%s did not start on port %d" % (self.name, self.port))

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.alive():
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Result:
    """One redis-benchmark run: numbers, or why there are none."""

    def __init__(self, rps=None, p50=None, p99=None, failure=None):
        self.rps, self.p50, self.p99, self.failure = rps, p50, p99, failure


def row_for(test, rows):
    want = TITLES.get(test, test.upper())
    for r in rows:
        if r.get("test") == want:
            return r
    return None


def run_benchmark(port, test, pipeline, requests):
    cmd = ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port), "-c", str(CLIENTS),
           "-n", str(requests), "-P", str(pipeline), "-t", test, "--csv"]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                           text=True, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return Result(failure="timeout")
    output = p.stdout + p.stderr
    if "unknown command" in output:
        return Result(failure="unimplemented")
    if "Error from server" in output or p.returncode != 0:
        return Result(failure="error")
    row = row_for(test, list(csv.DictReader(io.StringIO(p.stdout))))
    if row is None:
        return Result(failure="no output")
    return Result(float(row["rps"]), float(row["p50_latency_ms"]), float(row["p99_latency_ms"]))


class Cell:
    """All rounds of one (server, test, pipeline)."""

    def __init__(self):
        self.results = []

    def failure(self):
        for r in self.results:
            if r.failure:
                return r.failure
        return None

    def median(self, attr):
        return statistics.median(getattr(r, attr) for r in self.results)

    def rps_text(self):
        f = self.failure()
        return "n/a (%s)" % f if f else "%.0f" % self.median("rps")

    def latency_text(self):
        if self.failure():
            return "n/a"
        return "%.3f / %.3f" % (self.median("p50"), self.median("p99"))


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def machine_description(load_before):
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    redis_version = subprocess.run(["redis-server", "--version"], capture_output=True,
                                   text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    return [
        ("date", datetime.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("nproc", str(os.cpu_count())),
        # Other work on the machine skews the figures; this shows how much.
        ("load average (1/5/15 min)", "%s before, %s after" % (load_before, load_average())),
        ("CPU", cpu),
        ("kernel", os.uname().release),
        ("redis-server", redis_version),
        ("ferrodis commit", commit),
    ]


def render(cells, tests, args, elapsed):
    lines = []
    header = ("| test | pipeline | ferrodis req/s | redis req/s | ratio "
              "| ferrodis p50 / p99 ms | redis p50 / p99 ms |")
    lines.append(header)
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    for pipeline in PIPELINES:
        for test in tests:
            f = cells[("ferrodis", test, pipeline)]
            r = cells[("redis", test, pipeline)]
            ratio = "n/a"
            if not f.failure() and not r.failure():
                ratio = "%.2f" % (f.median("rps") / r.median("rps"))
            lines.append("| %s | %d | %s | %s | %s | %s | %s |" % (
                test.upper(), pipeline, f.rps_text(), r.rps_text(), ratio,
                f.latency_text(), r.latency_text()))
    settings = ("redis-benchmark -c %d -n %d (pipeline 1) / %d (pipeline 16), "
                "median of %d round(s), servers alternating first; %.0f s in all"
                % (CLIENTS, args.requests, args.requests * args.pipeline_factor,
                   args.rounds, elapsed))
    return lines, settings


def write_doc(path, machine, lines, settings):
    out = ["# Performance", "",
           "Written by `make bench` (`python3 tools/bench.py`); do not edit by hand.",
           "Both servers run on loopback on the same machine as redis-benchmark,",
           "with persistence off. `ratio` is ferrodis / redis requests per second.",
           "On a shared machine these figures swing with the load; instruction",
           "counts per request (`tools/callgrind_bench.sh`) do not: see docs/profile.md.",
           ""]
    out += ["| machine | |", "|---|---|"]
    out += ["| %s | %s |" % kv for kv in machine]
    out += ["", settings, ""] + lines + [""]
    with open(path, "w") as f:
        f.write("\n".join(out))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="1 round, 10x fewer requests")
    ap.add_argument("--tests", help="comma-separated redis-benchmark tests (default: all)")
    ap.add_argument("--rounds", type=int, help="rounds (default 3, 1 with --quick)")
    ap.add_argument("--requests", type=int,
                    help="requests per run at pipeline 1 (default 100000, 10000 with --quick)")
    ap.add_argument("--output", default=os.path.join(ROOT, "docs", "performance.md"),
                    help="markdown file to write ('-' for none)")
    args = ap.parse_args()
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.requests = args.requests or (10000 if args.quick else 100000)
    # Pipelined runs are ~10x faster; give them more requests to measure.
    args.pipeline_factor = 5
    return args


def main():
    args = parse_args()
    tests = args.tests.split(",") if args.tests else DEFAULT_TESTS
    for tool in ("redis-benchmark", "redis-server"):
        if shutil.which(tool) is None:
            sys.exit("%s is not installed (apt-get install redis-server redis-tools)" % tool)
    if not os.path.exists(FERRODIS):
        sys.exit("%s is missing: run `cargo build --release` first" % FERRODIS)
    servers = {"ferrodis": ServerProc("ferrodis", FERRODIS),
               "redis": ServerProc("redis", "redis-server")}
    cells = {(s, t, p): Cell() for s in servers for t in tests for p in PIPELINES}
    load_before = load_average()
    start = time.time()
    try:
        for rnd in range(args.rounds):
            order = ["ferrodis", "redis"] if rnd % 2 == 0 else ["redis", "ferrodis"]
            print("round %d/%d (%s first)" % (rnd + 1, args.rounds, order[0]), flush=True)
            for pipeline in PIPELINES:
                n = args.requests * (args.pipeline_factor if pipeline > 1 else 1)
                for test in tests:
                    for name in order:
                        srv = servers[name]
                        if not srv.alive():
                            sys.exit("%s died during %s; see %s/server.log"
                                     % (name, test, srv.dir))
                        res = run_benchmark(srv.port, test, pipeline, n)
                        cells[(name, test, pipeline)].results.append(res)
                    f = cells[("ferrodis", test, pipeline)].results[-1]
                    r = cells[("redis", test, pipeline)].results[-1]
                    show = lambda x: x.failure or "%.0f" % x.rps
                    print("  P%-2d %-12s ferrodis %-16s redis %s"
                          % (pipeline, test, show(f), show(r)), flush=True)
    finally:
        for s in servers.values():
            s.stop()
    lines, settings = render(cells, tests, args, time.time() - start)
    machine = machine_description(load_before)
    print()
    for k, v in machine:
        print("%-26s %s" % (k, v))
    print(settings)
    print("\n".join(lines))
    if args.output != "-":
        write_doc(args.output, machine, lines, settings)
        print("\nwrote %s" % os.path.relpath(args.output, os.getcwd()))


if __name__ == "__main__":
    main()
