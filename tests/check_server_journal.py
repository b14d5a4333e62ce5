#!/usr/bin/env python3
"""`brcheck serve --state FILE`: a server killed with SIGKILL during a stream of writes keeps,
after restart, every change it acknowledged; a torn last record is dropped, not fatal; damage
before the end refuses to start. Usage: check_server_journal.py BRCHECK"""
import os
import sys
import tempfile
import threading
import time

from serverctl import Server, check

ZKEY = {"Authorization": "Bearer zilliz-demo-key"}
CLUSTER = "in01-demo0dedicated01"


def stream(srv, acked, stop):
    """Creates backups and moves the clock, recording what was acknowledged."""
    while not stop.is_set():
        try:
            st, body = srv.request("POST", "/v2/clusters/%s/backups/create" % CLUSTER,
                                   {"backupType": "CLUSTER"}, ZKEY, timeout=5)
            if st == 200 and body.get("code") == 0:
                acked["backups"].append(body["data"]["backupId"])
            st, body = srv.admin("POST", "clock", {"advance": "10m"})
            if st == 200:
                acked["epoch"] = body["epoch"]
        except Exception:
            return  # the server died under us


def backup_ids(srv):
    st, body = srv.request("GET", "/v2/backups?clusterId=%s&pageSize=100" % CLUSTER, None, ZKEY)
    check(st == 200, "list after restart: %s %s" % (st, body))
    ids = {b["backupId"] for b in body["data"]["backups"]}
    page = 2
    while len(ids) < body["data"]["count"]:
        st, more = srv.request("GET", "/v2/backups?clusterId=%s&pageSize=100&currentPage=%d"
                               % (CLUSTER, page), None, ZKEY)
        ids |= {b["backupId"] for b in more["data"]["backups"]}
        page += 1
    return ids


def main():
    brcheck = sys.argv[1]
    state = os.path.join(tempfile.mkdtemp(prefix="brcheck-journal-"), "state.journal")

    srv = Server(brcheck, "--quiet", "--state", state)
    acked = {"backups": [], "epoch": 0}
    stop = threading.Event()
    t = threading.Thread(target=stream, args=(srv, acked, stop))
    t.start()
    time.sleep(1.5)
    srv.kill(9)  # SIGKILL mid-stream
    stop.set()
    t.join()
    check(len(acked["backups"]) >= 5, "too few acknowledged writes: %d" % len(acked["backups"]))
    # It holds the world's secrets: readable by its owner only (SEC-SECRETS).
    mode = os.stat(state).st_mode & 0o777
    check(mode == 0o600, "the journal is mode %o, not 600" % mode)

    os.chmod(state, 0o644)  # a journal left readable by others is narrowed when opened
    srv = Server(brcheck, "--state", state)
    check(os.stat(state).st_mode & 0o777 == 0o600, "an older journal is not narrowed to 600")
    ids = backup_ids(srv)
    missing = [b for b in acked["backups"] if b not in ids]
    check(not missing, "acknowledged backups lost after SIGKILL: %s" % missing[:5])
    st, clock = srv.admin("GET", "clock")
    check(clock["epoch"] >= acked["epoch"], "clock went back: %s < %s" % (clock, acked["epoch"]))
    st, d1 = srv.admin("GET", "digest")
    check("replayed" in srv.stderr(), "no replay message: " + srv.stderr())
    srv.kill(9)
    print("acknowledged %d backups and %d clock moves before SIGKILL; all there after restart"
          % (len(acked["backups"]), len(acked["backups"])))

    # A torn last record (a crash in the middle of a write) is cut off.
    size = os.path.getsize(state)
    with open(state, "ab") as f:
        f.write(b'1234abcd 400 {"k":"req","m":"POST","p":"/v2/clus')
    srv = Server(brcheck, "--state", state)
    check("torn" in srv.stderr(), "torn record not reported: " + srv.stderr())
    st, d2 = srv.admin("GET", "digest")
    check(d1 == d2, "state differs after dropping a torn record: %s vs %s" % (d1, d2))
    check(os.path.getsize(state) == size, "torn record not cut from the journal")
    # And the journal goes on: a new write after the cut survives another restart.
    st, body = srv.request("POST", "/v2/clusters/%s/backups/create" % CLUSTER,
                           {"backupType": "CLUSTER"}, ZKEY)
    new_id = body["data"]["backupId"] if body.get("code") == 0 else None
    srv.kill(9)
    srv = Server(brcheck, "--state", state, "--quiet")
    if new_id:
        check(new_id in backup_ids(srv), "write after the cut lost")
    srv.kill(9)

    # Damage before the end is not silently skipped.
    with open(state, "r+b") as f:
        f.seek(len(b"brcheck-journal 2\n") + 3)  # the first record, past the header line
        f.write(b"X")
    try:
        Server(brcheck, "--state", state, "--quiet")
        raise AssertionError("a journal damaged in the middle was accepted")
    except RuntimeError as e:
        check("damaged" in str(e), "unclear message: %s" % e)
    print("torn last record dropped; damage in the middle refused")

    # A world loaded by a client keeps its generation over a restart: the client, which names
    # it in X-Brcheck-World, goes on; the world before it stays replaced.
    state = os.path.join(tempfile.mkdtemp(prefix="brcheck-journal-"), "state.journal")
    srv = Server(brcheck, "--quiet", "--state", state)
    given = {"orgs": [{"id": "org-1", "vendor": "zilliz", "projects": [{"id": "proj-1"}]}],
             "keys": [{"key": "zilliz-demo-key", "org": "org-1", "roles": ["ORG_OWNER"]}],
             "clusters": [{"id": CLUSTER, "project": "proj-1", "plan": "Enterprise"}]}
    gens = []
    for _ in range(3):
        st, body = srv.admin("PUT", "world", given)
        check(st == 200 and "generation" in body, "PUT world: %s %s" % (st, body))
        gens.append(body["generation"])
    path = "/v2/clusters/%s/backups/create" % CLUSTER
    st, body = srv.request("POST", path, {"backupType": "CLUSTER"},
                           dict(ZKEY, **{"X-Brcheck-World": str(gens[-1])}))
    check(st == 200 and body.get("code") == 0, "a write naming the world: %s %s" % (st, body))
    st, d1 = srv.admin("GET", "digest")
    srv.kill(9)
    srv = Server(brcheck, "--quiet", "--state", state)
    st, d2 = srv.admin("GET", "digest")
    check(d2["digest"] == d1["digest"], "world differs after restart: %s vs %s" % (d1, d2))
    check(d2.get("generation") == gens[-1], "generation %s after restart, want %s"
          % (d2.get("generation"), gens[-1]))
    st, body = srv.request("GET", "/v2/backups?clusterId=%s" % CLUSTER, None,
                           dict(ZKEY, **{"X-Brcheck-World": str(gens[-1])}))
    check(st == 200, "the client's world refused after a restart: %s %s" % (st, body))
    st, body = srv.request("GET", "/v2/backups?clusterId=%s" % CLUSTER, None,
                           dict(ZKEY, **{"X-Brcheck-World": str(gens[-2])}))
    check(st == 412, "a replaced world accepted after a restart: %s %s" % (st, body))
    st, d3 = srv.admin("GET", "digest")
    check(d3["digest"] == d1["digest"], "a refused call changed the world")
    srv.kill(9)
    print("world generation %d kept over a restart" % gens[-1])


if __name__ == "__main__":
    main()
