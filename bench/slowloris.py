#!/usr/bin/env python3
"""Slow and hostile clients against rekapd's ingest listener, and the
officers who must still get answers meanwhile (docs/BENCHMARKS.md §8,
tests/integration/test_attack.sh).

  slowloris.py attack PORT --conns N --addrs A [--seconds S] [--out F]
      N connections from A source addresses (127.0.0.2 … 127.0.0.(A+1):
      every 127/8 address is the loopback), half trickling their headers
      and half their body (a submission of 200,000 bytes or a photo of
      1 MB) at one byte every --interval seconds each: about N bytes/s in
      all. A connection the server closes is opened again at once, so the
      attacker keeps trying to hold N. Prints a JSON summary at the end.

  slowloris.py officers PORT BODIES [--rate R] [--seconds S] [--addrs A]
      Legitimate submissions (one signed body per line of BODIES), R a
      second on a fresh connection each, from A addresses 127.0.1.1 …, for
      S seconds; each must be answered (any status) within --timeout.
      Prints a JSON summary: answered within 1 s, p50/p99, statuses.

Only the standard library: one process, non-blocking sockets and a
selector for the attacker (thousands of sockets, little CPU), threads for
the officers (few, and each times its own request)."""
import argparse
import errno
import json
import random
import selectors
import socket
import sys
import threading
import time


def src_addrs(base, n):
    return [f"{base}.{i}" for i in range(1, n + 1)]


# ------------------------------------------------------------- attacker

HEADERS = (b"POST /api/v1/submissions HTTP/1.1\r\nHost: rekap\r\n"
           b"Content-Type: application/json\r\n")
BODY_SUB = (b"POST /api/v1/submissions HTTP/1.1\r\nHost: rekap\r\n"
            b"Content-Type: application/json\r\nContent-Length: 200000\r\n\r\n")
BODY_PHOTO = (b"PUT /api/v1/photos/" + b"ab" * 32 + b" HTTP/1.1\r\nHost: rekap\r\n"
              b"Content-Length: 1000000\r\n\r\n")


class Slow:
    """One slow connection: what it sends first, then a byte at a time."""
    __slots__ = ("sock", "src", "kind", "next", "opened", "sent")

    def __init__(self, src, kind):
        self.src, self.kind = src, kind
        self.sock, self.next, self.opened, self.sent = None, 0.0, 0.0, 0


def attack(a):
    srcs = [f"127.0.0.{i}" for i in range(2, a.addrs + 2)]
    sel = selectors.DefaultSelector()
    stats = {"opened": 0, "cut": 0, "refused": 0, "connect_failed": 0,
             "bytes": 0, "lifetimes": [], "held_max": 0}
    slots = [Slow(srcs[i % len(srcs)], ("header", "body", "photo")[i % 3] if a.mode == "mixed"
                  else a.mode) for i in range(a.conns)]
    now = time.monotonic()
    # ramp up: --ramp connections a second, so the server sees them arrive
    for i, s in enumerate(slots):
        s.next = now + i / a.ramp

    def close(s, why):
        if s.sock is None:
            return
        try:
            sel.unregister(s.sock)
        except (KeyError, ValueError):
            pass
        s.sock.close()
        s.sock = None
        stats[why] += 1
        if why == "cut":
            stats["lifetimes"].append(time.monotonic() - s.opened)
        s.next = time.monotonic() + a.reconnect

    def open_(s):
        sk = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sk.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sk.bind((s.src, 0))
            sk.setblocking(False)
            sk.connect_ex(("127.0.0.1", a.port))
        except OSError:
            sk.close()
            stats["connect_failed"] += 1
            s.next = time.monotonic() + 1
            return
        s.sock, s.opened, s.sent = sk, time.monotonic(), 0
        s.next = s.opened + 0.05          # the first bytes once connected
        sel.register(sk, selectors.EVENT_READ, s)
        stats["opened"] += 1

    def send(s):
        first = {"header": HEADERS, "body": BODY_SUB, "photo": BODY_PHOTO}[s.kind]
        data = first if s.sent == 0 else (b"x" if s.kind != "header" else b"X-Slow: y\r\n"[s.sent % 11:s.sent % 11 + 1])
        try:
            n = s.sock.send(data)
        except BlockingIOError:
            n = 0
        except OSError as e:
            close(s, "refused" if s.sent == 0 else "cut")
            return
        s.sent += 1
        stats["bytes"] += n
        s.next = time.monotonic() + a.interval * (0.5 + random.random())

    end = time.monotonic() + a.seconds
    last_sample = 0.0
    samples = []
    while time.monotonic() < end:
        now = time.monotonic()
        for s in slots:
            if s.next <= now:
                if s.sock is None:
                    open_(s)
                else:
                    send(s)
        for key, _ in sel.select(timeout=0.05):
            s = key.data
            try:
                d = s.sock.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                d = b""
            if not d:
                close(s, "cut" if s.sent > 1 else "refused")
            # an answer (429, 413, 400…): the server will close; so do we
        held = sum(1 for s in slots if s.sock is not None)
        stats["held_max"] = max(stats["held_max"], held)
        if now - last_sample >= 1:
            samples.append(held)
            last_sample = now
    for s in slots:
        if s.sock is not None:
            s.sock.close()
    life = sorted(stats.pop("lifetimes"))
    stats["held_median"] = sorted(samples)[len(samples) // 2] if samples else 0
    stats["cut_lifetime_p50"] = round(life[len(life) // 2], 2) if life else None
    stats["cut_lifetime_max"] = round(life[-1], 2) if life else None
    stats["bytes_per_s"] = round(stats["bytes"] / a.seconds)
    out = json.dumps(stats)
    print(out)
    if a.out:
        open(a.out, "w").write(out + "\n")


# ------------------------------------------------------------- officers

def officers(a):
    bodies = open(a.bodies, "rb").read().splitlines()
    srcs = src_addrs("127.0.1", a.addrs)
    lat, statuses, lock = [], {}, threading.Lock()
    n = int(a.rate * a.seconds)

    def one(i):
        body = bodies[i % len(bodies)]
        req = (b"POST /api/v1/submissions HTTP/1.1\r\nHost: rekap\r\nContent-Type: application/json\r\n"
               b"Connection: close\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        t0 = time.monotonic()
        status = "error"
        try:
            s = socket.socket()
            s.bind((srcs[i % len(srcs)], 0))
            s.settimeout(a.timeout)
            s.connect(("127.0.0.1", a.port))
            s.sendall(req)
            buf = b""
            while b"\r\n" not in buf:
                d = s.recv(4096)
                if not d:
                    break
                buf += d
            status = buf.split(b" ", 2)[1].decode() if buf.startswith(b"HTTP/") else "closed"
            s.close()
        except socket.timeout:
            status = "timeout"
        except OSError as e:
            status = errno.errorcode.get(e.errno, "oserror")
        dt = time.monotonic() - t0
        with lock:
            lat.append(dt if status[0].isdigit() else float("inf"))
            statuses[status] = statuses.get(status, 0) + 1

    threads = []
    t0 = time.monotonic()
    for i in range(n):
        due = t0 + i / a.rate
        time.sleep(max(0, due - time.monotonic()))
        t = threading.Thread(target=one, args=(a.start + i,))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    lat.sort()
    fin = [x for x in lat if x != float("inf")]
    within = sum(1 for x in lat if x <= 1.0)
    out = {"sent": n, "answered": len(fin), "within_1s": within,
           "within_1s_pct": round(100.0 * within / n, 1) if n else 0,
           "p50_ms": round(1000 * lat[len(lat) // 2], 1) if fin else None,
           "p99_ms": round(1000 * lat[min(len(lat) - 1, int(len(lat) * 0.99))], 1)
           if lat[min(len(lat) - 1, int(len(lat) * 0.99))] != float("inf") else None,
           "statuses": statuses}
    print(json.dumps(out))
    if a.out:
        open(a.out, "w").write(json.dumps(out) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    at = sub.add_parser("attack")
    at.add_argument("port", type=int)
    at.add_argument("--conns", type=int, default=1100)
    at.add_argument("--addrs", type=int, default=20)
    at.add_argument("--seconds", type=float, default=30)
    at.add_argument("--interval", type=float, default=1.0, help="seconds between bytes")
    at.add_argument("--ramp", type=float, default=500, help="connections opened a second")
    at.add_argument("--reconnect", type=float, default=0.05, help="seconds before reopening")
    at.add_argument("--mode", default="mixed", choices=["mixed", "header", "body", "photo"])
    at.add_argument("--out")
    of = sub.add_parser("officers")
    of.add_argument("port", type=int)
    of.add_argument("bodies")
    of.add_argument("--rate", type=float, default=10)
    of.add_argument("--seconds", type=float, default=20)
    of.add_argument("--addrs", type=int, default=50)
    of.add_argument("--timeout", type=float, default=10)
    of.add_argument("--start", type=int, default=0, help="first line of BODIES")
    of.add_argument("--out")
    a = p.parse_args()
    attack(a) if a.cmd == "attack" else officers(a)


if __name__ == "__main__":
    sys.exit(main())
