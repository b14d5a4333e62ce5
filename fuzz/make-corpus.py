#!/usr/bin/env python3
"""Generates the fuzzing seeds from the fixtures (fuzz/README.md).

  fuzz/make-corpus.py world     writes fuzz/worlds/all.json: the union of every fixture's
                                world (first definition of an id wins; key names that two
                                vendors both use get the vendor as a prefix)
  fuzz/make-corpus.py request   writes fuzz/corpus/request/: each fixture request encoded as
                                route row + key + slot bytes + flags + query + body
  fuzz/make-corpus.py sequence  writes fuzz/corpus/sequence/: choice byte strings (the
                                generator in conformance/gen.c decodes them into steps);
                                with --decoder BUILD/fuzz/fuzz_decode (before or after
                                the corpus's name) also the choices of PRNG runs (seeds
                                1..40, 8 to 64 steps), which decode to mostly valid
                                sequences on live ids
  fuzz/make-corpus.py http      writes fuzz/corpus/http/: each fixture request as raw HTTP/1.1
                                (Bearer keys; Atlas Digest headers whose nonce and response
                                are `auto`, which the harness fills in; the caller address
                                through the admin token header; some bodies chunked), plus
                                admin API calls, pipelined and malformed requests
  fuzz/make-corpus.py all       all four

The encodings mirror fuzz/request_input.c (layout in fuzz/fuzz.h); the route rows are read
from fuzz/request_routes.def. Output files are named by the hash of their content, so
re-running is idempotent; the committed seeds are the output of `all`.
"""
import glob
import hashlib
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FIXTURES = sorted(glob.glob(os.path.join(ROOT, "fixtures", "*", "*.json")))

JUNK = ["x", "..", "%2e%2e%2fv2", "00000000-0000-4000-8000-000000000000", "a%00b",
        "5f0000000000000000000000", "A" * 89]
HEADERS = {
    "ZILLIZ": [None, ("Content-Type", "application/json"), ("Content-Type", "text/plain"),
               ("Accept", "application/json")],
    "CRDB": [None, ("Cc-Version", "2024-09-16"), ("Cc-Version", "2025-07-25"),
             ("Cc-Version", "latest"), ("Cc-Version", "2024-13-45"),
             ("Cc-Version", "2024-02-29"), ("Cc-Version", "")],
    "ATLAS": [None, ("Accept", "application/vnd.atlas.2023-01-01+json"),
              ("Accept", "application/vnd.atlas.2023-02-01+json"),
              ("Accept", "application/vnd.atlas.2024-08-05+json"),
              ("Accept", "application/json"),
              ("Accept", "application/vnd.atlas.2023-13-45+json"),
              ("Accept", "application/vnd.atlas.2022-12-31+json"), ("Accept", "*/*")],
}
CALLER_IPS = ["127.0.0.1", "10.1.2.3", "203.0.113.9", None]
FLAG_QUERY = 0x20


def load_fixtures():
    out = []
    for f in FIXTURES:
        with open(f) as fh:
            out.append(json.load(fh))
    return out


def make_world(fixtures):
    """The union of the fixtures' worlds, vendor by vendor (zilliz, crdb, atlas)."""
    order = {"zilliz": 0, "crdb": 1, "atlas": 2}
    fixtures = sorted(fixtures, key=lambda fx: order.get(fx["vendor"], 9))
    world = {"seed": 11, "clock": "2025-07-25T16:00:00Z"}
    seen = {}
    key_owner = {}
    id_of = {"orgs": "id", "keys": "key", "clusters": "id", "backups": "id",
             "snapshots": "id", "policies": "cluster", "backupConfigs": "cluster"}
    for fx in fixtures:
        given = fx.get("given", {})
        if "durations" in given or given.get("profile"):
            continue  # worlds with unusual timings or profiles stay in their fixtures
        renamed = {}
        for k in given.get("keys", []):
            if k["key"] in key_owner and key_owner[k["key"]] != fx["vendor"]:
                renamed[k["key"]] = fx["vendor"] + "-" + k["key"]
        for section, idk in id_of.items():
            for item in given.get(section, []):
                item = json.loads(json.dumps(item))
                if section == "keys":
                    item["key"] = renamed.get(item["key"], item["key"])
                ident = (section, item[idk])
                if ident in seen:
                    if section == "orgs":  # an org seen again may bring more projects
                        have = {p["id"] for p in seen[ident].get("projects", [])}
                        for p in item.get("projects", []):
                            if p["id"] not in have:
                                seen[ident].setdefault("projects", []).append(p)
                    continue
                if section == "keys":
                    key_owner[item["key"]] = fx["vendor"]
                seen[ident] = item
                world.setdefault(section, []).append(item)
    # A cluster's name is unique in its project: later duplicates are dropped.
    names, clusters = set(), []
    for c in world.get("clusters", []):
        n = (c.get("project") or c.get("org"), c.get("name"))
        if n in names:
            continue
        names.add(n)
        clusters.append(c)
    world["clusters"] = clusters
    ids = {c["id"] for c in clusters}
    for section in ("backups", "snapshots", "policies", "backupConfigs"):
        if section in world:
            world[section] = [b for b in world[section] if b.get("cluster") in ids]
    return world


def routes():
    rows = []
    pat = re.compile(r'^BR_FUZZ_ROUTE\((\w+), "(\w+)", "([^"]+)"\)')
    with open(os.path.join(HERE, "request_routes.def")) as fh:
        for line in fh:
            m = pat.match(line)
            if m:
                rows.append((m.group(1), m.group(2), m.group(3)))
    return rows


def candidates(world, kind):
    if kind in "cn":
        vals = [c[{"c": "id", "n": "name"}[kind]] for c in world.get("clusters", [])
                if {"c": "id", "n": "name"}[kind] in c]
    elif kind in "bj":
        vals = [b["id"] for b in world.get("backups", []) if "id" in b]
        vals += [s["id"] for s in world.get("snapshots", []) if "id" in s]
    elif kind == "g":
        vals = [p["id"] for o in world.get("orgs", []) for p in o.get("projects", [])]
    else:
        vals = []
    return vals[:256 - len(JUNK)] + JUNK


def encode_request(world, rows, fx, req):
    path = req["path"]
    query = None
    if "?" in path:
        path, query = path.split("?", 1)
    vendor = fx["vendor"].upper()
    best = None
    for i, (v, method, tmpl) in enumerate(rows):
        if v != vendor:
            continue
        kinds = re.findall(r"\{(\w)\}", tmpl)
        rx = "^" + re.sub(r"\\\{\w\\\}", "([^/]*)", re.escape(tmpl)) + "$"
        m = re.match(rx, path)
        if not m:
            continue
        score = 2 if method == req["method"] else 1
        if best is None or score > best[0]:
            best = (score, i, method, kinds, m.groups())
    if best is None:
        return None
    _, row, method, kinds, values = best
    slots = [0, 0, 0]
    for n, (kind, value) in enumerate(zip(kinds, values)):
        cands = candidates(world, kind)
        slots[n] = cands.index(value) if value in cands else 0
    keys = [k["key"] for k in world.get("keys", [])]
    key = req.get("key")
    if key is None:
        key_byte = len(keys)
    elif fx["vendor"] + "-" + key in keys:
        key_byte = keys.index(fx["vendor"] + "-" + key)
    elif key in keys:
        key_byte = keys.index(key)
    else:
        key_byte = len(keys) + 1
    flags = 0
    headers = req.get("headers", {})
    for n, h in enumerate(HEADERS[vendor]):
        if h and headers.get(h[0]) == h[1]:
            flags |= n
            break
    ip = req.get("callerIp", "127.0.0.1")
    flags |= (CALLER_IPS.index(ip) if ip in CALLER_IPS else 0) << 3
    if method != req["method"]:
        flags |= (3 if req["method"] == "PATCH" else 2) << 6
    out = bytes([row, key_byte % 256] + [s % 256 for s in slots])
    body = b""
    if "body" in req:
        body = json.dumps(req["body"], separators=(",", ":")).encode()
    elif "bodyRaw" in req:
        body = req["bodyRaw"].encode("utf-8", "surrogateescape")
    elif "bodyHex" in req:
        body = bytes.fromhex(req["bodyHex"])
    if query is not None:
        flags |= FLAG_QUERY
        query = re.sub(r"\$\{\w+\}", "x", query)
        return out + bytes([flags]) + query.encode() + b"\n" + body
    return out + bytes([flags]) + body


def write_corpus(folder, blobs):
    os.makedirs(folder, exist_ok=True)
    written = 0
    for blob in blobs:
        name = hashlib.sha1(blob).hexdigest()[:16]
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            with open(path, "wb") as fh:
                fh.write(blob)
            written += 1
    return written


def request_corpus(fixtures):
    with open(os.path.join(HERE, "worlds", "all.json")) as fh:
        world = json.load(fh)
    rows = routes()
    blobs = []
    for fx in fixtures:
        for step in fx.get("steps", []):
            req = step.get("request") or step.get("await", {}).get("request")
            if not req or "bodyRepeat" in req:
                continue
            req = json.loads(re.sub(r"\$\{\w+\}", "x", json.dumps(req)))
            blob = encode_request(world, rows, fx, req)
            if blob is not None:
                blobs.append(blob)
    return blobs


def sequence_corpus(decoder):
    """Byte strings for the choice source: the generator reads one byte per choice (modulo
    the number of options), so short runs of small values walk the common paths and each
    constant byte string walks one operation again and again."""
    blobs = []
    for b in range(0, 48):
        blobs.append(bytes([b]) * 64)
    for b in range(0, 16):
        blobs.append(bytes([(b + i) % 256 for i in range(128)]))
        blobs.append(bytes([(b * 7 + i * 13) % 256 for i in range(256)]))
    if decoder:
        for seed in range(1, 41):
            steps = (8, 16, 32, 64)[seed % 4]
            cmd = [decoder, "--sequence-seed", str(seed), str(steps)]
            try:
                out = subprocess.run(cmd, check=True, stdout=subprocess.PIPE).stdout
            except (OSError, subprocess.CalledProcessError) as e:
                raise UsageError("--decoder %s: %s failed: %s" % (decoder, " ".join(cmd), e))
            blobs.append(out)
    return blobs


ADMIN = "admin-demo-token"


def raw_http(method, target, headers, body=b"", chunked=False, version="HTTP/1.1"):
    lines = ["%s %s %s" % (method, target, version), "Host: 127.0.0.1"]
    lines += ["%s: %s" % h for h in headers]
    if body and chunked:
        lines.append("Transfer-Encoding: chunked")
        half = len(body) // 2 or len(body)
        parts = [body[:half], body[half:]]
        payload = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts if p) + b"0\r\n\r\n"
    else:
        if body or method in ("POST", "PUT", "PATCH"):
            lines.append("Content-Length: %d" % len(body))
        payload = body
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8", "surrogateescape") + payload


def digest_header(user, target, nc=1, nonce="auto", response="auto"):
    return ("Authorization", 'Digest username="%s", realm="MMS Public API", nonce="%s", '
            'uri="%s", qop=auth, nc=%08x, cnonce="0a4f113b", response="%s", algorithm=MD5'
            % (user, nonce, target, nc, nonce and response))


def http_corpus(fixtures):
    with open(os.path.join(HERE, "worlds", "all.json")) as fh:
        world = json.load(fh)
    keys = [k["key"] for k in world.get("keys", [])]
    blobs = []
    n = 0
    for fx in fixtures:
        for step in fx.get("steps", []):
            req = step.get("request") or step.get("await", {}).get("request")
            if not req or "bodyRepeat" in req:
                continue
            req = json.loads(re.sub(r"\$\{\w+\}", "x", json.dumps(req)))
            target = req["path"].replace(" ", "%20")
            headers = [(k, v) for k, v in req.get("headers", {}).items()
                       if k.lower() not in ("content-length", "transfer-encoding", "host")]
            key = req.get("key")
            if key is not None and fx["vendor"] + "-" + key in keys:
                key = fx["vendor"] + "-" + key
            if key is not None and fx["vendor"] == "atlas":
                headers.append(digest_header(key, target))
            elif key is not None:
                headers.append(("Authorization", "Bearer " + key))
            n += 1
            ip = req.get("callerIp")
            if not ip and fx["vendor"] == "atlas" and n % 4:
                ip = "10.1.2.3"  # on the access list of the fuzzing world's Atlas org
            if ip:
                headers += [("X-Brcheck-Caller-Ip", ip),
                            ("X-Brcheck-Admin-Token", ADMIN)]
            body = b""
            if "body" in req:
                body = json.dumps(req["body"], separators=(",", ":")).encode()
                headers.append(("Content-Type", "application/json"))
            elif "bodyRaw" in req:
                body = req["bodyRaw"].encode("utf-8", "surrogateescape")
            elif "bodyHex" in req:
                body = bytes.fromhex(req["bodyHex"])
            blobs.append(raw_http(req["method"], target, headers, body, chunked=n % 5 == 0))
    bearer = ("Authorization", "Bearer " + ADMIN)
    admin = [
        ("GET", "ping", None), ("GET", "world", None), ("GET", "digest", None),
        ("GET", "check", None), ("GET", "clock", None), ("POST", "clock", {"advance": 600}),
        ("POST", "clock", {"advance": "10m"}), ("GET", "faults", None),
        ("POST", "faults", {"path": "/v2/backups*", "method": "POST", "status": 429,
                            "retryAfter": 1, "times": 1}),
        ("POST", "faults", {"path": "/api/*", "status": 503, "drop": True, "times": 0}),
        ("DELETE", "faults", None), ("GET", "mutant", None),
        ("PUT", "mutant", {"rule": "ZC-RESTORE-AVAILABLE"}), ("PUT", "mutant", {"rule": None}),
        ("POST", "sim", {"op": "write", "cluster": "in01-1234567890abcdef", "db": "default",
                         "collection": "data"}),
        ("POST", "sim", {"op": "drop_cluster", "cluster": "nope"}),
        ("PUT", "world?profile=strict", {"seed": 3, "clock": "2025-01-01T00:00:00Z"}),
        ("PUT", "world", {"clusters": 1}),
    ]
    for method, call, body in admin:
        data = json.dumps(body).encode() if body is not None else b""
        blobs.append(raw_http(method, "/_brcheck/v1/" + call, [bearer], data))
    blobs.append(raw_http("GET", "/_brcheck/v1/world", []))  # no token: 401
    blobs.append(raw_http("GET", "/_brcheck/v1/nope", [bearer]))
    # Digest variants: a wrong response, a reused count, a foreign nonce, no qop.
    t = "/api/atlas/v2/groups/x/clusters"
    blobs.append(raw_http("GET", t, [digest_header("owner-key", t, response="0" * 32)]))
    blobs.append(raw_http("GET", t, [digest_header("owner-key", t, nc=0)]))
    blobs.append(raw_http("GET", t, [digest_header("owner-key", t, nonce="0" * 56,
                                                   response="auto")]))
    blobs.append(raw_http("GET", t, [("Authorization", 'Digest username="owner-key"')]))
    blobs.append(raw_http("GET", t, [("Authorization", "Basic b3duZXIta2V5Og==")]))
    # The world fence: the current generation, a later one, a value that is none, and one
    # no longer loaded (a PUT world before it on the same connection).
    owner = ("Authorization", "Bearer owner-key")
    for g in ("1", "2", "abc"):
        blobs.append(raw_http("GET", "/v2/projects", [owner, ("X-Brcheck-World", g)]))
    blobs.append(raw_http("PUT", "/_brcheck/v1/world", [bearer], b'{"clusters": 1}') +
                 raw_http("GET", "/_brcheck/v1/digest", [bearer, ("X-Brcheck-World", "1")]))
    # Two requests on one connection, HTTP/1.0, Expect, junk.
    two = raw_http("GET", "/v2/projects", [("Authorization", "Bearer owner-key")])
    blobs.append(two + two)
    blobs.append(raw_http("GET", "/_brcheck/v1/ping", [], version="HTTP/1.0"))
    blobs.append(raw_http("POST", "/v2/backups", [("Authorization", "Bearer owner-key"),
                                                  ("Expect", "100-continue")], b"{}"))
    blobs.append(b"GET / HTTP/1.1\r\n\r\n")
    blobs.append(b"BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n")
    blobs.append(b"POST /v2/backups HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                 b"\r\nzz\r\n")
    blobs.append(b"GET /v2/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999\r\n\r\n")
    return blobs


class UsageError(Exception):
    pass


def parse_args(argv):
    """[--decoder FUZZ_DECODE] WHAT, the option before or after WHAT. Returns (what, decoder)."""
    what, decoder = None, None
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a in ("-h", "--help"):
            return "help", None
        if a == "--decoder" or a.startswith("--decoder="):
            value = a.split("=", 1)[1] if "=" in a else (args.pop(0) if args else "")
            if not value:
                raise UsageError("--decoder needs the path of fuzz_decode")
            decoder = os.path.abspath(value)
            if not os.path.isfile(decoder) or not os.access(decoder, os.X_OK):
                raise UsageError("--decoder %s: no such executable" % value)
        elif a.startswith("-"):
            raise UsageError("unknown option %s" % a)
        elif what is not None:
            raise UsageError("one of world, request, sequence, http, all; not %s and %s"
                             % (what, a))
        elif a not in ("world", "request", "sequence", "http", "all"):
            raise UsageError("unknown corpus %s (world, request, sequence, http or all)" % a)
        else:
            what = a
    what = what or "all"
    if decoder and what not in ("sequence", "all"):
        raise UsageError("--decoder is for the sequence corpus (sequence or all), not %s" % what)
    return what, decoder


def main(argv):
    try:
        what, decoder = parse_args(argv)
    except UsageError as e:
        print("make-corpus: %s (--help)" % e, file=sys.stderr)
        return 2
    if what == "help":
        print(__doc__.strip())
        return 0
    # the decoder runs first: when it fails, nothing is written
    seq_blobs = []
    if what in ("sequence", "all"):
        try:
            seq_blobs = sequence_corpus(decoder)
        except UsageError as e:
            print("make-corpus: %s" % e, file=sys.stderr)
            return 2
    fixtures = load_fixtures()
    if what in ("world", "all"):
        world = make_world(fixtures)
        with open(os.path.join(HERE, "worlds", "all.json"), "w") as fh:
            json.dump(world, fh, indent=1, sort_keys=False)
            fh.write("\n")
        print("world: %d clusters, %d keys" % (len(world.get("clusters", [])),
                                               len(world.get("keys", []))))
    if what in ("request", "all"):
        n = write_corpus(os.path.join(HERE, "corpus", "request"), request_corpus(fixtures))
        print("request: %d new seeds" % n)
    if what in ("http", "all"):
        n = write_corpus(os.path.join(HERE, "corpus", "http"), http_corpus(fixtures))
        print("http: %d new seeds" % n)
    if what in ("sequence", "all"):
        n = write_corpus(os.path.join(HERE, "corpus", "sequence"), seq_blobs)
        print("sequence: %d new seeds" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
