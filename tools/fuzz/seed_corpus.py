#!/usr/bin/env python3
"""Seeds the cargo-fuzz corpora from what redis-server itself writes.

Starts redis-server (port from $SEED_PORT, default 7350), creates every type
and encoding (strings of each form, quicklist with plain, packed and
compressed nodes, intset, set table, zset listpack and skiplist, hash
listpack and table), DUMPs each key and SAVEs the whole dataset. Legacy
encodings Redis 7.0 no longer writes (ziplist, zipmap, quicklist of
ziplists, ZSET with text doubles) are built here byte by byte, as payloads
and as one version-9 file. Each seed is written twice: with the control
byte 0x00 (default limits, shallow) and 0x1f (small limits, deep) that the
fuzz targets read first (tools/fuzz/src/lib.rs `options`).

Usage: seed_corpus.py OUTDIR   (writes OUTDIR/{rdb_load,restore_payload,rdb_roundtrip}/)
"""

import os
import socket
import struct
import subprocess
import sys
import tempfile
import time

PORT = int(os.environ.get("SEED_PORT", "7350"))


def crc64(data, crc=0):
    """CRC-64/Jones as Redis computes it (reflected, init 0)."""
    poly = 0x95AC9329AC4BC9B5
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
    return crc


def resp(sock, *args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    sock.sendall(out)
    return read_reply(sock.makefile("rb"))


def read_reply(f):
    line = f.readline()
    t, rest = line[:1], line[1:-2]
    if t in (b"+", b"-", b":"):
        return rest
    if t == b"$":
        n = int(rest)
        if n < 0:
            return None
        data = f.read(n + 2)
        return data[:-2]
    if t == b"*":
        return [read_reply(f) for _ in range(int(rest))]
    raise RuntimeError("bad reply %r" % line)


def rdb_len(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | (n >> 8), n & 0xFF])
    return b"\x80" + struct.pack(">I", n)


def rdb_str(b):
    return rdb_len(len(b)) + b


def payload(rdb_type, body, version=10):
    p = bytes([rdb_type]) + body + struct.pack("<H", version)
    return p + struct.pack("<Q", crc64(p))


def ziplist(items):
    """A ziplist (ziplist.c layout); items that parse as integers are
    stored in the smallest integer encoding."""
    entries, prev, tail = b"", 0, 10
    for it in items:
        try:
            v = int(it)
            enc = None if str(v).encode() != it else v
        except ValueError:
            enc = None
        if enc is None:
            n = len(it)
            if n < 64:
                e = bytes([n]) + it
            elif n < 16384:
                e = bytes([0x40 | (n >> 8), n & 0xFF]) + it
            else:
                e = b"\x80" + struct.pack(">I", n) + it
        elif 0 <= enc <= 12:
            e = bytes([0xF1 + enc])
        elif -128 <= enc < 128:
            e = b"\xfe" + struct.pack("<b", enc)
        elif -32768 <= enc < 32768:
            e = b"\xc0" + struct.pack("<h", enc)
        elif -(2**31) <= enc < 2**31:
            e = b"\xd0" + struct.pack("<i", enc)
        else:
            e = b"\xe0" + struct.pack("<q", enc)
        pl = bytes([prev]) if prev < 254 else b"\xfe" + struct.pack("<I", prev)
        tail = 10 + len(entries)
        entry = pl + e
        entries += entry
        prev = len(entry)
    total = 10 + len(entries) + 1
    return struct.pack("<IIH", total, tail, len(items)) + entries + b"\xff"


def zipmap(pairs):
    out = bytes([len(pairs)])
    for k, v in pairs:
        out += bytes([len(k)]) + k + bytes([len(v), 1]) + v + b"\x00"
    return out + b"\xff"


def legacy_payloads():
    items = [b"a", b"12", b"-7", b"300", b"70000", b"5000000000", b"x" * 70]
    pairs = [b"f1", b"v1", b"f2", b"22", b"f3", b"x" * 30]
    zitems = [b"m1", b"1", b"m2", b"2.5", b"m3", b"-3"]
    ql = rdb_len(2) + rdb_str(ziplist(items[:4])) + rdb_str(ziplist(items[4:]))
    return {
        "list-ziplist": payload(10, rdb_str(ziplist(items)), 9),
        "list-quicklist-ziplists": payload(14, ql, 9),
        "hash-ziplist": payload(13, rdb_str(ziplist(pairs)), 9),
        "zset-ziplist": payload(12, rdb_str(ziplist(zitems)), 9),
        "hash-zipmap": payload(9, rdb_str(zipmap([(b"a", b"1"), (b"bb", b"two")])), 9),
        "zset-text": payload(3, rdb_len(2) + rdb_str(b"a") + b"\x031.5" + rdb_str(b"b") + b"\xfd", 9),
        "list-plain": payload(1, rdb_len(2) + rdb_str(b"a") + rdb_str(b"bb"), 9),
        "set-plain": payload(2, rdb_len(2) + rdb_str(b"a") + rdb_str(b"bb"), 9),
        "hash-plain": payload(4, rdb_len(1) + rdb_str(b"f") + rdb_str(b"v"), 9),
    }


def legacy_file(payloads):
    body = b"REDIS0009" + b"\xfe\x00"
    for i, p in enumerate(payloads.values()):
        value = p[:-10]
        body += value[:1] + rdb_str(b"k%d" % i) + value[1:]
    body += b"\xff"
    return body + struct.pack("<Q", crc64(body))


def populate(s):
    r = lambda *a: resp(s, *a)
    r("SET", "s-int", "12345")
    r("SET", "s-big-int", "1234567890123")
    r("SET", "s-short", "hello")
    r("SET", "s-lzf", "abc" * 40)
    r("SET", "s-raw", os.urandom(50))
    r("SET", "s-ttl", "v", "PX", "100000000")
    r("RPUSH", "l-small", "a", "1", "-2", "300", "bb")
    for i in range(300):
        r("RPUSH", "l-big", "element-%d-%s" % (i, "x" * (i % 20)))
    r("RPUSH", "l-plain", "y" * 9000, "z")
    r("SADD", "set-int", *range(-5, 20))
    r("SADD", "set-table", "a", "b", "c", "10")
    r("ZADD", "z-lp", 1, "a", 2.5, "b", "-inf", "c")
    for i in range(200):
        r("ZADD", "z-skip", i * 0.5, "m%d" % i)
    r("ZADD", "z-skip", "inf", "top")
    r("HSET", "h-lp", "f1", "v1", "f2", "2")
    for i in range(600):
        r("HSET", "h-table", "field%d" % i, "value%d" % i)
    for i in range(1, 120):
        r("XADD", "stream", "%d-%d" % (i, i % 3), "f", "v%d" % i, "n", i)
    r("XGROUP", "CREATE", "stream", "g1", "0")
    r("XREADGROUP", "GROUP", "g1", "alice", "COUNT", 5, "STREAMS", "stream", ">")
    r("XDEL", "stream", "3-0")
    r("SELECT", 3)
    r("SET", "db3", "x")
    r("SELECT", 0)


def write_seed(outdir, target, name, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    for ctl in (0x00, 0x1F):
        with open(os.path.join(d, "%s-%02x" % (name, ctl)), "wb") as f:
            f.write(bytes([ctl]) + data)


def main():
    outdir = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "corpus")
    tmp = tempfile.mkdtemp(prefix="ferrodis-seeds-")
    srv = subprocess.Popen(
        ["redis-server", "--port", str(PORT), "--save", "", "--dir", tmp,
         "--list-compress-depth", "1", "--list-max-listpack-size", "16"],
        stdout=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                s = socket.create_connection(("127.0.0.1", PORT))
                break
            except OSError:
                time.sleep(0.05)
        populate(s)
        for key in resp(s, "KEYS", "*"):
            write_seed(outdir, "restore_payload", key.decode(), resp(s, "DUMP", key))
        resp(s, "SAVE")
        rdb = open(os.path.join(tmp, "dump.rdb"), "rb").read()
        resp(s, "CONFIG", "SET", "rdbcompression", "no")
        resp(s, "SAVE")
        plain = open(os.path.join(tmp, "dump.rdb"), "rb").read()
    finally:
        srv.terminate()
        srv.wait()
    legacy = legacy_payloads()
    for name, p in legacy.items():
        write_seed(outdir, "restore_payload", name, p)
    for target in ("rdb_load", "rdb_roundtrip"):
        write_seed(outdir, target, "redis-all-types", rdb)
        write_seed(outdir, target, "redis-uncompressed", plain)
        write_seed(outdir, target, "legacy-v9", legacy_file(legacy))
    print("seeds written to", outdir)


if __name__ == "__main__":
    main()
