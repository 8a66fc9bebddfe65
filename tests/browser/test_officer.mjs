// The KPPS officer's page (web/petugas) in chromium at 360 x 740, against a
// real rekapd on a generated province:
//   - a key made in the browser (non-extractable, kept in IndexedDB across a
//     browser restart); its public file downloaded from the page and enrolled
//     with `rekap enrol` (before rekapd starts: it holds the directory lock)
//   - a TPS's PPWP form filled from forms.jsonl; a wrong number shows its
//     broken rule next to the field, fixing it clears it; 3 photos attached;
//     signed and sent; the receipt's log index; the TPS detail shows the
//     form counted with the photos in page order
//   - offline: the DPR form is signed and queued; the page reloads from its
//     service worker; back online, it is sent by itself
//   - "Periksa": the entry verified in the transparency log (verify.js)
//   - a correction (version 2, reason, PSU re-count)
//   - English; a server refusal (a key enrolled for another TPS) in both
//     languages
//   - a key file of `rekap keygen` imported (and bad ones refused), signing
//     a DPD form the server accepts
// usage: node tests/browser/test_officer.mjs BUILD_DIR [--proxy-ingest]
//   BUILD_DIR       holds rekap and rekapd
//   --proxy-ingest  for a rekapd whose ingest listener answers no CORS
//                   preflight: its routes are forwarded on the page's own
//                   origin (otherwise a missing CORS answer is a FAIL)
// Exit 0 all passed, 1 some check failed, 77 skipped (no chromium, or no
// web/node_modules/playwright-core). $SHOT_DIR: screenshots (default /tmp/rekap-shots).
// KEEP_TMP=1 keeps the scratch directory.
import { execFileSync } from 'node:child_process';
import { createServer, request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { REPO, CHROMIUM, fail, check, step, note, summary, until, playwright, http, getJson,
  sendFile, startRekapd, launchProfile, watchPage, ready, pageWidth as narrow, shooter, makeKeyInPage, storedKey } from './lib.mjs';

const pos = process.argv.slice(2).filter(x => !x.startsWith('--'));
const proxyIngest = process.argv.includes('--proxy-ingest');
if (pos.length !== 1 || process.argv.slice(2).some(x => x.startsWith('--') && x !== '--proxy-ingest')) {
  console.error('usage: node tests/browser/test_officer.mjs BUILD_DIR [--proxy-ingest]');
  process.exit(2);
}
const buildDir = resolve(pos[0]);
const rekap = join(buildDir, 'rekap'), rekapd = join(buildDir, 'rekapd');
const pw = playwright();                       // exit 77 without chromium or playwright-core
for (const b of [rekap, rekapd]) if (!existsSync(b)) { console.log(`FAIL - no ${b}`); process.exit(1); }
// A screenshot of what the officer sees (the viewport, 360 x 740) with sel
// at its top, under the sticky bar, or of the whole page.
const shot = shooter('officer', { above: 36, settle: 100 });

const tmp = mkdtempSync(join(tmpdir(), 'rekap-officer-'));
const env = { ...process.env, REKAP_DATA: process.env.REKAP_DATA || join(REPO, 'data') };
const run = (cmd, argv) => execFileSync(cmd, argv, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
const sha256 = b => createHash('sha256').update(b).digest('hex');
const D = join(tmp, 'D');

const TPS1 = '6501011001001';     // the browser's key: PPWP, DPR offline, a correction
const TPS2 = '6501011001002';     // refused: that key is not this TPS's
const TPS3 = '6501011001003';     // the imported key file: DPD

let daemon = null, server = null, browser = null;
const pageErrors = [];

// ---- the site: web/ as it is in the tree (petugas, wasm, portal,
// node_modules), the rules module built into tmp, and — when rekapd's ingest
// listener does not answer CORS preflights — its routes forwarded on this
// one origin.
const WEB = join(REPO, 'web');
const served = { wasm: join(tmp, 'wasm', 'rules.wasm'), ingest: null, requests: [] };

function forward(req, res, target) {
  const u = new URL(target);
  const p = httpRequest({ hostname: u.hostname, port: u.port, method: req.method, path: req.url,
    headers: { ...req.headers, host: u.host } }, r => { res.writeHead(r.statusCode, r.headers); r.pipe(res); });
  p.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(p);
}

function serve() {
  const s = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    served.requests.push(req.method + ' ' + path);
    if (served.ingest && /^\/api\/v1\/(submissions$|photos\/|tps\/[0-9]+\/status$)/.test(path)) return forward(req, res, served.ingest);
    let f = path === '/wasm/rules.wasm' ? served.wasm : join(WEB, path);
    if (f.endsWith('/')) f += 'index.html';
    const okRoot = ['petugas', 'wasm', 'portal', 'node_modules'].some(d => f.startsWith(join(WEB, d) + sep)) || f === served.wasm;
    sendFile(req, res, f, okRoot);
  });
  return new Promise(r => s.listen(0, '127.0.0.1', () => r(s)));
}

const watch = (page, label) => watchPage(page, label, pageErrors);

// A form's fields as the page's input paths -> values.
function fields(f) {
  const v = {};
  for (const [r, row] of Object.entries(f.voters)) row.forEach((x, i) => { v[`voters.${r}[${i}]`] = x; });
  for (const [k, x] of Object.entries(f.ballots)) v[`ballots.${k}`] = x;
  if (f.votes) f.votes.forEach((x, i) => { v[`votes[${i}]`] = x; });
  if (f.parties) {
    f.parties.forEach((p, i) => {
      v[`parties[${i}].party_only`] = p.party_only;
      p.candidates.forEach((x, j) => { v[`parties[${i}].candidates[${j}]`] = x; });
      v[`parties[${i}].total`] = p.total;
    });
  }
  for (const k of ['valid', 'invalid', 'total']) v[k] = f[k];
  return v;
}

async function fillForm(page, f) {
  const v = fields(f);
  const paths = await page.$$eval('.chasil input.n', els => els.map(e => e.dataset.path));
  const missing = Object.keys(v).filter(p => !paths.includes(p)), extra = paths.filter(p => !(p in v));
  if (missing.length || extra.length) throw new Error(`the page's form is not the ballot's: missing ${missing.join(',')} extra ${extra.join(',')}`);
  // set every value at once, with an input event each (as typing does)
  await page.$$eval('.chasil input.n', (els, vals) => {
    for (const e of els) { e.value = String(vals[e.dataset.path]); e.dispatchEvent(new Event('input', { bubbles: true })); }
  }, v);
}

async function openTps(page, code) {
  await page.fill('#tps-code', code);
  await page.click('#tps-go');
  await page.waitForSelector(`#tps-name`);
  await page.waitForFunction(c => document.querySelector('#tps-code')?.value === c && document.querySelector('#contests'), code);
}

async function chooseContest(page, contest) {
  await page.click(`#contests input[value="${contest}"]`);
  await page.waitForSelector(`.chasil[data-contest="${contest}"]`);
}

async function attach(page, i, buf, name) {
  await page.setInputFiles(`#photo-${i}`, { name, mimeType: 'image/jpeg', buffer: buf });
  await page.waitForSelector(`li.page[data-page="${i}"][data-sha256="${sha256(buf)}"]`);
}

// Small real JPEGs, made by the browser's own encoder: a page of a form.
async function jpegs(page, n) {
  const out = await page.evaluate(async (n) => {
    const res = [];
    for (let k = 0; k < n; k++) {
      const c = new OffscreenCanvas(120, 160), g = c.getContext('2d');
      g.fillStyle = '#f6f4ec'; g.fillRect(0, 0, 120, 160);
      g.fillStyle = '#333';
      for (let y = 12; y < 160; y += 16) g.fillRect(8, y, 104, 2);
      g.font = '20px sans-serif'; g.fillText('C ' + (k + 1), 30, 90);
      const b = new Uint8Array(await (await c.convertToBlob({ type: 'image/jpeg', quality: 0.8 })).arrayBuffer());
      let s = '';
      for (const x of b) s += String.fromCharCode(x);
      res.push(btoa(s));
    }
    return res;
  }, n);
  return out.map(b => Buffer.from(b, 'base64'));
}

async function itemOf(page, contest, version, tps = TPS1) {
  return page.locator(`article.item[data-tps="${tps}"][data-contest="${contest}"][data-version="${version}"]`);
}

async function tpsDoc(pub, code) {
  return getJson(`${pub}/api/v1/tps/${code}.json`);
}

try {
  // ---- the election, the rules module, the site
  run(rekap, ['gen', '--scope', '65', '--seed', '7', '--out', join(tmp, 'el.json'), '--forms', join(tmp, 'forms.jsonl')]);
  run(rekap, ['init', '--dir', D, '--election', join(tmp, 'el.json'), '--origin', 'example.org/kaltara']);
  const forms = readFileSync(join(tmp, 'forms.jsonl'), 'utf8').split('\n').filter(Boolean).map(l => JSON.parse(l));
  const formOf = (tps, c) => forms.find(f => f.tps === tps && f.contest === c);
  try {
    execFileSync(join(WEB, 'wasm', 'build.sh'), [served.wasm], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    throw new Error('web/wasm/build.sh failed: ' + (e.stderr || e.message));
  }
  server = await serve();
  const site = 'http://127.0.0.1:' + server.address().port;
  const userDir = join(tmp, 'chromium-profile');
  let publicB64, photos;

  // ---- session 1: no server yet; the key is made in the browser
  {
    const ctx = await launchProfile(pw, userDir);
    const page = ctx.pages()[0] || await ctx.newPage();
    watch(page, 'session 1');
    await page.goto(site + '/petugas/');
    await ready(page);
    publicB64 = await makeKeyInPage(page, 'rekap-petugas');
    await step('key: the QR code holds the public key file (rekap-key/1)', async () => {
      const t = await page.locator('#qr').getAttribute('data-text');
      const n = await page.locator('#qr svg').getAttribute('data-modules');
      return t === `rekap-key/1\nname "KPPS"\npublic ${publicB64}\n` && Number(n) >= 21 || `${JSON.stringify(t)} ${n}`;
    });
    await step('key: the enrolment instructions name what to hand in and the command', async () => {
      const t = await page.locator('.enrol').innerText();
      return t.includes('kode TPS') && t.includes('rekap enrol --dir') && t.includes('--region') || t;
    });
    await page.fill('#key-name', `Ketua KPPS ${TPS1}`);
    await page.waitForFunction(() => document.querySelector('#qr')?.dataset.text.includes('Ketua KPPS'));
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#key-download')]);
    await dl.saveAs(join(tmp, 'officer.pub'));
    await step('key: the downloaded public key file is rekap-key/1 with the name and the key', async () => {
      const t = readFileSync(join(tmp, 'officer.pub'), 'utf8');
      return t === `rekap-key/1\nname "Ketua KPPS ${TPS1}"\npublic ${publicB64}\n` || JSON.stringify(t);
    });
    check('key: the page is no wider than 360 px', (await narrow(page)) <= 360, await narrow(page));
    await shot(page, '1-key', '#key-card');
    if (existsSync('/usr/bin/zbarimg')) {
      await step('key: the QR code on the screen decodes (zbarimg) to the public key file', async () => {
        await page.locator('#qr svg').screenshot({ path: join(tmp, 'qr.png') });
        const got = execFileSync('/usr/bin/zbarimg', ['--raw', '-q', join(tmp, 'qr.png')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        return got === readFileSync(join(tmp, 'officer.pub'), 'utf8') + '\n' || JSON.stringify(got);
      });
    } else {
      note('no /usr/bin/zbarimg (zbar-tools): the QR code is not decoded');
    }
    await ctx.close();
  }

  // ---- enrolment with the CLI (rekapd not running: it would hold the lock)
  await step('enrol: `rekap enrol --region TPS` takes the page\'s public key file', async () => {
    const out = run(rekap, ['enrol', '--dir', D, '--region', TPS1, join(tmp, 'officer.pub')]);
    return out.includes(`enrolled ${publicB64} as KPPS key for ${TPS1}`) || out;
  });
  run(rekap, ['keygen', '--out', join(tmp, 'imp.key'), '--name', `KPPS ${TPS3} (impor)`]);
  run(rekap, ['enrol', '--dir', D, '--region', TPS3, join(tmp, 'imp.key.pub')]);

  daemon = startRekapd({ rekapd, D, tmp, env });
  const { ing, pub } = await daemon.ready();
  note(`rekapd public ${pub}, ingest ${ing}; site ${site}`);

  // CORS on the ingest listener: the page runs on another origin
  const pre = await http('OPTIONS', `${ing}/api/v1/submissions`, null, { Origin: site, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' });
  const st = await http('GET', `${ing}/api/v1/tps/${TPS1}/status`, null, { Origin: site });
  const cors = pre.status === 204 && pre.headers['access-control-allow-origin'] === '*' && /POST/.test(pre.headers['access-control-allow-methods'] || '')
    && st.headers['access-control-allow-origin'] === '*';
  let ingestUrl = ing;
  const corsWhat = `OPTIONS ${pre.status}, Allow-Origin ${pre.headers['access-control-allow-origin'] || 'none'}, ` +
    `Allow-Methods ${pre.headers['access-control-allow-methods'] || 'none'}; GET status Allow-Origin ${st.headers['access-control-allow-origin'] || 'none'}`;
  if (proxyIngest) {
    note(`ingest CORS: ${corsWhat}; --proxy-ingest: its routes are forwarded by this test's server, on the page's origin`);
    served.ingest = ing;
    ingestUrl = site;
  } else if (!check('ingest: rekapd answers the page\'s CORS preflight (204, Access-Control-Allow-Origin *) and marks its answers readable', cors, corsWhat)) {
    throw new Error('the page cannot reach the ingest listener from another origin (run with --proxy-ingest to test the rest)');
  }
  const pageUrl = `${site}/petugas/?api=${encodeURIComponent(pub)}&ingest=${encodeURIComponent(ingestUrl)}`;

  // ---- session 2: the same browser profile, the server running
  const ctx = await launchProfile(pw, userDir);
  const page = ctx.pages()[0] || await ctx.newPage();
  watch(page, 'session 2');
  await page.goto(pageUrl);
  await ready(page);
  await step('key: still there after the browser restarted', async () =>
    (await page.locator('#pubkey').innerText()).trim() === publicB64);

  await openTps(page, TPS1);
  await step('TPS: its name and places, and the five contests cast there, from the API', async () => {
    const name = await page.locator('#tps-name').innerText();
    const cs = await page.$$eval('#contests input', els => els.map(e => e.value));
    return name.includes('TPS 001') && name.includes('Kalimantan Utara') && cs.join() === 'ppwp,dpr,dpd,dprd_prov,dprd_kab' || `${name} ${cs}`;
  });
  await chooseContest(page, 'ppwp');
  await step('form: version 1, the ballot\'s three pairs by name', async () => {
    const v = await page.locator('#version').getAttribute('data-version');
    const sel = await page.$$eval('.chasil .fld.sel .ft', e => e.map(x => x.textContent));
    return v === '1' && sel.length === 3 && sel[0].startsWith('1. Anies') || `${v} ${sel}`;
  });

  // ---- the rules as the officer types
  const ppwp = formOf(TPS1, 'ppwp');
  await fillForm(page, ppwp);
  await step('rules: the true form shows no broken rule', async () => {
    const n = await page.locator('.chasil .hit').count();
    const s = await page.locator('.rsum').innerText();
    return n === 0 && s.includes('Semua angka memenuhi aturan') || `${n} hits; ${s}`;
  });
  const b4 = '.chasil input[data-path="voters.b4[2]"]';
  await page.fill(b4, String(ppwp.voters.b4[2] + 1));
  await step('rules: a wrong B4 total shows LPT_SUM next to the B4 row, in the server\'s words, the field marked', async () => {
    const hit = page.locator('.hits[data-anchor="voters.b4"] .hit[data-code="LPT_SUM"]');
    await hit.waitFor();
    const t = await hit.innerText();
    const inv = await page.locator(b4).getAttribute('aria-invalid');
    return t.includes('Jumlah pemilih laki-laki dan perempuan tidak sama dengan jumlah total') && t.includes(`!= ${ppwp.voters.b4[2] + 1}`) && inv === 'true' || `${t} ${inv}`;
  });
  await step('rules: every rule the number breaks is shown at once (B4_SUM, USED_B4, TOTAL_B4 too)', async () => {
    const codes = await page.$$eval('.chasil .hit', e => e.map(x => x.dataset.code));
    return ['LPT_SUM', 'B4_SUM', 'USED_B4', 'TOTAL_B4'].every(c => codes.includes(c)) || codes.join();
  });
  await step('send: the button asks for a confirmation while hard rules are broken', async () => {
    await page.waitForSelector('#confirm-hard');
    return await page.locator('#send').isDisabled();
  });
  await shot(page, '2-rule', '[data-row="b1"]');
  await shot(page, '2-form-full');
  check('form: the page is no wider than 360 px', (await narrow(page)) <= 360, await narrow(page));
  await page.fill(b4, String(ppwp.voters.b4[2]));
  await step('rules: the fixed number clears every hit', async () => {
    await page.waitForFunction(() => document.querySelectorAll('.chasil .hit').length === 0);
    return (await page.locator(b4).getAttribute('aria-invalid')) === null;
  });
  await step('rules: a field left empty is counted as "not filled in", and its rules wait', async () => {
    await page.fill('.chasil input[data-path="valid"]', '');
    await page.waitForFunction(() => document.querySelector('.rsum')?.textContent.includes('1 kolom belum diisi'));
    const hits = await page.locator('.chasil .hit').count();
    const blocked = await page.locator('#blockers').innerText();
    await page.fill('.chasil input[data-path="valid"]', String(ppwp.valid));
    return hits === 0 && blocked.includes('1 kolom formulir belum diisi') || `${hits} ${blocked}`;
  });

  // ---- photos and sending
  photos = await jpegs(page, 4);
  for (let i = 0; i < 3; i++) await attach(page, i, photos[i], `halaman-${i + 1}.jpg`);
  await step('photos: three pages, each named by its SHA-256, in page order', async () => {
    const shas = await page.$$eval('li.page.has', e => e.map(x => x.dataset.sha256));
    return shas.join() === photos.slice(0, 3).map(sha256).join() || shas.join();
  });
  await step('draft: a reload keeps every number typed and the photos', async () => {
    await page.waitForTimeout(700);            // the draft is saved 0.4 s after the last key
    await page.reload();
    await ready(page);
    await page.waitForSelector('.chasil[data-contest="ppwp"]');
    const vals = await page.$$eval('.chasil input.n', e => Object.fromEntries(e.map(x => [x.dataset.path, x.value])));
    const want = fields(ppwp);
    const bad = Object.keys(want).filter(k => vals[k] !== String(want[k]));
    const shas = await page.$$eval('li.page.has', e => e.map(x => x.dataset.sha256));
    return !bad.length && shas.join() === photos.slice(0, 3).map(sha256).join() || `differ: ${bad.join(',')}; photos ${shas}`;
  });
  await page.click('#send');
  const item1 = await itemOf(page, 'ppwp', 1);
  await step('send: signed, sent, and the receipt shows the log index and the SHA-256 of the signed text', async () => {
    await item1.and(page.locator('[data-state="done"]')).waitFor({ timeout: 30000 });
    const t = await item1.innerText();
    const idx = await item1.getAttribute('data-index');
    return /^\d+$/.test(idx) && t.includes(`#${idx}`) && t.includes('Diterima dan dihitung') && t.includes('sama dengan yang dihitung perangkat ini') || t;
  });
  const index1 = Number(await item1.getAttribute('data-index'));
  await shot(page, '3-receipt', '#sent-note');
  await step('API: the TPS detail counts the form, version 1, its photos in page order', async () => {
    const doc = await until(async () => {
      const d = await tpsDoc(pub, TPS1);
      const c = d.contests.find(x => x.contest === 'ppwp');
      return c.status !== 'none' && c.counted_version === 1 ? c : null;
    }, 10000);
    if (!doc) return 'not counted';
    const v = doc.versions[0];
    const f = doc.form;
    return (doc.status === 'counted' || doc.status === 'flagged') && v.log_index === index1 &&
      JSON.stringify(v.photos) === JSON.stringify(photos.slice(0, 3).map(p => '/photos/' + sha256(p))) &&
      f.valid === ppwp.valid && f.selections.map(s => s.votes).join() === ppwp.votes.join() && f.voters.b4.total === ppwp.voters.b4[2] || JSON.stringify(doc);
  });
  await step('API: each photo is served by its hash, byte for byte', async () => {
    for (const p of photos.slice(0, 3)) {
      const r = await http('GET', `${pub}/photos/${sha256(p)}`);
      if (r.status !== 200 || !r.body.equals(p)) return `photo ${sha256(p)}: ${r.status}`;
    }
    return true;
  });
  await step('TPS: the contest list says version 1 was accepted, and PPWP\'s next version is 2', async () => {
    await page.waitForFunction(() => document.querySelector('#contests')?.textContent.includes('versi 1 diterima'));
    return true;
  });

  // ---- offline: signed and queued; the page reloads from its service worker; sent when online
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await until(() => page.evaluate(() => !!navigator.serviceWorker.controller), 5000);
  await ctx.setOffline(true);
  await step('offline: the bar says so', async () => {
    await page.waitForFunction(() => document.querySelector('#net')?.classList.contains('off'));
    return true;
  });
  await chooseContest(page, 'dpr');
  const dpr = formOf(TPS1, 'dpr');
  await fillForm(page, dpr);
  await attach(page, 0, photos[3], 'dpr-1.jpg');
  await shot(page, '4-dpr-form', '.party');
  await step('offline: the DPR form (its parties and candidates) passes the rules', async () =>
    (await page.locator('.rsum').innerText()).includes('Semua angka memenuhi aturan'));
  await page.click('#send');
  const item2 = await itemOf(page, 'dpr', 1);
  await step('offline: the signed DPR form waits in the outbox', async () => {
    await item2.waitFor();
    const state = await item2.getAttribute('data-state');
    const bar = await page.locator('#queue-count').innerText();
    return state === 'queued' && bar.includes('1 menunggu dikirim') || `${state} ${bar}`;
  });
  await step('offline: the note where the form was says it is kept on the device', async () => {
    const t = await page.locator('#sent-note').innerText();
    return t.includes('disimpan di perangkat') || t;
  });
  await shot(page, '4-queued', '#sent-note');
  await step('offline: the page reloads from its service worker, the outbox intact', async () => {
    await page.reload();
    await ready(page);
    const state = await item2.getAttribute('data-state');
    return state === 'queued' && (await page.locator('#pubkey').count()) === 1 || state;
  });
  await ctx.setOffline(false);
  await step('online again: the queued form is sent by itself, with its photo', async () => {
    await item2.and(page.locator('[data-state="done"]')).waitFor({ timeout: 30000 });
    const d = await until(async () => {
      const c = (await tpsDoc(pub, TPS1)).contests.find(x => x.contest === 'dpr');
      return c.counted_version === 1 ? c : null;
    }, 10000);
    return d && JSON.stringify(d.versions[0].photos) === JSON.stringify(['/photos/' + sha256(photos[3])]) &&
      d.form.parties.map(p => p.total).join() === dpr.parties.map(p => p.total).join() || JSON.stringify(d);
  });

  for (const c of ['dprd_prov', 'dprd_kab']) {
    await step(`form: the ${c} ballot (the dapil's parties and candidates) fits the true form, which passes the rules`, async () => {
      await chooseContest(page, c);
      await fillForm(page, formOf(TPS1, c));
      return (await page.locator('.rsum').innerText()).includes('Semua angka memenuhi aturan');
    });
  }

  // ---- Periksa: the entry in the transparency log
  await step('Periksa: the PPWP entry verifies against the log (checkpoint, inclusion proof, signature, exactly as signed)', async () => {
    let last = '';
    const okNow = await until(async () => {
      await page.click(`button[data-check="${await item1.getAttribute('data-item')}"]`);
      const box = item1.locator('.verify [data-ok]');
      await box.waitFor();
      last = await item1.locator('.verify').innerText();
      return (await box.getAttribute('data-ok')) === 'true';
    }, 15000, 1000);
    const n = await item1.locator('.verify li.good').count();
    return okNow && n === 4 || last;
  });
  await shot(page, '5-verified', `article.item[data-item="${await item1.getAttribute('data-item')}"] .receipt`);

  // ---- the server unreachable, then busy (503 Retry-After): kept and retried with backoff
  {
    let calls = 0;
    const ingestRe = new RegExp('^' + ingestUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '/api/v1/submissions$');
    await page.route(ingestRe, async route => {
      if (route.request().method() !== 'POST') return route.continue();
      calls++;
      if (calls === 1) return route.abort('connectionrefused');
      if (calls === 2) {
        return route.fulfill({ status: 503, contentType: 'application/json; charset=utf-8',
          headers: { 'Retry-After': '1', 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': 'Retry-After' },
          body: JSON.stringify({ code: 'INGEST_BUSY', message_id: 'Server sedang sibuk; coba lagi sebentar lagi.', message_en: 'The server is busy; try again shortly.' }) });
      }
      return route.continue();
    });
    await chooseContest(page, 'dpd');
    await fillForm(page, formOf(TPS1, 'dpd'));
    await page.click('#send');
    const it = await itemOf(page, 'dpd', 1);
    await step('retry: an unreachable server leaves the signed form queued, the attempt and the next try shown', async () => {
      await page.waitForFunction(() => document.querySelector('article.item[data-contest="dpd"]')?.textContent.includes('Percobaan ke-1 gagal'));
      const t = await it.innerText();
      return (await it.getAttribute('data-state')) === 'queued' && t.includes('Server tidak dapat dihubungi') || t;
    });
    await step('retry: a busy server (503, Retry-After) is shown in its words, and retried', async () => {
      await page.waitForFunction(() => document.querySelector('article.item[data-contest="dpd"]')?.textContent.includes('Server sedang sibuk'), null, { timeout: 15000 });
      return true;
    });
    await step('retry: then sent, exactly once counted', async () => {
      await it.and(page.locator('[data-state="done"]')).waitFor({ timeout: 20000 });
      const d = (await tpsDoc(pub, TPS1)).contests.find(x => x.contest === 'dpd');
      return calls === 3 && d.versions.length === 1 || `${calls} calls, ${JSON.stringify(d.versions)}`;
    });
    await page.unroute(ingestRe);
  }

  // ---- a correction: version 2, a reason, a PSU re-count
  await page.locator('#tps-card').scrollIntoViewIfNeeded();
  await chooseContest(page, 'ppwp');
  await step('correction: PPWP is at version 2, which needs a reason', async () => {
    const v = await page.locator('#version').getAttribute('data-version');
    await page.click('#copy-prev');
    await page.waitForFunction(() => document.querySelector('.rsum')?.textContent.includes('Semua angka memenuhi aturan'));
    const b = await page.locator('#blockers').innerText();
    return v === '2' && b.includes('alasan koreksi') || `${v} ${b}`;
  });
  const reason = 'Penghitungan ulang: suara paslon 1 dan 2 tertukar satu ("koreksi")';
  await page.fill('.chasil input[data-path="votes[0]"]', String(ppwp.votes[0] + 1));
  await page.fill('.chasil input[data-path="votes[1]"]', String(ppwp.votes[1] - 1));
  await page.fill('#reason', reason);
  await page.check('#psu input[value="recount"]');
  for (let i = 0; i < 3; i++) await attach(page, i, photos[i], `halaman-${i + 1}.jpg`);
  await page.click('#send');
  const item3 = await itemOf(page, 'ppwp', 2);
  await step('correction: accepted; the TPS detail counts version 2 with its reason and the PSU mark', async () => {
    await item3.and(page.locator('[data-state="done"]')).waitFor({ timeout: 30000 });
    const c = await until(async () => {
      const x = (await tpsDoc(pub, TPS1)).contests.find(y => y.contest === 'ppwp');
      return x.counted_version === 2 ? x : null;
    }, 10000);
    const v = c && c.versions[1];
    return v && v.reason === reason && v.psu === 'recount' && c.form.selections[0].votes === ppwp.votes[0] + 1 || JSON.stringify(c);
  });

  await step('TPS reloaded: a counted contest\'s ballot now comes from its counted form, the same shape and names', async () => {
    await page.click('#tps-refresh');
    await page.waitForFunction(() => document.querySelector('#contests')?.textContent.includes('versi 2 diterima'));
    await chooseContest(page, 'ppwp');
    const sel = await page.$$eval('.chasil .fld.sel .ft', e => e.map(x => x.textContent));
    return sel.length === 3 && sel[1].startsWith('2. Prabowo') || sel.join(' | ');
  });

  // ---- English, and a refusal from the server in both languages
  await page.click('#lang');
  await step('English: the page switches, the numbers typed untouched', async () => {
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    const t = await page.locator('#key-card h2').innerText();
    return t.includes('Signing key') || t;
  });
  await openTps(page, TPS2);
  await chooseContest(page, 'ppwp');
  const ppwp2 = formOf(TPS2, 'ppwp');
  await fillForm(page, ppwp2);
  await page.fill('.chasil input[data-path="voters.dpt[2]"]', String(ppwp2.voters.dpt[2] + 5));
  await step('English: a broken rule in English (the server\'s words)', async () => {
    const t = await page.locator('.hits[data-anchor="voters.dpt"] .hit[data-code="LPT_SUM"]').innerText();
    return t.includes('Male plus female does not equal the total') || t;
  });
  await page.fill('.chasil input[data-path="voters.dpt[2]"]', String(ppwp2.voters.dpt[2]));
  await page.waitForFunction(() => document.querySelectorAll('.chasil .hit').length === 0);
  await page.click('#send');
  const item4 = await itemOf(page, 'ppwp', 1, TPS2);
  await step('refusal: a key enrolled for another TPS is refused (KEY_WRONG_TPS), the server\'s message in English, then in Bahasa Indonesia', async () => {
    await item4.and(page.locator('[data-state="refused"]')).waitFor({ timeout: 30000 });
    const en = await item4.locator('.err').innerText();
    // the server's own words for it: the same body sent again
    const body = await page.evaluate((id) => new Promise((res) => {
      const r = indexedDB.open('rekap-petugas');
      r.onsuccess = () => { const g = r.result.transaction('outbox').objectStore('outbox').get(id); g.onsuccess = () => res(g.result.body); };
    }), Number(await item4.getAttribute('data-item')));
    const ans = await http('POST', `${ing}/api/v1/submissions`, JSON.stringify(body), { 'Content-Type': 'application/json' });
    const err = JSON.parse(ans.body.toString());
    await shot(page, '6-refused-en', '#outbox-card');
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'id');
    const id = await item4.locator('.err').innerText();
    return ans.status === 403 && err.code === 'KEY_WRONG_TPS' && en.includes('KEY_WRONG_TPS') && en.includes(err.message_en) && id.includes(err.message_id) || `${ans.status} ${JSON.stringify(err)} | ${en} | ${id}`;
  });
  check('no script error in the officer\'s page', pageErrors.length === 0, pageErrors.join('\n'));
  await ctx.close();

  // ---- a key file of `rekap keygen`, imported (strictly) into a fresh browser
  browser = await pw.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const ctx2 = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 1 });
  const page2 = await ctx2.newPage();
  watch(page2, 'import');
  await page2.goto(pageUrl);
  await ready(page2);
  const keyText = readFileSync(join(tmp, 'imp.key'), 'utf8');
  const impPublic = keyText.match(/^public (\S+)$/m)[1];
  await step('import: the key file parser refuses every other spelling, as rekap\'s reader does', async () => {
    const other = readFileSync(join(tmp, 'officer.pub'), 'utf8').match(/^public (\S+)$/m)[1];
    const secret = keyText.match(/^secret (\S+)$/m)[1];
    const lastBits = secret.slice(0, 42) + String.fromCharCode(secret.charCodeAt(42) + 1) + '=';
    const cases = {
      ok: [keyText, 'OK'],
      crlf: [keyText.replace(/\n/g, '\r\n'), 'KEY_FORMAT'],
      noFinalLf: [keyText.slice(0, -1), 'KEY_FORMAT'],
      space: [keyText.replace('public ', 'public  '), 'KEY_FORMAT'],
      nameSpace: [keyText.replace(/^name (.*)$/m, 'name $1 '), 'KEY_FORMAT'],
      escape: [keyText.replace(/^name "K/m, 'name "\\u004b'), 'KEY_FORMAT'],
      unquoted: [keyText.replace(/^name "(.*)"$/m, 'name $1'), 'KEY_NAME'],
      urlAlphabet: [keyText.replace(/^secret .*$/m, 'secret ' + secret.replace(/\+/g, '-').replace(/\//g, '_')), secret.includes('+') || secret.includes('/') ? 'KEY_BASE64' : 'OK'],
      unusedBits: [keyText.replace(/^secret .*$/m, 'secret ' + lastBits), 'KEY_BASE64'],
      extraLine: [keyText + 'x\n', 'KEY_FORMAT'],
      format: [keyText.replace('rekap-key/1', 'rekap-key/2'), 'KEY_FORMAT'],
      mismatch: [keyText.replace(/^public .*$/m, 'public ' + other), 'KEY_MISMATCH'],
      tooLarge: [keyText + '#'.repeat(1100), 'KEY_TOO_LARGE'],
    };
    const got = await page2.evaluate(async (cases) => {
      const keys = await import('/petugas/keys.js');
      const out = {};
      for (const [k, [text]] of Object.entries(cases)) {
        try {
          const kf = keys.parseKeyFile(text);
          await keys.importSecret(kf.seed, kf.publicKey);
          out[k] = 'OK';
        } catch (e) { out[k] = e.code || e.message; }
      }
      return out;
    }, cases);
    const bad = Object.entries(cases).filter(([k, [, want]]) => got[k] !== want).map(([k, [, want]]) => `${k}: ${got[k]} (want ${want})`);
    return bad.length ? bad.join('; ') : true;
  });
  await page2.setInputFiles('#key-file', { name: 'imp.key.pub', mimeType: 'text/plain', buffer: readFileSync(join(tmp, 'imp.key.pub')) });
  await step('import: a public file is refused with what to import instead', async () => {
    const t = await page2.locator('#key-card .err').innerText();
    return t.includes('KEY_PUBLIC_ONLY') && t.includes('kunci rahasia') || t;
  });
  await page2.setInputFiles('#key-file', { name: 'imp.key', mimeType: 'application/octet-stream', buffer: Buffer.from(keyText) });
  await step('import: the secret key file gives the same public key and name, kept as a non-extractable key', async () => {
    await page2.waitForSelector('#pubkey');
    const p = (await page2.locator('#pubkey').innerText()).trim();
    const name = await page2.locator('#key-name').inputValue();
    const ext = (await storedKey(page2, 'rekap-petugas')).ext;
    return p === impPublic && name === `KPPS ${TPS3} (impor)` && ext === false || `${p} ${name} ${ext}`;
  });
  await shot(page2, '7-imported', '#key-card');
  await openTps(page2, TPS3);
  await chooseContest(page2, 'dpd');
  await fillForm(page2, formOf(TPS3, 'dpd'));
  // a camera-sized photo (3200 x 2400) is scaled down to 2400 px before it is hashed
  const big = Buffer.from(await page2.evaluate(async () => {
    const c = new OffscreenCanvas(3200, 2400), g = c.getContext('2d');
    g.fillStyle = '#fff'; g.fillRect(0, 0, 3200, 2400); g.fillStyle = '#222';
    for (let y = 40; y < 2400; y += 80) g.fillRect(100, y, 3000, 6);
    const b = new Uint8Array(await (await c.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let s = '';
    for (const x of b) s += String.fromCharCode(x);
    return btoa(s);
  }), 'base64');
  await page2.setInputFiles('#photo-0', { name: 'camera.png', mimeType: 'image/png', buffer: big });
  const bigSha = await page2.locator('li.page[data-page="0"].has').getAttribute('data-sha256', { timeout: 20000 });
  await step('photo: a 3200 px photo is scaled to a 2400 px JPEG, and that is what is hashed', async () => {
    const t = await page2.locator('li.page[data-page="0"]').innerText();
    return bigSha !== sha256(big) && t.includes('diperkecil') || `${bigSha} ${t}`;
  });
  await page2.click('#send');
  await step('import: the DPD form signed with the imported key is accepted, the scaled photo stored by its hash', async () => {
    const it = await itemOf(page2, 'dpd', 1, TPS3);
    await it.and(page2.locator('[data-state="done"]')).waitFor({ timeout: 30000 });
    const r = await http('GET', `${pub}/photos/${bigSha}`);
    const jpeg = r.status === 200 && r.body[0] === 0xff && r.body[1] === 0xd8 && sha256(r.body) === bigSha;
    // the JPEG's frame header: height and width after the SOF0/SOF2 marker
    let w = 0;
    for (let i = 2; jpeg && i < r.body.length - 9; i++) {
      if (r.body[i] === 0xff && (r.body[i + 1] === 0xc0 || r.body[i + 1] === 0xc2)) { w = r.body.readUInt16BE(i + 7); break; }
    }
    return (await it.innerText()).includes('Diterima') && jpeg && w === 2400 || `${r.status} jpeg ${jpeg} width ${w}`;
  });
  check('import: the page is no wider than 360 px', (await narrow(page2)) <= 360, await narrow(page2));
  check('no script error in the import session', pageErrors.length === 0, pageErrors.join('\n'));
  await ctx2.close();
} catch (e) {
  fail('the test ran to its end', e && (e.stack || e.message) || e);
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) await new Promise(r => server.close(r));
  if (daemon) await daemon.stop();
  if (process.env.KEEP_TMP) note('kept ' + tmp); else rmSync(tmp, { recursive: true, force: true });
}
process.exit(summary());
