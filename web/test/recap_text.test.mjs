// The recap officer's page without a browser (web/rekap/recap.js): the
// rekap-dhasil/1 and rekap-dkk/1 texts in their one spelling (the
// examples of docs/FORMATS.md byte for byte, rows in ascending code order,
// reasons quoted as a C.Hasil reason is), a draft summed into its totals,
// the differences against the level below with the children where each
// arises, the fields' names, and the page's routes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as R from '../rekap/recap.js';
import { quote } from '../petugas/keys.js';
import { encodeSubmission } from '../petugas/submission.js';

const W = 34;                                     // 31 + three selections (PPWP)
const nums = (seed) => Array.from({ length: W }, (_, i) => (seed * 7 + i * 3) % 50);
const kids = [
  { code: '3404011001003', status: 'none', version: null, numbers: null },
  { code: '3404011001001', status: 'counted', version: 1, numbers: nums(1) },
  { code: '3404011001002', status: 'counted', version: 2, numbers: nums(2) },
  { code: '3404011001004', status: 'counted', version: 1, numbers: nums(4) },
];
const unit = { region: '340401', contest: 'ppwp', district: 'ppwp' };

test('rekap-dhasil/1: the documented example, byte for byte', () => {
  const dpr = { region: '340401', contest: 'dpr', district: 'dpr-34-01' };
  const corr = Array.from({ length: 31 }, (_, i) => i + 1);
  const tot = Array.from({ length: 31 }, (_, i) => 1000 + i);
  const t = R.encodeRecap({ ...dpr, version: 1, width: 31, totals: tot, rows: [
    { code: '3404011001004', how: 'correct', reason: 'Penghitungan ulang di pleno: suara partai 2 salah baca', numbers: corr },
    { code: '3404011001002', how: 'adopt', version: 2 },
    { code: '3404011001003', how: 'mark', why: 'psu', reason: 'PSU dijadwalkan 24 Februari' },
    { code: '3404011001001', how: 'adopt', version: 1 },
  ] });
  assert.equal(t, 'rekap-dhasil/1\nregion 340401\ncontest dpr\ndistrict dpr-34-01\nversion 1\n' +
    'adopt 3404011001001 1\nadopt 3404011001002 2\nmark 3404011001003 psu\nwhy "PSU dijadwalkan 24 Februari"\n' +
    `correct 3404011001004 ${corr.join(' ')}\nwhy "Penghitungan ulang di pleno: suara partai 2 salah baca"\n` +
    `totals ${tot.join(' ')}\n`);
});

test('rekap-dhasil/1: a correction carries its reason, quoted as a C.Hasil reason is', () => {
  const reason = 'Koreksi "TPS 004" \\ salah baca — ulang';
  const t = R.encodeRecap({ ...unit, version: 2, reason, width: W, totals: nums(9), rows: [{ code: '3404011001001', how: 'adopt', version: 1 }] });
  assert.match(t, /^rekap-dhasil\/1\nregion 340401\ncontest ppwp\ndistrict ppwp\nversion 2\nreason "Koreksi \\"TPS 004\\" \\\\ salah baca — ulang"\nadopt /);
  // the same quoting as the officer page's C.Hasil reason line
  const sub = encodeSubmission({ tps: '3404011001001', contest: 'ppwp', version: 2, reason,
    form: '{"format":"rekap-chasil/1","tps":"3404011001001","contest":"ppwp"}' });
  assert.ok(sub.includes(`reason ${quote(reason)}\n`) && t.includes(`reason ${quote(reason)}\n`));
  // a version above 1 needs one; version 1 has none
  assert.throws(() => R.encodeRecap({ ...unit, version: 2, width: W, totals: nums(9), rows: [{ code: '3404011001001', how: 'adopt', version: 1 }] }), e => e.code === 'RECAP_REASON');
  assert.throws(() => R.encodeRecap({ ...unit, version: 1, reason: 'x', width: W, totals: nums(9), rows: [{ code: '3404011001001', how: 'adopt', version: 1 }] }), e => e.code === 'RECAP_REASON');
});

test('rekap-dhasil/1: every other spelling is refused before signing', () => {
  const ok = { ...unit, version: 1, width: W, totals: nums(9), rows: [{ code: '3404011001001', how: 'adopt', version: 1 }] };
  const bad = (over, code) => assert.throws(() => R.encodeRecap({ ...ok, ...over }), e => e.code === code, JSON.stringify(over));
  bad({ region: '3404011' }, 'RECAP_REGION');
  bad({ region: '' }, 'RECAP_REGION');
  bad({ contest: 'pilkada' }, 'RECAP_CONTEST');
  bad({ district: 'a b' }, 'RECAP_DISTRICT');
  bad({ version: 0 }, 'RECAP_VERSION');
  bad({ version: 1000 }, 'RECAP_VERSION');
  bad({ rows: [] }, 'RECAP_ROWS');
  bad({ rows: [{ code: '3404011001001', how: 'adopt', version: 1 }, { code: '3404011001001', how: 'adopt', version: 1 }] }, 'RECAP_ROW');
  bad({ rows: [{ code: '3404011001001', how: 'mark', why: 'later', reason: 'x' }] }, 'RECAP_ROW');
  bad({ rows: [{ code: '3404011001001', how: 'mark', why: 'pending', reason: '' }] }, 'RECAP_REASON');
  bad({ rows: [{ code: '3404011001001', how: 'mark', why: 'pending', reason: 'dua\nbaris' }] }, 'RECAP_REASON');
  bad({ rows: [{ code: '3404011001001', how: 'mark', why: 'pending', reason: 'x'.repeat(501) }] }, 'RECAP_REASON');
  bad({ rows: [{ code: '3404011001001', how: 'correct', reason: 'ok', numbers: nums(1).slice(1) }] }, 'RECAP_NUMBERS');
  bad({ rows: [{ code: '3404011001001', how: 'correct', reason: 'ok', numbers: [...nums(1).slice(1), -1] }] }, 'RECAP_NUMBERS');
  bad({ rows: [{ code: '3404011001001', how: 'correct', reason: 'ok', numbers: [...nums(1).slice(1), 2 ** 53 + 2] }] }, 'RECAP_NUMBERS');
  bad({ totals: [...nums(1).slice(1), 1.5] }, 'RECAP_NUMBERS');
  bad({ rows: [{ code: '3404011001001', how: 'adopt', version: 0 }] }, 'RECAP_ROW');
  // 500 bytes of UTF-8 is the most a reason holds (multi-byte characters count as bytes)
  assert.ok(R.encodeRecap({ ...ok, rows: [{ code: '3404011001001', how: 'mark', why: 'recount', reason: 'é'.repeat(250) }] }));
  bad({ rows: [{ code: '3404011001001', how: 'mark', why: 'recount', reason: 'é'.repeat(250) + 'x' }] }, 'RECAP_REASON');
  // 2^53 itself is a number; the largest text that fits an entry whatever its status
  assert.match(R.encodeRecap({ ...ok, totals: [...nums(9).slice(1), 2 ** 53] }), / 9007199254740992\n$/);
  const many = Array.from({ length: 2000 }, (_, i) => ({ code: String(3404011000001 + i), how: 'correct', reason: 'r', numbers: nums(i) }));
  assert.throws(() => R.encodeRecap({ ...ok, rows: many }), e => e.code === 'ENTRY_TOO_LARGE');
  bad({ rows: [...many, { code: '3404019999999', how: 'adopt', version: 1 }] }, 'RECAP_ROWS');
  assert.equal(R.TEXT_BYTES_MAX, 65535 - 682);
});

test('rekap-dkk/1: the documented example, byte for byte, and its bounds', () => {
  const r = { region: '340401', contest: 'dpr', district: 'dpr-34-01', number: 1, recap: 1, kind: 'objection',
    by: 'Saksi Partai 3, Budi', text: 'Keberatan atas suara TPS 004: C.Hasil berbeda dengan salinan saksi' };
  assert.equal(R.encodeRecord(r), 'rekap-dkk/1\nregion 340401\ncontest dpr\ndistrict dpr-34-01\nnumber 1\nrecap 1\nkind objection\n' +
    'by "Saksi Partai 3, Budi"\ntext "Keberatan atas suara TPS 004: C.Hasil berbeda dengan salinan saksi"\n');
  assert.match(R.encodeRecord({ ...r, recap: 0, kind: 'event', by: 'Ketua "PPK"' }), /\nrecap 0\nkind event\nby "Ketua \\"PPK\\""\n/);
  const bad = (over, code) => assert.throws(() => R.encodeRecord({ ...r, ...over }), e => e.code === code, JSON.stringify(over));
  bad({ number: 0 }, 'RECORD_NUMBER');
  bad({ recap: -1 }, 'RECORD_RECAP');
  bad({ kind: 'protest' }, 'RECORD_KIND');
  bad({ by: '' }, 'RECORD_BY');
  bad({ by: 'x'.repeat(129) }, 'RECORD_BY');
  bad({ text: '' }, 'RECORD_TEXT');
  bad({ text: 'a\tb' }, 'RECORD_TEXT');
  bad({ text: 'x'.repeat(501) }, 'RECORD_TEXT');
  assert.ok(R.encodeRecord({ ...r, by: 'x'.repeat(128), text: 'x'.repeat(500) }));
});

test('a draft: every child adopted by default, one without numbers marked pending; totals are the sum of the rows', () => {
  const d = R.buildDraft({ children: kids, width: W });
  assert.deepEqual(d.rows.map(r => [r.code, r.how, r.version ?? r.why]), [
    ['3404011001001', 'adopt', 1], ['3404011001002', 'adopt', 2], ['3404011001003', 'mark', 'pending'], ['3404011001004', 'adopt', 1]]);
  assert.equal(d.rows[2].reason, R.PENDING_REASON);
  assert.deepEqual(d.problems, []);
  const below = R.sumVectors(W, kids.filter(k => k.numbers).map(k => k.numbers));
  assert.deepEqual(d.totals, below);
  assert.deepEqual(R.compare({ ...d, below, children: kids, width: W }), []);
  const text = R.encodeRecap({ ...unit, version: 1, rows: d.rows, totals: d.totals, width: W });
  assert.equal(text.split('\n').filter(l => /^(adopt|mark|correct) /.test(l)).length, 4);
});

test('a draft: a correction moves the totals, and every field it changes is a difference naming that child', () => {
  const fixed = [...kids[3].numbers];
  fixed[R.F.valid] += 5; fixed[31] += 5;
  const choices = { '3404011001004': { how: 'correct', reason: 'Salah baca di pleno', numbers: fixed } };
  const d = R.buildDraft({ children: kids, choices, width: W });
  assert.deepEqual(d.problems, []);
  const below = R.sumVectors(W, kids.filter(k => k.numbers).map(k => k.numbers));
  const diff = R.compare({ ...d, below, children: kids, width: W });
  assert.deepEqual(diff, [
    { field: R.F.valid, recap: below[R.F.valid] + 5, below: below[R.F.valid], children: ['3404011001004'] },
    { field: 31, recap: below[31] + 5, below: below[31], children: ['3404011001004'] },
  ]);
  const k = d.rows.findIndex(r => r.code === '3404011001004');
  assert.deepEqual(R.rowDiff(d.rows[k], d.contribs[k], kids[3], W), [[R.F.valid, fixed[R.F.valid], kids[3].numbers[R.F.valid]], [31, fixed[31], kids[3].numbers[31]]]);
  // a child with numbers marked instead: every non-zero field of it differs, and only it
  const m2 = R.buildDraft({ children: kids, choices: { '3404011001002': { how: 'mark', why: 'recount', reason: 'Hitung ulang' } }, width: W });
  const d2 = R.compare({ ...m2, below, children: kids, width: W });
  assert.equal(d2.length, kids[2].numbers.filter(n => n !== 0).length);
  assert.ok(d2.every(x => x.children.join() === '3404011001002' && x.below - x.recap === kids[2].numbers[x.field]));
});

test('a draft says what stops it being signed', () => {
  const d = R.buildDraft({ children: kids, width: W, choices: {
    '3404011001001': { how: 'correct', reason: '', numbers: [...nums(1).slice(1), null] },
    '3404011001003': { how: 'adopt' },
    '3404011001002': { how: 'mark', why: 'psu', reason: '' },
  } });
  const codes = d.problems.map(p => `${p.code}@${p.where}`).sort();
  assert.deepEqual(codes, ['RECAP_ADOPT@3404011001003', 'RECAP_NUMBERS@3404011001001', 'RECAP_REASON@3404011001001', 'RECAP_REASON@3404011001002']);
  for (const p of d.problems) assert.ok(p.msg.id && p.msg.en);
});

test('sums are exact up to 2^53 and refused beyond', () => {
  assert.deepEqual(R.sumVectors(2, [[2 ** 52, 1], [2 ** 52, 2]]), [2 ** 53, 3]);
  assert.equal(R.sumVectors(1, [[2 ** 53], [1]]), null);
  assert.equal(R.parseNumber('007'), 7);
  assert.equal(R.parseNumber(' 12 '), 12);
  for (const s of ['', '-1', '1.5', '1e3', '12a', '99999999999999999']) assert.equal(R.parseNumber(s), null, s);
  assert.equal(R.parseNumber('9007199254740992'), 2 ** 53);
  assert.equal(R.parseNumber('9007199254740993'), null);
});

test('versions: the next recap is one above every logged version; a record concerns the latest accepted', () => {
  assert.equal(R.nextVersion({ versions: [] }), 1);
  const det = { versions: [{ version: 1, status: 'accepted' }, { version: 2, status: 'accepted' }, { version: 3, status: 'rejected' }],
    recap: { version: 3, status: 'rejected' }, records: [{ number: 1 }, { number: 2 }] };
  assert.equal(R.nextVersion(det), 4);
  assert.equal(R.nextVersion({ versions: [], recap: { version: 1, status: 'accepted' }, latest: { version: 2, status: 'rejected' } }), 3);
  assert.equal(R.latestAccepted(det), 2);
  assert.equal(R.latestAccepted({}), 0);
  assert.equal(R.nextRecordNumber(det), 3);
  assert.equal(R.nextRecordNumber({ records: [] }), 1);
});

test('fields: the documented order and names, the server\'s names when given, columns grouped', () => {
  const f = R.unitFields(null, W);
  assert.equal(f.length, W);
  assert.equal(f[0].key, 'voters.dpt.male');
  assert.equal(f[20].key, 'voters.b4.total');
  assert.equal(f[23].key, 'voters.disabled.total');
  assert.equal(f[24].key, 'ballots.received');
  assert.equal(f[28].key, 'valid');
  assert.equal(f[30].key, 'total');
  assert.equal(f[33].key, 'votes[2]');
  assert.deepEqual(R.fieldLabel(f[2]), { id: 'DPT Jml', en: 'DPT Total' });
  assert.deepEqual(R.fieldLabel(f[28]), { id: 'Suara sah', en: 'Valid votes' });
  assert.deepEqual(R.fieldLabel(f[31]), { id: 'Pilihan 1', en: 'Selection 1' });
  const sf = [...R.baseKeys().map(key => ({ key })),
    { key: 'votes[0]', party: 1, candidate: 'ANI', no: 1 }, { key: 'votes[1]', party: 1, candidate: 'BUDI', no: 2 },
    { key: 'votes[2]', party: 4, candidate: 'CICI', no: 1 }, { key: 'party_only[0]', party: 1 }, { key: 'party_only[1]', party: 4 }];
  const g = R.unitFields(sf, 36);
  assert.deepEqual(R.fieldLabel(g[31]), { id: 'P1 · 1. ANI', en: 'P1 · 1. ANI' });
  assert.deepEqual(R.fieldLabel(g[34]), { id: 'Suara partai 1 saja', en: 'Party 1 only' });
  const groups = R.columnGroups(g);
  assert.deepEqual(groups.map(x => x.id), ['summary', 'voters', 'ballots', 'party-1', 'party-4']);
  const sum = groups[0].cols;
  assert.deepEqual(sum.slice(5).map(c => c.idx), [[31, 32, 34], [33, 35]]);  // each party: its candidates and party-only votes
  assert.deepEqual(groups[3].cols.map(c => c.idx[0]), [31, 32, 34]);
  assert.equal(groups[1].cols.length, 24);
  assert.equal(R.columnGroups(f).at(-1).id, 'votes');
});

test('codes and routes', () => {
  assert.equal(R.recapCode(' 34.04.01 '), '340401');
  assert.equal(R.recapCode('0'), '0');
  assert.equal(R.recapCode('65'), '65');
  assert.equal(R.recapCode('3404011001'), null);
  assert.equal(R.recapCode('abc'), null);
  assert.equal(R.levelOf('3404'), 'kabkota');
  assert.deepEqual(['3404011001010', '3404011001002', '3404011001001'].sort(R.codeCmp), ['3404011001001', '3404011001002', '3404011001010']);
  for (const r of [{ name: 'home' }, { name: 'units', contest: 'dpr', code: '3404' }, { name: 'unit', contest: 'dprd_kab', code: '340401', district: 12 }]) {
    assert.deepEqual(R.parseRoute(R.formatRoute(r)), r);
  }
  assert.deepEqual(R.parseRoute('#/ppwp/0'), { name: 'units', contest: 'ppwp', code: '0' });
  assert.equal(R.parseRoute('#/nope/34').name, 'home');
  assert.deepEqual(R.parseRoute('#/dpr/3404011001'), { name: 'home', contest: 'dpr' });
});
