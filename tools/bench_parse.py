"""Parsing for tools/bench.py: redis-benchmark's default (non-quiet) output,
INFO replies, and one-line RESP replies from a pipelined loader.

Kept apart from the runner so tools/bench_test.py can check it against
canned output without starting any server.
"""

import re

# "====== GET ======" opens each test's block in redis-benchmark's output.
BLOCK_RE = re.compile(r"====== (.+?) ======")
THROUGHPUT_RE = re.compile(r"throughput summary:\s*([0-9.]+) requests per second")
PERCENTILE_RE = re.compile(r"^\s*([0-9.]+)% <= ([0-9.]+) milliseconds", re.M)
SUMMARY_HEAD_RE = re.compile(r"^\s*avg\s+min\s+p50\s+p95\s+p99\s+max\s*$", re.M)


class Result:
    """One redis-benchmark test on one server: numbers, or why there are none."""

    def __init__(self, rps=None, p50=None, p99=None, p999=None, failure=None):
        self.rps, self.p50, self.p99, self.p999 = rps, p50, p99, p999
        self.failure = failure
        # Filled in by the runner from /proc, not from redis-benchmark's output:
        # the server thread's CPU time per request (microseconds) and how often
        # per request it went to sleep (voluntary context switches).
        self.cpu_us, self.sleeps = None, None

    def as_dict(self):
        return {"rps": self.rps, "p50": self.p50, "p99": self.p99, "p999": self.p999,
                "cpu_us": self.cpu_us, "sleeps": self.sleeps, "failure": self.failure}


def p999_from_distribution(block):
    """The latency at the first printed percentile at or above 99.9%.

    redis-benchmark 7.0 prints its HDR histogram at 50%, 75%, 87.5%, ...
    halving the remainder each line, so 99.9% itself is not a row: the row
    at 99.902% (or the next one printed) is the tightest upper bound it gives.
    Only the "Latency by percentile distribution" part is read; the
    "Cumulative distribution" that follows it has coarser buckets.
    """
    start = block.find("Latency by percentile distribution:")
    if start < 0:
        return None
    end = block.find("Cumulative distribution of latencies:", start)
    part = block[start:end if end > 0 else len(block)]
    for m in PERCENTILE_RE.finditer(part):
        if float(m.group(1)) >= 99.9:
            return float(m.group(2))
    return None


def summary_latencies(block):
    """(p50, p99) from the "latency summary (msec)" table, or (None, None)."""
    m = SUMMARY_HEAD_RE.search(block)
    if not m:
        return None, None
    rest = block[m.end():].lstrip("\r\n")
    fields = rest.splitlines()[0].split() if rest else []
    if len(fields) < 6:
        return None, None
    try:
        # avg min p50 p95 p99 max
        return float(fields[2]), float(fields[4])
    except ValueError:
        return None, None


def parse_blocks(text):
    """Split redis-benchmark output into {title: block text}."""
    # Progress lines end in "\r" without "\n"; they only precede the headers.
    text = text.replace("\r", "\n")
    blocks = {}
    matches = list(BLOCK_RE.finditer(text))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        blocks[m.group(1).strip()] = text[m.end():end]
    return blocks


def parse_block(block):
    """A Result from one test's block, or a Result with a failure."""
    m = THROUGHPUT_RE.search(block)
    if not m:
        return Result(failure="no output")
    p50, p99 = summary_latencies(block)
    return Result(float(m.group(1)), p50, p99, p999_from_distribution(block))


def classify_failure(output, returncode):
    """Why a redis-benchmark run produced no numbers, or None if it did not fail."""
    if "unknown command" in output:
        return "unimplemented"
    if "Error from server" in output:
        return "error"
    if returncode != 0:
        return "exit %d" % returncode
    return None


def parse_run(output, title, returncode=0):
    """The Result for the test titled `title` in one redis-benchmark run."""
    failure = classify_failure(output, returncode)
    if failure:
        return Result(failure=failure)
    block = parse_blocks(output).get(title)
    if block is None:
        return Result(failure="no output")
    return parse_block(block)


def parse_sched(schedstat, status):
    """(CPU ns, voluntary context switches) of one thread from the texts of
    /proc/PID/schedstat and /proc/PID/status, or None when either is unreadable."""
    try:
        cpu_ns = int(schedstat.split()[0])
    except (IndexError, ValueError):
        return None
    for line in status.splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            try:
                return cpu_ns, int(line.split()[1])
            except (IndexError, ValueError):
                return None
    return None


def parse_info(text):
    """INFO reply text -> {field: value string}; section headers are skipped."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        k, v = line.split(":", 1)
        out[k] = v
    return out


def info_int(info, field):
    """An integer INFO field, or None when absent or not an integer."""
    try:
        return int(info[field])
    except (KeyError, ValueError):
        return None


class LineReplies:
    """Counts one-line RESP replies (+OK, :1, -ERR ...) arriving in chunks.

    The loader only sends commands whose replies are single lines, so a
    reply is a CRLF-terminated line; the first error line is kept.
    """

    def __init__(self):
        self.count = 0
        self.first_error = None
        self.carry = b""

    def feed(self, chunk):
        data = self.carry + chunk
        lines = data.split(b"\r\n")
        self.carry = lines.pop()
        for line in lines:
            self.count += 1
            if line.startswith(b"-") and self.first_error is None:
                self.first_error = line[1:].decode("latin-1")
