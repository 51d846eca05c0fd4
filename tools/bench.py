#!/usr/bin/env python3
"""Benchmark ferrodis against redis-server 7.0, side by side on loopback.

One run measures, for target/release/ferrodis-server and redis-server
started with the same settings (no persistence, io-threads 1, protected
mode off, each in its own temporary directory):

  default      redis-benchmark's default tests, 50 clients, -P 1 and -P 16
  sizes        SET/GET/LPUSH/LPOP/MSET with 1 KB values, SET/GET/LPUSH/LPOP with 100 KB
  keyspace     SET/GET/INCR/SADD/HSET/ZADD/MSET over 1M random keys (-r), prefilled
  memory       used_memory and RSS after loading 1M strings, a 1M-element
               hash/set/zset/list, 100k small hashes (fresh servers each)
  persistence  BGSAVE and BGREWRITEAOF with 1M keys: wall time, latest_fork_usec

Throughput sections alternate the servers (ferrodis first in odd rounds,
redis first in even ones) and report the median of the rounds, with p50 and
p99 from redis-benchmark's latency summary and p99.9 from its percentile
distribution. Servers are pinned to CPU 0 and redis-benchmark to CPU 1 when
taskset exists and there are two CPUs or more. A test ferrodis cannot run
shows "n/a (reason)", never a number.

    python3 tools/bench.py                   # full run, 5 rounds (make bench)
    python3 tools/bench.py --quick           # 1 round, few requests; prints only
    python3 tools/bench.py --only memory     # one section (comma-separated list)
    python3 tools/bench.py --self-test       # parsing and rendering checks, no servers

A full run writes docs/performance.json, the block between the markers in
docs/performance.md, and docs/performance.svg; --only updates its sections
and keeps the others.
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no tools/__pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_report  # noqa: E402
from bench_data import (Conn, RespError, datasets, fmt_count, load,  # noqa: E402
                        strings_batches)
from bench_parse import Result, info_int, parse_run, parse_sched  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FERRODIS = os.path.join(ROOT, "target", "release", "ferrodis-server")
SERVERS = ["ferrodis", "redis"]
SECTIONS = bench_report.SECTION_ORDER
# Identical for both servers: nothing persisted unless a section asks for it.
COMMON_ARGS = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--io-threads", "1", "--protected-mode", "no"]
DEFAULT_TESTS = [
    "ping_inline", "ping_mbulk", "set", "get", "incr", "lpush", "rpush", "lpop",
    "rpop", "sadd", "hset", "spop", "zadd", "zpopmin", "lrange_100", "lrange_300",
    "lrange_500", "lrange_600", "mset",
]
CLIENTS = 50
RUN_TIMEOUT_S = 300
KEYSPACE = 1000000


def title_of(test):
    """redis-benchmark's block title for a -t test name."""
    if test.startswith("lrange_"):
        n = test.split("_")[1]
        return "LRANGE_%s (first %s elements)" % (n, n)
    if test == "mset":
        return "MSET (10 keys)"
    return test.upper()


# ---------------------------------------------------------------- servers

def free_port():
    """Any free loopback port (tools/aof_bench.py and pubsub-style tools use it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class Ports:
    """Hands out free ports from base upwards (bench's range is 7450-7499)."""

    def __init__(self, base):
        self.next = base

    def take(self):
        for _ in range(200):
            p, self.next = self.next, self.next + 1
            if port_is_free(p):
                return p
        sys.exit("no free port near %d" % self.next)


class ServerProc:
    """A server on loopback in its own temporary directory, killed by stop()."""

    def __init__(self, name, binary, port, pin, extra=()):
        self.name, self.binary, self.port, self.pin = name, binary, port, pin
        self.extra = list(extra)
        self.dir = tempfile.mkdtemp(prefix="ferrodis-bench-%s-" % name)
        args = [binary, "--port", str(port)] + COMMON_ARGS + self.extra + [
            "--dir", self.dir, "--logfile", os.path.join(self.dir, "server.log")]
        # taskset execs the server, so the pid is the server's (for RSS).
        args = pin + args
        self.stderr = open(os.path.join(self.dir, "stderr.txt"), "w")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=self.stderr)
        self.wait_ready()

    def wait_ready(self):
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                with open(os.path.join(self.dir, "stderr.txt")) as f:
                    raise RuntimeError("%s exited at startup: %s" % (self.name, f.read()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("%s did not start on port %d" % (self.name, self.port))

    def alive(self):
        return self.proc.poll() is None

    def rss(self):
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return None

    def sched(self):
        """(CPU ns, voluntary context switches) of the server's main thread,
        the one running the event loop, or None."""
        try:
            with open("/proc/%d/schedstat" % self.proc.pid) as f:
                schedstat = f.read()
            with open("/proc/%d/status" % self.proc.pid) as f:
                status = f.read()
        except OSError:
            return None
        return parse_sched(schedstat, status)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.stderr.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Pair:
    """ferrodis and redis-server with the same settings; always stopped in finally."""

    def __init__(self, ctx, extra=()):
        self.ctx, self.extra, self.servers = ctx, list(extra), {}
        try:
            for name in SERVERS:
                self.start(name)
        except BaseException:
            self.stop()
            raise

    def start(self, name):
        binary = FERRODIS if name == "ferrodis" else "redis-server"
        self.servers[name] = ServerProc(name, binary, self.ctx.ports.take(),
                                        self.ctx.server_pin, self.extra)

    def __getitem__(self, name):
        return self.servers[name]

    def ensure_alive(self, name):
        """Restarts a server that died; returns False if it had died."""
        if self.servers[name].alive():
            return True
        print("  %s died; log in %s (kept); restarting" % (name, self.servers[name].dir))
        self.servers[name].stderr.close()
        self.start(name)
        return False

    def stop(self):
        for s in self.servers.values():
            s.stop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------- context

class Context:
    def __init__(self, args):
        self.args = args
        self.ports = Ports(args.base_port)
        pin = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
        self.server_pin = ["taskset", "-c", "0"] if pin else []
        self.bench_pin = ["taskset", "-c", "1"] if pin else []

    def pin_text(self):
        if not self.server_pin:
            return "not pinned (taskset missing or a single CPU)"
        return ("both servers pinned to CPU 0 (`taskset -c 0`, forked children too), "
                "redis-benchmark to CPU 1 (`taskset -c 1`)")


# ---------------------------------------------------------------- throughput sections

def case(test, pipeline, options, requests):
    return {"test": test, "pipeline": pipeline, "options": options,
            "requests": max(int(requests), CLIENTS)}


def cases_for(section, n):
    """The redis-benchmark runs of a section; n is requests at -P 1 for cheap tests."""
    out = []
    if section == "default":
        for p in (1, 16):
            for t in DEFAULT_TESTS:
                req = n * (5 if p > 1 else 1)
                if t.startswith("lrange_"):
                    # Replies of 300-600 elements: fewer requests for the same time.
                    req = req * 100 // int(t.split("_")[1])
                out.append(case(t, p, [], req))
    elif section == "sizes":
        # -d sizes the value of SET/GET/LPUSH/LPOP and MSET's ten values;
        # the pushed list is popped by LPOP right after, so memory stays bounded.
        for size, tests, div in ((1024, ["set", "get", "lpush", "lpop", "mset"], 1),
                                 (102400, ["set", "get", "lpush", "lpop"], 40)):
            for p in (1, 16):
                for t in tests:
                    out.append(case(t, p, ["-d", str(size)], n // div * (2 if p > 1 else 1)))
    elif section == "keyspace":
        for p in (1, 16):
            for t in ["set", "get", "incr", "sadd", "hset", "zadd", "mset"]:
                out.append(case(t, p, ["-r", str(KEYSPACE)], n * (5 if p > 1 else 1)))
    return out


def run_benchmark(port, test, pipeline, requests, options=(), pin=()):
    """One redis-benchmark test against 127.0.0.1:port (tools/aof_bench.py uses it too)."""
    cmd = list(pin) + ["redis-benchmark", "-h", "127.0.0.1", "-p", str(port),
                       "-c", str(CLIENTS), "-n", str(requests),
                       "-P", str(pipeline), "-t", test] + list(options)
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           errors="replace", timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return Result(failure="timeout")
    return parse_run(p.stdout + p.stderr, title_of(test), p.returncode)


def run_case(ctx, server, c):
    """One case against one server, with the server thread's CPU time and
    sleeps per request taken from /proc around the run."""
    before = server.sched()
    res = run_benchmark(server.port, c["test"], c["pipeline"], c["requests"], c["options"],
                        ctx.bench_pin)
    after = server.sched()
    if before and after and not res.failure:
        res.cpu_us = (after[0] - before[0]) / 1000.0 / c["requests"]
        res.sleeps = (after[1] - before[1]) / c["requests"]
    return res


def combine(results):
    """Median over rounds; the first failure wins over any number."""
    for r in results:
        if r.failure:
            return {"failure": r.failure}
    out = {"rounds_rps": [r.rps for r in results]}
    for k in ("rps", "p50", "p99", "p999", "cpu_us", "sleeps"):
        vals = [getattr(r, k) for r in results]
        out[k] = None if any(v is None for v in vals) else statistics.median(vals)
    return out


def flushall(port):
    c = Conn(port)
    try:
        c.call("FLUSHALL")
    finally:
        c.close()


def show(res):
    return res.failure if res.failure else "%.0f" % res.rps


def bench_section(ctx, name):
    cases = cases_for(name, ctx.args.requests)
    results = {(i, s): [] for i in range(len(cases)) for s in SERVERS}
    with Pair(ctx) as pair:
        if name == "keyspace":
            for s in SERVERS:
                err = load(pair[s].port, strings_batches(KEYSPACE))
                print("  prefilled %s with %d keys%s" % (s, KEYSPACE, ": " + err if err else ""))
        for rnd in range(ctx.args.rounds):
            order = SERVERS if rnd % 2 == 0 else SERVERS[::-1]
            print("%s: round %d/%d (%s first)" % (name, rnd + 1, ctx.args.rounds, order[0]),
                  flush=True)
            if name != "keyspace":
                for s in SERVERS:
                    flushall(pair[s].port)
            for i, c in enumerate(cases):
                for s in order:
                    pair.ensure_alive(s)
                    res = run_case(ctx, pair[s], c)
                    if not pair[s].alive():
                        res = Result(failure="server died")
                    results[(i, s)].append(res)
                print("  -P %-2d %-11s %-14s ferrodis %-16s redis %s" % (
                    c["pipeline"], c["test"], " ".join(c["options"]),
                    show(results[(i, "ferrodis")][-1]), show(results[(i, "redis")][-1])),
                    flush=True)
    rows = []
    for i, c in enumerate(cases):
        row = {"test": c["test"].upper(), "pipeline": c["pipeline"],
               "options": " ".join(c["options"]), "requests": c["requests"]}
        for s in SERVERS:
            row[s] = combine(results[(i, s)])
        rows.append(row)
    return {"kind": "bench", "rows": rows}


BENCH_DESCRIPTIONS = {
    "default": "`redis-benchmark -c 50 -P {1,16} -t <test>`, one test per run, "
               "%d requests at -P 1 and 5x that at -P 16 (LRANGE_300/500/600: "
               "scaled down by 3/5/6).",
    "sizes": "1 KB values (`-d 1024`): SET, GET, LPUSH, LPOP, MSET with %d requests "
             "at -P 1, twice that at -P 16; 100 KB values (`-d 102400`): SET, GET, "
             "LPUSH, LPOP with 1/40 of that. LPUSH's list is popped by the LPOP that follows.",
    "keyspace": "`-r 1000000` after loading 1M keys key:%%012d (redis-benchmark's "
                "key format), so GET hits and SET overwrites across a 1M-key dict; "
                "%d requests at -P 1, 5x at -P 16. SADD/HSET/ZADD add random members "
                "to one collection.",
}


# ---------------------------------------------------------------- memory

def measure_memory(ctx, name, batches):
    binary = FERRODIS if name == "ferrodis" else "redis-server"
    srv = ServerProc(name, binary, ctx.ports.take(), ctx.server_pin)
    try:
        c = Conn(srv.port)
        try:
            base_used = info_int(c.info("memory"), "used_memory")
            base_rss = srv.rss()
            err = load(srv.port, batches())
            if err:
                return {"failure": err[:60]}
            used = info_int(c.info("memory"), "used_memory")
        finally:
            c.close()
        return {"used": used, "base_used": base_used, "rss": srv.rss(), "base_rss": base_rss}
    finally:
        srv.stop()


def memory_section(ctx):
    rows = []
    for dname, n, batches in datasets(ctx.args.mem_elements, ctx.args.mem_elements // 10):
        row = {"dataset": dname, "elements": n}
        for s in SERVERS:
            row[s] = measure_memory(ctx, s, batches)
        print("  %-44s used_memory ferrodis %-14s redis %s" % (
            dname, row["ferrodis"].get("used", row["ferrodis"].get("failure")),
            row["redis"].get("used", row["redis"].get("failure"))), flush=True)
        rows.append(row)
    return {"kind": "memory", "rows": rows}


# ---------------------------------------------------------------- persistence

# (command, its in-progress field, its status field, its duration field)
BG_OPS = [
    ("BGSAVE", "rdb_bgsave_in_progress", "rdb_last_bgsave_status", "rdb_last_bgsave_time_sec"),
    ("BGREWRITEAOF", "aof_rewrite_in_progress", "aof_last_bgrewrite_status",
     "aof_last_rewrite_time_sec"),
]
BUSY_FIELDS = ["rdb_bgsave_in_progress", "aof_rewrite_in_progress", "aof_rewrite_scheduled"]


def wait_idle(conn, timeout=600):
    """Polls INFO persistence until no background save or rewrite runs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        info = conn.info("persistence")
        if not any(info_int(info, f) for f in BUSY_FIELDS):
            return True
        time.sleep(0.01)
    return False


def fork_usec(before, after):
    """(latest_fork_usec of this operation, or None and why)."""
    fork = info_int(after, "latest_fork_usec")
    if fork is None:
        return None, "no latest_fork_usec"
    fb, fa = info_int(before, "total_forks"), info_int(after, "total_forks")
    if fb is not None and fa is not None:
        return (fork, None) if fa > fb else (None, "no fork")
    if fork != info_int(before, "latest_fork_usec"):
        return fork, None
    return None, "no fork seen"


def measure_bg(port, op):
    cmd, _, status_field, time_field = op
    c = Conn(port)
    try:
        if not wait_idle(c):
            return {"failure": "busy"}
        before = c.info()
        t0 = time.monotonic()
        reply = c.call(cmd)
        if isinstance(reply, RespError):
            msg = str(reply)
            return {"failure": "unimplemented" if "unknown command" in msg else msg[:60]}
        if not wait_idle(c):
            return {"failure": "timeout"}
        duration = (time.monotonic() - t0) * 1000
        after = c.info()
    finally:
        c.close()
    status = after.get(status_field)
    if status is not None and status != "ok":
        return {"failure": "%s:%s" % (status_field, status)}
    fork, why = fork_usec(before, after)
    server_sec = info_int(after, time_field)
    out = {"duration_ms": duration, "fork_usec": fork, "why_fork_usec": why,
           "server_sec": server_sec if server_sec is not None and server_sec >= 0 else None}
    if out["server_sec"] is None:
        out["why_server_sec"] = "no %s" % time_field
    return out


def combine_bg(results):
    for r in results:
        if r.get("failure"):
            return {"failure": r["failure"]}
    out = {}
    for k in ("duration_ms", "fork_usec", "server_sec"):
        vals = [r.get(k) for r in results]
        if any(v is None for v in vals):
            out[k] = None
            out["why_" + k] = next((r.get("why_" + k) for r in results if r.get("why_" + k)), None)
        else:
            out[k] = statistics.median(vals)
    out["rounds_duration_ms"] = [r["duration_ms"] for r in results]
    return out


def persistence_section(ctx):
    n = ctx.args.mem_elements
    results = {(op[0], s): [] for op in BG_OPS for s in SERVERS}
    with Pair(ctx) as pair:
        loaded = {s: load(pair[s].port, strings_batches(n)) for s in SERVERS}
        for rnd in range(ctx.args.rounds):
            order = SERVERS if rnd % 2 == 0 else SERVERS[::-1]
            for op in BG_OPS:
                for s in order:
                    if loaded[s]:
                        res = {"failure": "load: " + loaded[s][:40]}
                    elif not pair[s].alive():
                        res = {"failure": "server died"}
                    else:
                        res = measure_bg(pair[s].port, op)
                    results[(op[0], s)].append(res)
                f, r = results[(op[0], "ferrodis")][-1], results[(op[0], "redis")][-1]
                txt = lambda x: x.get("failure") or "%.0f ms" % x["duration_ms"]
                print("  round %d %-13s ferrodis %-16s redis %s"
                      % (rnd + 1, op[0], txt(f), txt(r)), flush=True)
    rows = []
    for op in BG_OPS:
        row = {"op": "%s, %s keys" % (op[0], fmt_count(n)), "time_field": op[3]}
        for s in SERVERS:
            row[s] = combine_bg(results[(op[0], s)])
        rows.append(row)
    return {"kind": "persistence", "rows": rows}


# ---------------------------------------------------------------- report

def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def first_line(cmd):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=10)
        return (p.stdout or p.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


def commit():
    return first_line(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])


def revision():
    """The commit measured, read when the run starts (the tree may change
    while a long run goes on; the binary was built from this one)."""
    dirty = first_line(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"])
    return commit() + (" (with local changes)" if dirty != "unknown" and dirty else "")


def machine(ctx, load_before, load_after, rev):
    return [
        ("date", datetime.datetime.now().strftime("%Y-%m-%d %H:%M %Z").strip()),
        ("CPU", cpu_model()),
        ("CPUs (nproc)", str(os.cpu_count())),
        ("kernel", os.uname().release),
        ("load average (1/5/15 min)", "%s at start, %s at end" % (load_before, load_after)),
        ("redis-server", first_line(["redis-server", "--version"])),
        ("ferrodis-server", first_line([FERRODIS, "--version"])),
        ("ferrodis commit", rev),
        ("redis-benchmark", first_line(["redis-benchmark", "--version"])),
        ("pinning", ctx.pin_text()),
    ]


def settings_lines(ctx):
    return [
        "Both servers run the same binary settings: `%s`, each in its own "
        "temporary directory, started fresh for each section (and for each data "
        "set in the memory section). %s. Throughput sections alternate the servers "
        "test by test (ferrodis first in odd rounds, redis first in even rounds) "
        "and report the median of the rounds; p50 and p99 come from "
        "redis-benchmark's latency summary, p99.9 from its percentile "
        "distribution (the first printed percentile at or above 99.9%%, i.e. "
        "99.902%%). Memory is deterministic and is measured once." % (
            " ".join(a if a else '""' for a in COMMON_ARGS),
            ctx.pin_text()[0].upper() + ctx.pin_text()[1:]),
    ]


def section_meta(ctx, name, load_before, elapsed, other_cpu_pct=None):
    a = ctx.args
    rounds = "1 round" if name == "memory" else "median of %d round(s)" % a.rounds
    desc = {
        "default": BENCH_DESCRIPTIONS["default"] % a.requests,
        "sizes": BENCH_DESCRIPTIONS["sizes"] % a.requests,
        "keyspace": BENCH_DESCRIPTIONS["keyspace"] % a.requests,
        "memory": "A fresh server per data set; used_memory from INFO memory and "
                  "VmRSS from /proc, right after loading with pipelined commands of "
                  "1000 elements (strings: one SET each). bytes/element = (used_memory "
                  "after - used_memory of the empty server) / elements.",
        "persistence": "%s keys loaded as in the memory section; the wall time runs "
                       "from sending the command to INFO persistence showing it done "
                       "(polled every 10 ms; servers notice a finished child in their "
                       "cron, so up to 100 ms at hz 10 is detection lag for both). "
                       "latest_fork_usec counts only if total_forks grew." % fmt_count(
                           a.mem_elements),
    }[name]
    return {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "commit": commit(),
            "rounds_text": rounds, "load_before": load_before, "load_after": load_average(),
            "elapsed_s": elapsed, "quick": a.quick, "description": desc,
            "other_cpu_pct": other_cpu_pct}


def cpu_snapshot():
    """(machine busy CPU seconds, this run's own CPU seconds) now.

    The machine's figure is /proc/stat's busy time over all CPUs; the run's
    own is this script plus every child it waited for (the servers, with
    their forked children, and each redis-benchmark), so their difference
    over a section is the CPU other work took from it. The load average
    cannot tell them apart: the benchmark's own two busy processes hold it
    near 2 on an otherwise idle machine."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    # user nice system idle iowait irq softirq steal ...
    busy = sum(fields[:3]) + sum(fields[5:8])
    t = os.times()
    own = t.user + t.system + t.children_user + t.children_system
    return busy / float(os.sysconf("SC_CLK_TCK")), own


def other_cpu_percent(before, after, elapsed):
    """CPU other work used between two snapshots, in % of the whole machine."""
    if not before or not after or elapsed <= 0:
        return None
    other = (after[0] - before[0]) - (after[1] - before[1])
    return max(0.0, 100.0 * other / (elapsed * (os.cpu_count() or 1)))


# Other work above this share of the machine's CPU makes a section noisy.
OTHER_CPU_WARN_PERCENT = 10.0


def load_note(load_text, other_percents=()):
    """A warning when other work ran on the machine: measured from /proc/stat
    when the sections have it, else judged by the 1-minute load average."""
    known = [p for p in other_percents if p is not None]
    cpus = os.cpu_count() or 1
    if known:
        peak = max(known)
        if peak <= OTHER_CPU_WARN_PERCENT:
            return ""
        return ("Taken on a loaded machine (other work used up to %.0f%% of the %d CPUs "
                "during a section): it competed with both servers, so the ratios are "
                "noisy; rerun on a quiet machine." % (peak, cpus))
    try:
        peak = max(float(part.split()[0]) for part in load_text.split(","))
    except (ValueError, IndexError):
        return ""
    if peak <= cpus / 2.0:
        return ""
    return ("Taken on a loaded machine (1-minute load average up to %.1f on %d CPUs): "
            "other work competed with both servers, so the ratios are noisy; rerun "
            "on a quiet machine." % (peak, cpus))


def output_paths(md):
    base = os.path.splitext(md)[0]
    return md, base + ".json", base + ".svg"


def write_outputs(ctx, results, machine_rows):
    """Merges `results` into the .json beside the report, then renders from it."""
    md, json_path, _ = output_paths(ctx.args.output)
    doc = {}
    if os.path.exists(json_path):
        with open(json_path) as f:
            doc = json.load(f)
    doc.setdefault("sections", {}).update(results)
    doc["machine"] = machine_rows
    doc["settings"] = settings_lines(ctx)
    # The warning covers every section kept in the report, not just this run's.
    loads = [dict(machine_rows)["load average (1/5/15 min)"]] + [
        "%s, %s" % (sec["meta"].get("load_before", ""), sec["meta"].get("load_after", ""))
        for sec in doc["sections"].values() if sec.get("meta")]
    others = [sec["meta"].get("other_cpu_pct") for sec in doc["sections"].values()
              if sec.get("meta")]
    doc["note"] = ctx.args.note or load_note(", ".join(loads), others)
    doc["svg_note"] = "%s; %s" % (dict(machine_rows).get("date", ""), dict(machine_rows)["CPU"])
    with open(json_path, "w") as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write("\n")
    render(md)


def render(md):
    """Rewrites the report's generated block and the plot from the .json."""
    md, json_path, svg_path = output_paths(md)
    with open(json_path) as f:
        doc = json.load(f)
    existing = None
    if os.path.exists(md):
        with open(md) as f:
            existing = f.read()
    with open(md, "w") as f:
        f.write(bench_report.splice(existing, bench_report.generated_markdown(
            doc, os.path.basename(svg_path))))
    with open(svg_path, "w") as f:
        f.write(bench_report.svg(doc))
    for p in (md, json_path, svg_path):
        print("wrote %s" % os.path.relpath(p, os.getcwd()))


# ---------------------------------------------------------------- main

def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true",
                    default=os.environ.get("BENCH_QUICK", "") not in ("", "0"),
                    help="1 round, 10x fewer requests, smaller data sets; prints only "
                         "unless --output is given (also BENCH_QUICK=1)")
    ap.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    ap.add_argument("--rounds", type=int, help="rounds (default 5, 1 with --quick)")
    ap.add_argument("--requests", type=int,
                    help="requests per run at -P 1 (default 100000, 10000 with --quick)")
    ap.add_argument("--mem-elements", type=int,
                    help="elements for memory and persistence (default 1000000, "
                         "100000 with --quick)")
    ap.add_argument("--base-port", type=int, default=7450,
                    help="first port to try for the servers (default 7450)")
    ap.add_argument("--output", help="markdown report (default docs/performance.md; "
                                     "its .json and .svg go beside it; '-' for none)")
    ap.add_argument("--note", help="a line of bold text in the report (e.g. machine load)")
    ap.add_argument("--render", action="store_true",
                    help="only re-render the report and plot from the existing .json")
    ap.add_argument("--self-test", action="store_true",
                    help="check parsing and rendering on canned output, start nothing")
    args = ap.parse_args(argv)
    args.rounds = args.rounds or (1 if args.quick else 5)
    args.requests = args.requests or (10000 if args.quick else 100000)
    args.mem_elements = args.mem_elements or (100000 if args.quick else 1000000)
    if args.output is None:
        args.output = "-" if args.quick else os.path.join(ROOT, "docs", "performance.md")
    args.sections = args.only.split(",") if args.only else list(SECTIONS)
    for s in args.sections:
        if s not in SECTIONS:
            ap.error("unknown section %r (sections: %s)" % (s, ", ".join(SECTIONS)))
    return args


def run_section(ctx, name):
    if name == "memory":
        return memory_section(ctx)
    if name == "persistence":
        return persistence_section(ctx)
    return bench_section(ctx, name)


def self_test():
    import unittest
    import bench_test
    suite = unittest.defaultTestLoader.loadTestsFromModule(bench_test)
    ok = unittest.TextTestRunner(verbosity=1).run(suite).wasSuccessful()
    return 0 if ok else 1


def main(argv=None):
    args = parse_args(argv)
    if args.self_test:
        return self_test()
    if args.render:
        render(args.output if args.output != "-" else
               os.path.join(ROOT, "docs", "performance.md"))
        return 0
    for tool in ("redis-benchmark", "redis-server"):
        if shutil.which(tool) is None:
            sys.exit("%s is not installed (apt-get install redis-server redis-tools)" % tool)
    if not os.path.exists(FERRODIS):
        sys.exit("%s is missing: run `cargo build --release` first" % FERRODIS)
    # SIGTERM unwinds like Ctrl-C, so the `finally` blocks stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ctx = Context(args)
    load_before = load_average()
    rev = revision()
    results = {}
    for name in args.sections:
        lb, t0, cpu0 = load_average(), time.time(), cpu_snapshot()
        print("== %s" % name, flush=True)
        results[name] = run_section(ctx, name)
        elapsed = time.time() - t0
        other = other_cpu_percent(cpu0, cpu_snapshot(), elapsed)
        results[name]["meta"] = section_meta(ctx, name, lb, elapsed, other)
        if args.output != "-":
            # After each section, so a run cut short keeps what it measured.
            write_outputs(ctx, {name: results[name]}, machine(ctx, load_before, load_average(), rev))
    machine_rows = machine(ctx, load_before, load_average(), rev)
    doc = {"machine": machine_rows, "settings": settings_lines(ctx), "sections": results,
           "note": args.note or ""}
    print()
    print(bench_report.generated_markdown(doc, "performance.svg"))
    if args.output != "-":
        write_outputs(ctx, {}, machine_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
