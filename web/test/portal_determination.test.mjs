// The portal's determination page (web/portal/determination.js) without a
// browser: its route, which dapil it shows (one province at a time past
// ALL_MAX), the seats per party and the seats table summed from the
// document, and the HTML of every kind of outcome in both languages: the
// source said plainly, no vote yet, a second round, names escaped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, format } from '../portal/route.js';
import { translator } from '../portal/i18n.js';
import { provinceOf, provincesOf, shownDistricts, partyRows, seatMatrix, render, ALL_MAX } from '../portal/determination.js';

const ctx = lang => ({ lang, t: translator(lang), meta: {}, names: new Map() });
const text = h => String(h).replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ');
const model = (data, route = {}) => ({
  route: { name: 'determination', contest: data.contest, prov: '', ...route },
  res: { data, changed: true }, provinces: [{ code: '65', name: 'KALIMANTAN UTARA' }, { code: '64', name: 'KALIMANTAN TIMUR' }],
});

const PARTIES = [
  { no: 1, abbrev: 'PKB', name: 'Partai Kebangkitan Bangsa', votes: 500, eligible: true },
  { no: 2, abbrev: 'Gerindra', name: 'Partai Gerakan Indonesia Raya', votes: 900, eligible: true },
  { no: 3, abbrev: 'PDIP', name: 'PDI Perjuangan', votes: 30, eligible: false },
  { no: 24, abbrev: 'PA', name: 'Partai Aceh', votes: 0, eligible: true },
];
function dpr(source = 'tps') {
  return {
    contest: 'dpr', source, complete: source === 'recap', tps: { counted: 9, expected: 10 }, threshold_bp: 400, parties: PARTIES,
    districts: [
      { index: 0, id: 'dpr-65-01', name: 'KALIMANTAN UTARA', seats: 3, valid: 900, allocated: 3,
        parties: [{ no: 1, votes: 300, seats: 1 }, { no: 2, votes: 580, seats: 2 }, { no: 3, votes: 20, seats: 0 }],
        elected: [{ party: 2, no: 1, name: 'Budi <b>Rahman</b>', sex: 'L', votes: 200 },
          { party: 1, no: 2, name: 'Ani Aisyah', sex: 'P', votes: 150 }, { party: 2, no: 3, name: 'Citra', sex: 'P', votes: 120 }] },
      { index: 1, id: 'dpr-64-01', name: 'KALIMANTAN TIMUR', seats: 2, valid: 530, allocated: 2,
        parties: [{ no: 1, votes: 200, seats: 1 }, { no: 2, votes: 320, seats: 1 }, { no: 3, votes: 10, seats: 0 }],
        elected: [{ party: 2, no: 1, name: 'Dedi', sex: 'L', votes: 100 }] },
    ],
  };
}

test('route: #/penetapan/<contest>[?wilayah=<province>] both ways', () => {
  for (const [r, h] of [
    [{ name: 'determination', contest: 'ppwp', prov: '' }, '#/penetapan/ppwp'],
    [{ name: 'determination', contest: 'dprd_kab', prov: '65' }, '#/penetapan/dprd_kab?wilayah=65'],
  ]) {
    assert.equal(format(r), h);
    assert.deepEqual(parse(h), r);
  }
  assert.deepEqual(parse('#/penetapan'), { name: 'determination', contest: 'ppwp', prov: '' });
  assert.deepEqual(parse('#/penetapan/xyz?wilayah=6501'), { name: 'determination', contest: 'ppwp', prov: '' });
});

test('dapil by province: from the id; all of them up to ALL_MAX, then one province', () => {
  assert.equal(provinceOf({ id: 'dprd_kab-6501-02' }), '65');
  assert.equal(provinceOf({ id: 'dpd-65' }), '65');
  assert.equal(provinceOf({ id: 'dapil-luar' }), null);
  const few = dpr().districts;
  assert.deepEqual(provincesOf(few), ['65', '64']);
  assert.equal(shownDistricts(few, '').list.length, 2);
  assert.deepEqual(shownDistricts(few, '64').list.map(d => d.index), [1]);
  assert.equal(shownDistricts(few, '99').prov, '');
  const many = Array.from({ length: ALL_MAX + 1 }, (_, i) => ({ index: i, id: `dprd_kab-${i % 2 ? '64' : '65'}01-${i}` }));
  const s = shownDistricts(many, '');
  assert.equal(s.prov, '65');
  assert.ok(s.list.length < many.length && s.list.every(d => d.id.startsWith('dprd_kab-65')));
});

test('seats per party: summed over the dapil, parties without vote or seat left out, most seats first', () => {
  const rows = partyRows(dpr());
  assert.deepEqual(rows.map(p => [p.no, p.seats]), [[2, 3], [1, 2], [3, 0]]);
  const mx = seatMatrix(dpr(), dpr().districts);
  assert.deepEqual(mx.cols, [2, 1]);
  assert.deepEqual(mx.rows.map(r => r.cells), [[2, 1], [1, 1]]);
  assert.deepEqual(mx.totals, [3, 2]);
  assert.deepEqual(seatMatrix(dpr(), dpr().districts.slice(1)).cols, [2, 1]);
});

test('party lists: source, threshold, seats table and the elected; names escaped', () => {
  const h = String(render(ctx('id'), model(dpr())));
  const s = text(h);
  assert.match(s, /Sementara \(dari formulir TPS\)/);
  assert.match(s, /Belum semua data masuk/);
  assert.match(s, /9 dari 10 TPS masuk/);
  assert.match(s, /Ambang batas parlemen: 4,00%/);
  assert.match(s, /3\. PDIP di bawah ambang batas/);
  assert.ok(h.includes('Budi &lt;b&gt;Rahman&lt;/b&gt;') && !h.includes('<b>Rahman'));
  assert.match(s, /Ani Aisyah PKB · no\. 2 · P · 150 suara/);
  assert.ok(h.includes('data-source="tps"'));
  // the province filter: both provinces, all shown
  assert.match(h, /<option value="">Semua provinsi<\/option>/);
  const only = String(render(ctx('id'), model(dpr(), { prov: '64' })));
  assert.ok(only.includes('Dedi') && !only.includes('Ani Aisyah'));
  const recap = text(render(ctx('en'), model(dpr('recap'))));
  assert.match(recap, /Determined from the tiered recapitulation/);
  assert.match(recap, /All data is in\./);
});

test('PPWP: elected, second round, no vote yet', () => {
  const pairs = [{ no: 1, name: 'A - B', votes: 40, pct: 40, provinces_20: 1 }, { no: 2, name: 'C - D', votes: 35, pct: 35, provinces_20: 1 },
    { no: 3, name: 'E - F', votes: 25, pct: 25, provinces_20: 1 }];
  const doc = (ppwp, counted = 7) => ({ contest: 'ppwp', source: 'tps', complete: false, tps: { counted, expected: 10 },
    ppwp: { winner: null, runoff: [], total: 100, provinces: 1, pairs, ...ppwp } });
  const won = String(render(ctx('id'), model(doc({ outcome: 'elected', winner: { no: 1, name: 'A - B' } }))));
  assert.match(won, /data-outcome="elected"/);
  assert.match(text(won), /Pasangan terpilih 01\. A - B/);
  assert.match(text(won), /40 40,00% 1 dari 1/);
  const run = text(render(ctx('en'), model(doc({ outcome: 'runoff', runoff: [{ no: 1, name: 'A - B' }, { no: 2, name: 'C - D' }] }))));
  assert.match(run, /Second round 01\. A - B 02\. C - D/);
  const none = text(render(ctx('id'), model(doc({ outcome: 'no_votes', total: 0 }, 0))));
  assert.match(none, /Belum ada suara sah yang dihitung/);
  assert.match(none, /0 dari 10 TPS masuk/);
});

test('DPD and a dapil with no seat yet', () => {
  const dpd = { contest: 'dpd', source: 'tps', complete: false, tps: { counted: 0, expected: 5 },
    districts: [{ index: 0, id: 'dpd-65', name: 'KALIMANTAN UTARA', seats: 4, valid: 0, elected: [] }] };
  const s = text(render(ctx('id'), model(dpd)));
  assert.match(s, /Anggota DPD terpilih/);
  assert.match(s, /Belum ada yang terpilih\./);
  const empty = dpr();
  empty.districts[1] = { ...empty.districts[1], valid: 0, allocated: 0, elected: [],
    parties: empty.districts[1].parties.map(p => ({ ...p, votes: 0, seats: 0 })) };
  const h = text(render(ctx('id'), model(empty)));
  assert.match(h, /KALIMANTAN TIMUR · · belum ada Jumlah 2 1 3/);
});
