#!/usr/bin/env python3
"""Lazy free of one big collection: builds a set (or hash) of N elements with
pipelined SADD/HSET batches, then measures the worst PING round trip seen by a
second client while UNLINK frees it, and compares with a synchronous DEL.

Usage: tools/lazyfree_collection.py [--server target/release/ferrodis-server]
                                    [--elements 10000000] [--type set|hash] [--port 7343]
"""
import argparse
import socket
import subprocess
import tempfile
import threading
import time


def enc(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise EOFError
            self.buf += chunk
        l, self.buf = self.buf.split(b"\r\n", 1)
        return l

    def cmd(self, *args):
        self.s.sendall(enc(*args))
        return self.line()


def build(port, kind, n, batch=1000):
    c = Conn(port)
    sent = 0
    pending = 0
    while sent < n:
        payload = b""
        for _ in range(100):
            if sent >= n:
                break
            members = [b"m%d" % i for i in range(sent, min(n, sent + batch))]
            if kind == "set":
                payload += enc(b"SADD", b"big", *members)
            else:
                fields = []
                for m in members:
                    fields += [m, b"v"]
                payload += enc(b"HSET", b"big", *fields)
            sent += len(members)
            pending += 1
        c.s.sendall(payload)
        while pending:
            c.line()
            pending -= 1
    return c


def worst_ping_during(port, action):
    stop = threading.Event()
    worst = [0.0]

    def pinger():
        p = Conn(port)
        while not stop.is_set():
            t = time.perf_counter()
            p.cmd("PING")
            worst[0] = max(worst[0], time.perf_counter() - t)
            time.sleep(0.001)

    th = threading.Thread(target=pinger)
    th.start()
    time.sleep(0.2)
    t = time.perf_counter()
    action()
    took = time.perf_counter() - t
    time.sleep(0.3)
    stop.set()
    th.join()
    return took * 1000, worst[0] * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="target/release/ferrodis-server")
    ap.add_argument("--elements", type=int, default=10_000_000)
    ap.add_argument("--type", default="set", choices=["set", "hash"])
    ap.add_argument("--port", type=int, default=7343)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        srv = subprocess.Popen([a.server, "--port", str(a.port), "--save", "", "--dir", d],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(500):
                try:
                    socket.create_connection(("127.0.0.1", a.port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.02)
            for verb in ["UNLINK", "DEL"]:
                c = build(a.port, a.type, a.elements)
                took, worst = worst_ping_during(a.port, lambda: c.cmd(verb, "big"))
                print(f"{a.server} {verb} of a {a.elements}-element {a.type}: "
                      f"command {took:.1f} ms, worst PING meanwhile {worst:.1f} ms")
        finally:
            srv.terminate()
            srv.wait()


if __name__ == "__main__":
    main()
