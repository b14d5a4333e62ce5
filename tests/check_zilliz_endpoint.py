#!/usr/bin/env python3
"""A Zilliz cluster's connectAddress (GET /v2/clusters/{id}) leads to its data plane on the
mock itself: the address names the cluster as its host's first label on the server's own
port, and a list of collections sent there (to the loopback, with that Host) answers for
that cluster; an X-Forwarded-Proto of https (a proxy in front) makes it https.

usage: check_zilliz_endpoint.py BRCHECK
"""
import sys
import urllib.parse

from serverctl import Server, check

ZKEY = {"Authorization": "Bearer zilliz-demo-key"}
CLUSTER = "in01-demo0dedicated01"


def main():
    srv = Server(sys.argv[1], "--quiet")
    try:
        st, body = srv.request("GET", "/v2/clusters/" + CLUSTER, headers=ZKEY)
        check(st == 200 and body["code"] == 0, "describe cluster: %s %s" % (st, body))
        address = body["data"]["connectAddress"]
        url = urllib.parse.urlsplit(address)
        check(url.scheme == "http" and url.hostname == CLUSTER + ".localhost"
              and url.port == srv.port and url.path == "",
              "connectAddress %s is not http://%s.localhost:%d" % (address, CLUSTER, srv.port))
        st, body = srv.request("POST", "/v2/vectordb/collections/list", {"dbName": "default"},
                               dict(ZKEY, Host=url.netloc))
        check(st == 200 and body["code"] == 0 and isinstance(body["data"], list)
              and body["data"], "list at the connectAddress: %s %s" % (st, body))
        st, body = srv.request("GET", "/v2/clusters/" + CLUSTER,
                               headers=dict(ZKEY, **{"X-Forwarded-Proto": "https"}))
        check(body["data"]["connectAddress"].startswith("https://%s.localhost:" % CLUSTER),
              "behind an https proxy: %s" % body["data"]["connectAddress"])
        st, body = srv.request("GET", "/v2/clusters/" + CLUSTER,
                               headers=dict(ZKEY, Host="mock.example:9000"))
        check(body["data"]["connectAddress"] == "http://%s.mock.example:9000" % CLUSTER,
              "on a named host: %s" % body["data"]["connectAddress"])
    finally:
        srv.kill(15)
    print("ok")


if __name__ == "__main__":
    main()
