#!/usr/bin/env bash
# The read-only commands beside a live writer (docs/CLI.md): with rekapd
# serving a small election (forms ingested with `rekap submit` before it
# starts and over HTTP after), `rekap show --dir`, `rekap export --dir` (TPS
# and region rows) and `rekap verify --dir` succeed, show the totals of the
# forms the signed log holds, and leave the log directory byte for byte as
# it was (names, sizes, SHA-256). A second writer (`rekap submit --dir`,
# `rekap enrol --dir`) is refused with INGEST_LOCKED while rekapd holds the
# directory's lock.
# usage: test_readonly.sh REKAP DATA_DIR
source "$(dirname "$0")/lib.sh" "$@"
[ -x "$rekapd" ] || { echo "FAIL - no rekapd next to $rekap"; exit 1; }
has() { grep -q -- "$1" "$2"; }
D=$tmp/D
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$tmp"' EXIT

"$rekap" gen --scope 65 --seed 11 --out "$tmp/el.json" --forms "$tmp/forms.jsonl" >/dev/null \
  && "$rekap" init --dir "$D" --election "$tmp/el.json" --origin example.org/readonly >/dev/null \
  && "$rekap" enrol --dir "$D" --generate "$tmp/keys" >/dev/null \
  || { echo "FAIL - setup"; exit 1; }
head -n 300 "$tmp/forms.jsonl" > "$tmp/before.jsonl"
sed -n 301,340p "$tmp/forms.jsonl" > "$tmp/http.jsonl"
cat "$tmp/before.jsonl" "$tmp/http.jsonl" > "$tmp/all.jsonl"
expect_rc 0 "submit 300 forms before rekapd starts" "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/before.jsonl"

# ---- rekapd live, 40 more forms over HTTP
rekapd_up "$tmp/rekapd.log" --dir "$D" --set ingest_ip_rate=0 --set ingest_key_rate=0 \
  || { echo "FAIL - rekapd did not start"; cat "$tmp/rekapd.log"; exit 1; }
P=$IP
ok "rekapd starts on the directory"
"$rekap" sign --keys "$tmp/keys" "$tmp/http.jsonl" > "$tmp/bodies.jsonl"
created=0
while IFS= read -r body; do
  code=$(printf '%s' "$body" | curl -s -o /dev/null -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' --data-binary @- "http://127.0.0.1:$P/api/v1/submissions")
  [ "$code" = 201 ] && created=$((created + 1))
done < "$tmp/bodies.jsonl"
check "40 forms accepted over HTTP" [ "$created" -eq 40 ]
logsize() { sed -n 2p "$D/log/checkpoint"; }
for _ in $(seq 100); do [ "$(logsize)" = 340 ] && break; sleep 0.1; done
check "the signed checkpoint covers all 340 forms" [ "$(logsize)" = 340 ]

# The log directory as it is: every file's name, size and SHA-256.
snapshot() {
  (cd "$D/log" && find . -printf '%y %p %s\n' | sort && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}
snapshot > "$tmp/log.before"

# ---- the read-only commands, beside the writer
expect_rc 0 "show --dir with rekapd live" "$rekap" show --dir "$D"
check "show counts the entries the log holds" has "^forms read 340: counted 340 " "$tmp/out"
expect_rc 0 "show --dir --json with rekapd live" "$rekap" show --dir "$D" --json
cp "$tmp/out" "$tmp/dir.json"
expect_rc 0 "show --election over the same forms" "$rekap" show --election "$tmp/el.json" --json "$tmp/all.jsonl"
python3 - "$tmp/dir.json" "$tmp/out" <<'PY' && ok "the log's totals are the forms' totals" || fail "show --dir differs from the forms"
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a["contests"] == b["contests"]
assert a["forms"] == b["forms"], (a["forms"], b["forms"])
PY
expect_rc 0 "export --dir TPS rows with rekapd live" "$rekap" export --dir "$D" --contest ppwp
cp "$tmp/out" "$tmp/tps.csv"
expect_rc 0 "export --dir kabupaten rows with rekapd live" "$rekap" export --dir "$D" --contest ppwp --level kabupaten
cp "$tmp/out" "$tmp/kab.csv"
expect_rc 0 "export --dir kecamatan rows (dpr)" "$rekap" export --dir "$D" --contest dpr --level kecamatan
python3 - "$tmp/dir.json" "$tmp/tps.csv" "$tmp/kab.csv" <<'PY' && ok "TPS and region rows add up to the totals shown" || fail "export differs from show"
import csv, json, sys
show = json.load(open(sys.argv[1]))
ppwp = [c for c in show["contests"] if c["contest"] == "ppwp"][0]
tps, kab = (list(csv.DictReader(open(p))) for p in sys.argv[2:4])
assert len(tps) == ppwp["tps_counted"] == sum(int(r["tps_counted"]) for r in kab)
for col in ("valid", "invalid", "voters"):
    assert sum(int(r[col]) for r in tps) == sum(int(r[col]) for r in kab) == ppwp[col], col
PY
expect_rc 0 "verify --dir with rekapd live" "$rekap" verify --dir "$D"
check "verify: every entry verified" has "^entries 340: 340 accepted, 0 rejected.* 0 mismatches$" "$tmp/out"
snapshot > "$tmp/log.after"
check "the log directory is byte for byte as before" cmp -s "$tmp/log.before" "$tmp/log.after"
check "the read-only commands took no lock and left rekapd serving" kill -0 $pid

# ---- a second writer is refused while rekapd holds the lock. Runs when
# the lock is there (<dir>/lock, src/ingest) or REKAP_TEST_LOCK=1 forces
# it; without the lock a second writer would really write, so it is not
# run at all then.
if [ -e "$D/lock" ] || [ "${REKAP_TEST_LOCK:-}" = 1 ]; then
  head -n 1 "$tmp/http.jsonl" > "$tmp/one.jsonl"
  expect_rc 3 "submit --dir beside rekapd: refused" "$rekap" submit --dir "$D" --keys "$tmp/keys" "$tmp/one.jsonl"
  check "submit: INGEST_LOCKED" has "INGEST_LOCKED" "$tmp/err"
  "$rekap" keygen --out "$tmp/extra.key" >/dev/null
  tps=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["tps"])' "$tmp/one.jsonl")
  expect_rc 3 "enrol --dir beside rekapd: refused" "$rekap" enrol --dir "$D" --region "$tps" "$tmp/extra.key.pub"
  check "enrol: INGEST_LOCKED" has "INGEST_LOCKED" "$tmp/err"
  snapshot > "$tmp/log.after"
  check "the refused writers left the log alone" cmp -s "$tmp/log.before" "$tmp/log.after"
else
  echo "skip - second writer: the one-writer lock (<dir>/lock) is not there yet"
fi

# Reads while forms flow: the writer publishes after each batch and prunes
# the partial tiles of older checkpoints, so a reader slower than two
# publications reads its partials as the prefix of a wider tile
# (tlog_tile_read, docs/LOG.md).
sed -n 341,640p "$tmp/forms.jsonl" > "$tmp/flow.jsonl"
"$rekap" sign --keys "$tmp/keys" "$tmp/flow.jsonl" > "$tmp/flow.bodies"
python3 - "$P" "$tmp/flow.bodies" <<'PY' &
import http.client, sys
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=30)
for body in open(sys.argv[2], "rb"):
  c.request("POST", "/api/v1/submissions", body, {"Content-Type": "application/json"})
  c.getresponse().read()
PY
poster=$!
reads=0 failed=0
while kill -0 $poster 2>/dev/null; do
  reads=$((reads + 1))
  "$rekap" show --dir "$D" >/dev/null 2>"$tmp/err" || { failed=$((failed + 1)); head -1 "$tmp/err"; }
done
check "show --dir while forms flow: $reads reads, none failed" [ "$failed" -eq 0 ]
check "and there were reads while they flowed" [ "$reads" -ge 2 ]

kill -TERM $pid; wait $pid 2>/dev/null; stopped=$?; pid=
check "rekapd stops cleanly" [ "$stopped" = 0 ]
finish
