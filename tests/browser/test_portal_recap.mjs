// The tiered recap (D.Hasil) on the public portal, in chromium at 360 x 740,
// against a real rekapd on a generated province. Recap keys for the
// province and every kab/kota and kecamatan are enrolled before rekapd
// starts (rekap enrol --generate --recap); the test then signs recaps
// itself, as a plenary would — `rekap recap draft` (it reads the directory
// rekapd runs on), `rekap recap sign`, POST to the ingest listener:
//   - PPWP, every kecamatan of kab/kota 6501: 650101 with one TPS
//     corrected in the plenary (7 votes moved from pair 2 to pair 1, a
//     `correct` row) and the held-back TPS marked pending, plus an
//     objection and a special event recorded; the others adopt every TPS;
//   - PPWP, kab/kota 6501 adopting every kecamatan but one, corrected by
//     3 votes (a difference at that level, traced to the kecamatan);
//   - a KPPS correction in 650102 after its recap (the recap is stale);
//   - a version 2 of 650103 whose totals do not add up (rejected,
//     RECAP_SUM; version 1 stands);
//   - DPRD kab/kota, one dapil of 6501 recapitulated to the kab/kota, so
//     the determination is "mixed".
// Then the portal: the region pages' panel (status in plain words, the
// children's counts, the records, the TPS sum beside the signed sum with
// the differences highlighted), the unit pages (the recap as signed, the
// difference traced to the TPS and down from the kab/kota, the children's
// rows, versions, records), nothing where a contest is not recapitulated,
// the determination's sources, English, no sideways scroll at 360 px, and
// screenshots (portal-recap-*.png in $SHOT_DIR).
// usage: node tests/browser/test_portal_recap.mjs REKAPD_BUILD_DIR [--same-origin]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { browserTest, at, step, check, note, until, http, idNum, shotDir, REPO } from './lib.mjs';

const KAB = '6501', KEC = '650101', STALE_KEC = '650102', REJ_KEC = '650103', KAB_FIX = '650104';
const FIXED_TPS = '6501011003002';   // corrected in the plenary of 650101
const CORRECTION = 'salah baca formulir di rapat pleno';

await browserTest(async ({ a, env, browser, api, watch }) => {
  const renv = { ...process.env, REKAP_DATA: process.env.REKAP_DATA || join(REPO, 'data') };
  const R = argv => execFileSync(a.rekap, argv, { encoding: 'utf8', env: renv, stdio: ['ignore', 'pipe', 'pipe'] });
  let n = 0;
  const file = (name, text) => { const f = join(env.tmp, `${++n}-${name}`); writeFileSync(f, text); return f; };
  async function post(text, region) {
    const body = R(['recap', 'sign', '--key', join(env.tmp, 'rkeys', region + '.key'), file('signed.txt', text)]).trim();
    const r = await http('POST', env.ing + '/api/v1/submissions', body, { 'Content-Type': 'application/json' });
    return { status: r.status, body: JSON.parse(r.body.toString() || '{}') };
  }
  // Draft a unit's next version with the CLI, optionally changed, signed and sent.
  async function recap(region, contest, { district, reason, correct = [], mark = [], edit } = {}) {
    const argv = ['recap', 'draft', '--dir', env.D, '--region', region, '--contest', contest];
    if (district) argv.push('--district', district);
    if (reason) argv.push('--reason', reason);
    for (const c of correct) argv.push('--correct', c);
    for (const m of mark) argv.push('--mark', m);
    let text = R(argv);
    if (edit) text = edit(text);
    return post(text, region);
  }
  async function record(region, contest, kind, by, text) {
    return post(R(['recap', 'record', '--dir', env.D, '--region', region, '--contest', contest, '--kind', kind, '--by', by, '--text', text]), region);
  }
  // A child's numbers moved: `moves` [[field key, delta], ...]; the line
  // --correct reads.
  function moved(unit, code, moves) {
    const k = unit.children.find(c => c.code === code);
    const v = [...k.numbers];
    for (const [key, d] of moves) v[unit.fields.findIndex(f => f.key === key)] += d;
    return v.join(' ') + '\n';
  }
  // Until the API shows a unit at `version` (accepted): only then does the
  // CLI's draft of the next step (a record, the level above) see it.
  async function shows(contest, region, d, version) {
    const ok = await until(async () => (await api(`/api/v1/recap/${contest}/${region}/${d}.json`)).recap?.version === version, 15000);
    if (!ok) { signedOk = false; note(`${contest} ${region}/${d}: version ${version} not shown`); }
  }

  // ---------------------------------------------------------- the recaps
  let signedOk = true;
  const kab = await api(`/api/v1/recap/ppwp/${KAB}/0.json`);
  const kecs = kab.children.map(c => c.code);
  const unit0 = await api(`/api/v1/recap/ppwp/${KEC}/0.json`);
  const expect = (what, r, status) => { if (r.status !== status) { signedOk = false; note(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`); } return r; };
  const corr = file('tps.numbers', moved(unit0, FIXED_TPS, [['votes[0]', 7], ['votes[1]', -7]]));
  expect(`PPWP ${KEC} v1`, await recap(KEC, 'ppwp', { correct: [`${FIXED_TPS}:${corr}:${CORRECTION}`] }), 201);
  await shows('ppwp', KEC, 0, 1);
  expect('objection', await record(KEC, 'ppwp', 'objection', 'Saksi pasangan calon 01', 'Suara TPS 002 Desa Tanjung Palas Hilir terbaca salah; dihitung ulang di pleno.'), 201);
  expect('event', await record(KEC, 'ppwp', 'event', 'Ketua PPK', 'Rapat pleno diskors 30 menit karena listrik padam.'), 201);
  for (const k of kecs.filter(k => k !== KEC)) expect(`PPWP ${k} v1`, await recap(k, 'ppwp'), 201);
  for (const k of kecs) await shows('ppwp', k, 0, 1);
  const kabNow = await until(async () => { const d = await api(`/api/v1/recap/ppwp/${KAB}/0.json`); return d.children.every(c => c.status === 'signed') && d; }, 15000);
  const kfix = file('kec.numbers', moved(kabNow, KAB_FIX, [['votes[0]', 3], ['votes[2]', -3]]));
  expect(`PPWP ${KAB} v1`, await recap(KAB, 'ppwp', { correct: [`${KAB_FIX}:${kfix}:koreksi rapat pleno kabupaten`] }), 201);

  // the stale one: a KPPS correction (same numbers, version 2) after the recap
  const form = env.now.find(f => f.contest === 'ppwp' && f.tps.startsWith(STALE_KEC));
  const body = R(['sign', '--keys', join(env.tmp, 'keys'), '--version', '2', '--reason', 'tanda tangan saksi dilengkapi', file('form.json', JSON.stringify(form))]).trim();
  const kr = await http('POST', env.ing + '/api/v1/submissions', body, { 'Content-Type': 'application/json' });
  if (kr.status !== 201) { signedOk = false; note('KPPS correction: ' + kr.status + ' ' + kr.body); }

  // the rejected one: version 2 whose totals are one vote off
  const rej = await recap(REJ_KEC, 'ppwp', { reason: 'perbaikan salah ketik', edit: t => t.replace(/^totals (.*)$/m, (m, v) => {
    const x = v.split(' ').map(Number); x[28] += 1; return 'totals ' + x.join(' ');
  }) });
  expect(`PPWP ${REJ_KEC} v2 (meant to be rejected)`, rej, 422);

  // DPRD kab/kota: one dapil of 6501 recapitulated up to the kab/kota
  const dk = await api(`/api/v1/recap/dprd_kab/${KAB}.json`);
  const dist = dk.units.reduce((best, u) => u.children.total < best.children.total ? u : best).district;
  const dkUnit = await api(`/api/v1/recap/dprd_kab/${KAB}/${dist.index}.json`);
  for (const c of dkUnit.children) expect(`DPRD kab ${c.code}`, await recap(c.code, 'dprd_kab', { district: dist.id }), 201);
  for (const c of dkUnit.children) await shows('dprd_kab', c.code, dist.index, 1);
  expect(`DPRD kab ${KAB}`, await recap(KAB, 'dprd_kab', { district: dist.id }), 201);
  await shows('dprd_kab', KAB, dist.index, 1);
  await shows('ppwp', KAB, 0, 1);
  await until(async () => (await api(`/api/v1/recap/ppwp/${STALE_KEC}.json`)).units[0].status === 'stale', 15000);
  await until(async () => (await api(`/api/v1/recap/ppwp/${REJ_KEC}.json`)).units[0].status === 'rejected', 15000);
  check('every recap and record was answered as meant (201; the tampered one 422) and shown by the API', signedOk);

  // ---------------------------------------------------------- the browser
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 1 });
  const page = watch(await context.newPage());
  page.setDefaultTimeout(15000);
  const dir = shotDir();
  const wide = () => page.evaluate(() => document.documentElement.scrollWidth);
  const shot = async name => { await page.waitForLoadState('networkidle'); await page.screenshot({ path: join(dir, `portal-recap-${name}-360.png`), fullPage: true }); };
  const text = sel => page.locator(sel).first().innerText();
  // The page drawn anew after act(): a marker put into the old one is gone
  // and sel is there (the old page may have had sel too).
  async function fresh(act, sel) {
    await page.evaluate(() => document.querySelector('#view')?.insertAdjacentHTML('afterbegin', '<i id="old-page" hidden></i>'));
    await act();
    await page.waitForFunction(s => !document.getElementById('old-page') && document.querySelector(s), sel);
  }
  const go = (hash, sel) => fresh(() => page.goto(at(env, hash)), sel);
  const follow = (link, sel) => fresh(() => page.click(link), sel);
  const recapReqs = [];
  page.on('request', r => { if (r.url().includes('/api/v1/recap/')) recapReqs.push(r.url().replace(/^https?:\/\/[^/]+/, '')); });

  // ---- the kecamatan's region page
  const reg = await api(`/api/v1/recap/ppwp/${KEC}.json`);
  const res = await api(`/api/v1/results/ppwp/${KEC}.json`);
  await go(`#/ppwp/65/${KAB}/${KEC}`, '#recap .units li');
  await step('kecamatan page: the panel says the unit is signed, version 1, with the time', async () => {
    const s = await text('#recap .units li .rs');
    return reg.units[0].status === 'signed' && /^Ditandatangani versi 1 pada \d+ \w+ \d{4}, \d\d:\d\d:\d\d WIB$/.test(s) || s;
  });
  await step('kecamatan page: the children counted as the API counts them, and the records', async () => {
    const c = reg.units[0].children;
    const s = await text('#recap .units li .rc');
    const want = `${c.total} TPS: ${c.adopted} diambil · ${c.marked} ditandai · ${c.corrected} dikoreksi · ${c.unsigned} belum ada hasil · 2 catatan rapat pleno`;
    return c.corrected === 1 && c.marked > 0 && c.unsigned === c.marked && s === want || `${s} ≠ ${want}`;
  });
  await step('kecamatan page: the TPS sum beside the signed sum; the pairs\' rows differ by 7 and are highlighted', async () => {
    const rows = await page.$$eval('#recap-cmp tbody tr', trs => trs.map(tr => ({ dif: tr.classList.contains('dif'), cells: [...tr.children].map(c => c.innerText.trim()) })));
    const want = [
      ['Pengguna hak pilih', reg.tps_sum.voters, reg.signed_sum.voters],
      ['Suara sah', reg.tps_sum.valid, reg.signed_sum.valid],
      ['Suara tidak sah', reg.tps_sum.invalid, reg.signed_sum.invalid],
      ...res.selections.map((s, i) => [`${String(s.no).padStart(2, '0')}. ${s.name}`, reg.tps_sum.votes[i], reg.signed_sum.votes[i]]),
    ];
    const bad = want.filter(([l, x, y], i) => {
      const r = rows[i];
      const d = y - x;
      return !r || r.cells[0] !== l || r.cells[1] !== idNum(x) || r.cells[2] !== idNum(y) || r.dif !== (d !== 0) ||
        r.cells[3] !== (d ? (d > 0 ? '+' : '−') + idNum(Math.abs(d)) : '·');
    });
    const deltas = rows.map(r => r.cells[3]);
    return !bad.length && rows.length === want.length && deltas[3] === '+7' && deltas[4] === '−7' || JSON.stringify({ bad, rows });
  });
  await step('kecamatan page: no sideways scroll at 360 px', async () => (await wide()) <= 360 || String(await wide()));
  await shot('kecamatan');

  // ---- the unit's page, from the panel's link
  const unit = await api(`/api/v1/recap/ppwp/${KEC}/0.json`);
  await follow('#recap .units li a.go', '#u-status');
  await step('unit page: reached from the panel, its URL names the unit', async () => (await page.evaluate(() => location.hash)) === `#/rekap/ppwp/${KEC}/0`);
  await step('unit page: the recap as signed: version, time, log index, officer\'s key', async () => {
    const s = await text('#u-status');
    return s.startsWith('Ditandatangani versi 1 pada') && s.includes(`entri log #${unit.recap.index}`) && s.includes(unit.recap.officer) &&
      (await page.locator('#u-status').getAttribute('data-status')) === 'signed' || s;
  });
  await step('unit page: each difference per field, traced to the corrected TPS', async () => {
    const items = await page.$$eval('#u-diffs li', ls => ls.map(l => ({ field: l.dataset.field, text: l.innerText, links: [...l.querySelectorAll('a[data-code]')].map(a => a.dataset.code) })));
    const d0 = unit.differences;
    const names = unit.fields.slice(31).map(f => `${String(f.no).padStart(2, '0')}. ${f.candidate}`);
    return d0.length === 2 && items.length === 2 && items.every((it, i) =>
      Number(it.field) === d0[i].field && it.links.join() === FIXED_TPS && it.text.includes(names[d0[i].field - 31]) &&
      it.text.includes(`Rekap ${idNum(d0[i].recap)} · Tingkat bawah ${idNum(d0[i].below)}`) && it.text.includes(d0[i].recap > d0[i].below ? '+7' : '−7')) ||
      JSON.stringify({ items, d0 });
  });
  await step('unit page: the children worth a look listed first (the correction, the marked TPS); all of them folded', async () => {
    const want = unit.children.filter(k => k.row.how !== 'adopt').map(k => k.code);
    const note = await page.$$eval('#u-kids-note tbody tr', trs => trs.map(tr => tr.dataset.code));
    const folded = !(await page.locator('#u-children details.kids').evaluate(d => d.open));
    return folded && want.length === 6 && note.join() === want.join() || `${folded} ${note} / ${want}`;
  });
  await shot('unit-kecamatan');
  await page.click('#u-children details.kids > summary');
  await step('unit page: the children\'s rows: the correction with its reason, the held-back TPS marked, the rest adopted', async () => {
    const rows = await page.$$eval('#u-kids tbody tr', trs => trs.map(tr => ({ code: tr.dataset.code, dif: tr.classList.contains('dif'), cells: [...tr.children].map(c => c.innerText.trim()) })));
    const bad = unit.children.filter((k, i) => {
      const r = rows[i];
      if (!r || r.code !== k.code) return true;
      if (k.row.how === 'correct') return r.cells[1] !== `Dikoreksi rapat pleno: “${CORRECTION}”` || !r.dif || r.cells[3] !== `${k.diff.length} isian`;
      if (k.row.how === 'mark') return !r.cells[1].startsWith('Ditandai, belum ada hasil') || r.cells[2] !== 'Belum ada formulir';
      return r.cells[1] !== `Diambil (versi ${k.row.version})` || r.cells[2] !== `Dihitung, versi ${k.version}`;
    });
    return rows.length === unit.children.length && !bad.length || JSON.stringify(bad.slice(0, 3)) + JSON.stringify(rows.slice(0, 3));
  });
  await step('unit page: the plenary records with their kind, who and what', async () => {
    const recs = await page.$$eval('#u-records li', ls => ls.map(l => l.innerText));
    return recs.length === 2 && recs[0].includes('Keberatan saksi') && recs[0].includes('Oleh: Saksi pasangan calon 01') &&
      recs[0].includes('Suara TPS 002 Desa Tanjung Palas Hilir terbaca salah') && recs[0].includes('tentang rekap versi 1') &&
      recs[1].includes('Kejadian khusus') && recs[1].includes('listrik padam') || recs.join(' / ');
  });
  await step('unit page: the version history', async () => {
    const v = await page.$$eval('#u-versions li', ls => ls.map(l => l.innerText));
    return v.length === 1 && v[0].includes('Versi 1') && v[0].includes('diterima') && v[0].includes('berlaku') || v.join(' / ');
  });
  await step('unit page: the recap\'s numbers against the level below, the pairs highlighted', async () => {
    const rows = await page.$$eval('#u-totals tbody tr.dif', trs => trs.map(tr => tr.dataset.key));
    return rows.join() === 'votes[0],votes[1]' || rows.join();
  });
  await step('unit page: no sideways scroll at 360 px', async () => (await wide()) <= 360 || String(await wide()));
  await shot('unit-kecamatan-all');
  await step('unit page: the difference\'s link opens the TPS\'s page', async () => {
    await page.click(`#u-diffs a[data-code="${FIXED_TPS}"] >> nth=0`);
    await page.waitForFunction(() => document.querySelector('main h1')?.textContent.includes('TPS 002'));
    return (await page.evaluate(() => location.hash)).endsWith('/' + FIXED_TPS) || await page.evaluate(() => location.hash);
  });

  // ---- the kab/kota: its unit corrected one kecamatan; the link goes down to that kecamatan's unit
  const kabUnit = await api(`/api/v1/recap/ppwp/${KAB}/0.json`);
  await go(`#/ppwp/65/${KAB}`, '#recap .units li');
  await step('kab/kota page: signed; the TPS sum and the signed sum differ by the kecamatan\'s and the kab/kota\'s corrections', async () => {
    const r = await api(`/api/v1/recap/ppwp/${KAB}.json`);
    const s = await text('#recap .units li .rs');
    const deltas = await page.$$eval('#recap-cmp tbody tr', trs => trs.map(tr => tr.children[3].innerText.trim()));
    const want = r.signed_sum.votes.map((v, i) => v - r.tps_sum.votes[i]);
    return s.startsWith('Ditandatangani versi 1') && want.join() === '10,-7,-3' && deltas.slice(3).join() === '+10,−7,−3' || `${s} ${deltas} ${want}`;
  });
  await follow('#recap .units li a.go', '#u-diffs');
  await step('kab/kota unit: the differences arise at the corrected kecamatan, whose link opens its own unit', async () => {
    const links = await page.$$eval('#u-diffs a[data-code]', as => as.map(a => a.dataset.code + ' ' + a.getAttribute('href')));
    const ok = kabUnit.differences.length === 2 && links.length === 2 && links.every(l => l === `${KAB_FIX} #/rekap/ppwp/${KAB_FIX}/0`);
    if (!ok) return links.join(' | ');
    const row = await page.locator(`#u-kids tr[data-code="${KAB_FIX}"]`).innerText();
    if (!row.includes('Dikoreksi rapat pleno: “koreksi rapat pleno kabupaten”')) return row;
    const name = kabUnit.children.find(c => c.code === KAB_FIX).name;
    await page.click(`#u-diffs a[data-code="${KAB_FIX}"] >> nth=0`);
    await page.waitForFunction(n => document.querySelector('main h1')?.textContent.includes(n) && document.querySelector('#u-status'), name);
    return (await page.evaluate(() => location.hash)) === `#/rekap/ppwp/${KAB_FIX}/0` || await page.evaluate(() => location.hash);
  });
  await go(`#/rekap/ppwp/${KAB}/0`, '#u-diffs');
  await shot('unit-kabkota');

  // ---- stale, rejected, nothing signed, nothing at all
  await go(`#/ppwp/65/${KAB}/${STALE_KEC}`, '#recap .units li');
  await step('a kecamatan whose TPS was corrected after its recap: "perlu diperbarui"', async () => {
    const s = await text('#recap .units li .rs');
    const r = await api(`/api/v1/recap/ppwp/${STALE_KEC}.json`);
    return r.units[0].status === 'stale' && s === 'Perlu diperbarui: 1 anak berubah sejak versi 1 ditandatangani' || s;
  });
  await follow('#recap .units li a.go', '#u-kids-note');
  await step('its unit page names the TPS that moved on', async () => {
    const row = await page.locator(`#u-kids-note tr[data-code="${form.tps}"]`).innerText();
    return (await page.locator('#u-status').getAttribute('data-status')) === 'stale' && row.includes('Diambil (versi 1)') && row.includes('sekarang versi 2') || row;
  });
  await go(`#/ppwp/65/${KAB}/${REJ_KEC}`, '#recap .units li');
  await step('a kecamatan whose version 2 broke the sums: "ditolak" with the code, version 1 stands', async () => {
    const s = await text('#recap .units li .rs');
    const u = (await api(`/api/v1/recap/ppwp/${REJ_KEC}.json`)).units[0];
    return u.status === 'rejected' && u.codes.includes('RECAP_SUM') && s === `Versi 2 ditolak: ${u.codes.join(', ')} (versi 1 tetap berlaku)` || s;
  });
  await follow('#recap .units li a.go', '#u-versions');
  await step('its unit page lists version 2 rejected with its code and reason', async () => {
    const v = await page.$$eval('#u-versions li', ls => ls.map(l => l.innerText));
    return v.length === 2 && v[0].includes('Versi 2') && v[0].includes('ditolak') && v[0].includes('RECAP_SUM') && v[0].includes('perbaikan salah ketik') &&
      v[1].includes('Versi 1') && v[1].includes('berlaku') || v.join(' / ');
  });
  await shot('unit-rejected');
  await go(`#/dpr/65/${KAB}/${KEC}`, '#recap .units li');
  await step('a contest with no recap signed yet: "belum ditandatangani", and no comparison', async () => {
    const s = await text('#recap');
    return s.includes('Belum ditandatangani') && s.includes('Belum ada rekapitulasi yang ditandatangani') && !(await page.$('#recap-cmp')) || s;
  });
  await step('a province page (DPRD kab/kota, not recapitulated there) and a desa page show no panel and ask nothing', async () => {
    recapReqs.length = 0;
    await go('#/dprd_kab/65', 'table.ct');
    const prov = await page.$('#recap');
    await go(`#/ppwp/65/${KAB}/${KEC}/6501011001`, 'table.tl');
    const desa = await page.$('#recap');
    return !prov && !desa && recapReqs.length === 0 || `prov ${!!prov} desa ${!!desa} ${recapReqs}`;
  });
  await step('an unknown unit: the API\'s error in the reader\'s language', async () => {
    await go('#/rekap/ppwp/650101/7', 'main .err');
    const s = await text('main .err');
    return s.includes('RECAP_UNIT_UNKNOWN') || s.includes('NOT_FOUND') || s;
  });

  // ---- the determination: mixed, per dapil
  const det = await api('/api/v1/determination/dprd_kab.json');
  await go('#/penetapan/dprd_kab', '#det-elected');
  await step('determination: "mixed" said first, with how many dapil come from the recap', async () => {
    const s = await text('#det-source');
    const nr = det.districts.filter(x => x.source === 'recap').length;
    return det.source === 'mixed' && nr === 1 && s.includes('Sebagian ditetapkan dari rekapitulasi, sebagian sementara') &&
      s.includes(`1 dari ${det.districts.length} dapil ditetapkan dari rekapitulasi`) || `${det.source} ${nr} ${s}`;
  });
  await step('determination: each dapil labelled by its source, in the seats table and with its elected', async () => {
    const tags = await page.$$eval('#det-elected details.dapil', ds => ds.map(d => ({ id: d.id, src: d.querySelector('.src-d')?.dataset.src, text: d.querySelector('.src-d')?.innerText })));
    const seats = await page.$$eval('#det-seats tbody tr', trs => trs.map(tr => ({ i: tr.dataset.index, src: tr.dataset.src, tag: tr.querySelector('.src-d')?.innerText || '' })));
    const bad = det.districts.filter(x => {
      const e = tags.find(g => g.id === 'det-d' + x.index), s = seats.find(r => r.i === String(x.index));
      return !e || !s || e.src !== x.source || s.src !== x.source || s.tag !== (x.source === 'recap' ? '✓ rekap' : '') ||
        e.text !== (x.source === 'recap' ? 'Ditetapkan dari rekapitulasi' : 'Sementara (formulir TPS)');
    });
    return !bad.length && det.districts.find(x => x.index === dist.index).source === 'recap' || JSON.stringify(bad.slice(0, 3));
  });
  await step('determination: no sideways scroll at 360 px', async () => (await wide()) <= 360 || String(await wide()));
  await shot('determination-mixed');

  // ---- English
  await go(`#/rekap/ppwp/${KEC}/0`, '#u-status');
  await page.click('#lang');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await step('English: the unit\'s status, rows and records', async () => {
    const s = await text('#u-status'), kids = await text('#u-kids-note'), recs = await text('#u-records');
    return s.startsWith('Signed, version 1, at') && kids.includes(`Corrected by the plenary: “${CORRECTION}”`) && kids.includes('Marked, no result yet') &&
      recs.includes("Witness's objection") && recs.includes('Special event') || `${s} | ${recs}`;
  });
  await go(`#/ppwp/65/${KAB}/${KEC}`, '#recap .units li');
  await step('English: the region\'s panel', async () => {
    const s = await text('#recap');
    return s.includes('Tiered recapitulation (D.Hasil)') && s.includes('Signed, version 1, at') && s.includes('Sum of the TPS forms') && s.includes('Sum of the signed recaps') || s;
  });
  await shot('kecamatan-en');
  await page.click('#lang');
  await context.close();

  // ---- wider: the pages at a desktop width
  const big = watch(await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage());
  for (const [name, hash, sel] of [['unit-kecamatan', `#/rekap/ppwp/${KEC}/0`, '#u-kids-note'], ['kecamatan', `#/ppwp/65/${KAB}/${KEC}`, '#recap-cmp']]) {
    await big.goto(at(env, hash));
    await big.waitForSelector(sel);
    await big.waitForLoadState('networkidle');
    await big.screenshot({ path: join(dir, `portal-recap-${name}-1280.png`), fullPage: true });
  }
  note(`screenshots: ${dir}/portal-recap-*.png`);
}, {
  // recap keys of the province and every kab/kota and kecamatan in it
  beforeDaemon: ({ tmp, D, rekap, run }) => { run(rekap, ['enrol', '--dir', D, '--generate', join(tmp, 'rkeys'), '--recap', '--region', '65']); },
});
