#!/usr/bin/env python3
"""Inputs for the peer tools, made from the vendor OpenAPI subsets and the answers captured
from `brcheck serve`, so that every tool serves or asks the same thing:

  wiremock/mappings/*.json  WireMock stubs answering our captured bodies byte for byte
  prism-crdb.json           the CockroachDB subset with our captured body as the example of
  prism-atlas.json          the list path (Prism's static mode answers the example)
  dredd-crdb.json           the subsets reduced to the GET operations the demo world can
  dredd-atlas.json          answer with 200, path parameters given as examples (Dredd needs
                            them) naming the demo world's ids
  dredd-transactions.json   the transactions Dredd plays: [{method, path, vendor}]
  fixtures/*.json           the same transactions as brcheck fixtures on the demo world

usage: make_inputs.py VENDOR_DIR CAPTURE_DIR OUT_DIR DEMO_WORLD
CAPTURE_DIR holds crdb.body, crdb.type, atlas.body, atlas.type (bodies and Content-Types
as our server sent them)."""
import copy
import json
import os
import sys

CRDB_CLUSTER = "10000000-0000-4000-8000-000000000003"
ATLAS_GROUP = "5f0000000000000000000002"
ATLAS_CLUSTER = "M2Shop"
ATLAS_SNAPSHOT = "6f00000000000000000000a1"

CRDB_LIST = "/api/v1/clusters/{cluster_id}/backups"
ATLAS_LIST = "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/tenant/snapshots"
ATLAS_TYPE = "application/vnd.atlas.2023-01-01+json"

# The transactions both Dredd and brcheck play: GETs the demo world answers with 200.
CRDB_GETS = [CRDB_LIST, "/api/v1/clusters/{cluster_id}/backups-config",
             "/api/v1/clusters/{cluster_id}/restores"]
ATLAS_GETS = [ATLAS_LIST, ATLAS_LIST + "/{snapshotId}",
              "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/tenant/restores"]
PARAMS = {"cluster_id": CRDB_CLUSTER, "groupId": ATLAS_GROUP, "clusterName": ATLAS_CLUSTER,
          "snapshotId": ATLAS_SNAPSHOT}


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def dump(obj, path):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1)
        f.write("\n")


def concrete(template):
    for name, value in PARAMS.items():
        template = template.replace("{" + name + "}", value)
    return template


def prism_spec(spec, path, media, body):
    s = copy.deepcopy(spec)
    s.setdefault("openapi", "3.0.1")
    s["paths"] = {path: s["paths"][path]}
    content = s["paths"][path]["get"]["responses"]["200"]["content"]
    for m in list(content):
        if m != media:
            del content[m]
    content[media]["example"] = json.loads(body)
    if "security" in s:  # CockroachDB names Bearer without defining it
        s["components"].setdefault("securitySchemes", {})["Bearer"] = {"type": "http",
                                                                       "scheme": "bearer"}
    return s


def dredd_spec(spec, gets, name):
    s = copy.deepcopy(spec)
    s.setdefault("openapi", "3.0.1")
    s.setdefault("info", {}).setdefault("version", "subset")
    s["info"]["title"] = name
    s.pop("security", None)  # the credentials come from the hooks, not from the document
    s["paths"] = {p: {"get": s["paths"][p]["get"]} for p in gets}
    for p in gets:
        op = s["paths"][p]["get"]
        # only the 200 answer: Dredd plays one transaction per operation and status
        op["responses"] = {"200": op["responses"]["200"]}
        kept = []
        for prm in op.get("parameters", []):
            if "$ref" in prm:
                prm = copy.deepcopy(s["components"]["parameters"][prm["$ref"].split("/")[-1]])
            if prm.get("in") == "query":
                continue
            if prm.get("name") in PARAMS:
                prm["example"] = PARAMS[prm["name"]]
            kept.append(prm)
        op["parameters"] = kept
    s["components"].pop("parameters", None)
    return s


def wiremock_mapping(path, body, ctype):
    return {"request": {"method": "GET", "urlPath": path},
            "response": {"status": 200, "body": body, "headers": {"Content-Type": ctype}}}


def fixture(vendor, world, tx, rule):
    """One fixture playing the transactions in order: status 200 and a JSON object, as Dredd
    checks status and body (Dredd also checks the body against the schema; brcheck also
    checks the invariants after every step and plays each step on an in-process model)."""
    steps = []
    for t in tx:
        req = {"method": t["method"], "path": t["path"]}
        if vendor == "crdb":
            req["key"] = "crdb-demo-key"
        else:
            req["key"] = "atlas-demo-public"
            req["headers"] = {"Accept": ATLAS_TYPE}
        steps.append({"name": t["method"] + " " + t["path"], "request": req,
                      "expect": {"status": 200, "body": {}}})
    return {"id": "bench-dredd-" + vendor, "vendor": vendor, "rules": {rule: "holds"},
            "source": "bench/peers/make_inputs.py: the transactions Dredd plays",
            "given": world, "steps": steps}


def main(argv):
    if len(argv) != 5:
        sys.stderr.write(__doc__.split("\n\n")[-1] + "\n")
        return 2
    vendor, capture, out, world_file = argv[1:]
    world = load(world_file)
    crdb = load(os.path.join(vendor, "crdb_cloud_backup_restore_subset.json"))
    atlas = load(os.path.join(vendor, "atlas_v2_tenant_backup_subset.json"))
    cap = {}
    for k in ("crdb.body", "crdb.type", "atlas.body", "atlas.type"):
        with open(os.path.join(capture, k), encoding="utf-8") as f:
            cap[k] = f.read().rstrip("\n") if k.endswith(".type") else f.read()
    os.makedirs(os.path.join(out, "wiremock", "mappings"), exist_ok=True)
    os.makedirs(os.path.join(out, "wiremock", "__files"), exist_ok=True)
    dump(wiremock_mapping(concrete(CRDB_LIST), cap["crdb.body"], cap["crdb.type"]),
         os.path.join(out, "wiremock", "mappings", "crdb-backups.json"))
    dump(wiremock_mapping(concrete(ATLAS_LIST), cap["atlas.body"], cap["atlas.type"]),
         os.path.join(out, "wiremock", "mappings", "atlas-snapshots.json"))
    dump(prism_spec(crdb, CRDB_LIST, "application/json", cap["crdb.body"]),
         os.path.join(out, "prism-crdb.json"))
    dump(prism_spec(atlas, ATLAS_LIST, ATLAS_TYPE, cap["atlas.body"]),
         os.path.join(out, "prism-atlas.json"))
    dump(dredd_spec(crdb, CRDB_GETS, "CockroachDB Cloud backup subset"),
         os.path.join(out, "dredd-crdb.json"))
    dump(dredd_spec(atlas, ATLAS_GETS, "Atlas tenant backup subset"),
         os.path.join(out, "dredd-atlas.json"))
    tx = [{"vendor": "crdb", "method": "GET", "path": concrete(p)} for p in CRDB_GETS]
    tx += [{"vendor": "atlas", "method": "GET", "path": concrete(p)} for p in ATLAS_GETS]
    dump(tx, os.path.join(out, "dredd-transactions.json"))
    os.makedirs(os.path.join(out, "fixtures"), exist_ok=True)
    for v, rule in (("crdb", "CC-LIST-BACKUPS"), ("atlas", "MA-ENVELOPE")):
        dump(fixture(v, world, [t for t in tx if t["vendor"] == v], rule),
             os.path.join(out, "fixtures", "bench-dredd-" + v + ".json"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
