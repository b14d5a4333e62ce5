#!/usr/bin/env python3
"""A fixture with a mistake in it is a bad fixture (exit 2, ERROR, the step and the mistake
named), never a pass and never a violation charged to the target; the same fixture without
the mistake passes. Also: a path given twice is played once, and two fixtures with one id
are both refused.

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

        for name, named, make in MISTAKES:
            fx = copy.deepcopy(base)
            make(fx)
            d = os.path.join(tmp, name.replace(" ", "-").replace("$", "").replace(":", ""))
            os.mkdir(d)
            path = os.path.join(d, fx["id"] + ".json")
            with open(path, "w") as fh:
                json.dump(fx, fh)
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
