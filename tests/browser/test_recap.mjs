// The recap officer's page (web/rekap) in chromium, against a real rekapd
// on a generated province (every C.Hasil form counted):
//   - a key made in the page (non-extractable Ed25519 CryptoKey in
//     IndexedDB), its public file downloaded and enrolled as the recap key
//     of a kecamatan with `rekap enrol` (before rekapd starts: it holds the
//     directory's lock); the QR code holds that file
//   - the kecamatan's PPWP unit: every TPS with what it says now, the sum
//     below as the API gives it; a recap adopting every child is signed,
//     sent and accepted (log index), and the API shows it signed
//   - a correction that breaks the recap's arithmetic: 422, every rule's
//     message in the chosen language (English, then Bahasa Indonesia)
//   - a planted difference (a TPS corrected in the plenary): highlighted
//     in the draft, accepted, and then shown as the signed recap's
//     difference against the level below, naming that TPS, in the page and
//     in the API
//   - an objection recorded (rekap-dkk/1), listed from the API
//   - a refusal (the key is not the other kecamatan's) with its code and
//     the server's message in both languages
//   - drill-down: the kab/kota's unit lists the kecamatan signed, its link
//     opens the kecamatan's unit; a TPS links to the portal's TPS page
//   - rekapd serves the built page at /rekap/ with the ingest listener's
//     URL written into it
//   - screenshots at 360 and 1280 px into $SHOT_DIR (recap-*.png); the page
//     never scrolls sideways
// usage: node tests/browser/test_recap.mjs BUILD_DIR
// Exit 0 all passed, 1 some check failed, 77 skipped (no chromium, or no
// web/node_modules/playwright-core). KEEP_TMP=1 keeps the scratch directory.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO, CHROMIUM, fail, check, step, note, summary, until, playwright, http, getJson,
  sendFile, startRekapd, launchProfile, watchPage, ready, pageWidth as wide, shooter, makeKeyInPage } from './lib.mjs';

const pos = process.argv.slice(2).filter(x => !x.startsWith('--'));
if (pos.length !== 1) {
  console.error('usage: node tests/browser/test_recap.mjs BUILD_DIR');
  process.exit(2);
}
const buildDir = resolve(pos[0]);
const rekap = join(buildDir, 'rekap'), rekapd = join(buildDir, 'rekapd');
const pw = playwright();                       // exit 77 without chromium or playwright-core
for (const b of [rekap, rekapd]) if (!existsSync(b)) { console.log(`FAIL - no ${b}`); process.exit(1); }
const shot = shooter('recap');

const tmp = mkdtempSync(join(tmpdir(), 'rekap-recap-'));
const env = { ...process.env, REKAP_DATA: process.env.REKAP_DATA || join(REPO, 'data') };
const run = (cmd, argv) => execFileSync(cmd, argv, { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
const D = join(tmp, 'D');
const KEC = '650101', KEC2 = '650102', KAB = '6501';

let daemon = null, server = null, browser = null;
const pageErrors = [];
process.on('exit', () => {
  if (!process.env.KEEP_TMP) try { rmSync(tmp, { recursive: true, force: true }); } catch { /* best effort */ }
});
for (const [sig, n] of [['SIGINT', 2], ['SIGTERM', 15]]) process.on(sig, () => process.exit(128 + n));

// The built site (web/build.mjs), served here on one origin for the whole
// test: the key lives in that origin's IndexedDB, made before rekapd runs.
function serve(dir) {
  const s = createServer((req, res) => {
    let f = join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    if (f.endsWith('/')) f += 'index.html';
    sendFile(req, res, f, f.startsWith(dir + '/'));
  });
  return new Promise(r => s.listen(0, '127.0.0.1', () => r(s)));
}

const watch = (page, label) => watchPage(page, label, pageErrors);

// The page's unit loaded (its children's table drawn) and the draft ready.
async function unitShown(page) {
  await page.waitForSelector('#kids tbody tr.child');
  await page.waitForSelector('#draft-sum');
}
// The result box of a signed text: { kind, index, text }.
async function resultOf(page, box) {
  const r = page.locator(`${box} .result`);
  await r.waitFor({ timeout: 30000 });
  return { kind: await r.getAttribute('data-result'), index: await r.getAttribute('data-index'), text: await r.innerText() };
}
const detailOf = (pub, code, d, contest = 'ppwp') => getJson(`${pub}/api/v1/recap/${contest}/${code}/${d}.json`);

try {
  // ---- the election: every form counted
  run(rekap, ['gen', '--scope', '65', '--seed', '7', '--out', join(tmp, 'el.json'), '--forms', join(tmp, 'forms.jsonl')]);
  run(rekap, ['init', '--dir', D, '--election', join(tmp, 'el.json'), '--origin', 'example.org/kaltara']);
  run(rekap, ['enrol', '--dir', D, '--generate', join(tmp, 'keys')]);
  run(rekap, ['submit', '--dir', D, '--keys', join(tmp, 'keys'), join(tmp, 'forms.jsonl')]);
  const { build } = await import(pathToFileURL(join(REPO, 'web', 'build.mjs')).href);
  const siteDir = join(tmp, 'site');
  build({ outdir: siteDir, log: () => {} });
  server = await serve(siteDir);
  const site = 'http://127.0.0.1:' + server.address().port;
  const userDir = join(tmp, 'chromium-profile');
  const launch = () => launchProfile(pw, userDir);
  let publicB64;

  // ---- session 1: no server yet; the key is made in the page
  {
    const ctx = await launch();
    const page = ctx.pages()[0] || await ctx.newPage();
    watch(page, 'session 1');
    await page.goto(`${site}/rekap/#/ppwp/${KEC}`);
    await ready(page);
    publicB64 = await makeKeyInPage(page, 'rekap-rekap');
    await page.fill('#key-name', `PPK ${KEC}`);
    await page.waitForFunction(() => document.querySelector('#qr')?.dataset.text.includes('PPK'));
    await step('key: the QR code holds the public key file', async () =>
      (await page.locator('#qr').getAttribute('data-text')) === `rekap-key/1\nname "PPK ${KEC}"\npublic ${publicB64}\n`);
    await step('key: the enrolment command names the region and a recap key', async () => {
      const t = await page.locator('#enrol-cmd').innerText();
      return t.includes(`--region ${KEC}`) && t.includes('--recap') || t;
    });
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#key-download')]);
    await dl.saveAs(join(tmp, 'ppk.pub'));
    check('key: the downloaded file is the public key file', readFileSync(join(tmp, 'ppk.pub'), 'utf8') === `rekap-key/1\nname "PPK ${KEC}"\npublic ${publicB64}\n`);
    check('key: the page is no wider than 360 px', (await wide(page)) <= 360, await wide(page));
    await shot(page, '360-1-key', '#key-card');
    await ctx.close();
  }

  // ---- enrolment (rekapd not running: it would hold the lock)
  await step(`enrol: \`rekap enrol --region ${KEC} --recap\` takes the page's public key file`, async () => {
    let out;
    try { out = run(rekap, ['enrol', '--dir', D, '--region', KEC, '--recap', join(tmp, 'ppk.pub')]); } catch (e) {
      out = run(rekap, ['enrol', '--dir', D, '--region', KEC, '--role', 'recap', join(tmp, 'ppk.pub')]);
    }
    return out.includes(`enrolled ${publicB64} as recap key for ${KEC}`) || out;
  });

  daemon = startRekapd({ rekapd, D, tmp, env, set: ['ingest_key_rate=0', 'web_dir=' + siteDir, 'ingest_url=https://ingest.example.org'] });
  const { ing, pub } = await daemon.ready();
  note(`rekapd public ${pub}, ingest ${ing}; site ${site}`);
  await step('rekapd serves the page at /rekap/ with the ingest URL written into it', async () => {
    const r = await http('GET', `${pub}/rekap/`);
    const t = r.body.toString();
    return r.status === 200 && t.includes('<meta name="rekap-ingest" content="https://ingest.example.org">') || `${r.status} ${t.match(/<meta name="rekap-ingest"[^>]*>/)}`;
  });
  const units = await getJson(`${pub}/api/v1/recap/ppwp/${KEC}.json`);
  const DI = units.units[0].district.index;
  const pageUrl = (hash) => `${site}/rekap/?api=${encodeURIComponent(pub)}&ingest=${encodeURIComponent(ing)}${hash}`;

  // ---- session 2: the same browser profile, the server running
  const ctx = await launch();
  const page = ctx.pages()[0] || await ctx.newPage();
  watch(page, 'session 2');
  await page.goto(pageUrl(`#/ppwp/${KEC}`));
  await ready(page);
  await step('key: still there after the browser restarted', async () => (await page.locator('#pubkey').innerText()).trim() === publicB64);
  await step('units: the kecamatan\'s one PPWP unit opens by itself', async () => {
    await page.waitForURL(u => u.hash === `#/ppwp/${KEC}/${DI}`);
    await unitShown(page);
    return true;
  });
  const d0 = await detailOf(pub, KEC, DI);
  await step('unit: every TPS of the kecamatan, in code order, with its status and version', async () => {
    const rows = await page.$$eval('#kids tbody tr.child', e => e.map(x => x.dataset.child));
    const want = d0.children.map(c => c.code).sort();
    const st = await page.$$eval('#kids tbody tr.child .cs', e => e.map(x => x.textContent));
    return rows.join() === want.join() && rows.length > 3 && st.every(s => s === 'Dihitung') || `${rows.length} rows; ${st.slice(0, 3)}`;
  });
  await step('unit: the sum below is the API\'s, column by column (the summary columns)', async () => {
    const got = await page.$$eval('#kids tfoot tr[data-sum="below"] td', e => e.map(x => x.textContent.replace(/\D/g, '')));
    const want = [2, 20, 28, 29, 30].map(i => String(d0.below[i]));
    return got.slice(0, 5).join() === want.join() || `${got} vs ${want}`;
  });
  await step('unit: a TPS links to the portal\'s TPS page', async () => {
    const href = await page.locator(`#kids tr[data-child="${d0.children[0].code}"] a.drill`).getAttribute('href');
    return href === `${pub}/#/tps/${d0.children[0].code}` || href;
  });
  await step('draft: every child adopted, no difference, the text ready to sign', async () => {
    const s = page.locator('#draft-sum');
    const a = await s.getAttribute('data-adopt');
    const diffs = await page.locator('[data-diffs="draft"]').getAttribute('data-n');
    const text = await page.locator('#recap-text').textContent();
    return Number(a) === d0.children.length && diffs === '0' && text.startsWith(`rekap-dhasil/1\nregion ${KEC}\ncontest ppwp\n`) && text.includes('\nversion 1\n') || `${a} ${diffs} ${text.slice(0, 80)}`;
  });
  check('unit: the page is no wider than 360 px (the table scrolls in its box)', (await wide(page)) <= 360, await wide(page));
  await shot(page, '360-2-unit', '#children-card');

  // ---- version 1: adopt every child
  await page.click('#sign-recap');
  const r1 = await resultOf(page, '#send-result');
  check('recap v1: signed, sent and accepted with its log index', r1.kind === 'accepted' && /^\d+$/.test(r1.index) && r1.text.includes(`#${r1.index}`), JSON.stringify(r1));
  await step('recap v1: the API shows it signed, every child adopted, no difference', async () => {
    const d = await until(async () => { const x = await detailOf(pub, KEC, DI); return x.recap && x.recap.version === 1 ? x : null; }, 10000);
    if (!d) return 'not signed';
    return d.recap.status === 'accepted' && String(d.recap.index) === r1.index && d.children.every(c => c.row && c.row.how === 'adopt' && c.row.version === c.version)
      && d.differences.length === 0 || JSON.stringify({ recap: d.recap, differences: d.differences });
  });
  await step('recap v1: the page shows the unit signed and offers version 2', async () => {
    await page.waitForSelector('#unit-card[data-status="signed"]');
    await page.waitForSelector('#draft-head[data-version="2"]');
    return true;
  });
  await shot(page, '360-3-signed', '#unit-card');

  // ---- a correction that breaks the arithmetic: 422 in the chosen language
  const X = d0.children[2];
  const setCorrect = async (deltas, reason) => {
    await page.selectOption(`select[data-how="${X.code}"]`, 'correct');
    await page.waitForSelector(`tr[data-editor="${X.code}"]`);
    for (const [f, dv] of Object.entries(deltas)) await page.fill(`input[data-code="${X.code}"][data-field="${f}"]`, String(X.numbers[f] + dv));
    await page.fill(`input[data-reason="${X.code}"]`, reason);
  };
  await page.click('#lang');
  await page.fill('#recap-reason', 'Plenary re-count of TPS ' + X.code.slice(-3));
  await setCorrect({ 31: 7 }, 'Re-counted in the plenary');
  const [resp2] = await Promise.all([
    page.waitForResponse(r => r.url().endsWith('/api/v1/submissions') && r.request().method() === 'POST'),
    page.click('#sign-recap')]);
  const body2 = await resp2.json();
  const r2 = await resultOf(page, '#send-result');
  await step('recap v2 (votes no longer add up): 422, logged, every rule\'s message in English', async () => {
    const rules = body2.rules || [];
    return resp2.status() === 422 && r2.kind === 'rejected' && rules.length > 0 && rules.every(x => r2.text.includes(x.code) && r2.text.includes(x.message_en))
      || `${resp2.status()} ${JSON.stringify(body2).slice(0, 300)} :: ${r2.text}`;
  });
  await page.click('#lang');
  await step('recap v2: the same rules in Bahasa Indonesia after the switch', async () => {
    const t = await page.locator('#send-result').innerText();
    return (body2.rules || []).every(x => t.includes(x.message_id)) || t;
  });
  await shot(page, '360-4-rejected', '#send-result');

  // ---- the planted difference: 7 votes moved from pair 1 to pair 2 at one TPS
  await page.waitForSelector('#draft-head[data-version="3"]');
  await page.fill('#recap-reason', 'Penghitungan ulang TPS ' + X.code.slice(-3) + ' di pleno');
  await setCorrect({ 31: 7, 32: -7 }, 'Salah baca: 7 suara paslon 1 tertulis untuk paslon 2');
  await step('draft: the corrected cells are highlighted and the differences name the TPS', async () => {
    const cell = page.locator(`#kids td[data-cell^="${X.code}:"].dd`);
    await cell.first().waitFor();
    const n = await cell.count();
    const rows = await page.$$eval('[data-diffs="draft"] tbody tr', e => e.map(x => ({ f: x.dataset.field, t: x.innerText })));
    return n === 2 && rows.length === 2 && rows[0].f === '31' && rows[0].t.includes('+7') && rows[1].f === '32' && rows[1].t.includes('-7')
      && rows.every(r => r.t.includes(X.code)) || `${n} ${JSON.stringify(rows)}`;
  });
  await step('draft: the text carries the correct row and its why line', async () => {
    const t = await page.locator('#recap-text').textContent();
    const nums = X.numbers.map((v, i) => v + (i === 31 ? 7 : i === 32 ? -7 : 0)).join(' ');
    return t.includes(`\nversion 3\nreason "Penghitungan ulang TPS`) && t.includes(`\ncorrect ${X.code} ${nums}\nwhy "Salah baca: 7 suara paslon 1 tertulis untuk paslon 2"\n`) || t;
  });
  await shot(page, '360-5-draft-diff', '[data-diffs="draft"]');
  await page.click('#sign-recap');
  const r3 = await resultOf(page, '#send-result');
  check('recap v3 (the correction): accepted', r3.kind === 'accepted' && /^\d+$/.test(r3.index), JSON.stringify(r3));
  await step('recap v3: the API shows the difference against the level below, arising at that TPS', async () => {
    const d = await until(async () => { const x = await detailOf(pub, KEC, DI); return x.recap && x.recap.version === 3 ? x : null; }, 10000);
    if (!d) return 'not signed';
    const f = d.differences.map(x => `${x.field}:${x.recap - x.below}:${x.children.join('+')}`).join(' ');
    return f === `31:7:${X.code} 32:-7:${X.code}` || f;
  });
  await step('recap v3: the page highlights the signed recap\'s differences, per field, with the TPS', async () => {
    await page.waitForSelector('#draft-head[data-version="4"]');
    const rows = await page.$$eval('[data-diffs="recap"] tbody tr', e => e.map(x => ({ f: x.dataset.field, t: x.innerText })));
    const cells = await page.locator(`#kids tr[data-child="${X.code}"] td.dl`).count();
    return rows.length === 2 && rows.every(r => r.t.includes(X.code)) && rows[0].t.includes('+7') && cells === 2 || `${JSON.stringify(rows)} cells ${cells}`;
  });
  await shot(page, '360-6-recap-diff', '#diff-card');

  // ---- an objection
  await page.fill('#record-by', 'Saksi Paslon 1, Budi');
  await page.fill('#record-text', 'Keberatan atas koreksi TPS ' + X.code.slice(-3) + ': salinan C.Hasil saksi berbeda');
  await step('record: it concerns the latest accepted recap by default', async () => (await page.locator('#record-recap').inputValue()) === '3');
  await page.click('#sign-record');
  const r4 = await resultOf(page, '#record-result');
  check('record: signed, sent and accepted', r4.kind === 'accepted' && /^\d+$/.test(r4.index), JSON.stringify(r4));
  await step('record: listed, from the API, with who raised it and what', async () => {
    const li = page.locator('#records li[data-number="1"]');
    await li.waitFor({ timeout: 10000 });
    const t = await li.innerText();
    const d = await detailOf(pub, KEC, DI);
    const rec = d.records.find(x => x.number === 1);
    return t.includes('Keberatan saksi') && t.includes('Saksi Paslon 1, Budi') && rec && rec.kind === 'objection' && rec.recap === 3 || `${t} ${JSON.stringify(d.records)}`;
  });
  await shot(page, '360-7-record', '#records-card');

  // ---- a refusal: this key is not the other kecamatan's
  await page.goto(pageUrl(`#/ppwp/${KEC2}/${DI}`));
  await ready(page);
  await unitShown(page);
  await page.click('#sign-recap');
  const r5 = await resultOf(page, '#send-result');
  await step('refusal: the key is not enrolled for that kecamatan: the code and the server\'s message, in both languages', async () => {
    const code = await page.locator('#send-result [data-code]').getAttribute('data-code');
    const id = await page.locator('#send-result .err').innerText();
    await page.click('#lang');
    const en = await page.locator('#send-result .err').innerText();
    await page.click('#lang');
    return r5.kind === 'refused' && /^KEY_/.test(code) && id !== en && id.includes(code) || `${r5.kind} ${code} | ${id} | ${en}`;
  });

  // ---- drill-down from the kab/kota
  await page.goto(pageUrl(`#/ppwp/${KAB}/${DI}`));
  await ready(page);
  await unitShown(page);
  await step('drill-down: the kab/kota lists the kecamatan signed; its link opens the kecamatan\'s unit', async () => {
    const st = await page.locator(`#kids tr[data-child="${KEC}"] .cs`).innerText();
    await page.click(`#kids tr[data-child="${KEC}"] a.drill`);
    await page.waitForURL(u => u.hash === `#/ppwp/${KEC}/${DI}`);
    await page.waitForSelector(`#unit-title:has-text("(${KEC})")`);
    return st === 'Rekap ditandatangani' || st;
  });
  check('no page scrolls sideways at 360 px', (await wide(page)) <= 360, await wide(page));
  await shot(page, '360-full');
  await ctx.close();

  // ---- a laptop projector: 1280 px
  browser = await pw.chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  const big = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  watch(big, '1280');
  await big.goto(pageUrl(`#/ppwp/${KEC}/${DI}`));
  await ready(big);
  await unitShown(big);
  check('1280 px: the page is no wider than the window', (await wide(big)) <= 1280, await wide(big));
  await step('key: a `rekap keygen` file is imported (its name and public key, not extractable)', async () => {
    run(rekap, ['keygen', '--out', join(tmp, 'kab.key'), '--name', `KPU ${KAB}`]);
    const pubLine = readFileSync(join(tmp, 'kab.key'), 'utf8').match(/^public (.*)$/m)[1];
    await big.setInputFiles('#key-file', join(tmp, 'kab.key'));
    await big.waitForSelector('#pubkey');
    const shown = (await big.locator('#pubkey').innerText()).trim();
    const name = await big.locator('#key-name').inputValue();
    return shown === pubLine && name === `KPU ${KAB}` || `${shown} ${name}`;
  });
  await shot(big, '1280-unit');
  await big.selectOption('#colgroup', 'votes');
  await shot(big, '1280-votes', '#children-card');
  await big.goto(pageUrl(`#/dprd_kab/${KAB}`));
  await ready(big);
  await step('units: a kab/kota lists one DPRD kab/kota unit per dapil, each linking to it', async () => {
    await big.waitForSelector('#units-card .units li');
    const doc = await getJson(`${pub}/api/v1/recap/dprd_kab/${KAB}.json`);
    const got = await big.$$eval('#units-card .units li a', e => e.map(x => x.getAttribute('href')));
    return doc.units.length > 1 && got.join() === doc.units.map(u => `#/dprd_kab/${KAB}/${u.district.index}`).join() || `${got} ${doc.units.length}`;
  });
  await shot(big, '1280-units');

  check('no script error on any page', pageErrors.length === 0, pageErrors.join('\n'));
} catch (e) {
  fail('the test ran to its end', e.stack || e);
  if (daemon && daemon.log()) note(daemon.log().slice(-1500).replace(/\n/g, '\n# '));
} finally {
  if (browser) await browser.close().catch(() => {});
  if (server) await new Promise(r => server.close(r));
  if (daemon) await daemon.stop();
  if (process.env.KEEP_TMP) note('kept ' + tmp);
}
process.exit(summary());
