#!/usr/bin/env python3
"""Usage errors say what is wrong: an unknown option of `brcheck fuzz` and `brcheck serve` is
named as unknown (a known one without its value "needs a value"), and a target profile that
cannot be read says why, without a line number it does not have; `brcheck run` with nothing
to play says whether a path cannot be read, holds no fixture, or the shard is empty;
`brcheck fuzz` refuses values that cannot be meant (an empty --out, --time 0, a seed with a
sign or a blank, seeds past the largest) and a URL that is not `brcheck serve`.

usage: check_cli_errors.py BRCHECK

Each error exits 2 with one line on stderr and nothing on stdout (no server started, no
fixture played).
"""
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading

failures = []


def check(cond, what):
    print(("ok    " if cond else "FAIL  ") + what)
    if not cond:
        failures.append(what)


def run(args):
    try:
        p = subprocess.run(args, capture_output=True, text=True, timeout=60,
                           stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return None, "", "(still running after 60 s)"
    return p.returncode, p.stdout, p.stderr


def main():
    brcheck = os.path.abspath(sys.argv[1])

    # 1. fuzz and serve: unknown options, options without their value, stray words.
    for cmd, known in (("fuzz", ["--seed", "--target", "--out"]),
                       ("serve", ["--world", "--listen", "--port-file"])):
        for args in (["--bogus"], ["--bogus", "1"], ["--bogus", known[0], "1"],
                     [known[0], "1", "--bogus"]):
            rc, out, err = run([brcheck, cmd] + args)
            check(rc == 2 and out == "" and len(err.splitlines()) == 1
                  and ("brcheck %s: unknown option --bogus" % cmd) in err
                  and "needs a value" not in err,
                  "%s %s: unknown option (rc %s: %s)" % (cmd, " ".join(args), rc, err.strip()))
        for opt in known:
            rc, out, err = run([brcheck, cmd, opt])
            check(rc == 2 and out == "" and len(err.splitlines()) == 1
                  and ("brcheck %s: %s needs a value" % (cmd, opt)) in err
                  and "unknown" not in err,
                  "%s %s: needs a value (rc %s: %s)" % (cmd, opt, rc, err.strip()))
        rc, out, err = run([brcheck, cmd, "stray"])
        check(rc == 2 and out == "" and ("brcheck %s: stray is not an option" % cmd) in err,
              "%s stray: not an option (rc %s: %s)" % (cmd, rc, err.strip()))

    # 1b. serve: values that would silently mean something else (0 meaning the default, an
    # empty admin token letting "Bearer " through), --listen parsed strictly with the whole
    # value quoted, and --help stating the exit status. Nothing listens: the ports are unused.
    for opt, val, words in (("--idle-timeout", "0", "1..1000000"),
                            ("--max-connections", "0", "1..1000000"),
                            ("--header-timeout", "0", "1..1000000"),
                            ("--nonce-timeout", "0", "1..1000000"),
                            ("--threads", "0", "1..256"),
                            ("--admin-token", "", "1 to 127 characters")):
        rc, out, err = run([brcheck, "serve", "--listen", "127.0.0.1:18801", opt, val])
        check(rc == 2 and out == "" and len(err.splitlines()) == 1
              and ('bad value for %s: "%s"' % (opt, val)) in err and words in err,
              "serve %s '%s': refused (rc %s: %s)" % (opt, val, rc, err.strip()))
    for val, words in (("127.0.0.1:+18801", "the port is a number"),
                       ("127.0.0.1: 18801", "the port is a number"),
                       ("127.0.0.1:", "the port is a number"),
                       ("127.0.0.1:65536", "the port is a number"),
                       ("127.0.0.1", "has no port"),
                       ("[::1]", "no port after the address"),
                       ("[::1", "[ADDR]:PORT"),
                       ("::1:18801", "in brackets"),
                       ("[fe80::1%lo]:18801", "the host is a numeric"),
                       ("example.com:18801", "the host is a numeric")):
        rc, out, err = run([brcheck, "serve", "--quiet", "--listen", val])
        check(rc == 2 and out == "" and len(err.splitlines()) == 1
              and ('--listen "%s"' % val) in err and words in err,
              "serve --listen '%s': refused naming the whole value (rc %s: %s)"
              % (val, rc, err.strip()))
    rc, out, err = run([brcheck, "serve", "--help"])
    check(rc == 0 and "Exit status: 0 after a stop by signal" in out and "--header-timeout" in out
          and "2 on a bad option" in out, "serve --help states the exit status (rc %s)" % rc)

    # 2. run --profile FILE: a missing file, a folder, bad JSON.
    tmp = tempfile.mkdtemp(prefix="brcli-")
    try:
        missing = os.path.join(tmp, "no-such-profile.json")
        rc, out, err = run([brcheck, "run", "--profile", missing])
        check(rc == 2 and out == "" and len(err.splitlines()) == 1
              and (missing + ": cannot read: No such file or directory") in err
              and "(line" not in err,
              "run --profile on a missing file says why, without a line (rc %s: %s)"
              % (rc, err.strip()))
        rc, out, err = run([brcheck, "run", "--profile", tmp])
        check(rc == 2 and out == "" and len(err.splitlines()) == 1
              and (tmp + ": cannot read: Is a directory") in err and "(line" not in err,
              "run --profile on a folder says so (rc %s: %s)" % (rc, err.strip()))
        broken = os.path.join(tmp, "broken.json")
        with open(broken, "w") as fh:
            fh.write('{\n  "behaviour": "strict",\n  "vendors": [zilliz]\n}\n')
        rc, out, err = run([brcheck, "run", "--profile", broken])
        check(rc == 2 and out == "" and len(err.splitlines()) == 1
              and (broken + ": ") in err and "(line 3)" in err and "line -1" not in err,
              "run --profile on bad JSON names its line (rc %s: %s)" % (rc, err.strip()))
        unknown = os.path.join(tmp, "unknown.json")
        with open(unknown, "w") as fh:
            fh.write('{"colour": "blue"}\n')
        rc, out, err = run([brcheck, "run", "--profile", unknown])
        check(rc == 2 and out == "" and 'unknown field "colour"' in err and "(line" not in err,
              "run --profile with an unknown field names it (rc %s: %s)" % (rc, err.strip()))

        # 3. run with nothing to play says which case it is: a path that cannot be read
        # (named, with the reason, even beside one that can), an empty folder, an empty shard.
        one = os.path.join(tmp, "one")
        os.mkdir(one)
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                           "zilliz", "zc-tier-refused.json")
        shutil.copy(src, one)
        rc, out, err = run([brcheck, "run", missing, one])
        check(rc == 2 and out == "" and ("cannot read %s: No such file or directory" % missing)
              in err and "no fixtures" not in err,
              "run MISSING GOOD: the missing path named, nothing played (rc %s: %s)"
              % (rc, err.strip()))
        empty = os.path.join(tmp, "empty")
        os.mkdir(empty)
        rc, out, err = run([brcheck, "run", empty])
        check(rc == 2 and out == "" and len(err.splitlines()) == 1
              and "no fixtures (*.json) under the paths given" in err,
              "run EMPTY: no fixtures under the paths (rc %s: %s)" % (rc, err.strip()))
        rc, out, err = run([brcheck, "run", "--shard", "2/3", one])
        check(rc == 2 and out == "" and len(err.splitlines()) == 1
              and "shard 2/3 holds none of the 1 fixtures" in err,
              "run --shard 2/3 of one fixture: the shard is empty (rc %s: %s)"
              % (rc, err.strip()))

        # 4. fuzz: values that cannot be what was meant, and a URL that is not brcheck serve.
        cwd_before = sorted(os.listdir(tmp))
        for args, says in ((["--out", ""], "bad value for --out: ''"),
                           (["--time", "0"], "bad value for --time: '0'"),
                           (["--seed", " 5"], "bad value for --seed: ' 5'"),
                           (["--seed", "+5"], "bad value for --seed: '+5'"),
                           (["--seed", "18446744073709551615", "--runs", "2"],
                            "goes past the largest seed"),
                           (["--seed", "18446744073709551614", "--shard", "3/3"],
                            "goes past the largest seed")):
            p = subprocess.run([brcheck, "fuzz"] + args, capture_output=True, text=True,
                               timeout=60, cwd=tmp)
            rc, out, err = p.returncode, p.stdout, p.stderr
            check(rc == 2 and out == "" and len(err.splitlines()) == 1 and says in err
                  and sorted(os.listdir(tmp)) == cwd_before,
                  "fuzz %s: refused, nothing written (rc %s: %s)"
                  % (" ".join(repr(a) for a in args), rc, err.strip()))
        check(not os.path.exists("/fuzz-zc-restore-available-seed1.json"),
              "fuzz --out '' wrote nothing into /")

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

        server = http.server.HTTPServer(("127.0.0.1", 0), Quiet)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = "http://127.0.0.1:%d" % server.server_address[1]
        rc, out, err = run([brcheck, "fuzz", "--target", url, "--out", os.path.join(tmp, "f")])
        server.shutdown()
        check(rc == 2 and out == "" and len(err.splitlines()) == 1
              and "does not answer GET /_brcheck/v1/ping as brcheck serve" in err
              and "brcheck run --target URL" in err and not os.path.exists(os.path.join(tmp, "f")),
              "fuzz --target URL of a server that is not brcheck serve: refused at the start, "
              "nothing written (rc %s: %s)" % (rc, err.strip()))
    finally:
        shutil.rmtree(tmp)

    print("%d failure(s)" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
