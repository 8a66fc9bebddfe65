#!/usr/bin/env python3
"""Time from an acknowledged ingest to its effect in the national JSON.

usage: latency.py SIGNED.BIN SKIP COUNT INGEST_PORT PUBLIC_PORT

Takes COUNT signed submissions from SIGNED.BIN after the first SKIP (the
records bench_ingest prepared), submits them one at a time, and after each
201 polls /api/v1/results/ppwp/0.json until tps_counted has grown by one;
prints p50/p99/max of ack-to-visible in milliseconds. Loopback only."""
import base64, http.client, json, struct, sys, time

path, skip, count, iport, pport = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])

def records():
    with open(path, "rb") as f:
        i = 0
        while True:
            h = f.read(4)
            if len(h) < 4:
                return
            n = struct.unpack("<I", h)[0]
            rec = f.read(n + 96)
            if i >= skip:
                yield rec[:n], rec[n:n + 32], rec[n + 32:n + 96]
            i += 1

def counted(pub):
    pub.request("GET", "/api/v1/results/ppwp/0.json")
    r = pub.getresponse()
    body = r.read()
    assert r.status == 200, (r.status, body[:200])
    return json.loads(body)["tps_counted"]

ing = http.client.HTTPConnection("127.0.0.1", iport)
pub = http.client.HTTPConnection("127.0.0.1", pport)
delays = []
base = counted(pub)
for sub, key, sig in records():
    if len(delays) >= count:
        break
    body = json.dumps({"submission": sub.decode(), "key": base64.b64encode(key).decode(),
                       "sig": base64.b64encode(sig).decode()})
    ing.request("POST", "/api/v1/submissions", body, {"Content-Type": "application/json"})
    r = ing.getresponse()
    r.read()
    if r.status != 201:
        sys.exit(f"submission answered {r.status}")
    acked = time.monotonic()
    base += 1
    while counted(pub) < base:
        time.sleep(0.005)
    delays.append(time.monotonic() - acked)
delays.sort()
n = len(delays)
print(f"latency ack->national JSON over {n} forms: p50 {1e3*delays[n//2]:.0f} ms, "
      f"p99 {1e3*delays[min(n-1, n*99//100)]:.0f} ms, max {1e3*delays[-1]:.0f} ms")
