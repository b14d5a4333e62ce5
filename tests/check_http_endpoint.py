#!/usr/bin/env python3
"""`brcheck run --target URL --profile FILE` against a real endpoint, simulated by a small
standard-library HTTP server that records every request it receives (and, against
`brcheck serve`, the profile's ids rule):

  credentials     a credential variable the profile names but the environment lacks stops the
                  run before playing (exit 2, naming the profile, the key and the variable);
                  set, it goes out in place of the key's name; a fixture the profile skips
                  does not need it
  profile-fields  a misspelt field at any depth or a number out of range is exit 2 naming the
                  file and the field (and the range), and nothing is sent
  rate-limits     each vendor's rateLimits limits its own requests (crdb, atlas), and no
                  other vendor's
  headers         an answer with 30 headers before Content-Type still matches a Content-Type
                  expectation; a 429's Retry-After after 30 headers is waited out
  drops           a dropped connection: a GET is sent twice at most, a POST that went out
                  whole once (it may have taken effect)
  ids             ids are mapped in paths, bodies and answers against a real endpoint, and in
                  none of them against `brcheck serve`

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


def credentials(brcheck, tmp):
    ep = Endpoint()
    try:
        fx = fixture(tmp, "zc-key-owner", "zilliz",
                     [({"method": "GET", "path": "/v2/clusters", "key": "owner-key"},
                       {"status": 200})])
        atlas = fixture(tmp, "ma-key-owner", "atlas",
                        [({"method": "GET", "path": "/api/atlas/v2/groups", "key": "atlas-owner"},
                          {"status": 200})])
        prof = {"admin": False, "lockstep": False,
                "credentials": {"owner-key": {"bearerEnv": "BRT_OWNER_KEY"},
                                "atlas-owner": {"publicEnv": "BRT_PUB", "privateEnv": "BRT_PRIV"},
                                "unused-key": {"bearerEnv": "BRT_UNUSED"}}}
        pf = write(tmp, "creds.json", prof)

        rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf, fx])
        check(rc == 2 and pf in err and '"owner-key"' in err and "$BRT_OWNER_KEY" in err
              and "not set" in err and "zc-key-owner" in err,
              "Bearer variable unset: exit 2 naming the profile, key, variable, fixture "
              "(rc %s: %s)" % (rc, err.strip()))
        check(ep.vendor_requests() == [],
              "Bearer variable unset: nothing sent to the endpoint (%d requests)"
              % len(ep.vendor_requests()))

        rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf, atlas],
                           {"BRT_PUB": "pub-1"})
        check(rc == 2 and pf in err and '"atlas-owner"' in err and "$BRT_PRIV" in err,
              "Atlas private-key variable unset: exit 2 naming it (rc %s: %s)"
              % (rc, err.strip()))
        check(ep.vendor_requests() == [], "Atlas variable unset: nothing sent")

        # set: the secret goes out, never the key's name; an unused key's variable is not needed
        rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf, fx],
                           {"BRT_OWNER_KEY": "s3cret-token"})
        sent = [r["headers"].get("Authorization") for r in ep.vendor_requests()]
        check(rc == 0 and sent == ["Bearer s3cret-token"],
              "Bearer variable set: it is the credential (rc %s, sent %s: %s)"
              % (rc, sent, err.strip()))

        # a fixture the profile skips needs no credential
        prof["skip"] = [{"fixture": "zc-key-*", "reason": "no key in CI"}]
        pf2 = write(tmp, "creds-skip.json", prof)
        before = len(ep.vendor_requests())
        rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf2, fx])
        check(rc == 0 and "1 skipped" in out and len(ep.vendor_requests()) == before,
              "a skipped fixture needs no credential (rc %s: %s)" % (rc, out.strip()[-80:]))

        # brcheck serve is loaded with the fixture's own keys: no credential is needed there
        srv = Server(brcheck, "--quiet")
        try:
            pf3 = write(tmp, "creds-serve.json", dict(prof, admin=True, skip=[]))
            src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                               "zilliz", "zc-create-one-automatic.json")
            rc, out, err = run(brcheck, ["--target", srv.base, "--profile", pf3, src])
            check(rc == 0, "against brcheck serve no credential variable is needed (rc %s: %s)"
                  % (rc, err.strip() or out.strip()[-200:]))
        finally:
            srv.kill(15)
    finally:
        ep.close()


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


def span(reqs):
    ts = [r["time"] for r in reqs]
    return max(ts) - min(ts) if ts else 0.0


def rate_limits(brcheck, tmp):
    ep = Endpoint()
    try:
        crdb = fixture(tmp, "cc-five-lists", "crdb",
                       [({"method": "GET", "path": "/api/v1/clusters/c1/backups", "key": "k"},
                         {"status": 200})] * 5)
        atlas = fixture(tmp, "ma-four-lists", "atlas",
                        [({"method": "GET", "path": "/api/atlas/v2/groups/g1/clusters",
                           "key": "k"}, {"status": 200})] * 4)
        for name, fx, limits, want_min, want_max, count in (
                ("crdb at 2/s", crdb, {"crdb": {"perSecond": 2}}, 1.4, None, 5),
                ("atlas at 2/s", atlas, {"atlas": {"perSecond": 2}}, 0.9, None, 4),
                ("crdb under a Zilliz limit only", crdb, {"zilliz": {"perSecond": 0.01}}, None,
                 1.0, 5)):
            pf = write(tmp, "rate.json", {"admin": False, "lockstep": False,
                                          "rateLimits": limits})
            before = len(ep.vendor_requests())
            rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf, fx])
            reqs = ep.vendor_requests()[before:]
            s = span(reqs)
            ok = rc == 0 and len(reqs) == count
            ok = ok and (want_min is None or s >= want_min) and (want_max is None or s < want_max)
            check(ok, "%s: %d requests over %.2f s (rc %s: %s)"
                  % (name, len(reqs), s, rc, err.strip()))
    finally:
        ep.close()


def headers(brcheck, tmp):
    pad = [("X-Pad-%02d" % i, "padding-%d" % i) for i in range(30)]
    state = {"n": 0}

    def behave(r):
        if r["path"].startswith("/v2/clusters"):
            return 200, pad + [("Content-Type", "application/json; charset=utf-8")], {"code": 0}
        state["n"] += 1
        if state["n"] == 1:
            return 429, pad + [("Retry-After", "1")], {"code": 429}
        return 200, pad, {"code": 0}

    ep = Endpoint(behave)
    try:
        fx = fixture(tmp, "zc-many-headers", "zilliz",
                     [({"method": "GET", "path": "/v2/clusters"},
                       {"status": 200, "headers": {"Content-Type": "$regex:^application/json"}})])
        pf = write(tmp, "plain.json", {"admin": False, "lockstep": False})
        rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf, fx])
        check(rc == 0, "Content-Type after 30 headers matches (rc %s: %s)"
              % (rc, out.strip()[-300:]))
        fx = fixture(tmp, "zc-busy", "zilliz",
                     [({"method": "GET", "path": "/v2/backups"}, {"status": 200})])
        before = len(ep.vendor_requests())
        rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf, fx])
        reqs = ep.vendor_requests()[before:]
        gap = reqs[1]["time"] - reqs[0]["time"] if len(reqs) == 2 else 0
        check(rc == 0 and len(reqs) == 2 and gap >= 0.9,
              "Retry-After after 30 headers is waited out: %d requests, %.2f s apart (rc %s)"
              % (len(reqs), gap, rc))
    finally:
        ep.close()


def drops(brcheck, tmp):
    state = {"get_drops": 0, "n_get": 0}

    def behave(r):
        if r["path"].startswith("/v2/clusters/in01-x/backups/create"):
            return "drop"
        if r["path"].startswith("/v2/backups"):
            if state["get_drops"] == 0 or state["n_get"] < state["get_drops"]:
                state["n_get"] += 1
                return "drop"
        return None

    ep = Endpoint(behave)
    try:
        pf = write(tmp, "plain.json", {"admin": False, "lockstep": False})
        post = fixture(tmp, "zc-post-dropped", "zilliz",
                       [({"method": "POST", "path": "/v2/clusters/in01-x/backups/create",
                          "body": {"clusterId": "in01-x"}}, {"status": 200})])
        rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf, post])
        got = [r for r in ep.vendor_requests() if r["method"] == "POST"]
        check(rc == 1 and len(got) == 1 and "not resent" in out,
              "a dropped POST is sent once, never again (%d sends, rc %s: %s)"
              % (len(got), rc, out.strip()[:300]))

        get = fixture(tmp, "zc-get-dropped", "zilliz",
                      [({"method": "GET", "path": "/v2/backups"}, {"status": 200})])
        state.update(get_drops=0, n_get=0)
        rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf, get])
        got = [r for r in ep.vendor_requests() if r["path"].startswith("/v2/backups")]
        check(rc == 1 and len(got) == 2 and "dropped twice" in out,
              "a GET dropped every time is sent twice in all (%d sends, rc %s)" % (len(got), rc))

        state.update(get_drops=1, n_get=0)
        before = len(got)
        rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf, get])
        got = [r for r in ep.vendor_requests() if r["path"].startswith("/v2/backups")][before:]
        check(rc == 0 and len(got) == 2,
              "a GET dropped once is resent and passes (%d sends, rc %s)" % (len(got), rc))
    finally:
        ep.close()


def ids(brcheck, tmp):
    def behave(r):
        body = json.loads(r["body"]) if r["body"] else {}
        return 200, [], {"code": 0, "data": {"clusterId": body.get("clusterId"),
                                             "path": r["path"]}}

    ep = Endpoint(behave)
    try:
        fx = fixture(tmp, "zc-mapped", "zilliz",
                     [({"method": "POST", "path": "/v2/clusters/in01-fixture/backups/create",
                        "body": {"clusterId": "in01-fixture"}},
                       {"status": 200, "body": {"data": {"clusterId": "in01-fixture"}}})])
        pf = write(tmp, "ids.json", {"admin": False, "lockstep": False,
                                     "ids": {"in01-fixture": "in01-real"}})
        rc, out, err = run(brcheck, ["--target", ep.url, "--profile", pf, fx])
        got = ep.vendor_requests()
        check(rc == 0 and len(got) == 1
              and got[0]["path"] == "/v2/clusters/in01-real/backups/create"
              and json.loads(got[0]["body"]) == {"clusterId": "in01-real"},
              "real endpoint: path and body mapped, the answer mapped back (rc %s, %s: %s)"
              % (rc, [(r["path"], r["body"]) for r in got], out.strip()[-300:]))
    finally:
        ep.close()
    # brcheck serve holds the fixture's own world: its ids are the real ones, in the path too
    srv = Server(brcheck, "--quiet")
    try:
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                           "zilliz", "zc-create-one-automatic.json")
        pf = write(tmp, "ids-serve.json", {"admin": True, "lockstep": False,
                                           "ids": {"in01-3e5ad8adc38aaaa": "in01-elsewhere"}})
        rc, out, err = run(brcheck, ["--target", srv.base, "--profile", pf, src])
        check(rc == 0, "brcheck serve: ids are not mapped, in the path either (rc %s: %s)"
              % (rc, out.strip()[:400]))
    finally:
        srv.kill(15)


def main():
    kind, brcheck = sys.argv[1], sys.argv[2]
    kinds = {"credentials": credentials, "profile-fields": profile_fields,
             "rate-limits": rate_limits, "headers": headers, "drops": drops, "ids": ids}
    tmp = tempfile.mkdtemp(prefix="brcheck-endpoint-")
    try:
        kinds[kind](brcheck, tmp)
    finally:
        shutil.rmtree(tmp)
    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
