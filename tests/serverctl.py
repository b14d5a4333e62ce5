"""Starts and talks to `brcheck serve` over loopback for the server tests (standard library only)."""
import json
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ADMIN = {"Authorization": "Bearer admin-demo-token"}


class Server:
    def __init__(self, brcheck, *args, env=None, wrapper=()):
        self.dir = tempfile.mkdtemp(prefix="brcheck-serve-")
        self.port_file = os.path.join(self.dir, "port")
        self.err_path = os.path.join(self.dir, "stderr")
        cmd = list(wrapper) + [brcheck, "serve", "--listen", "127.0.0.1:0", "--port-file",
                               self.port_file, *args]
        self.err = open(self.err_path, "w")
        # A process group of its own: a wrapper (faketime forks the server and waits) does not
        # pass signals on, so kill() signals the whole group.
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=self.err,
                                     env=dict(os.environ, **(env or {})), start_new_session=True)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("brcheck serve exited %d: %s" % (self.proc.returncode, self.stderr()))
            if os.path.exists(self.port_file) and open(self.port_file).read().strip():
                self.port = int(open(self.port_file).read())
                self.base = "http://127.0.0.1:%d" % self.port
                return
            time.sleep(0.02)
        raise RuntimeError("brcheck serve did not start")

    def stderr(self):
        self.err.flush()
        return open(self.err_path).read()

    def request(self, method, path, body=None, headers=None, auth=None, timeout=10):
        data = None
        hs = dict(headers or {})
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            hs.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=hs)
        opener = urllib.request.build_opener()
        if auth:
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            mgr.add_password(None, self.base, auth[0], auth[1])
            opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(mgr))
        try:
            with opener.open(req, timeout=timeout) as r:
                raw = r.read()
                return r.status, (json.loads(raw) if raw else None)
        except urllib.error.HTTPError as e:
            raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, raw

    def admin(self, method, call, body=None):
        return self.request(method, "/_brcheck/v1/" + call, body, ADMIN)

    def kill(self, sig=9):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
        self.proc.wait(timeout=20)
        self.err.flush()
        return self.proc.returncode


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)
