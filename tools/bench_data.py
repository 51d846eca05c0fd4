"""Data for tools/bench.py: a minimal RESP client, a pipelined loader, and
the data sets of the memory and persistence sections.
"""

import socket

from bench_parse import LineReplies, parse_info


# ---------------------------------------------------------------- RESP

class RespError(Exception):
    pass


class Conn:
    """A minimal blocking RESP2 client: enough for INFO, FLUSHALL, BGSAVE."""

    def __init__(self, port, timeout=120):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _fill(self):
        chunk = self.sock.recv(1 << 16)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            return RespError(rest.decode("latin-1"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._reply() for _ in range(n)]
        raise ConnectionError("bad reply line %r" % line[:80])

    def call(self, *args):
        self.sock.sendall(encode(*args))
        return self._reply()

    def info(self, section=None):
        reply = self.call("INFO", section) if section else self.call("INFO")
        if isinstance(reply, RespError):
            return {}
        return parse_info(reply.decode("latin-1"))


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def bulk(b):
    return b"$%d\r\n%s\r\n" % (len(b), b)


def load(port, batches):
    """Sends each (payload, commands) batch and reads its one-line replies.

    Returns None, or the first error reply's text.
    """
    with socket.create_connection(("127.0.0.1", port), timeout=300) as s:
        replies = LineReplies()
        expected = 0
        for payload, count in batches:
            s.sendall(payload)
            expected += count
            while replies.count < expected:
                chunk = s.recv(1 << 16)
                if not chunk:
                    return "connection closed"
                replies.feed(chunk)
        return replies.first_error


# ---------------------------------------------------------------- data sets

def strings_batches(n, batch=10000):
    """SET key:%012d xxx, the key format of redis-benchmark -r."""
    for start in range(0, n, batch):
        end = min(n, start + batch)
        yield (b"".join(b"*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$3\r\nxxx\r\n" % i
                        for i in range(start, end)), end - start)


def collection_batches(cmd, key, n, element, per_cmd=1000, cmds_per_batch=10):
    """`cmd key <element(i)...>` with per_cmd elements per command."""
    head = bulk(cmd) + bulk(key)
    payload, count = [], 0
    for start in range(0, n, per_cmd):
        end = min(n, start + per_cmd)
        parts = [element(i) for i in range(start, end)]
        nargs = 2 + sum(len(p) for p in parts)
        payload.append(b"*%d\r\n" % nargs + head + b"".join(bulk(a) for p in parts for a in p))
        count += 1
        if count == cmds_per_batch:
            yield b"".join(payload), count
            payload, count = [], 0
    if count:
        yield b"".join(payload), count


def small_hashes_batches(n, fields=10, batch=2000):
    """n hashes hash:%06d of `fields` short fields: listpack in both servers."""
    for start in range(0, n, batch):
        end = min(n, start + batch)
        cmds = []
        for i in range(start, end):
            args = [b"HSET", b"hash:%06d" % i]
            for f in range(fields):
                args += [b"field%d" % f, b"value%d" % (i + f)]
            cmds.append(b"*%d\r\n" % len(args) + b"".join(bulk(a) for a in args))
        yield b"".join(cmds), end - start


def datasets(n_big, n_small):
    """(name, elements, batches factory) for the memory section."""
    return [
        ("%s small strings (SET key:%%012d xxx)" % fmt_count(n_big), n_big,
         lambda: strings_batches(n_big)),
        ("1 hash of %s fields" % fmt_count(n_big), n_big,
         lambda: collection_batches(b"HSET", b"bighash", n_big,
                                    lambda i: (b"field:%d" % i, b"value:%d" % i))),
        ("1 set of %s members" % fmt_count(n_big), n_big,
         lambda: collection_batches(b"SADD", b"bigset", n_big, lambda i: (b"member:%d" % i,))),
        ("1 zset of %s members" % fmt_count(n_big), n_big,
         lambda: collection_batches(b"ZADD", b"bigzset", n_big,
                                    lambda i: (b"%d" % i, b"member:%d" % i))),
        ("1 list of %s elements" % fmt_count(n_big), n_big,
         lambda: collection_batches(b"RPUSH", b"biglist", n_big,
                                    lambda i: (b"element:%d" % i,))),
        ("%s small hashes (10 fields each)" % fmt_count(n_small), n_small,
         lambda: small_hashes_batches(n_small)),
    ]


def fmt_count(n):
    if n % 1000000 == 0:
        return "%dM" % (n // 1000000)
    if n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)
