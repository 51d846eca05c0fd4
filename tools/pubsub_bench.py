#!/usr/bin/env python3
"""PUBLISH fan-out throughput: ferrodis against redis-server, side by side.

Starts target/release/ferrodis-server and redis-server on loopback ports and,
for each scenario, connects the subscribers, then sends pipelined PUBLISH
batches from one publisher while draining every subscriber socket in the same
select loop. A round ends when every subscriber has received every byte it
should. The figure is delivered messages per second (publishes x receivers /
elapsed); the ratio column is ferrodis / redis-server. Each scenario runs
`--rounds` times per server, alternating which server goes first, and the
median is reported.

The client is one Python process, identical for both servers, so the ratio
is what matters; with many subscribers the client itself can become the
limit for both.

    cargo build --release
    python3 tools/pubsub_bench.py                  # all scenarios, 3 rounds
    python3 tools/pubsub_bench.py --quick          # 1 round, fewer messages
    python3 tools/pubsub_bench.py --base-port 7460 # fixed ports instead of free ones
"""

import argparse
import os
import selectors
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FERRODIS = os.path.join(ROOT, "target", "release", "ferrodis-server")
BATCH = 500
RECV = 1 << 18


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def bulk_len(b):
    return len(b"$%d\r\n" % len(b)) + len(b) + 2


def message_len(channel, msg):
    return len(b"*3\r\n") + bulk_len(b"message") + bulk_len(channel) + bulk_len(msg)


def pmessage_len(pattern, channel, msg):
    return (len(b"*4\r\n") + bulk_len(b"pmessage") + bulk_len(pattern)
            + bulk_len(channel) + bulk_len(msg))


class ServerProc:
    """A server process on a loopback port in its own temporary directory."""

    def __init__(self, name, binary, port):
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="pubsub-bench-%s-" % name)
        self.port = port
        args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--dir", self.dir, "--logfile", os.path.join(self.dir, "server.log"),
                "--maxclients", "10000"]
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit("%s exited at startup" % name)
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        sys.exit("%s did not start" % name)

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def read_exact_replies(sock, n):
    """Reads until `n` CRLF-terminated simple replies (":N", "+OK") arrived."""
    buf = b""
    while buf.count(b"\r\n") < n:
        chunk = sock.recv(RECV)
        if not chunk:
            raise RuntimeError("connection closed")
        buf += chunk
    return buf


def subscribe(port, command, names):
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.sendall(encode(command, *names))
    # Each confirmation is a 3-element array: 6 CRLF-terminated lines.
    read_exact_replies(s, 6 * len(names))
    s.setblocking(False)
    return s


def run_scenario(port, sc, messages):
    """Connects the scenario's subscribers, publishes, and returns messages/s."""
    channel, msg = b"bench.ch", b"x" * sc["size"]
    subs = []
    per_sub = []
    for _ in range(sc["channel_subs"]):
        subs.append(subscribe(port, "SUBSCRIBE", [channel]))
        per_sub.append(message_len(channel, msg))
    for _ in range(sc["pattern_subs"]):
        subs.append(subscribe(port, "PSUBSCRIBE", [b"bench.*"]))
        per_sub.append(pmessage_len(b"bench.*", channel, msg))
    idle = None
    if sc["idle_patterns"]:
        pats = [b"other.%d.*" % i for i in range(sc["idle_patterns"])]
        idle = subscribe(port, "PSUBSCRIBE", pats)
    receivers = len(subs)
    expected = [n * messages for n in per_sub]
    got = [0] * receivers
    pub = socket.create_connection(("127.0.0.1", port))
    pub.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sel = selectors.DefaultSelector()
    for i, s in enumerate(subs):
        sel.register(s, selectors.EVENT_READ, i)
    batch = encode("PUBLISH", channel, msg) * BATCH
    reply = b":%d\r\n" % receivers
    start = time.perf_counter()
    sent = 0
    while sent < messages:
        n = min(BATCH, messages - sent)
        pub.sendall(batch if n == BATCH else encode("PUBLISH", channel, msg) * n)
        replies = read_exact_replies(pub, n)
        if replies != reply * n:
            raise RuntimeError("unexpected PUBLISH replies: %r" % replies[:64])
        sent += n
        drain(sel, subs, got, timeout=0)
    while any(g < e for g, e in zip(got, expected)):
        drain(sel, subs, got, timeout=1)
    elapsed = time.perf_counter() - start
    for s in subs + [pub] + ([idle] if idle else []):
        s.close()
    sel.close()
    return messages * receivers / elapsed


def drain(sel, subs, got, timeout):
    for key, _ in sel.select(timeout):
        i = key.data
        try:
            while True:
                chunk = subs[i].recv(RECV)
                if not chunk:
                    raise RuntimeError("subscriber closed")
                got[i] += len(chunk)
        except BlockingIOError:
            pass


SCENARIOS = [
    {"name": "1 subscriber, 16 B", "channel_subs": 1, "pattern_subs": 0,
     "idle_patterns": 0, "size": 16, "messages": 100_000},
    {"name": "10 subscribers, 16 B", "channel_subs": 10, "pattern_subs": 0,
     "idle_patterns": 0, "size": 16, "messages": 50_000},
    {"name": "100 subscribers, 16 B", "channel_subs": 100, "pattern_subs": 0,
     "idle_patterns": 0, "size": 16, "messages": 10_000},
    {"name": "1000 subscribers, 16 B", "channel_subs": 1000, "pattern_subs": 0,
     "idle_patterns": 0, "size": 16, "messages": 1_000},
    {"name": "100 subscribers, 1 KB", "channel_subs": 100, "pattern_subs": 0,
     "idle_patterns": 0, "size": 1024, "messages": 5_000},
    {"name": "100 pattern subscribers", "channel_subs": 0, "pattern_subs": 100,
     "idle_patterns": 0, "size": 16, "messages": 10_000},
    {"name": "1 subscriber + 1000 idle patterns", "channel_subs": 1,
     "pattern_subs": 0, "idle_patterns": 1000, "size": 16, "messages": 20_000},
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="1 round, a tenth of the messages")
    ap.add_argument("--base-port", type=int, default=0,
                    help="use this port for ferrodis and the next for redis-server")
    ap.add_argument("--only", default="",
                    help="run only scenarios whose name contains this text")
    args = ap.parse_args()
    if not os.path.exists(FERRODIS):
        sys.exit("build first: cargo build --release")
    if not shutil.which("redis-server"):
        sys.exit("redis-server is not installed")
    rounds = 1 if args.quick else args.rounds
    ports = ((args.base_port, args.base_port + 1) if args.base_port
             else (free_port(), free_port()))
    servers = [ServerProc("ferrodis", FERRODIS, ports[0]),
               ServerProc("redis", "redis-server", ports[1])]
    try:
        print("%-36s %14s %14s %7s" % ("scenario", "ferrodis msg/s", "redis msg/s", "ratio"))
        for sc in [sc for sc in SCENARIOS if args.only in sc["name"]]:
            messages = max(100, sc["messages"] // (10 if args.quick else 1))
            results = {s.name: [] for s in servers}
            for r in range(rounds):
                order = servers if r % 2 == 0 else list(reversed(servers))
                for s in order:
                    results[s.name].append(run_scenario(s.port, sc, messages))
            ours = statistics.median(results["ferrodis"])
            theirs = statistics.median(results["redis"])
            print("%-36s %14.0f %14.0f %7.2f" % (sc["name"], ours, theirs, ours / theirs))
            sys.stdout.flush()
    finally:
        for s in servers:
            s.stop()


if __name__ == "__main__":
    main()
