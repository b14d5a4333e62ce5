#!/usr/bin/env python3
"""A fixture with a mistake in it is a bad fixture (exit 2, ERROR, the step and the mistake
named), never a pass and never a violation charged to the target; the same fixture without
the mistake passes. A mistake seen when the fixture loads (its steps, its world) also makes
`brcheck rules` exit 2; one seen only when a step plays (a sim step naming a cluster the
world does not hold then) is an ERROR of `brcheck run`. Also: a path given twice is played
once, two fixtures with one id are both refused, a sim step that expects its failure passes,
and a sim step takes ${name} captures.

usage: check_fixture_check.py BRCHECK SOURCE_DIR
"""
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


def run(args):
    p = subprocess.run(args, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def first(steps, kind):
    return next(s for s in steps if kind in s)


# Each mistake: (name, what the message names, a function that makes it in a fixture).
def typo_expect_key(fx):
    first(fx["steps"], "request")["expect"]["statsu"] = 999


def expect_not_object(fx):
    first(fx["steps"], "request")["expect"] = "500"


def typo_step_key(fx):
    s = first(fx["steps"], "request")
    s["expcet"] = s.pop("expect")


def unknown_step_rule(fx):
    first(fx["steps"], "request")["rules"] = ["ZC-TIERX"]


def lower_case_step_rule(fx):
    first(fx["steps"], "request")["rules"] = ["zc-tier"]


def rule_not_string(fx):
    first(fx["steps"], "request")["rules"] = [5]


def len_not_number(fx):
    first(fx["steps"], "request")["expect"]["status"] = "$len:x"


def range_malformed(fx):
    first(fx["steps"], "request")["expect"]["status"] = "$range:[abc"


def unknown_matcher(fx):
    first(fx["steps"], "request")["expect"]["status"] = "$foo"


def bad_regex(fx):
    first(fx["steps"], "request")["expect"]["body"] = {"code": "$regex:(["}


def bad_advance(fx):
    fx["steps"].insert(0, {"advance": "abc"})


def bad_every(fx):
    req = copy.deepcopy(first(fx["steps"], "request")["request"])
    fx["steps"].insert(0, {"await": {"request": req, "until": {"status": "$any"},
                                     "timeout": "1h", "every": "0s"}})


def endless_await(fx):
    req = copy.deepcopy(first(fx["steps"], "request")["request"])
    fx["steps"].insert(0, {"await": {"request": req, "until": {"status": "$any"},
                                     "timeout": "3650d", "every": "1s"}})


def bad_hex(fx):
    first(fx["steps"], "request")["request"]["bodyHex"] = "zz"


def no_method(fx):
    del first(fx["steps"], "request")["request"]["method"]


def unknown_sim(fx):
    fx["steps"].insert(0, {"sim": {"op": "nope", "cluster": "x"}})


def uncaptured(fx):
    first(fx["steps"], "request")["request"]["path"] += "?x=${neverCaptured}"


def unknown_top_key(fx):
    fx["descripton"] = "a typo of a key no fixture has"


def world_cluster_typo(fx):
    fx["given"]["clusters"][0]["cuSise"] = 4


def world_key_typo(fx):
    fx["given"]["keys"][0]["rolez"] = fx["given"]["keys"][0].pop("roles")


def world_role_typo(fx):
    fx["given"]["keys"][1]["roles"][0]["scop"] = fx["given"]["keys"][1]["roles"][0].pop("scope")


def world_org_typo(fx):
    fx["given"]["orgs"][0]["projetcs"] = fx["given"]["orgs"][0].pop("projects")


def world_project_typo(fx):
    fx["given"]["orgs"][0]["projects"][0]["nmae"] = "x"


def world_collection_typo(fx):
    db = fx["given"]["clusters"][0]["databases"][0]
    db["collections"][0]["loded"] = True


def world_database_typo(fx):
    fx["given"]["clusters"][0]["databases"][0]["colections"] = []


def world_backup_typo(fx):
    fx["given"]["backups"][0]["expiresTime"] = "2024-09-01T00:00:00Z"


def world_policy_typo(fx):
    fx["given"]["policies"] = [{"cluster": fx["given"]["clusters"][0]["id"], "enabled": True,
                                "retentionDay": 7}]


def world_section_not_array(fx):
    fx["given"]["backups"] = {"id": "x"}


def world_bad_clock(fx):
    fx["given"]["clock"] = "yesterday"


def sim_unknown_flag(fx):
    fx["steps"].insert(0, {"sim": {"op": "set_flag", "cluster": fx["given"]["clusters"][0]["id"],
                                   "flag": "bogus", "value": True}})


def sim_flag_without_value(fx):
    fx["steps"].insert(0, {"sim": {"op": "set_flag", "cluster": fx["given"]["clusters"][0]["id"],
                                   "flag": "paused"}})


def sim_write_without_db(fx):
    fx["steps"].insert(0, {"sim": {"op": "write", "cluster": fx["given"]["clusters"][0]["id"],
                                   "collection": "medium_articles"}})


def sim_write_without_collection(fx):
    fx["steps"].insert(0, {"sim": {"op": "write", "cluster": fx["given"]["clusters"][0]["id"],
                                   "db": "default"}})


def sim_drop_with_flag(fx):
    fx["steps"].insert(0, {"sim": {"op": "drop_cluster", "cluster":
                                   fx["given"]["clusters"][0]["id"], "flag": "paused"}})


def needs_not_object(fx):
    fx["needs"] = "x"


def needs_typo(fx):
    fx["needs"] = {"reasn": "an M0 cluster"}


def bad_profile(fx):
    fx["profile"] = "strcit"


# Mistakes seen only when the step plays.
def sim_unknown_cluster(fx):
    fx["steps"].insert(1, {"name": "write somewhere", "sim": {
        "op": "write", "cluster": "in01-n0such0c1uster0", "db": "default", "collection": "x"}})


def sim_dropped_cluster(fx):
    cid = fx["given"]["clusters"][1]["id"]
    fx["steps"] += [{"sim": {"op": "drop_cluster", "cluster": cid}},
                    {"sim": {"op": "write", "cluster": cid, "db": "default", "collection": "x"}}]


MISTAKES = [
    ("typo in an expect key", "statsu", typo_expect_key),
    ("expect that is not an object", "expect", expect_not_object),
    ("typo in a step key", "expcet", typo_step_key),
    ("unknown rule id in a step", "ZC-TIERX", unknown_step_rule),
    ("rule id in the wrong case", "zc-tier", lower_case_step_rule),
    ("rule id that is not a string", "rules", rule_not_string),
    ("$len: without a count", "$len:", len_not_number),
    ("$range: that does not parse", "$range:", range_malformed),
    ("unknown matcher", "$foo", unknown_matcher),
    ("regular expression that does not compile", "regular expression", bad_regex),
    ("advance that is not a duration", "advance", bad_advance),
    ("await every 0s", "await.every", bad_every),
    ("await of more than 10000 polls", "polls", endless_await),
    ("bodyHex that is not hex", "bodyHex", bad_hex),
    ("request without a method", "method", no_method),
    ("unknown simulator operation", "op", unknown_sim),
    ("reference to a capture no step made", "neverCaptured", uncaptured),
    ("unknown top-level key", "descripton", unknown_top_key),
    ("world: unknown cluster field", "cuSise", world_cluster_typo),
    ("world: unknown key field", "rolez", world_key_typo),
    ("world: unknown role field", "scop", world_role_typo),
    ("world: unknown organization field", "projetcs", world_org_typo),
    ("world: unknown project field", "nmae", world_project_typo),
    ("world: unknown collection field", "loded", world_collection_typo),
    ("world: unknown database field", "colections", world_database_typo),
    ("world: unknown backup field", "expiresTime", world_backup_typo),
    ("world: unknown policy field", "retentionDay", world_policy_typo),
    ("world: a section that is not an array", "backups", world_section_not_array),
    ("world: a clock that is not a time", "clock", world_bad_clock),
    ("sim set_flag of an unknown flag", "flag", sim_unknown_flag),
    ("sim set_flag without a value", "value", sim_flag_without_value),
    ("sim write without a db", "db", sim_write_without_db),
    ("sim write without a collection", "collection", sim_write_without_collection),
    ("sim drop_cluster with a flag", "flag", sim_drop_with_flag),
    ("needs that is not an object", "needs", needs_not_object),
    ("needs without a reason", "needs", needs_typo),
    ("unknown profile", "strcit", bad_profile),
]

# (name, what the message names, the step named, the mistake): seen when the step plays.
PLAY_MISTAKES = [
    ("sim write into a cluster the world does not hold", "in01-n0such0c1uster0",
     "step 2 (write somewhere)", sim_unknown_cluster),
    ("sim write into a dropped cluster", "in01-7b2c9d0e1f2bbbb", "step 8", sim_dropped_cluster),
]


def sim_expected_failure(fx):
    """A sim step may expect the world to refuse it (here: a write into a dropped cluster)."""
    cid = fx["given"]["clusters"][1]["id"]
    fx["steps"] += [{"sim": {"op": "drop_cluster", "cluster": cid}},
                    {"sim": {"op": "write", "cluster": cid, "db": "default", "collection": "x"},
                     "expectError": True}]


def sim_of_a_capture(fx):
    """A sim step names a cluster captured by an earlier step."""
    cid = fx["given"]["clusters"][0]["id"]
    fx["steps"] += [
        {"name": "the cluster", "request": {"method": "GET", "path": "/v2/clusters/" + cid,
                                            "key": "owner-key"},
         "expect": {"status": 200, "body": {"data": {"clusterId": "$capture:cid"}}}},
        {"sim": {"op": "write", "cluster": "${cid}", "db": "default", "collection": "fresh"}},
        {"inspect": {"path": "/clusters/" + cid + "/databases/default/fresh/version",
                     "expect": "$range:[1,1000000]"}}]


GOOD_VARIANTS = [
    ("a sim step that expects its failure", sim_expected_failure),
    ("a sim step naming a captured cluster", sim_of_a_capture),
]


def main():
    brcheck, src = sys.argv[1], os.path.abspath(sys.argv[2])
    base_path = os.path.join(src, "fixtures", "zilliz", "zc-tier-refused.json")
    with open(base_path) as fh:
        base = json.load(fh)
    tmp = tempfile.mkdtemp(prefix="brcheck-fixture-check-")
    try:
        good = os.path.join(tmp, "good")
        os.mkdir(good)
        with open(os.path.join(good, base["id"] + ".json"), "w") as fh:
            json.dump(base, fh)
        rc, out, err = run([brcheck, "run", good])
        check(rc == 0, "the fixture as it is passes (exit %d)" % rc)

        rc, out, err = run([brcheck, "rules", good])
        check(rc == 0, "rules over the fixture as it is: exit 0 (got %d)" % rc)

        def write(name, fx):
            d = os.path.join(tmp, name.replace(" ", "-").replace("$", "").replace(":", ""))
            os.mkdir(d)
            path = os.path.join(d, fx["id"] + ".json")
            with open(path, "w") as fh:
                json.dump(fx, fh)
            return d, path

        for name, make in GOOD_VARIANTS:
            fx = copy.deepcopy(base)
            make(fx)
            d, path = write(name, fx)
            rc, out, err = run([brcheck, "run", path])
            check(rc == 0 and "1 passed" in out, "%s: passes (exit %d): %s" % (
                name, rc, " | ".join(l.strip() for l in out.splitlines()[:3])))

        for name, named, step, make in PLAY_MISTAKES:
            fx = copy.deepcopy(base)
            make(fx)
            d, path = write(name, fx)
            rc, out, err = run([brcheck, "run", "--json", os.path.join(d, "r.json"), path])
            check(rc == 2, "%s: exit 2 (got %d)" % (name, rc))
            check("ERROR" in out and "0 passed" in out and "0 failed" in out,
                  "%s: reported as an error, not a pass or a violation" % name)
            check(named in out and step in out, "%s: the message names %s at %s: %s" % (
                name, named, step, " | ".join(l.strip() for l in out.splitlines()[:3])))
            with open(os.path.join(d, "r.json")) as fh:
                report = json.load(fh)
            check(all(r["violations"] == 0 for r in report["rules"].values()),
                  "%s: no rule of the catalog is charged with a violation" % name)

        for name, named, make in MISTAKES:
            fx = copy.deepcopy(base)
            make(fx)
            d, path = write(name, fx)
            rc, out, err = run([brcheck, "run", "--json", os.path.join(d, "r.json"), path])
            check(rc == 2, "%s: exit 2 (got %d)" % (name, rc))
            check("ERROR" in out and "0 passed" in out and "0 failed" in out,
                  "%s: reported as an error, not a pass or a violation" % name)
            check(named in out, "%s: the message names %s: %s" % (
                name, named, " | ".join(l.strip() for l in out.splitlines()[:3])))
            with open(os.path.join(d, "r.json")) as fh:
                report = json.load(fh)
            check(all(r["violations"] == 0 for r in report["rules"].values()),
                  "%s: no rule of the catalog is charged with a violation" % name)
            rc, out, err = run([brcheck, "rules", "--check", path])
            check(rc != 0, "%s: rules --check fails (exit %d)" % (name, rc))
            rc, out, err = run([brcheck, "rules", path])
            check(rc == 2 and named in err, "%s: rules refuses the fixture (exit %d): %s" % (
                name, rc, err.strip()[:300]))

        # A path given twice (or through another spelling) is played once.
        rc, out, err = run([brcheck, "run", good, good + "/", os.path.join(good, "..", "good")])
        check(rc == 0 and "1 fixtures: 1 passed" in out,
              "one folder named three ways is played once: %s" % out.strip().splitlines()[-1])

        # Two files with one id in two folders: both refused, each naming the other.
        other = os.path.join(tmp, "other")
        os.mkdir(other)
        shutil.copy(os.path.join(good, base["id"] + ".json"), other)
        rc, out, err = run([brcheck, "run", good, other])
        check(rc == 2 and "2 errors" in out and "also in" in out,
              "one id in two files: exit 2, both errors (%d: %s)" % (
                  rc, out.strip().splitlines()[-1]))
    finally:
        shutil.rmtree(tmp)
    if failures:
        print("%d checks failed" % len(failures))
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
