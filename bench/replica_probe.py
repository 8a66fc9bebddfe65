#!/usr/bin/env python3
"""Replica lag probe (bench/replica.sh): signs nothing itself; sends the
prepared bodies of PROBE (one JSON line each, `rekap sign` output) one at a
time to the primary's ingest port, and after each acknowledgement (201/422
with its log index) polls the replica until

  applied: its /healthz says it verified and counted that index
           (log_entries > index), and
  visible: its /api/v1/tps/<code>.json lists that version (its log index),

reporting both delays (ms from the acknowledgement) as percentiles, over
every probe and over those acknowledged before the file UNTIL exists (the
bench creates it when its background load ends), and one line per probe
(wall-clock time of the acknowledgement, applied ms, visible ms) to OUT.
Between probes it waits GAP_MS plus 0..150 ms at random, so that the
probes do not fall in step with the replica's follow rounds.
usage: replica_probe.py PROBE.jsonl PRIMARY_INGEST_PORT REPLICA_PUBLIC_PORT GAP_MS UNTIL OUT"""
import os
import http.client, json, random, sys, time

probe, iport, rport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
gap, until, out = float(sys.argv[4]) / 1000, sys.argv[5], open(sys.argv[6], "w")
ing = http.client.HTTPConnection("127.0.0.1", iport, timeout=30)
rep = http.client.HTTPConnection("127.0.0.1", rport, timeout=30)


def get(path):
    rep.request("GET", path)
    r = rep.getresponse()
    return r.status, r.read()


def shows(doc, contest, idx):
    """The TPS document lists the version logged at idx."""
    return any(v.get("log_index") == idx for c in doc.get("contests", [])
               if c.get("contest") == contest for v in c.get("versions", []))


applied, visible, loaded = [], [], []
for line in open(probe, "rb"):
    body = json.loads(line)
    sub = body["submission"]
    tps = sub.split("\ntps ")[1].split("\n")[0]
    contest = sub.split("\ncontest ")[1].split("\n")[0]
    ing.request("POST", "/api/v1/submissions", body=line.strip(),
                headers={"Content-Type": "application/json"})
    r = ing.getresponse()
    ans = json.loads(r.read())
    t0, wall = time.monotonic(), time.time()
    under_load = not os.path.exists(until)
    if r.status not in (201, 422):
        print("probe: refused", r.status, ans, file=sys.stderr)
        sys.exit(1)
    idx, done_a = ans["index"], None
    deadline = t0 + 30
    while time.monotonic() < deadline:
        if done_a is None:
            st, b = get("/healthz")
            if st == 200 and json.loads(b)["log_entries"] > idx:
                done_a = time.monotonic()
        if done_a is not None:
            st, b = get(f"/api/v1/tps/{tps}.json")
            if st == 200 and shows(json.loads(b), contest, idx):
                visible.append((time.monotonic() - t0) * 1000)
                applied.append((done_a - t0) * 1000)
                if under_load:
                    loaded.append((applied[-1], visible[-1]))
                out.write(f"{wall:.3f} {applied[-1]:.1f} {visible[-1]:.1f} {int(under_load)}\n")
                break
        time.sleep(0.002)
    else:
        print(f"probe: index {idx} not visible on the replica within 30 s", file=sys.stderr)
        sys.exit(1)
    time.sleep(gap + random.random() * 0.15)  # not in step with the replica's rounds


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def report(what, rows):
    for i, name in enumerate(("applied", "visible")):
        v = [r[i] for r in rows]
        if v:
            print(f"replica lag {name:7} {what:12}: n={len(v):3} p50={pct(v, 50):6.1f} ms "
                  f"p99={pct(v, 99):6.1f} ms max={max(v):6.1f} ms")


report("all probes", list(zip(applied, visible)))
report("under load", loaded)
