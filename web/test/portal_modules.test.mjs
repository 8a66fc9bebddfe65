// The portal's modules that need no browser: routes, escaping, the two
// languages, the API reader (ETags, 304, error bodies), comparing a log
// entry with the page, and the name search.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, format, ancestors, classify, fold } from '../portal/route.js';
import { html, raw, esc } from '../portal/html.js';
import { STRINGS, translator, num, pct, clock, wib, storedLang, storeLang } from '../portal/i18n.js';
import { makeApi, apiBase, ApiError } from '../portal/api.js';

const PORTAL = join(dirname(fileURLToPath(import.meta.url)), '..', 'portal');

test('routes: every place has one hash, and it reads back', () => {
  const cases = [
    [{ name: 'home' }, '#/'],
    [{ name: 'region', contest: 'ppwp', code: '0' }, '#/ppwp'],
    [{ name: 'region', contest: 'dpr', code: '65' }, '#/dpr/65'],
    [{ name: 'region', contest: 'dprd_kab', code: '6501011001' }, '#/dprd_kab/65/6501/650101/6501011001'],
    [{ name: 'tps', contest: 'ppwp', code: '6501011001001' }, '#/ppwp/65/6501/650101/6501011001/6501011001001'],
    [{ name: 'tps', contest: null, code: '6501011001001' }, '#/tps/6501011001001'],
    [{ name: 'anomalies', contest: 'dpr', kind: 'ditolak', prefix: '6501' }, '#/anomali/dpr?jenis=ditolak&wilayah=6501'],
    [{ name: 'anomalies', contest: 'dpd', kind: 'semua', prefix: '' }, '#/anomali/dpd'],
    [{ name: 'search', q: 'tanjung palas' }, '#/cari?q=tanjung%20palas'],
    [{ name: 'determination', contest: 'dpr', prov: '65' }, '#/penetapan/dpr?wilayah=65'],
  ];
  for (const [route, hash] of cases) {
    assert.equal(format(route), hash);
    assert.deepEqual(parse(hash), route, hash);
  }
  // the last code is what counts: the brief's #/ppwp/34/3401 and a short form
  assert.deepEqual(parse('#/ppwp/34/3401'), { name: 'region', contest: 'ppwp', code: '3401' });
  assert.deepEqual(parse('#/ppwp/650101'), { name: 'region', contest: 'ppwp', code: '650101' });
  assert.equal(parse('#/nope').name, 'notfound');
  assert.equal(parse('#/ppwp/123').name, 'notfound');
  assert.equal(parse('').name, 'home');
  assert.deepEqual(parse('#/anomali/xyz?jenis=bad&wilayah=65a01'), { name: 'anomalies', contest: 'ppwp', kind: 'semua', prefix: '6501' });
  assert.deepEqual(ancestors('6501011001'), ['0', '65', '6501', '650101']);
  assert.deepEqual(ancestors('0'), []);
});

test('search text: codes with dots, TPS codes, names', () => {
  assert.deepEqual(classify('6501011001001'), { kind: 'tps', code: '6501011001001' });
  assert.deepEqual(classify(' 65.01.01.1001 '), { kind: 'region', code: '6501011001' });
  assert.deepEqual(classify('65-01'), { kind: 'region', code: '6501' });
  assert.deepEqual(classify('123'), { kind: 'badcode', code: '123' });
  assert.deepEqual(classify('Tanjung  Palas'), { kind: 'name', q: 'Tanjung  Palas' });
  assert.equal(fold('  Tanjung   PÁLAS '), 'tanjung palas');
});

test('html: values are escaped, nested html and arrays are not', () => {
  const name = '<img src=x onerror=alert(1)>"\'&';
  assert.equal(String(html`<td title="${name}">${name}</td>`),
    '<td title="&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;">&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;</td>');
  assert.equal(String(html`<ul>${['a', '<b>'].map(x => html`<li>${x}</li>`)}</ul>`), '<ul><li>a</li><li>&lt;b&gt;</li></ul>');
  assert.equal(String(html`${null}${undefined}${false}${0}${raw('<br>')}`), '0<br>');
  assert.equal(esc('a&b'), 'a&amp;b');
});

test('i18n: both languages have the same words, and every word the pages use exists', () => {
  const id = Object.keys(STRINGS.id).sort(), en = Object.keys(STRINGS.en).sort();
  assert.deepEqual(en, id);
  for (const k of id) assert.equal(typeof STRINGS.en[k], typeof STRINGS.id[k], k);
  const used = new Set();
  for (const f of readdirSync(PORTAL).filter(f => f.endsWith('.js') && f !== 'verify.js')) {
    const src = readFileSync(join(PORTAL, f), 'utf8');
    for (const m of src.matchAll(/\bt\('([a-z_0-9]+)'\s*[,)]/g)) used.add(m[1]);
  }
  assert.ok(used.size > 50, 'found ' + used.size);
  for (const k of used) assert.ok(k in STRINGS.id, 'missing word ' + k);
  // keys made at run time: contests, levels, statuses, kinds, checks
  for (const c of ['ppwp', 'dpr', 'dpd', 'dprd_prov', 'dprd_kab']) { assert.ok(STRINGS.id['contest_' + c]); assert.ok(STRINGS.id['contest_long_' + c]); }
  for (let i = 0; i <= 5; i++) assert.ok(STRINGS.id['level_' + i]);
  for (const s of ['none', 'counted', 'flagged', 'rejected']) assert.ok(STRINGS.id['st_' + s]);
  for (const s of ['none', 'counted', 'flagged']) assert.ok(STRINGS.id['mark_' + s]);
  for (const k of ['semua', 'ditandai', 'ditolak']) assert.ok(STRINGS.id['kind_' + k]);
  for (const c of ['checkpoint', 'proof', 'signature', 'match']) assert.ok(STRINGS.id['check_' + c]);
  for (const p of ['recount', 'revote']) assert.ok(STRINGS.id['psu_' + p]);
  const t = translator('en');
  assert.equal(t('tps_in', '1', '2'), '1 of 2 TPS reported');
  assert.equal(translator('id')('tps_in', '1', '2'), '1 dari 2 TPS masuk');
  assert.equal(t('no_such_key'), 'no_such_key');
});

test('i18n: numbers, shares and times in each language', () => {
  assert.equal(num('id', 1234567), '1.234.567');
  assert.equal(num('en', 1234567), '1,234,567');
  assert.equal(num('id', null), '–');
  assert.equal(pct('id', 1171, 2341), '50,02%');
  assert.equal(pct('en', 1171, 2341), '50.02%');
  assert.equal(pct('en', 5, 0), '0%');
  assert.match(clock('id', new Date(2026, 0, 2, 3, 4, 5)), /^03:04:05$/);
  assert.match(clock('en', new Date(2026, 0, 2, 13, 4, 5)), /^13:04:05$/);
  // 1707890400 = 2024-02-14 06:00 UTC = 13:00 WIB
  assert.equal(wib('id', 1707890400), '14 Feb 2024, 13:00:00 WIB');
  assert.equal(wib('en', 1707890400), '14 Feb 2024, 13:00:00 WIB');
});

test('i18n: the language is remembered, Bahasa Indonesia by default', () => {
  const m = new Map();
  const storage = { getItem: k => m.get(k) ?? null, setItem: (k, v) => m.set(k, v) };
  assert.equal(storedLang(storage), 'id');
  storeLang(storage, 'en');
  assert.equal(storedLang(storage), 'en');
  m.set('rekap.lang', 'fr');
  assert.equal(storedLang(storage), 'id');
  assert.equal(storedLang({ getItem() { throw new Error('blocked'); } }), 'id');
});

// A fake server: answers by path, with ETags, 304 for If-None-Match.
function fakeServer(docs) {
  const seen = [];
  const f = async (url, init = {}) => {
    seen.push({ url, init });
    const path = url.replace(/^https?:\/\/[^/]+/, '');
    const d = docs[path];
    const headers = new Map(Object.entries(d?.headers || {}));
    const h = { get: k => headers.get(k) ?? (k === 'ETag' && d?.etag ? d.etag : null) };
    if (!d) return { status: 0, ok: false, headers: h, json: async () => { throw new Error('x'); }, text: async () => '' };
    if (d.status && d.status !== 200) return { status: d.status, ok: false, headers: h, json: async () => JSON.parse(d.body) };
    const inm = init.headers?.['If-None-Match'];
    if (inm && inm === d.etag) return { status: 304, ok: false, headers: h, text: async () => '' };
    return { status: 200, ok: true, headers: h, text: async () => d.body, json: async () => JSON.parse(d.body) };
  };
  return { f, seen };
}

test('api: same origin sends If-None-Match and a 304 is "unchanged"', async () => {
  const docs = { '/a.json': { etag: '"e1"', body: '{"n":1}' } };
  const { f, seen } = fakeServer(docs);
  const api = makeApi('', f);
  assert.deepEqual(await api.get('/a.json'), { data: { n: 1 }, changed: true });
  assert.deepEqual(await api.get('/a.json'), { data: { n: 1 }, changed: false });
  assert.equal(seen[1].init.headers['If-None-Match'], '"e1"');
  docs['/a.json'] = { etag: '"e2"', body: '{"n":2}' };
  assert.deepEqual(await api.get('/a.json'), { data: { n: 2 }, changed: true });
  assert.ok(api.lastOk() > 0);
});

test('api: another origin lets the browser cache revalidate and compares the bytes', async () => {
  const docs = { '/a.json': { body: '{"n":1}' } };
  const { f, seen } = fakeServer(docs);
  const api = makeApi('http://127.0.0.1:8080', f);
  assert.equal((await api.get('/a.json')).changed, true);
  assert.equal(seen[0].url, 'http://127.0.0.1:8080/a.json');
  assert.equal((await api.get('/a.json')).changed, false);
  assert.equal(seen[1].init.cache, 'no-cache');
  assert.equal(seen[1].init.headers, undefined, 'no header that needs a CORS preflight');
});

test('api: an error answer keeps the JSON body and Retry-After; no answer is status 0', async () => {
  const body = JSON.stringify({ code: 'NOT_FOUND', message_id: 'Alamat yang diminta tidak ada.', message_en: 'The requested path does not exist.' });
  const { f } = fakeServer({
    '/nf.json': { status: 404, body },
    '/busy.json': { status: 503, body: '{"code":"BUSY","message_id":"x","message_en":"y"}', headers: { 'Retry-After': '5' } },
  });
  const api = makeApi('', f);
  await assert.rejects(api.get('/nf.json'), e => e instanceof ApiError && e.status === 404 && e.body.code === 'NOT_FOUND' && e.body.message_id.startsWith('Alamat'));
  await assert.rejects(api.get('/busy.json'), e => e.status === 503 && e.retryAfter === 5);
  const down = makeApi('', async () => { throw new TypeError('Failed to fetch'); });
  await assert.rejects(down.get('/x.json'), e => e instanceof ApiError && e.status === 0);
  await assert.rejects(down.list('/x.json'), e => e.status === 0);
});

test('api: the base comes from ?api= only when it is an http(s) URL', () => {
  assert.equal(apiBase('?api=http://127.0.0.1:8080/'), 'http://127.0.0.1:8080');
  assert.equal(apiBase('?api=https%3A%2F%2Fdata.example.org'), 'https://data.example.org');
  assert.equal(apiBase('?api=javascript:alert(1)'), '');
  assert.equal(apiBase(''), '');
});

test('verification: the log entry is compared with the numbers shown', async () => {
  const { compareEntry } = await import('../portal/tps.js');
  const form = { format: 'rekap-chasil/1', tps: '6501011001001', contest: 'ppwp',
    voters: { dpt: [137, 124, 261], dptb: [2, 1, 3], dpk: [0, 1, 1], b1: [117, 99, 216], b2: [2, 1, 3], b3: [0, 1, 1], b4: [119, 101, 220], disabled: [0, 1, 1] },
    ballots: { received: 267, used: 220, damaged: 2, unused: 45 }, votes: [48, 126, 43], valid: 217, invalid: 3, total: 220 };
  const row = a => ({ male: a[0], female: a[1], total: a[2] });
  const shown = { contest: 'ppwp', counted_version: 2,
    form: { voters: Object.fromEntries(Object.entries(form.voters).map(([k, v]) => [k, row(v)])), ballots: form.ballots,
      valid: 217, invalid: 3, total: 220, selections: form.votes.map((v, i) => ({ no: i + 1, name: 'x', votes: v })) },
    versions: [{ version: 1, photos: [] }, { version: 2, photos: ['/photos/' + 'a'.repeat(64)] }] };
  const text = f => `rekap-entry/1\nrekap-submission/1\ntps 6501011001001\ncontest ppwp\nversion 2\nreason "x"\nphoto ${'a'.repeat(64)}\nform ${JSON.stringify(f)}\nkey k\nsig s\nreceived 1\nstatus accepted\n`;
  const entry = { tps: '6501011001001', contest: 'ppwp', version: 2, text: text(form) };
  assert.deepEqual(compareEntry(entry, '6501011001001', shown), []);
  assert.deepEqual(compareEntry({ ...entry, text: text({ ...form, votes: [49, 125, 43] }) }, '6501011001001', shown), ['votes']);
  assert.deepEqual(compareEntry({ ...entry, version: 1 }, '6501011001001', shown), ['version']);
  assert.deepEqual(compareEntry(entry, '6501011001002', shown), ['tps']);
  const noPhoto = { ...entry, text: text(form).replace(/photo .*\n/, '') };
  assert.deepEqual(compareEntry(noPhoto, '6501011001001', shown), ['photos']);
  assert.deepEqual(compareEntry({ ...entry, text: 'garbage' }, '6501011001001', shown), ['form']);
  // a party-list form
  const pf = { ...form, contest: 'dpr', votes: undefined, parties: [{ no: 1, party_only: 3, candidates: [4, 5], total: 12 }] };
  const ps = { ...shown, contest: 'dpr', form: { ...shown.form, selections: undefined,
    parties: [{ no: 1, abbrev: 'A', party_only: 3, total: 12, candidates: [{ no: 1, votes: 4 }, { no: 2, votes: 5 }] }] } };
  const pe = { ...entry, contest: 'dpr', text: text(pf).replace('contest ppwp', 'contest dpr') };
  assert.deepEqual(compareEntry(pe, '6501011001001', ps), []);
  ps.form.parties[0].candidates[1].votes = 6;
  assert.deepEqual(compareEntry(pe, '6501011001001', ps), ['party 1']);
});

test('search: names found in the lists read, whole words and higher levels first', async () => {
  const { find } = await import('../portal/search.js');
  const names = new Map([
    ['0', { name: 'Indonesia' }], ['65', { name: 'Kalimantan Utara' }], ['6501', { name: 'Kabupaten Bulungan' }],
    ['650101', { name: 'Tanjung Palas' }], ['6501011001', { name: 'Tanjung Palas Hulu' }], ['6502', { name: 'Kabupaten Malinau' }],
    ['6501011001001', { name: 'TPS 001' }], ['650199', { name: 'Sebulungan' }],
  ]);
  assert.deepEqual(find(names, 'bulungan').map(h => h.code), ['6501', '650199']);
  assert.deepEqual(find(names, 'TANJUNG palas').map(h => h.code), ['650101', '6501011001']);
  assert.deepEqual(find(names, 'tps').map(h => h.code), []);
  assert.deepEqual(find(names, '  '), []);
});
