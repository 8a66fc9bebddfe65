// Shared by the portal's browser tests (imported, not run): a real rekapd
// on a generated province, the portal built and served, Debian's chromium
// driven by playwright-core, and TAP-like ok/FAIL lines ending in the
// "N passed, N failed" summary (as tests/integration/lib.sh prints them).
// The officer pages' tests (test_officer, test_recap) take the ok/FAIL lines
// and the helpers at the end of this file (their own server and rekapd, the
// key made in the page).
//
// usage in a test:  node tests/browser/<name>.mjs REKAPD_BUILD_DIR [--same-origin]
//   REKAPD_BUILD_DIR  the folder holding rekap and rekapd (build/release, build/asan)
//   --same-origin     open the portal from rekapd's public listener, which
//                     serves the site built here (--set web_dir=...) at /,
//                     instead of from a static server here with ?api=<rekapd>
// Exit 0 all passed, 1 some check failed, 77 skipped (no chromium, or no
// web/node_modules/playwright-core: run `npm ci` in web/).
// $SHOT_DIR: where screenshots go (default /tmp/rekap-shots).
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, existsSync, statSync, mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gzipSync, deflateSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve, dirname, extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SHOT_DIR = process.env.SHOT_DIR || '/tmp/rekap-shots';

// ---- ok / FAIL lines

let passes = 0, fails = 0;
export function ok(what) { passes++; console.log('ok   - ' + what); }
export function fail(what, detail) {
  fails++;
  console.log('FAIL - ' + what);
  if (detail !== undefined) console.log('       ' + String(detail).split('\n').slice(0, 8).join('\n       '));
}
export function check(what, cond, detail) { if (cond) ok(what); else fail(what, detail); return !!cond; }
export function note(s) { console.log('# ' + s); }
export function summary() {
  console.log(`${passes} passed, ${fails} failed`);
  return fails === 0 ? 0 : 1;
}
// Run one named step; a throw is a FAIL of that step, not the end of the test.
export async function step(what, fn) {
  try {
    const r = await fn();
    if (r === false) fail(what); else if (r !== undefined && r !== true && typeof r === 'string') fail(what, r); else ok(what);
  } catch (e) {
    fail(what, e && (e.stack || e.message) || e);
  }
}

// Poll fn until it returns a truthy value (or the time is up: the last value).
export async function until(fn, ms = 10000, every = 100) {
  const t0 = Date.now();
  let v;
  for (;;) {
    try { v = await fn(); } catch (e) { v = undefined; }
    if (v) return v;
    if (Date.now() - t0 > ms) return v;
    await new Promise(r => setTimeout(r, every));
  }
}

// ---- arguments, and the skip (77) when the browser or its driver is missing

export function args() {
  const a = process.argv.slice(2);
  const sameOrigin = a.includes('--same-origin');
  const pos = a.filter(x => !x.startsWith('--'));
  if (pos.length !== 1) {
    console.error('usage: node ' + process.argv[1] + ' REKAPD_BUILD_DIR [--same-origin]');
    process.exit(2);
  }
  const buildDir = resolve(pos[0]);
  return { buildDir, sameOrigin, rekap: join(buildDir, 'rekap'), rekapd: join(buildDir, 'rekapd') };
}

export function playwright() {
  if (!existsSync(CHROMIUM)) { console.log(`# skip: no chromium at ${CHROMIUM}`); process.exit(77); }
  const req = createRequire(join(REPO, 'web', 'package.json'));
  try { return req('playwright-core'); } catch {
    console.log('# skip: web/node_modules/playwright-core is missing (cd web && npm ci)');
    process.exit(77);
  }
}

// ---- a tiny PNG (solid colour, w x h), so that photos are real images

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
export function png(w, h, [r, g, b], stripe = null) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 2;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const o = y * (w * 3 + 1) + 1 + x * 3;
      const s = stripe && (y % 16 < 3);       // lines, like a form's rows
      raw[o] = s ? stripe[0] : r; raw[o + 1] = s ? stripe[1] : g; raw[o + 2] = s ? stripe[2] : b;
    }
  }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// ---- HTTP

export function http(method, url, body, headers = {}) {
  return new Promise((res, rej) => {
    const u = new URL(url);
    const r = httpRequest({ method, hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers }, resp => {
      const parts = [];
      resp.on('data', d => parts.push(d));
      resp.on('end', () => res({ status: resp.statusCode, headers: resp.headers, body: Buffer.concat(parts) }));
    });
    r.on('error', rej);
    r.setTimeout(30000, () => r.destroy(new Error('timeout ' + url)));
    if (body) r.end(body); else r.end();
  });
}
export async function getJson(url) {
  const r = await http('GET', url);
  if (r.status !== 200) throw new Error(`${url} -> ${r.status} ${r.body.toString().slice(0, 200)}`);
  return JSON.parse(r.body.toString());
}

// ---- the static server for the built site (until rekapd serves it): the
// contract's headers (docs in /tmp/web/contract.md, docs/WEB.md), gzip as
// rekapd sends it, ETag and 304.

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm', '.svg': 'image/svg+xml', '.json': 'application/json', '.png': 'image/png' };

export function serveStatic(dir) {
  const server = createServer((req, res) => {
    let p = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (p === '/') p = '/index.html';
    const f = join(dir, p);
    if (!f.startsWith(dir + '/') || !existsSync(f) || !statSync(f).isFile() || (p !== '/index.html' && !p.startsWith('/assets/'))) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('not found\n'); return;
    }
    let body = readFileSync(f);
    const etag = '"' + createHash('sha256').update(body).digest('hex').slice(0, 32);
    const h = {
      'Content-Type': TYPES[extname(f)] || 'application/octet-stream',
      'Cache-Control': p === '/index.html' ? 'no-cache' : 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff', Vary: 'Accept-Encoding',
    };
    const gz = /\bgzip\b/.test(req.headers['accept-encoding'] || '') && body.length >= 256 && extname(f) !== '.png';
    h.ETag = etag + (gz ? '-gz"' : '"');
    if (req.headers['if-none-match'] === h.ETag) { res.writeHead(304, h); res.end(); return; }
    if (gz) { body = gzipSync(body); h['Content-Encoding'] = 'gzip'; }
    h['Content-Length'] = body.length;
    res.writeHead(200, h);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise(r => server.listen(0, '127.0.0.1', () => r({ server, url: 'http://127.0.0.1:' + server.address().port })));
}

// ---- the election: a generated province in rekapd

function run(cmd, argv, opts = {}) {
  return execFileSync(cmd, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

// Forms of these TPS are held back, to be sent over HTTP while a page is
// open (the live update): the even TPS of desa 6501011001.
export const HELD = tps => tps.startsWith('6501011001') && Number(tps.slice(10)) % 2 === 0;

// opts.beforeDaemon({ tmp, D, env, rekap, run }): called once the directory is
// ready and before rekapd starts (which holds its lock), to enrol more keys.
export async function setup({ rekap, rekapd, buildDir, sameOrigin }, opts = {}) {
  for (const b of [rekap, rekapd]) if (!existsSync(b)) { console.log(`FAIL - no ${b}`); process.exit(1); }
  const tmp = mkdtempSync(join(tmpdir(), 'rekap-browser-'));
  const env = { ...process.env, REKAP_DATA: process.env.REKAP_DATA || join(REPO, 'data') };
  const D = join(tmp, 'D');
  run(rekap, ['gen', '--scope', '65', '--seed', '7', '--out', join(tmp, 'el.json'), '--forms', join(tmp, 'forms.jsonl')], { env });
  const init = run(rekap, ['init', '--dir', D, '--election', join(tmp, 'el.json'), '--origin', 'example.org/kaltara'], { env });
  const vkey = (init.match(/^verifier key:\s*(\S+)/m) || [])[1];
  run(rekap, ['enrol', '--dir', D, '--generate', join(tmp, 'keys')], { env });
  const forms = readFileSync(join(tmp, 'forms.jsonl'), 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l));
  const now = forms.filter(f => !HELD(f.tps)), later = forms.filter(f => HELD(f.tps));
  writeFileSync(join(tmp, 'now.jsonl'), now.map(f => JSON.stringify(f)).join('\n') + '\n');
  writeFileSync(join(tmp, 'later.jsonl'), later.map(f => JSON.stringify(f)).join('\n') + '\n');
  run(rekap, ['submit', '--dir', D, '--keys', join(tmp, 'keys'), join(tmp, 'now.jsonl')], { env });

  // A DPR correction that breaks its arithmetic (rejected; version 1 stays
  // counted), and a PPWP re-count (PSU) of another TPS.
  const dpr1 = now.find(f => f.contest === 'dpr' && f.tps === '6501011001001');
  writeFileSync(join(tmp, 'bad.json'), JSON.stringify({ ...dpr1, valid: dpr1.valid + 1 }));
  try { run(rekap, ['submit', '--dir', D, '--keys', join(tmp, 'keys'), '--version', '2', '--reason', 'salah hitung', join(tmp, 'bad.json')], { env }); } catch { /* exit 1: rejected, as meant */ }
  const ppwp3 = now.find(f => f.contest === 'ppwp' && f.tps === '6501011001003');
  const recount = { ...ppwp3, votes: [ppwp3.votes[0] + 1, ppwp3.votes[1] - 1, ...ppwp3.votes.slice(2)] };
  writeFileSync(join(tmp, 'recount.json'), JSON.stringify(recount));
  run(rekap, ['submit', '--dir', D, '--keys', join(tmp, 'keys'), '--version', '2', '--reason', 'keberatan saksi', '--psu', 'recount', join(tmp, 'recount.json')], { env });

  if (opts.beforeDaemon) await opts.beforeDaemon({ tmp, D, env, rekap, run: (cmd, argv) => run(cmd, argv, { env }) });

  // The portal, built here: served by rekapd itself (--same-origin, its
  // web_dir) or by a static server here that points the page at rekapd
  // with ?api=.
  const { build } = await import(pathToFileURL(join(REPO, 'web', 'build.mjs')).href);
  const siteDir = join(tmp, 'site');
  build({ outdir: siteDir, log: () => {} });

  // rekapd on free ports
  const portFile = join(tmp, 'ports');
  const logFile = join(tmp, 'rekapd.log');
  const daemonArgs = ['--dir', D, '--ingest-port', '0', '--public-port', '0', '--port-file', portFile,
    '--set', 'render_ms=200', '--set', 'public_ip_rate=0', '--set', 'ingest_ip_rate=0', '--set', 'ingest_key_rate=0',
    ...(sameOrigin ? ['--set', 'web_dir=' + siteDir] : [])];
  const daemon = spawn(rekapd, daemonArgs, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const logParts = [];
  daemon.stderr.on('data', d => logParts.push(d));
  let exited = false;
  daemon.on('exit', () => { exited = true; });
  // However this process ends (a failed step, an uncaught error, a closed
  // pipe), rekapd and the scratch directory go with it.
  process.on('exit', () => {
    if (!exited) try { daemon.kill('SIGKILL'); } catch { /* gone */ }
    if (!process.env.KEEP_TMP) try { rmSync(tmp, { recursive: true, force: true }); } catch { /* best effort */ }
  });
  for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15]]) process.on(sig, () => process.exit(128 + n));
  const ports = await until(() => {
    if (exited) return 'exited';
    if (!existsSync(portFile)) return null;
    const t = readFileSync(portFile, 'utf8');
    const i = t.match(/^ingest=(\d+)/m), p = t.match(/^public=(\d+)/m);
    return i && p ? { ingest: i[1], pub: p[1] } : null;
  }, 30000);
  if (!ports || ports === 'exited') {
    console.log('FAIL - rekapd did not start'); console.log(Buffer.concat(logParts).toString().slice(-2000));
    rmSync(tmp, { recursive: true, force: true });
    process.exit(1);
  }
  const pub = 'http://127.0.0.1:' + ports.pub, ing = 'http://127.0.0.1:' + ports.ingest;

  // A correction of TPS 001's PPWP form with two photos, over HTTP
  // (rekap submit would need the directory's lock, which rekapd holds).
  const ppwp1 = now.find(f => f.contest === 'ppwp' && f.tps === '6501011001001');
  writeFileSync(join(tmp, 'photo.json'), JSON.stringify(ppwp1));
  const photos = [png(120, 160, [246, 244, 236], [60, 60, 60]), png(120, 160, [236, 240, 246], [40, 80, 160])];
  const hashes = [];
  for (const [i, p] of photos.entries()) {
    writeFileSync(join(tmp, `p${i + 1}.png`), p);
    const h = createHash('sha256').update(p).digest('hex');
    hashes.push(h);
    const r = await http('PUT', `${ing}/api/v1/photos/${h}`, p, { 'Content-Length': p.length });
    if (r.status !== 201 && r.status !== 200) throw new Error('photo upload: ' + r.status + ' ' + r.body);
  }
  const body = run(rekap, ['sign', '--keys', join(tmp, 'keys'), '--version', '2', '--reason', 'foto formulir dilampirkan',
    '--photo', join(tmp, 'p1.png'), '--photo', join(tmp, 'p2.png'), join(tmp, 'photo.json')], { env }).trim();
  const sr = await http('POST', `${ing}/api/v1/submissions`, body, { 'Content-Type': 'application/json' });
  if (sr.status !== 201) throw new Error('photo correction: ' + sr.status + ' ' + sr.body);

  let site = null, siteUrl;
  if (sameOrigin) {
    siteUrl = pub + '/';
  } else {
    site = await serveStatic(siteDir);
    siteUrl = site.url + '/?api=' + encodeURIComponent(pub);
  }

  // Send the held-back forms over HTTP (the live update).
  async function sendLater() {
    const bodies = run(rekap, ['sign', '--keys', join(tmp, 'keys'), join(tmp, 'later.jsonl')], { env }).split('\n').filter(Boolean);
    let accepted = 0;
    for (const b of bodies) {
      const r = await http('POST', `${ing}/api/v1/submissions`, b, { 'Content-Type': 'application/json' });
      if (r.status === 201) accepted++;
    }
    return { sent: bodies.length, accepted };
  }

  async function stop() {
    if (site) await new Promise(r => site.server.close(r));
    if (!exited) {
      daemon.kill('SIGTERM');
      await until(() => exited, 10000);
      if (!exited) daemon.kill('SIGKILL');
    }
    if (!process.env.KEEP_TMP) rmSync(tmp, { recursive: true, force: true });
    else note('kept ' + tmp);
  }

  return { tmp, D, pub, ing, siteUrl, sameOrigin, vkey, forms, now, later, photoHashes: hashes, sendLater, stop,
    rekapdLog: () => Buffer.concat(logParts).toString() };
}

// A URL of the portal at a hash place.
export function at(env, hash) {
  return env.siteUrl + hash;
}

export async function launch(pw) {
  return pw.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

export function shotDir() {
  mkdirSync(SHOT_DIR, { recursive: true });
  return SHOT_DIR;
}

// id-ID number format, as the portal prints it.
export const idNum = n => new Intl.NumberFormat('id-ID').format(n);
export const enNum = n => new Intl.NumberFormat('en-GB').format(n);

// One browser test around body(t): the arguments, a rekapd on a generated
// province and the site (setup, given opts), chromium; then no script error may have
// happened on any page t.watch()ed; rekapd and the browser are stopped
// however it ends, and the process exits with the summary.
// t: { a, env, browser, api(path) -> JSON of the public API, pageErrors, watch(page) }.
export async function browserTest(body, opts = {}) {
  const a = args();
  const pw = playwright();
  const env = await setup(a, opts);
  const t = { a, env, browser: null, pageErrors: [], api: p => getJson(env.pub + p) };
  t.watch = page => { page.on('pageerror', e => t.pageErrors.push(e.message)); return page; };
  try {
    t.browser = await launch(pw);
    await body(t);
    check('no script error on any page', t.pageErrors.length === 0, t.pageErrors.join('\n'));
  } catch (e) {
    check('the test ran to its end', false, e.stack || e);
  } finally {
    if (t.browser) await t.browser.close();
    await env.stop();
  }
  process.exit(summary());
}

// ---- the officer pages' tests (test_officer: web/petugas, test_recap:
// web/rekap): their own small static server, rekapd started by the test
// (after a key made in the page was enrolled), a browser profile kept
// across a restart, and the key made in the page.

export const OFFICER_TYPES = { ...TYPES, '.mjs': 'text/javascript; charset=utf-8' };

// Answer a GET/HEAD with file f (no-cache), or 404 when it may not be
// served (allowed false) or is not there.
export function sendFile(req, res, f, allowed = true) {
  if (!allowed || !existsSync(f) || !statSync(f).isFile()) { res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('not found\n'); return; }
  const body = readFileSync(f);
  res.writeHead(200, { 'Content-Type': OFFICER_TYPES[extname(f)] || 'application/octet-stream', 'Cache-Control': 'no-cache', 'Content-Length': body.length });
  res.end(req.method === 'HEAD' ? undefined : body);
}

// rekapd over the election directory D on free ports (--port-file in tmp),
// rate limits off and `set` (more name=value settings). The handle:
// ready() -> { ing, pub } (URLs; throws with the end of rekapd's log if it
// exits or has no ports within 30 s), log() its stderr, stop() SIGTERM and,
// after 10 s, SIGKILL; killed too when this process exits.
export function startRekapd({ rekapd, D, tmp, env, set = [] }) {
  const portFile = join(tmp, 'ports');
  const parts = [];
  const proc = spawn(rekapd, ['--dir', D, '--ingest-port', '0', '--public-port', '0', '--port-file', portFile,
    ...['render_ms=200', 'ingest_ip_rate=0', 'public_ip_rate=0', ...set].flatMap(s => ['--set', s])], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const d = { exited: false, log: () => Buffer.concat(parts).toString() };
  proc.stderr.on('data', x => parts.push(x));
  proc.on('exit', () => { d.exited = true; });
  process.on('exit', () => { if (!d.exited) try { proc.kill('SIGKILL'); } catch { /* gone */ } });
  d.ready = async () => {
    const ports = await until(() => {
      if (d.exited) return 'exited';
      if (!existsSync(portFile)) return null;
      const t = readFileSync(portFile, 'utf8');
      const i = t.match(/^ingest=(\d+)/m), p = t.match(/^public=(\d+)/m);
      return i && p ? { ing: 'http://127.0.0.1:' + i[1], pub: 'http://127.0.0.1:' + p[1] } : null;
    }, 30000);
    if (!ports || ports === 'exited') throw new Error('rekapd did not start:\n' + d.log().slice(-1500));
    return ports;
  };
  d.stop = async () => {
    if (d.exited) return;
    proc.kill('SIGTERM');
    await until(() => d.exited, 10000);
    if (!d.exited) proc.kill('SIGKILL');
  };
  return d;
}

// A browser with a profile folder (the key in IndexedDB outlives a restart), at 360 x 740.
export function launchProfile(pw, dir) {
  return pw.chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM, headless: true, viewport: { width: 360, height: 740 }, deviceScaleFactor: 1,
    acceptDownloads: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}

// Script errors and console errors (but failed loads) of page into errors.
export function watchPage(page, label, errors) {
  page.on('pageerror', e => errors.push(`${label}: ${e.message}`));
  page.on('console', msg => { if (msg.type() === 'error' && !/Failed to load resource|net::ERR_/.test(msg.text())) errors.push(`${label} console: ${msg.text()}`); });
  page.setDefaultTimeout(20000);
}
export const ready = page => page.waitForSelector('body[data-ready="1"]');
export const pageWidth = page => page.evaluate(() => document.documentElement.scrollWidth);

// shot(page, name, sel): a screenshot into $SHOT_DIR as <prefix>-<name>.png,
// of the viewport with sel at its top (`above` px of it still shown, under
// a sticky bar), or of the whole page.
export function shooter(prefix, { above = 8, settle = 150 } = {}) {
  const dir = shotDir();
  return async (page, name, sel = null) => {
    if (sel) {
      await page.locator(sel).first().evaluate((e, above) => { e.scrollIntoView({ block: 'start' }); window.scrollBy(0, -above); }, above);
      await page.waitForTimeout(settle);
    }
    await page.screenshot({ path: join(dir, `${prefix}-${name}.png`), fullPage: !sel });
  };
}

// The key record a page keeps in its IndexedDB `db` (store kv, "key"):
// { type, ext, alg, pub } of its private key, or null.
export function storedKey(page, db) {
  return page.evaluate(db => new Promise((res, rej) => {
    const r = indexedDB.open(db);
    r.onsuccess = () => {
      const g = r.result.transaction('kv').objectStore('kv').get('key');
      g.onsuccess = () => { const v = g.result; res(v && { type: v.privateKey.type, ext: v.privateKey.extractable, alg: v.privateKey.algorithm.name, pub: v.publicB64 }); };
      g.onerror = () => rej(g.error);
    };
    r.onerror = () => rej(r.error);
  }), db);
}

// Step 1 of an officer page with no key yet: it offers to make or import
// one; a key is made; it is shown as base64 and kept in IndexedDB `db` as a
// non-extractable Ed25519 CryptoKey. Returns the public key (base64).
export async function makeKeyInPage(page, db) {
  await step('key: the page offers to make a key or import a key file (Bahasa Indonesia first)', async () => {
    const t = await page.locator('#key-card').innerText();
    return t.includes('Buat kunci baru di perangkat ini') && t.includes('Impor berkas kunci') || t;
  });
  await page.click('#key-make');
  await page.waitForSelector('#pubkey');
  const publicB64 = (await page.locator('#pubkey').innerText()).trim();
  check('key: the public key is shown as padded base64 of 32 bytes', /^[A-Za-z0-9+/]{43}=$/.test(publicB64), publicB64);
  await step(`key: the private key is a non-extractable Ed25519 CryptoKey in IndexedDB (${db})`, async () => {
    const k = await storedKey(page, db);
    return k && k.type === 'private' && k.ext === false && k.alg === 'Ed25519' && k.pub === publicB64 || JSON.stringify(k);
  });
  return publicB64;
}
