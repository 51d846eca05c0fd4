#!/usr/bin/env python3
"""Lazy free: how long the event loop stalls when a big dataset is freed.

Builds N keys with DEBUG POPULATE, then times FLUSHALL SYNC against
FLUSHALL ASYNC, and the worst PING round trip seen by a second client while
each runs. Also times UNLINK and DEL of one big string (SETRANGE at 500 MB).

Usage: tools/lazyfree_latency.py [--server target/release/ferrodis-server]
                                 [--keys 10000000] [--port 7342]
"""
import argparse
import socket
import subprocess
import tempfile
import threading
import time


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def cmd(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(65536)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line


def wait_up(port):
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.02)
    raise SystemExit("server did not start")


def timed(port, *args):
    """Runs args on one connection while another PINGs; returns (ms, worst ping ms)."""
    pinger = Conn(port)
    worst = [0.0]
    stop = threading.Event()

    def ping_loop():
        while not stop.is_set():
            t = time.perf_counter()
            pinger.cmd("PING")
            worst[0] = max(worst[0], (time.perf_counter() - t) * 1000)
            time.sleep(0.001)

    th = threading.Thread(target=ping_loop)
    th.start()
    time.sleep(0.05)
    c = Conn(port)
    t = time.perf_counter()
    c.cmd(*args)
    took = (time.perf_counter() - t) * 1000
    time.sleep(0.2)
    stop.set()
    th.join()
    return took, worst[0]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--server", default="target/release/ferrodis-server")
    p.add_argument("--keys", type=int, default=10_000_000)
    p.add_argument("--port", type=int, default=7342)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        proc = subprocess.Popen([a.server, "--port", str(a.port), "--save", "", "--dir", d,
                                 "--enable-debug-command", "yes"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_up(a.port)
            c = Conn(a.port)
            for mode in ["SYNC", "ASYNC"]:
                c.cmd("DEBUG", "POPULATE", a.keys)
                took, worst = timed(a.port, "FLUSHALL", mode)
                print(f"FLUSHALL {mode:<5} of {a.keys:,} keys: command {took:8.1f} ms, "
                      f"worst PING {worst:8.1f} ms")
            for cmd in ["UNLINK", "DEL"]:
                c.cmd("SETRANGE", "big", 500 * 1024 * 1024 - 1, "x")
                took, worst = timed(a.port, cmd, "big")
                print(f"{cmd:<6} of a 500 MB string: command {took:8.1f} ms, "
                      f"worst PING {worst:8.1f} ms")
        finally:
            proc.terminate()
            proc.wait(timeout=60)


if __name__ == "__main__":
    main()
