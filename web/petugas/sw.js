// The officer page's service worker: the page opens, and works, without a
// network. It caches the page's own files (its HTML, scripts, styles, the
// rules module) as they are fetched, and the page hands it the list of what
// it loaded before the worker was running. Never the API: answers of the
// server are always fresh (the outbox in IndexedDB is what works offline).
//
//   hashed assets (/assets/<name>.<hash>.<ext>, immutable): cache first
//   everything else of the page: the network first, the cache when the
//   network fails or takes longer than NETWORK_WAIT (a weak link), and the
//   cache refreshed by every answer that does come
//
// It must be served from the page's folder (petugas/sw.js, not a hashed
// asset) so that its scope covers the page.
'use strict';

const CACHE = 'rekap-petugas-v1';
const NETWORK_WAIT = 4000;
const API = /^\/(api|log|photos|pemilu|wilayah|metrics|healthz)(\/|$)/;

self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then(c => c.addAll([new URL('./', self.registration.scope).href]).catch(() => {}))
    .then(() => self.skipWaiting()));
});

self.addEventListener('activate', (e) => {
  e.waitUntil((async () => {
    for (const k of await caches.keys()) if (k.startsWith('rekap-petugas-') && k !== CACHE) await caches.delete(k);
    await self.clients.claim();
  })());
});

function cacheable(req) {
  if (req.method !== 'GET') return false;
  const u = new URL(req.url);
  return u.origin === self.location.origin && !API.test(u.pathname);
}

// The page's own files, by URL without query (the page's ?api=... varies).
function key(req) {
  const u = new URL(req.url);
  u.search = '';
  u.hash = '';
  if (u.pathname.endsWith('/index.html')) u.pathname = u.pathname.slice(0, -'index.html'.length);
  return u.href;
}

async function put(k, res) {
  if (!res || !res.ok || res.type === 'opaque') return;
  const c = await caches.open(CACHE);
  await c.put(k, res);
}

async function fromCache(k) {
  const c = await caches.open(CACHE);
  return c.match(k);
}

async function networkFirst(e, k) {
  const net = fetch(e.request).then(async (res) => {
    if (res.ok) await put(k, res.clone());
    return res;
  });
  e.waitUntil(net.catch(() => {}));
  const cached = await fromCache(k);
  if (!cached) return net;
  const timeout = new Promise(r => setTimeout(() => r(null), NETWORK_WAIT));
  try {
    const res = await Promise.race([net, timeout]);
    return res && res.ok ? res : cached;
  } catch {
    return cached;
  }
}

async function cacheFirst(e, k) {
  const cached = await fromCache(k);
  if (cached) return cached;
  const res = await fetch(e.request);
  if (res.ok) e.waitUntil(put(k, res.clone()));
  return res;
}

self.addEventListener('fetch', (e) => {
  if (!cacheable(e.request)) return;           // the API and other origins: untouched
  const k = key(e.request);
  const immutable = /\/assets\/[^/]+\.[0-9a-f]{12}\.[a-z0-9]+$/.test(new URL(k).pathname);
  e.respondWith(immutable ? cacheFirst(e, k) : networkFirst(e, k));
});

// The page lists what it loaded before this worker ran (its first visit).
self.addEventListener('message', (e) => {
  const d = e.data || {};
  if (d.type !== 'cache' || !Array.isArray(d.urls)) return;
  e.waitUntil((async () => {
    const c = await caches.open(CACHE);
    for (const url of d.urls.slice(0, 100)) {
      let u;
      try { u = new URL(url); } catch { continue; }
      if (u.origin !== self.location.origin || API.test(u.pathname)) continue;
      const k = key(new Request(u.href));
      if (await c.match(k)) continue;
      try {
        const res = await fetch(u.href, { cache: 'no-cache' });
        if (res.ok) await c.put(k, res);
      } catch { /* offline now: the next visit fills it */ }
    }
    if (e.source) e.source.postMessage({ type: 'cached' });
  })());
});
