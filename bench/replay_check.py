#!/usr/bin/env python3
"""The final check of the full replay (bench/replay.sh, docs/BENCHMARKS.md §7).

usage: replay_check.py EXPECTED_JSON PUBLIC_PORT

Reads rekapd's results documents of every contest for the nation and every
province of the scope and compares each figure with what the preparation
expects (bench/replay_expect.c): the generator's true forms, plus what the
misreads the rules could not catch moved. Then the tiered PPWP recap: the
national and each province's unit signed, its signed sum equal to the TPS
sum, and the PPWP determination taken from the recaps. Prints the national
totals (truth, the undetected misreads' shift, rekapd's figures) and exits
1 on any difference.
"""
import json
import sys
import time
import urllib.error
import urllib.request

FIELDS = ("tps_counted", "dpt", "voters", "valid", "invalid", "total")


def get(port, path):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        return json.load(r)


def wait_rendered(port, want, seconds=120):
    """The documents are rendered every render_ms: wait until the national
    PPWP document counts every TPS the replay sent."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if get(port, "/api/v1/results/ppwp/0.json")["tps_counted"] == want:
                return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    return False


def compare(port, contest, code, want, problems):
    doc = get(port, f"/api/v1/results/{contest}/{code}.json")
    for f in FIELDS:
        if doc[f] != want[f]:
            problems.append(f"{contest} {code} {f}: rekapd {doc[f]}, expected {want[f]}")
    votes = [s["votes"] for s in doc["selections"]]
    if votes != want["votes"]:
        problems.append(f"{contest} {code} votes: rekapd {votes}, expected {want['votes']}")
    return doc


def check_recaps(port, codes, problems):
    for code in codes:
        doc = get(port, f"/api/v1/recap/ppwp/{code}.json")
        unit = doc["units"][0]
        if unit["status"] != "signed":
            problems.append(f"recap ppwp {code}: {unit['status']}, expected signed")
        if doc.get("signed_sum") != doc.get("tps_sum"):
            problems.append(f"recap ppwp {code}: signed sum {doc.get('signed_sum')} "
                            f"!= TPS sum {doc.get('tps_sum')}")
    det = get(port, "/api/v1/determination/ppwp.json")
    if det.get("source") != "recap":
        problems.append(f"determination ppwp: source {det.get('source')}, expected recap")


def main():
    exp = json.load(open(sys.argv[1]))
    port = int(sys.argv[2])
    regions = exp["regions"]
    problems = []
    if not wait_rendered(port, regions["ppwp"]["0"]["expected"]["tps_counted"]):
        problems.append("the national PPWP document never counted every TPS")
    for contest, by_code in regions.items():
        for code, both in by_code.items():
            compare(port, contest, code, both["expected"], problems)
    check_recaps(port, sorted(regions["ppwp"]), problems)
    print(f"checked: {sum(len(v) for v in regions.values())} results documents "
          f"(5 contests x the nation and {len(regions['ppwp']) - 1} province(s)), "
          f"{len(regions['ppwp'])} recap documents, the PPWP determination")
    print(f"misreads: {exp['misreads']} ({exp['misreads'] * 1000 / exp['forms']:.1f} per 1000 forms): "
          f"{exp['misreads_caught']} caught by the rules (422, kept out of the totals, corrected), "
          f"{exp['misreads_undetected']} consistent with every rule (accepted)")
    for kind, n in exp["misreads_by_kind"].items():
        print(f"  {kind:16s} {n['total']:7d}  caught {n['caught']:7d}  undetected {n['total'] - n['caught']:7d}")
    print("national totals (truth = the generator's true forms; shift = the undetected misreads):")
    for contest, by_code in regions.items():
        t, e = by_code["0"]["truth"], by_code["0"]["expected"]
        shift = [b - a for a, b in zip(t["votes"], e["votes"])]
        print(f"  {contest:9s} valid {e['valid']:>11,}  total {e['total']:>11,}  votes {e['votes'][:6]}"
              f"{' ...' if len(e['votes']) > 6 else ''}\n"
              f"  {'':9s} truth valid {t['valid']:>11,}  vote shift {shift[:6]}"
              f"{' ...' if len(shift) > 6 else ''} (sum of |shift| {sum(map(abs, shift)):,})")
    for p in problems[:20]:
        print("MISMATCH", p)
    if problems:
        print(f"FAILED: {len(problems)} differences between rekapd and the expected totals")
        return 1
    print("OK: rekapd's totals equal the generator's truth plus the undetected misreads, "
          "every recap signed and equal to its TPS sum")
    return 0


if __name__ == "__main__":
    sys.exit(main())
