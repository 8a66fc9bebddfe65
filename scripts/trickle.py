#!/usr/bin/env python3
"""Trickle signed C.Hasil forms into rekapd's ingest listener, a few a second.

usage: scripts/trickle.py --url URL [--rate R] [--count N] [--duration S]
                          [--timeout T] [--retries K] [--expect FILE]
                          [--summary FILE] [--log FILE] BODIES...

  BODIES        files of request bodies, one JSON object per line, exactly as
                `rekap sign` prints them ({"submission","key","sig"}); sent in
                order, file after file ("-" reads standard input)
  --url URL     the ingest listener, e.g. http://127.0.0.1:8081; each body is
                POSTed to URL/api/v1/submissions (docs/API.md)
  --rate R      submissions a second, 0 < R <= 1000 (default 3)
  --count N     send at most N bodies (default: all)
  --duration S  stop after S seconds, 0 < S (default: when the bodies run out)
  --timeout T   seconds to wait for one answer (default 10; rekapd answers a
                submission once it is on disk, normally within milliseconds)
  --retries K   a 429 or 503 answer (rate limit, full queue) is retried after
                its Retry-After (at most 10 s) up to K times, and a connection
                that breaks is reopened and the body sent again up to K times;
                every submission is idempotent (default 5)
  --expect FILE the planned answers, one JSON object per line:
                  {"tps": "3403...", "contest": "ppwp", "version": 1,
                   "status": 422, "codes": ["VOTES_SUM"], "note": "misread"}
                a submission named there must get that status and at least
                those rule codes; every other one must be accepted (201; a true
                form may still carry SOFT flags, which are printed)
  --summary FILE write a JSON summary at the end: bodies sent, answers by
                status, and per contest the TPS whose form the trickle got
                counted (201, not a duplicate)
  --log FILE    also append every printed line to FILE

One short line per submission on standard output:
  [  4.7s] 3403100005009 ppwp      v1 -> 422 rejected #36021 VOTES_SUM (planned: misread)

Standard library only. Bounded: every answer within --timeout, every retry
counted, at most --count bodies or --duration seconds.
Exit status: 0 every answer as planned, 1 an unexpected answer (a 5xx, a
refusal, a form answered other than planned; the trickle stops there),
2 usage, 3 a BODIES or --expect file cannot be read, or the server cannot be
reached.
"""
import argparse
import http.client
import json
import os
import signal
import sys
import time
import urllib.parse

RETRY_AFTER_MAX = 10.0


class Fatal(Exception):
    """The trickle stops: an unexpected answer (exit 1) or no server (exit 3)."""

    def __init__(self, msg, rc=1):
        super().__init__(msg)
        self.rc = rc


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="trickle.py", description="Send signed C.Hasil forms to rekapd at a steady rate.")
    p.add_argument("--url", required=True)
    p.add_argument("--rate", type=float, default=3.0)
    p.add_argument("--count", type=int)
    p.add_argument("--duration", type=float)
    p.add_argument("--timeout", type=float, default=10.0)
    p.add_argument("--retries", type=int, default=5)
    p.add_argument("--expect")
    p.add_argument("--summary")
    p.add_argument("--log")
    p.add_argument("bodies", nargs="+", metavar="BODIES")
    a = p.parse_args(argv)
    if not 0 < a.rate <= 1000:
        p.error("--rate must be above 0 and at most 1000")
    if a.count is not None and a.count < 0:
        p.error("--count must be 0 or more")
    if a.duration is not None and not a.duration > 0:
        p.error("--duration must be above 0")
    if not 0 < a.timeout <= 600:
        p.error("--timeout must be above 0 and at most 600")
    if not 0 <= a.retries <= 100:
        p.error("--retries must be 0..100")
    u = urllib.parse.urlsplit(a.url)
    if u.scheme not in ("http", "https") or not u.hostname:
        p.error("--url must be http://HOST:PORT or https://HOST:PORT")
    return a


def submission_fields(body):
    """(tps, contest, version) from the signed rekap-submission/1 text."""
    f = {}
    for line in body.get("submission", "").split("\n")[1:]:
        k, _, v = line.partition(" ")
        if k in ("tps", "contest", "version") and k not in f:
            f[k] = v
        if k == "form":
            break
    return f.get("tps", "?"), f.get("contest", "?"), int(f.get("version", "0") or 0)


def read_expect(path):
    plan = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            e = json.loads(line)
            key = (e["tps"], e["contest"], int(e.get("version", 1)))
            plan[key] = {"status": int(e["status"]), "codes": list(e.get("codes", [])),
                         "note": e.get("note", "")}
    return plan


def bodies(paths):
    """(file:line, raw bytes, parsed body) for every non-empty line, in order."""
    for path in paths:
        fh = sys.stdin if path == "-" else open(path, encoding="utf-8")
        with fh:
            for n, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    body = json.loads(line)
                except ValueError as ex:
                    raise Fatal(f"{path}:{n}: not a JSON request body: {ex}", 3)
                yield f"{path}:{n}", line.encode("utf-8"), body


class Client:
    """One keep-alive connection to the ingest listener, reopened when it breaks."""

    def __init__(self, url, timeout):
        u = urllib.parse.urlsplit(url)
        self.https = u.scheme == "https"
        self.host, self.port = u.hostname, u.port
        self.path = (u.path.rstrip("/") or "") + "/api/v1/submissions"
        self.timeout = timeout
        self.conn = None

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None

    def post(self, raw):
        if self.conn is None:
            cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
            self.conn = cls(self.host, self.port, timeout=self.timeout)
        self.conn.request("POST", self.path, body=raw,
                          headers={"Content-Type": "application/json"})
        r = self.conn.getresponse()
        data = r.read()
        if r.getheader("Connection", "").lower() == "close":
            self.close()
        return r.status, r.getheader("Retry-After"), data


def main(argv):
    a = parse_args(argv)
    plan = {}
    if a.expect:
        try:
            plan = read_expect(a.expect)
        except (OSError, ValueError, KeyError) as ex:
            print(f"trickle: {a.expect}: cannot read the plan: {ex}", file=sys.stderr)
            return 3
    logf = open(a.log, "a", encoding="utf-8") if a.log else None

    def say(msg, err=False):
        print(msg, file=sys.stderr if err else sys.stdout, flush=True)
        if logf:
            logf.write(msg + "\n")
            logf.flush()

    client = Client(a.url, a.timeout)
    interval = 1.0 / a.rate
    t0 = time.monotonic()
    due = t0
    sent = 0
    by_status = {}
    counted = {}          # contest -> TPS counted by this trickle
    planned_seen = set()
    rc = 0
    try:
        for where, raw, body in bodies(a.bodies):
            if a.count is not None and sent >= a.count:
                break
            now = time.monotonic()
            if a.duration is not None and max(now, due) - t0 >= a.duration:
                break
            if due > now:
                time.sleep(due - now)
            elif now - due > 1.0:
                due = now      # fell behind (slow answers): no burst to catch up
            due += interval
            tps, contest, version = submission_fields(body)
            status, data = send(client, raw, a.retries, say, where)
            sent += 1
            by_status[status] = by_status.get(status, 0) + 1
            try:
                ans = json.loads(data) if data else {}
            except ValueError:
                ans = {}
            codes = ans.get("codes") or []
            verdict = ans.get("status") or ans.get("code") or "?"
            line = f"[{time.monotonic() - t0:6.1f}s] {tps} {contest:<9} v{version} -> {status} {verdict}"
            if "index" in ans:
                line += f" #{ans['index']}"
            if codes:
                line += " " + ",".join(codes)
            if ans.get("duplicate"):
                line += " (duplicate)"
            want = plan.get((tps, contest, version))
            if want:
                planned_seen.add((tps, contest, version))
                line += f" (planned: {want['note'] or want['status']})"
            say(line)
            why = unexpected(status, verdict, codes, want)
            if why:
                detail = ans.get("detail") or ans.get("message_en") or data[:200].decode("utf-8", "replace")
                raise Fatal(f"{where}: {tps} {contest} v{version}: {why}: {detail}")
            if status == 201 and not ans.get("duplicate"):
                counted.setdefault(contest, set()).add(tps)
    except Fatal as ex:
        say(f"trickle: {ex}", err=True)
        rc = ex.rc
    except OSError as ex:
        say(f"trickle: cannot read the bodies: {ex}", err=True)
        rc = 3
    except KeyboardInterrupt:
        rc = 130
    finally:
        client.close()
    elapsed = time.monotonic() - t0
    say(f"trickle: {sent} submissions in {elapsed:.1f} s ("
        + ", ".join(f"{n}x {s}" for s, n in sorted(by_status.items())) + ")"
        + ("" if rc == 0 else "; interrupted" if rc == 130 else f"; stopped, exit {rc}"))
    if a.summary:
        summary = {"sent": sent, "seconds": round(elapsed, 3), "exit": rc,
                   "status": {str(s): n for s, n in sorted(by_status.items())},
                   "counted": {c: sorted(t) for c, t in sorted(counted.items())},
                   "planned_seen": [{"tps": t, "contest": c, "version": v}
                                    for t, c, v in sorted(planned_seen)]}
        tmp = a.summary + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(summary, fh, indent=1)
            fh.write("\n")
        os.replace(tmp, a.summary)
    if logf:
        logf.close()
    return rc


def unexpected(status, verdict, codes, want):
    """Why an answer is not what was planned, or None."""
    if want is None:
        if status == 201 and verdict == "accepted":
            return None
        return f"expected 201 accepted, got {status} {verdict}"
    if status != want["status"]:
        return f"expected {want['status']} {' '.join(want['codes'])}, got {status} {verdict}"
    missing = [c for c in want["codes"] if c not in codes]
    if missing:
        return f"expected the rule codes {','.join(missing)}, got {','.join(codes) or 'none'}"
    if status == 201 and verdict != "accepted" or status == 422 and verdict != "rejected":
        return f"status {status} with the verdict {verdict}"
    return None


def send(client, raw, retries, say, where):
    """POST one body; 429/503 and broken connections are retried (bounded)."""
    for attempt in range(retries + 1):
        try:
            status, retry_after, data = client.post(raw)
        except (OSError, http.client.HTTPException) as ex:
            client.close()
            if attempt == retries:
                raise Fatal(f"{where}: no answer from {client.host}:{client.port}: {ex}", 3)
            time.sleep(min(0.2 * 2 ** attempt, 2.0))
            continue
        if status in (429, 503) and attempt < retries:
            try:
                wait = float(retry_after or 1)
            except ValueError:
                wait = 1.0
            say(f"trickle: {where}: {status}, retrying in {min(wait, RETRY_AFTER_MAX):.0f} s", err=True)
            time.sleep(min(max(wait, 0.1), RETRY_AFTER_MAX))
            continue
        return status, data
    return status, data


def on_term(signum, frame):
    raise KeyboardInterrupt


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_term)
    try:
        sys.exit(main(sys.argv[1:]))
    except Fatal as ex:
        print(f"trickle: {ex}", file=sys.stderr)
        sys.exit(ex.rc)
