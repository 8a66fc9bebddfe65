// The tiered recap (D.Hasil) in the public portal without a browser: the
// unit's route, where a contest is recapitulated, a unit's status in plain
// words, the region's TPS sum beside its signed sum, the region page's
// panel, the unit page's field names, differences traced to their
// children, rows and statuses, and the determination's sources (recap,
// mixed, tps; per district), in both languages, names escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, format } from '../portal/route.js';
import { translator, STRINGS, wib } from '../portal/i18n.js';
import { recapAt, unitStatus, childCounts, compareRows, signed, panel, childLevel } from '../portal/recap.js';
import * as unit from '../portal/unit.js';
import { render as detRender, sourceOf, districtSource } from '../portal/determination.js';

const ctx = lang => ({ lang, t: translator(lang), meta: {}, names: new Map(), api: { url: p => 'http://api' + p } });
const text = h => String(h).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim();
const T = { id: translator('id'), en: translator('en') };

test('route: #/rekap/<contest>/<code>/<district> both ways; anything else is not found', () => {
  for (const [r, h] of [
    [{ name: 'recap', contest: 'ppwp', code: '650101', d: 0 }, '#/rekap/ppwp/650101/0'],
    [{ name: 'recap', contest: 'dpr', code: '0', d: 12 }, '#/rekap/dpr/0/12'],
    [{ name: 'recap', contest: 'dprd_kab', code: '6501', d: 2 }, '#/rekap/dprd_kab/6501/2'],
  ]) {
    assert.equal(format(r), h);
    assert.deepEqual(parse(h), r);
  }
  for (const h of ['#/rekap', '#/rekap/ppwp/650101', '#/rekap/xyz/65/0', '#/rekap/ppwp/6501011001/0', '#/rekap/ppwp/65/x', '#/rekap/ppwp/65/0/1']) {
    assert.equal(parse(h).name, 'notfound', h);
  }
});

test('where each contest is recapitulated (docs/RECAP.md "Units")', () => {
  const at = c => ['0', '65', '6501', '650101', '6501011001', '6501011001001'].filter(code => recapAt(c, code));
  assert.deepEqual(at('ppwp'), ['0', '65', '6501', '650101']);
  assert.deepEqual(at('dpr'), ['0', '65', '6501', '650101']);
  assert.deepEqual(at('dpd'), ['65', '6501', '650101']);
  assert.deepEqual(at('dprd_prov'), ['65', '6501', '650101']);
  assert.deepEqual(at('dprd_kab'), ['6501', '650101']);
  assert.equal(recapAt('nope', '65'), false);
  assert.deepEqual(['0', '65', '6501', '650101'].map(childLevel), [1, 2, 3, 5]);
});

const AT = 1707890400;   // 2024-02-14 13:00:00 WIB
const UNIT = (over = {}) => ({
  district: { index: 0, id: 'ppwp', name: 'PRESIDEN DAN WAKIL PRESIDEN', seats: 1 }, status: 'signed', version: 1, latest: 1,
  index: 11705, signed_at: AT, codes: [], children: { total: 77, adopted: 71, marked: 5, corrected: 1, unsigned: 5, stale: 0 },
  records: 2, detail: '/api/v1/recap/ppwp/650101/0.json', ...over,
});

test('a unit\'s status in plain words, both languages', () => {
  assert.deepEqual(unitStatus(T.id, 'id', UNIT()), { cls: 'st-counted', text: 'Ditandatangani versi 1 pada ' + wib('id', AT) });
  assert.equal(unitStatus(T.en, 'en', UNIT()).text, 'Signed, version 1, at 14 Feb 2024, 13:00:00 WIB');
  const stale = UNIT({ status: 'stale', children: { ...UNIT().children, stale: 2 } });
  assert.deepEqual(unitStatus(T.id, 'id', stale), { cls: 'st-flagged', text: 'Perlu diperbarui: 2 anak berubah sejak versi 1 ditandatangani' });
  const rej = UNIT({ status: 'rejected', latest: 2, codes: ['RECAP_SUM', 'RECAP_TOTAL_SUM'] });
  assert.deepEqual(unitStatus(T.id, 'id', rej), { cls: 'st-rejected', text: 'Versi 2 ditolak: RECAP_SUM, RECAP_TOTAL_SUM (versi 1 tetap berlaku)' });
  assert.equal(unitStatus(T.en, 'en', { ...rej, version: 0, latest: 1 }).text, 'Version 1 rejected: RECAP_SUM, RECAP_TOTAL_SUM');
  assert.deepEqual(unitStatus(T.id, 'id', UNIT({ status: 'none', version: 0, latest: 0 })), { cls: 'st-none', text: 'Belum ditandatangani' });
  assert.equal(unitStatus(T.en, 'en', UNIT({ status: 'none' })).text, 'Not signed yet');
});

test('the children\'s counts', () => {
  assert.equal(childCounts(T.id, 'id', '650101', UNIT().children), '77 TPS: 71 diambil · 5 ditandai · 1 dikoreksi · 5 belum ada hasil');
  assert.equal(childCounts(T.en, 'en', '6501', { total: 10, adopted: 9, marked: 0, corrected: 1, unsigned: 0, stale: 1 }),
    '10 District: 9 adopted · 1 corrected · 1 changed since signed');
  assert.equal(childCounts(T.id, 'id', '6501', { total: 1200 }), '1.200 Kecamatan');
  assert.equal(childCounts(T.id, 'id', '6501', null), '');
});

const SELS = [{ no: 1, name: 'Anies - Muhaimin', votes: 2660 }, { no: 2, name: 'Prabowo - Gibran', votes: 8306 }, { no: 3, name: 'Ganjar - Mahfud', votes: 3271 }];
const REGION = (over = {}) => ({
  contest: 'ppwp', region: { code: '650101', name: 'Tanjung Palas', tingkat: 3 }, level: 'kecamatan', units: [UNIT()],
  tps: { counted: 72, expected: 77 },
  tps_sum: { valid: 14237, invalid: 264, total: 14501, voters: 14501, votes: [2660, 8306, 3271] },
  signed_units: 1, signed_sum: { valid: 14237, invalid: 264, total: 14501, voters: 14501, votes: [2667, 8299, 3271] }, ...over,
});

test('the TPS sum beside the signed sum, under the region page\'s labels, each difference signed', () => {
  const rows = compareRows(T.id, 'ppwp', SELS.map((s, i) => ({ s, i })), REGION());
  assert.deepEqual(rows.map(r => [r.label, r.tps, r.signed, r.delta]), [
    ['Pengguna hak pilih', 14501, 14501, 0], ['Suara sah', 14237, 14237, 0], ['Suara tidak sah', 264, 264, 0],
    ['01. Anies - Muhaimin', 2660, 2667, 7], ['02. Prabowo - Gibran', 8306, 8299, -7], ['03. Ganjar - Mahfud', 3271, 3271, 0],
  ]);
  // a party list: the party's number and short name; only the selections shown (Aceh parties left out)
  const parties = [{ no: 1, abbrev: 'PKB', name: 'Partai Kebangkitan Bangsa' }, { no: 24, abbrev: 'PA', name: 'Partai Aceh' }];
  const doc = REGION({ tps_sum: { valid: 5, invalid: 0, voters: 5, votes: [5, 0] }, signed_sum: { valid: 4, invalid: 0, voters: 5, votes: [4, 0] } });
  assert.deepEqual(compareRows(T.en, 'dpr', [{ s: parties[0], i: 0 }], doc).map(r => [r.label, r.delta]),
    [['Voters who voted', 0], ['Valid votes', -1], ['Invalid votes', 0], ['1. PKB', -1]]);
  assert.equal(signed('id', 1234), '+1.234');
  assert.equal(signed('en', -1234), '−1,234');
  assert.equal(signed('id', 0), '');
});

test('the region page\'s panel: status, counts, records, the link, the comparison; nothing without a document', () => {
  assert.equal(panel(ctx('id'), 'ppwp', '650101', null, []), '');
  const sels = SELS.map((s, i) => ({ s, i }));
  const h = String(panel(ctx('id'), 'ppwp', '650101', REGION(), sels));
  const s = text(h);
  assert.match(s, /^Rekapitulasi berjenjang \(D\.Hasil\)/);
  assert.ok(s.includes('Ditandatangani versi 1 pada 14 Feb 2024, 13:00:00 WIB'), s);
  assert.ok(s.includes('77 TPS: 71 diambil · 5 ditandai · 1 dikoreksi · 5 belum ada hasil · 2 catatan rapat pleno'), s);
  assert.ok(h.includes('href="#/rekap/ppwp/650101/0"'));
  assert.ok(s.includes('Jumlah formulir TPS') && s.includes('Jumlah rekap yang ditandatangani') && s.includes('72 dari 77 TPS masuk'), s);
  assert.ok(s.includes('berbeda di 2 baris'), s);
  assert.equal((h.match(/class="dif"/g) || []).length, 2);
  assert.ok(h.includes('<strong>+7</strong>') && h.includes('<strong>−7</strong>'));
  assert.ok(/<details class="cmp"[^>]* open>/.test(h), 'the comparison is open when it differs');
  // equal: folded, said so
  const same = String(panel(ctx('en'), 'ppwp', '650101', REGION({ signed_sum: REGION().tps_sum }), sels));
  assert.ok(text(same).includes('The sum of the TPS forms equals the sum of the signed recaps.'));
  assert.ok(!/<details class="cmp"[^>]* open>/.test(same));
  // nothing signed: no table, a note
  const none = String(panel(ctx('id'), 'ppwp', '650101', REGION({ units: [UNIT({ status: 'none', version: 0, latest: 0, records: 0 })], signed_units: 0 }), sels));
  assert.ok(!none.includes('recap-cmp') && text(none).includes('Belum ada rekapitulasi yang ditandatangani'));
  assert.ok(text(none).includes('Belum ditandatangani 77 TPS Lihat rekap'), text(none));
  // many units (the DPR nationally): folded with the count of each status, the dapil named and escaped
  const many = Array.from({ length: 8 }, (_, i) => UNIT({ district: { index: i, id: 'dpr-' + i, name: i ? 'DAPIL ' + i : '<b>X</b>' }, status: i < 5 ? 'signed' : 'none' }));
  const m = String(panel(ctx('id'), 'dpr', '0', REGION({ contest: 'dpr', units: many, signed_units: 5 }), []));
  assert.ok(m.includes('<details data-key="recap-units-dpr-0">'));
  assert.ok(text(m).includes('8 unit rekap: 5 ditandatangani · 3 belum'), text(m));
  assert.ok(text(m).includes('5 dari 8 unit rekap sudah ditandatangani'));
  assert.ok(m.includes('Dapil &lt;b&gt;X&lt;/b&gt;') && !m.includes('<b>X</b>'));
  assert.ok(m.includes('href="#/rekap/dpr/0/7"'));
});

// ---- the unit page

const FIELDS_PPWP = [
  ...['dpt', 'dptb', 'dpk', 'b1', 'b2', 'b3', 'b4', 'disabled'].flatMap(r => ['male', 'female', 'total'].map(s => ({ key: `voters.${r}.${s}` }))),
  ...['received', 'used', 'damaged', 'unused'].map(k => ({ key: 'ballots.' + k })), { key: 'valid' }, { key: 'invalid' }, { key: 'total' },
  { key: 'votes[0]', no: 1, candidate: 'Anies - Muhaimin' }, { key: 'votes[1]', no: 2, candidate: 'Prabowo - Gibran' }, { key: 'votes[2]', no: 3, candidate: 'Ganjar <i>Mahfud</i>' },
];

test('field names: voters, ballots, totals, pairs, party-list candidates and party-only votes', () => {
  const f = k => FIELDS_PPWP.find(x => x.key === k);
  assert.equal(unit.fieldLabel(T.id, 'ppwp', f('voters.b4.total')), 'Jumlah pengguna hak pilih (B4) · Jml');
  assert.equal(unit.fieldLabel(T.en, 'ppwp', f('voters.dpt.female')), 'Registered, DPT (A1) · F');
  assert.equal(unit.fieldLabel(T.id, 'ppwp', f('ballots.damaged')), 'Surat suara: rusak/keliru coblos');
  assert.equal(unit.fieldLabel(T.id, 'ppwp', f('valid')), 'Suara sah (V.A)');
  assert.equal(unit.fieldLabel(T.id, 'ppwp', f('votes[1]')), '02. Prabowo - Gibran');
  assert.equal(unit.fieldLabel(T.id, 'dpd', { key: 'votes[3]', no: 4, candidate: 'Budi' }), '4. Budi');
  const sels = [{ no: 2, abbrev: 'Gerindra', name: 'Partai Gerakan Indonesia Raya' }];
  assert.equal(unit.fieldLabel(T.id, 'dpr', { key: 'votes[2]', party: 2, no: 1, candidate: 'Eka, S.Kom.' }, sels), '2. Gerindra · 1. Eka, S.Kom.');
  assert.equal(unit.fieldLabel(T.en, 'dpr', { key: 'party_only[1]', party: 2 }, sels), '2. Gerindra · party-only votes');
  assert.equal(unit.fieldLabel(T.id, 'dpr', { key: 'party_only[0]', party: 7 }, sels), 'Partai 7 · suara partai saja');
  assert.equal(unit.fieldLabel(T.id, 'dpr', { key: 'mystery' }), 'mystery');
});

test('the recap\'s main numbers: pairs one by one, a party\'s candidates and party-only votes together', () => {
  const p = unit.summaryFields(T.id, 'ppwp', FIELDS_PPWP);
  assert.deepEqual(p.map(r => [r.key, r.idx]), [['dpt', [2, 5, 8]], ['voters.b4.total', [20]], ['valid', [28]], ['invalid', [29]], ['total', [30]],
    ['votes[0]', [31]], ['votes[1]', [32]], ['votes[2]', [33]]]);
  const base = FIELDS_PPWP.slice(0, 31);
  const dpr = [...base, { key: 'votes[0]', party: 1, no: 1, candidate: 'A' }, { key: 'votes[1]', party: 1, no: 2, candidate: 'B' },
    { key: 'votes[2]', party: 2, no: 1, candidate: 'C' }, { key: 'party_only[0]', party: 1 }, { key: 'party_only[1]', party: 2 }];
  const q = unit.summaryFields(T.id, 'dpr', dpr, [{ no: 1, abbrev: 'PKB' }]);
  assert.deepEqual(q.slice(5).map(r => [r.label, r.idx]), [['1. PKB', [31, 32, 34]], ['Partai 2', [33, 35]]]);
  assert.equal(unit.sum([1, 2, 3, 4], [0, 3]), 5);
  assert.equal(unit.sum(null, [0]), null);
});

const KIDS = [
  { code: '6501011001001', name: 'TPS 001', status: 'counted', version: 2, numbers: [], row: { how: 'adopt', version: 2 }, diff: [] },
  { code: '6501011001002', name: 'TPS 002', status: 'none', version: 0, numbers: null, row: { how: 'mark', why: 'pending', reason: 'Belum ada hasil' }, diff: [] },
  { code: '6501011003002', name: 'TPS <002>', status: 'counted', version: 1, numbers: [], row: { how: 'correct', reason: 'salah baca', numbers: [] }, diff: [[31, 31, 24], [32, 115, 122]] },
  { code: '6501011003003', name: 'TPS 003', status: 'counted', version: 2, numbers: [], row: { how: 'adopt', version: 1 }, diff: [] },
];
const UNITDOC = (over = {}) => ({
  contest: 'ppwp', region: { code: '650101', name: 'Tanjung Palas', tingkat: 3 }, level: 'kecamatan', top: false,
  district: { index: 0, id: 'ppwp', name: 'PRESIDEN DAN WAKIL PRESIDEN', seats: 1 }, fields: FIELDS_PPWP, child_level: 'tps', children: KIDS,
  below: Array(34).fill(10), recap: { version: 1, index: 11683, signed_at: AT, status: 'accepted', codes: [], reason: '', officer: 'Wkh+/abc=', totals: Array(34).fill(10) },
  latest: null, differences: [{ field: 31, recap: 2667, below: 2660, children: ['6501011003002'] }, { field: 32, recap: 8299, below: 8306, children: ['6501011003002'] }],
  versions: [{ version: 1, index: 11683, signed_at: AT, status: 'accepted', codes: [], reason: '', officer: 'Wkh+/abc=' }],
  records: [{ number: 1, recap: 1, kind: 'objection', by: 'Saksi <01>', text: 'Suara salah & dihitung ulang', index: 11684, signed_at: AT }], ...over,
});

test('differences traced to their children: a TPS to its page, a child region to its own unit', () => {
  const rows = unit.differenceRows(T.id, UNITDOC());
  assert.deepEqual(rows.map(r => [r.label, r.delta, r.children.map(k => [k.code, k.href, k.recap, k.now])]), [
    ['01. Anies - Muhaimin', 7, [['6501011003002', '#/ppwp/65/6501/650101/6501011003/6501011003002', 31, 24]]],
    ['02. Prabowo - Gibran', -7, [['6501011003002', '#/ppwp/65/6501/650101/6501011003/6501011003002', 115, 122]]],
  ]);
  const kab = UNITDOC({ region: { code: '6501', name: 'Bulungan', tingkat: 2 }, child_level: 'kecamatan',
    children: [{ code: '650104', name: 'Tanjung Palas Timur', status: 'signed', version: 1, row: { how: 'correct', reason: 'x' }, diff: [[31, 1378, 1375]] }],
    differences: [{ field: 31, recap: 17357, below: 17354, children: ['650104'] }] });
  const k = unit.differenceRows(T.en, kab)[0];
  assert.deepEqual([k.delta, k.children[0].href, k.children[0].name], [3, '#/rekap/ppwp/650104/0', 'Tanjung Palas Timur']);
  assert.equal(unit.childHref({ contest: 'dpr', child_level: 'provinsi', district: { index: 12 } }, '31'), '#/rekap/dpr/31/12');
});

test('rows and statuses in plain words; what is worth a look; the unit\'s status', () => {
  assert.equal(unit.rowText(T.id, KIDS[0]), 'Diambil (versi 2)');
  assert.equal(unit.rowText(T.id, KIDS[1]), 'Ditandai, belum ada hasil: “Belum ada hasil”');
  assert.equal(unit.rowText(T.en, { row: { how: 'mark', why: 'psu', reason: 'banjir' } }), 'Marked, vote to be held again (PSU): “banjir”');
  assert.equal(unit.rowText(T.id, { row: { how: 'mark', why: 'recount', reason: '' } }), 'Ditandai, penghitungan suara ulang');
  assert.equal(unit.rowText(T.en, KIDS[2]), 'Corrected by the plenary: “salah baca”');
  assert.equal(unit.rowText(T.id, { row: null }), '–');
  const tps = { child_level: 'tps' }, reg = { child_level: 'kecamatan' };
  assert.deepEqual(unit.childStatus(T.id, tps, KIDS[0]), { cls: 'st-counted', text: 'Dihitung, versi 2' });
  assert.deepEqual(unit.childStatus(T.id, tps, KIDS[1]), { cls: 'st-none', text: 'Belum ada formulir' });
  assert.deepEqual(unit.childStatus(T.en, reg, { status: 'signed', version: 3 }), { cls: 'st-counted', text: 'Recap version 3' });
  assert.deepEqual(unit.childStatus(T.id, reg, { status: 'rejected', version: 1 }), { cls: 'st-rejected', text: 'Ditolak; versi 1 berlaku' });
  assert.deepEqual(unit.childStatus(T.id, reg, { status: 'none', version: 0 }), { cls: 'st-none', text: 'Belum ada rekap' });
  assert.deepEqual(KIDS.map(unit.notable), [false, true, true, true]);
  // before any recap: only what has nothing there
  assert.deepEqual(KIDS.map(k => unit.notable({ ...k, row: null, diff: [] })), [false, true, false, false]);
  assert.equal(unit.docStatus(UNITDOC()), 'stale');                 // TPS 003 moved on since
  assert.equal(unit.docStatus(UNITDOC({ children: KIDS.slice(0, 3) })), 'signed');
  assert.equal(unit.docStatus(UNITDOC({ latest: { version: 2, status: 'rejected', codes: ['RECAP_SUM'] } })), 'rejected');
  assert.equal(unit.docStatus(UNITDOC({ recap: null, versions: [] })), 'none');
});

test('the unit page: every section, both languages, names escaped; many children folded', () => {
  const m = (doc, lang = 'id') => ({
    route: { name: 'recap', contest: 'ppwp', code: '650101', d: 0 }, res: { data: doc, changed: true },
    chain: [{ code: '0', name: 'Indonesia' }, { code: '65', name: 'Kalimantan Utara' }, { code: '6501', name: 'Bulungan' }, { code: '650101', name: 'Tanjung Palas' }], selections: [],
  });
  const c = ctx('id');
  c.names.set('6501', { name: 'Bulungan' });
  const h = String(unit.render(c, m(UNITDOC({ children: KIDS.slice(0, 3) }))));
  const s = text(h);
  assert.ok(s.includes('Rekapitulasi D.Hasil: Tanjung Palas'), s);
  assert.ok(s.includes('Ditandatangani versi 1 pada 14 Feb 2024, 13:00:00 WIB') && s.includes('entri log #11683') && s.includes('Wkh+/abc='), s);
  assert.ok(h.includes('href="#/rekap/ppwp/6501/0"') && s.includes('Rekap Bulungan'), 'up to the kab/kota\'s unit');
  assert.ok(h.includes('href="#/ppwp/65/6501/650101"'), 'back to the region');
  assert.ok(h.includes('TPS &lt;002&gt;') && !h.includes('TPS <002>'));
  assert.ok(h.includes('Ganjar &lt;i&gt;Mahfud&lt;/i&gt;') && !h.includes('<i>Mahfud'), 'candidate names escaped');
  assert.ok(s.includes('Berasal dari: TPS &lt;002&gt; 6501011003002 (rekap 31, sekarang 24)'), s);
  assert.ok(s.includes('Keberatan saksi No. 1 tentang rekap versi 1') && h.includes('Saksi &lt;01&gt;') && h.includes('Suara salah &amp; dihitung ulang'));
  assert.ok(h.includes('id="u-kids"') && !h.includes('id="u-kids-note"'), 'few children: one table');
  const many = Array.from({ length: 20 }, (_, i) => ({ ...KIDS[0], code: '65010110010' + String(i).padStart(2, '0'), name: 'TPS ' + i }));
  many[5] = { ...many[5], row: { how: 'mark', why: 'psu', reason: 'banjir' } };
  const hm = String(unit.render(c, m(UNITDOC({ children: many, differences: [] }))));
  assert.ok(hm.includes('id="u-kids-note"') && /<details class="kids"/.test(hm));
  assert.equal((hm.match(/<tr data-code=/g) || []).length, 21, 'the one marked, then all 20 folded');
  assert.ok(text(hm).includes('Rekap yang ditandatangani sama dengan jumlah tingkat di bawahnya saat ini.'));
  const en = text(unit.render(ctx('en'), m(UNITDOC({ recap: null, latest: null, versions: [], records: [], differences: [] }))));
  assert.ok(en.includes('Not signed yet') && en.includes('No recap signed yet.') && en.includes('No plenary records.'), en);
  const rej = text(unit.render(ctx('id'), m(UNITDOC({ children: KIDS.slice(0, 3), latest: { version: 2, index: 1, signed_at: AT, status: 'rejected', codes: ['RECAP_SUM'], reason: 'x' } }))));
  assert.ok(rej.includes('Versi 2 ditolak: RECAP_SUM (versi 1 tetap berlaku)'), rej);
  const err = String(unit.render(ctx('en'), { ...m(null), res: { error: { status: 404, body: { code: 'RECAP_UNIT_UNKNOWN', message_en: 'No such unit' } } } }));
  assert.ok(text(err).includes('No such unit (RECAP_UNIT_UNKNOWN)'));
});

test('determination: the source of the whole and of each district, mixed said plainly', () => {
  assert.equal(sourceOf({ source: 'mixed' }), 'mixed');
  assert.equal(sourceOf({ source: 'odd' }), 'tps');
  assert.equal(districtSource({ source: 'recap' }, {}), 'recap');
  assert.equal(districtSource({ source: 'mixed' }, {}), 'tps');
  assert.equal(districtSource({ source: 'tps' }, { source: 'recap' }), 'recap');
  const parties = [{ no: 1, abbrev: 'PKB', name: 'PKB', votes: 10, eligible: true }];
  const dist = (index, source) => ({ index, id: 'dprd_kab-6501-0' + index, name: 'BULUNGAN ' + index, source, seats: 1, valid: 10, allocated: 1,
    parties: [{ no: 1, votes: 10, seats: 1 }], elected: [{ party: 1, no: 1, name: 'A', sex: 'L', votes: 5 }] });
  const doc = { contest: 'dprd_kab', source: 'mixed', complete: false, tps: { counted: 5, expected: 5 }, threshold_bp: 0, parties,
    districts: [dist(1, 'tps'), dist(2, 'recap'), dist(3, 'tps')] };
  const model = { route: { name: 'determination', contest: 'dprd_kab', prov: '' }, res: { data: doc }, provinces: [] };
  const h = String(detRender(ctx('id'), model));
  assert.ok(h.includes('data-source="mixed"'));
  assert.ok(text(h).includes('Sebagian ditetapkan dari rekapitulasi, sebagian sementara'));
  assert.ok(text(h).includes('1 dari 3 dapil ditetapkan dari rekapitulasi.'));
  assert.equal((h.match(/<tr data-index="\d" data-src="recap">/g) || []).length, 1);
  assert.equal((h.match(/✓ rekap<\/span>/g) || []).length, 1);
  assert.equal((h.match(/data-src="tps">Sementara \(formulir TPS\)/g) || []).length, 2);
  assert.equal((h.match(/data-src="recap">Ditetapkan dari rekapitulasi/g) || []).length, 1);
  const en = text(detRender(ctx('en'), { ...model, res: { data: { ...doc, source: 'recap', complete: true, districts: doc.districts.map(x => ({ ...x, source: 'recap' })) } } }));
  assert.ok(en.includes('Determined from the tiered recapitulation') && !en.includes('✓ recap') && en.includes('Determined from the recapitulation'), en);
});

test('every word the recap pages make at run time exists in both languages', () => {
  const keys = [...['signed', 'stale', 'rejected', 'none'].map(s => 'recap_units_' + s), ...['pending', 'psu', 'recount'].map(w => 'recap_why_' + w),
    ...['objection', 'event'].map(k => 'recap_kind_' + k), ...['recap', 'mixed', 'tps'].flatMap(s => ['det_source_' + s, 'det_source_' + s + '_long'])];
  for (const k of keys) for (const l of ['id', 'en']) assert.ok(k in STRINGS[l], `${l} ${k}`);
});
