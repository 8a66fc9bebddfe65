#!/usr/bin/env bash
# End-to-end test of rekapd's public listener (docs/API.md, "Public API")
# on a real province: every generated form submitted (one correction
# rejected), then results read at every level, in rekap's layout and the
# commission's 2024 layout, and checked against totals computed here from
# the forms file alone; ETags and 304; gzip; the log's checkpoint and
# every tile byte-identical to the files; inclusion and consistency
# proofs recomputed (consistency also across a new checkpoint);
# path tricks refused; the CSV export; a correction over HTTP visible
# within a second with its photo; the per-address rate limit.
# usage: test_rekapd_public.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
[ -x "$rekapd" ] || { echo "FAIL - no rekapd next to $rekap"; exit 1; }
D=$tmp/D
pid=

"$rekap" gen --scope 65 --seed 7 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  && "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/kaltara >"$tmp/init.out" \
  && "$rekap" enrol --dir "$D" --generate "$tmp/keys" >/dev/null \
  || { echo "FAIL - setup"; exit 1; }
expect_rc 0 "submit every form" "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/forms.jsonl"

# A correction of the first DPR form that breaks its arithmetic: logged,
# rejected, the first version still counted.
python3 - "$tmp/forms.jsonl" "$tmp/bad.json" <<'PY'
import json, sys
f = next(json.loads(l) for l in open(sys.argv[1]) if json.loads(l)["contest"] == "dpr")
f["valid"] += 1
json.dump(f, open(sys.argv[2], "w"))
PY
expect_rc 1 "a broken correction is rejected" "$rekap" submit --dir "$D" --keys "$tmp/keys" \
  --version 2 --reason "salah hitung" "$tmp/bad.json"

start() { # extra rekapd arguments...: start it, wait for the port file
  rekapd_up "$tmp/rekapd.log" --dir "$D" "$@"
  local up=$?
  PUB=http://127.0.0.1:$PP ING=http://127.0.0.1:$IP
  return $up
}
stop() { kill -TERM $pid; wait $pid 2>/dev/null; stopped=$?; pid=; }
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT

mkdir -p "$tmp/web/assets"
echo '<!doctype html><title>Hasil Pemilu</title>' >"$tmp/web/index.html"
echo 'console.log(1)' >"$tmp/web/assets/app.0123456789ab.js"
check "rekapd starts" start --set render_ms=100 --set public_ip_rate=0 --set ingest_ip_rate=0 \
  --set ingest_key_rate=0 --set web_dir="$tmp/web"

# the web pages (http_web) and the log's verifier key
check "GET / is the portal's page, revalidated (no-cache)" sh -c \
  "curl -s -D- '$PUB/' | tr -d '\r' | grep -q '^Cache-Control: no-cache' && curl -s '$PUB/' | grep -q 'Hasil Pemilu'"
check "a hashed asset is immutable, text/javascript" sh -c \
  "curl -s -D- -o /dev/null '$PUB/assets/app.0123456789ab.js' | tr -d '\r' | grep -q '^Cache-Control: public, max-age=31536000, immutable' &&
   curl -s -D- -o /dev/null '$PUB/assets/app.0123456789ab.js' | tr -d '\r' | grep -qi '^Content-Type: text/javascript'"
check "a file that is not there: 404 NOT_FOUND" sh -c "curl -s '$PUB/assets/nope.js' | grep -q NOT_FOUND"
check "search by name: a kab/kota found with its province" sh -c \
  "curl -s '$PUB/api/v1/search?q=bULUNGAN' | python3 -c 'import json,sys; d=json.load(sys.stdin); h=d[\"regions\"][0]; sys.exit(0 if h[\"code\"]==\"6501\" and h[\"parents\"][0][\"code\"]==\"65\" else 1)'"
check "search: a one-letter query is 400 BAD_REQUEST (q)" sh -c \
  "[ \$(curl -s -o /dev/null -w '%{http_code}' '$PUB/api/v1/search?q=b') = 400 ] && [ \$(curl -s -o /dev/null -w '%{http_code}' '$PUB/api/v1/search') = 400 ]"
check "/log/vkey is the verifier key rekap init printed" sh -c \
  "[ \"\$(curl -s '$PUB/log/vkey')\" = \"\$(sed -n 's/^verifier key: *//p' '$tmp/init.out')\" ]"

# Everything read over HTTP is checked by one program; it prints ok/FAIL
# lines like lib.sh and they are counted with the rest.
python3 - "$PUB" "$D" "$tmp/forms.jsonl" "$tmp/bad.json" > "$tmp/py.out" 2>&1 <<'PY'
import base64, gzip, hashlib, http.client, json, os, sys, time, urllib.parse
pub, D, forms_path, bad_path = sys.argv[1:5]
host = urllib.parse.urlparse(pub)
def ok(what): print("ok   - " + what)
def fail(what): print("FAIL - " + what)
def check(what, cond):
    ok(what) if cond else fail(what)

def get(path, headers=None, method="GET"):
    c = http.client.HTTPConnection(host.hostname, host.port, timeout=20)
    c.putrequest(method, path, skip_accept_encoding=True)
    for k, v in (headers or {}).items():
        c.putheader(k, v)
    c.endheaders()
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body

def getj(path):
    st, h, b = get(path)
    if st != 200:
        raise AssertionError("%s -> %d %r" % (path, st, b[:200]))
    return json.loads(b)

# ---- the truth, from the forms file alone
forms = [json.loads(l) for l in open(forms_path)]
def truth(contest, code):
    n = 0 if code == "0" else len(code)
    t = {"counted": 0, "valid": 0, "invalid": 0, "voters": 0, "sel": {}}
    for f in forms:
        if f["contest"] != contest or f["tps"][:n] != code[:n]:
            continue
        t["counted"] += 1
        t["valid"] += f["valid"]; t["invalid"] += f["invalid"]
        t["voters"] += f["voters"]["b4"][2]
        if contest in ("ppwp", "dpd"):
            for i, v in enumerate(f["votes"]):
                t["sel"][i] = t["sel"].get(i, 0) + v
        else:
            for p in f["parties"]:
                t["sel"][p["no"]] = t["sel"].get(p["no"], 0) + p["total"]
    return t

def same_totals(doc, t):
    return (doc["tps_counted"] == t["counted"] and doc["valid"] == t["valid"] and
            doc["invalid"] == t["invalid"] and doc["voters"] == t["voters"])

def sel_of(doc, contest):
    if contest in ("ppwp", "dpd"):
        return {i: s["votes"] for i, s in enumerate(doc["selections"])}
    return {s["no"]: s["votes"] for s in doc["selections"]}

tps0 = forms[0]["tps"]
branch = ["0", tps0[:2], tps0[:4], tps0[:6], tps0[:10]]

# ---- rekap's layout at every level, every contest
for contest in ("ppwp", "dpr", "dpd", "dprd_prov", "dprd_kab"):
    good = True
    for code in branch:
        try:
            doc = getj("/api/v1/results/%s/%s.json" % (contest, code))
            t = truth(contest, code)
            good &= same_totals(doc, t) and doc["tps_expected"] == t["counted"]
            if doc["selections"]:
                got = sel_of(doc, contest)
                good &= all(got.get(k, 0) == v for k, v in t["sel"].items())
            for kid in doc["children"]:
                if len(kid["code"]) == 13:
                    good &= kid["counted"] is True
                else:
                    good &= same_totals(kid, truth(contest, kid["code"]))
        except Exception as e:
            print("  ", contest, code, e)
            good = False
    check("results of %s at every level equal the forms' sums" % contest, good)

# every kab/kota and kecamatan of the province, PPWP
good = True
for kab in getj("/api/v1/results/ppwp/%s.json" % branch[1])["children"]:
    kd = getj("/api/v1/results/ppwp/%s.json" % kab["code"])
    good &= same_totals(kd, truth("ppwp", kab["code"]))
    for kec in kd["children"]:
        good &= same_totals(kec, truth("ppwp", kec["code"]))
check("every kabupaten/kota and kecamatan equals the forms' sums", good)

# ---- TPS detail
det = getj("/api/v1/tps/%s.json" % tps0)
byc = {c["contest"]: c for c in det["contests"]}
f0 = {f["contest"]: f for f in forms if f["tps"] == tps0}
check("TPS detail lists the contests cast there", set(byc) == set(f0))
check("TPS detail: the counted PPWP numbers", byc["ppwp"]["form"]["valid"] == f0["ppwp"]["valid"] and
      [s["votes"] for s in byc["ppwp"]["form"]["selections"]] == f0["ppwp"]["votes"])
bad = json.load(open(bad_path))
bd = getj("/api/v1/tps/%s.json" % bad["tps"])
dpr = [c for c in bd["contests"] if c["contest"] == "dpr"][0]
check("TPS detail: the rejected correction in the history, version 1 still counted",
      dpr["counted_version"] == 1 and len(dpr["versions"]) == 2 and
      dpr["versions"][1]["accepted"] is False and dpr["versions"][1]["rejected_codes"] and
      dpr["versions"][1]["reason"] == "salah hitung")

# ---- anomalies
an = getj("/api/v1/anomalies/dpr.json")
check("anomalies: the rejected entry is listed", any(e["tps"] == bad["tps"] and e["version"] == 2
      for e in an["rejected"]["entries"]) and an["rejected"]["total"] == 1)
nat = getj("/api/v1/results/ppwp/0.json")
anp = getj("/api/v1/anomalies/ppwp.json")
check("anomalies: as many flagged TPS as the national tps_flagged",
      anp["flagged"]["total"] == nat["tps_flagged"] == len(anp["flagged"]["tps"]))
if anp["flagged"]["tps"]:
    ft = getj(anp["flagged"]["tps"][0]["detail"])
    check("a flagged TPS's detail says flagged, with its flags",
          any(c["status"] == "flagged" and c["flags"] for c in ft["contests"] if c["contest"] == "ppwp"))

# ---- the 2024 portal layout
ids = ["1000%d" % (25 + i) for i in range(3)]
good = True
for depth in range(0, 4):
    path = "/pemilu/hhcw/ppwp.json" if depth == 0 else "/pemilu/hhcw/ppwp/%s.json" % "/".join(branch[1:depth + 1])
    doc = getj(path)
    t = truth("ppwp", branch[depth])
    good &= doc["mode"] == "hhcw" and isinstance(doc["ts"], str) and len(doc["ts"]) == 19
    good &= [doc["chart"][i] for i in ids] == [t["sel"][i] for i in range(3)]
    good &= doc["progres"] == {"total": t["counted"], "progres": t["counted"]}
    for code, row in doc["table"].items():
        kt = truth("ppwp", code)
        good &= [row[i] for i in ids] == [kt["sel"][i] for i in range(3)]
        good &= isinstance(row["persen"], (int, float)) and row["status_progress"] is True
check("hhcw national..kecamatan: chart, table, progres equal the forms' sums", good)
desa = getj("/pemilu/hhcw/ppwp/%s.json" % "/".join(branch[1:5]))
tpsf = {f["tps"]: f for f in forms if f["contest"] == "ppwp" and f["tps"].startswith(branch[4])}
check("hhcw desa: one table row per TPS with its votes",
      set(desa["table"]) == set(tpsf) and
      all([desa["table"][c][i] for i in ids] == tpsf[c]["votes"] for c in tpsf))
tf = getj("/pemilu/hhcw/ppwp/%s/%s.json" % ("/".join(branch[1:5]), tps0))
check("the TPS file has the 2024 fields and types",
      list(tf) == ["mode", "chart", "images", "administrasi", "psu", "ts", "status_suara", "status_adm"] and
      list(tf["chart"])[0] == "null" and len(tf["images"]) == 3 and
      [tf["chart"][i] for i in ids] == f0["ppwp"]["votes"] and isinstance(tf["images"], list) and
      tf["administrasi"]["suara_sah"] == f0["ppwp"]["valid"] and
      tf["administrasi"]["pengguna_total_j"] == f0["ppwp"]["voters"]["b4"][2] and
      tf["status_suara"] is True and tf["psu"] is None)
w0 = getj("/wilayah/pemilu/ppwp/0.json")
check("wilayah 0.json: the provinces, nama/id/kode/tingkat",
      [x["kode"] for x in w0] == [branch[1]] and isinstance(w0[0]["id"], int) and w0[0]["tingkat"] == 1
      and isinstance(w0[0]["nama"], str))
wd = getj("/wilayah/pemilu/ppwp/%s.json" % "/".join(branch[1:5]))
check("wilayah of a desa: its TPS, tingkat 5", sorted(x["kode"] for x in wd) == sorted(tpsf)
      and all(x["tingkat"] == 5 for x in wd))
pairs = getj("/pemilu/ppwp.json")
check("pemilu/ppwp.json names the pairs by their 2024 ids",
      sorted(pairs) == ids and all(pairs[i]["nomor_urut"] == n + 1 for n, i in enumerate(ids)))

# ---- caching: ETag, 304, gzip, HEAD
st, h, body = get("/api/v1/results/dpr/%s.json" % branch[1])
etag = h.get("etag", "")
check("a strong ETag and a CDN Cache-Control", etag.startswith('"') and not etag.startswith("W/") and
      "max-age" in h.get("cache-control", "") and h.get("vary") == "Accept-Encoding")
st2, h2, b2 = get("/api/v1/results/dpr/%s.json" % branch[1], {"If-None-Match": etag})
check("If-None-Match with the ETag: 304, no body", st2 == 304 and b2 == b"" and h2.get("etag") == etag)
st3, _, _ = get("/api/v1/results/dpr/%s.json" % branch[1], {"If-None-Match": '"other"'})
check("another ETag: 200", st3 == 200)
st4, h4, z = get("/api/v1/results/dpr/%s.json" % branch[1], {"Accept-Encoding": "gzip, br"})
check("gzip when accepted, the same bytes once inflated",
      st4 == 200 and h4.get("content-encoding") == "gzip" and gzip.decompress(z) == body and h4["etag"] != etag)
st5, h5, _ = get("/api/v1/results/dpr/%s.json" % branch[1], {"Accept-Encoding": "gzip;q=0"})
check("gzip;q=0 is a refusal", st5 == 200 and "content-encoding" not in h5)
c = http.client.HTTPConnection(host.hostname, host.port, timeout=20)
alive = True
for path in ("/api/v1/results/ppwp/0.json", "/pemilu/hhcw/ppwp.json", "/nothing"):
    c.request("GET", path)
    r = c.getresponse(); r.read()
    alive &= (r.getheader("Connection") or "").lower() != "close"
c.close()
check("keep-alive: three requests on one connection, a 404 among them", alive)
st6, h6, b6 = get("/api/v1/results/dpr/%s.json" % branch[1], method="HEAD")
check("HEAD: the headers, no body", st6 == 200 and b6 == b"" and int(h6["content-length"]) == len(body))

# ---- the log's files, byte for byte
st, h, cp = get("/log/checkpoint")
check("checkpoint identical to the file, short cache", st == 200 and cp == open(os.path.join(D, "log/checkpoint"), "rb").read()
      and "max-age=1" in h.get("cache-control", ""))
good, n = True, 0
root = os.path.join(D, "log")
for dirpath, _, files in os.walk(os.path.join(root, "tile")):
    for name in files:
        rel = os.path.relpath(os.path.join(dirpath, name), root)
        st, h, b = get("/log/" + rel)
        full = ".p/" not in rel
        good &= st == 200 and b == open(os.path.join(root, rel), "rb").read()
        good &= ("immutable" in h.get("cache-control", "")) == full
        n += 1
check("every tile and entry bundle (%d files) identical to the files, full ones immutable" % n, good and n > 40)

# ---- inclusion proofs, recomputed here
size = int(cp.split(b"\n")[1])
want_root = base64.b64decode(cp.split(b"\n")[2])
sys.path.insert(0, os.environ["REKAP_IT_DIR"])
from rfc9162 import node, verify_inclusion as verify, verify_consistency
def entry_at(i):
    _, _, bundle = get(getj("/api/v1/proof/%d" % i)["entry_bundle"])
    off = 0
    for _ in range(i % 256):
        off += 2 + int.from_bytes(bundle[off:off + 2], "big")
    n = int.from_bytes(bundle[off:off + 2], "big")
    return bundle[off + 2:off + 2 + n]
good = True
for i in (0, 1, 255, 256, 5000, size - 1):
    pr = getj("/api/v1/proof/%d" % i)
    leaf = hashlib.sha256(b"\x00" + entry_at(i)).digest()
    good &= pr["size"] == size and bytes.fromhex(pr["leaf_hash"]) == leaf
    good &= verify(i, size, leaf, [bytes.fromhex(p) for p in pr["proof"]], want_root)
check("proofs of 6 entries verify against the checkpoint's root", good)
pr = getj("/api/v1/proof/3?size=1000")
st, h, _ = get("/api/v1/proof/3?size=1000")
check("a proof against an earlier size verifies and is immutable",
      verify(3, 1000, bytes.fromhex(pr["leaf_hash"]), [bytes.fromhex(p) for p in pr["proof"]],
             bytes.fromhex(pr["root"])) and "immutable" in h.get("cache-control", ""))
check("a proof past the log: 404; an entry outside the given size: 400",
      get("/api/v1/proof/%d" % size)[0] == 404 and get("/api/v1/proof/500?size=100")[0] == 400)

# ---- consistency proofs, against roots computed here from the entries
def mth(leaves):  # RFC 6962 2.1, by the definition
    if len(leaves) <= 1:
        return leaves[0] if leaves else hashlib.sha256(b"").digest()
    k = 1
    while k * 2 < len(leaves): k *= 2
    return node(mth(leaves[:k]), mth(leaves[k:]))
leaves = []
for b in range((size + 255) // 256):
    _, _, bundle = get(getj("/api/v1/proof/%d" % (b * 256))["entry_bundle"])
    off = 0
    while off < len(bundle):
        n = int.from_bytes(bundle[off:off + 2], "big")
        leaves.append(hashlib.sha256(b"\x00" + bundle[off + 2:off + 2 + n]).digest())
        off += 2 + n
check("the entry bundles hash to the checkpoint's root", len(leaves) == size and mth(leaves) == want_root)
good = True
for n1 in (0, 1, 2, 255, 256, 257, 1000, size // 2, size - 1, size):
    cr = getj("/api/v1/consistency?from=%d" % n1)
    r1, proof = mth(leaves[:n1]), [bytes.fromhex(p) for p in cr["proof"]]
    good &= cr["from"] == n1 and cr["to"] == size and bytes.fromhex(cr["from_root"]) == r1
    good &= bytes.fromhex(cr["to_root"]) == want_root
    good &= verify_consistency(n1, size, r1, want_root, proof)
    good &= n1 in (0, size) or not verify_consistency(n1, size, r1, node(want_root, r1), proof)
check("consistency proofs from 10 sizes to the checkpoint verify against roots computed here", good)
cr = getj("/api/v1/consistency?from=300&to=1000")
st, h, _ = get("/api/v1/consistency?from=300&to=1000")
check("a consistency proof between two given sizes verifies and is immutable",
      verify_consistency(300, 1000, mth(leaves[:300]), mth(leaves[:1000]),
                         [bytes.fromhex(p) for p in cr["proof"]]) and
      bytes.fromhex(cr["to_root"]) == mth(leaves[:1000]) and "immutable" in h.get("cache-control", ""))
bad_sizes = {"/api/v1/consistency?from=10&to=5": 400, "/api/v1/consistency?from=5&to=%d" % (size + 1): 400,
             "/api/v1/consistency": 400, "/api/v1/consistency?from=01": 400,
             "/api/v1/consistency?from=x": 400, "/api/v1/consistency?from=%d" % (size + 1): 404}
got = {p: get(p) for p in bad_sizes}
check("consistency: sizes malformed, out of order or past the log 400, a from past the log 404, with the error body",
      all(got[p][0] == want and json.loads(got[p][2])["code"] == ("BAD_REQUEST" if want == 400 else "NOT_FOUND")
          and json.loads(got[p][2])["where"] in ("from", "to") and "message_id" in json.loads(got[p][2])
          for p, want in bad_sizes.items()) or print({p: got[p][:1] + got[p][2:] for p in got}))

# ---- the CSV export
for _ in range(100):
    st, h, csv = get("/api/v1/export/ppwp.csv")
    if st != 503: break
    time.sleep(0.2)
rows = [l.split(",") for l in csv.decode().splitlines()]
t = truth("ppwp", "0")
check("export: one row per counted TPS, columns adding up to the totals",
      st == 200 and rows[0][:7] == ["tps", "contest", "version", "dpt", "voters", "valid", "invalid"] and
      len(rows) - 1 == t["counted"] and
      [sum(int(r[7 + i]) for r in rows[1:]) for i in range(3)] == [t["sel"][i] for i in range(3)])

# ---- what must not be served
tricks = ["/log/tile/../../rekap.db", "/log/tile/%2e%2e/%2e%2e/rekap.db", "/log/../rekap.db",
          "/photos/../election.json", "/photos/..%2felection.json", "/photos/" + "A" * 64,
          "/log/tile/0/x000/000", "/log/tile/00/000", "/log/tile/0/000.p/0", "/log/tile/0/000.p/256",
          "/log/tile/9/000", "/log/tile/0/999", "/log/tile//0/000", "/api/v1/results/ppwp/0.json/",
          "/api/v1/results/ppwp/../../rekap.db", "/api/v1/results/ppwp/00.json",
          "/api/v1/results/ppwp/11.json", "/api/v1/tps/%s.json" % tps0[:10],
          "/pemilu/hhcw/ppwp/%s/%s.json" % (branch[1], branch[3]), "/wilayah/pemilu/ppwp/1.json",
          "/api/v1/results/nope/0.json", "/api/v1/proof/01", "/api/v1/proof/-1", "/nothing"]
codes = {p: get(p)[0] for p in tricks}
check("path tricks and unknown paths: 404 (%d paths)" % len(tricks), all(c == 404 for c in codes.values())
      or print(codes))
st, h, b = get("/nothing")
check("a 404 has the error body", json.loads(b)["code"] == "NOT_FOUND" and "message_id" in json.loads(b))
st, h, b = get("/api/v1/results/ppwp/0.json", method="POST")
check("POST: 405 with Allow", st == 405 and h.get("allow") == "GET, HEAD" and json.loads(b)["code"] == "METHOD_NOT_ALLOWED")
PY
cat "$tmp/py.out"
passes=$((passes + $(grep -c '^ok ' "$tmp/py.out")))
fails=$((fails + $(grep -c '^FAIL' "$tmp/py.out")))
grep -q '^Traceback' "$tmp/py.out" && fail "the HTTP checks ended early"

# ---- a correction over HTTP, with a photo: visible within a second
python3 - "$tmp/forms.jsonl" "$tmp/fix.json" <<'PY'
import json, sys
f = json.loads(open(sys.argv[1]).readline())
f["votes"][0] -= 5; f["votes"][1] += 5
json.dump(f, open(sys.argv[2], "w"))
PY
printf '\xff\xd8\xff a photo of the form' > "$tmp/photo.jpg"
H=$(sha256sum "$tmp/photo.jpg" | cut -c1-64)
"$rekap" sign --keys "$tmp/keys" --version 2 --reason "salah tulis" --photo "$tmp/photo.jpg" "$tmp/fix.json" > "$tmp/body.json"
curl -s -o /dev/null -X PUT --data-binary @"$tmp/photo.jpg" "$ING/api/v1/photos/$H"
curl -s -o /dev/null "$PUB/pemilu/hhcw/ppwp.json" -D "$tmp/h0"
curl -s -o "$tmp/cp1" "$PUB/log/checkpoint"
# the corrected TPS's kecamatan, its kab/kota's DPRD district list and a
# DPR district: their documents are rendered on request, kept under their
# rev (a poll is 304 until a form moves it)
python3 - "$PUB" "$tmp/fix.json" > "$tmp/kec0" <<'PY'
import json, sys, urllib.request
pub, t = sys.argv[1], json.load(open(sys.argv[2]))["tps"]
dpr = json.load(urllib.request.urlopen(pub + "/wilayah/pemilu/pdpr/dapil_dpr.json"))[0]["kode"]
for path in ("/api/v1/results/ppwp/%s.json" % t[:6], "/pemilu/hhcw/ppwp/%s/%s/%s.json" % (t[:2], t[:4], t[:6]),
             "/pemilu/hhcd/pdprdk/%s/%s.json" % (t[:2], t[:4]), "/pemilu/hhcd/pdpr/%s.json" % dpr):
    r = urllib.request.urlopen(pub + path); r.read(); etag = r.headers["ETag"]
    req = urllib.request.Request(pub + path, headers={"If-None-Match": etag})
    try: urllib.request.urlopen(req); code = 200
    except urllib.error.HTTPError as e: code = e.code
    print(path, etag, code)
PY
check "a kecamatan's, a DPRD kab/kota list's, a DPR district's documents: a poll with their ETag is 304" \
  sh -c "[ \$(grep -c ' 304\$' '$tmp/kec0') = 4 ]"
code=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' --data-binary @"$tmp/body.json" "$ING/api/v1/submissions")
check "the correction is accepted over HTTP" [ "$code" = 201 ]
python3 - "$PUB" "$tmp/fix.json" "$H" "$tmp/forms.jsonl" "$tmp/cp1" "$tmp/kec0" > "$tmp/py2.out" <<'PY'
import base64, hashlib, json, os, sys, time, urllib.request
pub, fix, h = sys.argv[1], json.load(open(sys.argv[2])), sys.argv[3]
want = sum(json.loads(l)["votes"][0] for l in open(sys.argv[4]) if '"ppwp"' in l) - 5
t0 = time.time()
national = detail = None
while time.time() - t0 < 5 and (national is None or detail is None):
    if national is None and json.load(urllib.request.urlopen(pub + "/pemilu/hhcw/ppwp.json"))["chart"]["100025"] == want:
        national = time.time() - t0
    d = json.load(urllib.request.urlopen(pub + "/api/v1/tps/%s.json" % fix["tps"]))
    c = [c for c in d["contests"] if c["contest"] == "ppwp"][0]
    if detail is None and c["counted_version"] == 2 and any("/photos/" + h in v["photos"] for v in c["versions"]):
        detail = time.time() - t0
    time.sleep(0.01)
kec = fix["tps"][:6]
want_kec = sum(json.loads(l)["votes"][0] for l in open(sys.argv[4])
               if '"ppwp"' in l and json.loads(l)["tps"].startswith(kec)) - 5
before = dict(l.split()[:2] for l in open(sys.argv[6]))
res_path = "/api/v1/results/ppwp/%s.json" % kec
hhcw_path = "/pemilu/hhcw/ppwp/%s/%s/%s.json" % (kec[:2], kec[:4], kec)
r1, r2 = urllib.request.urlopen(pub + res_path), urllib.request.urlopen(pub + hhcw_path)
d1, d2 = json.load(r1), json.load(r2)
print("ok   - the kecamatan's documents show the correction at once, with new ETags"
      if d1["selections"][0]["votes"] == want_kec and d2["chart"]["100025"] == want_kec and
      r1.headers["ETag"] != before[res_path] and r2.headers["ETag"] != before[hhcw_path]
      else "FAIL - the kecamatan's documents after the correction: %s %s" % (d1["selections"][0]["votes"], want_kec))
for what, t in (("the national hhcw chart", national), ("the TPS detail", detail)):
    print("ok   - the correction shows in %s after %.3f s" % (what, t) if t is not None and t < 1.0
          else "FAIL - the correction did not show in %s within 1 s" % what)
p = urllib.request.urlopen(pub + "/photos/" + h)
print("ok   - the photo is served, immutable" if p.read().startswith(b"\xff\xd8\xff") and
      "immutable" in p.headers["Cache-Control"] and p.headers["Content-Type"] == "image/jpeg"
      else "FAIL - the photo")
tf = json.load(urllib.request.urlopen(pub + "/pemilu/hhcw/ppwp/%s/%s/%s/%s/%s.json" % (
    fix["tps"][:2], fix["tps"][:4], fix["tps"][:6], fix["tps"][:10], fix["tps"])))
print("ok   - the TPS file shows the corrected votes and the photo" if
      tf["chart"]["100025"] == fix["votes"][0] and tf["images"][0] == pub.replace("127.0.0.1", "localhost") + "/photos/" + h
      else "FAIL - the TPS file after the correction: %r" % tf)
# the checkpoint before the correction and the one after it: the newer
# extends the older (RFC 9162 2.1.4.2, the proof checked here)
def tree_head(text): return int(text.split(b"\n")[1]), base64.b64decode(text.split(b"\n")[2])
n1, r1 = tree_head(open(sys.argv[5], "rb").read())
t0 = time.time()
while time.time() - t0 < 5:
    n2, r2 = tree_head(urllib.request.urlopen(pub + "/log/checkpoint").read())
    if n2 > n1: break
    time.sleep(0.05)
sys.path.insert(0, os.environ["REKAP_IT_DIR"])
from rfc9162 import verify_consistency as consistent
cr = json.load(urllib.request.urlopen(pub + "/api/v1/consistency?from=%d" % n1))
print("ok   - the checkpoint after the correction extends the one before it (%d -> %d entries)" % (n1, n2)
      if 0 < n1 < n2 and cr["to"] == n2 and consistent(n1, n2, r1, r2, [bytes.fromhex(p) for p in cr["proof"]])
      else "FAIL - consistency from the checkpoint before the correction: %d -> %d %r" % (n1, n2, cr))
PY
cat "$tmp/py2.out"
passes=$((passes + $(grep -c '^ok ' "$tmp/py2.out")))
fails=$((fails + $(grep -c '^FAIL' "$tmp/py2.out")))
stop
check "SIGTERM: a clean stop" [ "$stopped" = 0 ]

# ---- the per-address limit, the deadline for a request's headers
check "rekapd starts with a tight public limit and a 2 s deadline" start --set public_ip_rate=0.5 \
  --set public_ip_burst=2 --set public_ip_wait=3 --set public_timeout=2
# four at once: two from the burst, the third waits its turn (due in 2 s,
# within public_ip_wait), the fourth would wait 4 s and is refused
curls=
for i in 1 2 3 4; do
  curl -s -o /dev/null -D "$tmp/h$i" -w '%{http_code} %{time_total}\n' "$PUB/pemilu/hhcw/ppwp.json" >"$tmp/c$i" &
  curls="$curls $!"
done
wait $curls
codes=$(cut -d' ' -f1 "$tmp"/c[1-4] | sort | tr '\n' ' ')
check "four at once: three answered, one refused ($codes)" [ "$codes" = "200 200 200 429 " ]
slow=$(awk '$1 == 200 && $2 >= 1.5' "$tmp"/c[1-4] | wc -l)
check "the request over the rate waited its turn (about 2 s) instead of a 429" [ "$slow" = 1 ]
refused=$(grep -l '^429' "$tmp"/c[1-4] | sed 's/c\([1-4]\)$/h\1/')
check "the refused one carries Retry-After" grep -qi '^Retry-After: [0-9]' "$refused"
stop
check "rekapd starts with public_ip_wait=0 and a 2 s deadline" start --set public_ip_rate=0.5 \
  --set public_ip_burst=2 --set public_ip_wait=0 --set public_timeout=2
for i in 1 2 3; do
  code=$(curl -s -o /dev/null -D "$tmp/h$i" -w '%{http_code}' "$PUB/pemilu/hhcw/ppwp.json")
done
check "without a wait, the third request at once: 429 with Retry-After" sh -c "[ $code = 429 ] && grep -qi '^Retry-After: [0-9]' '$tmp/h3'"
check "a client trickling its headers is cut off at the deadline" python3 - "$PUB" <<'PY'
import socket, sys, time, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
s = socket.create_connection((u.hostname, u.port), timeout=10)
t0 = time.time()
s.sendall(b"GET /pemilu/hhcw/ppwp.json HTTP/1.1\r\nHost: x\r\n")
try:
    while time.time() - t0 < 8:  # one byte every 0.3 s: never silent long enough for an idle timeout
        s.sendall(b"X")
        time.sleep(0.3)
except OSError:
    pass
took = time.time() - t0
assert 1.5 < took < 5, took
PY
stop
check "stopped cleanly again" [ "$stopped" = 0 ]
grep -q '"level":"error"' "$tmp/rekapd.log" && { fail "errors in the log"; grep '"level":"error"' "$tmp/rekapd.log" | head -5; }
finish
