#!/usr/bin/env python3
"""check.py's own test: each real sample passes, and each of a list of small
breakages of a real sample (an extra member, 100.0 for an integer, a member
moved, "null" last in a TPS chart, a row key dropped, ...) is caught, with
the rule that should catch it. Prints ok/FAIL lines; exit 1 on a FAIL.
usage: selftest.py"""
import copy
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import check  # noqa: E402

S = os.path.join(HERE, "samples")
fails = 0


def sample(name):
    with open(os.path.join(S, name), "rb") as f:
        return check.loads(f.read())


def reorder(d, keys):
    """d with keys first in the given order, the rest after."""
    out = {k: d[k] for k in keys if k in d}
    out.update((k, v) for k, v in d.items() if k not in out)
    return out


def expect(what, doc, path, contract=False, want="", order=True):
    """doc checked as served at path must fail with an error containing want."""
    global fails
    kind, ctx = check.classify(path)
    errs = check.check(doc, kind, ctx, contract=contract, order=order)
    if errs and want in " ".join(errs):
        print("ok   - caught: %s" % what)
    else:
        fails += 1
        print("FAIL - not caught: %s (errors: %s)" % (what, errs[:3]))


def passes(what, doc, path, contract=False):
    global fails
    kind, ctx = check.classify(path)
    errs = check.check(doc, kind, ctx, contract=contract)
    if errs:
        fails += 1
        print("FAIL - %s: %s" % (what, errs[:3]))
    else:
        print("ok   - %s" % what)


TPS = "/pemilu/hhcw/ppwp/11/1101/110101/1101012001/1101012001001.json"
TPS3 = "/pemilu/hhcw/ppwp/11/1101/110101/1101012001/1101012001003.json"
DESA = "/pemilu/hhcw/ppwp/11/1101/110101/1101012001.json"
NAT = "/pemilu/hhcw/ppwp.json"

raw = sample("ppwp_tps_1101012001001_20240215_abdshomad.json")
rid = sample("ppwp_tps_1101012001003_ridwaanhall.json")
desa = sample("ppwp_desa_1101012001_20240222_ridwaanhall.json")
nat = sample("ppwp_national_20240307_ridwaanhall.json")
wil = sample("wilayah_ppwp_1101_raw.json")
caleg = sample("caleg_partai_360202.json")
hhcd = sample("pdprdk_hhcd_36_3602_360202.json")
hhcd0 = sample("pdpr_hhcd_0.json")
pdpd = sample("pdpd_tps_1101012001001_zakiego_dump.json")

# the classification of every path kind of the contract
paths = {
    "/wilayah/pemilu/ppwp/0.json": "wilayah", "/wilayah/pemilu/pdpd/65/6501/650101.json": "wilayah",
    "/wilayah/pemilu/pdpr/65/6501/650101/6501011001.json": "wilayah",
    "/wilayah/pemilu/pdpr/dapil_dpr.json": "dapil_dpr", "/wilayah/pemilu/pdprdp/0.json": "wilayah",
    "/wilayah/pemilu/pdprdp/65.json": "dapil_dprd", "/wilayah/pemilu/pdprdk/0.json": "wilayah",
    "/wilayah/pemilu/pdprdk/65.json": "wilayah", "/wilayah/pemilu/pdprdk/65/6501.json": "dapil_dprd",
    "/pemilu/hhcw/ppwp.json": "hhcw_ppwp", "/pemilu/hhcw/pdpd.json": "hhcw_pdpd_national",
    "/pemilu/hhcw/pdpd/65.json": "hhcw_pdpd", "/pemilu/hhcw/pdprdk/65/6501/650101/6501011001.json": "hhcw_party",
    "/pemilu/hhcw/pdpr/65/6501/650101/6501011001/6501011001001.json": "tps_party",
    "/pemilu/hhcw/pdpd/65/6501/650101/6501011001/6501011001001.json": "tps_pdpd",
    "/pemilu/hhcd/pdpr/0.json": "hhcd_dapil_list", "/pemilu/hhcd/pdpr/6501.json": "hhcd_dapil",
    "/pemilu/hhcd/pdprdp/65.json": "hhcd_dapil_list", "/pemilu/hhcd/pdprdp/65/650001.json": "hhcd_dapil",
    "/pemilu/hhcd/pdprdk/65/6501.json": "hhcd_dapil_list", "/pemilu/hhcd/pdprdk/65/6501/650101.json": "hhcd_dapil",
    "/pemilu/ppwp.json": "ppwp_list", "/pemilu/partai.json": "partai",
    "/pemilu/caleg/partai/6501.json": "caleg_partai", "/pemilu/caleg/partai/650001.json": "caleg_partai",
    "/pemilu/caleg/dpd/65.json": "caleg_dpd",
    "/pemilu/hhcw/ppwp/65/6502.json": "hhcw_ppwp",
}
bad_paths = ["/pemilu/hhcw/ppwp/65/6601.json", "/pemilu/hhcw/ppwp/6501.json", "/pemilu/hhcw/nope.json",
             "/wilayah/pemilu/pdprdp/65/6501.json", "/pemilu/hhcd/pdprdp/65/660001.json", "/pemilu/hhcw/ppwp/0.json"]
got = {p: check.classify(p)[0] for p in paths}
miss = {p: (got[p], k) for p, k in paths.items() if got[p] != k}
miss.update({p: check.classify(p)[0] for p in bad_paths if check.classify(p)[0] is not None})
if miss:
    fails += 1
    print("FAIL - classify: %r" % miss)
else:
    print("ok   - classify: %d contract paths, %d non-paths" % (len(paths), len(bad_paths)))

# ---- the real files pass as they are (mode absent only outside --contract)
passes("the raw TPS file (no mode) passes", raw, TPS)
passes("a TPS file with mode, made uncounted (chart and images null), passes",
       {**rid, "images": [None, None, None], "status_suara": False, "chart": None}, TPS3, contract=False)

# ---- TPS file
expect("an extra member", {**raw, "extra": 1}, TPS, want="Additional properties")
expect("100.0 for an integer", {**raw, "chart": {**raw["chart"], "100025": 186.0}}, TPS, want="is not of type 'integer'")
expect("true for an integer", {**raw, "administrasi": {**raw["administrasi"], "suara_sah": True}}, TPS,
       want="is not of type 'integer'")
expect("an int over int32", {**raw, "chart": {**raw["chart"], "100026": 2**31}}, TPS, want="int32")
expect("2 images (zakiego .length(3))", {**raw, "images": raw["images"][:2]}, TPS, want="images")
expect("status_suara true with images[1] null (kp24)", {**raw, "images": [raw["images"][0], None, None]}, TPS,
       want="images[1]")
expect("a member out of order", reorder(raw, ["images", "chart"]), TPS, want="member order")
expect("chart's \"null\" last", {**raw, "chart": reorder(raw["chart"], ["100025", "100026", "100027", "null"])},
       TPS, want="chart")
expect("an administrasi member out of order",
       {**raw, "administrasi": reorder(raw["administrasi"], ["suara_total", "suara_sah"])}, TPS, want="administrasi")
expect("an administrasi member missing",
       {**raw, "administrasi": {k: v for k, v in raw["administrasi"].items() if k != "suara_tidak_sah"}}, TPS,
       want="suara_tidak_sah")
expect("a ts with a T", {**raw, "ts": "2024-02-15T23:29:50"}, TPS, want="ts")
expect("a ts that is no date", {**raw, "ts": "2024-02-30 23:29:50"}, TPS, want="ts")
expect("a psu outside the enum", {**raw, "psu": "Reguler"}, TPS, want="psu")
expect("mode missing under --contract", raw, TPS, contract=True, want="'mode' missing")
expect("a 2024 image URL under --contract", rid, TPS3, contract=True, want="/photos/")
expect("chart present but status_suara false under --contract", {**rid, "status_suara": False,
       "images": [None] * 3}, TPS3, contract=True, want="status_suara")
expect("a pdpd TPS with \"null\" last (the JS dump, order checked)", pdpd,
       "/pemilu/hhcw/pdpd/11/1101/110101/1101012001/1101012001001.json", want="chart")
expect("a pdpd TPS with mode \"hhcd\"", {**pdpd, "mode": "hhcd"},
       "/pemilu/hhcw/pdpd/11/1101/110101/1101012001/1101012001001.json", want="mode", order=False)
party_tps = {"chart": {"1": {"jml_suara_total": 5, "jml_suara_partai": 2}}, "images": [None],
             "kode_dapil": "650101", "administrasi": None,
             "caleg": {"1": {"100121": 3}}, "psu": None, "ts": "2024-02-15 23:29:50",
             "status_suara": True, "status_adm": False}
PT = "/pemilu/hhcw/pdprdk/65/6501/650101/6501011001/6501011001001.json"
passes("a DPRD kab TPS file of the contract's shape", party_tps, PT)
expect("a DPR TPS file with mode (zakiego .strict() has none)", {"mode": "hhcw", **party_tps}, PT,
       want="Additional properties")
expect("a DPRD kab TPS file with a DPRD prov dapil", {**party_tps, "kode_dapil": "650001"}, PT, want="kode_dapil")
expect("jml_ members swapped", {**party_tps, "chart": {"1": {"jml_suara_partai": 2, "jml_suara_total": 5}}}, PT,
       want="chart.1")
expect("party 25", {**party_tps, "chart": {"25": {"jml_suara_total": 5, "jml_suara_partai": 2}}}, PT, want="25")

# ---- region files
row0 = next(iter(nat["table"]))
expect("a row without a pair key", {**nat, "table": {**nat["table"], row0: {k: v for k, v in nat["table"][row0].items()
                                                                         if k != "100026"}}},
       NAT, want="100026")
expect("psu null in a row (the contract says \"Reguler\")",
       {**nat, "table": {**nat["table"], row0: {**nat["table"][row0], "psu": None}}}, NAT, want="Reguler")
expect("table rows out of order", {**nat, "table": reorder(nat["table"], ["12", "11"])}, NAT, want="ascend")
expect("a row's members out of order",
       {**nat, "table": {**nat["table"], row0: reorder(nat["table"][row0], ["persen", "psu"])}}, NAT, want="table.11")
expect("persen with 3 decimals", {**nat, "chart": {**nat["chart"], "persen": 78.107}}, NAT, want="decimals")
expect("a chart that is not the sum of the rows", {**nat, "chart": {**nat["chart"], "100025": 1}}, NAT,
       want="add up")
expect("chart persen not progres/total", {**nat, "chart": {**nat["chart"], "persen": 80.0}}, NAT, want="persen")
expect("an extra top-level member (zakiego .strict())", {**nat, "_flat_table": []}, NAT, want="Additional")
expect("mode missing", {k: v for k, v in nat.items() if k != "mode"}, NAT, want="mode")
expect("a desa file whose rows are not its TPS", desa, "/pemilu/hhcw/ppwp/11/1101/110101/1101012002.json",
       want="not a child")
expect("a TPS row with persen 50 under --contract",
       {**desa, "table": {**desa["table"], "1101012001001": {**desa["table"]["1101012001001"], "persen": 50}}},
       DESA, contract=True, want="0 or 100")
empty_row = {"psu": "Reguler", "100025": 0, "100026": 0, "100027": 0, "persen": 0, "status_progress": False}
expect("a row with status_progress false and votes under --contract",
       {**nat, "table": {**nat["table"], row0: {**empty_row, "100025": 1}}}, NAT, contract=True, want="status_progress")

# ---- lists
expect("a region list not sorted by nama", list(reversed(wil)), "/wilayah/pemilu/ppwp/11/1101.json", want="sorted")
expect("a region list item with tingkat 4 for a kecamatan", [{**wil[0], "tingkat": 4}] + wil[1:],
       "/wilayah/pemilu/ppwp/11/1101.json", want="tingkat")
expect("a region list item under another parent", wil, "/wilayah/pemilu/ppwp/11/1102.json", want="not a child")
expect("a region list item with a string id", [{**wil[0], "id": "100001"}] + wil[1:],
       "/wilayah/pemilu/ppwp/11/1101.json", want="integer")
expect("a candidate with an extra member (zakiego .strict())",
       {**caleg, "1": {**caleg["1"], "195645": {**caleg["1"]["195645"], "foto": "x"}}},
       "/pemilu/caleg/partai/360202.json", want="Additional")
expect("jenis_kelamin \"X\"", {**caleg, "1": {**caleg["1"], "195645": {**caleg["1"]["195645"], "jenis_kelamin": "X"}}},
       "/pemilu/caleg/partai/360202.json", want="jenis_kelamin")
expect("candidate members out of order",
       {**caleg, "1": {**caleg["1"], "195645": reorder(caleg["1"]["195645"], ["nomor_urut"])}},
       "/pemilu/caleg/partai/360202.json", want="195645")
bad = copy.deepcopy(hhcd)
bad["table"]["1"]["jml_suara_total"] += 1
expect("an hhcd dapil whose chart is not jml_suara_total", bad, "/pemilu/hhcd/pdprdk/36/3602/360202.json",
       want="jml_suara_total")
bad = copy.deepcopy(hhcd)
bad["table"]["9"] = None
expect("a null party row in an hhcd dapil (zakiego: numbers only)", bad, "/pemilu/hhcd/pdprdk/36/3602/360202.json",
       want="None is not of type")
bad = copy.deepcopy(hhcd0)
bad["table"]["1101"]["1"] += 1
expect("an hhcd list whose chart is not the column sums", bad, "/pemilu/hhcd/pdpr/0.json", want="add up")
expect("an hhcd list row keyed by a 6-digit code for DPR", {**hhcd0, "table": {**hhcd0["table"], "110100": hhcd0["table"]["1101"]}},
       "/pemilu/hhcd/pdpr/0.json", want="110100")
with open(os.path.join(S, "ppwp_desa_1101012001_20240222_ridwaanhall.json"), "rb") as f:
    pretty = f.read()
k, _, errs = check.check_bytes(pretty, DESA, contract=True)
tight = json.dumps(check.loads(pretty), separators=(",", ":")).encode() + b"\n"
k2, _, errs2 = check.check_bytes(tight, DESA, contract=True)
if any("compact" in e for e in errs) and not errs2:
    print("ok   - caught: a pretty-printed file under --contract (the compact one passes)")
else:
    fails += 1
    print("FAIL - compactness: %s / %s" % (errs, errs2))
try:
    check.loads(b'{"a":1,"a":2}')
    fails += 1
    print("FAIL - a duplicate member is not refused")
except ValueError:
    print("ok   - caught: a duplicate member")
try:
    check.loads(b'{"persen":NaN}')
    fails += 1
    print("FAIL - NaN is not refused")
except ValueError:
    print("ok   - caught: NaN")
print("%s" % ("selftest: all passed" if not fails else "selftest: %d failed" % fails))
sys.exit(1 if fails else 0)
