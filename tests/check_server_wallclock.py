#!/usr/bin/env python3
"""`brcheck serve --clock wall` under libfaketime sped up 20,000 times: through the real-time
path, a Zilliz backup job finishes, an automatic backup expires after its retention day, and
an Atlas download link disappears four hours after the job completed, all in seconds.
Usage: check_server_wallclock.py BRCHECK"""
import os
import glob
import sys
import time

from serverctl import Server, check

ZKEY = {"Authorization": "Bearer zilliz-demo-key"}
ATLAS = ("atlas-demo-public", "atlas-demo-private")
CLUSTER = "in01-demo0dedicated01"
GROUP = "/api/atlas/v1.0/groups/5f0000000000000000000002/clusters/M2Shop/backup/tenant"
SPEED = 20000


def wait_for(what, probe, limit=60.0):
    t0 = time.time()
    while time.time() - t0 < limit:
        got = probe()
        if got:
            return got, time.time() - t0
        time.sleep(0.05)
    raise AssertionError("timed out (%ss real) waiting for %s" % (limit, what))


def main():
    libs = glob.glob("/usr/lib/*/faketime/libfaketime.so.1") + glob.glob("/usr/lib/faketime/libfaketime.so.1")
    if not libs:
        print("libfaketime is not installed (scripts/setup.sh installs it)")
        sys.exit(77)
    # The library preloaded by hand, not through the faketime(1) wrapper: the wrapper keeps a
    # semaphore and shared memory named by its pid in /dev/shm, left behind when the server's
    # process group is killed; a later wrapper given the same pid then fails ("sem_open: File
    # exists").
    srv = Server(sys.argv[1], "--clock", "wall", "--quiet",
                 env={"LD_PRELOAD": libs[0], "FAKETIME": "+0 x%d" % SPEED,
                      "FAKETIME_DONT_FAKE_MONOTONIC": "1",
                      # libfaketime is preloaded ahead of a sanitizer build's runtime
                      "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"})
    try:
        st, c0 = srv.admin("GET", "clock")
        time.sleep(0.5)
        st, c1 = srv.admin("GET", "clock")
        moved = c1["epoch"] - c0["epoch"]
        check(moved > 3600, "the wall clock does not run fast under faketime: %ds in 0.5s" % moved)

        # A manual backup: CREATING, then AVAILABLE once its job ran (minutes of model time).
        st, b = srv.request("POST", "/v2/clusters/%s/backups/create" % CLUSTER,
                            {"backupType": "CLUSTER"}, ZKEY)
        check(st == 200 and b["code"] == 0, "create: %s %s" % (st, b))
        bid = b["data"]["backupId"]

        def available():
            st, d = srv.request("GET", "/v2/clusters/%s/backups/%s" % (CLUSTER, bid), None, ZKEY)
            return d["data"]["status"] == "AVAILABLE" and d
        _, secs = wait_for("the backup job to finish", available)
        print("backup job finished through the wall clock in %.2fs real" % secs)

        # An automatic backup kept one day, then gone.
        st, p = srv.request("POST", "/v2/clusters/%s/backups/policy" % CLUSTER,
                            {"enabled": True, "frequency": "1,2,3,4,5,6,7",
                             "startTime": "02:00-04:00", "retentionDays": 1}, ZKEY)
        check(st == 200 and p["code"] == 0, "policy: %s %s" % (st, p))

        def autos():
            st, d = srv.request("GET", "/v2/backups?creationMethod=AUTO&clusterId=%s" % CLUSTER,
                                None, ZKEY)
            return [x["backupId"] for x in d["data"]["backups"]]
        first, _ = wait_for("an automatic backup", autos)
        first = first[-1]
        _, secs = wait_for("the automatic backup to expire", lambda: first not in autos())
        print("automatic backup %s expired after its retention day, %.2fs real" % (first, secs))
        srv.request("POST", "/v2/clusters/%s/backups/policy" % CLUSTER, {"enabled": False}, ZKEY)

        # An Atlas download link: there once COMPLETED, gone four hours later.
        def snapshot():
            st, d = srv.request("GET", GROUP + "/snapshots", auth=ATLAS)
            done = [x["id"] for x in d["results"] if x["status"] == "COMPLETED"]
            return done and done[0]
        snap, _ = wait_for("a daily snapshot", snapshot)
        st, d = srv.request("POST", GROUP + "/download", {"snapshotId": snap}, auth=ATLAS)
        check(st == 200, "download: %s %s" % (st, d))
        rid = d["id"]

        def job():
            st, j = srv.request("GET", GROUP + "/restores/" + rid, auth=ATLAS)
            check(st == 200, "restore job: %s %s" % (st, j))
            return j

        done, _ = wait_for("the download job", lambda: job()["status"] == "COMPLETED" and job())
        t0 = time.time()
        saw_link = "snapshotUrl" in job()
        _, secs = wait_for("the link to expire", lambda: "snapshotUrl" not in job())
        check(saw_link or secs < 1.0, "no link seen after completion")
        print("download link gone %.2fs real after completion (4 h at x%d is %.2fs)"
              % (time.time() - t0, SPEED, 4 * 3600 / SPEED))
        st, chk = srv.admin("GET", "check")
        check(chk["ok"], "invariants: %s" % chk)
    finally:
        srv.kill(15)


if __name__ == "__main__":
    main()
