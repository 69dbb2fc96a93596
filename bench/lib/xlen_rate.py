"""Delivery rate into a Redis stream: polls XLEN until the stream holds EXPECTED entries or
stops growing for 5 s, and prints "<final length> <entries added> <seconds> <entries per
second>", timed to the last growth from:
  --unpause    resuming paused clients (CLIENT UNPAUSE), which this script does;
  --since T    the wall-clock time T (seconds since the epoch), counting from an empty stream;
  otherwise    the poll before the first growth.

usage: xlen_rate.py PORT STREAM EXPECTED [--unpause | --since T]
"""

import socket
import sys
import time


def command(sock, *args):
    msg = f"*{len(args)}\r\n" + "".join(f"${len(a.encode())}\r\n{a}\r\n" for a in args)
    sock.sendall(msg.encode())
    reply = b""
    while not reply.endswith(b"\r\n"):
        reply += sock.recv(4096)
    if reply[:1] == b"-":
        raise RuntimeError(reply.decode().strip())
    return reply[1:].strip().decode()


def main(port, stream, expected, options):
    sock = socket.create_connection(("127.0.0.1", port))
    length = int(command(sock, "XLEN", stream))
    start = start_len = None
    if "--unpause" in options:
        command(sock, "CLIENT", "UNPAUSE")
        start, start_len = time.time(), length
    elif "--since" in options:
        start, start_len = float(options[options.index("--since") + 1]), 0
    polled = last = time.time()
    while length < expected and time.time() - last < 5:
        n = int(command(sock, "XLEN", stream))
        now = time.time()
        if n != length:
            if start is None:
                start, start_len = polled, length
            last, length = now, n
        polled = now
        time.sleep(0.002)
    if start is None:
        print(f"{length} 0 0 0")
        return
    added, seconds = length - start_len, last - start
    print(f"{length} {added} {seconds:.3f} {added / seconds if seconds > 0 else 0:.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4:])
