#!/usr/bin/env python3
"""Differential command fuzzer: ferrodis against redis-server 7.0.15.

Starts both servers side by side, generates seeded random command sequences
from the oracle's COMMAND DOCS (well-formed calls and slightly malformed ones)
over a small shared keyspace, sends each command to both, on a RESP2 and a
RESP3 connection, and compares the reply bytes. Replies whose order Redis does
not define (SMEMBERS, HGETALL, KEYS, SCAN, ...) or that depend on the clock
(TTL, EXPIRETIME) are normalised first. After every command ferrodis must
still be alive. On the first divergence or crash the command prefix is
shrunk to a minimal reproducer, which is printed, and the exit status is 1.

    python3 tools/diff_fuzz.py --seed 1 --count 2000

See docs/testing.md ("The differential command fuzzer").
"""

import argparse
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Commands never generated, with the reason.
SKIP = {
    # nondeterministic or environment-dependent replies
    "info", "time", "randomkey", "lastsave", "lolwut", "memory", "latency",
    "slowlog", "spop", "srandmember", "hrandfield", "zrandmember", "dump",
    "restore", "restore-asking", "object|idletime", "client|list",
    "client|info", "client|id", "command", "hello", "pfselftest",
    # change the connection's mode, block, or stop/redirect the server
    "debug", "shutdown", "monitor", "sync", "psync", "replconf", "replicaof",
    "slaveof", "failover", "migrate", "wait", "save", "bgsave",
    "bgrewriteaof", "subscribe", "psubscribe", "ssubscribe", "client|kill",
    "client|pause", "client|reply", "client|tracking", "client|unblock",
    "blpop", "brpop", "blmove", "brpoplpush", "blmpop", "bzpopmin",
    "bzpopmax", "bzmpop", "config|set", "config|rewrite", "config|get",
    "acl|setuser", "acl|deluser", "acl|load", "acl|save", "acl|log",
    "acl|genpass", "module|load", "module|loadex", "module|unload",
    # features absent on purpose or built elsewhere (see the brief)
    "eval", "eval_ro", "evalsha", "evalsha_ro", "fcall", "fcall_ro",
    "function", "script",
}

KEYS = [b"a", b"b", b"c", b"a", b"b", b"", b"k\x00\xff\r\n"]
SMALL_VALUES = [b"x", b"y", b"z", b"1", b"2", b"-1", b"3.5", b"", b"0",
                b"\x00\xfe", b"hello world", b"a" * 70, b"10", b"abc"]
INTEGERS = [b"0", b"1", b"2", b"3", b"-1", b"-2", b"5", b"10", b"100"]
BAD_INTEGERS = [b"9223372036854775807", b"-9223372036854775808",
                b"9223372036854775808", b"-9223372036854775809",
                b"18446744073709551616", b"abc", b"1.5", b"", b" 1", b"+1",
                b"0x10", b"1e3", b"4294967296", b"2147483648", b"-2147483649"]
DOUBLES = [b"0", b"1", b"-1", b"1.5", b"-2.5", b"3", b"inf", b"-inf",
           b"+inf", b"10"]
BAD_DOUBLES = [b"nan", b"1e308", b"1e309", b"abc", b"", b"0x10", b"1e-320",
               b"(1", b" 1", b"1 ", b"-0", b"5e-1"]
PATTERNS = [b"*", b"a*", b"?", b"[a-c]", b"\\*", b"k*", b"*x*", b"[", b""]
# Offsets past the limits, but none that allocates hundreds of megabytes.
OFFSETS = [b"0", b"1", b"7", b"8", b"100", b"-1", b"#0", b"#3", b"abc",
           b"100000", b"4294967296", b"536870912", b"#536870912"]
# Expiry times are either far away or already past: a key that expires
# while the fuzzer runs would expire at a different command on each side.
TTLS = [b"100000", b"0", b"-1", b"abc", b"9223372036854775807",
        b"4611686018427387904", b"1e3", b"10000000", b"-9223372036854775808"]
UNIX_TIMES = [b"1", b"0", b"-1", b"4102444800", b"4102444800000", b"abc",
              b"9223372036854775807", b"-9223372036854775808"]
BY_NAME = {
    "seconds": TTLS,
    "milliseconds": TTLS,
    "unix-time-seconds": UNIX_TIMES,
    "unix-time-milliseconds": UNIX_TIMES,
    "encoding": [b"u8", b"i8", b"u1", b"i64", b"u63", b"u64", b"i0", b"x8",
                 b"i65", b"U8"],
    "longitude": [b"0", b"13.361389", b"-180", b"180", b"181", b"abc",
                  b"15.087269"],
    "latitude": [b"0", b"38.115556", b"85.05112878", b"86", b"-90",
                 b"37.502669"],
    "radius": [b"0", b"100", b"200000", b"-1", b"abc"],
    "width": [b"0", b"100", b"400000", b"-1"],
    "height": [b"0", b"100", b"400000", b"-1"],
    "db": [b"0", b"1", b"2", b"15", b"16", b"-1", b"abc"],
    "index": [b"0", b"1", b"15", b"16", b"-1"],
    "index1": [b"0", b"1", b"15", b"16", b"-1"],
    "index2": [b"0", b"1", b"15", b"16", b"-1"],
    "pattern": PATTERNS + [b"w_*", b"nosort", b"#", b"h_*->f", b"*->x"],
    "parameter": [b"maxmemory", b"hash-max-listpack-entries", b"*max*",
                  b"save", b"appendonly", b"nonexistent"],
}
LEX_CMDS = {"zrangebylex", "zrevrangebylex", "zlexcount", "zremrangebylex"}
TIME_ARGS = {"seconds", "milliseconds", "unix-time-seconds", "unix-time-milliseconds"}
# Not malformed: a stray small number could become an expiry time.
EXPIRING = {"set", "getex", "expire", "pexpire", "setex", "psetex",
            "expireat", "pexpireat"}
LEX = [b"-", b"+", b"[a", b"(b", b"[x", b"a", b"(", b"[", b"[1", b"(z"]
SCORES = [b"-inf", b"+inf", b"0", b"(1", b"1", b"(abc", b"2.5", b"(-inf",
          b"3", b"-1"]
SETUP = ["set", "incr", "rpush", "lpush", "sadd", "zadd", "hset", "pfadd",
         "geoadd", "setbit", "append", "mset", "hincrby", "zincrby"]

# Names (cmd or cmd|sub) whose aggregate reply is unordered in Redis.
UNORDERED = {"smembers", "sinter", "sunion", "sdiff", "keys", "hkeys",
             "hvals", "command|list", "pubsub|channels",
             "pubsub|shardchannels", "acl|users"}
UNORDERED_PAIRS = {"hgetall"}
SCANS = {"scan": False, "sscan": False, "hscan": True, "zscan": True}
CLOCK = {"ttl", "pttl", "expiretime", "pexpiretime"}


class Closed(Exception):
    pass


class Conn:
    """A raw RESP connection that returns (raw bytes, parsed tree)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = bytearray()
        self.raw = bytearray()

    def close(self):
        self.sock.close()

    def send(self, args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))

    def _fill(self):
        try:
            data = self.sock.recv(65536)
        except (ConnectionResetError, socket.timeout) as e:
            raise Closed(str(e))
        if not data:
            raise Closed("eof")
        self.buf += data

    def _line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line = bytes(self.buf[:i])
                del self.buf[:i + 2]
                self.raw += line + b"\r\n"
                return line
            self._fill()

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data = bytes(self.buf[:n])
        del self.buf[:n + 2]
        self.raw += data + b"\r\n"
        return data

    def _parse(self):
        line = self._line()
        t, rest = chr(line[0]), line[1:]
        if t in "+-:,#(_":
            return (t, rest)
        if t in "$=!":
            n = int(rest)
            return (t, None if n < 0 else self._exact(n))
        if t in "*~>":
            n = int(rest)
            return (t, None if n < 0 else [self._parse() for _ in range(n)])
        if t in "%|":
            n = int(rest)
            return (t, [(self._parse(), self._parse()) for _ in range(n)])
        raise Closed("bad reply type %r" % line)

    def reply(self):
        self.raw = bytearray()
        tree = self._parse()
        return bytes(self.raw), tree

    def leftover(self):
        """Replies already sent beyond the one read (raw bytes, or b"").

        Some replies come with more than the caller expects: in RESP3, an
        EXEC whose transaction ran (P|S)UNSUBSCRIBE with several channels
        carries one push per channel after its array. Left unread they would
        be taken as the next command's reply, and the two connections would
        then race each other on the server."""
        self.sock.setblocking(False)
        try:
            while True:
                try:
                    data = self.sock.recv(65536)
                except (BlockingIOError, InterruptedError):
                    break
                if not data:
                    break
                self.buf += data
        except OSError:
            pass
        finally:
            self.sock.settimeout(10)
        raw = bytearray()
        while self.buf:
            more, _tree = self.reply()
            raw += more
        return bytes(raw)


def sort_key(tree):
    return repr(tree)


def normalize(name, args, tree):
    """Return a canonical form of a reply whose order or value Redis leaves open."""
    t, v = tree
    if t == "-" or v is None:
        return tree
    if name in UNORDERED and t in "*~":
        return (t, sorted(v, key=sort_key))
    if name in UNORDERED_PAIRS:
        if t == "%":
            return (t, sorted(v, key=sort_key))
        if t == "*":
            pairs = sorted(zip(v[0::2], v[1::2]), key=sort_key)
            return (t, [x for p in pairs for x in p])
    if name in SCANS and t == "*" and len(v) == 2:
        cursor, items = v
        start = args[1] if name == "scan" else args[2]
        # Which elements a cursor other than 0 visits depends on the hash seed.
        if cursor[1] != b"0" or start != b"0":
            return ("scan-partial", None)
        items_t, elems = items
        if SCANS[name]:
            pairs = sorted(zip(elems[0::2], elems[1::2]), key=sort_key)
            elems = [x for p in pairs for x in p]
        else:
            elems = sorted(elems, key=sort_key)
        return (t, [cursor, (items_t, elems)])
    if name in CLOCK and t == ":" and int(v) > 0:
        return (t, b"<positive>")
    if name in ("sort", "sort_ro") and t in "*~":
        up = [a.upper() for a in args]
        # Elements tied under BY (or unsorted by nosort) come out in hash or
        # unstable-qsort order in Redis: compare them as a multiset.
        if b"BY" in up:
            return (t, sorted(v, key=sort_key))
    if name in ("command|info", "command|docs") and len(args) <= 2:
        return (t, sorted(v, key=sort_key))
    return tree


def cmd_name(args):
    """The table name of a call: 'get' or 'client|getname'."""
    if not args:
        return ""
    name = args[0].decode("latin-1").lower()
    if len(args) > 1 and name in CONTAINERS:
        return name + "|" + args[1].decode("latin-1").lower()
    return name


CONTAINERS = set()
GROUPS = {}


def flat_map(tree):
    t, v = tree
    if t == "%":
        return {k[1].decode(): val for k, val in v}
    return {v[i][1].decode(): v[i + 1] for i in range(0, len(v), 2)}


def command_list(port):
    c = Conn(port)
    c.send([b"COMMAND", b"LIST"])
    _, names = c.reply()
    c.close()
    return {n[1].decode() for n in names[1]}


def load_specs(port):
    """Read COMMAND DOCS and COMMAND INFO of the oracle into generator specs."""
    c = Conn(port)
    c.send([b"COMMAND", b"DOCS"])
    _, docs = c.reply()
    c.send([b"COMMAND", b"INFO"])
    _, info = c.reply()
    c.close()
    arity = {}
    for entry in info[1]:
        e = entry[1]
        arity[e[0][1].decode()] = int(e[1][1])
        for sub in e[9][1] if len(e) > 9 and e[9][1] else []:
            arity[sub[1][0][1].decode()] = int(sub[1][1][1])
    specs = {}

    def add(name, d):
        subs = d.get("subcommands")
        if subs and subs[1]:
            CONTAINERS.add(name)
            for sname, sdoc in flat_map(subs).items():
                add(sname, flat_map(sdoc))
            return
        args = [convert_arg(a) for a in d["arguments"][1]] if "arguments" in d else []
        specs[name] = args
        GROUPS[name] = d["group"][1].decode() if "group" in d else ""

    for name, d in flat_map(docs).items():
        add(name, flat_map(d))
    return {n: s for n, s in specs.items()
            if n not in SKIP and n.split("|")[0] not in SKIP
            and not n.startswith("x") and not n.startswith("cluster|")}, arity


def convert_arg(tree):
    d = flat_map(tree)
    flags = [f[1].decode() for f in d["flags"][1]] if "flags" in d else []
    return {
        "name": d["name"][1].decode(),
        "type": d["type"][1].decode(),
        "token": d["token"][1] if "token" in d else None,
        "optional": "optional" in flags,
        "multiple": "multiple" in flags,
        "multiple_token": "multiple_token" in flags,
        "args": [convert_arg(a) for a in d["arguments"][1]] if "arguments" in d else [],
    }


class Gen:
    def __init__(self, rng, specs):
        self.r = rng
        self.specs = specs
        self.names = sorted(specs)

    def pick(self, pool):
        return self.r.choice(pool)

    def value(self, cmd, spec):
        r, name, typ = self.r, spec["name"], spec["type"]
        if typ == "key":
            # Half the time a key of the command's own type, so that calls
            # get past WRONGTYPE and build up bigger values.
            group = GROUPS.get(cmd, "")
            if group not in ("", "generic", "server", "connection") and r.random() < 0.5:
                return group.encode() + self.pick([b":1", b":2"])
            return self.pick(KEYS)
        if name in ("offset",) and cmd in ("setrange", "setbit", "getbit",
                                          "bitfield", "bitfield_ro"):
            return self.pick(OFFSETS)
        if name in TIME_ARGS:
            return self.pick(BY_NAME[name])
        if name in BY_NAME and r.random() < 0.9:
            return self.pick(BY_NAME[name])
        if cmd.endswith("lex") and name in ("min", "max"):
            return self.pick(LEX)
        if cmd.startswith("zrange") or cmd in ("zcount", "zremrangebyscore",
                                               "zrevrangebyscore"):
            if name in ("min", "max", "start", "stop"):
                return self.pick(SCORES + LEX + INTEGERS)
        if typ in ("integer", "unix-time"):
            return self.pick(INTEGERS if r.random() < 0.8 else BAD_INTEGERS)
        if typ == "double":
            return self.pick(DOUBLES if r.random() < 0.8 else BAD_DOUBLES)
        if typ == "pattern":
            return self.pick(PATTERNS)
        if r.random() < 0.05:
            return self.pick(BAD_INTEGERS + BAD_DOUBLES)
        return self.pick(SMALL_VALUES)

    def arg(self, cmd, spec, out, depth=0):
        r = self.r
        if spec["optional"] and r.random() < 0.55:
            return
        reps = 1
        if spec["multiple"]:
            reps = r.choice([1, 1, 1, 2, 3])
        for i in range(reps):
            tok = spec["token"]
            if tok is not None and (i == 0 or spec["multiple_token"]):
                out.append(tok.lower() if r.random() < 0.2 else tok)
            typ = spec["type"]
            if typ == "pure-token":
                continue
            if typ == "oneof":
                self.arg(cmd, dict(r.choice(spec["args"]), optional=False), out, depth + 1)
            elif typ == "block":
                for sub in spec["args"]:
                    self.arg(cmd, sub, out, depth + 1)
            elif spec["name"] == "numkeys":
                out.append(("numkeys",))
            else:
                out.append(self.value(cmd, spec))

    def command(self):
        r = self.r
        setup = [n for n in SETUP if n in self.specs]  # --only may drop some
        if setup and r.random() < 0.25:
            name = self.pick(setup)
        else:
            name = self.pick(self.names)
        parts = name.split("|")
        out = [p.upper().encode() for p in parts]
        if r.random() < 0.1:
            out[0] = out[0].lower()
        for spec in self.specs[name]:
            self.arg(name, spec, out)
        out = self.fix_numkeys(out)
        if r.random() < 0.12 and name not in EXPIRING:
            out = self.malform(out, len(parts))
        return out

    def fix_numkeys(self, out):
        res = []
        for i, a in enumerate(out):
            if isinstance(a, tuple):
                if self.r.random() < 0.85:
                    n = 0
                    for b in out[i + 1:]:
                        if b in KEYS or b.endswith((b":1", b":2")):
                            n += 1
                        else:
                            break
                    res.append(str(max(n, 1) if self.r.random() < 0.9 else n).encode())
                else:
                    res.append(self.pick([b"0", b"-1", b"5", b"abc", b"1"]))
            else:
                res.append(a)
        return res

    def malform(self, out, head):
        r = self.r
        kind = r.randrange(5)
        body = out[head:]
        if kind == 0 and body:
            del body[r.randrange(len(body))]
        elif kind == 1 and body:
            i = r.randrange(len(body))
            body.insert(i, body[i])
        elif kind == 2 and body:
            body[r.randrange(len(body))] = self.pick(
                BAD_INTEGERS + BAD_DOUBLES + SMALL_VALUES + KEYS)
        elif kind == 3:
            body.append(self.pick(SMALL_VALUES + INTEGERS + [b"NX", b"XX", b"COUNT", b"WITHSCORES"]))
        elif len(body) >= 2:
            i = r.randrange(len(body) - 1)
            body[i], body[i + 1] = body[i + 1], body[i]
        return out[:head] + body


class Side:
    """One server (ferrodis or redis) and its two client connections."""

    def __init__(self, label, binary, port, tmp):
        self.label, self.binary, self.port = label, os.path.abspath(binary) if os.sep in binary else binary, port
        self.dir = os.path.join(tmp, label)
        os.makedirs(self.dir, exist_ok=True)
        self.proc = None
        self.conns = [None, None]

    def start(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            sys.exit("port %d is already in use" % self.port)
        except OSError:
            pass
        log = open(os.path.join(self.dir, "log"), "ab")
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--save", "", "--dir", self.dir,
             "--appendonly", "no", "--bind", "127.0.0.1"],
            stdout=log, stderr=log, cwd=self.dir,
            preexec_fn=lambda: __import__("ctypes").CDLL(None).prctl(1, 9))
        deadline = time.time() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    sys.exit("%s did not start on port %d" % (self.label, self.port))
                time.sleep(0.02)
        self.connect()

    def connect(self):
        for c in self.conns:
            if c:
                c.close()
        self.conns = [Conn(self.port), Conn(self.port)]
        self.hello3(1)

    def hello3(self, i):
        self.conns[i].send([b"HELLO", b"3"])
        self.conns[i].reply()

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def reset(self):
        if not self.alive():
            self.start()
        self.connect()
        self.conns[0].send([b"FLUSHALL"])
        self.conns[0].reply()

    def call(self, conn, args):
        """Send and read one reply; reconnects after QUIT; returns (raw, tree)."""
        c = self.conns[conn]
        try:
            c.send(args)
            raw, tree = c.reply()
        except (Closed, OSError) as e:
            return b"<closed: %s>" % str(e).encode(), ("closed", None)
        name = cmd_name(args)
        try:
            # (P|S)UNSUBSCRIBE reply once per channel named (unless queued).
            if name in ("unsubscribe", "punsubscribe", "sunsubscribe") \
                    and tree[0] in "*>":
                for _ in args[2:]:  # the first channel's reply is read
                    more_raw, _t = c.reply()
                    raw += more_raw
            raw += c.leftover()
        except (Closed, OSError) as e:
            return b"<closed: %s>" % str(e).encode(), ("closed", None)
        if name == "quit":
            self.conns[conn].close()
            self.conns[conn] = Conn(self.port)
            if conn == 1:
                self.hello3(1)
        elif name == "reset" and conn == 1 and tree[0] == "+":
            self.hello3(1)
        return raw, tree


def esc(b):
    return repr(bytes(b))[2:-1]


class Runner:
    def __init__(self, ours, theirs):
        self.ours, self.theirs = ours, theirs
        self.queued = [[], []]

    def lex_undefined(self, name, args):
        """True for a lex range call on a sorted set whose scores differ.

        Redis leaves the result undefined then (its skiplist search assumes
        lex order, so the answer depends on the random node levels); such
        calls are not sent at all, since a write would split the keyspaces.
        """
        up = [a.upper() for a in args]
        if name not in LEX_CMDS and not (name in ("zrange", "zrangestore") and b"BYLEX" in up):
            return False
        key = args[2] if name == "zrangestore" else args[1] if len(args) > 1 else None
        if key is None:
            return False
        probe = Conn(self.theirs.port)
        try:
            probe.send([b"ZRANGE", key, b"0", b"-1", b"WITHSCORES"])
            _, (t, v) = probe.reply()
        finally:
            probe.close()
        return t == "*" and v is not None and len({x[1] for x in v[1::2]}) > 1

    def step(self, conn, args, verbose=False):
        """Run one command on both sides; return None or a description of the divergence."""
        if self.lex_undefined(cmd_name(args), args):
            return None
        raw_a, tree_a = self.ours.call(conn, args)
        raw_b, tree_b = self.theirs.call(conn, args)
        if tree_a[0] == "closed" and tree_b[0] != "closed":
            try:  # a dying server closes its sockets before it is reaped
                self.ours.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        if not self.ours.alive():
            return "ferrodis died"
        name = cmd_name(args)
        na, nb = self.normalized(conn, name, args, tree_a, tree_b)
        if verbose:
            print("  ours:   %s" % esc(raw_a))
            print("  theirs: %s" % esc(raw_b))
        if na != nb:
            return "ours:   %s\ntheirs: %s" % (esc(raw_a)[:2000], esc(raw_b)[:2000])
        return None

    def normalized(self, conn, name, args, ta, tb):
        q = self.queued[conn]
        if name == "multi" and tb[0] == "+":
            self.queued[conn] = []
            return ta, tb
        if tb == ("+", b"QUEUED"):
            q.append((name, args))
            return ta, tb
        if name in ("exec", "discard", "reset", "quit"):
            self.queued[conn] = []
            if name == "exec" and ta[0] == tb[0] == "*" and ta[1] and tb[1] \
                    and len(ta[1]) == len(tb[1]) == len(q):
                na = [normalize(n, a, x) for (n, a), x in zip(q, ta[1])]
                nb = [normalize(n, a, x) for (n, a), x in zip(q, tb[1])]
                return na, nb
            return ta, tb
        na, nb = normalize(name, args, ta), normalize(name, args, tb)
        # When either side stops early, where it stops is its own table's
        # business: only the shape is compared.
        if name in SCANS and "scan-partial" in (na[0], nb[0]) and ta[0] == tb[0] == "*":
            return ("scan-partial", None), ("scan-partial", None)
        return na, nb

    def reset(self):
        self.queued = [[], []]
        self.ours.reset()
        self.theirs.reset()

    def replay(self, cmds):
        """Replay from an empty server; return whether the last command diverges."""
        self.reset()
        for i, (conn, args) in enumerate(cmds):
            d = self.step(conn, args)
            if d is not None:
                return i == len(cmds) - 1
        return False


def shrink(runner, cmds, budget=120.0):
    """Remove commands before the last while the last still diverges.

    Chunks of halving size are dropped greedily (a simple delta debugging)
    within a time budget, so a long prefix gives a short reproducer quickly.
    """
    deadline = time.time() + budget
    last = cmds[-1]
    body = cmds[:-1]
    chunk = max(1, len(body) // 2)
    while chunk >= 1:
        i = 0
        while i < len(body) and time.time() < deadline:
            trial = body[:i] + body[i + chunk:]
            if runner.replay(trial + [last]):
                body = trial
            else:
                i += chunk
        if chunk == 1:
            break
        chunk //= 2
    return body + [last]


def free_ports(n):
    """n ports the kernel has just handed out (and that are free again)."""
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--port", type=int, default=0,
                    help="ferrodis port, redis-server gets the next one (0: two free ports)")
    ap.add_argument("--ferrodis", default=os.path.join(ROOT, "target/release/ferrodis-server"))
    ap.add_argument("--redis", default=shutil.which("redis-server") or "redis-server")
    ap.add_argument("--keep-going", action="store_true",
                    help="report every divergence (no shrinking), do not stop at the first")
    ap.add_argument("--only", help="comma-separated command names to draw from")
    ap.add_argument("-v", "--verbose", action="store_true")
    opts = ap.parse_args()
    # A SIGTERM (timeout, kill) still stops both servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    tmp = tempfile.mkdtemp(prefix="diff_fuzz.")
    ports = [opts.port, opts.port + 1] if opts.port else free_ports(2)
    ours = Side("ferrodis", opts.ferrodis, ports[0], tmp)
    theirs = Side("redis", opts.redis, ports[1], tmp)
    try:
        theirs.start()
        ours.start()
        specs, _ = load_specs(theirs.port)
        # Commands ferrodis does not have (yet) would only diverge as unknown.
        have = command_list(ours.port)
        absent = sorted(n for n in specs if n.split("|")[0] not in have)
        if absent:
            print("absent in ferrodis, not generated: %s" % " ".join(absent))
        specs = {n: s for n, s in specs.items() if n not in absent}
        if opts.only:
            specs = {n: specs[n] for n in opts.only.split(",")}
        rng = random.Random(opts.seed)
        gen = Gen(rng, specs)
        runner = Runner(ours, theirs)
        runner.reset()
        cmds, found = [], 0
        for n in range(opts.count):
            conn = rng.randrange(2)
            args = gen.command()
            cmds.append((conn, args))
            if opts.verbose:
                print("%d RESP%d %s" % (n, conn + 2, " ".join(esc(a) for a in args)))
            d = runner.step(conn, args, opts.verbose)
            if d is None:
                continue
            found += 1
            print("DIVERGENCE at command %d (seed %d): RESP%d %s\n%s" % (
                n, opts.seed, conn + 2, " ".join(esc(a) for a in args), d))
            if opts.keep_going:
                if not ours.alive():
                    print(open(os.path.join(ours.dir, "log"), "rb").read()[-3000:].decode("latin-1"))
                    runner.reset()
                continue
            if not ours.alive():
                print(open(os.path.join(ours.dir, "log"), "rb").read()[-3000:].decode("latin-1"))
            small = shrink(runner, cmds)
            print("minimal reproducer (%d commands, conn 0 = RESP2, 1 = RESP3):" % len(small))
            for conn2, a in small:
                print("  RESP%d %s" % (conn2 + 2, " ".join(esc(x) for x in a)))
            runner.replay(small[:-1])
            print(runner.step(small[-1][0], small[-1][1]))
            return 1
        print("seed %d: %d commands, %d divergences" % (opts.seed, opts.count, found))
        return 1 if found else 0
    finally:
        ours.stop()
        theirs.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
