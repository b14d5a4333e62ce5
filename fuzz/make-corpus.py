#!/usr/bin/env python3
"""Generates the fuzzing seeds from the fixtures (fuzz/README.md).

  fuzz/make-corpus.py world     writes fuzz/worlds/all.json: the union of every fixture's
                                world (first definition of an id wins; key names that two
                                vendors both use get the vendor as a prefix)
  fuzz/make-corpus.py request   writes fuzz/corpus/request/: each fixture request encoded as
                                route row + key + slot bytes + flags + query + body
  fuzz/make-corpus.py sequence  writes fuzz/corpus/sequence/: choice byte strings (the
                                generator in conformance/gen.c decodes them into steps);
                                with --decoder BUILD/fuzz/fuzz_decode also the choices of
                                PRNG runs (seeds 1..40, 8 to 64 steps), which decode to
                                mostly valid sequences on live ids
  fuzz/make-corpus.py all       all three

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
            out = subprocess.run([decoder, "--sequence-seed", str(seed), str(steps)],
                                 check=True, stdout=subprocess.PIPE).stdout
            blobs.append(out)
    return blobs


def main(argv):
    decoder = None
    if len(argv) > 2 and argv[1] == "--decoder":
        decoder = os.path.abspath(argv[2])
        argv = argv[:1] + argv[3:]
    what = argv[1] if len(argv) > 1 else "all"
    if what in ("-h", "--help") or what not in ("world", "request", "sequence", "all"):
        print(__doc__.strip())
        return 0 if what in ("-h", "--help") else 2
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
    if what in ("sequence", "all"):
        n = write_corpus(os.path.join(HERE, "corpus", "sequence"), sequence_corpus(decoder))
        print("sequence: %d new seeds" % n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
