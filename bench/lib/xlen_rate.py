"""Delivery rate into a Redis stream: resumes paused clients (when asked), then polls XLEN
until the stream holds EXPECTED entries or stops growing for 5 s. Prints "<entries added>
<seconds> <entries per second>", timed from the resume (or the first poll) to the last growth.

usage: xlen_rate.py PORT STREAM EXPECTED [--unpause]
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


def main(port, stream, expected, unpause):
    sock = socket.create_connection(("127.0.0.1", port))
    start_len = length = int(command(sock, "XLEN", stream))
    if unpause:
        command(sock, "CLIENT", "UNPAUSE")
    start = last = time.monotonic()
    while length < expected and time.monotonic() - last < 5:
        n = int(command(sock, "XLEN", stream))
        if n != length:
            last, length = time.monotonic(), n
        time.sleep(0.002)
    added, seconds = length - start_len, last - start
    print(f"{added} {seconds:.3f} {added / seconds if seconds > 0 else 0:.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), "--unpause" in sys.argv[4:])
