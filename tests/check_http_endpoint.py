#!/usr/bin/env python3
"""`brcheck run --target URL --profile FILE` against a real endpoint, simulated by a small
standard-library HTTP server that records every request it receives (and, against
`brcheck serve`, the profile's ids rule):

  profile-fields  a misspelt field at any depth or a number out of range is exit 2 naming the
                  file and the field (and the range), and nothing is sent

usage: check_http_endpoint.py KIND BRCHECK
"""
import http.server
import json
import os
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

from serverctl import Server

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


class Endpoint:
    """A loopback HTTP/1.1 server (keep-alive) answering by 'behave(request)': None for a
    200 with an empty JSON object, "drop" to close the connection without an answer, or
    (status, [(name, value)], body object). Every request is recorded with its arrival time."""

    def __init__(self, behave=None):
        self.behave = behave or (lambda r: None)
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_one(self):
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                r = {"method": self.command, "path": self.path, "headers": dict(self.headers),
                     "body": body.decode("utf-8", "replace"), "time": time.monotonic()}
                with outer.lock:
                    outer.requests.append(r)
                if self.path.startswith("/_brcheck/"):
                    answer = (404, [], {"error": "not brcheck serve"})
                else:
                    answer = outer.behave(r)
                if answer == "drop":
                    self.close_connection = True
                    return
                status, headers, obj = answer or (200, [], {})
                data = json.dumps(obj).encode()
                self.send_response_only(status)
                for k, v in headers:
                    self.send_header(k, v)
                if not any(k.lower() == "content-type" for k, _ in headers):
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_one

        class Threading(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True

        self.httpd = Threading(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def vendor_requests(self):
        with self.lock:
            return [r for r in self.requests if not r["path"].startswith("/_brcheck/")]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def run(brcheck, args, env=None, timeout=120):
    e = dict(os.environ)
    for k in list(e):
        if k.startswith("BRT_"):
            del e[k]
    e.update(env or {})
    try:
        p = subprocess.run([brcheck, "run"] + args, capture_output=True, text=True,
                           timeout=timeout, env=e, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, "", "(still running after %d s)" % timeout
    return p.returncode, p.stdout, p.stderr


def write(folder, name, obj):
    path = os.path.join(folder, name)
    with open(path, "w") as fh:
        json.dump(obj, fh)
    return path


def fixture(folder, fid, vendor, requests, rules=None):
    """A fixture of request steps, each (request, expect)."""
    steps = [{"name": "step %d" % (i + 1), "request": r, "expect": x}
             for i, (r, x) in enumerate(requests)]
    return write(folder, fid + ".json",
                 {"id": fid, "vendor": vendor, "source": "tests/check_http_endpoint.py",
                  "rules": rules or {"INV-ATOMIC": "holds"}, "steps": steps})




def profile_fields(brcheck, tmp):
    ep = Endpoint()
    try:
        fx = fixture(tmp, "zc-any", "zilliz",
                     [({"method": "GET", "path": "/v2/clusters"}, {"status": 200})])
        cases = [
            ({"rateLimits": {"zilliz": {"perSecnd": 0.5}}}, ["rateLimits.zilliz.perSecnd"]),
            ({"timeouts": {"requets": 5}}, ["timeouts.requets"]),
            ({"credentials": {"owner-key": {"bearerEnv": "A", "bogus": "B"}}},
             ["credentials.owner-key.bogus"]),
            ({"admin": {"tokenEnv": "X", "extra": 1}}, ["admin.extra"]),
            ({"poll": {"inital": 3}}, ["poll.inital"]),
            ({"skip": [{"fixture": "a", "reason": "b"}, {"fixture": "c", "reason": "d",
                                                          "resaon": "e"}]}, ["skip[1].resaon"]),
            ({"poll": {"factor": 0.5}}, ["poll.factor", "from 1 to 100", "0.5"]),
            ({"timeouts": {"request": 0}}, ["timeouts.request", "from 0.001 to 86400"]),
            ({"timeouts": {"request": 0.0001}}, ["timeouts.request", "from 0.001"]),
            ({"timeouts": {"await": "60"}}, ["timeouts.await", "a string"]),
            ({"rateLimits": {"crdb": {"perSecond": 0}}}, ["rateLimits.crdb.perSecond",
                                                          "from 0.01"]),
            ({"rateLimits": {"atlas": {"perSecond": -1}}}, ["rateLimits.atlas.perSecond"]),
            ({"poll": {"initial": 10, "max": 5}}, ["poll.max", "poll.initial"]),
            ({"credentials": {"k": {"publicEnv": "P"}}}, ["credentials.k",
                                                          "publicEnv and privateEnv"]),
            ({"credentials": {"k": {"bearerEnv": ""}}}, ["credentials.k.bearerEnv"]),
        ]
        for i, (prof, words) in enumerate(cases):
            pf = write(tmp, "bad-%d.json" % i, prof)
            rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf, fx], timeout=30)
            print("      " + err.strip())
            check(rc == 2 and out == "" and (pf + ": ") in err and all(w in err for w in words),
                  "%s: exit 2 naming %s (rc %s: %s)"
                  % (json.dumps(prof), ", ".join(words), rc, err.strip()))
        check(ep.requests == [], "no bad profile sent anything (%d requests)" % len(ep.requests))
        # the shipped profiles and every field at a limit still load
        good = {"rateLimits": {"zilliz": {"perSecond": 0.01}, "crdb": {"perSecond": 100000}},
                "timeouts": {"request": 0.001, "await": 2592000},
                "poll": {"initial": 0.001, "factor": 1, "max": 86400},
                "admin": {"tokenEnv": "BRT_TOKEN"},
                "credentials": {"a": {"bearerEnv": "X"}, "b": {"publicEnv": "P", "privateEnv": "Q"}},
                "skip": [{"fixture": "zz-*", "reason": "r"}], "lockstep": False}
        # (loaded only: a path that cannot be read stops the run after the profile loaded)
        root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "profiles")
        loads = [write(tmp, "limits.json", good)] + [os.path.join(root, n)
                                                    for n in sorted(os.listdir(root))]
        for pf in loads:
            rc, out, err = run(brcheck, ["--profile", pf, os.path.join(tmp, "no-such-dir")],
                               timeout=30)
            check(rc == 2 and "no-such-dir: No such file" in err and "--profile" not in err,
                  "%s loads (%s)" % (os.path.basename(pf), err.strip()))
    finally:
        ep.close()




def main():
    kind, brcheck = sys.argv[1], sys.argv[2]
    kinds = {"profile-fields": profile_fields,
             }
    tmp = tempfile.mkdtemp(prefix="brcheck-endpoint-")
    try:
        kinds[kind](brcheck, tmp)
    finally:
        shutil.rmtree(tmp)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
