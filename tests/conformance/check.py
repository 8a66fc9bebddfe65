#!/usr/bin/env python3
"""Conformance checker for the 2024 portal layout (the commission's Sirekap
2024 public files, which rekapd serves at the same paths).

A document is checked against:
  1. its JSON Schema (schemas/<kind>.json, written from the community's 2024
     readers; see README.md), with "integer" meaning a JSON integer literal
     (100.0 is not an integer here: C#'s int and Go's int refuse it);
  2. the member order of the fixed-order objects (the order lists of the
     contract): top-level members, rows, administrasi, list entries;
     numeric keys (ids, party numbers, region codes) in ascending numeric
     order, "null" first in a PPWP/DPD TPS chart; region lists sorted by nama;
  3. every integer within int32 (ids used as keys too), every "ts" exactly
     YYYY-MM-DD HH:MM:SS and a real date, every "persen" at most 2 decimals;
  4. the sums a reader may rely on and the real files obey: a region file's
     chart is the column sums of its table (and persen = progres/total), an
     hhcd list's chart the column sums of its rows, an hhcd dapil's chart
     the jml_suara_total of its rows; child codes extend the path's code.
With --contract (what rekapd must do beyond the 2024 files): compact JSON
(no whitespace outside strings but one final newline), "mode" in the
PPWP/DPD TPS file, images "http(s)://host[:port]/photos/<64 hex>", chart /
administrasi / caleg null exactly when not counted, every region row
carrying the chart's vote keys, nothing in a row whose status_progress is
false.

usage: check.py [--contract] [--no-order] [--as URLPATH] TARGET...
  TARGET  a directory holding SOURCES.md (the samples: each file is checked
          as the URL path its row names, the order check skipped where the
          row says "exempt"), any other directory (a mirror: every *.json,
          its URL path the file's path below the directory), or a file (its
          URL path given by --as, or taken from "/pemilu/..." or
          "/wilayah/..." in the file's path).
Exit status 0 when every document passes, 1 otherwise, 2 usage.

As a module: classify(path) -> (kind, ctx); check(doc, kind, ctx, contract,
order) -> [error, ...]; check_bytes(data, path, ...) -> (kind, doc, errors);
loads(bytes) parses strictly (duplicate members, NaN refused).
"""
import datetime
import json
import os
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCHEMA_DIR = HERE / "schemas"
INT32_MAX = 2**31 - 1
INT32_MIN = -(2**31)

KINDS = ("wilayah", "dapil_dpr", "dapil_dprd", "hhcw_ppwp", "hhcw_pdpd", "hhcw_pdpd_national",
         "hhcw_party", "tps_ppwp", "tps_pdpd", "tps_party", "hhcd_dapil_list", "hhcd_dapil",
         "ppwp_list", "partai", "caleg_partai", "caleg_dpd")
ADM_KEYS = ["suara_sah", "suara_total", "pemilih_dpt_j", "pemilih_dpt_l", "pemilih_dpt_p",
            "pengguna_dpt_j", "pengguna_dpt_l", "pengguna_dpt_p", "pengguna_dptb_j",
            "pengguna_dptb_l", "pengguna_dptb_p", "suara_tidak_sah", "pengguna_total_j",
            "pengguna_total_l", "pengguna_total_p", "pengguna_non_dpt_j", "pengguna_non_dpt_l",
            "pengguna_non_dpt_p"]
CONTESTS = ("ppwp", "pdpd", "pdpr", "pdprdp", "pdprdk")
LEVEL_LEN = {0: 1, 1: 2, 2: 4, 3: 6, 4: 10, 5: 13}  # tingkat -> code length (0: "0")
CHILD_LEN = {1: 2, 2: 4, 4: 6, 6: 10, 10: 13}       # parent code length ("0": 1) -> child's

_NUM = re.compile(r"[0-9]+", re.ASCII)
_TS = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}", re.ASCII)
_PHOTO_URL = re.compile(r"https?://[A-Za-z0-9.\-\[\]:]+(:[0-9]+)?/photos/[0-9a-f]{64}", re.ASCII)
MAX_ERRORS = 20  # per document


# ------------------------------------------------------------------ parsing
class JSONError(ValueError):
    pass


def _pairs(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise JSONError("duplicate member %r" % k)
        d[k] = v
    return d


def _constant(name):
    raise JSONError("%s is not JSON" % name)


def loads(data):
    """Strict JSON: UTF-8, no duplicate members, no NaN/Infinity. Member
    order is kept (dicts are ordered)."""
    if isinstance(data, (bytes, bytearray)):
        data = bytes(data).decode("utf-8")
    return json.loads(data, object_pairs_hook=_pairs, parse_constant=_constant)


# ------------------------------------------------------------------ schemas
_validators = {}


def validator(kind):
    v = _validators.get(kind)
    if v is None:
        from jsonschema import Draft202012Validator, validators

        def is_int(checker, x):
            return isinstance(x, int) and not isinstance(x, bool)

        tc = Draft202012Validator.TYPE_CHECKER.redefine("integer", is_int)
        cls = validators.extend(Draft202012Validator, type_checker=tc)
        with open(SCHEMA_DIR / (kind + ".json"), encoding="utf-8") as f:
            schema = json.load(f)
        cls.check_schema(schema)
        v = _validators[kind] = cls(schema)
    return v


# ------------------------------------------------------------------ paths
def _nested(segs, lengths):
    """Path elements that are full codes, each extending the one before."""
    if len(segs) > len(lengths):
        return None
    for i, s in enumerate(segs):
        if len(s) != lengths[i] or not _NUM.fullmatch(s):
            return None
        if i and not s.startswith(segs[i - 1]):
            return None
    return segs[-1] if segs else None


def classify(path):
    """(kind, ctx) of a URL path of the 2024 layout, (None, None) if it is not one.
    ctx: contest, code (the region or parent code the path names, "0"
    national), and for hhcd/caleg the dapil code."""
    p = path.split("?", 1)[0]
    if not p.endswith(".json"):
        return None, None
    parts = p[:-5].strip("/").split("/")
    if parts[:2] == ["wilayah", "pemilu"] and len(parts) >= 4:
        c, rest = parts[2], parts[3:]
        if c in ("ppwp", "pdpd", "pdpr"):
            if rest == ["0"]:
                return "wilayah", {"contest": c, "code": "0"}
            if c == "pdpr" and rest == ["dapil_dpr"]:
                return "dapil_dpr", {"contest": c}
            code = _nested(rest, [2, 4, 6, 10])
            if code:
                return "wilayah", {"contest": c, "code": code}
        if c in ("pdprdp", "pdprdk") and rest == ["0"]:
            return "wilayah", {"contest": c, "code": "0"}
        if c == "pdprdp" and _nested(rest, [2]) and len(rest) == 1:
            return "dapil_dprd", {"contest": c, "code": rest[0]}
        if c == "pdprdk":
            code = _nested(rest, [2, 4])
            if code and len(rest) == 1:
                return "wilayah", {"contest": c, "code": code}
            if code and len(rest) == 2:
                return "dapil_dprd", {"contest": c, "code": code}
        return None, None
    if parts[:1] != ["pemilu"] or len(parts) < 2:
        return None, None
    if parts == ["pemilu", "ppwp"]:
        return "ppwp_list", {}
    if parts == ["pemilu", "partai"]:
        return "partai", {}
    if len(parts) == 4 and parts[1:3] == ["caleg", "partai"] and _NUM.fullmatch(parts[3]) \
            and len(parts[3]) in (4, 6):
        return "caleg_partai", {"dapil": parts[3]}
    if len(parts) == 4 and parts[1:3] == ["caleg", "dpd"] and _nested(parts[3:], [2]):
        return "caleg_dpd", {"code": parts[3]}
    if parts[1] == "hhcw" and len(parts) >= 3:
        c = parts[2]
        if c not in CONTESTS:
            return None, None
        rest = parts[3:]
        if not rest:
            code = "0"
        else:
            code = _nested(rest, [2, 4, 6, 10, 13])
            if not code:
                return None, None
        ctx = {"contest": c, "code": code}
        if len(code) == 13:
            return {"ppwp": "tps_ppwp", "pdpd": "tps_pdpd"}.get(c, "tps_party"), ctx
        if c == "ppwp":
            return "hhcw_ppwp", ctx
        if c == "pdpd":
            return ("hhcw_pdpd_national" if code == "0" else "hhcw_pdpd"), ctx
        return "hhcw_party", ctx
    if parts[1] == "hhcd" and len(parts) >= 4:
        c, rest = parts[2], parts[3:]
        if c == "pdpr" and rest == ["0"]:
            return "hhcd_dapil_list", {"contest": c, "code": "0"}
        if c == "pdpr" and len(rest) == 1 and len(rest[0]) == 4 and _NUM.fullmatch(rest[0]):
            return "hhcd_dapil", {"contest": c, "dapil": rest[0]}
        if c == "pdprdp" and len(rest) == 1 and _nested(rest, [2]):
            return "hhcd_dapil_list", {"contest": c, "code": rest[0]}
        if c == "pdprdp" and len(rest) == 2 and _nested(rest[:1], [2]) and len(rest[1]) == 6 \
                and _NUM.fullmatch(rest[1]) and rest[1].startswith(rest[0] + "00"):
            return "hhcd_dapil", {"contest": c, "dapil": rest[1]}
        if c == "pdprdk" and len(rest) == 2 and _nested(rest, [2, 4]):
            return "hhcd_dapil_list", {"contest": c, "code": rest[1]}
        if c == "pdprdk" and len(rest) == 3 and _nested(rest[:2], [2, 4]) and len(rest[2]) == 6 \
                and _NUM.fullmatch(rest[2]) and rest[2].startswith(rest[1]):
            return "hhcd_dapil", {"contest": c, "dapil": rest[2]}
    return None, None


# ------------------------------------------------------------------ order
NUM = "<numeric keys, ascending>"
ID = "<ids, ascending, int32>"


def _seq(keys, spec, where, errs, must=()):
    """keys must follow spec: literal members in that order (a missing one is
    the schema's business unless listed in must), NUM/ID any run of numeric
    keys in ascending numeric order."""
    i, n = 0, len(keys)
    for tok in spec:
        if tok in (NUM, ID):
            prev = None
            while i < n and _NUM.fullmatch(keys[i]):
                v = int(keys[i])
                if prev is not None and v <= prev:
                    errs.append("%s: key %r after %r: numeric keys must ascend" % (where, keys[i], str(prev)))
                    return
                if tok is ID and v > INT32_MAX:
                    errs.append("%s: id %r does not fit in int32" % (where, keys[i]))
                prev = v
                i += 1
        elif i < n and keys[i] == tok:
            i += 1
        elif tok in keys:
            errs.append("%s: member order %s, expected %s" % (where, _short(keys), _short(spec)))
            return
        elif tok in must:
            errs.append("%s: member %r missing" % (where, tok))
    if i < n:
        errs.append("%s: member %r out of place: order %s, expected %s" % (where, keys[i], _short(keys), _short(spec)))


def _short(keys):
    keys = list(keys)
    if len(keys) > 12:
        keys = keys[:5] + ["..."] + keys[-5:]
    return "[" + ", ".join(k if k in (NUM, ID, "...") else repr(k) for k in keys) + "]"


def _each(obj):
    return obj.items() if isinstance(obj, dict) else ()


def _order(doc, kind, contract, errs):
    D = isinstance
    if kind in ("wilayah", "dapil_dpr", "dapil_dprd"):
        spec = {"wilayah": ["nama", "id", "kode", "tingkat"], "dapil_dpr": ["nama", "id", "kode"],
                "dapil_dprd": ["id_dapil", "kode_dapil", "nama_dapil"]}[kind]
        for i, it in enumerate(doc if D(doc, list) else ()):
            if D(it, dict):
                _seq(list(it), spec, "[%d]" % i, errs)
        if kind == "wilayah" and D(doc, list):
            names = [it.get("nama") for it in doc if D(it, dict)]
            if all(D(x, str) for x in names):
                b = [x.encode("utf-8") for x in names]
                for i in range(1, len(b)):
                    if b[i] < b[i - 1]:
                        errs.append("[%d]: nama %r before %r: items must be sorted by nama (byte order)"
                                    % (i, names[i - 1], names[i]))
                        break
        return
    if not D(doc, dict):
        return
    if kind.startswith("hhcw_"):
        _seq(list(doc), ["ts", "psu", "mode", "chart", "table", "progres"], "$", errs)
        if D(doc.get("chart"), dict):
            _seq(list(doc["chart"]), [ID, "persen"], "chart", errs)
        if D(doc.get("table"), dict):
            _seq(list(doc["table"]), [NUM], "table", errs)
            for code, row in doc["table"].items():
                if D(row, dict):
                    _seq(list(row), ["psu", ID, "persen", "status_progress"], "table.%s" % code, errs)
        if D(doc.get("progres"), dict):
            _seq(list(doc["progres"]), ["total", "progres"], "progres", errs)
    elif kind in ("tps_ppwp", "tps_pdpd"):
        _seq(list(doc), ["mode", "chart", "images", "administrasi", "psu", "ts", "status_suara", "status_adm"],
             "$", errs, must=("mode",) if contract else ())
        if D(doc.get("chart"), dict):
            _seq(list(doc["chart"]), ["null", ID], "chart", errs)
        if D(doc.get("administrasi"), dict):
            _seq(list(doc["administrasi"]), ADM_KEYS, "administrasi", errs)
    elif kind == "tps_party":
        _seq(list(doc), ["chart", "images", "kode_dapil", "administrasi", "caleg", "psu", "ts", "status_suara",
                         "status_adm"], "$", errs)
        if D(doc.get("chart"), dict):
            _seq(list(doc["chart"]), [ID], "chart", errs)
            for p, v in doc["chart"].items():
                if D(v, dict):
                    _seq(list(v), ["jml_suara_total", "jml_suara_partai"], "chart.%s" % p, errs)
        if D(doc.get("caleg"), dict):
            _seq(list(doc["caleg"]), [ID], "caleg", errs)
            for p, v in doc["caleg"].items():
                if D(v, dict):
                    _seq(list(v), [ID], "caleg.%s" % p, errs)
        if D(doc.get("administrasi"), dict):
            _seq(list(doc["administrasi"]), ADM_KEYS, "administrasi", errs)
    elif kind in ("hhcd_dapil_list", "hhcd_dapil"):
        _seq(list(doc), ["ts", "mode", "chart", "table", "progres"], "$", errs)
        lst = kind == "hhcd_dapil_list"
        if D(doc.get("chart"), dict):
            _seq(list(doc["chart"]), [ID] if lst else [ID, "persen"], "chart", errs)
        if D(doc.get("table"), dict):
            _seq(list(doc["table"]), [NUM], "table", errs)
            for k, row in doc["table"].items():
                if D(row, dict):
                    _seq(list(row), [ID, "persen"] if lst else [ID, "jml_suara_total", "jml_suara_partai"],
                         "table.%s" % k, errs)
        if D(doc.get("progres"), dict):
            _seq(list(doc["progres"]), ["total", "progres"], "progres", errs)
    elif kind in ("ppwp_list", "partai"):
        spec = ["ts", "nama", "warna", "nomor_urut"] if kind == "ppwp_list" else \
            ["ts", "id_partai", "id_pilihan", "is_aceh", "nama", "nama_lengkap", "nomor_urut", "warna"]
        _seq(list(doc), [ID], "$", errs)
        for k, v in doc.items():
            if D(v, dict):
                _seq(list(v), spec, k, errs)
    elif kind in ("caleg_partai", "caleg_dpd"):
        spec = ["nama", "nomor_urut", "jenis_kelamin", "tempat_tinggal"]
        _seq(list(doc), [ID], "$", errs)
        parties = doc.items() if kind == "caleg_partai" else [("", doc)]
        for p, cands in parties:
            if D(cands, dict):
                if p:
                    _seq(list(cands), [ID], p, errs)
                for cid, v in cands.items():
                    if D(v, dict):
                        _seq(list(v), spec, (p + "." if p else "") + cid, errs)


# ------------------------------------------------------------------ values
def _walk(x, where, errs):
    """int32 everywhere, ts and persen wherever they appear."""
    if isinstance(x, dict):
        for k, v in x.items():
            w = where + "." + k
            if k == "ts" and not (isinstance(v, str) and _ts_ok(v)):
                errs.append("%s: %r is not a YYYY-MM-DD HH:MM:SS time" % (w, v))
            if k == "persen" and isinstance(v, (int, float)) and not isinstance(v, bool) and not _persen_ok(v):
                errs.append("%s: %r has more than 2 decimals" % (w, v))
            _walk(v, w, errs)
    elif isinstance(x, list):
        for i, v in enumerate(x):
            _walk(v, "%s[%d]" % (where, i), errs)
    elif isinstance(x, int) and not isinstance(x, bool):
        if not INT32_MIN <= x <= INT32_MAX:
            errs.append("%s: %d does not fit in int32" % (where, x))


def _ts_ok(s):
    if not _TS.fullmatch(s):
        return False
    try:
        datetime.datetime.strptime(s, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return False
    return True


def _persen_ok(v):
    if isinstance(v, int):
        return True
    r = repr(v)
    return "e" not in r and "n" not in r and len(r.split(".")[1]) <= 2


def _votes(obj, skip=("psu", "persen", "status_progress", "null")):
    return {k: v for k, v in obj.items() if k not in skip}


def _semantics(doc, kind, ctx, contract, errs):
    D = isinstance
    ctx = ctx or {}
    code = ctx.get("code")
    if kind == "wilayah" and D(doc, list) and code:
        clen = CHILD_LEN.get(1 if code == "0" else len(code))
        for i, it in enumerate(doc):
            if not D(it, dict) or not D(it.get("kode"), str):
                continue
            k = it["kode"]
            if clen and (len(k) != clen or (code != "0" and not k.startswith(code))):
                errs.append("[%d]: kode %r is not a child of %r" % (i, k, code))
            t = it.get("tingkat")
            if D(t, int) and LEVEL_LEN.get(t) != len(k):
                errs.append("[%d]: tingkat %r does not match kode %r" % (i, t, k))
        kodes = [it.get("kode") for it in doc if D(it, dict)]
        if len(set(map(str, kodes))) != len(kodes):
            errs.append("a kode appears twice")
    elif kind == "dapil_dprd" and D(doc, list) and code:
        for i, it in enumerate(doc):
            k = it.get("kode_dapil") if D(it, dict) else None
            want = code + "00" if len(code) == 2 else code
            if D(k, str) and not (k.startswith(want) and len(k) == 6):
                errs.append("[%d]: kode_dapil %r is not a dapil of %r" % (i, k, code))
    elif kind.startswith("hhcw_") and D(doc, dict):
        chart, table, prog = doc.get("chart"), doc.get("table"), doc.get("progres")
        if D(table, dict) and code:
            clen = CHILD_LEN.get(1 if code == "0" else len(code))
            for k in table:
                if len(k) != clen or (code != "0" and not k.startswith(code)):
                    errs.append("table: key %r is not a child of %r" % (k, code))
        if D(chart, dict) and D(table, dict):
            rows = [r for r in table.values() if D(r, dict)]
            for k, v in _votes(chart).items():
                s = sum(r.get(k, 0) for r in rows if D(r.get(k, 0), int))
                if v != s:
                    errs.append("chart.%s = %r but the table's rows add up to %d" % (k, v, s))
            if contract:
                want = set(_votes(chart))
                for rk, r in table.items():
                    if not D(r, dict):
                        continue
                    got = set(_votes(r))
                    if got != want:
                        errs.append("table.%s: vote keys %s, the chart's %s" % (rk, _short(sorted(got)), _short(sorted(want))))
                    if r.get("status_progress") is False and (r.get("persen") != 0 or any(_votes(r).values())):
                        errs.append("table.%s: status_progress false but persen or votes not 0" % rk)
                    if code and len(code) == 10 and r.get("persen") not in (0, 100):
                        errs.append("table.%s: a TPS row's persen must be 0 or 100, not %r" % (rk, r.get("persen")))
        if D(chart, dict) and D(prog, dict):
            t, p, pc = prog.get("total"), prog.get("progres"), chart.get("persen")
            if D(t, int) and D(p, int) and D(pc, (int, float)):
                if p > t:
                    errs.append("progres: progres %d > total %d" % (p, t))
                want = 100.0 * p / t if t else 0.0
                if abs(pc - want) > 0.005 + 1e-9:
                    errs.append("chart.persen %r but progres %d/%d is %.4f%%" % (pc, p, t, want))
    elif kind in ("tps_ppwp", "tps_pdpd", "tps_party") and D(doc, dict):
        if kind == "tps_party" and D(doc.get("kode_dapil"), str) and code:
            k, c = doc["kode_dapil"], ctx.get("contest")
            ok = {"pdpr": len(k) == 4 and k[:2] == code[:2],
                  "pdprdp": len(k) == 6 and k[:4] == code[:2] + "00",
                  "pdprdk": len(k) == 6 and k[:4] == code[:4]}.get(c, True)
            if not ok:
                errs.append("kode_dapil %r is not a %s dapil of TPS %s" % (k, c, code))
        if contract:
            for i, u in enumerate(doc.get("images") or []):
                if D(u, str) and not _PHOTO_URL.fullmatch(u):
                    errs.append("images[%d]: %r is not http(s)://host[:port]/photos/<64 hex>" % (i, u))
            if "status_suara" in doc and (doc.get("chart") is None) != (doc.get("status_suara") is False):
                errs.append("chart must be null exactly when status_suara is false")
            if "status_adm" in doc and (doc.get("administrasi") is None) != (doc.get("status_adm") is False):
                errs.append("administrasi must be null exactly when status_adm is false")
            if kind == "tps_party" and (doc.get("caleg") is None) != (doc.get("chart") is None):
                errs.append("caleg must be null exactly when chart is")
    elif kind == "hhcd_dapil_list" and D(doc, dict):
        chart, table = doc.get("chart"), doc.get("table")
        if D(table, dict) and code:
            c = ctx.get("contest")
            for k in table:
                ok = {"pdpr": len(k) == 4, "pdprdp": len(k) == 6 and k.startswith(code + "00"),
                      "pdprdk": len(k) == 6 and k.startswith(code)}.get(c, True)
                if not ok:
                    errs.append("table: key %r is not a %s dapil under %r" % (k, c, code))
        if D(chart, dict) and D(table, dict):
            rows = [r for r in table.values() if D(r, dict)]
            for k, v in chart.items():
                s = sum(r.get(k, 0) for r in rows if D(r.get(k, 0), int))
                if v != s:
                    errs.append("chart.%s = %r but the rows add up to %d" % (k, v, s))
            if contract:
                for rk, r in table.items():
                    if D(r, dict) and set(_votes(r)) != set(chart):
                        errs.append("table.%s: party keys differ from the chart's" % rk)
    elif kind == "hhcd_dapil" and D(doc, dict):
        chart, table = doc.get("chart"), doc.get("table")
        if D(chart, dict) and D(table, dict):
            if set(_votes(chart)) != set(table):
                errs.append("chart parties %s, table parties %s" % (_short(_votes(chart)), _short(table)))
            for p, row in table.items():
                if D(row, dict) and p in chart and chart[p] != row.get("jml_suara_total"):
                    errs.append("chart.%s = %r but table.%s.jml_suara_total = %r" % (p, chart[p], p,
                                                                                      row.get("jml_suara_total")))
    elif kind in ("caleg_partai", "caleg_dpd") and D(doc, dict):
        parties = doc.items() if kind == "caleg_partai" else [("", doc)]
        for p, cands in parties:
            if D(cands, dict):
                nos = [v.get("nomor_urut") for v in cands.values() if D(v, dict)]
                if len(set(map(repr, nos))) != len(nos):
                    errs.append("%s: a nomor_urut appears twice" % (p or "$"))


# ------------------------------------------------------------------ API
def check(doc, kind, ctx=None, contract=False, order=True):
    """Every error found in doc as a document of that kind ([] = valid)."""
    errs = []
    v = validator(kind)
    for e in sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = "$" + "".join("[%d]" % p if isinstance(p, int) else "." + str(p) for p in e.absolute_path)
        msg = e.message
        errs.append("%s: %s" % (where, msg if len(msg) < 200 else msg[:200] + "..."))
        if len(errs) >= MAX_ERRORS:
            break
    _walk(doc, "$", errs)
    if order:
        _order(doc, kind, contract, errs)
    _semantics(doc, kind, ctx, contract, errs)
    if len(errs) > MAX_ERRORS:
        errs = errs[:MAX_ERRORS] + ["... %d more" % (len(errs) - MAX_ERRORS)]
    return errs


_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def compact(text):
    """True when there is no whitespace outside strings (one final newline
    allowed): the contract's compact JSON."""
    if text.endswith("\n"):
        text = text[:-1]
    return not re.search(r"\s", _STRING.sub('""', text))


def check_bytes(data, path, contract=False, order=True, kind=None):
    """Parse and check the bytes served at URL path. (kind, doc, errors)."""
    k, ctx = classify(path)
    kind = kind or k
    if kind is None:
        return None, None, ["%s is not a path of the 2024 layout" % path]
    try:
        text = bytes(data).decode("utf-8") if isinstance(data, (bytes, bytearray)) else data
        doc = loads(text)
    except (ValueError, UnicodeDecodeError) as e:
        return kind, None, ["not JSON: %s" % e]
    errs = check(doc, kind, ctx, contract, order)
    if contract and not compact(text):
        errs.append("not compact JSON: whitespace outside strings")
    return kind, doc, errs


# ------------------------------------------------------------------ CLI
def _sources(d):
    """The samples' rows of SOURCES.md: file -> (URL path, order check on?)."""
    rows = {}
    for line in open(os.path.join(d, "SOURCES.md"), encoding="utf-8"):
        if not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        name, url, order = cells[0].strip("`"), cells[1].strip("`"), cells[2].lower()
        rows[name] = (url, not order.startswith("exempt"))
    return rows


def _targets(args, as_path):
    for t in args:
        if os.path.isdir(t):
            if os.path.exists(os.path.join(t, "SOURCES.md")):
                rows = _sources(t)
                files = sorted(f for f in os.listdir(t) if f.endswith(".json"))
                for f in files:
                    if f not in rows:
                        yield os.path.join(t, f), None, True, "not listed in SOURCES.md"
                for f, (url, order) in sorted(rows.items()):
                    p = os.path.join(t, f)
                    yield p, url, order, None if os.path.exists(p) else "listed in SOURCES.md but missing"
            else:
                for dirpath, _, files in sorted(os.walk(t)):
                    for f in sorted(files):
                        if f.endswith(".json"):
                            p = os.path.join(dirpath, f)
                            yield p, "/" + os.path.relpath(p, t).replace(os.sep, "/"), True, None
        else:
            url = as_path
            if url is None:
                m = re.search(r"/(pemilu|wilayah)/.*$", "/" + os.path.abspath(t).replace(os.sep, "/"))
                url = m.group(0) if m else None
            yield t, url, True, None if url else "no URL path (give --as)"


def main(argv):
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--contract", action="store_true", help="also rekapd's contract rules")
    ap.add_argument("--no-order", action="store_true", help="skip the member order checks")
    ap.add_argument("--as", dest="as_path", help="the URL path of a single FILE")
    ap.add_argument("--quiet", action="store_true", help="print failures and the summary only")
    ap.add_argument("targets", nargs="+")
    a = ap.parse_args(argv)
    counts, bad = {}, 0
    for path, url, order, problem in _targets(a.targets, a.as_path):
        if problem:
            print("FAIL %s: %s" % (path, problem))
            bad += 1
            continue
        with open(path, "rb") as f:
            data = f.read()
        kind, _, errs = check_bytes(data, url, contract=a.contract, order=order and not a.no_order)
        c = counts.setdefault(kind or "?", [0, 0])
        c[0] += 1
        note = "" if order and not a.no_order else ", order check exempt"
        if errs:
            c[1] += 1
            bad += 1
            print("FAIL %s (%s as %s%s)" % (path, kind, url, note))
            for e in errs:
                print("       " + e)
        elif not a.quiet:
            print("ok   %s (%s as %s%s)" % (path, kind, url, note))
    for k in sorted(counts):
        print("%-20s %5d checked, %d failed" % (k, counts[k][0], counts[k][1]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
