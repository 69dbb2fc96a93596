"""Writes N conversion events, as the module would send them, to a Redis stream with pipelined
XADDs: each with its own event id and order, codes spread over 1000 referrers.

usage: conversions.py PORT STREAM N
"""

import base64
import os
import socket
import sys
import time


def resp(*args):
    out = [f"*{len(args)}\r\n".encode()]
    for a in args:
        b = a.encode()
        out.append(f"${len(b)}\r\n".encode() + b + b"\r\n")
    return b"".join(out)


def b64(n):
    return base64.urlsafe_b64encode(os.urandom(n)).rstrip(b"=").decode()


def read_replies(sock, count):
    """Reads count XADD replies ("$<len>\r\n<id>\r\n"); raises on an error reply."""
    buf = b""
    while buf.count(b"\r\n") < 2 * count:
        data = sock.recv(65536)
        buf += data
        if not data or buf.startswith(b"-") or b"\r\n-" in buf:
            raise RuntimeError(buf.decode(errors="replace"))


def main(port, stream, n):
    sock = socket.create_connection(("127.0.0.1", port))
    now = int(time.time() * 1000)
    chunk = 1000
    for start in range(0, n, chunk):
        batch = b"".join(
            resp("XADD", stream, "*", "v", "1", "type", "conversion", "id", b64(16),
                 "ts", str(now), "site", "bench.example", "code", f"code{i % 1000}",
                 "click", b64(16), "first_ts", str(now - 3600_000), "ip", "0123456789abcdef",
                 "ua", "fedcba9876543210", "order", f"order-{i}", "customer", f"customer-{i}",
                 "amount", "1000", "currency", "EUR", "trust", "upstream", "status", "200")
            for i in range(start, min(n, start + chunk)))
        sock.sendall(batch)
        read_replies(sock, min(chunk, n - start))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]))
