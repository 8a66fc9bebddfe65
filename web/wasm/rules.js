// rules.js — the rules of a C.Hasil in the browser: src/core's form reader
// and rules compiled to WebAssembly (web/wasm/build.sh), so the officer's
// page shows every broken rule with the same codes and the same words as
// the server (docs/RULES.md, docs/API.md). Works in browsers and Node 20.
//
//   import { loadRules } from "./rules.js";
//   const rules = await loadRules(new URL("rules.wasm", import.meta.url));
//   const report = rules.check(form);          // object or JSON text
//   // { ok, flagged, parse_error: null | {code, where, message},
//   //   nhard, nsoft, truncated,
//   //   rules: [{code, severity: "hard"|"soft", message_id, message_en, detail, where}],
//   //   json: the canonical text that was checked (null on a parse error) }
//
// ok: the form would be counted (it reads and breaks no HARD rule);
// flagged: counted and flagged for review (SOFT hits). message_id and
// message_en are what the server's answer says for the same hit; where is
// the first form field the hit's detail names (a JSON path such as
// "voters.b4[0]", "" when none), for the page to point at.
//
// Only the form's own rules run here (rules_check_form): the rules against
// the election definition (TPS_UNKNOWN, CONTEST_NOT_HERE, BALLOT_SHAPE,
// DPT_MISMATCH) and the neighbour signal are the server's.
//
// The module has no JSON parser: it reads the canonical text form_format
// writes (the fields in the documented order, no spaces), with the core's
// own canonical reader. check() therefore writes every form it is given as
// canonical text first; `json` in the report is that text, the bytes the
// page should sign and send. A form that cannot be written so (a missing
// field, a count that is not a whole number 0..999, ...) is reported here
// with the parse error code, JSON path and message the server's reader
// (form_parse) gives for it. Two limits of that: JSON syntax errors
// (FORM_JSON) carry the browser's message and no line:column, and text
// that JavaScript reads more leniently than the server (a duplicate key,
// 190.0 for 190) is checked as JavaScript reads it.

const FORMAT_ID = "rekap-chasil/1";
const CONTESTS = ["ppwp", "dpr", "dpd", "dprd_prov", "dprd_kab"];
const PARTY_LIST = new Set(["dpr", "dprd_prov", "dprd_kab"]);
const VOTER_KEYS = ["dpt", "dptb", "dpk", "b1", "b2", "b3", "b4", "disabled"];
const BALLOT_KEYS = ["received", "used", "damaged", "unused"];
const ROOT_KEYS = ["format", "tps", "contest", "voters", "ballots", "votes", "parties",
                   "valid", "invalid", "total"];
const PARTY_KEYS = ["no", "party_only", "candidates", "total"];
const COUNT_MAX = 999;             // FORM_COUNT_MAX
const PARTY_MAX = 99;              // ELECTION_PARTY_MAX
const VOTES_MAX = 99;              // FORM_VOTES_MAX, FORM_PARTY_CANDIDATES_MAX
const PARTIES_MAX = 40;            // FORM_PARTIES_MAX
const SELECTIONS_MAX = 1200;       // FORM_SELECTIONS_MAX
const PATH_MAX = 63;               // FORM_PATH_MAX without its NUL
const MESSAGE_MAX = 255;           // err_info.msg without its NUL

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/* ------------------------------------------------------------ loading */

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  const isNode = typeof process !== "undefined" && process.versions && process.versions.node;
  let url = source;
  if (typeof source === "string") {
    if (isNode && !/^[a-z][a-z0-9+.-]*:/i.test(source)) {
      const { pathToFileURL } = await import("node:url");
      url = pathToFileURL(source);
    } else {
      url = new URL(source, globalThis.location ? globalThis.location.href : undefined);
    }
  }
  if (url.protocol === "file:") {
    const { readFile } = await import("node:fs/promises");
    return WebAssembly.compile(await readFile(url));
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`rules.wasm: ${url}: HTTP ${res.status}`);
  // compiled while it downloads, where the server says application/wasm
  if (WebAssembly.compileStreaming &&
      (res.headers.get("content-type") || "").startsWith("application/wasm"))
    return WebAssembly.compileStreaming(res);
  return WebAssembly.compile(await res.arrayBuffer());
}

/**
 * Load the rules module. source: the .wasm's URL (string or URL; in Node
 * also a file path) or its bytes (ArrayBuffer, typed array), or a compiled
 * WebAssembly.Module. options.rules: the election's ballot-reserve
 * configuration, the "rules" object of its definition
 * ({ballot_reserve_permille, reserve_dptb, reserve_dpk}); without it, the
 * law's defaults (20 permille, DPTb and DPK allowances). check() takes the
 * same option per call.
 */
export async function loadRules(source, options = {}) {
  const module = await compile(source);
  const instance = await WebAssembly.instantiate(module, {});
  const x = instance.exports;
  const inputMax = x.rk_input_cap();
  const defaultRules = reserveArgs(options.rules);

  function run(bytes, ruleArgs) {
    new Uint8Array(x.memory.buffer, x.rk_input(), bytes.length).set(bytes);
    let n;
    try {
      n = x.rk_check(bytes.length, ...ruleArgs);
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      const at = x.rk_assert_message(), mem = new Uint8Array(x.memory.buffer);
      const msg = decoder.decode(mem.subarray(at, mem.indexOf(0, at)));
      throw new Error(`rules.wasm: ${msg || e.message}`);
    }
    const report = JSON.parse(decoder.decode(new Uint8Array(x.memory.buffer, x.rk_output(), n)));
    report.json = report.parse_error ? null : decoder.decode(bytes);
    return report;
  }

  function check(form, opts = {}) {
    const ruleArgs = opts.rules ? reserveArgs(opts.rules) : defaultRules;
    let value = form;
    if (typeof form === "string") {
      const bytes = encoder.encode(form);
      if (bytes.length > inputMax)
        return parseError("FORM_JSON_MAX", "", `form is ${bytes.length} bytes, at most ${inputMax}`);
      const report = run(bytes, ruleArgs);
      if (!report.parse_error) return report;
      try {
        value = JSON.parse(form);
      } catch (e) {
        return parseError("FORM_JSON", "", e.message);
      }
      if (typeof value !== "object" || value === null)
        return parseError("FORM_JSON", "", "'[' or '{' expected");
    }
    const err = diagnose(value);
    if (err) return parseError(err.code, err.where, err.message);
    return run(encoder.encode(canonical(value)), ruleArgs);
  }

  return { check, inputMax, exports: x };
}

/* The arguments of rk_check for a reserve configuration: permille < 0 is
 * the core's default. */
function reserveArgs(rules) {
  if (!rules) return [-1, 1, 1];
  const permille = rules.ballot_reserve_permille ?? rules.reserve_permille;
  if (!Number.isInteger(permille) || permille < 0 || permille > 1000)
    throw new TypeError("rules: ballot_reserve_permille is an integer 0..1000");
  return [permille, rules.reserve_dptb ? 1 : 0, rules.reserve_dpk ? 1 : 0];
}

function parseError(code, where, message) {
  return { ok: false, flagged: false, parse_error: { code, where, message },
           nhard: 0, nsoft: 0, truncated: 0, rules: [], json: null };
}

/* ------------------------------------------------- the canonical text */

// What form_format writes for a form diagnose() found readable: the fields
// in the documented order, no spaces, counts in plain decimal.
function canonical(f) {
  const list = (a) => "[" + a.map(String).join(",") + "]";
  const voters = VOTER_KEYS.map((k) => `"${k}":${list(f.voters[k])}`).join(",");
  const ballots = BALLOT_KEYS.map((k) => `"${k}":${f.ballots[k]}`).join(",");
  const selections = PARTY_LIST.has(f.contest)
    ? `"parties":[${f.parties.map((p) =>
        `{"no":${p.no},"party_only":${p.party_only},"candidates":${list(p.candidates)},` +
        `"total":${p.total}}`).join(",")}]`
    : `"votes":${list(f.votes)}`;
  return `{"format":"${FORMAT_ID}","tps":"${f.tps}","contest":"${f.contest}",` +
    `"voters":{${voters}},"ballots":{${ballots}},${selections},` +
    `"valid":${f.valid},"invalid":${f.invalid},"total":${f.total}}`;
}

/* ------------------------------------------------------ parse errors */

// The first structural error of a form value, as form_parse reports it
// (src/core/form.c with json_get.c: the same order of checks, codes, JSON
// paths and messages), or null when the form reads. Only the words are
// repeated here; whether a form that reads breaks a rule is the module's.

class Fault {
  constructor(code, where, message) {
    this.code = code;
    this.where = cut(where, PATH_MAX);
    this.message = cut(message, MESSAGE_MAX);
  }
}

// The first n bytes of s in UTF-8, as the C buffers keep them.
function cut(s, n) {
  const b = encoder.encode(s);
  return b.length <= n ? s : decoder.decode(b.subarray(0, n));
}

const isObject = (v) => typeof v === "object" && v !== null && !Array.isArray(v);
const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const at = (path, key) => (path ? `${path}.${key}` : key);

function typeName(want) {
  return { object: "an object", array: "an array", string: "a string",
           integer: "a whole number" }[want];
}

function isType(v, want) {
  switch (want) {
  case "object": return isObject(v);
  case "array": return Array.isArray(v);
  case "string": return typeof v === "string";
  case "integer": return Number.isInteger(v);
  default: return true;
  }
}

// jget_object: v is an object with no member outside allowed.
function object(v, path, allowed) {
  if (!isObject(v)) throw new Fault("FORM_FIELD_TYPE", path, `must be ${typeName("object")}`);
  for (const k of Object.keys(v))
    if (!allowed.includes(k)) throw new Fault("FORM_FIELD_UNKNOWN", at(path, k), `unknown field "${k}"`);
}

// jget_member: the required member key of o, of type want (undefined is
// missing, as JSON.stringify leaves it out).
function member(o, path, key, want) {
  if (!own(o, key) || o[key] === undefined) throw new Fault("FORM_FIELD_MISSING", at(path, key), `missing field "${key}"`);
  const v = o[key];
  if (!isType(v, want)) throw new Fault("FORM_FIELD_TYPE", at(path, key), `must be ${typeName(want)}`);
  return v;
}

// jget_int: a whole number in lo..hi at where.
function int(v, where, lo, hi) {
  if (!Number.isInteger(v)) throw new Fault("FORM_FIELD_TYPE", where, `must be ${typeName("integer")}`);
  if (v < lo || v > hi) throw new Fault("FORM_VALUE_RANGE", where, `${v === 0 ? 0 : v} is outside ${lo}..${hi}`);
}

function count(o, path, key) {
  int(member(o, path, key, "any"), at(path, key), 0, COUNT_MAX);
}

// jget_array: the member key of o, an array of at most max elements.
function array(o, path, key, max) {
  const a = member(o, path, key, "array");
  if (a.length > max)
    throw new Fault("FORM_TOO_MANY", at(path, key), `${a.length} entries, at most ${max}`);
  return a;
}

function counts(a, where) {
  a.forEach((v, i) => int(v, `${where}[${i}]`, 0, COUNT_MAX));
}

function head(f) {
  if (member(f, "", "format", "string") !== FORMAT_ID)
    throw new Fault("FORM_FORMAT", "format", `expected "${FORMAT_ID}"`);
  if (!/^[0-9]{13}$/.test(member(f, "", "tps", "string")) || f.tps.endsWith("000"))
    throw new Fault("FORM_TPS_CODE", "tps",
                    "a TPS code is 13 digits (desa code and TPS number 001..999)");
  if (!CONTESTS.includes(member(f, "", "contest", "string")))
    throw new Fault("FORM_CONTEST", "contest",
                    "unknown contest (ppwp, dpr, dpd, dprd_prov, dprd_kab)");
}

function voters(f) {
  const v = member(f, "", "voters", "object");
  object(v, "voters", VOTER_KEYS);
  for (const k of VOTER_KEYS) {
    const row = array(v, "voters", k, Infinity);
    if (row.length !== 3)
      throw new Fault("FORM_FIELD_TYPE", `voters.${k}`,
                      `must be [male, female, total], got ${row.length} numbers`);
    counts(row, `voters.${k}`);
  }
}

function ballots(f) {
  const b = member(f, "", "ballots", "object");
  object(b, "ballots", BALLOT_KEYS);
  for (const k of BALLOT_KEYS) count(b, "ballots", k);
}

function selections(f) {
  const partyList = PARTY_LIST.has(f.contest);
  const [right, wrong] = partyList ? ["parties", "votes"] : ["votes", "parties"];
  if (own(f, wrong))
    throw new Fault("FORM_SHAPE", wrong, `a ${f.contest} form carries "${right}", not "${wrong}"`);
  if (!partyList) {
    const votes = array(f, "", "votes", VOTES_MAX);
    if (votes.length === 0) throw new Fault("FORM_SHAPE", "votes", "a ballot has at least one candidate");
    counts(votes, "votes");
    return;
  }
  const parties = array(f, "", "parties", PARTIES_MAX);
  if (parties.length === 0) throw new Fault("FORM_SHAPE", "parties", "a ballot has at least one party");
  const seen = new Set();
  let nvotes = 0;
  parties.forEach((p, i) => {
    const path = `parties[${i}]`;
    object(p, path, PARTY_KEYS);
    const no = member(p, path, "no", "any");
    int(no, `${path}.no`, 1, PARTY_MAX);
    if (seen.has(no)) throw new Fault("FORM_PARTY_DUPLICATE", `${path}.no`, `party ${no} appears twice`);
    count(p, path, "party_only");
    const cands = array(p, path, "candidates", VOTES_MAX);
    if (nvotes + cands.length > SELECTIONS_MAX)
      throw new Fault("FORM_TOO_MANY", `${path}.candidates`,
                      `more than ${SELECTIONS_MAX} candidates on one form`);
    counts(cands, `${path}.candidates`);
    count(p, path, "total");
    seen.add(no);
    nvotes += cands.length;
  });
}

function diagnose(f) {
  try {
    if (!isObject(f)) throw new Fault("FORM_FIELD_TYPE", "", "a form is a JSON object");
    object(f, "", ROOT_KEYS);
    head(f);
    voters(f);
    ballots(f);
    selections(f);
    for (const k of ["valid", "invalid", "total"]) count(f, "", k);
    return null;
  } catch (e) {
    if (e instanceof Fault) return e;
    throw e;
  }
}
