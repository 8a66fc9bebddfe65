// rekapd's two listeners as the officer page sees them (docs/API.md):
//   API     the public listener: TPS detail, ballots, the log (?api=URL;
//           default: the page's own origin)
//   INGEST  the ingest listener: submissions, photos, a TPS's status
//           (?ingest=URL; else <meta name="rekap-ingest" content="URL"> of
//           index.html, set where the site is deployed; else the same as API)
// Every error of the server has one body {code, message_id, message_en,
// where?, detail?}; ApiError carries it, or says the network failed.
import { h, m, serverMsg } from './ui.js';

function base(param) {
  return url(new URLSearchParams(location.search).get(param));
}

function url(v) {
  if (!v) return null;
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin + u.pathname.replace(/\/+$/, '');
  } catch {
    return null;
  }
}
function meta(name) {
  const el = typeof document !== 'undefined' && document.querySelector(`meta[name="${name}"]`);
  return el ? url(el.getAttribute('content').trim()) : null;
}
export const API = base('api') ?? '';
export const INGEST = base('ingest') ?? meta('rekap-ingest') ?? API;

// The footer's line naming the listeners the page talks to (the ingest
// listener only where it is not the API's).
export function serversLine() {
  return h('p', {}, m('Server', 'Server'), ': ', h('code', {}, API || location.origin),
    INGEST !== API ? [' · ', m('penerimaan', 'ingest'), ': ', h('code', {}, INGEST)] : null);
}

export class ApiError extends Error {
  constructor({ status = 0, body = null, network = false, url = '', cause = null, retryAfter = 0 }) {
    super(body && body.code ? `${status} ${body.code}` : network ? `network error: ${url}` : `HTTP ${status}: ${url}`);
    this.status = status;
    this.body = body;
    this.network = network;
    this.url = url;
    this.cause = cause;
    this.retryAfter = retryAfter;
  }
  get code() { return this.body && this.body.code ? this.body.code : this.network ? 'NETWORK' : `HTTP_${this.status}`; }
  // What to tell the officer, in both languages.
  get msg() { return errorMsg(this); }
  // What can be kept in IndexedDB and shown again.
  toJSON() {
    return { status: this.status, network: this.network, code: this.code,
      message_id: this.msg.id, message_en: this.msg.en,
      where: this.body && this.body.where || '', detail: this.body && this.body.detail || (this.network ? String(this.cause && this.cause.message || '') : '') };
  }
}

export function errorMsg(e) {
  if (e.body && (e.body.message_id || e.body.message_en)) return serverMsg(e.body);
  if (e.network) {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      return m('Perangkat tidak tersambung ke internet.', 'The device is not connected to the internet.');
    }
    if (e.cause && e.cause.name === 'TimeoutError') {
      return m('Server tidak menjawab tepat waktu (sinyal lemah?).', 'The server did not answer in time (weak signal?).');
    }
    return m('Server tidak dapat dihubungi.', 'The server cannot be reached.');
  }
  return m(`Server menjawab dengan kesalahan HTTP ${e.status}.`, `The server answered with HTTP error ${e.status}.`);
}

function timeoutSignal(ms) {
  return typeof AbortSignal !== 'undefined' && AbortSignal.timeout ? AbortSignal.timeout(ms) : undefined;
}

// fetch, answering {status, body (parsed JSON or null), text, headers};
// throws ApiError({network}) when no answer came.
export async function call(url, { method = 'GET', body, headers = {}, timeout = 30000 } = {}) {
  let res;
  try {
    res = await fetch(url, { method, body, headers, cache: 'no-store', signal: timeoutSignal(timeout) });
  } catch (e) {
    throw new ApiError({ network: true, url, cause: e });
  }
  let text = '';
  try {
    text = await res.text();
  } catch (e) {
    throw new ApiError({ network: true, url, cause: e });
  }
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  const ra = Number(res.headers.get('Retry-After'));
  return { status: res.status, body: json, text, headers: res.headers, retryAfter: Number.isFinite(ra) && ra > 0 ? ra : 0 };
}

export async function getJSON(url, opts) {
  const r = await call(url, opts);
  if (r.status !== 200 || r.body === null) throw new ApiError({ status: r.status, body: r.body, url, retryAfter: r.retryAfter });
  return r.body;
}

export async function getText(url, opts) {
  const r = await call(url, opts);
  if (r.status !== 200) throw new ApiError({ status: r.status, body: r.body, url });
  return r.text;
}

// ---- a TPS: its places, contests, status and each contest's ballot

const KIND_2024 = { ppwp: 'ppwp', dpr: 'pdpr', dpd: 'pdpd', dprd_prov: 'pdprdp', dprd_kab: 'pdprdk' };
const cache = new Map();
const once = (url) => {
  if (!cache.has(url)) cache.set(url, getJSON(url).catch(e => { cache.delete(url); throw e; }));
  return cache.get(url);
};

// The ballot of one contest at the TPS, the shape of its form:
//   { kind: 'votes', selections: [{no, name}] }
//   { kind: 'parties', parties: [{no, abbrev, name, candidates: [{no, name}]}] }
// From the TPS detail when it carries it (a counted form has the ballot's
// exact shape, with names); else from the public files of the 2024 layout
// (docs/API.md): the pairs, the province's DPD candidates, the dapil's
// party lists.
export async function ballotOf(tps, detailContest) {
  const c = detailContest.contest;
  const b = detailContest.ballot || detailContest.form;
  if (b && Array.isArray(b.selections)) {
    return { kind: 'votes', selections: b.selections.map(s => ({ no: s.no, name: s.name })) };
  }
  if (b && Array.isArray(b.parties)) {
    return { kind: 'parties', parties: b.parties.map(p => ({ no: p.no, abbrev: p.abbrev || '', name: p.name || p.abbrev || '',
      candidates: (p.candidates || []).map(x => ({ no: x.no, name: x.name })) })) };
  }
  const byNo = (a, b2) => a.nomor_urut - b2.nomor_urut;
  if (c === 'ppwp') {
    const pairs = Object.values(await once(`${API}/pemilu/ppwp.json`)).sort(byNo);
    return { kind: 'votes', selections: pairs.map(p => ({ no: p.nomor_urut, name: p.nama })) };
  }
  if (c === 'dpd') {
    const cands = Object.values(await once(`${API}/pemilu/caleg/dpd/${tps.slice(0, 2)}.json`)).sort(byNo);
    return { kind: 'votes', selections: cands.map(p => ({ no: p.nomor_urut, name: p.nama })) };
  }
  const k = KIND_2024[c];
  const path = [tps.slice(0, 2), tps.slice(0, 4), tps.slice(0, 6), tps.slice(0, 10), tps].join('/');
  const [file, parties] = await Promise.all([
    once(`${API}/pemilu/hhcw/${k}/${path}.json`),
    once(`${API}/api/v1/results/${c}/${tps.slice(0, 10)}.json`),
  ]);
  if (!file || typeof file.kode_dapil !== 'string') throw new Error('no kode_dapil for ' + c);
  const lists = await once(`${API}/pemilu/caleg/partai/${file.kode_dapil}.json`);
  const named = new Map((parties.selections || []).map(p => [p.no, p]));
  const out = [];
  for (const no of Object.keys(lists).map(Number).sort((a, b2) => a - b2)) {
    const l = lists[no];
    if (!l) continue;
    const p = named.get(no) || {};
    out.push({ no, abbrev: p.abbrev || '', name: p.name || `Partai ${no}`,
      candidates: Object.values(l).sort(byNo).map(x => ({ no: x.nomor_urut, name: x.nama })) });
  }
  return { kind: 'parties', parties: out };
}

// Everything the page needs of a TPS, read from the server:
//   { code, name, regions, dpt: {male, female}, contests: [{contest, district,
//     status: {version, status, index, codes, counted_version} | null, ballot}],
//     fetched, statusError }
export async function loadTps(code) {
  const [st, det] = await Promise.allSettled([
    getJSON(`${INGEST}/api/v1/tps/${code}/status`, { timeout: 20000 }),
    getJSON(`${API}/api/v1/tps/${code}.json`, { timeout: 30000 }),
  ]);
  if (det.status === 'rejected') throw det.reason;
  const d = det.value;
  const status = st.status === 'fulfilled' ? st.value : null;
  const byContest = new Map(((status && status.contests) || []).map(c => [c.contest, c]));
  const order = status ? status.contests.map(c => c.contest) : d.contests.map(c => c.contest);
  const contests = await Promise.all(order.map(async c => {
    const dc = d.contests.find(x => x.contest === c) || { contest: c };
    let ballot = null, ballotError = null;
    try { ballot = await ballotOf(code, dc); } catch (e) { ballotError = e instanceof ApiError ? e.toJSON() : { message_id: String(e.message), message_en: String(e.message) }; }
    return { contest: c, district: dc.district || null, status: byContest.get(c) || null,
      counted_version: dc.counted_version ?? null, ballot, ballotError };
  }));
  // the election's ballot-reserve configuration, when the server publishes it
  // (the "rules" object of the definition); else the law's defaults
  const rules = d.rules && Number.isInteger(d.rules.ballot_reserve_permille) ? d.rules : null;
  return { code: d.code, name: d.name, regions: d.regions || [], dpt: d.dpt || null, rules, contests,
    fetched: Date.now(), statusError: st.status === 'rejected' ? (st.reason instanceof ApiError ? st.reason.toJSON() : { message_en: String(st.reason) }) : null };
}

// Only the status (after a submission).
export async function loadStatus(code) {
  return getJSON(`${INGEST}/api/v1/tps/${code}/status`, { timeout: 20000 });
}
