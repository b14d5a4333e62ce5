#!/usr/bin/env python3
"""The traceability matrix (`brcheck rules --matrix`) tells the truth, and its check fails
when a rule loses what traces it.

usage: check_matrix.py BRCHECK SOURCE_DIR

- every enforcing function it names is defined at the file:line it gives;
- the fixtures it lists for a rule are exactly those whose `rules` map names it;
- the rule tracer (cmake/rule_trace.py) finds functions, file-scope tables and macros, and
  ignores rule names in comments and strings;
- --check fails, naming the rule, when a refusing rule loses its refusal fixture, when a
  mutant survives (a fixture that claims a rule and shows nothing of it), and on bad usage;
- with --json, stdout holds exactly one JSON document and the check speaks on stderr;
- a path that cannot be read or a fixture that does not load is exit 2 in every mode, with
  one line for each on stderr and nothing on stdout.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


def run(args, env=None):
    p = subprocess.run(args, capture_output=True, text=True, env=env, timeout=300)
    return p.returncode, p.stdout, p.stderr


def one_json(text):
    """The JSON document text holds, alone; None when it holds anything else."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def main():
    brcheck, src = sys.argv[1], os.path.abspath(sys.argv[2])
    fixtures = os.path.join(src, "fixtures")

    # 1. The whole matrix as JSON, without playing mutants (fast).
    rc, out, err = run([brcheck, "rules", "--matrix", "--json", "--no-mutants", fixtures])
    check(rc == 0, "rules --matrix --json exits 0 (%d: %s)" % (rc, err.strip()))
    m = json.loads(out)
    rules = m["rules"]
    catalog = []
    for f in sorted(glob.glob(os.path.join(src, "spec/rules/*.json"))):
        with open(f) as fh:
            catalog += json.load(fh)
    check(sorted(r["id"] for r in rules) == sorted(r["id"] for r in catalog),
          "the matrix has every catalog rule once (%d)" % len(catalog))

    # Enforcing functions: each is defined at the file:line the matrix gives.
    bad = []
    sites = 0
    for r in rules:
        for e in r["enforcedBy"]:
            sites += 1
            path = os.path.join(src, e["file"])
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    lines = fh.read().split("\n")
            except OSError:
                bad.append("%s: no file %s" % (r["id"], e["file"]))
                continue
            # A definition may wrap: its name is on the given line or the next.
            text = " ".join(lines[e["line"] - 1 : e["line"] + 1]) if e["line"] >= 1 else ""
            if not re.search(r"\b%s\b" % re.escape(e["function"]), text):
                bad.append("%s: %s is not at %s:%d" % (r["id"], e["function"], e["file"], e["line"]))
    check(sites > len(rules) and not bad,
          "%d enforcing functions, each at its file:line %s" % (sites, bad[:5]))
    symbol_traced = sum(1 for r in rules if any(e["via"] == "symbol" for e in r["enforcedBy"]))
    check(symbol_traced >= len(rules) - 2,
          "%d of %d rules traced through BR_RULE_ uses in model/" % (symbol_traced, len(rules)))

    # Fixtures: exactly those whose rules map says holds / refuses.
    holds, refuses = {}, {}
    for f in glob.glob(os.path.join(fixtures, "**/*.json"), recursive=True):
        with open(f) as fh:
            fx = json.load(fh)
        for rid, what in fx.get("rules", {}).items():
            (holds if what == "holds" else refuses).setdefault(rid, set()).add(fx["id"])
    mismatch = [r["id"] for r in rules
                if set(r["holding"]) != holds.get(r["id"], set())
                or set(r["refusing"]) != refuses.get(r["id"], set())]
    check(not mismatch, "holding/refusing fixtures match the fixtures' rules maps %s" % mismatch[:5])
    check(all(r["killed"] is None for r in rules), "--no-mutants plays no mutant")
    no_mutant = [r["id"] for r in rules if not r["mutant"]]
    check(no_mutant and all(r["noMutant"] for r in rules if not r["mutant"]),
          "rules without a mutant say why (%s)" % ", ".join(no_mutant))

    # 2. The rule tracer on a synthetic source.
    tmp = tempfile.mkdtemp(prefix="brmatrix-")
    try:
        os.makedirs(os.path.join(tmp, "model"))
        with open(os.path.join(tmp, "model", "x.c"), "w") as fh:
            fh.write(
                "/* BR_RULE_IN_COMMENT is not a use */\n"
                "#define GUARD(c) br__rule(ctx, BR_RULE_IN_MACRO, \\\n"
                "                          c)\n"
                "static const int table[] = {\n"
                "    BR_RULE_IN_TABLE,\n"
                "};\n"
                "static bool\n"
                "guard_one(int a,\n"
                "          int b)\n"
                "{\n"
                "    const char *s = \"BR_RULE_IN_STRING\";\n"
                "    if (a) { return br__rule(ctx, BR_RULE_IN_FUNC, b); }\n"
                "    return false;\n"
                "}\n"
                "int br_rule_has_mutant(int r) { return r == BR_RULE_LISTED; }\n"
                "void after(void)\n"
                "{\n"
                "    (void)BR_RULE_AFTER;\n"
                "}\n")
        out_c = os.path.join(tmp, "trace.c")
        rc, _, err = run([sys.executable, os.path.join(src, "cmake/rule_trace.py"), out_c, tmp,
                          os.path.join(tmp, "model", "x.c")])
        check(rc == 0, "rule_trace.py runs (%s)" % err.strip())
        with open(out_c) as fh:
            gen = fh.read()
        sites = set(re.findall(r'\{BR_RULE_(\w+), "(\w+)", "([^"]+)", (\d+)\}', gen))
        want = {("IN_MACRO", "GUARD", "model/x.c", "2"), ("IN_TABLE", "table", "model/x.c", "4"),
                ("IN_FUNC", "guard_one", "model/x.c", "7"), ("AFTER", "after", "model/x.c", "16")}
        check(sites == want, "tracer: function, table, macro; not comments, strings or the "
              "mutant list (got %s)" % sorted(sites))
        check('{"guard_one", "model/x.c", 7}' in gen and '{"after", "model/x.c", 16}' in gen
              and '"table"' not in gen.split("br_model_functions")[1],
              "tracer lists functions, not tables")

        # 3. --check fails when a refusing rule loses its refusal fixture.
        rid = "ZC-RESTORE-AVAILABLE"
        cut = os.path.join(tmp, "cut")
        shutil.copytree(os.path.join(fixtures, "zilliz"), cut)
        removed = 0
        for f in glob.glob(os.path.join(cut, "*.json")):
            with open(f) as fh:
                if json.load(fh).get("rules", {}).get(rid) == "refuses":
                    os.remove(f)
                    removed += 1
        rc, out, _ = run([brcheck, "rules", "--matrix", "--check", "--no-mutants", "--only", "ZC",
                          cut])
        check(removed > 0 and rc == 1 and
              ("rule %s lacks a fixture showing its refusal" % rid) in out,
              "--check fails without a refusal fixture for %s (rc %d)" % (rid, rc))
        # Beside --json the failing check speaks on stderr; stdout holds the document alone.
        lacks = "rule %s lacks a fixture showing its refusal" % rid
        rc, out, err = run([brcheck, "rules", "--matrix", "--json", "--check", "--no-mutants",
                            "--only", "ZC", cut])
        doc = one_json(out)
        row = next((r for r in doc["rules"] if r["id"] == rid), {}) if isinstance(doc, dict) else {}
        check(rc == 1 and row.get("holding") and not row.get("refusing") and lacks in err
              and "traceability check FAILED" in err,
              "--matrix --json --check: the document on stdout, the failed check on stderr (rc %d)"
              % rc)
        rc, out, err = run([brcheck, "rules", "--json", "--check", "--only", "ZC", cut])
        doc = one_json(out)
        row = next((r for r in doc if r["id"] == rid), {}) if isinstance(doc, list) else {}
        check(rc == 1 and row.get("covered") is False and row.get("refuses") == 0 and lacks in err
              and "rule coverage check FAILED" in err,
              "rules --json --check: the catalog on stdout, the failed check on stderr (rc %d)" % rc)
        rc, out, _ = run([brcheck, "rules", "--matrix", "--check", "--no-mutants", "--only", "ZC",
                          os.path.join(fixtures, "zilliz")])
        check(rc == 0 and "0 problem(s)" in out, "--check passes on the Zilliz fixtures (rc %d)" % rc)

        # 4. A fixture that claims ZC-TIER but shows nothing of it: the mutant survives.
        hollow = os.path.join(tmp, "hollow")
        os.makedirs(hollow)
        with open(os.path.join(hollow, "zc-hollow.json"), "w") as fh:
            json.dump({"id": "zc-hollow", "vendor": "zilliz",
                       "rules": {"ZC-TIER": "holds"}, "source": "inferred: test",
                       "given": {"orgs": [{"id": "org-1", "vendor": "zilliz",
                                           "projects": [{"id": "proj-1"}]}],
                                 "keys": [{"key": "k1", "org": "org-1", "roles": ["ORG_OWNER"]}]},
                       "steps": [{"advance": "1m"}]}, fh)
        rc, out, _ = run([brcheck, "rules", "--matrix", "--json", "--only", "ZC", hollow])
        row = next(r for r in json.loads(out)["rules"] if r["id"] == "ZC-TIER") if rc == 0 else {}
        check(row.get("mutant") is True and row.get("killed") is False and row.get("killedBy") == 0,
              "a hollow fixture does not kill ZC-TIER's mutant (%s)" % {k: row.get(k) for k in
                                                                         ("killed", "killedBy")})
        rc, out, _ = run([brcheck, "rules", "--matrix", "--check", "--only", "ZC", hollow])
        check(rc == 1 and "rule ZC-TIER has a mutant that the suite does not kill" in out,
              "--check fails on the surviving mutant (rc %d)" % rc)
        rc, out, _ = run([brcheck, "rules", "--matrix", "--json", "--only", "ZC",
                          os.path.join(fixtures, "zilliz")])
        row = next(r for r in json.loads(out)["rules"] if r["id"] == "ZC-TIER")
        check(row["killed"] is True and row["killedBy"] > 0,
              "the Zilliz fixtures kill ZC-TIER's mutant (%s)" % row["killedBy"])
    finally:
        shutil.rmtree(tmp)

    # 5. Usage: --summary without --matrix is refused; --help documents --matrix.
    rc, _, err = run([brcheck, "rules", "--summary"])
    check(rc == 2 and "need --matrix" in err, "--summary without --matrix is a usage error")
    rc, out, _ = run([brcheck, "rules", "--help"])
    check(rc == 0 and "--matrix" in out, "rules --help documents --matrix")
    empty = tempfile.mkdtemp(prefix="brmatrix-empty-")
    try:
        rc, out, _ = run([brcheck, "rules", "--matrix", "--no-mutants", empty])
    finally:
        shutil.rmtree(empty)
    check(rc == 0 and len(re.findall(r"^\S+ \(\w+\)  INCOMPLETE$", out, re.M)) == len(catalog),
          "an empty fixture folder leaves every rule incomplete (rc %d)" % rc)
    # --only names families of the model: an unknown or empty one is a usage error (before, an
    # unknown family printed an empty table with exit 0, and --check passed over no rule).
    for cmd in (["rules"], ["rules", "--check"], ["rules", "--matrix", "--no-mutants"],
                ["mutate"]):
        for only in ("XX", "ZC,,CC", "ZC,", ""):
            rc, out, err = run([brcheck] + cmd + ["--only", only])
            bad = only.split(",")[1] if only.startswith("ZC,") else only
            check(rc == 2 and ('no rule family "%s"' % bad) in err and "INV SEC ZC CC MA" in err
                  and out == "", "%s --only %r is a usage error (rc %d: %s)" %
                  (" ".join(cmd), only, rc, err.strip()))
    rc, _, err = run([brcheck, "rules", "--only"])
    check(rc == 2 and "--only needs a value" in err, "rules --only without a value (rc %d)" % rc)
    rc, out, _ = run([brcheck, "rules", "--only", "ZC,CC"])
    ids = [line.split()[0] for line in out.splitlines()[1:] if line.strip()]
    check(rc == 0 and ids and all(i.split("-")[0] in ("ZC", "CC") for i in ids) and
          {"ZC", "CC"} <= {i.split("-")[0] for i in ids}, "rules --only ZC,CC lists both families")

    # 6. With --json, stdout is one JSON document: the check's verdict goes to stderr.
    rc, out, err = run([brcheck, "rules", "--json", "--check", fixtures])
    doc = one_json(out)
    check(rc == 0 and isinstance(doc, list) and len(doc) == len(catalog)
          and err.strip() == "rule coverage check passed",
          "rules --json --check: one JSON document on stdout, the verdict on stderr (rc %d: %r)"
          % (rc, err.strip()))
    rc, out, err = run([brcheck, "rules", "--matrix", "--json", "--check", "--no-mutants",
                        fixtures])
    doc = one_json(out)
    check(rc == 0 and isinstance(doc, dict) and len(doc.get("rules", [])) == len(catalog)
          and err.startswith("traceability check passed: %d rules" % len(catalog))
          and len(err.splitlines()) == 1,
          "rules --matrix --json --check: the matrix on stdout, the verdict on stderr (rc %d: %r)"
          % (rc, err.strip()))
    rc, out, err = run([brcheck, "rules", "--json", fixtures])
    doc = one_json(out)
    check(rc == 0 and isinstance(doc, list) and len(doc) == len(catalog) and err == "",
          "rules --json: the catalog alone (rc %d)" % rc)

    # 7. A path that cannot be read or a fixture that does not load: exit 2 in every mode, one
    # line on stderr for each, nothing on stdout (no listing over what did load, no JSON).
    missing = "/nonexistent/fixtures"
    bad = os.path.join(src, "tests", "data", "bad-fixture.json")
    modes = [[], ["--json"], ["--check"], ["--json", "--check"], ["--only", "ZC"],
             ["--matrix"], ["--matrix", "--no-mutants"], ["--matrix", "--json"],
             ["--matrix", "--check"], ["--matrix", "--json", "--check"],
             ["--matrix", "--markdown"], ["--matrix", "--summary", "--no-mutants"]]
    for mode in modes:
        what = " ".join(["rules"] + mode)
        rc, out, err = run([brcheck, "rules"] + mode + [missing])
        lines = err.splitlines()
        check(rc == 2 and out == "" and len(lines) == 1 and missing in lines[0]
              and "No such file or directory" in lines[0],
              "%s on a missing path: exit 2, one line on stderr (rc %d, %d lines, stdout %d bytes)"
              % (what, rc, len(lines), len(out)))
        rc, out, err = run([brcheck, "rules"] + mode + [bad])
        lines = err.splitlines()
        check(rc == 2 and out == "" and len(lines) == 1 and bad in lines[0]
              and "NO-SUCH-RULE" in lines[0],
              "%s on a bad fixture: exit 2, one line on stderr (rc %d, %d lines, stdout %d bytes)"
              % (what, rc, len(lines), len(out)))
    # One line per path; a bad fixture among good ones is named alone.
    tmp = tempfile.mkdtemp(prefix="brmatrix-bad-")
    try:
        mixed = os.path.join(tmp, "mixed")
        shutil.copytree(os.path.join(fixtures, "zilliz"), mixed)
        shutil.copy(bad, mixed)
        for mode in (["--json"], ["--check"], ["--matrix", "--json", "--no-mutants"]):
            rc, out, err = run([brcheck, "rules"] + mode + ["/nonexistent/a", mixed,
                                                          "/nonexistent/b"])
            lines = sorted(err.splitlines())
            check(rc == 2 and out == "" and len(lines) == 3
                  and "cannot read /nonexistent/a: No such file or directory" in lines[1]
                  and "cannot read /nonexistent/b: No such file or directory" in lines[2]
                  and "bad fixture %s" % os.path.join(mixed, "bad-fixture.json") in lines[0],
                  "rules %s: one line for each missing path and bad fixture (rc %d: %s)"
                  % (" ".join(mode), rc, lines))
    finally:
        shutil.rmtree(tmp)

    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
