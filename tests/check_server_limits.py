#!/usr/bin/env python3
"""Hostile clients against `brcheck serve`: a slowloris client (half a request, then silence)
is cut off after the idle timeout; connections over the limit wait (not served) until others close; a flood of half-open and garbage connections crashes nothing.
Usage: check_server_limits.py BRCHECK"""
import socket
import sys
import time

from serverctl import Server, check


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    return s


def closed_within(sock, seconds):
    """True when the server closes the connection within 'seconds'."""
    sock.settimeout(seconds)
    try:
        while True:
            data = sock.recv(4096)
            if not data:
                return True
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def main():
    srv = Server(sys.argv[1], "--quiet", "--idle-timeout", "1", "--max-connections", "8")
    try:
        # Slowloris: a request line and one header, then nothing.
        slow = connect(srv.port)
        slow.sendall(b"GET /v2/backups HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n")
        t0 = time.time()
        check(closed_within(slow, 5), "an idle half-request was never cut off")
        print("slowloris connection closed after %.1fs (idle timeout 1s)" % (time.time() - t0))
        slow.close()

        # Over the connection limit: the extra ones are turned away, the server lives on.
        srv.kill(15)
        srv = Server(sys.argv[1], "--quiet", "--max-connections", "8")
        held = [connect(srv.port) for _ in range(8)]
        time.sleep(0.2)
        extra = connect(srv.port)  # accepted by the kernel, not served while the limit holds
        extra.sendall(b"GET /_brcheck/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n")
        extra.settimeout(1.0)
        try:
            early = extra.recv(4096)
        except socket.timeout:
            early = b""
        check(early == b"", "a connection over the limit was served: %r" % early[:40])
        for s in held:
            s.close()
        extra.settimeout(5.0)
        late = extra.recv(4096)
        check(late.startswith(b"HTTP/1.1 200"), "the waiting connection was not served once "
              "others closed: %r" % late[:40])
        extra.close()
        print("connection limit: the 9th connection waited, then was served")
        time.sleep(0.2)
        st, body = srv.request("GET", "/_brcheck/v1/ping")
        check(st == 200, "server gone after the connection flood: %s" % st)

        # Garbage and truncated requests on many connections.
        junk = [b"\x00\xff" * 100, b"GET / HTTP/9.9\r\n\r\n", b"POST /v2/x HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n",
                b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\n\r\n", b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 5000 + b"\r\n"]
        for j in junk:
            s = connect(srv.port)
            try:
                s.sendall(j)
            except OSError:
                pass
            closed_within(s, 3)
            s.close()
        st, body = srv.request("GET", "/_brcheck/v1/ping")
        check(st == 200, "server gone after garbage: %s" % st)
        check(srv.proc.poll() is None, "server exited")
        print("connection limit held, garbage survived")
    finally:
        srv.kill(15)
    check(srv.proc.returncode == 0, "SIGTERM did not stop the server cleanly: %s" % srv.proc.returncode)


if __name__ == "__main__":
    main()
