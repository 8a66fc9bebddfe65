// Reading rekapd's public API (docs/API.md, "Public API").
//
// Every document is kept with its ETag. Reading it again is a conditional
// request, so a document that did not change costs a 304 with no body:
// - same origin: the request carries If-None-Match itself and sees the 304;
// - another origin (?api=...): If-None-Match is not a header a page may send
//   across origins without a CORS preflight (which rekapd does not answer),
//   so the browser's own cache revalidates (cache: 'no-cache' sends its
//   If-None-Match and turns the 304 into the kept body), and a change is
//   seen by comparing the bytes.
// An error answer's JSON body (code, message_id, message_en) is kept in an
// ApiError so that the page can say it in the reader's language.

export class ApiError extends Error {
  constructor(status, body, path) {
    super((body && body.message_en) || (status ? 'HTTP ' + status : 'network error'));
    this.status = status;          // 0: the server could not be reached
    this.body = body || null;      // {code, message_id, message_en, where?, detail?}
    this.path = path;
    this.retryAfter = 0;           // seconds, from Retry-After (429, 503)
  }
}

export function apiBase(search) {
  const p = new URLSearchParams(search || '');
  const b = p.get('api');
  if (!b || !/^https?:\/\/[^\s/]+/.test(b)) return '';
  return b.replace(/\/+$/, '');
}

export function makeApi(base, fetchFn = (...a) => fetch(...a)) {
  const docs = new Map();     // path -> {etag, text, data}
  const lists = new Map();    // path -> promise of data (documents that do not change while rekapd runs)
  let lastOk = 0;             // Date.now() of the last answer (200 or 304)

  async function fail(r, path) {
    let body = null;
    try { body = await r.json(); } catch { /* not JSON */ }
    const e = new ApiError(r.status, body && typeof body === 'object' ? body : null, path);
    const ra = parseInt(r.headers.get('Retry-After') || '', 10);
    if (ra > 0) e.retryAfter = ra;
    return e;
  }

  // A live document (results, TPS detail, anomalies): {data, changed}.
  async function get(path) {
    const kept = docs.get(path);
    const init = {};
    if (kept && !base && kept.etag) init.headers = { 'If-None-Match': kept.etag };
    if (kept && base) init.cache = 'no-cache';
    let r;
    try { r = await fetchFn(base + path, init); } catch { throw new ApiError(0, null, path); }
    if (r.status === 304 && kept) { lastOk = Date.now(); return { data: kept.data, changed: false }; }
    if (!r.ok) throw await fail(r, path);
    const text = await r.text();
    lastOk = Date.now();
    if (kept && kept.text === text) return { data: kept.data, changed: false };
    const data = JSON.parse(text);
    docs.set(path, { etag: r.headers.get('ETag'), text, data });
    return { data, changed: true };
  }

  // A document that does not change while rekapd runs (region lists, the
  // parties): read once, from the browser's cache when it has it.
  function list(path) {
    if (!lists.has(path)) {
      const p = (async () => {
        let r;
        try { r = await fetchFn(base + path); } catch { throw new ApiError(0, null, path); }
        if (!r.ok) throw await fail(r, path);
        return r.json();
      })();
      p.catch(() => lists.delete(path));
      lists.set(path, p);
    }
    return lists.get(path);
  }

  // Plain text (the log's verifier key).
  async function text(path) {
    let r;
    try { r = await fetchFn(base + path); } catch { throw new ApiError(0, null, path); }
    if (!r.ok) throw await fail(r, path);
    return (await r.text()).trim();
  }

  return {
    base, get, list, text,
    url: path => base + path,
    kept: path => docs.get(path)?.data,
    lastOk: () => lastOk,
  };
}
