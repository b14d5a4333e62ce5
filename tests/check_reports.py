#!/usr/bin/env python3
"""Checks the CI reports of `brcheck run` (JUnit, SARIF, HTML, Markdown) on a passing run
(the whole fixtures/ suite), a failing run (tests/data/failing-restore.json) and a hand-made
run with every status and hostile text (tests/report_sample).

Further kinds: skipped (over HTTP, a target profile skipping fixtures, a fixture that does
not load: per-rule counts never take them for a pass; skip reasons in every report),
reproduce (the reproduce command of every report repeats --target, --profile and --mutant,
quoted for a POSIX shell, and fails again as the run did), output-errors (a traffic log,
standard output or a report that cannot be written: exit 2 with the reason, nothing left
that claims success).

usage: check_reports.py KIND BRCHECK REPORT_SAMPLE SOURCE_DIR
KIND: junit | sarif | markdown | html | cli | skipped | reproduce | output-errors
Exit 0 pass, 1 fail, 77 skip (a tool is missing where that is allowed: chromium)."""
import html as htmllib
import json
import os
import re
import resource
import shlex
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import urllib.parse
import xml.etree.ElementTree as ET
import zlib

KINDS = ("junit", "sarif", "markdown", "html", "cli", "skipped", "reproduce", "output-errors")
if len(sys.argv) > 1 and sys.argv[1] in ("-h", "--help"):
    print(__doc__)
    sys.exit(0)
if len(sys.argv) != 5 or sys.argv[1] not in KINDS:
    sys.stderr.write("usage: check_reports.py KIND BRCHECK REPORT_SAMPLE SOURCE_DIR\n"
                     "KIND: %s (--help for more)\n" % " | ".join(KINDS))
    sys.exit(2)
KIND, BRCHECK, SAMPLE, SRC = sys.argv[1:5]
DATA = os.path.join(SRC, "tests", "data")
FAILING = os.path.join(DATA, "failing-restore.json")
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL: " + what)
    return cond


def run(args, expect_rc, cwd):
    p = subprocess.run([BRCHECK, "run"] + args, cwd=cwd, capture_output=True, text=True)
    check(p.returncode == expect_rc,
          "brcheck run %s: exit %d, expected %d\n%s" % (" ".join(args), p.returncode,
                                                         expect_rc, p.stderr[-2000:]))
    return p


def reports(out, name, paths, expect_rc):
    """Writes all five reports of one run into out/name.*; returns their paths."""
    files = {k: os.path.join(out, name + "." + k) for k in
             ("json", "xml", "sarif", "html", "md")}
    run(["--json", files["json"], "--junit", files["xml"], "--sarif", files["sarif"],
         "--html", files["html"], "--markdown", files["md"]] + paths, expect_rc, out)
    for k, f in files.items():
        check(os.path.getsize(f) > 0 if os.path.exists(f) else False, "%s not written" % f)
    return files


def three_runs(out):
    """(passing files, failing files, sample paths) for the three runs."""
    passing = reports(out, "pass", [os.path.join(SRC, "fixtures")], 0)
    failing = reports(out, "fail", [FAILING], 1)
    p = subprocess.run([SAMPLE, out], capture_output=True, text=True)
    check(p.returncode == 0, "report_sample failed: " + p.stderr)
    sample = {k: os.path.join(out, "sample." + k) for k in ("xml", "sarif", "html", "md")}
    return passing, failing, sample


def catalog():
    p = subprocess.run([BRCHECK, "rules", "--json", os.path.join(SRC, "fixtures")],
                       capture_output=True, text=True)
    return [r["id"] for r in json.loads(p.stdout)]


def step_line(path, step):
    """Independent lookup: the line of the step-th '{' directly inside "steps": [...]."""
    text = open(path, encoding="utf-8").read()
    start = text.index('"steps"')
    i, depth, seen = text.index("[", start) + 1, 0, 0
    while i < len(text):
        c = text[i]
        if c == '"':
            i += 1
            while text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif c in "{[":
            if depth == 0 and c == "{":
                seen += 1
                if seen == step:
                    return text.count("\n", 0, i) + 1
            depth += 1
        elif c in "}]":
            depth -= 1
        i += 1
    return 1


def check_junit(out):
    passing, failing, sample = three_runs(out)
    xsd = os.path.join(DATA, "junit.xsd")
    for f in (passing["xml"], failing["xml"], sample["xml"]):
        p = subprocess.run(["xmllint", "--noout", "--schema", xsd, f], capture_output=True,
                           text=True)
        check(p.returncode == 0, "%s does not validate against junit.xsd:\n%s" %
              (f, p.stderr[-3000:]))
    for files in (passing, failing):
        rep = json.load(open(files["json"]))
        root = ET.parse(files["xml"]).getroot()
        cases = root.findall("testsuite/testcase")
        check(len(cases) == rep["summary"]["fixtures"],
              "%d testcases for %d fixtures" % (len(cases), rep["summary"]["fixtures"]))
        check(len(root.findall("testsuite/testcase/failure")) == rep["summary"]["failed"],
              "failure count differs from the JSON report")
        for suite in root.findall("testsuite"):
            n = len(suite.findall("testcase"))
            check(int(suite.get("tests")) == n, "suite %s says %s tests, has %d" %
                  (suite.get("name"), suite.get("tests"), n))
            for case in suite.findall("testcase"):
                check(suite.get("name") == "brcheck." + case.get("classname"),
                      "testcase %s outside its vendor suite" % case.get("name"))
    root = ET.parse(failing["xml"]).getroot()
    fail = root.find("testsuite/testcase[@name='failing-restore']/failure")
    if check(fail is not None, "no <failure> for failing-restore"):
        check(fail.get("message", "").startswith(
            "SEC-SECRETS at step 1 'expects the wrong username"),
            "failure message does not name rule and step: " + fail.get("message", ""))
        check("expected:" in fail.text and "actual:" in fail.text,
              "failure body lacks expected/actual")
    root = ET.parse(sample["xml"]).getroot()
    check(root.find(".//testcase[@name='sample-skip']/skipped") is not None,
          "skipped fixture has no <skipped>")
    check((root.find(".//testcase[@name='sample-skip']/skipped").get("message") or "")
          .startswith("needs an M0 cluster a <b> &"), "skip reason lost or mangled")
    check(root.find(".//testcase[@name='sample-error']/error") is not None,
          "error fixture has no <error>")
    check(root.find(".//testcase[@name='sample-pass']/*") is None,
          "passing fixture carries a child element")
    text = open(sample["xml"], encoding="utf-8").read()
    check(not FORBIDDEN.search(text), "forbidden control character in JUnit XML")


def validator():
    try:
        import jsonschema
    except ImportError:
        print("python3-jsonschema is missing (scripts/setup.sh installs it)")
        sys.exit(1)
    schema = json.load(open(os.path.join(DATA, "sarif-schema-2.1.0.json")))
    return jsonschema.Draft4Validator(schema)


def check_sarif(out):
    v = validator()
    passing, failing, sample = three_runs(out)
    ids = catalog()
    for f in (passing["sarif"], failing["sarif"], sample["sarif"]):
        doc = json.load(open(f))
        errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
        check(not errs, "%s is not SARIF 2.1.0: %s" %
              (f, "; ".join("%s: %s" % (list(e.path), e.message[:200]) for e in errs[:5])))
        check(doc["version"] == "2.1.0" and len(doc["runs"]) == 1, "version or runs wrong")
        driver = doc["runs"][0]["tool"]["driver"]
        check(driver["name"] == "brcheck" and driver.get("version"), "driver name/version")
        check([r["id"] for r in driver["rules"]] == ids,
              "%s: %d rules, catalog has %d" % (f, len(driver["rules"]), len(ids)))
        for r in driver["rules"]:
            check(r["shortDescription"]["text"] and r["properties"]["source"],
                  "rule %s lacks statement or source" % r["id"])
    for files in (passing, failing):
        rep = json.load(open(files["json"]))
        want = sum(len(f["violations"]) for f in rep["fixtures"])
        got = json.load(open(files["sarif"]))["runs"][0]["results"]
        check(len(got) == want, "%d results for %d violations" % (len(got), want))
        pairs = sorted((f["id"], x["rule"], x["step"]) for f in rep["fixtures"]
                       for x in f["violations"])
        check(sorted((r["properties"]["fixture"], r.get("ruleId", ""), r["properties"]["step"])
                     for r in got) == pairs, "results do not match the violations")
    res = json.load(open(failing["sarif"]))["runs"][0]["results"]
    if check(len(res) == 1, "failing run: one result expected"):
        r = res[0]
        loc = r["locations"][0]["physicalLocation"]
        check(r["ruleId"] == "SEC-SECRETS" and r["level"] == "error", "ruleId/level")
        check(loc["artifactLocation"]["uri"] == "tests/data/failing-restore.json",
              "uri not relative to the source tree: " + loc["artifactLocation"]["uri"])
        want = step_line(FAILING, 1)
        check(loc["region"]["startLine"] == want,
              "startLine %d, the step begins on line %d" % (loc["region"]["startLine"], want))
        check("failing-restore" in r["message"]["text"] and "step 1" in r["message"]["text"],
              "message does not name fixture and step")
    text = open(sample["sarif"], encoding="utf-8").read()
    check(not FORBIDDEN.search(json.loads(text)["runs"][0]["results"][0]["message"]["text"]),
          "forbidden control character in a SARIF message")
    # Where a fixture is, however it was named: inside the source tree relative to SRCROOT
    # (also from another directory), outside it an absolute file:// URI that names the file.
    outside = os.path.join(out, "outside dir %\u00fc#")
    os.mkdir(outside)
    shutil.copy(FAILING, outside)
    copy = os.path.join(outside, "failing-restore.json")
    for given, inside in ((os.path.relpath(FAILING, out), True),
                          (os.path.relpath(copy, out), False), (copy, False)):
        f = os.path.join(out, "where.sarif")
        run(["--sarif", f, given], 1, out)
        doc = json.load(open(f, encoding="utf-8"))
        errs = list(v.iter_errors(doc))
        check(not errs, "%s: not SARIF 2.1.0: %s" % (given, [e.message[:200] for e in errs[:3]]))
        loc = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        if inside:
            check(loc == {"uri": "tests/data/failing-restore.json", "uriBaseId": "SRCROOT"},
                  "%s: in the source tree, located as %s" % (given, loc))
            continue
        u = urllib.parse.urlsplit(loc["uri"])
        path = urllib.parse.unquote(u.path)
        check("uriBaseId" not in loc and u.scheme == "file" and u.netloc == "" and
              not u.query and not u.fragment and path == os.path.realpath(copy) and
              os.path.exists(path),
              "%s: outside the source tree, located as %s" % (given, loc))


def check_markdown(out):
    passing, failing, sample = three_runs(out)
    text = open(passing["md"], encoding="utf-8").read()
    check("all fixtures pass" in text and "Failing rules" not in text, "passing summary")
    check(re.search(r"\| 9\d \| 9\d \| 0 \| 0 \| 0 \| 0 \|", text) is not None or
          "| 0 | 0 | 0 | 0 |" in text, "passing totals row missing")
    text = open(failing["md"], encoding="utf-8").read()
    check("FAILED" in text, "failing summary does not say FAILED")
    check(re.search(r"^\| SEC-SECRETS \| failing-restore \| 1 \(expects the wrong", text,
                    re.M) is not None, "no table row for the failing rule, fixture and step")
    check("\nbrcheck run tests/data/failing-restore.json\n" in text, "no reproduction line")
    text = open(sample["md"], encoding="utf-8").read()
    check(not FORBIDDEN.search(text), "forbidden control character in Markdown")
    rows = [l for l in text.splitlines() if l.startswith("| ZC-TIER")]
    if check(len(rows) == 1, "sample: no ZC-TIER row"):
        cells = re.split(r"(?<!\\)\|", rows[0])
        check(len(cells) == 6, "a hostile message breaks the table: %d cells" % len(cells))
        check("<b>" not in rows[0] and "&lt;b&gt;" in rows[0], "HTML not escaped in Markdown")


def read_png(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB/RGBA non-interlaced PNG."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        typ, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        if typ == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif typ == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and ctype in (2, 6) and interlace == 0, "unsupported PNG %r" % (hdr,)
    bpp = 3 if ctype == 2 else 4
    raw, stride, prev, rows, i = zlib.decompress(idat), w * bpp, bytearray(w * bpp), [], 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def count_colors(path, colors):
    w, h, bpp, rows = read_png(path)
    want = {bytes(c): k for k, c in colors.items()}
    counts = {k: 0 for k in colors}
    for row in rows:
        for x in range(0, w * bpp, bpp):
            k = want.get(row[x:x + 3])
            if k:
                counts[k] += 1
    return counts


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if shutil.which(name):
            return shutil.which(name)
    return None


def check_html(out):
    browser = chromium()
    if not browser:
        print("SKIP: chromium is not installed (scripts/setup.sh installs it)")
        sys.exit(77)
    passing, failing, sample = three_runs(out)
    ids = catalog()
    colors = {"pass": (0x2D, 0xA4, 0x4E), "fail": (0xCF, 0x22, 0x2E), "none": (0xFF, 0xF8, 0xC5)}
    base = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--force-color-profile=srgb", "--user-data-dir=" + os.path.join(out, "profile"),
            "--window-size=1280,2000"]
    env = dict(os.environ, HOME=out)
    for name, files in (("pass", passing), ("fail", failing), ("sample", sample)):
        html = files["html"]
        page = open(html, encoding="utf-8").read()
        check(not re.search(r'(src|href)\s*=\s*"(https?:)?//', page),
              "%s loads an external resource" % html)
        check(not FORBIDDEN.search(page), "forbidden control character in " + html)
        url = "file://" + os.path.abspath(html)
        p = subprocess.run(base + ["--dump-dom", url], capture_output=True, text=True,
                           timeout=120, env=env)
        if not check(p.returncode == 0 and "<table" in p.stdout,
                     "chromium --dump-dom failed (%d): %s" % (p.returncode, p.stderr[-1500:])):
            continue
        dom = p.stdout
        m = re.search(r'<table class="matrix">(.*?)</table>', dom, re.S)
        if not check(m is not None, name + ": the matrix table is not in the DOM"):
            continue
        body = m.group(1)
        check(len(re.findall(r"<tr><th><a ", body)) == len(ids),
              "%s: %d matrix rows for %d rules" % (name, body.count("<tr><th><a "), len(ids)))
        cells = re.findall(r'<td class="(pass|fail|none|na)">', body)
        check(len(cells) == 3 * len(ids), "%s: %d matrix cells" % (name, len(cells)))
        shot = os.path.join(out, name + ".png")
        p = subprocess.run(base + ["--enable-logging=stderr", "--v=0", "--screenshot=" + shot,
                                   url], capture_output=True, text=True, timeout=120, env=env)
        console = [l for l in p.stderr.splitlines() if "CONSOLE" in l or "Uncaught" in l]
        check(not console, "%s: console errors: %s" % (name, console[:3]))
        if not check(p.returncode == 0 and os.path.exists(shot), "no screenshot for " + name):
            continue
        counts = count_colors(shot, colors)
        print("%s: %d pass, %d fail, %d not-exercised cells; pixels %s" %
              (name, cells.count("pass"), cells.count("fail"), cells.count("none"), counts))
        # A visible cell is about 130x22 pixels; the legend and the verdict badge add a few
        # pixels of the same colors, so the counts must exceed what they alone give.
        for k in ("pass", "fail", "none"):
            n = cells.count(k)
            if n:
                check(counts[k] >= 800 * min(n, 40) + 1000,
                      "%s: %d %s cells but only %d pixels of that color: matrix not visible"
                      % (name, n, k, counts[k]))
        if name == "pass":
            check(cells.count("fail") == 0 and cells.count("pass") >= 40,
                  "passing run: matrix has %d pass and %d fail cells" %
                  (cells.count("pass"), cells.count("fail")))
            check(counts["fail"] < 2000, "passing run shows red: %d pixels" % counts["fail"])
        if name == "fail":
            check(cells.count("fail") == 1, "failing run: one failing cell expected")
            check('class="diff"' in dom and 'class="add"' in dom and 'class="del"' in dom,
                  "failing run: no expected/actual diff")
            check("[REDACTED]" in dom, "failing run: the redacted answer is not shown")
        if name == "sample":
            check("<b>" not in dom and "a &lt;b&gt; &amp;" in dom,
                  "sample: hostile text not escaped")


def check_cli(out):
    # Unknown or incomplete report options are usage errors that write nothing.
    for args in (["--junit"], ["--sarif"], ["--html"], ["--markdown"], ["--json"]):
        run(args, 2, out)
    run(["--junit", os.path.join(out, "no", "such", "dir.xml"), FAILING], 2, out)
    p = subprocess.run([BRCHECK, "run", "--help"], capture_output=True, text=True)
    for opt in ("--junit FILE", "--sarif FILE", "--json FILE", "--html FILE", "--markdown FILE"):
        check(opt in p.stdout, "usage lacks " + opt)
    # Not a terminal: no progress line on stderr.
    p = run([os.path.join(SRC, "fixtures")], 0, out)
    check("\r" not in p.stderr and "\x1b[" not in p.stderr and "[1/" not in p.stderr,
          "progress output on a stderr that is not a terminal: %r" % p.stderr[:200])
    # A terminal (script gives a pty) but a run under a second: nothing either.
    if shutil.which("script"):
        cmd = "%s run %s 2>&1 >/dev/null" % (BRCHECK, FAILING)
        p = subprocess.run(["script", "-qec", cmd, "/dev/null"], capture_output=True,
                           text=True, timeout=60)
        check("[1/1]" not in p.stdout, "progress line on a sub-second run: %r" % p.stdout)
    p = subprocess.run([SAMPLE, "progress"], capture_output=True, text=True)
    print(p.stdout.strip())
    check(p.returncode == 0, "progress line: " + p.stderr)


def matrix_cell(page, rule, column):
    """(class, text) of the HTML matrix cell of rule in column 0..2 (zilliz, crdb, atlas)."""
    m = re.search(r'<tr><th><a href="#rule-%s">%s</a></th>(.*?)</tr>' % (rule, rule), page)
    if not m:
        return None, None
    cells = re.findall(r'<td class="([a-z]+)">(.*?)</td>', m.group(1))
    return cells[column] if len(cells) == 3 else (None, None)


def check_skipped(out):
    """Skipped fixtures (a target profile's skip list, over HTTP) and a fixture that does not
    load verify nothing: no report counts them for a rule that holds."""
    sys.path.insert(0, os.path.join(SRC, "tests"))
    import serverctl
    fx = os.path.join(out, "fixtures")
    os.mkdir(fx)
    for name in ("zc-create-one-automatic", "zc-create-one-refused", "zc-create-type-refused"):
        shutil.copy(os.path.join(SRC, "fixtures", "zilliz", name + ".json"), fx)
    shutil.copy(FAILING, fx)
    broken = json.load(open(os.path.join(SRC, "fixtures", "zilliz",
                                         "zc-restore-available-refused.json")))
    del broken["source"]  # loads its rules, then is refused: status error
    json.dump(broken, open(os.path.join(fx, "zc-restore-available-refused.json"), "w"))
    reason = 'no "one automatic" <backup> & here'
    profile = os.path.join(out, "profile.json")
    json.dump({"admin": True, "skip": [{"fixture": "zc-create-one-*", "reason": reason}]},
              open(profile, "w"))
    srv = serverctl.Server(BRCHECK)
    try:
        files = {k: os.path.join(out, "r." + k) for k in ("json", "xml", "sarif", "html", "md")}
        p = run(["--target", srv.base, "--profile", profile, "--json", files["json"], "--junit",
                 files["xml"], "--sarif", files["sarif"], "--html", files["html"], "--markdown",
                 files["md"], fx], 2, out)
    finally:
        srv.kill(15)
    rep = json.load(open(files["json"]))
    check(rep["summary"] == {"fixtures": 5, "passed": 1, "failed": 1, "skipped": 2, "errors": 1},
          "summary: %s" % rep["summary"])
    rules = rep["rules"]
    want = {"ZC-CREATE-ONE": (0, 0, 0, 2, 0), "ZC-POLICY": (0, 0, 0, 1, 0),
            "ZC-CREATE-TYPE": (1, 0, 1, 0, 0), "ZC-RESTORE-AVAILABLE": (0, 0, 0, 0, 1),
            "SEC-SECRETS": (1, 1, 0, 0, 0)}
    for rule, (n, holds, refuses, skipped, errors) in want.items():
        row = rules[rule]
        check((row["fixtures"], row["holds"], row["refuses"], row.get("skipped"),
               row.get("errors")) == (n, holds, refuses, skipped, errors),
              "JSON rule %s: %s, expected fixtures/holds/refuses/skipped/errors %s" %
              (rule, row, (n, holds, refuses, skipped, errors)))
    skips = [f for f in rep["fixtures"] if f["status"] == "skipped"]
    check(len(skips) == 2 and all(f.get("reason") == reason for f in skips),
          "JSON: skipped fixtures without their reason: %s" % skips)
    # Console: the reason on each SKIP line; a rule row counts only what ran.
    lines = p.stdout.splitlines()
    for name in ("zc-create-one-automatic", "zc-create-one-refused"):
        check(any(l.startswith("SKIP") and name in l and l.endswith(": " + reason)
                  for l in lines), "console: no SKIP line with the reason for " + name)
    row = [l.split() for l in lines if l.startswith("ZC-CREATE-ONE ")]
    check(len(row) == 1 and row[0][2:8] == ["0", "0", "0", "0", "2", "0"],
          "console: ZC-CREATE-ONE row %s (fixtures holds refuses violations skipped errors)"
          % row)
    row = [l.split() for l in lines if l.startswith("ZC-RESTORE-AVAILABLE ")]
    check(len(row) == 1 and row[0][2:8] == ["0", "0", "0", "0", "0", "1"],
          "console: ZC-RESTORE-AVAILABLE row %s" % row)
    # HTML matrix: never "pass" for a rule whose fixtures did not run.
    page = open(files["html"], encoding="utf-8").read()
    for rule, words in (("ZC-CREATE-ONE", "2 skipped"), ("ZC-POLICY", "1 skipped"),
                        ("ZC-RESTORE-AVAILABLE", "1 error")):
        cls, text = matrix_cell(page, rule, 0)
        check(cls == "none" and words in (text or ""),
              "HTML: %s zilliz cell is %s %r, not 'not run: %s'" % (rule, cls, text, words))
    cls, text = matrix_cell(page, "ZC-CREATE-TYPE", 0)
    check(cls == "pass" and text == "pass 1", "HTML: ZC-CREATE-TYPE cell %s %r" % (cls, text))
    check(htmllib.escape(reason) in page, "HTML: no skip reason")
    root = ET.parse(files["xml"]).getroot()
    got = [c.find("skipped").get("message") for c in root.iter("testcase")
           if c.find("skipped") is not None]
    check(got == [reason, reason], "JUnit: skip reasons %s" % got)


def reproduce_lines(files, stdout):
    """Every reproduce command, per report: console, JSON, JUnit, SARIF, HTML, Markdown."""
    found = {"console": [l.split("reproduce: ", 1)[1] for l in stdout.splitlines()
                         if l.startswith("  reproduce: ")]}
    rep = json.load(open(files["json"], encoding="utf-8"))
    found["json"] = [f["reproduce"] for f in rep["fixtures"] if f["violations"]]
    root = ET.parse(files["xml"]).getroot()
    found["junit"] = [l.split("reproduce: ", 1)[1] for e in root.iter("failure")
                      for l in e.text.splitlines() if l.startswith("reproduce: ")]
    doc = json.load(open(files["sarif"], encoding="utf-8"))
    found["sarif"] = sorted(set(r["properties"]["reproduce"] for r in doc["runs"][0]["results"]))
    page = open(files["html"], encoding="utf-8").read()
    found["html"] = [htmllib.unescape(c) for c in
                     re.findall(r"<div>reproduce: <code>(.*?)</code></div>", page, re.S)]
    md = open(files["md"], encoding="utf-8").read()
    m = re.search(r"^### Reproduce\n\n(`{3,})sh\n(.*?)^\1\n", md, re.S | re.M)
    found["markdown"] = m.group(2).splitlines() if m else []
    return found


def replay(cmd, cwd):
    """Runs a reproduce command as a POSIX shell would, with this brcheck."""
    check(cmd.startswith("brcheck run "), "not a brcheck command: %r" % cmd)
    return subprocess.run(["sh", "-c", shlex.quote(BRCHECK) + cmd[len("brcheck"):]], cwd=cwd,
                          capture_output=True, text=True)


def check_commands(found, argv, ci_argv, out, expect):
    """Each report's one reproduce command has the arguments 'argv' (the console and JSON,
    run from out) or 'ci_argv' (the CI formats, run from the source root), and when sh runs
    it, it fails again: exit 1 and 'expect' on stdout."""
    def words(cmd):
        try:
            return shlex.split(cmd)
        except ValueError as e:  # an unbalanced quote: not a shell command
            return ["(%s)" % e, cmd]

    for where, cmds in sorted(found.items()):
        local = where in ("console", "json")
        want = argv if local else ci_argv
        if not check(len(cmds) == 1 and words(cmds[0]) == want,
                     "%s: reproduce %r, expected the arguments %r" % (where, cmds, want)):
            continue
        q = replay(cmds[0], out if local else SRC)
        check(q.returncode == 1 and expect in q.stdout,
              "%s: %r exits %d, the failure is not reproduced\n%s" %
              (where, cmds[0], q.returncode, (q.stdout + q.stderr)[-1500:]))


def check_reproduce(out):
    """The mutant, a non-default profile and paths a shell would split or expand: every
    report's reproduce command, run as is by sh, fails again; without --mutant it passes."""
    odd = "it's a ```dir``` $HOME \"q\" *"
    os.mkdir(os.path.join(out, odd))
    shutil.copy(os.path.join(SRC, "fixtures", "zilliz", "zc-restore-available-refused.json"),
                os.path.join(out, odd))
    given = os.path.join(odd, "zc-restore-available-refused.json")
    files = {k: os.path.join(out, "r." + k) for k in ("json", "xml", "sarif", "html", "md")}
    p = run(["--mutant", "ZC-RESTORE-AVAILABLE", "--profile", "strict", "--json", files["json"],
             "--junit", files["xml"], "--sarif", files["sarif"], "--html", files["html"],
             "--markdown", files["md"], given], 1, out)
    head = ["brcheck", "run", "--profile", "strict", "--mutant", "ZC-RESTORE-AVAILABLE"]
    found = reproduce_lines(files, p.stdout)
    check_commands(found, head + [given], head + [os.path.realpath(os.path.join(out, given))],
                   out, "FAIL    zc-restore-available-refused")
    rep = json.load(open(files["json"]))
    check(rep.get("mutant") == "ZC-RESTORE-AVAILABLE" and rep.get("profile") == "strict",
          "JSON report: mutant %r, profile %r" % (rep.get("mutant"), rep.get("profile")))
    # The mutant is what fails it: the same command without it passes.
    if found["console"]:
        q = replay(found["console"][0].replace(" --mutant ZC-RESTORE-AVAILABLE", ""), out)
        check(q.returncode == 0, "without the mutant the fixture passes: exit %d" % q.returncode)
    # Defaults are left out: a plain run names the file alone.
    p = run(["--json", files["json"], FAILING], 1, out)
    want = "brcheck run " + FAILING
    check([f["reproduce"] for f in json.load(open(files["json"]))["fixtures"]] == [want] and
          ("  reproduce: " + want) in p.stdout.splitlines(),
          "plain run: reproduce is not %r" % want)
    rep = json.load(open(files["json"]))
    check(rep.get("mutant", 0) is None and rep.get("profile") == "default",
          "plain run: mutant %r, profile %r" % (rep.get("mutant", 0), rep.get("profile")))


def check_reproduce_http(out):
    """Over HTTP with a target profile in a folder with a space: --target and --profile are
    in the command, which fails again against the same server."""
    sys.path.insert(0, os.path.join(SRC, "tests"))
    import serverctl
    os.mkdir(os.path.join(out, "my profiles"))
    profile = os.path.join("my profiles", "serve.json")
    json.dump({"admin": True}, open(os.path.join(out, profile), "w"))
    files = {k: os.path.join(out, "h." + k) for k in ("json", "xml", "sarif", "html", "md")}
    srv = serverctl.Server(BRCHECK)
    try:
        p = run(["--target", srv.base, "--profile", profile, "--json", files["json"], "--junit",
                 files["xml"], "--sarif", files["sarif"], "--html", files["html"],
                 "--markdown", files["md"], FAILING], 1, out)
        head = ["brcheck", "run", "--target", srv.base, "--profile"]
        check_commands(reproduce_lines(files, p.stdout), head + [profile, FAILING],
                       head + [os.path.realpath(os.path.join(out, profile)),
                               "tests/data/failing-restore.json"], out, "FAIL    failing-restore")
        rep = json.load(open(files["json"]))
        check(rep.get("profile") == profile, "JSON report: profile %r" % rep.get("profile"))
    finally:
        srv.kill(15)


def check_output_errors(out):
    """Output that cannot be written: exit 2 with the reason; no report file claims a run
    that did not finish as asked; a report cut short is not left behind."""
    one = os.path.join(SRC, "fixtures", "zilliz", "zc-restore-available-refused.json")
    p = subprocess.run([BRCHECK, "run", "--help"], capture_output=True, text=True)
    check("--traffic FILE  write every exchange" in p.stdout and
          "append" not in p.stdout.split("--traffic", 1)[1].split("--mutant")[0],
          "usage of --traffic does not say write")
    # The traffic log is replaced, one per run, as the usage says.
    log = os.path.join(out, "traffic.jsonl")
    open(log, "w").write("an older run\n")
    run(["--traffic", log, one], 0, out)
    text = open(log).read()
    check("an older run" not in text and text and
          all(json.loads(l)["path"] for l in text.splitlines()),
          "the traffic log is not one run's exchanges: %r" % text[:200])
    # A traffic log that cannot be written: exit 2, the reason, no report.
    rj = os.path.join(out, "after-traffic.json")
    p = run(["--traffic", "/dev/full", "--json", rj, one], 2, out)
    check("cannot write /dev/full: No space left on device" in p.stderr,
          "traffic on /dev/full: stderr %r" % p.stderr[-500:])
    check(not os.path.exists(rj), "a report was written although the traffic log was lost")
    # A text report that cannot be written to standard output: the same.
    rj = os.path.join(out, "after-stdout.json")
    with open("/dev/full", "w") as full:
        q = subprocess.run([BRCHECK, "run", "--json", rj, one], stdout=full,
                           stderr=subprocess.PIPE, text=True, cwd=out)
    check(q.returncode == 2 and "standard output: No space left on device" in q.stderr,
          "stdout on /dev/full: exit %d, stderr %r" % (q.returncode, q.stderr[-500:]))
    check(not os.path.exists(rj), "a report was written although standard output was lost")
    # A report that cannot be created says why; the others are written whole.
    rj = os.path.join(out, "beside.json")
    p = run(["--junit", os.path.join(out, "no", "such", "dir.xml"), "--json", rj, FAILING], 2,
            out)
    check("cannot write %s: No such file or directory" % os.path.join(out, "no", "such",
                                                                      "dir.xml") in p.stderr,
          "missing folder: stderr %r" % p.stderr[-500:])
    check(os.path.exists(rj) and json.load(open(rj))["summary"]["failed"] == 1,
          "the report beside the one that failed is not whole")
    check("1 fixtures: 0 passed, 1 failed" in p.stdout, "the text report is not whole")
    # Reports cut short by the file size limit (EFBIG): the reason, and no cut file is left.
    limit = 4096

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    cut = {k: os.path.join(out, "cut." + k) for k in ("json", "xml", "sarif", "html", "md")}
    q = subprocess.run([BRCHECK, "run", "--json", cut["json"], "--sarif", cut["sarif"],
                        "--html", cut["html"], FAILING], capture_output=True, text=True,
                       cwd=out, preexec_fn=small_files, restore_signals=False)
    check(q.returncode == 2, "reports over the size limit: exit %d" % q.returncode)
    for k in ("json", "sarif", "html"):
        check("cannot write %s: File too large" % cut[k] in q.stderr,
              "%s over the size limit: stderr %r" % (k, q.stderr[-600:]))
        check(not os.path.exists(cut[k]), "a cut %s report is left behind" % k)
    check("1 fixtures: 0 passed, 1 failed" in q.stdout, "the text report is not whole")


def main():
    out = tempfile.mkdtemp(prefix="brcheck-reports-")
    try:
        {"junit": check_junit, "sarif": check_sarif, "markdown": check_markdown,
         "html": check_html, "cli": check_cli, "skipped": check_skipped,
         "reproduce": lambda d: (check_reproduce(d), check_reproduce_http(d)),
         "output-errors": check_output_errors}[KIND](out)
    finally:
        if not os.environ.get("BRCHECK_KEEP"):
            shutil.rmtree(out, ignore_errors=True)
        else:
            print("kept " + out)
    if failures:
        print("%d checks failed" % len(failures))
        return 1
    print("%s reports: all checks passed" % KIND)
    return 0


if __name__ == "__main__":
    sys.exit(main())
