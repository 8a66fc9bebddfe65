#!/usr/bin/env python3
"""Crawl one province of a server of the 2024 portal layout the way the 2024
scrapers did, and check every document with check.py.

The walk (zakiego/data-pemilu-2024 src/actions/get-wilayah.ts walks
/wilayah/pemilu/ppwp/0.json -> each province -> kab/kota -> kecamatan ->
desa -> TPS; the others walk the dapil lists):
  - /wilayah/pemilu/{ppwp,pdpd,pdpr}/0.json and every list below, down to
    the desa lists (which name the TPS);
  - for every region of the ppwp tree (national to desa) the region files
    /pemilu/hhcw/<c>[/...].json of all five contests, and the TPS files
    /pemilu/hhcw/<c>/.../<tps>.json of the TPS the filter keeps;
  - /wilayah/pemilu/pdpr/dapil_dpr.json, /wilayah/pemilu/pdprdp/0.json and
    <p>.json, /wilayah/pemilu/pdprdk/0.json, <p>.json and <p>/<k>.json, and
    for each dapil found /pemilu/hhcd/... and /pemilu/caleg/partai/<dapil>.json;
    /pemilu/hhcd/pdpr/0.json, /pemilu/hhcd/pdprdp/<p>.json,
    /pemilu/hhcd/pdprdk/<p>/<k>.json;
  - /pemilu/ppwp.json, /pemilu/partai.json, /pemilu/caleg/dpd/<p>.json.
N threads (default 16) each keep one keep-alive connection.

usage: crawl.py [--threads N] [--tps-every K] [--no-contract] BASE_URL PROVINCE
  e.g. crawl.py http://127.0.0.1:8081 65   (--tps-every 1: every TPS file;
  K: every K-th TPS of each desa, default 1). Prints the count of documents
  per kind, every failure, and the answers by status; exit 1 on any failure.
"""
import http.client
import os
import queue
import sys
import threading
import time
import urllib.parse
from collections import Counter

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check  # noqa: E402

CONTESTS = check.CONTESTS
TREES = ("ppwp", "pdpd", "pdpr")


def nest(code):
    """'6501011001' -> '65/6501/650101/6501011001'."""
    return "/".join(code[:n] for n in (2, 4, 6, 10, 13) if n <= len(code))


def hhcw_path(contest, code):
    return "/pemilu/hhcw/%s.json" % contest if code == "0" else "/pemilu/hhcw/%s/%s.json" % (contest, nest(code))


def wilayah_path(tree, code):
    return "/wilayah/pemilu/%s/%s.json" % (tree, "0" if code == "0" else nest(code))


class Result:
    __slots__ = ("status", "kind", "doc", "errors", "size", "retry_after")

    def __init__(self, status, kind=None, doc=None, errors=(), size=0, retry_after=None):
        self.status, self.kind, self.doc, self.errors = status, kind, doc, list(errors)
        self.size, self.retry_after = size, retry_after


class Crawler:
    """Fetches paths on N keep-alive connections and checks each answer."""

    def __init__(self, base, threads=16, contract=True, timeout=30):
        u = urllib.parse.urlparse(base)
        self.host, self.port = u.hostname, u.port or 80
        self.threads, self.contract, self.timeout = threads, contract, timeout
        self.results = {}          # path -> Result (the last fetch)
        self.statuses = Counter()  # every answer, by status
        self.requests = 0
        self.lock = threading.Lock()

    def get(self, conn_box, path):
        """GET on the thread's connection (reopened once after a failure)."""
        for attempt in (0, 1):
            c = conn_box[0]
            if c is None:
                c = conn_box[0] = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                c.request("GET", path, headers={"Accept": "application/json"})
                r = c.getresponse()
                body = r.read()
                if (r.getheader("Connection") or "").lower() == "close":
                    c.close()
                    conn_box[0] = None
                return r.status, body, r.getheader("Retry-After")
            except (OSError, http.client.HTTPException):
                c.close()
                conn_box[0] = None
                if attempt:
                    return 0, b"", None
        return 0, b"", None

    def run(self, paths, discover=None):
        """Fetch every path (and what discover(path, kind, doc) returns for
        each valid-enough document), each once per run."""
        q = queue.Queue()
        seen = set()

        def put(p):
            with self.lock:
                if p in seen:
                    return
                seen.add(p)
            q.put(p)

        def worker():
            box = [None]
            while True:
                p = q.get()
                if p is None:
                    q.task_done()
                    break
                try:
                    st, body, ra = self.get(box, p)
                    if st == 200:
                        kind, doc, errs = check.check_bytes(body, p, contract=self.contract)
                        res = Result(st, kind, doc, errs, len(body))
                    else:
                        res = Result(st, check.classify(p)[0], size=len(body), retry_after=ra)
                    with self.lock:
                        self.results[p] = res
                        self.statuses[st] += 1
                        self.requests += 1
                    if discover and res.doc is not None:
                        for np in discover(p, res.kind, res.doc) or ():
                            put(np)
                except Exception as e:  # a bug here must not hang the crawl
                    with self.lock:
                        self.results[p] = Result(-1, errors=["crawler: %r" % e])
                finally:
                    q.task_done()
            if box[0] is not None:
                box[0].close()

        ts = [threading.Thread(target=worker, daemon=True) for _ in range(self.threads)]
        for t in ts:
            t.start()
        for p in paths:
            put(p)
        q.join()
        for _ in ts:
            q.put(None)
        for t in ts:
            t.join()
        return seen


class Province:
    """The walk of one province: what it found (trees, dapils) and the paths
    of every document, for the next crawls of the same server."""

    def __init__(self, prov, tps_filter=lambda tps: True):
        self.prov = prov
        self.tps_filter = tps_filter
        self.tree = {t: {} for t in TREES}   # tree -> parent code -> [child kode, ...]
        self.names = {t: {} for t in TREES}  # tree -> kode -> (nama, id, tingkat)
        self.dapils = {"pdpr": [], "pdprdp": [], "pdprdk": {}}  # pdprdk: kab -> [kode_dapil]
        self.kabs_dprdk = []

    def seeds(self):
        p = self.prov
        s = [wilayah_path(t, "0") for t in TREES]
        s += ["/wilayah/pemilu/pdpr/dapil_dpr.json", "/wilayah/pemilu/pdprdp/0.json",
              "/wilayah/pemilu/pdprdk/0.json", "/pemilu/ppwp.json", "/pemilu/partai.json",
              "/pemilu/caleg/dpd/%s.json" % p, "/pemilu/hhcd/pdpr/0.json"]
        s += [hhcw_path(c, "0") for c in CONTESTS]
        return s

    def discover(self, path, kind, doc):
        p, out = self.prov, []
        parts = path[:-5].strip("/").split("/")
        if kind == "wilayah" and isinstance(doc, list):
            tree = parts[2]
            parent = "0" if parts[3:] == ["0"] else parts[-1]
            kids = [it.get("kode") for it in doc if isinstance(it, dict) and isinstance(it.get("kode"), str)]
            if tree in TREES:
                if parent == "0":
                    kids = [k for k in kids if k == p]
                self.tree[tree][parent] = kids
                for it in doc:
                    if isinstance(it, dict) and it.get("kode") in kids:
                        self.names[tree][it["kode"]] = (it.get("nama"), it.get("id"), it.get("tingkat"))
                for k in kids:
                    if len(k) < 13:
                        out.append(wilayah_path(tree, k))
                    if tree == "ppwp":
                        if len(k) < 13:
                            out += [hhcw_path(c, k) for c in CONTESTS]
                        elif self.tps_filter(k):
                            out += [hhcw_path(c, k) for c in CONTESTS]
            elif tree == "pdprdp" and parent == "0" and p in kids:
                out += ["/wilayah/pemilu/pdprdp/%s.json" % p, "/pemilu/hhcd/pdprdp/%s.json" % p]
            elif tree == "pdprdk" and parent == "0" and p in kids:
                out.append("/wilayah/pemilu/pdprdk/%s.json" % p)
            elif tree == "pdprdk" and parent == p:
                self.kabs_dprdk = kids
                for k in kids:
                    out += ["/wilayah/pemilu/pdprdk/%s/%s.json" % (p, k), "/pemilu/hhcd/pdprdk/%s/%s.json" % (p, k)]
        elif kind == "dapil_dpr" and isinstance(doc, list):
            ds = [it.get("kode") for it in doc if isinstance(it, dict) and str(it.get("kode", "")).startswith(p)]
            self.dapils["pdpr"] = ds
            for d in ds:
                out += ["/pemilu/hhcd/pdpr/%s.json" % d, "/pemilu/caleg/partai/%s.json" % d]
        elif kind == "dapil_dprd" and isinstance(doc, list):
            ds = [it.get("kode_dapil") for it in doc if isinstance(it, dict) and isinstance(it.get("kode_dapil"), str)]
            if parts[2] == "pdprdp":
                self.dapils["pdprdp"] = ds
                out += ["/pemilu/hhcd/pdprdp/%s/%s.json" % (p, d) for d in ds]
            else:
                self.dapils["pdprdk"][parts[-1]] = ds
                out += ["/pemilu/hhcd/pdprdk/%s/%s/%s.json" % (p, parts[-1], d) for d in ds]
            out += ["/pemilu/caleg/partai/%s.json" % d for d in ds]
        return out

    def regions(self, tree="ppwp"):
        """Every region code of the walked tree above TPS, national first."""
        out, stack = ["0"], ["0"]
        while stack:
            for k in self.tree[tree].get(stack.pop(), []):
                if len(k) < 13:
                    out.append(k)
                    stack.append(k)
        return out

    def tps(self, tree="ppwp"):
        return sorted(k for kids in self.tree[tree].values() for k in kids if len(k) == 13)


def summary(crawler, paths=None):
    """Counts per kind: {kind: [fetched, 200, valid]}, and the failures."""
    kinds, failures = {}, []
    for p in (paths if paths is not None else crawler.results):
        r = crawler.results.get(p)
        if r is None:
            continue
        k = kinds.setdefault(r.kind or "?", [0, 0, 0])
        k[0] += 1
        if r.status == 200:
            k[1] += 1
            if not r.errors:
                k[2] += 1
        if r.status != 200 or r.errors:
            failures.append((p, r))
    return kinds, failures


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--tps-every", type=int, default=1)
    ap.add_argument("--no-contract", action="store_true")
    ap.add_argument("base")
    ap.add_argument("province")
    a = ap.parse_args(argv)
    prov = Province(a.province, lambda t: (int(t[-3:]) - 1) % a.tps_every == 0)
    cr = Crawler(a.base, a.threads, contract=not a.no_contract)
    t0 = time.time()
    cr.run(prov.seeds(), prov.discover)
    kinds, failures = summary(cr)
    for p, r in sorted(failures):
        print("FAIL %s: %s" % (p, "HTTP %d" % r.status if r.status != 200 else "; ".join(r.errors[:5])))
    for k in sorted(kinds):
        print("%-20s %6d fetched, %6d answered 200, %6d valid" % (k, *kinds[k]))
    print("%d requests in %.1f s; answers %s" % (cr.requests, time.time() - t0, dict(sorted(cr.statuses.items()))))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
