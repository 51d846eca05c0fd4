#!/usr/bin/env python3
"""Generates src/cmd/meta_data.rs from a live redis-server 7.0.15.

The command metadata (arity, flags, ACL categories, key specs, tips, docs and
arguments) is read from the server's own `COMMAND INFO` and `COMMAND DOCS`
replies over RESP3, so maps keep their order and sets stay sets. The output is
data only: one `CommandMeta` row per command, sorted by name, subcommands
nested and sorted by name, so the file is deterministic.

Usage:
    tools/gen_command_meta.py                 # starts its own redis-server
    tools/gen_command_meta.py --port 7150     # uses a running server
    tools/gen_command_meta.py --check         # exits 1 if the file is stale

A few facts are not on the wire and are added here (see HIDDEN_FLAGS).
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

REDIS_VERSION = "7.0.15"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "cmd", "meta_data.rs")

# Flags Redis hides from COMMAND INFO (its reply table skips them on purpose)
# but that change behaviour: `protected` commands obey enable-debug-command /
# enable-module-command. Taken from Redis 7.0's command JSON files.
HIDDEN_FLAGS = {
    "debug": ["PROTECTED"],
    "module|load": ["PROTECTED"],
    "module|loadex": ["PROTECTED"],
    "module|unload": ["PROTECTED"],
    # CMD_MAY_REPLICATE: COMMAND INFO hides it on purpose in 7.0, but CLIENT
    # PAUSE WRITE holds these commands (commands.c).
    "pfcount": ["MAY_REPLICATE"],
    "publish": ["MAY_REPLICATE"],
    "spublish": ["MAY_REPLICATE"],
    "eval": ["MAY_REPLICATE"],
    "evalsha": ["MAY_REPLICATE"],
    "fcall": ["MAY_REPLICATE"],
}

# Names as COMMAND INFO prints them -> the Rust constant in meta::flags.
CMD_FLAGS = {
    "write": "WRITE", "readonly": "READONLY", "denyoom": "DENYOOM", "module": "MODULE",
    "admin": "ADMIN", "pubsub": "PUBSUB", "noscript": "NOSCRIPT", "blocking": "BLOCKING",
    "loading": "LOADING", "stale": "STALE", "skip_monitor": "SKIP_MONITOR",
    "skip_slowlog": "SKIP_SLOWLOG", "asking": "ASKING", "fast": "FAST", "no_auth": "NO_AUTH",
    "may_replicate": "MAY_REPLICATE", "no_mandatory_keys": "NO_MANDATORY_KEYS",
    "no_async_loading": "NO_ASYNC_LOADING", "no_multi": "NO_MULTI",
    "movablekeys": "MOVABLE_KEYS", "allow_busy": "ALLOW_BUSY",
}
ACL_CATS = [
    "keyspace", "read", "write", "set", "sortedset", "list", "hash", "string", "bitmap",
    "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking",
    "dangerous", "connection", "transaction", "scripting",
]
KEY_FLAGS = {
    "RO": "RO", "RW": "RW", "OW": "OW", "RM": "RM", "access": "ACCESS", "update": "UPDATE",
    "insert": "INSERT", "delete": "DELETE", "not_key": "NOT_KEY", "incomplete": "INCOMPLETE",
    "variable_flags": "VARIABLE_FLAGS",
}
ARG_TYPES = {
    "string": "Str", "integer": "Int", "double": "Double", "key": "Key", "pattern": "Pattern",
    "unix-time": "UnixTime", "pure-token": "PureToken", "oneof": "OneOf", "block": "Block",
}
ARG_FLAGS = {"optional": "OPTIONAL", "multiple": "MULTIPLE", "multiple_token": "MULTIPLE_TOKEN"}
DOC_FLAGS = {"deprecated": "DEPRECATED", "syscmd": "SYSCMD"}


# ---------------------------------------------------------------- RESP3 reader

class Map(list):
    """An ordered RESP3 map: a list of (key, value) pairs."""

    def get(self, key, default=None):
        for k, v in self:
            if k == key:
                return v
        return default

    def keys(self):
        return [k for k, _ in self]


class Set(list):
    pass


class Simple(str):
    pass


class RespError(Exception):
    pass


class Conn:
    def __init__(self, sock):
        self.sock = sock
        self.f = sock.makefile("rb")

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.read()

    def line(self):
        ln = self.f.readline()
        if not ln.endswith(b"\r\n"):
            raise RespError("connection closed")
        return ln[:-2]

    def read(self):
        ln = self.line()
        t, rest = ln[:1], ln[1:].decode()
        if t == b"+":
            return Simple(rest)
        if t == b"-":
            raise RespError(rest)
        if t == b":":
            return int(rest)
        if t == b"_":
            return None
        if t in (b"$", b"="):
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode("utf-8")
        if t in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return None
            items = [self.read() for _ in range(n)]
            return Set(items) if t == b"~" else items
        if t == b"%":
            return Map((self.read(), self.read()) for _ in range(int(rest)))
        raise RespError("unexpected reply type %r" % ln)


def start_server():
    """Starts a private redis-server on a unix socket; returns (proc, dir)."""
    d = tempfile.mkdtemp(prefix="gen-meta-")
    sock = os.path.join(d, "redis.sock")
    proc = subprocess.Popen(
        ["redis-server", "--port", "0", "--unixsocket", sock, "--save", "", "--appendonly", "no",
         "--dir", d, "--logfile", os.path.join(d, "log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(500):
        if os.path.exists(sock):
            s = socket.socket(socket.AF_UNIX)
            try:
                s.connect(sock)
                return proc, d, s
            except OSError:
                s.close()
        time.sleep(0.01)
    proc.kill()
    raise SystemExit("redis-server did not start")


# ---------------------------------------------------------------- model

def check_keys(what, m, allowed):
    extra = [k for k in m.keys() if k not in allowed]
    if extra:
        raise SystemExit("%s: unexpected fields %r (update the generator and meta.rs)" % (what, extra))


def rs_str(s):
    out = []
    for ch in s:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) > 0x7e:
            out.append("\\u{%x}" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def rs_opt(s):
    return "None" if s is None else "Some(%s)" % rs_str(s)


def bits(names, table, module, what):
    out = []
    for n in names:
        if n not in table:
            raise SystemExit("%s: unknown flag %r" % (what, n))
        out.append("%s::%s" % (module, table[n]))
    return " | ".join(out) if out else "0"


def gen_key_spec(name, ks):
    check_keys(name + " key spec", ks, ["notes", "flags", "begin_search", "find_keys"])
    bs, fk = ks.get("begin_search"), ks.get("find_keys")
    bt, bspec = bs.get("type"), bs.get("spec")
    if bt == "index":
        b = "BeginSearch::Index(%d)" % bspec.get("index")
    elif bt == "keyword":
        b = "BeginSearch::Keyword { keyword: %s, startfrom: %d }" % (
            rs_str(bspec.get("keyword")), bspec.get("startfrom"))
    elif bt == "unknown":
        b = "BeginSearch::Unknown"
    else:
        raise SystemExit("%s: begin_search %r" % (name, bt))
    ft, fspec = fk.get("type"), fk.get("spec")
    if ft == "range":
        f = "FindKeys::Range { lastkey: %d, keystep: %d, limit: %d }" % (
            fspec.get("lastkey"), fspec.get("keystep"), fspec.get("limit"))
    elif ft == "keynum":
        f = "FindKeys::Keynum { keynumidx: %d, firstkey: %d, keystep: %d }" % (
            fspec.get("keynumidx"), fspec.get("firstkey"), fspec.get("keystep"))
    elif ft == "unknown":
        f = "FindKeys::Unknown"
    else:
        raise SystemExit("%s: find_keys %r" % (name, ft))
    return "KeySpec { notes: %s, flags: %s, begin_search: %s, find_keys: %s }" % (
        rs_opt(ks.get("notes")), bits(ks.get("flags"), KEY_FLAGS, "key", name), b, f)


ARG_FIELDS = ["name", "type", "key_spec_index", "token", "summary", "since", "deprecated_since",
              "flags", "arguments"]


def gen_args(cmd, args, indent):
    pad = " " * indent
    lines = []
    for a in args:
        check_keys(cmd + " argument", a, ARG_FIELDS)
        t = a.get("type")
        if t not in ARG_TYPES:
            raise SystemExit("%s: argument type %r" % (cmd, t))
        s = "arg(%s, %s)" % (rs_str(a.get("name")), ARG_TYPES[t])
        if a.get("key_spec_index") is not None:
            s += ".key_spec(%d)" % a.get("key_spec_index")
        for field in ("token", "summary", "since", "deprecated_since"):
            if a.get(field) is not None:
                s += ".%s(%s)" % (field, rs_str(a.get(field)))
        if a.get("flags") is not None:
            s += ".flags(%s)" % bits(a.get("flags"), ARG_FLAGS, "argflag", cmd)
        sub = a.get("arguments")
        if sub is not None:
            if t not in ("oneof", "block"):
                raise SystemExit("%s: arguments under a %s" % (cmd, t))
            lines.append(pad + s + ".args(&[")
            lines.extend(gen_args(cmd, sub, indent + 4))
            lines.append(pad + "]),")
        else:
            if t in ("oneof", "block"):
                raise SystemExit("%s: %s without arguments" % (cmd, t))
            lines.append(pad + s + ",")
    return lines


DOC_FIELDS = ["summary", "since", "group", "complexity", "doc_flags", "deprecated_since",
              "replaced_by", "history", "arguments", "subcommands"]


def gen_command(info, docs, indent):
    pad = " " * indent
    name = info[0]
    check_keys(name + " docs", docs, DOC_FIELDS)
    flags = list(info[2]) + [f.lower() for f in HIDDEN_FLAGS.get(name, [])]
    table = dict(CMD_FLAGS, protected="PROTECTED")
    acl = []
    for c in info[6]:
        if not c.startswith("@") or c[1:] not in ACL_CATS:
            raise SystemExit("%s: ACL category %r" % (name, c))
        acl.append("acl::%s" % c[1:].upper())
    L = [pad + "CommandMeta {"]
    p = pad + "    "
    L.append(p + "name: %s," % rs_str(name))
    L.append(p + "arity: %d," % info[1])
    L.append(p + "flags: %s," % bits(flags, table, "flags", name))
    L.append(p + "acl: %s," % (" | ".join(acl) if acl else "0"))
    L.append(p + "legacy_keys: (%d, %d, %d)," % (info[3], info[4], info[5]))
    L.append(p + "tips: &[%s]," % ", ".join(rs_str(t) for t in info[7]))
    if info[8]:
        L.append(p + "key_specs: &[")
        for ks in info[8]:
            L.append(p + "    " + gen_key_spec(name, ks) + ",")
        L.append(p + "],")
    else:
        L.append(p + "key_specs: &[],")
    L.append(p + "docs: Docs {")
    q = p + "    "
    for field in ("summary", "since", "group"):
        if docs.get(field) is None:
            raise SystemExit("%s: docs lack %s" % (name, field))
        L.append(q + "%s: %s," % (field, rs_str(docs.get(field))))
    L.append(q + "complexity: %s," % rs_opt(docs.get("complexity")))
    L.append(q + "doc_flags: %s," % bits(docs.get("doc_flags") or [], DOC_FLAGS, "docflag", name))
    L.append(q + "deprecated_since: %s," % rs_opt(docs.get("deprecated_since")))
    L.append(q + "replaced_by: %s," % rs_opt(docs.get("replaced_by")))
    hist = docs.get("history") or []
    L.append(q + "history: &[%s]," % ", ".join(
        "(%s, %s)" % (rs_str(v), rs_str(d)) for v, d in hist))
    args = docs.get("arguments")
    if args:
        L.append(q + "args: &[")
        L.extend(gen_args(name, args, len(q) + 4))
        L.append(q + "],")
    else:
        L.append(q + "args: &[],")
    L.append(p + "},")
    subs = info[9]
    if subs:
        sub_docs = docs.get("subcommands")
        L.append(p + "subcommands: &[")
        for s in sorted(subs, key=lambda c: c[0]):
            L.extend(gen_command(s, sub_docs.get(s[0]), indent + 8))
        L.append(p + "],")
    else:
        L.append(p + "subcommands: &[],")
    L.append(pad + "},")
    return L


HEADER = """\
// @generated by tools/gen_command_meta.py from redis-server {version}'s
// COMMAND INFO and COMMAND DOCS. Do not edit by hand: regenerate instead.
//! Every Redis {version} command's metadata, one row per command, sorted by name.

use super::meta::ArgType::*;
use super::meta::*;

/// All top-level commands, sorted by name (`meta::find` binary-searches it).
#[rustfmt::skip]
pub static COMMANDS: &[CommandMeta] = &[
"""


def generate(conn):
    hello = conn.call("HELLO", "3")
    version = hello.get("version")
    if version != REDIS_VERSION:
        raise SystemExit("redis-server is %s, expected %s" % (version, REDIS_VERSION))
    infos = conn.call("COMMAND", "INFO")
    docs = conn.call("COMMAND", "DOCS")
    lines = HEADER.format(version=version).splitlines()
    for info in sorted(infos, key=lambda c: c[0]):
        lines.extend(gen_command(info, docs.get(info[0]), 4))
    lines.append("];")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port", type=int, help="use a running redis-server on 127.0.0.1:PORT")
    ap.add_argument("--check", action="store_true", help="fail if the file is out of date")
    ap.add_argument("--out", default=OUT)
    opts = ap.parse_args()
    proc = tmp = None
    if opts.port:
        sock = socket.create_connection(("127.0.0.1", opts.port))
    else:
        if not shutil.which("redis-server"):
            raise SystemExit("redis-server is not installed")
        proc, tmp, sock = start_server()
    try:
        text = generate(Conn(sock))
    finally:
        sock.close()
        if proc:
            proc.terminate()
            proc.wait()
            shutil.rmtree(tmp, ignore_errors=True)
    if opts.check:
        with open(opts.out) as f:
            if f.read() != text:
                print("%s is out of date: run tools/gen_command_meta.py" % opts.out)
                return 1
        return 0
    with open(opts.out, "w") as f:
        f.write(text)
    print("wrote %s" % os.path.relpath(opts.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
