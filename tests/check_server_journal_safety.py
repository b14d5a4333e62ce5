#!/usr/bin/env python3
"""`brcheck serve --state FILE` refuses what is not its journal and keeps its journal whole:
a failed write (the file size limit) is answered 500 "cannot write the journal: ..." with the
world and the journal unchanged; a failed PUT world keeps the old world; refused requests do
not grow the journal; a file that is not a journal, a non-regular path, a journal in use, a
restart with other start options and an unknown mutant are refused (exit 2), the file
untouched; a mutant survives a PUT world and a restart. Usage: check_server_journal_safety.py
BRCHECK"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import zlib

from serverctl import Server, check

ZKEY = {"Authorization": "Bearer zilliz-demo-key"}
CLUSTER = "in01-demo0dedicated01"
CREATE = "/v2/clusters/%s/backups/create" % CLUSTER


def digest_of(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def refused(brcheck, *args):
    """Runs serve expecting exit 2 at the start; returns stderr."""
    p = subprocess.run([brcheck, "serve", "--listen", "127.0.0.1:0", "--quiet", *args],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=30, text=True)
    check(p.returncode == 2, "exit %d, not 2: %s" % (p.returncode, p.stderr))
    return p.stderr


def start_limited(brcheck, state, size):
    """A server whose files may not grow past 'size' bytes (a full disk, without root):
    SIGXFSZ ignored, so that a write past it fails with EFBIG."""
    setup = ("import os, resource, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
             "resource.setrlimit(resource.RLIMIT_FSIZE, (%d, resource.RLIM_INFINITY)); "
             "os.execv(sys.argv[1], sys.argv[1:])" % size)
    return Server(brcheck, "--quiet", "--state", state,
                  wrapper=(sys.executable, "-c", setup))


def main():
    brcheck = sys.argv[1]
    d = tempfile.mkdtemp(prefix="brcheck-journal-safety-")

    # Refused requests leave no record: three unauthenticated 1 MiB bodies.
    state = os.path.join(d, "refusals.journal")
    srv = Server(brcheck, "--quiet", "--state", state)
    size = os.path.getsize(state)
    for _ in range(3):
        st, _ = srv.request("POST", CREATE, os.urandom(1000000), {"Content-Type": "text/plain"})
        check(st == 401, "unauthenticated POST: %s" % st)
    check(os.path.getsize(state) == size, "refused requests grew the journal by %d bytes"
          % (os.path.getsize(state) - size))
    st, body = srv.request("POST", CREATE, {"backupType": "CLUSTER"}, ZKEY)
    check(st == 200 and body["code"] == 0, "create: %s %s" % (st, body))
    backup = body["data"]["backupId"]
    st, d1 = srv.admin("GET", "digest")
    srv.kill(9)
    srv = Server(brcheck, "--quiet", "--state", state)
    st, d2 = srv.admin("GET", "digest")
    check(d1["digest"] == d2["digest"], "world differs after restart: %s %s" % (d1, d2))
    srv.kill(9)
    print("refused requests not journaled; backup %s replayed" % backup)

    # A write failure (file size limit, like a full disk): 500 naming the cause, nothing
    # changed; the journal stays readable and a restart has every acknowledged change.
    state = os.path.join(d, "full.journal")
    Server(brcheck, "--quiet", "--state", state).kill(9)
    base = os.path.getsize(state)
    srv = start_limited(brcheck, state, base + 3000)
    acked = []
    failed = None
    for _ in range(40):
        before = (digest_of(state), srv.admin("GET", "digest")[1]["digest"])
        st, body = srv.request("POST", CREATE, {"backupType": "CLUSTER"}, ZKEY)
        if st == 200:
            check(body.get("code") == 0, "create: %s" % body)
            acked.append(body["data"]["backupId"])
            st, body = srv.admin("POST", "clock", {"advance": "1h"})  # the backup finishes
            if st == 200:
                continue
            check(st == 500, "clock: %s %s" % (st, body))
            before = (digest_of(state), before[1])
        failed = (st, body)
        break
    check(failed is not None, "the file size limit was never reached")
    st, body = failed
    check(st == 500 and "cannot write the journal: File too large" in json.dumps(body),
          "a journal write failure answered %s %s" % (st, body))
    check(digest_of(state) == before[0], "the failed write left bytes in the journal")
    check(srv.admin("GET", "digest")[1]["digest"] == before[1], "the failed write changed the world")
    # PUT world that cannot be journaled: 500, the old world goes on, the journal unchanged.
    big = {"orgs": [{"id": "org-1", "vendor": "zilliz",
                     "projects": [{"id": "proj-%04d" % i} for i in range(2000)]}]}
    st, body = srv.admin("PUT", "world", big)
    check(st == 500 and "cannot write the journal" in body.get("error", ""),
          "PUT world with a journal failure: %s %s" % (st, body))
    check(digest_of(state) == before[0], "a failed PUT world changed the journal")
    check(srv.admin("GET", "digest")[1]["digest"] == before[1], "a failed PUT world changed the world")
    check(not os.path.exists(state + ".new"), "a failed PUT world left its temporary file")
    # POST sim: 500, not 409.
    st, body = srv.admin("POST", "sim", {"op": "write", "cluster": CLUSTER, "collection": "c" * 4000})
    check(st == 500 and "cannot write the journal" in body.get("error", ""),
          "sim with a journal failure: %s %s" % (st, body))
    check(digest_of(state) == before[0], "a failed sim changed the journal")
    check(srv.admin("GET", "digest")[1]["digest"] == before[1], "a failed sim changed the world")
    srv.kill(9)
    srv = Server(brcheck, "--quiet", "--state", state)
    check(srv.admin("GET", "digest")[1]["digest"] == before[1], "world differs after restart")
    # and appends go on after the failure
    st, body = srv.request("POST", CREATE, {"backupType": "CLUSTER"}, ZKEY)
    check(st == 200, "create after restart: %s %s" % (st, body))
    st, d1 = srv.admin("GET", "digest")
    srv.kill(9)
    srv = Server(brcheck, "--quiet", "--state", state)
    check(srv.admin("GET", "digest")[1]["digest"] == d1["digest"], "world differs after restart")
    print("journal write failures: 500, nothing changed, %d acknowledged writes kept" % len(acked))

    # A second server on the same journal is refused while the first runs.
    err = refused(brcheck, "--state", state)
    check("in use by another process" in err and state in err, "second server: %s" % err)
    srv.kill(9)

    # Other start options than the journal's: refused, the journal untouched.
    snap = digest_of(state)
    err = refused(brcheck, "--state", state, "--clock", "wall")
    check("--clock virtual" in err and "--clock wall" in err, "clock mode: %s" % err)
    err = refused(brcheck, "--state", state, "--seed", "7")
    check("--seed" in err, "seed: %s" % err)
    world = os.path.join(d, "world.json")
    with open(world, "w") as f:
        json.dump({"orgs": [{"id": "org-1", "vendor": "zilliz", "projects": [{"id": "p"}]}]}, f)
    err = refused(brcheck, "--state", state, "--world", world)
    check("--world" in err, "world: %s" % err)
    check(digest_of(state) == snap, "a refused start changed the journal")
    print("a second server and other start options refused")

    # A file that is not a journal: refused, untouched (content and mode).
    os.chmod(world, 0o644)
    snap = digest_of(world)
    err = refused(brcheck, "--state", world)
    check("not a brcheck journal" in err and world in err, "not a journal: %s" % err)
    check(digest_of(world) == snap and os.stat(world).st_mode & 0o777 == 0o644,
          "a file that is not a journal was changed")
    # A journal of the format before the header line.
    old = os.path.join(d, "old.journal")
    text = b'{"k":"advance","s":1}'
    with open(old, "wb") as f:
        f.write(b"%08x %d %s\n" % (zlib.crc32(text), len(text), text))
    snap = digest_of(old)
    err = refused(brcheck, "--state", old)
    check("older brcheck" in err, "old journal: %s" % err)
    check(digest_of(old) == snap, "an old journal was changed")
    # Not a regular file: a FIFO is left as it is.
    fifo = os.path.join(d, "fifo")
    os.mkfifo(fifo, 0o644)
    err = refused(brcheck, "--state", fifo)
    check("not a regular file" in err and fifo in err, "FIFO: %s" % err)
    check(os.stat(fifo).st_mode & 0o777 == 0o644, "the FIFO's mode was changed")
    err = refused(brcheck, "--state", d)
    check("not a regular file" in err, "folder: %s" % err)
    print("files that are not journals refused and untouched")

    # A mutant set through the admin API survives a PUT world and a restart.
    state = os.path.join(d, "mutant.journal")
    srv = Server(brcheck, "--quiet", "--state", state)
    st, body = srv.admin("PUT", "mutant", {"rule": "ZC-RETAIN"})
    check(st == 200, "set mutant: %s %s" % (st, body))
    given = {"orgs": [{"id": "org-1", "vendor": "zilliz", "projects": [{"id": "proj-1"}]}],
             "keys": [{"key": "zilliz-demo-key", "org": "org-1", "roles": ["ORG_OWNER"]}],
             "clusters": [{"id": CLUSTER, "project": "proj-1", "plan": "Enterprise"}]}
    st, body = srv.admin("PUT", "world", given)
    check(st == 200, "PUT world: %s %s" % (st, body))
    srv.kill(9)
    srv = Server(brcheck, "--quiet", "--state", state)
    st, body = srv.admin("GET", "mutant")
    check(body.get("rule") == "ZC-RETAIN", "mutant after PUT world and restart: %s" % body)
    srv.kill(9)
    # An unknown mutant in the journal is refused, not replayed as none.
    with open(state, "rb") as f:
        lines = f.read().split(b"\n")
    rec = json.loads(lines[1].split(b" ", 2)[2])
    rec["mutant"] = "NO-SUCH-RULE"
    text = json.dumps(rec, separators=(",", ":")).encode()
    with open(state, "wb") as f:
        f.write(lines[0] + b"\n" + b"%08x %d %s\n" % (zlib.crc32(text), len(text), text))
    snap = digest_of(state)
    err = refused(brcheck, "--state", state)
    check("NO-SUCH-RULE" in err, "unknown mutant: %s" % err)
    check(digest_of(state) == snap, "a refused journal was changed")
    print("mutants kept over PUT world and restart; an unknown one refused")


if __name__ == "__main__":
    main()
