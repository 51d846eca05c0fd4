#!/usr/bin/env python3
"""SET throughput with the AOF on: ferrodis against redis-server.

Runs `redis-benchmark -t set` (50 clients, pipeline 1) against
target/release/ferrodis-server and redis-server, both with
`appendonly yes`, for `appendfsync always` and `everysec`, alternating
which server goes first in each round, and prints the median requests/sec
and the ferrodis/redis ratio. Each server runs in its own temporary
directory, on the same filesystem (the system temp dir), so both pay the
same fsync cost.

    cargo build --release && python3 tools/aof_bench.py [--rounds 3] [--requests 20000]
"""

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import FERRODIS, free_port, run_benchmark  # noqa: E402


class AofServer:
    def __init__(self, binary, policy):
        self.dir = tempfile.mkdtemp(prefix="ferrodis-aofbench-")
        self.port = free_port()
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--dir", self.dir, "--logfile", os.path.join(self.dir, "server.log"),
                "--appendonly", "yes", "--appendfsync", policy]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        sys.exit("%s did not start" % binary)

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def one_run(binary, policy, requests):
    s = AofServer(binary, policy)
    try:
        r = run_benchmark(s.port, "set", 1, requests)
    finally:
        s.stop()
    if r.failure:
        sys.exit("%s: %s" % (binary, r.failure))
    return r.rps


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=20000)
    a = ap.parse_args()
    if not os.path.exists(FERRODIS):
        sys.exit("build first: cargo build --release")
    servers = [("ferrodis", FERRODIS), ("redis", "redis-server")]
    print("| appendfsync | ferrodis SET req/s | redis SET req/s | ratio |")
    print("|---|---:|---:|---:|")
    for policy in ["always", "everysec"]:
        got = {name: [] for name, _ in servers}
        for rnd in range(a.rounds):
            order = servers if rnd % 2 == 0 else list(reversed(servers))
            for name, binary in order:
                got[name].append(one_run(binary, policy, a.requests))
        f, r = statistics.median(got["ferrodis"]), statistics.median(got["redis"])
        print("| %s | %.0f | %.0f | %.2f |" % (policy, f, r, f / r))


if __name__ == "__main__":
    main()
