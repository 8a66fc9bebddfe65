#!/usr/bin/env python3
"""Hold the recap plenaries of a region, bottom-up, over rekapd's HTTP API.

usage: scripts/plenary.py --public URL --ingest URL --keys DIR --rekap BIN
                          --contest K --region CODE [--complete-only]
                          [--plant KEC:TPS] [--object TEXT] [--summary FILE]

For every recap unit from the kecamatan up to the region CODE (docs/RECAP.md),
children before parents, it does what a plenary's recap officer does on the
recap page: reads the unit (/api/v1/recap/<contest>/<code>/<d>.json), adopts
every child at the version it says now, marks a child with nothing (yet) as
pending with a reason, writes the totals as the sum of the rows, signs the
rekap-dhasil/1 text with the region's recap key (KEYDIR/<code>.key, signed by
`rekap recap sign`) and sends it to the ingest listener. Each recap must be
accepted (201), or the script stops with exit status 1.

  --complete-only  sign a kecamatan only when every TPS there is counted
                   (the others stay unsigned: their parents mark them pending)
  --plant KEC:TPS  in kecamatan KEC the plenary corrects TPS's row: 5 votes
                   move from the first selection with at least 5 to the next
                   (a difference with the C.Hasil, traced to that TPS)
  --object TEXT    record a witness's objection (rekap-dkk/1) on KEC's unit
  --summary FILE   write what was signed as JSON

Standard library only; every request bounded by a 10 s timeout.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

TIMEOUT = 10
CACHE_S = 1.2      # rekapd keeps a store-made document up to render_ms (1 s)
LEVELS = {"nasional": 0, "provinsi": 1, "kabkota": 2, "kecamatan": 3}


def get(url):
    with urllib.request.urlopen(url, timeout=TIMEOUT) as r:
        return json.load(r)


def post(url, body):
    req = urllib.request.Request(url, data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def quote(s):
    return json.dumps(s, ensure_ascii=False)


class Plenary:
    def __init__(self, a):
        self.a = a
        self.signed = []
        self.top = None

    def sign(self, code, text):
        """The JSON request body of text signed with code's recap key."""
        key = os.path.join(self.a.keys, code + ".key")
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(text)
        try:
            out = subprocess.run([self.a.rekap, "recap", "sign", "--key", key, f.name],
                                 check=True, capture_output=True, text=True, timeout=TIMEOUT)
        finally:
            os.unlink(f.name)
        return out.stdout.strip()

    def send(self, code, text, what):
        status, ans = post(self.a.ingest + "/api/v1/submissions", self.sign(code, text))
        if status != 201:
            sys.exit(f"plenary: {what}: {status} {json.dumps(ans)[:400]}")
        return ans

    def draft(self, unit, plant):
        """The recap text of a unit: adopt, mark or (planted) correct each child."""
        u = unit
        lines = ["rekap-dhasil/1", f"region {u['region']['code']}", f"contest {u['contest']}",
                 f"district {u['district']['id']}", f"version {len(u['versions']) + 1}"]
        if u["versions"]:
            lines.append("reason " + quote("Rekapitulasi ulang setelah perubahan di tingkat bawah"))
        totals = [0] * len(u["fields"])
        for c in u["children"]:
            nums = c["numbers"]
            if c["code"] == plant and nums:
                nums = list(nums)
                sel = range(31, len(nums) - 1)
                i = next((i for i in sel if nums[i] >= 5), None)
                if i is None:
                    sys.exit(f"plenary: cannot plant a difference at {plant}")
                nums[i] -= 5
                nums[i + 1] += 5
                lines.append(f"correct {c['code']} " + " ".join(map(str, nums)))
                lines.append("why " + quote("Pleno menghitung ulang: 5 suara salah tulis"))
            elif c["version"] and c["status"] in ("counted", "signed"):
                lines.append(f"adopt {c['code']} {c['version']}")
            else:
                nums = None
                lines.append(f"mark {c['code']} pending")
                lines.append("why " + quote("Belum ada hasil yang sah dari tingkat di bawah"))
            if nums:
                totals = [t + n for t, n in zip(totals, nums)]
        lines.append("totals " + " ".join(map(str, totals)))
        return "\n".join(lines) + "\n"

    def complete(self, code):
        tps = get(f"{self.a.public}/api/v1/recap/{self.a.contest}/{code}.json")["tps"]
        return tps["counted"] == tps["expected"]

    def hold(self, code):
        """The plenaries of code's subtree, then code's own."""
        region = get(f"{self.a.public}/api/v1/regions/{code}.json")
        level = region["tingkat"]
        if level < 3:
            for child in region["children"]:
                self.hold(child["code"])
            time.sleep(CACHE_S)
        try:
            units = get(f"{self.a.public}/api/v1/recap/{self.a.contest}/{code}.json")
        except urllib.error.HTTPError:
            return          # not a recap level of this contest
        if level == 3 and self.a.complete_only and not self.complete(code):
            return
        plant_kec, plant_tps = (self.a.plant or ":").split(":")
        for entry in units["units"]:
            unit = get(self.a.public + entry["detail"])
            text = self.draft(unit, plant_tps if code == plant_kec else None)
            ans = self.send(code, text, f"{code} {unit['district']['id']}")
            self.signed.append({"region": code, "district": unit["district"]["id"],
                                "index": ans["index"], "level": unit["level"]})
            if code == plant_kec and self.a.object:
                self.record(code, unit, ans)

    def record(self, code, unit, ans):
        text = "\n".join(["rekap-dkk/1", f"region {code}", f"contest {unit['contest']}",
                          f"district {unit['district']['id']}",
                          f"number {len(unit['records']) + 1}",
                          f"recap {ans['receipt']['version']}", "kind objection",
                          "by " + quote("Saksi pasangan calon 01"),
                          "text " + quote(self.a.object)]) + "\n"
        ans = self.send(code, text, f"objection at {code}")
        self.signed.append({"region": code, "record": ans["index"]})


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for o in ("--public", "--ingest", "--keys", "--rekap", "--contest", "--region"):
        p.add_argument(o, required=True)
    p.add_argument("--complete-only", action="store_true")
    p.add_argument("--plant")
    p.add_argument("--object")
    p.add_argument("--summary")
    a = p.parse_args()
    pl = Plenary(a)
    try:
        pl.hold(a.region)
    except (urllib.error.URLError, OSError, subprocess.SubprocessError) as e:
        sys.exit(f"plenary: {e}")
    levels = {}
    for s in pl.signed:
        if "level" in s:
            levels[s["level"]] = levels.get(s["level"], 0) + 1
    print(f"  {a.contest}: signed " + ", ".join(f"{n} {lv}" for lv, n in levels.items()) +
          (f"; planted at {a.plant}" if a.plant else "") +
          ("; objection recorded" if a.object else ""))
    if a.summary:
        with open(a.summary, "w") as f:
            json.dump(pl.signed, f)


if __name__ == "__main__":
    main()
