#!/usr/bin/env python3
"""RDB save and load speed, ferrodis against redis-server, side by side.

Both servers get the same dataset (DEBUG POPULATE N key SIZE), then, in
alternating order, RUNS times each:
  SAVE          wall time of the command, and the server's CPU time for it
                (/proc schedstat: steadier than wall time on a busy machine)
  BGSAVE        wall time from the command to rdb_bgsave_in_progress:0
                (polled every 2 ms) and INFO latest_fork_usec
  load          DEBUG RELOAD NOSAVE (flush, then load the file SAVE wrote),
                wall and CPU time
  startup       a restart on that file: the "DB loaded from disk" seconds
                the server logs, and its CPU time once it answers
The medians and the ferrodis/redis ratios are printed.

With --callgrind, both run under valgrind's callgrind instead (use a
smaller N): counters are zeroed before SAVE and before the load and dumped
after each, so the printed instruction counts (Ir) are the servers' own
work for that step, free of the machine's noise.

Usage: tools/rdb_bench.py [-n 1000000] [-s 64] [-r 3] [-p 7360] [--callgrind]
Needs a release build (target/release/ferrodis-server) and redis-server.
"""

import argparse
import glob
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FERRODIS = os.path.join(ROOT, "target", "release", "ferrodis-server")


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.f = self.sock.makefile("rb")

    def cmd(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.reply()

    def reply(self):
        line = self.f.readline()
        t, rest = line[:1], line[1:-2]
        if t == b"-":
            raise RuntimeError(rest.decode())
        if t in (b"+", b":"):
            return rest
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self.f.read(n + 2)[:-2]
        if t == b"*":
            return [self.reply() for _ in range(int(rest))]
        raise RuntimeError("bad reply %r" % line)

    def info(self, section):
        text = self.cmd("INFO", section).decode()
        return dict(l.split(":", 1) for l in text.splitlines() if ":" in l)


class Srv:
    def __init__(self, name, binary, port, callgrind):
        self.name, self.port = name, port
        self.dir = tempfile.mkdtemp(prefix="rdbbench-%s-" % name)
        self.start(binary, callgrind)

    def start(self, binary, callgrind):
        self.binary = binary
        port = self.port
        args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", self.dir, "--enable-debug-command", "yes",
                "--logfile", os.path.join(self.dir, "server.log")]
        if callgrind:
            args = ["valgrind", "--tool=callgrind",
                    "--callgrind-out-file=%s/cg.out.%%p" % self.dir] + args
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 60
        while True:
            try:
                self.c = Conn(port)
                self.c.cmd("PING")
                break
            except (OSError, RuntimeError):
                if time.time() > deadline:
                    raise
                time.sleep(0.1)

    def cpu_ns(self):
        """Nanoseconds the server's threads have run (schedstat)."""
        total = 0
        for t in os.listdir("/proc/%d/task" % self.proc.pid):
            with open("/proc/%d/task/%s/schedstat" % (self.proc.pid, t)) as f:
                total += int(f.read().split()[0])
        return total

    def timed(self, *args):
        """(wall seconds, cpu seconds) of one command."""
        c = self.cpu_ns()
        t = time.perf_counter()
        self.c.cmd(*args)
        return time.perf_counter() - t, (self.cpu_ns() - c) / 1e9

    def bgsave(self):
        t = time.perf_counter()
        self.c.cmd("BGSAVE")
        while self.c.info("persistence")["rdb_bgsave_in_progress"] != "0":
            time.sleep(0.002)
        dt = time.perf_counter() - t
        st = self.c.info("persistence")["rdb_last_bgsave_status"]
        if st != "ok":
            raise RuntimeError("%s BGSAVE failed" % self.name)
        return dt, int(self.c.info("stats")["latest_fork_usec"])

    def callgrind(self, op):
        """Ir of the server for one command (counters zeroed before)."""
        pid = str(self.proc.pid)
        subprocess.run(["callgrind_control", "-z", pid], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.c.cmd(*op)
        for f in glob.glob("%s/cg.out.*" % self.dir):
            os.remove(f)
        subprocess.run(["callgrind_control", "-d", pid], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for f in glob.glob("%s/cg.out.*" % self.dir):
            for line in open(f):
                if line.startswith("summary:") or line.startswith("totals:"):
                    return int(line.split()[1])
        raise RuntimeError("no callgrind dump")

    def startup_load(self):
        """Restarts the server on the file SAVE wrote; returns (the seconds
        its "DB loaded from disk" line reports, the process's CPU seconds
        once it answers)."""
        self.shutdown()
        self.start(self.binary, False)
        cpu = self.cpu_ns() / 1e9
        with open(os.path.join(self.dir, "server.log")) as f:
            lines = [l for l in f if "DB loaded from disk" in l]
        return float(lines[-1].split(":")[-1].split()[0]), cpu

    def shutdown(self):
        try:
            self.c.cmd("SHUTDOWN", "NOSAVE")
        except (OSError, RuntimeError):
            pass
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()

    def stop(self):
        self.shutdown()
        shutil.rmtree(self.dir, ignore_errors=True)


def fmt_ratio(a, b):
    return "%.2f" % (a / b) if b else "-"


def wall(servers, runs):
    keys = ("save", "save_cpu", "bgsave", "fork_us", "load", "load_cpu", "startup", "startup_cpu")
    res = {s.name: {k: [] for k in keys} for s in servers}
    for i in range(runs):
        order = servers if i % 2 == 0 else servers[::-1]
        for s in order:
            w, c = s.timed("SAVE")
            res[s.name]["save"].append(w)
            res[s.name]["save_cpu"].append(c)
        for s in order:
            dt, fork = s.bgsave()
            res[s.name]["bgsave"].append(dt)
            res[s.name]["fork_us"].append(fork)
        for s in order:
            w, c = s.timed("DEBUG", "RELOAD", "NOSAVE")
            res[s.name]["load"].append(w)
            res[s.name]["load_cpu"].append(c)
        for s in order:
            w, c = s.startup_load()
            res[s.name]["startup"].append(w)
            res[s.name]["startup_cpu"].append(c)
    print("%-10s %12s %12s %8s   (median of %d, seconds; fork in us)"
          % ("", "ferrodis", "redis", "ratio", runs))
    for k in keys:
        a = statistics.median(res["ferrodis"][k])
        b = statistics.median(res["redis"][k])
        form = "%12d %12d" if k == "fork_us" else "%12.3f %12.3f"
        print(("%-10s " + form + " %8s") % (k, a, b, fmt_ratio(a, b)))
        print("%-10s %s" % ("", "  ferrodis runs: " + " ".join("%.3f" % x for x in res["ferrodis"][k])))
        print("%-10s %s" % ("", "  redis runs:    " + " ".join("%.3f" % x for x in res["redis"][k])))


def instructions(servers):
    print("%-10s %14s %14s %8s   (callgrind Ir)" % ("", "ferrodis", "redis", "ratio"))
    for label, op in (("save", ("SAVE",)), ("load", ("DEBUG", "RELOAD", "NOSAVE"))):
        ir = {s.name: s.callgrind(op) for s in servers}
        print("%-10s %14d %14d %8s" % (label, ir["ferrodis"], ir["redis"],
                                         fmt_ratio(ir["ferrodis"], ir["redis"])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=1000000, help="keys")
    ap.add_argument("-s", type=int, default=64, help="value size")
    ap.add_argument("-r", type=int, default=3, help="runs")
    ap.add_argument("-p", type=int, default=7360, help="first port")
    ap.add_argument("--callgrind", action="store_true")
    a = ap.parse_args()
    servers = [Srv("ferrodis", FERRODIS, a.p, a.callgrind),
               Srv("redis", shutil.which("redis-server"), a.p + 1, a.callgrind)]
    try:
        for s in servers:
            s.c.cmd("DEBUG", "POPULATE", a.n, "key", a.s)
        print("%d keys, %d-byte values; load average %s"
              % (a.n, a.s, open("/proc/loadavg").read().split()[0]))
        if a.callgrind:
            instructions(servers)
        else:
            wall(servers, a.r)
    finally:
        for s in servers:
            s.stop()


if __name__ == "__main__":
    main()
