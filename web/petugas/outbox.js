// The outbox: every signed submission is stored on the device (IndexedDB)
// with its photos the moment it is signed, then sent — photos first (PUT
// /api/v1/photos/<sha256>), then the form (POST /api/v1/submissions) — and
// kept with the server's receipt. Sending again is safe: photo uploads are
// content-addressed and the same signed submission gets the same answer
// ("duplicate": true), so a lost answer is simply asked for again.
//
// Retried with backoff (2 s doubling to 5 min, with jitter, or the
// server's Retry-After) after a network failure, a timeout, 429, 5xx and
// 507; at once on the browser's `online` event, on load, and when the
// officer asks. Submissions of one TPS and contest go in version order: a
// later one waits for an earlier one. A refusal (400, 403, 404, 409, 413:
// the same request would be refused again) stops that submission; it is
// shown with the server's message, to be fixed with a new version or
// deleted.
import { outboxAll, outboxGet, outboxPut, outboxAdd, outboxDel } from './db.js';
import { INGEST, call, ApiError } from './api.js';

export const BACKOFF_MIN = 2000;
export const BACKOFF_MAX = 5 * 60 * 1000;
const RETRY_STATUS = new Set([0, 408, 425, 429, 500, 502, 503, 504, 507]);

export const events = new EventTarget();
const changed = (item) => events.dispatchEvent(new CustomEvent('change', { detail: item }));

let running = false, again = false, timer = null;

export async function add(item) {
  const it = { created: Date.now(), state: 'queued', attempts: 0, nextAt: 0, lastError: null, answer: null, ...item };
  it.id = await outboxAdd(it);
  changed(it);
  kick();
  return it;
}

export const all = async () => (await outboxAll()).sort((a, b) => a.id - b.id);

export async function remove(id) {
  await outboxDel(id);
  changed(null);
}

export async function update(item) {
  await outboxPut(item);
  changed(item);
}

// Send now what waits (the officer's "send now", or the network came back).
export async function retryNow(id) {
  for (const it of await all()) {
    if ((id === undefined || it.id === id) && (it.state === 'queued' || it.state === 'sending')) {
      it.nextAt = 0;
      await outboxPut(it);
    }
  }
  kick();
}

export function kick() {
  if (running) { again = true; return; }
  running = true;
  (async () => {
    try {
      do { again = false; await pass(); } while (again);
    } catch (e) {
      console.error('outbox', e);
    } finally {
      running = false;
      schedule();
    }
  })();
}

async function schedule() {
  clearTimeout(timer);
  if (typeof navigator !== 'undefined' && navigator.onLine === false) return; // the `online` event kicks
  const waiting = (await all()).filter(i => i.state === 'queued' || i.state === 'sending');
  if (!waiting.length) return;
  const next = Math.min(...waiting.map(i => i.nextAt || 0));
  timer = setTimeout(kick, Math.max(500, next - Date.now()));
}

function backoff(attempts, retryAfter) {
  const exp = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** Math.max(0, attempts - 1));
  const jitter = exp * (0.8 + Math.random() * 0.4);
  return Math.max(retryAfter * 1000, Math.round(jitter));
}

async function pass() {
  const items = (await all()).filter(i => i.state === 'queued' || i.state === 'sending');
  const blocked = new Set();
  for (const it of items) {
    const k = `${it.tps}|${it.contest}`;
    if (blocked.has(k)) continue;
    if (typeof navigator !== 'undefined' && navigator.onLine === false) return; // the `online` event kicks again
    if ((it.nextAt || 0) > Date.now()) { blocked.add(k); continue; }
    const done = await send(it);
    if (!done) blocked.add(k);
  }
}

// One submission: true once it has a final answer (receipt or refusal).
async function send(it0) {
  const it = await outboxGet(it0.id);
  if (!it || (it.state !== 'queued' && it.state !== 'sending')) return true;
  it.state = 'sending';
  it.progress = { photo: 0, of: it.photos.length };
  await update(it);
  try {
    for (const [i, p] of it.photos.entries()) {
      it.progress = { photo: i + 1, of: it.photos.length };
      changed(it);
      if (p.uploaded) continue;
      const url = `${INGEST}/api/v1/photos/${p.sha256}`;
      const r = await call(url, { method: 'PUT', body: p.blob, timeout: Math.max(60000, p.size / 4) });
      if (r.status === 200 || r.status === 201) {
        p.uploaded = true;
        await outboxPut(it);
      } else {
        throw new ApiError({ status: r.status, body: r.body, url, retryAfter: r.retryAfter });
      }
    }
    it.progress = { photo: it.photos.length, of: it.photos.length, form: true };
    changed(it);
    const url = `${INGEST}/api/v1/submissions`;
    const r = await call(url, { method: 'POST', body: JSON.stringify(it.body), timeout: 60000,
      headers: { 'Content-Type': 'application/json' } });
    if ((r.status === 201 || r.status === 422) && r.body && r.body.receipt) {
      it.state = 'done';
      it.answer = r.body;
      it.httpStatus = r.status;
      it.sentAt = Date.now();
      it.lastError = null;
      delete it.progress;
      // the photos are on the server; drop the device's copies
      for (const p of it.photos) { p.blob = null; }
      await update(it);
      return true;
    }
    throw new ApiError({ status: r.status, body: r.body, url, retryAfter: r.retryAfter });
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError({ network: true, cause: e });
    it.attempts = (it.attempts || 0) + 1;
    it.lastError = { ...err.toJSON(), at: Date.now() };
    delete it.progress;
    if (err.network || RETRY_STATUS.has(err.status) || err.status >= 500) {
      it.state = 'queued';
      it.nextAt = Date.now() + backoff(it.attempts, err.retryAfter || 0);
    } else {
      it.state = 'refused';
    }
    await update(it);
    return it.state === 'refused';
  }
}

// The browser's network events.
if (typeof window !== 'undefined') {
  window.addEventListener('online', () => retryNow());
}
