// The rules in the browser (web/wasm) against the native build: for every
// form of a generated province and for forms mutated to break each rule of
// docs/RULES.md, the wasm module's report must name the same rules, in the
// same order, with the same messages in both languages, as `rekap check`
// (the server's words: both are rules_hit_message). Parse errors are
// compared the same way (code, JSON path, message).
//
//   node --test web/test/rules_wasm.test.mjs
//
// Environment: RULES_WASM (a built module; built there by web/wasm/build.sh
// when missing, else into a temporary directory), REKAP_BIN (the native
// `rekap`; default build/release/rekap, else the newest build/*/rekap).
// Skips, saying why, when clang / wasi-libc or the native binary are
// missing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { loadRules } from "../wasm/rules.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const data = path.join(root, "data");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rules-wasm-"));
process.on("exit", () => fs.rmSync(tmp, { recursive: true, force: true }));

// The rules only the server checks (against the election definition).
const ELECTION_CODES = new Set(["TPS_UNKNOWN", "CONTEST_NOT_HERE", "BALLOT_SHAPE", "DPT_MISMATCH"]);

/* ------------------------------------------------------------- setup */

function findWasm() {
  const want = process.env.RULES_WASM || path.join(tmp, "rules.wasm");
  if (fs.existsSync(want)) return { file: want };
  const clang = spawnSync(process.env.CC || "clang", ["--version"]);
  if (clang.error || clang.status !== 0) return { skip: "clang is not installed" };
  const sysroot = process.env.WASM_SYSROOT || "/usr";
  if (!fs.existsSync(path.join(sysroot, "lib/wasm32-wasi/libc.a")))
    return { skip: `wasi-libc is not installed (no ${sysroot}/lib/wasm32-wasi/libc.a)` };
  const r = spawnSync(path.join(root, "web/wasm/build.sh"), [want], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`web/wasm/build.sh failed:\n${r.stderr}`);
  return { file: want };
}

function findRekap() {
  if (process.env.REKAP_BIN) return process.env.REKAP_BIN;
  const release = path.join(root, "build/release/rekap");
  if (fs.existsSync(release)) return release;
  const builds = path.join(root, "build");
  const found = (fs.existsSync(builds) ? fs.readdirSync(builds) : [])
    .map((d) => path.join(builds, d, "rekap"))
    .filter((f) => fs.existsSync(f))
    .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return found[0] || null;
}

const wasm = findWasm();
const rekap = findRekap();
const skip = wasm.skip || (!rekap && "no native rekap binary (set REKAP_BIN or build it)");
if (skip) console.log(`rules_wasm: skipped: ${skip}`);

let rules, loadMs, province, electionFile, electionRules;

function run(args) {
  const r = spawnSync(rekap, args, { encoding: "utf8", maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return r;
}

function setup() {
  if (rules) return;
  electionFile = path.join(tmp, "el.json");
  const forms = path.join(tmp, "forms.jsonl");
  const g = run(["gen", "--scope", "65", "--seed", "7", "--out", electionFile,
                 "--forms", forms, "--data", data]);
  assert.equal(g.status, 0, g.stderr);
  province = fs.readFileSync(forms, "utf8").split("\n").filter(Boolean);
  electionRules = JSON.parse(fs.readFileSync(electionFile, "utf8")).rules;
}

async function load() {
  setup();
  if (rules) return;
  const bytes = fs.readFileSync(wasm.file);
  const t0 = performance.now();
  rules = await loadRules(bytes, { rules: electionRules });
  loadMs = performance.now() - t0;
}

/* ----------------------------------------------- the native verdicts */

const HIT = /^(.*?:\d+): (\S+) (\S+): ([A-Z0-9_]+) \((error|flag)\): (.*)$/;
const PARSE = /^(.*?:\d+): (?:(.*?): )?(FORM_[A-Z0-9_]+): (.*)$/;
const MORE = /^(.*?:\d+): (\d+) more rule hits not shown$/;

// `rekap check` of docs (one per line) in one language: per line, its hits
// [{code, severity, message}], its parse error, its truncated count.
function nativeRun(docs, lang, election) {
  const file = path.join(tmp, `check-${lang}.jsonl`);
  fs.writeFileSync(file, docs.join("\n") + "\n");
  const withElection = election ? ["--election", election, "--data", data] : [];
  const r = run(["check", ...withElection, "--lang", lang, file]);
  assert.ok(r.status === 0 || r.status === 1, `rekap check: ${r.status} ${r.stderr}`);
  const out = docs.map(() => ({ hits: [], parse_error: null, truncated: 0 }));
  const line = (where) => Number(where.slice(where.lastIndexOf(":") + 1)) - 1;
  for (const l of r.stdout.split("\n")) {
    let m;
    if ((m = HIT.exec(l)) && m[1] !== "neighbours")
      out[line(m[1])].hits.push({ code: m[4], severity: m[5] === "error" ? "hard" : "soft",
                                  message: m[6] });
    else if ((m = MORE.exec(l)))
      out[line(m[1])].truncated = Number(m[2]);
    else if ((m = PARSE.exec(l)))
      out[line(m[1])].parse_error = { code: m[3], where: m[2] || "", message: m[4] };
  }
  return out;
}

// Both languages merged: per doc {hits: [{code, severity, message_id,
// message_en}], parse_error, truncated}. election null: the forms alone
// (rules_check without an election: the default reserve).
function native(docs, election = electionFile) {
  const id = nativeRun(docs, "id", election), en = nativeRun(docs, "en", election);
  return id.map((a, i) => ({
    parse_error: a.parse_error,
    truncated: a.truncated,
    hits: a.hits.map((h, j) => ({ code: h.code, severity: h.severity, message_id: h.message,
                                  message_en: en[i].hits[j].message })),
  }));
}

// The wasm report in the same shape; the native hits without the rules
// only the server checks.
function same(report, nat, label) {
  const got = {
    parse_error: report.parse_error,
    truncated: report.truncated,
    hits: report.rules.map(({ code, severity, message_id, message_en }) =>
      ({ code, severity, message_id, message_en })),
  };
  const want = { ...nat, hits: nat.hits.filter((h) => !ELECTION_CODES.has(h.code)) };
  assert.deepEqual(got, want, label);
  if (!report.parse_error) {
    const kept = (sev) => report.rules.filter((h) => h.severity === sev).length;
    if (!report.truncated) {
      assert.equal(report.nhard, kept("hard"), label);
      assert.equal(report.nsoft, kept("soft"), label);
    }
    assert.equal(report.nhard + report.nsoft, report.rules.length + report.truncated, label);
    assert.equal(report.ok, report.nhard === 0, label);
    assert.equal(report.flagged, report.ok && report.nsoft > 0, label);
  }
}

/* ------------------------------------------------------- mutations */

const clone = (x) => structuredClone(x);
const partyList = (f) => "parties" in f;
const firstOf = (contest) => JSON.parse(province.find((l) => l.includes(`"contest":"${contest}"`)));

// Keep the totals of a row equal to male + female.
const row = (m, f) => [m, f, m + f];
// Add d valid votes to the selections (d < 0 takes them off) so that
// VOTES_SUM and PARTY_SUM still hold.
function addVotes(f, d) {
  if (d > 0) {
    if (partyList(f)) { f.parties[0].party_only += d; f.parties[0].total += d; }
    else f.votes[0] += d;
    return;
  }
  const take = (arr, i, p) => {
    const t = Math.min(arr[i], -d);
    arr[i] -= t; d += t;
    if (p) p.total -= t;
  };
  if (!partyList(f)) {
    for (let i = 0; d < 0 && i < f.votes.length; i++) take(f.votes, i);
    return;
  }
  for (const p of f.parties) {
    const po = [p.party_only];
    take(po, 0, p);
    p.party_only = po[0];
    for (let i = 0; d < 0 && i < p.candidates.length; i++) take(p.candidates, i, p);
  }
}
function receivedCap(f, r = electionRules) {
  const dpt = Math.ceil(f.voters.dpt[2] * (1000 + r.ballot_reserve_permille) / 1000);
  return dpt + (r.reserve_dptb ? f.voters.dptb[2] : 0) + (r.reserve_dpk ? f.voters.dpk[2] : 0);
}

// code -> a mutation that breaks it (the form may break others too).
const MUTATIONS = {
  LPT_SUM: (f) => { f.voters.dptb[2] += 1; f.voters.disabled[0] += 1; },
  B4_SUM: (f) => { f.voters.b4 = row(f.voters.b4[0] + 1, f.voters.b4[1]); },
  B1_DPT: (f) => { f.voters.dpt = row(f.voters.b1[0] - 1, f.voters.dpt[1]); },
  B2_DPTB: (f) => {
    f.voters.dptb = row(0, 0);
    f.voters.b2 = row(f.voters.b2[0] + 1, f.voters.b2[1]);
    f.voters.b1 = row(f.voters.b1[0] - 1, f.voters.b1[1]);
  },
  B3_DPK: (f) => {
    f.voters.dpk = row(0, f.voters.dpk[1]);
    f.voters.b3 = row(f.voters.b3[0] + 2, f.voters.b3[1]);
    f.voters.b1 = row(f.voters.b1[0] - 2, f.voters.b1[1]);
  },
  B4_CAP: (f) => {
    const v = f.voters, extra = v.dptb[0] + v.dpk[0] + 1;
    v.b1 = row(v.dpt[0] + extra, v.b1[1]);
    v.b4 = row(v.b1[0] + v.b2[0] + v.b3[0], v.b4[1]);
  },
  DISABLED_CAP: (f) => { f.voters.disabled = row(f.voters.b4[0] + 1, f.voters.disabled[1]); },
  BALLOT_SUM: (f) => { f.ballots.unused += 1; },
  RECEIVED_CAP: (f) => {
    const d = receivedCap(f) + 1 - f.ballots.received;
    f.ballots.received += d; f.ballots.unused += d;
  },
  USED_B4: (f) => { f.ballots.used += 1; f.ballots.unused -= 1; },
  TOTAL_SUM: (f) => { f.total += 1; },
  TOTAL_B4: (f) => { f.invalid += 1; f.total += 1; },
  VOTES_SUM: (f) => { if (partyList(f)) f.parties[0].total += 1; else f.votes[0] += 1; },
  PARTY_SUM: (f) => { f.parties.find((p) => p.candidates.length).candidates[0] += 1;
                      f.parties.at(-1).party_only += 2; },
  TURNOUT_OVER: (f) => {
    const v = f.voters, d = v.dpt[2];
    v.dptb = row(v.dptb[0] + d, v.dptb[1]);
    v.b2 = row(v.b2[0] + d, v.b2[1]);
    v.b4 = row(v.b4[0] + d, v.b4[1]);
    f.ballots.used += d; f.ballots.received += d;
    f.valid += d; f.total += d;
    addVotes(f, d);
  },
  ONE_TAKES_ALL: (f) => {
    if (partyList(f)) {
      for (const p of f.parties) { p.party_only = 0; p.candidates.fill(0); p.total = 0; }
      f.parties[0].party_only = f.parties[0].total = f.valid;
    } else {
      f.votes.fill(0); f.votes[f.votes.length - 1] = f.valid;
    }
  },
  INVALID_HIGH: (f) => {
    const d = Math.ceil(f.total / 10) + 1 - f.invalid;
    f.valid -= d; f.invalid += d;
    addVotes(f, -d);
  },
  // the server's only: the wasm must not report them, and all else the same
  TPS_UNKNOWN: (f) => { f.tps = f.tps.slice(0, 10) + "999"; },
  BALLOT_SHAPE: (f) => { if (partyList(f)) f.parties.pop(); else f.votes.pop(); },
  DPT_MISMATCH: (f) => { f.voters.dpt = row(f.voters.dpt[0] + 1, f.voters.dpt[1]); f.ballots.received = 0; },
};

function mutants() {
  const docs = [], why = [];
  for (const contest of ["ppwp", "dpr", "dpd", "dprd_prov", "dprd_kab"]) {
    const base = firstOf(contest);
    for (const [code, mutate] of Object.entries(MUTATIONS)) {
      if (code === "PARTY_SUM" && !partyList(base)) continue;
      const f = clone(base);
      mutate(f);
      docs.push(f);
      why.push({ code, contest });
    }
  }
  return { docs, why };
}

/* ----------------------------------------------------------- tests */

test("the module imports nothing and exports only the page's API", { skip }, async (t) => {
  await load();
  const m = await WebAssembly.compile(fs.readFileSync(wasm.file));
  assert.deepEqual(WebAssembly.Module.imports(m), []);
  assert.deepEqual(WebAssembly.Module.exports(m).map((e) => e.name).sort(),
                   ["memory", "rk_assert_message", "rk_check", "rk_input", "rk_input_cap",
                    "rk_output"]);
  assert.equal(rules.inputMax, 262144);
  t.diagnostic(`rules.wasm: ${fs.statSync(wasm.file).size} bytes, compiled and instantiated ` +
               `in ${loadMs.toFixed(1)} ms; native: ${rekap}`);
});

test("every form of a province: the same verdict as rekap check", { skip }, async () => {
  await load();
  const nat = native(province);
  let flagged = 0;
  for (let i = 0; i < province.length; i++) {
    const report = rules.check(province[i]);
    same(report, nat[i], `forms.jsonl:${i + 1}`);
    assert.equal(report.json, province[i]);
    flagged += report.flagged;
    // the same form as an object: written back byte for byte as form_format does
    const again = rules.check(JSON.parse(province[i]));
    assert.equal(again.json, province[i], `forms.jsonl:${i + 1} as an object`);
    assert.deepEqual(again.rules, report.rules);
  }
  assert.ok(flagged > 0, "the province has flagged forms (INVALID_HIGH)");
});

test("each rule broken, on every contest: the same hits and messages", { skip }, async () => {
  await load();
  const { docs, why } = mutants();
  const lines = docs.map((d) => JSON.stringify(d));
  const nat = native(lines);
  for (let i = 0; i < docs.length; i++) {
    const label = `${why[i].contest} ${why[i].code}`;
    assert.ok(nat[i].hits.some((h) => h.code === why[i].code), `${label}: the mutation breaks it`);
    same(rules.check(docs[i]), nat[i], label);
    same(rules.check(lines[i]), nat[i], `${label} (text)`);
  }
});

test("hard rules: one test per family", { skip }, async (t) => {
  await load();
  const families = {
    voters: ["LPT_SUM", "B4_SUM", "B1_DPT", "B2_DPTB", "B3_DPK", "B4_CAP", "DISABLED_CAP"],
    ballots: ["BALLOT_SUM", "RECEIVED_CAP", "USED_B4"],
    votes: ["TOTAL_SUM", "TOTAL_B4", "VOTES_SUM", "PARTY_SUM"],
  };
  for (const [family, codes] of Object.entries(families)) {
    await t.test(family, () => {
      for (const code of codes) {
        const f = clone(firstOf("dpr"));
        MUTATIONS[code](f);
        const report = rules.check(f);
        assert.equal(report.ok, false, code);
        const hit = report.rules.find((h) => h.code === code);
        assert.ok(hit, `${code} reported`);
        assert.equal(hit.severity, "hard");
        assert.ok(hit.message_id.endsWith(": " + hit.detail) && hit.message_en.endsWith(": " + hit.detail));
        assert.ok(hit.where && hit.detail.includes(hit.where), `${code} where ${hit.where}`);
      }
    });
  }
  // the example of docs/RULES.md
  const f = clone(firstOf("ppwp"));
  f.voters.b1 = [90, 0, 90]; f.voters.b2 = [3, 0, 3]; f.voters.b3 = [2, 0, 2]; f.voters.b4 = [96, 0, 96];
  const b4 = rules.check(f).rules.find((h) => h.code === "B4_SUM");
  assert.equal(b4.message_id, "Jumlah seluruh pengguna hak pilih (B4) tidak sama dengan B1 + B2 + B3: " +
               "voters.b4[0]: 90 + 3 + 2 != 96");
  assert.equal(b4.where, "voters.b4[0]");
});

test("soft rules: the form counts and is flagged", { skip }, async () => {
  await load();
  for (const code of ["TURNOUT_OVER", "ONE_TAKES_ALL", "INVALID_HIGH"]) {
    for (const contest of ["ppwp", "dprd_kab"]) {
      const f = clone(firstOf(contest));
      MUTATIONS[code](f);
      const report = rules.check(f);
      assert.equal(report.ok, true, `${contest} ${code}: ${JSON.stringify(report.rules)}`);
      assert.equal(report.flagged, true);
      assert.deepEqual(report.rules.map((h) => [h.code, h.severity]), [[code, "soft"]]);
    }
  }
});

test("the rules against the election are the server's", { skip }, async () => {
  await load();
  const f = clone(firstOf("dpd"));
  MUTATIONS.TPS_UNKNOWN(f);
  const [nat] = native([JSON.stringify(f)]);
  assert.deepEqual(nat.hits.map((h) => h.code), ["TPS_UNKNOWN"]);
  const report = rules.check(f);
  assert.deepEqual(report.rules, []);
  assert.equal(report.ok, true);
});

test("more hits than a report keeps: the same first 64 and the same count", { skip }, async () => {
  await load();
  const f = clone(firstOf("dpr"));
  f.parties = Array.from({ length: 40 }, (_, i) =>
    ({ no: i + 1, party_only: 1, candidates: [1, 2, 3], total: 1 }));
  for (const k of Object.keys(f.voters)) f.voters[k] = [1, 1, 1];  // LPT_SUM x 8, B4_SUM
  f.voters.dpt = f.voters.dptb = f.voters.dpk = [0, 0, 1];         // the caps
  f.voters.disabled = [2, 2, 2];
  f.ballots = { received: 1, used: 2, damaged: 3, unused: 4 };
  const [nat] = native([JSON.stringify(f)], null);
  assert.ok(nat.truncated > 0, "the native report is truncated");
  const report = rules.check(f);
  same(report, nat, "truncated");
  assert.equal(report.rules.length, 64);
  assert.equal(report.nhard + report.nsoft, 64 + report.truncated);
});

test("the election's reserve configuration", { skip }, async () => {
  await load();
  const strict = { ballot_reserve_permille: 0, reserve_dptb: false, reserve_dpk: false,
                   tps_max_dpt: electionRules.tps_max_dpt };
  const el2 = path.join(tmp, "el-strict.json");
  const def = JSON.parse(fs.readFileSync(electionFile, "utf8"));
  fs.writeFileSync(el2, JSON.stringify({ ...def, rules: strict }));
  const docs = province.filter((_, i) => i % 97 === 0);
  const nat = native(docs, el2);
  assert.ok(nat.some((n) => n.hits.some((h) => h.code === "RECEIVED_CAP")));
  docs.forEach((d, i) => same(rules.check(d, { rules: strict }), nat[i], `strict ${i}`));
  // and the defaults (no configuration) are the law's, as in the province's definition
  const dflt = await loadRules(fs.readFileSync(wasm.file));
  docs.forEach((d) => assert.deepEqual(dflt.check(d), rules.check(d)));
});

test("documents that do not read: the server's code, path and message", { skip }, async () => {
  await load();
  const ppwp = firstOf("ppwp"), dpr = firstOf("dpr");
  const edit = (base, fn) => { const f = clone(base); fn(f); return f; };
  const bad = [
    edit(ppwp, (f) => { f.vaild = 1; }),
    edit(ppwp, (f) => { delete f.voters.dpk; }),
    edit(ppwp, (f) => { f.voters.b4[2] = 1000; }),
    edit(ppwp, (f) => { f.voters.b4[1] = -1; }),
    edit(ppwp, (f) => { f.voters.b1 = [1, 2]; }),
    edit(ppwp, (f) => { f.voters.b1[0] = "1"; }),
    edit(ppwp, (f) => { f.voters.b1[0] = 1.5; }),
    edit(ppwp, (f) => { f.voters.b1[0] = null; }),
    edit(ppwp, (f) => { f.voters = []; }),
    edit(ppwp, (f) => { f.voters.extra = [1, 1, 2]; }),
    edit(ppwp, (f) => { f.ballots.spoiled = 0; }),
    edit(ppwp, (f) => { delete f.ballots.used; }),
    edit(ppwp, (f) => { f.ballots.used = true; }),
    edit(ppwp, (f) => { f.format = "rekap-chasil/2"; }),
    edit(ppwp, (f) => { f.format = 1; }),
    edit(ppwp, (f) => { f.tps = "6501011001000"; }),
    edit(ppwp, (f) => { f.tps = "65.01.01.1001.001"; }),
    edit(ppwp, (f) => { delete f.tps; }),
    edit(ppwp, (f) => { f.contest = "dprd"; }),
    edit(ppwp, (f) => { f.parties = []; }),
    edit(ppwp, (f) => { f.votes = []; }),
    edit(ppwp, (f) => { f.votes = Array(100).fill(0); }),
    edit(ppwp, (f) => { f.votes = {}; }),
    edit(ppwp, (f) => { delete f.votes; }),
    edit(ppwp, (f) => { delete f.total; }),
    edit(ppwp, (f) => { f.valid = undefined; }),
    edit(ppwp, (f) => { f.voters.b3[1] = undefined; }),
    edit(ppwp, (f) => { f.invalid = 1e3; }),
    edit(dpr, (f) => { f.votes = [1]; }),
    edit(dpr, (f) => { f.parties = []; }),
    edit(dpr, (f) => { f.parties[1].no = f.parties[0].no; }),
    edit(dpr, (f) => { f.parties[1].no = 100; }),
    edit(dpr, (f) => { f.parties[1].no = 0; }),
    edit(dpr, (f) => { f.parties[2].name = "x"; }),
    edit(dpr, (f) => { delete f.parties[2].total; }),
    edit(dpr, (f) => { f.parties[2] = 5; }),
    edit(dpr, (f) => { f.parties[0].candidates = Array(100).fill(1); }),
    edit(dpr, (f) => { f.parties[0].candidates[1] = 1000; }),
    edit(dpr, (f) => {
      f.parties = Array.from({ length: 41 }, (_, i) => ({ no: i + 1, party_only: 0, candidates: [], total: 0 }));
    }),
    edit(dpr, (f) => {
      f.parties = Array.from({ length: 40 }, (_, i) => ({ no: i + 1, party_only: 0,
                                                          candidates: Array(31).fill(0), total: 0 }));
    }),
    [1, 2],
  ];
  const lines = bad.map((d) => JSON.stringify(d));
  const nat = native(lines);
  for (let i = 0; i < bad.length; i++) {
    assert.ok(nat[i].parse_error, `${lines[i].slice(0, 80)}: native refuses it`);
    same(rules.check(bad[i]), nat[i], `object ${i}: ${JSON.stringify(nat[i].parse_error)}`);
    same(rules.check(lines[i]), nat[i], `text ${i}: ${JSON.stringify(nat[i].parse_error)}`);
  }
  // not JSON, and too large: the code (the JSON syntax message is the browser's)
  assert.equal(rules.check("{\"format\":").parse_error.code, "FORM_JSON");
  assert.equal(rules.check("7").parse_error.code, "FORM_JSON");
  const big = rules.check(" ".repeat(262145));
  assert.deepEqual(big.parse_error, { code: "FORM_JSON_MAX", where: "",
                                      message: "form is 262145 bytes, at most 262144" });
});

test("text that is valid but not canonical reads as the server reads it", { skip }, async () => {
  await load();
  for (const contest of ["ppwp", "dprd_prov"]) {
    const line = province.find((l) => l.includes(`"contest":"${contest}"`));
    const pretty = JSON.stringify(JSON.parse(line), null, 2);
    const file = path.join(tmp, `pretty-${contest}.json`);
    fs.writeFileSync(file, pretty);
    const r = run(["check", "--election", electionFile, "--data", data, file]);
    assert.match(r.stdout, /forms 1: 1 clean/);
    const report = rules.check(pretty);
    assert.equal(report.ok, true);
    assert.equal(report.json, line, "checked as its canonical text");
  }
});
