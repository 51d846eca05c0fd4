#!/usr/bin/env python3
"""Alternating A/B runs of redis-benchmark against several server builds.

Each variant is a server binary ("redis" means redis-server from PATH),
optionally with environment settings after colons:

    tools/ab_bench.py --variant base=/tmp/old-ferrodis-server \
        --variant new=target/release/ferrodis-server --variant redis=redis \
        --rounds 5 --port 7810 \
        --case "-c 50 -n 20000 -P 16 -d 100000 -t set,get,lpush,lpop"

For each round, each case and each variant (the order rotates by round), a
fresh server starts pinned to CPU 0 (same settings as tools/bench.py) and
each test of the case runs as its own `redis-benchmark --csv` pinned to
CPU 1. Per run it records req/s, p50, p99, the server's CPU per request
(/proc/PID/schedstat), its voluntary context switches per request, the
client's CPU per request, and `other`: the share of the two CPUs used by
other processes meanwhile (/proc/stat), to judge the machine's load.
Prints each run, then medians and ranges per case, test and variant
(AB_MAX_OTHER=15 leaves out runs where other work used more than 15%);
`--summary FILE` reprints the table from a saved --out file.
"""
import resource, argparse, json, os, shlex, shutil, statistics, subprocess, sys, tempfile, time

COMMON = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
          "--io-threads", "1", "--protected-mode", "no"]


def start(binary, port, env_extra):
    d = tempfile.mkdtemp(prefix="ab.", dir=None)
    exe = shutil.which("redis-server") if binary == "redis" else binary
    env = dict(os.environ)
    env.update(env_extra)
    p = subprocess.Popen(["taskset", "-c", "0", exe, "--port", str(port), "--dir", d,
                          "--logfile", os.path.join(d, "log")] + COMMON, env=env)
    for _ in range(100):
        r = subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True)
        if r.stdout.strip() == b"PONG":
            return p, d
        time.sleep(0.05)
    raise SystemExit("server did not start")


def sched(pid):
    with open(f"/proc/{pid}/schedstat") as f:
        cpu_ns = int(f.read().split()[0])
    vol = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("voluntary_ctxt_switches"):
                vol = int(line.split()[1])
    return cpu_ns, vol


def cpu_busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK"), time.time()


def run_test(port, args, test, pid):
    n = int(args[args.index("-n") + 1])
    b0, t0 = cpu_busy()
    c0, v0 = sched(pid)
    u0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = subprocess.run(["taskset", "-c", "1", "redis-benchmark", "-p", str(port), "--csv",
                        "-t", test] + args, capture_output=True, text=True)
    c1, v1 = sched(pid)
    u1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    ccpu = (u1.ru_utime + u1.ru_stime - u0.ru_utime - u0.ru_stime) * 1e6 / n
    b1, t1 = cpu_busy()
    other = ((b1 - b0) - (c1 - c0) / 1e9 - ccpu * n / 1e6) / (2 * (t1 - t0)) * 100
    rows = [l for l in r.stdout.splitlines() if l.startswith('"') and not l.startswith('"test"')]
    f = [x.strip('"') for x in rows[-1].split(",")]
    return {"test": f[0], "rps": float(f[1]), "avg": float(f[2]), "p50": float(f[4]),
            "p99": float(f[6]), "max": float(f[7]),
            "cpu_us": (c1 - c0) / 1000 / n, "sleeps": (v1 - v0) / n, "ccpu": ccpu, "other": other}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--variant", action="append", required=True)
    ap.add_argument("--case", action="append", required=True)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--port", type=int, default=7810)
    ap.add_argument("--out", help="write every run as JSON to this file")
    a = ap.parse_args()
    variants = []
    for v in a.variant:
        label, rest = v.split("=", 1)
        parts = rest.split(":")
        env = dict(kv.split("=", 1) for kv in parts[1:])
        variants.append((label, parts[0], env))
    results = []
    for rnd in range(a.rounds):
        order = variants[rnd % len(variants):] + variants[:rnd % len(variants)]
        for case in a.case:
            args = shlex.split(case)
            ti = args.index("-t")
            tests = args[ti + 1].split(",")
            rest = args[:ti] + args[ti + 2:]
            for label, binary, env in order:
                p, d = start(binary, a.port, env)
                try:
                    for t in tests:
                        res = run_test(a.port, rest, t, p.pid)
                        res.update(variant=label, round=rnd, case=case,
                                   load=os.getloadavg()[0])
                        results.append(res)
                        print(f"r{rnd} {label:8} {case[:40]:40} {res['test']:10} "
                              f"{res['rps']:10.0f} p50 {res['p50']:7.3f} p99 {res['p99']:7.3f} "
                              f"cpu {res['cpu_us']:6.2f} ccpu {res['ccpu']:6.2f} sl {res['sleeps']:.3f} other {res['other']:.0f}% "
                              f"load {res['load']:.1f}", flush=True)
                finally:
                    p.terminate()
                    p.wait()
                    shutil.rmtree(d, ignore_errors=True)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(results, f, indent=1)
    summarize(results, variants)


def summarize(results, variants):
    mx = float(os.environ.get("AB_MAX_OTHER", "1000"))
    results = [r for r in results if r.get("other", 0) <= mx]
    keys = []
    for r in results:
        k = (r["case"], r["test"])
        if k not in keys:
            keys.append(k)
    print()
    print("| case | test | variant | runs | req/s median (range) | p50 ms | p99 ms median (range) | CPU µs/req | client CPU µs/req | sleeps/req |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for case, test in keys:
        for label, _, _ in variants:
            rs = [r for r in results if r["case"] == case and r["test"] == test and r["variant"] == label]
            if not rs:
                continue
            med = lambda f: statistics.median(r[f] for r in rs)
            lo = lambda f: min(r[f] for r in rs)
            hi = lambda f: max(r[f] for r in rs)
            print(f"| {case} | {test} | {label} | {len(rs)} | {med('rps'):.0f} ({lo('rps'):.0f}–{hi('rps'):.0f}) | "
                  f"{med('p50'):.3f} | {med('p99'):.3f} ({lo('p99'):.3f}–{hi('p99'):.3f}) | "
                  f"{med('cpu_us'):.2f} | {med('ccpu'):.2f} | {med('sleeps'):.3f} |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--summary":
        rs = json.load(open(sys.argv[2]))
        labels = []
        for r in rs:
            if r["variant"] not in labels:
                labels.append(r["variant"])
        summarize(rs, [(l, None, None) for l in labels])
    else:
        main()
