#!/usr/bin/env python3
"""Memory per key, ferrodis against redis-server, side by side.

Loads the same keys into both servers with
`redis-benchmark -r 1000000 -n 2000000 -t set` (16-byte keys "key:000000xxxxxx",
3-byte values) and reports keys, used_memory (INFO memory, when the server
has INFO) and RSS (from /proc), plus bytes per key over each server's empty
baseline.

Usage: tools/mem_bench.py [--ferrodis target/release/ferrodis-server]
                          [--requests 2000000] [--keyspace 1000000] [--port 7340]
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def cli(port, *args):
    out = subprocess.run(["redis-cli", "-p", str(port), *args],
                         capture_output=True, text=True, timeout=60)
    return out.stdout.strip()


def used_memory(port):
    info = cli(port, "INFO", "memory")
    for line in info.splitlines():
        if line.startswith("used_memory:"):
            return int(line.split(":")[1])
    return None


def wait_up(port):
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise SystemExit(f"server on {port} did not start")


def measure(name, argv, port, args):
    with tempfile.TemporaryDirectory() as d:
        proc = subprocess.Popen(argv + ["--port", str(port), "--save", "", "--dir", d],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_up(port)
            time.sleep(0.2)
            base_rss = rss_bytes(proc.pid)
            base_used = used_memory(port)
            subprocess.run(["redis-benchmark", "-p", str(port), "-r", str(args.keyspace),
                            "-n", str(args.requests), "-t", "set", "-q"],
                           check=True, stdout=subprocess.DEVNULL, timeout=900)
            time.sleep(0.5)
            keys = int(cli(port, "DBSIZE"))
            rss = rss_bytes(proc.pid)
            used = used_memory(port)
            return dict(name=name, keys=keys, rss=rss, base_rss=base_rss,
                        used=used, base_used=base_used)
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def fmt(v):
    return "n/a" if v is None else f"{v:,}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ferrodis", default="target/release/ferrodis-server")
    p.add_argument("--redis", default="redis-server")
    p.add_argument("--requests", type=int, default=2_000_000)
    p.add_argument("--keyspace", type=int, default=1_000_000)
    p.add_argument("--port", type=int, default=7340)
    args = p.parse_args()
    rows = [measure("redis", [args.redis], args.port, args),
            measure("ferrodis", [args.ferrodis], args.port + 1, args)]
    print(f"{'server':<10}{'keys':>10}{'used_memory':>16}{'RSS':>16}"
          f"{'used/key':>10}{'RSS/key':>10}")
    for r in rows:
        per_used = None
        if r["used"] is not None and r["base_used"] is not None and r["keys"]:
            per_used = round((r["used"] - r["base_used"]) / r["keys"], 1)
        per_rss = round((r["rss"] - r["base_rss"]) / max(r["keys"], 1), 1)
        print(f"{r['name']:<10}{r['keys']:>10,}{fmt(r['used']):>16}{r['rss']:>16,}"
              f"{fmt(per_used):>10}{per_rss:>10}")
    ok = rows[1]["rss"] - rows[1]["base_rss"] <= rows[0]["rss"] - rows[0]["base_rss"]
    print("ferrodis uses no more memory per key than redis:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
