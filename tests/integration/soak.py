"""The client side of the crash soak (soak_lib.sh: test_soak, test_powerloss,
bench/soak.sh): the forms to send, a load of signed submissions that
outlives every kill of rekapd, and the checks made after each restart.

usage:
  soak.py forms FORMS OUT_DIR
      from the true forms, the forms to sign for versions 1, 2 and 3
      (v1.jsonl, v2.jsonl, v3.jsonl) and plan.json, which says which
      form each line is: every 25th form misread so that it breaks a HARD
      rule (answered 422) and corrected as version 2; every 10th corrected
      with a vote moved (accepted), every 50th corrected with a misread
      (422; version 1 stays counted), every 100th corrected twice.
  soak.py photos OUT_DIR REKAP EVERY FIRST
      every EVERY-th form among the first FIRST carries a photo of its own
      (150-450 KiB, made from the form's number: never stored here): each
      version of it is signed again with `REKAP sign --photo`, its SHA-256
      in the signed text; OUT_DIR/photos.json says which forms, and their
      signed bodies (EVERY 0: none).
  soak.py work OUT_DIR
      OUT_DIR/work.jsonl: one line per form, its signed bodies in version
      order (from b1.jsonl, b2.jsonl, b3.jsonl and plan.json; a photo
      form's from photos.json).
  soak.py load WORK STATE_DIR WORKERS RATE
      sends every form's versions in order from WORKERS threads (at most
      RATE submissions/s in all; 0: no limit), to the ingest port named in
      STATE_DIR/ports, retrying through kills; a photo form's photo is
      PUT before its first version; see "The load" below.
  soak.py acks WORK STATE_DIR FROM SAMPLE
      sends again every submission acknowledged from line FROM of
      STATE_DIR/acks, and SAMPLE older ones: each must answer the same
      status, duplicate, at the same index. No index may be acknowledged
      for two submissions.
  soak.py photos_served STATE_DIR FROM SAMPLE
      every photo acknowledged (201 stored, 200 already there) from line
      FROM of STATE_DIR/photos, and SAMPLE older ones, is served by the
      public port (GET /photos/<sha256>) with bytes of that SHA-256 and size.
  soak.py consistent PUBLIC_PORT OLD_CHECKPOINT
      the checkpoint served now extends OLD_CHECKPOINT: the consistency
      proof from the public API, checked by rfc9162.py. Prints "n1 n2".
  soak.py totals PUBLIC_PORT SHOW_JSON VERIFY_OUT
      the totals rekapd serves for the whole country, per contest, equal
      those `rekap show --dir --json` and `rekap verify --dir` recompute
      from the log.
"""
import base64
import concurrent.futures
import hashlib
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rfc9162 import verify_consistency  # noqa: E402


# ---- the forms ----------------------------------------------------------

def misread(f):
    """A misread that breaks a HARD rule: the valid votes no longer add up."""
    f["valid"] += 7
    return f


def move_vote(f):
    """A correction that keeps every rule: one vote moves to another
    selection (a party's own votes for party-list contests)."""
    if "votes" in f:
        v = f["votes"]
        i = next((k for k, x in enumerate(v) if x > 0), None)
        if i is not None and len(v) > 1:
            v[i] -= 1
            v[(i + 1) % len(v)] += 1
        return f
    ps = f["parties"]
    i = next((k for k, p in enumerate(ps) if p["party_only"] > 0), None)
    if i is not None and len(ps) > 1:
        j = (i + 1) % len(ps)
        ps[i]["party_only"] -= 1
        ps[i]["total"] -= 1
        ps[j]["party_only"] += 1
        ps[j]["total"] += 1
    return f


def cmd_forms(forms_path, out):
    plan, files = [], {v: open(os.path.join(out, "v%d.jsonl" % v), "w") for v in (1, 2, 3)}
    for i, line in enumerate(open(forms_path)):
        f = json.loads(line)
        copy = lambda: json.loads(line)  # noqa: E731
        if i % 25 == 3:
            versions = [misread(copy()), f]
        elif i % 100 == 5:
            versions = [f, move_vote(copy()), move_vote(move_vote(copy()))]
        elif i % 50 == 15:
            versions = [f, misread(copy())]
        elif i % 10 == 5:
            versions = [f, move_vote(copy())]
        else:
            versions = [f]
        for v, form in enumerate(versions, 1):
            files[v].write(json.dumps(form) + "\n")
        plan.append(len(versions))
    for f in files.values():
        f.close()
    json.dump(plan, open(os.path.join(out, "plan.json"), "w"))


# ---- photos ----------------------------------------------------------------

REASONS = {2: "salah baca", 3: "hitung ulang"}  # as soak_lib.sh signs them


def photo_bytes(form):
    """Form `form`'s photo: a JPEG's first bytes (rekapd types it
    image/jpeg), then 150-450 KiB that depend on the form's number only, so
    the load makes them again instead of keeping them."""
    size = (150 + (form * 7919) % 301) * 1024
    head = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
    return head + hashlib.shake_256(b"rekap soak photo %d" % form).digest(size - len(head))


def version_lines(out):
    """{form: [its form line of each version]} from plan.json and v*.jsonl."""
    plan = json.load(open(os.path.join(out, "plan.json")))
    lines = {v: open(os.path.join(out, "v%d.jsonl" % v)).read().splitlines() for v in (1, 2, 3)}
    at, forms = {1: 0, 2: 0, 3: 0}, []
    for n in plan:
        forms.append([lines[v][at[v]] for v in range(1, n + 1)])
        for v in range(1, n + 1):
            at[v] += 1
    return forms


def sign_with_photo(rekap, keys, form, versions, tmp):
    """The signed bodies of every version of `form`, each carrying its photo."""
    photo = os.path.join(tmp, "%d.jpg" % form)
    with open(photo, "wb") as f:
        f.write(photo_bytes(form))
    bodies = []
    for v, line in enumerate(versions, 1):
        src = os.path.join(tmp, "%d.v%d.jsonl" % (form, v))
        with open(src, "w") as f:
            f.write(line + "\n")
        args = [rekap, "sign", "--keys", keys, "--photo", photo]
        if v > 1:
            args += ["--version", str(v), "--reason", REASONS[v]]
        signed = subprocess.run(args + [src], check=True, capture_output=True, text=True).stdout
        assert signed.count("\n") == 1, signed
        bodies.append(signed.strip())
        os.unlink(src)
    os.unlink(photo)
    return bodies


def cmd_photos(out, rekap, every, first):
    every, first = int(every), int(first)
    forms = version_lines(out)
    chosen = [i for i in range(min(first, len(forms))) if every and i % every == every // 2]
    photos = {}
    with tempfile.TemporaryDirectory(dir=out) as tmp, \
            concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        keys = os.path.join(out, "keys")
        jobs = {i: pool.submit(sign_with_photo, rekap, keys, i, forms[i], tmp) for i in chosen}
        for i, job in jobs.items():
            data = photo_bytes(i)
            photos[str(i)] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                              "bodies": job.result()}
    for p in photos.values():  # the signed text names the photo
        assert all("photo %s" % p["sha256"] in json.loads(b)["submission"] for b in p["bodies"])
    json.dump(photos, open(os.path.join(out, "photos.json"), "w"))


def read_photos(out):
    try:
        return {int(k): v for k, v in json.load(open(os.path.join(out, "photos.json"))).items()}
    except OSError:
        return {}


def cmd_work(out):
    plan = json.load(open(os.path.join(out, "plan.json")))
    bodies = {v: open(os.path.join(out, "b%d.jsonl" % v)).read().splitlines() for v in (1, 2, 3)}
    photos = read_photos(out)
    at = {1: 0, 2: 0, 3: 0}
    with open(os.path.join(out, "work.jsonl"), "w") as w:
        for form, n in enumerate(plan):
            line = []
            for v in range(1, n + 1):
                line.append(bodies[v][at[v]])
                at[v] += 1
            if form in photos:
                assert len(photos[form]["bodies"]) == n
                line = photos[form]["bodies"]
            w.write(json.dumps(line) + "\n")
    assert all(at[v] == len(bodies[v]) for v in at), (at, {v: len(b) for v, b in bodies.items()})


def read_work(path):
    return [json.loads(line) for line in open(path)]


# ---- the load -------------------------------------------------------------
#
# STATE_DIR protocol, with the shell (soak_lib.sh):
#   pause     while it exists nobody sends; it holds a number N
#   paused    written N once every thread is waiting (the shell waits for it
#             before it checks: no answer is then still being written)
#   stop      the load exits
#   acks      one line per acknowledged submission: "form version status index dup"
#   photos    one line per acknowledged photo: "form sha256 size status" (201
#             stored, 200 already there: its answer was lost to a cut)
#   cp_last   the last checkpoint read from the public port (every 20 ms)
#   odd       answers that should never come (a conflict, a gap, a 400)
#   done      every form was acknowledged in every version

class Load:
    def __init__(self, work, photos, state, workers, rate):
        self.work, self.photos, self.state, self.workers = work, photos, state, workers
        self.gap = workers / rate if rate > 0 else 0.0
        self.lock = threading.Lock()
        self.waiting = set()
        self.acks = open(os.path.join(state, "acks"), "a")
        self.odd = open(os.path.join(state, "odd"), "a")
        self.photo_acks = open(os.path.join(state, "photos"), "a")

    def path(self, name):
        return os.path.join(self.state, name)

    def ports(self):
        try:
            kv = dict(line.split("=", 1) for line in open(self.path("ports")).read().split())
            return int(kv["ingest"]), int(kv["public"])
        except (OSError, ValueError, KeyError):
            return None

    def hold(self, who):
        """Wait while paused (telling the monitor); False once stopped."""
        while os.path.exists(self.path("pause")):
            if os.path.exists(self.path("stop")):
                return False
            with self.lock:
                self.waiting.add(who)
            time.sleep(0.01)
        with self.lock:
            self.waiting.discard(who)
        return not os.path.exists(self.path("stop"))

    def monitor(self):
        """Write `paused` N once every thread waits under `pause` N."""
        while True:
            try:
                n = open(self.path("pause")).read().strip()
            except OSError:
                n = None
            with self.lock:
                all_wait = len(self.waiting) >= self.workers + 1
            if n and all_wait:
                tmp = self.path("paused.tmp")
                open(tmp, "w").write(n)
                os.replace(tmp, self.path("paused"))
            if os.path.exists(self.path("stop")):
                return
            time.sleep(0.01)

    def request(self, conn, method, path, body, ctype):
        """(status, answer) or None when rekapd is not there."""
        try:
            conn.request(method, path, body, {"Content-Type": ctype})
            r = conn.getresponse()
            return r.status, json.loads(r.read() or b"{}")
        except (OSError, http.client.HTTPException, ValueError):
            return None

    def until_answered(self, conn_box, method, path, body, ctype, done, what):
        """Send one request until done(status, answer) says it is
        acknowledged; False once stopped. Answers other than 429 and 503
        that are not an acknowledgement go to `odd`."""
        while self.hold(("w", threading.get_ident())):
            ports = self.ports()
            if conn_box[0] is None and ports:
                conn_box[0] = http.client.HTTPConnection("127.0.0.1", ports[0], timeout=30)
            got = self.request(conn_box[0], method, path, body, ctype) if conn_box[0] else None
            if got is None:
                if conn_box[0]:
                    conn_box[0].close()
                conn_box[0] = None
                time.sleep(0.02)
                continue
            status, ans = got
            if done(status, ans):
                return True
            if status not in (429, 503):
                with self.lock:
                    self.odd.write("%s %d %s\n" % (what, status, json.dumps(ans)))
                    self.odd.flush()
            time.sleep(0.05)
        return False

    def send(self, conn_box, form, version, body):
        """Send one submission until it is acknowledged; False once stopped."""
        def done(status, ans):
            if status not in (201, 422) or not isinstance(ans.get("index"), int):
                return False
            with self.lock:
                self.acks.write("%d %d %d %d %d\n" % (form, version, status, ans["index"],
                                                      1 if ans.get("duplicate") else 0))
                self.acks.flush()
            return True
        return self.until_answered(conn_box, "POST", "/api/v1/submissions", body,
                                   "application/json", done, "%d %d" % (form, version))

    def put_photo(self, conn_box, form):
        """PUT form `form`'s photo until it is acknowledged (201 stored, 200
        already there); False once stopped."""
        p = self.photos[form]
        data = photo_bytes(form)

        def done(status, ans):
            if status not in (200, 201) or ans.get("sha256") != p["sha256"]:
                return False
            with self.lock:
                self.photo_acks.write("%d %s %d %d\n" % (form, p["sha256"], len(data), status))
                self.photo_acks.flush()
            return True
        return self.until_answered(conn_box, "PUT", "/api/v1/photos/" + p["sha256"], data,
                                   "image/jpeg", done, "%d photo" % form)

    def worker(self, k):
        conn, nxt = [None], time.monotonic()
        try:
            for form in range(k, len(self.work), self.workers):
                for version, body in enumerate(self.work[form], 1):
                    if self.gap:  # paced; no catching up after a pause
                        time.sleep(max(0.0, nxt - time.monotonic()))
                        nxt = max(nxt, time.monotonic()) + self.gap
                    # the photo first, as an officer's phone sends it
                    if version == 1 and form in self.photos and not self.put_photo(conn, form):
                        return
                    if not self.send(conn, form, version, body):
                        return
        finally:
            with self.lock:  # done: never in the way of a pause again
                self.waiting.add(("w", threading.get_ident()))

    def poll_checkpoints(self):
        """Keep the last checkpoint served: the one the next start must extend."""
        last = None
        while self.hold("poller"):
            ports = self.ports()
            try:
                cp = urllib.request.urlopen("http://127.0.0.1:%d/log/checkpoint" % ports[1], timeout=5).read()
            except (OSError, TypeError, ValueError):
                cp = None
            if cp and cp != last:
                tmp = self.path("cp_last.tmp")
                open(tmp, "wb").write(cp)
                os.replace(tmp, self.path("cp_last"))
                last = cp
            time.sleep(0.02)
        with self.lock:
            self.waiting.add("poller")

    def run(self):
        ts = [threading.Thread(target=self.worker, args=(k,)) for k in range(self.workers)]
        ts.append(threading.Thread(target=self.poll_checkpoints))
        mon = threading.Thread(target=self.monitor)
        [t.start() for t in ts]
        mon.start()
        [t.join() for t in ts[:-1]]
        if not os.path.exists(self.path("stop")):
            open(self.path("done"), "w").close()
        open(self.path("stop"), "a").close()
        ts[-1].join()
        mon.join()


def cmd_load(work, state, workers, rate):
    Load(read_work(work), read_photos(os.path.dirname(os.path.abspath(work))), state, int(workers),
         float(rate)).run()


# ---- the checks -------------------------------------------------------------

def read_acks(state):
    rows = []
    for line in open(os.path.join(state, "acks")):
        form, version, status, index, dup = map(int, line.split())
        rows.append((form, version, status, index, dup))
    return rows


def cmd_acks(work, state, start, sample):
    work, rows = read_work(work), read_acks(state)
    by_index = {}
    for form, version, status, index, _ in rows:
        prev = by_index.setdefault(index, (form, version, status))
        assert prev == (form, version, status), \
            "index %d acknowledged for two submissions: %s and %s" % (index, prev, (form, version, status))
    start, sample = int(start), int(sample)
    todo = rows[start:] + random.sample(rows[:start], min(sample, start))
    ingest = int(dict(line.split("=", 1) for line in open(os.path.join(state, "ports")).read().split())["ingest"])
    conn = http.client.HTTPConnection("127.0.0.1", ingest, timeout=30)
    for form, version, status, index, _ in todo:
        conn.request("POST", "/api/v1/submissions", work[form][version - 1], {"Content-Type": "application/json"})
        r = conn.getresponse()
        ans = json.loads(r.read())
        assert r.status == status and ans.get("duplicate") is True and ans.get("index") == index, \
            "form %d version %d acknowledged %d at index %d, now answered %d %s" % (
                form, version, status, index, r.status, ans)
    print(len(todo), len(rows), max((r[3] for r in rows), default=-1))


def cmd_photos_served(state, start, sample):
    rows = [line.split() for line in open(os.path.join(state, "photos"))]
    start, sample = int(start), int(sample)
    todo = rows[start:] + random.sample(rows[:start], min(sample, start))
    public = int(dict(line.split("=", 1) for line in open(os.path.join(state, "ports")).read().split())["public"])
    conn = http.client.HTTPConnection("127.0.0.1", public, timeout=30)
    nbytes = 0
    for form, sha, size, status in todo:
        conn.request("GET", "/photos/" + sha)
        r = conn.getresponse()
        data = r.read()
        assert r.status == 200, "form %s's photo %s (acknowledged %s) answers %d" % (form, sha, status, r.status)
        assert len(data) == int(size) and hashlib.sha256(data).hexdigest() == sha, \
            "form %s's photo %s (acknowledged %s): %d bytes served, of SHA-256 %s" % (
                form, sha, status, len(data), hashlib.sha256(data).hexdigest())
        nbytes += len(data)
    print(len(todo), len(rows), nbytes)


def tree_head(text):
    lines = text.split(b"\n")
    return int(lines[1]), base64.b64decode(lines[2])


def cmd_consistent(port, old):
    pub = "http://127.0.0.1:%s" % port
    n1, r1 = tree_head(open(old, "rb").read())
    n2, r2 = tree_head(urllib.request.urlopen(pub + "/log/checkpoint", timeout=30).read())
    assert n2 >= n1, "the checkpoint shrank: %d after %d" % (n2, n1)
    cr = json.load(urllib.request.urlopen(pub + "/api/v1/consistency?from=%d&to=%d" % (n1, n2), timeout=30))
    assert cr["from"] == n1 and cr["to"] == n2, cr
    assert verify_consistency(n1, n2, r1, r2, [bytes.fromhex(p) for p in cr["proof"]]), \
        "the consistency proof from %d to %d does not verify" % (n1, n2)
    print(n1, n2)


def served(port, contest):
    url = "http://127.0.0.1:%s/api/v1/results/%s/0.json" % (port, contest)
    return json.load(urllib.request.urlopen(url, timeout=30))


def verify_lines(path):
    """`rekap verify`'s recomputed totals: {contest: (counted, valid, invalid)}."""
    out = {}
    for line in open(path):
        w = line.split()
        if len(w) >= 7 and w[1] == "TPS" and w[3] == "valid":
            out[w[0]] = (int(w[2].split("/")[0]), int(w[4].rstrip(",")), int(w[6].rstrip(",")))
    return out


def cmd_totals(port, show_json, verify_out):
    shown = {c["contest"]: c for c in json.load(open(show_json))["contests"]}
    recomputed = verify_lines(verify_out)
    assert set(recomputed) == set(shown), (sorted(recomputed), sorted(shown))
    for contest, s in shown.items():
        r = served(port, contest)
        for k in ("tps_counted", "tps_flagged", "dpt", "voters", "valid", "invalid"):
            assert r[k] == s[k], "%s %s: served %s, the log says %s" % (contest, k, r[k], s[k])
        got, want = [x["votes"] for x in r["selections"]], [x["votes"] for x in s["selections"]]
        assert got == want, "%s votes: served %s, the log says %s" % (contest, got, want)
        assert recomputed[contest] == (r["tps_counted"], r["valid"], r["invalid"]), \
            "%s: served %s, rekap verify recomputed %s" % (
                contest, (r["tps_counted"], r["valid"], r["invalid"]), recomputed[contest])
    print(" ".join("%s=%d" % (c, shown[c]["valid"]) for c in sorted(shown)))


def main(argv):
    cmds = {"forms": cmd_forms, "photos": cmd_photos, "work": cmd_work, "load": cmd_load,
            "acks": cmd_acks, "photos_served": cmd_photos_served, "consistent": cmd_consistent,
            "totals": cmd_totals}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[argv[1]](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
