#!/usr/bin/env python3
"""A recording reverse proxy for tests: every request is forwarded unchanged (method, path
with its query, headers in order, body bytes) to UPSTREAM, answered with what UPSTREAM
answers, and written as one JSON line to LOG: {"m", "p", "q", "h": [[name, value]...], "b"}
(the body decoded as UTF-8 with surrogate escapes). Shows what a client really sent,
whatever the server then did with it.

usage: recording_proxy.py UPSTREAM_URL PORT_FILE LOG
"""
import http.client
import http.server
import json
import os
import sys
import threading
import urllib.parse

upstream = urllib.parse.urlsplit(sys.argv[1])
lock = threading.Lock()


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        path, _, query = self.path.partition("?")
        with lock, open(sys.argv[3], "a", encoding="utf-8") as log:
            log.write(json.dumps({"m": self.command, "p": path, "q": query,
                                  "h": [[k, v] for k, v in self.headers.items()],
                                  "b": body.decode("utf-8", "surrogateescape")}) + "\n")
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for k, v in self.headers.items():
            conn.putheader(k, v)
        conn.endheaders(body)
        res = conn.getresponse()
        data = res.read()
        self.send_response_only(res.status, res.reason)
        for k, v in res.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = forward


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
with open(sys.argv[2] + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.replace(sys.argv[2] + ".tmp", sys.argv[2])
server.serve_forever()
