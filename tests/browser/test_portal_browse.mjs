// The public portal in chromium at 360 x 740, against a real rekapd on a
// generated province: the national summary shows the API's numbers; a
// drill-down by clicks from the nation to a TPS; the TPS page's status,
// photos, history, flags and in-browser verification (and which check
// fails with a wrong key); the language switch, remembered across a
// reload; the anomaly list's filters in the URL; search by TPS code,
// region code and name; the determination of results (who is elected)
// reached from the home page, its numbers the API's, its source said in
// both languages; an API error in the reader's language.
// usage: node tests/browser/test_portal_browse.mjs REKAPD_BUILD_DIR [--same-origin]
import { browserTest, at, step, check, note, until, getJson, http, idNum, enNum } from './lib.mjs';

await browserTest(async ({ env, browser, api, watch }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  watch(page);
  page.setDefaultTimeout(15000);
  const h1 = () => page.locator('main h1').first().innerText();
  const waitH1 = async text => { await page.waitForFunction(t => document.querySelector('main h1')?.textContent.includes(t), text); };
  const hash = () => page.evaluate(() => location.hash);

  // ---- the national summary
  await page.goto(at(env, '#/'));
  await page.waitForSelector('#sum-dprd_kab .prog');
  for (const c of ['ppwp', 'dpr', 'dpd', 'dprd_prov', 'dprd_kab']) {
    await step(`home: ${c} shows TPS received of expected, every selection's votes and the time of the data`, async () => {
      const d = await api(`/api/v1/results/${c}/0.json`);
      const text = await page.locator('#sum-' + c).textContent();
      const want = [`${idNum(d.tps_counted)} dari ${idNum(d.tps_expected)} TPS masuk`, `Data per ${d.ts} WIB`,
        ...d.selections.filter(s => s.votes > 0).map(s => idNum(s.votes))];
      const missing = want.filter(w => !text.includes(w));
      return missing.length ? 'missing: ' + missing.join(' | ') : true;
    });
  }
  await step('home: the PPWP bars are as long as the votes are large', async () => {
    const d = await api('/api/v1/results/ppwp/0.json');
    const w = await page.$$eval('#sum-ppwp .bb span', s => s.map(x => x.getBoundingClientRect().width));
    const best = d.selections.reduce((i, s, j) => s.votes > d.selections[i].votes ? j : i, 0);
    return w.length === 3 && w.every((x, i) => x <= w[best] + 0.5) && w[best] > 100 || JSON.stringify(w);
  });
  await step('home: the page is no wider than the 360 px screen', async () =>
    (await page.evaluate(() => document.documentElement.scrollWidth)) <= 360);

  // ---- drill down by clicking, national > province > kab/kota > kecamatan > desa > TPS
  const tps0 = '6501011001001';
  const chain = ['0', '65', '6501', '650101', '6501011001'];
  await step('drill-down: the contest\'s national page from the summary', async () => {
    await page.click('#sum-ppwp >> text=Rincian per wilayah');
    await waitH1('Indonesia');
    return (await hash()) === '#/ppwp';
  });
  for (let i = 1; i < chain.length; i++) {
    const parent = await api(`/api/v1/results/ppwp/${chain[i - 1]}.json`);
    const kid = parent.children.find(k => k.code === chain[i]);
    await step(`drill-down: click ${kid.name} (${kid.code}); its row had the API's numbers; the URL names the place`, async () => {
      const row = page.locator('table.ct tr', { has: page.locator(`a[href$="/${kid.code}"]`) });
      const cells = await row.locator('td').allInnerTexts();
      const votesOk = kid.votes.every((v, j) => cells[2 + j].trim() === idNum(v));
      const tpsOk = cells[1].startsWith(`${idNum(kid.tps_counted)}/${idNum(kid.tps_expected)}`);
      await row.locator('a').first().click();
      await waitH1(kid.name);
      const want = '#/ppwp/' + chain.slice(1, i + 1).join('/');
      const h = await hash();
      return votesOk && tpsOk && h === want || `votes ${votesOk} tps ${tpsOk} cells ${cells.join('|')} hash ${h}`;
    });
  }
  await step('desa: its TPS listed with counted and not-yet marks', async () => {
    const d = await api('/api/v1/results/ppwp/6501011001.json');
    const rows = await page.$$eval('table.tl tbody tr', trs => trs.map(tr => tr.textContent));
    return rows.length === d.children.length && d.children.every((k, i) =>
      rows[i].includes(k.name) && rows[i].includes(k.flagged ? 'ditandai' : k.counted ? 'dihitung' : 'belum masuk')) || rows.join(' / ');
  });
  await step('desa: a reload shows the same place (the URL is shareable)', async () => {
    await page.reload();
    await waitH1('Tanjung Palas Hulu');
    return true;
  });
  await step('drill-down: click TPS 001 to its page', async () => {
    await page.click(`a[href$="/${tps0}"]`);
    await waitH1('TPS 001');
    return (await hash()) === '#/ppwp/' + [...chain.slice(1), tps0].join('/');
  });

  // ---- the TPS page
  const det = await api(`/api/v1/tps/${tps0}.json`);
  const ppwp = det.contests.find(c => c.contest === 'ppwp');
  await step('TPS: the PPWP status in plain words, the counted version and its numbers', async () => {
    const text = await page.locator('#c-ppwp').textContent();
    const want = ['Dihitung', `Formulir versi ${ppwp.counted_version} lolos semua pemeriksaan`,
      ...ppwp.form.selections.map(s => s.name), idNum(ppwp.form.valid), idNum(ppwp.form.voters.b4.total)];
    const missing = want.filter(w => !text.includes(w));
    return missing.length ? 'missing: ' + missing.join(' | ') : true;
  });
  await step('TPS: the counted version\'s photos by page, shown as images from /photos/<sha256>', async () => {
    const srcs = await page.$$eval('#c-ppwp .photos img', im => im.map(i => i.src));
    const ok = srcs.length === 2 && srcs.every((s, i) => s === env.pub + '/photos/' + env.photoHashes[i]);
    await page.locator('#c-ppwp .photos img').first().scrollIntoViewIfNeeded();
    const loaded = await until(() => page.$$eval('#c-ppwp .photos img', im => im.every(i => i.complete && i.naturalWidth === 120)), 8000);
    const labels = await page.$$eval('#c-ppwp .photos span', s => s.map(x => x.textContent));
    return ok && loaded && labels.join() === 'Halaman 1,Halaman 2' || `${srcs} loaded=${loaded} ${labels}`;
  });
  await step('TPS: the history lists both versions, the reason, the proof link', async () => {
    const items = await page.$$eval('#c-ppwp .hist > li', l => l.map(x => x.textContent));
    return items.length === 2 && items[0].includes('Versi 2') && items[0].includes('foto formulir dilampirkan') &&
      items[0].includes('dihitung') && items[1].includes('Versi 1') &&
      await page.locator('#c-ppwp a[href$="/api/v1/proof/' + ppwp.versions[1].log_index + '"]').count() === 1 || items.join(' / ');
  });
  await step('TPS: the DPR card says the rejected correction and its rules, version 1 still counted', async () => {
    await page.click('#c-dpr > summary');
    const text = await page.locator('#c-dpr').textContent();
    return text.includes('Perbaikan versi 2 ditolak; versi 1 tetap yang dihitung') && text.includes('VOTES_SUM') &&
      text.includes('salah hitung') || text.slice(0, 400);
  });

  // ---- verification
  await step('verify: the log\'s verifier key from /log/vkey is shown', async () => {
    const served = (await http('GET', env.pub + '/log/vkey')).body.toString().trim();
    const v = await page.inputValue('#vkey-ppwp');
    return served === env.vkey && v === env.vkey || `served ${served} shown ${v} init ${env.vkey}`;
  });
  await step('verify: every check passes in plain words (checkpoint, proof, signature, the numbers shown)', async () => {
    await page.click('#c-ppwp button[data-run]');
    await page.waitForSelector('#c-ppwp .vres', { timeout: 20000 });
    const good = await page.locator('#c-ppwp .vres.good').count();
    const checks = await page.$$eval('#c-ppwp .checks li', l => l.map(x => x.dataset.check + ':' + x.className));
    const sum = await page.locator('#c-ppwp .vsum').textContent();
    return good === 1 && checks.join() === 'checkpoint:ok,proof:ok,signature:ok,match:ok' && sum.startsWith('✓ Terverifikasi') ||
      `${checks} ${sum} ${await page.locator('#c-ppwp .vres').textContent()}`;
  });
  await step('verify: with another key the checkpoint check fails, and the page says which one', async () => {
    const other = env.vkey.replace(/^example\.org\/kaltara\+[0-9a-f]{8}\+/, 'example.org/lain+00000000+');
    await page.fill('#vkey-ppwp', other);
    await page.click('#c-ppwp button[data-run]');
    await page.waitForSelector('#c-ppwp .vres.fail', { timeout: 20000 });
    const sum = await page.locator('#c-ppwp .vsum').textContent();
    const bad = await page.$$eval('#c-ppwp .checks li.no', l => l.map(x => x.dataset.check));
    await page.fill('#vkey-ppwp', env.vkey);
    return sum.includes('GAGAL') && sum.includes('Tanda tangan checkpoint log') && bad[0] === 'checkpoint' || `${sum} ${bad}`;
  });

  // ---- flags, PSU, language
  const anomDpr = await api('/api/v1/anomalies/dpr.json');
  const flaggedCode = anomDpr.flagged.tps[0].code;
  const flaggedDet = await api(`/api/v1/tps/${flaggedCode}.json`);
  const fl = flaggedDet.contests.find(c => c.contest === 'dpr');
  await step('a flagged TPS: "counted, with flags" and each flag\'s message in Bahasa Indonesia', async () => {
    await page.goto(at(env, '#/dpr/' + flaggedCode));
    await page.waitForSelector('#c-dpr[open] .flags');
    const text = await page.locator('#c-dpr').textContent();
    return text.includes('Dihitung, dengan catatan') && fl.flags.every(f => text.includes(f.message_id)) || text.slice(0, 300);
  });
  await step('language: the switch turns the page into English (the flag messages too) without a reload', async () => {
    await page.evaluate(() => { window.__same = 1; });
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    const text = await page.locator('#c-dpr').textContent();
    const same = await page.evaluate(() => window.__same === 1);
    const stamp = await page.locator('#stamp').textContent();
    return same && text.includes('Counted, with flags') && fl.flags.every(f => text.includes(f.message_en)) &&
      stamp.startsWith('updated') && (await page.locator('#lang').textContent()) === 'ID' || text.slice(0, 300);
  });
  await step('language: English is remembered across a reload (localStorage)', async () => {
    await page.goto(at(env, '#/'));
    await page.waitForSelector('#sum-ppwp .prog');
    const d = await api('/api/v1/results/ppwp/0.json');
    const text = await page.locator('#sum-ppwp').textContent();
    return (await page.evaluate(() => document.documentElement.lang)) === 'en' &&
      (await h1()) === 'National summary' && text.includes(`${enNum(d.tps_counted)} of ${enNum(d.tps_expected)} TPS reported`) || text;
  });
  await step('language: back to Bahasa Indonesia', async () => {
    await page.click('#lang');
    await waitH1('Ringkasan nasional');
    return (await page.evaluate(() => localStorage.getItem('rekap.lang'))) === 'id';
  });
  await step('a PSU re-count is marked in the history', async () => {
    await page.goto(at(env, '#/tps/6501011001003'));
    await page.waitForSelector('#c-ppwp .hist');
    const text = await page.locator('#c-ppwp .hist').textContent();
    return text.includes('PSU: penghitungan suara ulang') && text.includes('keberatan saksi') || text;
  });

  // ---- anomalies
  await step('anomalies: both lists with the API\'s totals, the rejected entry named', async () => {
    await page.goto(at(env, '#/anomali/dpr'));
    await page.waitForSelector('#rejected');
    const f = await page.locator('#flagged h2').textContent();
    const r = await page.locator('#rejected').textContent();
    const rows = await page.locator('#flagged tbody tr').count();
    return f.includes(`TPS ditandai: ${anomDpr.flagged.total}`) && rows === anomDpr.flagged.tps.length &&
      r.includes(`Formulir ditolak: ${anomDpr.rejected.total}`) && r.includes(tps0) && r.includes('VOTES_SUM') || `${f} ${r}`;
  });
  await step('anomalies: "rejected" hides the flagged list and is in the URL', async () => {
    await page.check('input[name=jenis][value=ditolak]');
    await page.waitForFunction(() => !document.querySelector('#flagged'));
    return (await hash()) === '#/anomali/dpr?jenis=ditolak' && await page.locator('#rejected').count() === 1;
  });
  await step('anomalies: a region prefix keeps only its TPS, and the filtered URL reloads as it was', async () => {
    await page.check('input[name=jenis][value=semua]');
    await page.fill('#f-wilayah', '6502');
    const want = anomDpr.flagged.tps.filter(x => x.code.startsWith('6502')).length;
    await page.waitForFunction(() => location.hash.includes('wilayah=6502'));
    const rows = await page.locator('#flagged tbody tr').count();
    const rej = await page.locator('#rejected').textContent();
    await page.reload();
    await page.waitForSelector('#flagged');
    const rows2 = await page.locator('#flagged tbody tr').count();
    const kept = await page.inputValue('#f-wilayah');
    return rows === want && rows2 === want && kept === '6502' && rej.includes('Tidak ada') && want > 0 || `${rows} ${rows2} ${want} ${kept}`;
  });
  await step('anomalies: the province select filters too', async () => {
    await page.selectOption('#f-prov', '65');
    await page.waitForFunction(() => location.hash.includes('wilayah=65') && !location.hash.includes('6502'));
    return (await page.locator('#flagged tbody tr').count()) === anomDpr.flagged.tps.length;
  });

  // ---- search
  await step('search: a 13-digit TPS code opens the TPS', async () => {
    await page.fill('#q', '6501011001005');
    await page.press('#q', 'Enter');
    await waitH1('TPS 005');
    return (await hash()).endsWith('/6501011001005');
  });
  await step('search: a region code written with dots opens the region', async () => {
    await page.fill('#q', '65.01');
    await page.press('#q', 'Enter');
    await waitH1('Kabupaten Bulungan');
    return /^#\/\w+\/65\/6501$/.test(await hash()) || await hash();
  });
  await step('search: a name finds the region among the lists read', async () => {
    await page.fill('#q', 'bulungan');
    await page.press('#q', 'Enter');
    await page.waitForSelector('ul.hits');
    const hits = await page.$$eval('ul.hits a', a => a.map(x => x.textContent + ' ' + x.getAttribute('href')));
    await page.click('ul.hits a >> text=Kabupaten Bulungan');
    await waitH1('Kabupaten Bulungan');
    return hits.some(h => h.startsWith('Kabupaten Bulungan') && h.endsWith('/65/6501')) || hits.join(' / ');
  });

  await step('search: a desa never opened is found by the server, with its parents', async () => {
    // the last desa of the last kecamatan of Nunukan (6503): no list of this page has it
    const kab = await getJson(env.pub + '/api/v1/regions/6503.json');
    const kec = await getJson(env.pub + '/api/v1/regions/' + kab.children[kab.children.length - 1].code + '.json');
    const desa = kec.children[kec.children.length - 1];
    await page.fill('#q', desa.name);
    await page.press('#q', 'Enter');
    await page.waitForSelector('ul.hits');
    const items = await page.$$eval('ul.hits li', li => li.map(x => x.textContent));
    const mine = items.find(t => t.includes(desa.code));
    return (mine && mine.includes(kec.name) && mine.includes(kab.name)) || items.join(' / ');
  });

  // ---- the determination of results (penetapan), against /api/v1/determination
  const seatsOf = (d, no) => d.districts.reduce((n, x) => n + (x.parties.find(p => p.no === no)?.seats || 0), 0);
  await step('determination: the home page links to it; PPWP opens with the source said ("Sementara (dari formulir TPS)")', async () => {
    await page.goto(at(env, '#/'));
    await page.click('#det-link');
    await page.waitForSelector('#det-ppwp');
    const d = await api('/api/v1/determination/ppwp.json');
    const src = await page.locator('#det-source').textContent();
    const prog = await page.locator('#det-head .prog').textContent();
    return (await hash()) === '#/penetapan/ppwp' && d.source === 'tps' && !d.complete &&
      src.includes('Sementara (dari formulir TPS)') && src.includes('Belum semua data masuk') &&
      prog.includes(`${idNum(d.tps.counted)} dari ${idNum(d.tps.expected)} TPS masuk`) || `${await hash()} ${src} ${prog}`;
  });
  await step('determination: PPWP outcome and every pair\'s votes and provinces at 20% are the API\'s', async () => {
    const d = await api('/api/v1/determination/ppwp.json');
    const p = d.ppwp;
    const outcome = await page.locator('#det-outcome').getAttribute('data-outcome');
    const otext = await page.locator('#det-outcome').textContent();
    const rows = await page.$$eval('.det-pairs tbody tr', trs => trs.map(tr => [tr.dataset.no, ...[...tr.cells].map(c => c.innerText.trim())]));
    const pairsOk = rows.length === p.pairs.length && p.pairs.every((x, i) => rows[i][0] === String(x.no) && rows[i][1].includes(x.name) &&
      rows[i][2].startsWith(idNum(x.votes)) && rows[i][3] === `${idNum(x.provinces_20)} dari ${idNum(p.provinces)}`);
    const who = p.outcome === 'elected' ? [p.winner.name] : p.runoff.map(x => x.name);
    return outcome === p.outcome && who.every(n => otext.includes(n)) && pairsOk || `${outcome} ${otext} ${JSON.stringify(rows)}`;
  });
  for (const c of ['dpr', 'dprd_kab']) {
    await step(`determination: ${c} seats per party, per dapil, and the elected are the API's`, async () => {
      await page.click(`nav.tabs a[href="#/penetapan/${c}"]`);
      // the tab of this contest marked: the new page is drawn (the last one also had a #det-seats)
      await page.waitForFunction(h => location.hash === h && document.querySelector('nav.tabs a.on')?.getAttribute('href') === h && document.querySelector('#det-seats'), '#/penetapan/' + c);
      const d = await api(`/api/v1/determination/${c}.json`);
      const parties = await page.$$eval('#det-parties tbody tr', trs => trs.map(tr => [Number(tr.dataset.no), ...[...tr.cells].map(x => x.innerText.trim())]));
      const partyOk = parties.length > 0 && parties.every(([no, , votes, seats]) => {
        const p = d.parties.find(x => x.no === no);
        return p && votes.startsWith(idNum(p.votes)) && seats === idNum(seatsOf(d, no));
      }) && d.parties.filter(p => p.votes > 0).length === parties.length;
      const head = await page.$$eval('#det-seats thead th', th => th.map(x => x.textContent.trim()));
      const cells = await page.$$eval('#det-seats tbody tr', trs => trs.map(tr => [Number(tr.dataset.index), ...[...tr.cells].map(x => x.innerText.trim())]));
      const cols = head.slice(1, -1).map(a => d.parties.find(p => p.abbrev === a).no);
      const seatOk = cells.length === d.districts.length && cells.every(([i, name, ...rest]) => {
        const x = d.districts[i];
        return name === x.name && cols.every((no, j) => rest[j] === (x.parties.find(p => p.no === no)?.seats ? idNum(x.parties.find(p => p.no === no).seats) : '·')) &&
          rest[rest.length - 1] === idNum(x.allocated) && x.parties.filter(p => p.seats).every(p => cols.includes(p.no));
      });
      const names = await page.$$eval('#det-elected details', ds => ds.map(x => [...x.querySelectorAll('.en')].map(e => e.textContent)));
      const electedOk = names.length === d.districts.length && d.districts.every((x, i) => x.elected.map(e => e.name).join('|') === names[i].join('|'));
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      return partyOk && seatOk && electedOk && wide <= 360 ||
        `parties ${partyOk} seats ${seatOk} elected ${electedOk} width ${wide} ${JSON.stringify(cells.slice(0, 2))} ${head}`;
    });
  }
  await step('determination: DPD members elected are the API\'s, in English the source is "Provisional (from the TPS forms)"', async () => {
    await page.click('nav.tabs a[href="#/penetapan/dpd"]');
    await page.waitForSelector('#det-elected details[open]');
    const d = await api('/api/v1/determination/dpd.json');
    const items = await page.$$eval('#det-elected li', l => l.map(x => x.innerText));
    const want = d.districts.flatMap(x => x.elected);
    const ok = items.length === want.length && want.every((e, i) => items[i].includes(e.name) && items[i].includes(idNum(e.votes)));
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    const src = await page.locator('#det-source').textContent();
    const h = await h1();
    await page.click('#lang');
    await waitH1('Hasil penetapan');
    return ok && src.includes('Provisional (from the TPS forms)') && h === 'Determined results' || `${ok} ${items} ${src} ${h}`;
  });

  // ---- errors
  await step('an API error is shown in the reader\'s language', async () => {
    await page.goto(at(env, '#/ppwp/6599'));
    await page.waitForSelector('main .err');
    const text = await page.locator('main .err').textContent();
    const r = await http('GET', env.pub + '/api/v1/results/ppwp/6599.json');
    const body = JSON.parse(r.body.toString());
    const readable = env.sameOrigin || r.headers['access-control-allow-origin'] === '*';
    if (!readable) note('the 404 answer has no Access-Control-Allow-Origin: a page on another origin cannot read its message');
    return readable ? text.includes(body.message_id) && text.includes('NOT_FOUND') || text
      : text.includes('Server tidak dapat dihubungi') || text;
  });

  await context.close();
});
