#!/usr/bin/env python3
"""`brcheck serve` operations: the admin clock, the wall clock, the graceful stop, faults, the
header deadline and the admin calls' validation. Every refusal is checked to change nothing
(the world's digest and clock before and after).

usage: check_server_ops.py BRCHECK SECTION
SECTION: clock-bound | wall-advance | stop | header-timeout | admin-refusals"""
import json
import os
import signal
import socket
import sys
import threading
import time

from serverctl import ADMIN, Server, check

ZKEY = {"Authorization": "Bearer zilliz-demo-key"}
ZPROJECT = "proj-demo0000000000000001"
ZCLUSTER = "in01-demo0dedicated01"


def state(srv):
    st, d = srv.admin("GET", "digest")
    check(st == 200, "digest: %s %s" % (st, d))
    st, c = srv.admin("GET", "clock")
    check(st == 200, "clock: %s %s" % (st, c))
    return d["digest"], c["epoch"]


def refused(srv, method, call, body, status, words):
    """An admin call answered 'status' with an error naming 'words', the world unchanged."""
    before = state(srv)
    st, ans = srv.admin(method, call, body)
    check(st == status and isinstance(ans, dict) and words in ans.get("error", ""),
          "%s %s %s: wanted %d naming %r, got %s %s" % (method, call, json.dumps(body), status,
                                                        words, st, ans))
    check(state(srv) == before, "%s %s %s changed the world" % (method, call, json.dumps(body)))
    print("ok    %s %s %s -> %d" % (method, call, json.dumps(body)[:60], st))


def clock_bound(brcheck):
    srv = Server(brcheck, "--quiet")
    try:
        bound = "315360000 seconds (3650 days)"
        # Past the bound after the unit (the number alone is small), past it as an integer,
        # far past it (once answered 200 with the clock unchanged), and past 64 bits.
        for adv in ("36501d", "3651d", "87601h", "5256001m", 315360001, 9223372036854775807,
                    1000000000000, "99999999999999999999d"):
            refused(srv, "POST", "clock", {"advance": adv}, 400, bound)
        refused(srv, "POST", "clock", {"advance": "10y"}, 400, "a duration like")
        refused(srv, "POST", "clock", {"advance": " 5"}, 400, "a duration like")
        # The bound itself is allowed, and moves the clock by exactly that.
        _, t0 = state(srv)
        st, ans = srv.admin("POST", "clock", {"advance": "3650d"})
        check(st == 200 and ans["epoch"] == t0 + 3650 * 86400, "advance 3650d: %s %s" % (st, ans))
        print("ok    advance 3650d moved the clock 3650 days")
    finally:
        srv.kill(15)


def wall_advance(brcheck):
    d = os.path.join(os.environ.get("TMPDIR", "/tmp"), "brcheck-ops-%d" % os.getpid())
    os.makedirs(d, exist_ok=True)
    journal = os.path.join(d, "state")
    if os.path.exists(journal):
        os.remove(journal)
    srv = Server(brcheck, "--quiet", "--clock", "wall", "--state", journal)
    try:
        st, ans = srv.admin("POST", "clock", {"advance": "1h"})
        check(st == 200, "advance 1h: %s %s" % (st, ans))
        t1 = ans["epoch"]
        check(abs(t1 - (time.time() + 3600)) < 5, "advance 1h: world at %d, real %d" % (t1, time.time()))
        time.sleep(2.2)
        _, t2 = state(srv)
        # The clock keeps running after an advance (it stood still until real time caught up).
        check(t2 >= t1 + 2, "the wall clock stood still after an advance: %d then %d" % (t1, t2))
        print("ok    wall clock runs on after an advance (%d -> %d)" % (t1, t2))
        srv.kill(15)
        # The journal replays the advance from the time it was made, and the clock goes on
        # from real time plus the offset: never back before what was answered.
        with open(journal) as f:
            recs = [json.loads(line.split(" ", 2)[2]) for line in f
                    if line.strip() and not line.startswith("brcheck-journal ")]
        adv = [r for r in recs if r.get("k") == "advance"]
        check(adv and "t" in adv[0], "the advance record carries no time: %s" % adv)
        srv = Server(brcheck, "--quiet", "--clock", "wall", "--state", journal)
        _, t3 = state(srv)
        check(t3 >= t2 and abs(t3 - (time.time() + 3600)) < 5,
              "after a restart the wall clock is at %d (before: %d; real + 1h: %d)"
              % (t3, t2, time.time() + 3600))
        print("ok    restart: the clock is real time + 1h (%d), not before %d" % (t3, t2))
    finally:
        srv.kill(15)
        if os.path.exists(journal):
            os.remove(journal)


def raw(port, text, timeout=10):
    """Sends one request on a fresh connection; returns (status, body) or the exception."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError as e:
        return (type(e).__name__, b"")
    try:
        s.sendall(text.encode())
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        if not head:
            return ("closed", b"")
        return (int(head.split()[1]), body)
    except OSError as e:
        return (type(e).__name__, b"")
    finally:
        s.close()


def post(path, body, headers):
    payload = json.dumps(body)
    hs = "".join("%s: %s\r\n" % kv for kv in headers.items())
    return ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (path, hs, len(payload), payload))


def stop(brcheck):
    """A delay fault holds three writes; SIGTERM half a second in: all three get their answer,
    a new connection is refused, the server exits 0."""
    journal = os.path.join(os.environ.get("TMPDIR", "/tmp"), "brcheck-stop-%d" % os.getpid())
    if os.path.exists(journal):
        os.remove(journal)
    srv = Server(brcheck, "--quiet", "--threads", "4", "--state", journal)
    try:
        st, ans = srv.admin("POST", "faults", {"path": "/v2/clusters/*", "delayMs": 3000, "times": 0})
        check(st == 201, "arming the delay: %s %s" % (st, ans))
        results = [None] * 3
        path = "/v2/clusters/%s/backups/policy" % ZCLUSTER
        # A keep-alive connection opened before the stop, idle at SIGTERM.
        idle = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        idle.sendall(b"GET /_brcheck/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n")
        check(idle.recv(4096).startswith(b"HTTP/1.1 200"), "keep-alive ping before the stop")

        def send(i):
            results[i] = raw(srv.port, post(path, {"enabled": True},
                                            ZKEY))
        threads = [threading.Thread(target=send, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        t0 = time.time()
        os.killpg(srv.proc.pid, signal.SIGTERM)
        time.sleep(0.3)
        late = raw(srv.port, "GET /_brcheck/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n", timeout=3)
        # A write on the open connection during the stop is refused, not run.
        idle.sendall(post("/_brcheck/v1/sim", {"op": "write", "cluster": ZCLUSTER},
                          ADMIN).encode())
        kept = b""
        try:
            while True:
                c = idle.recv(4096)
                if not c:
                    break
                kept += c
        except OSError:
            pass
        idle.close()
        check(kept.startswith(b"HTTP/1.1 503"), "a request on an open connection during the "
              "stop: %r" % kept[:60])
        for t in threads:
            t.join(15)
        rc = srv.proc.wait(timeout=20)
        took = time.time() - t0
        print("      answers: %s; a new connection during the stop: %s; exit %s after %.1fs"
              % ([r[0] for r in results], late[0], rc, took))
        check(all(r and isinstance(r[0], int) and r[0] < 500 for r in results),
              "a request in flight at SIGTERM lost its answer: %s" % results)
        check(not isinstance(late[0], int) or late[0] == 503,
              "a new request during the stop was run: %s" % (late,))
        check(rc == 0, "exit status %s after SIGTERM" % rc)
        with open(journal) as f:
            kinds = [json.loads(line.split(" ", 2)[2]).get("k") for line in f
                    if line.strip() and not line.startswith("brcheck-journal ")]
        check("sim" not in kinds, "the write refused during the stop was journaled: %s" % kinds)
        print("ok    SIGTERM: every request in flight answered, new work refused, exit 0")

        # A second signal during the wait exits at once.
        srv = Server(brcheck, "--quiet")
        srv.admin("POST", "faults", {"path": "/v2/clusters/*", "delayMs": 20000, "times": 0})
        t = threading.Thread(target=send, args=(0,))
        t.start()
        time.sleep(0.5)
        os.killpg(srv.proc.pid, signal.SIGINT)
        time.sleep(0.5)
        check(srv.proc.poll() is None, "the stop did not wait for the delayed answer")
        t0 = time.time()
        os.killpg(srv.proc.pid, signal.SIGINT)
        rc = srv.proc.wait(timeout=5)
        check(time.time() - t0 < 3 and rc == 1, "second SIGINT: exit %s after %.1fs"
              % (rc, time.time() - t0))
        t.join(5)
        print("ok    a second SIGINT exits at once (status 1)")
    finally:
        srv.kill(9)
        if os.path.exists(journal):
            os.remove(journal)


def header_timeout(brcheck):
    srv = Server(brcheck, "--quiet", "--header-timeout", "2", "--idle-timeout", "30",
                 "--max-connections", "3")
    try:
        # Three slowloris clients each send one header line every half second: each connection
        # is closed about 2 s after it began, though never idle.
        def slow(out, i):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=20)
            t0 = time.time()
            try:
                s.sendall(b"GET /_brcheck/v1/ping HTTP/1.1\r\nHost: x\r\n")
                for k in range(40):
                    time.sleep(0.5)
                    s.sendall(b"X-Slow-%d: %d\r\n" % (k, k))
                out[i] = ("never closed", time.time() - t0)
            except OSError:
                out[i] = ("closed", time.time() - t0)
            finally:
                s.close()
        out = [None] * 3
        ts = [threading.Thread(target=slow, args=(out, i)) for i in range(3)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(30)
        print("      slowloris connections: %s" % out)
        check(all(o and o[0] == "closed" and o[1] < 6 for o in out),
              "a slowloris connection outlived the 2 s header timeout: %s" % out)
        st, ans = srv.request("GET", "/_brcheck/v1/ping")
        check(st == 200, "served after the slowloris clients: %s" % st)
        # A keep-alive connection between requests is not cut by the header deadline.
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        s.sendall(b"GET /_brcheck/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n")
        first = s.recv(4096)
        time.sleep(3)
        s.sendall(b"GET /_brcheck/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n")
        second = s.recv(4096)
        s.close()
        check(first.startswith(b"HTTP/1.1 200") and second.startswith(b"HTTP/1.1 200"),
              "keep-alive across 3 s: %r %r" % (first[:20], second[:20]))
        print("ok    header deadline: slowloris cut at ~2 s; an idle keep-alive connection lives")
    finally:
        srv.kill(15)


def admin_refusals(brcheck):
    srv = Server(brcheck, "--quiet")
    try:
        # Faults that could never act.
        refused(srv, "POST", "faults", {"path": "/_brcheck/*", "status": 500}, 400, "admin API")
        refused(srv, "POST", "faults", {"path": "/_brcheck/v1/clock", "drop": True}, 400,
                "admin API")
        refused(srv, "POST", "faults", {"path": "/v2/*", "delayMs": 0}, 400, "would do nothing")
        st, faults = srv.admin("GET", "faults")
        check(st == 200 and faults == [], "refused faults were armed: %s" % faults)
        # Simulator ops with fields of the wrong type, or a flag the model does not have.
        for op, words in (({"op": "write", "cluster": ZCLUSTER, "db": 5}, '"db" is a string'),
                          ({"op": "write", "cluster": ZCLUSTER, "collection": ["x"]},
                           '"collection" is a string'),
                          ({"op": "set_flag", "cluster": ZCLUSTER, "flag": "bogus", "value": True},
                           '"flag" is paused, encrypted or sharded'),
                          ({"op": "set_flag", "cluster": ZCLUSTER, "flag": "paused", "value": 1},
                           '"value" is true or false')):
            refused(srv, "POST", "sim", op, 400, words)
        # A 429 fault with retryAfter 0 says so.
        st, _ = srv.admin("POST", "faults", {"path": "/v2/projects*", "status": 429,
                                             "retryAfter": 0})
        check(st == 201, "arming a 429: %s" % st)
        s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
        s.sendall(b"GET /v2/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer zilliz-demo-key"
                  b"\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            c = s.recv(4096)
            if not c:
                break
            data += c
        s.close()
        head = data.split(b"\r\n\r\n")[0].lower()
        check(head.startswith(b"http/1.1 429") and b"\r\nretry-after: 0" in head,
              "429 with retryAfter 0: %r" % head)
        print("ok    429 with retryAfter 0 carries Retry-After: 0")
    finally:
        srv.kill(15)


SECTIONS = {"clock-bound": clock_bound, "wall-advance": wall_advance, "stop": stop,
            "header-timeout": header_timeout, "admin-refusals": admin_refusals}

if __name__ == "__main__":
    SECTIONS[sys.argv[2]](sys.argv[1])
    print("all checks passed")
