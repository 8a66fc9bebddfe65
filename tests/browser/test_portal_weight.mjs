// What a first view costs: the bytes transferred (as sent: compressed, with
// headers) for the first view of a region page in a fresh browser at 360 x
// 740, summed from chromium's network events (every request until the page
// is drawn and the network idle); must be at most 150 KB. The home page,
// a desa and a TPS page are measured and printed too. Then screenshots of
// every kind of page at 360 px and at a desktop width into $SHOT_DIR
// (default /tmp/rekap-shots), to be looked at.
// usage: node tests/browser/test_portal_weight.mjs REKAPD_BUILD_DIR [--same-origin]
import { join } from 'node:path';
import { browserTest, at, step, check, note, shotDir } from './lib.mjs';

const BUDGET = 150 * 1024;

// Load hash in a fresh context (empty cache); wait for selector, then for
// the network to be idle. Answers the requests and their bytes.
async function firstView({ env, browser, watch }, hash, selector) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = watch(await context.newPage());
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  const reqs = new Map();
  cdp.on('Network.requestWillBeSent', e => reqs.set(e.requestId, { url: e.request.url, bytes: 0, body: 0, status: 0 }));
  cdp.on('Network.responseReceived', e => { const r = reqs.get(e.requestId); if (r) r.status = e.response.status; });
  cdp.on('Network.dataReceived', e => { const r = reqs.get(e.requestId); if (r) r.body += e.dataLength; });
  cdp.on('Network.loadingFinished', e => { const r = reqs.get(e.requestId); if (r) { r.bytes = e.encodedDataLength; r.done = true; } });
  cdp.on('Network.loadingFailed', e => { const r = reqs.get(e.requestId); if (r) r.done = true; });
  await page.goto(at(env, hash));
  await page.waitForSelector(selector);
  await page.waitForLoadState('networkidle');
  const timing = await page.evaluate(() => performance.getEntriesByType('resource').reduce((s, e) => s + e.transferSize, 0) +
    performance.getEntriesByType('navigation').reduce((s, e) => s + e.transferSize, 0));
  await context.close();
  const list = [...reqs.values()].filter(r => !r.url.startsWith('data:'));
  return { list, bytes: list.reduce((s, r) => s + r.bytes, 0), body: list.reduce((s, r) => s + r.body, 0), timing };
}

function show(name, v) {
  note(`${name}: ${v.list.length} requests, ${v.bytes} bytes transferred (${(v.bytes / 1024).toFixed(1)} KB; ` +
    `${v.body} bytes after decompression; resource timing says ${v.timing})`);
  for (const r of v.list) note(`   ${String(r.bytes).padStart(7)} ${r.status} ${r.url.replace(/^https?:\/\/[^/]+/, '')}`);
}

await browserTest(async t => {
  const { env, browser, watch } = t;
  const pages = [
    ['a region page (DPR, kabupaten Bulungan)', '#/dpr/65/6501', 'table.ct', true],
    ['a region page (PPWP, the province)', '#/ppwp/65', 'table.ct', true],
    ['the home page (every contest, national)', '#/', '#sum-dprd_kab .prog', false],
    ['a desa page (PPWP)', '#/ppwp/65/6501/650101/6501011001', 'table.tl', false],
    ['a TPS page', '#/ppwp/65/6501/650101/6501011001/6501011001001', '#c-ppwp .photos', false],
  ];
  for (const [name, hash, sel, budgeted] of pages) {
    await step(`first view of ${name} measured` + (budgeted ? ' and within 150 KB' : ''), async () => {
      const v = await firstView(t, hash, sel);
      show(name, v);
      const unfinished = v.list.filter(r => !r.done).length;
      if (unfinished) return `${unfinished} requests did not finish`;
      return !budgeted || v.bytes <= BUDGET || `${v.bytes} bytes > ${BUDGET}`;
    });
  }

  // ---- screenshots
  const dir = shotDir();
  const shots = [
    ['home', '#/', '#sum-dprd_kab .prog'],
    ['province-dpr', '#/dpr/65', 'table.ct'],
    ['kab-ppwp', '#/ppwp/65/6501', 'table.ct'],
    ['desa', '#/ppwp/65/6501/650101/6501011001', 'table.tl'],
    ['tps', '#/ppwp/65/6501/650101/6501011001/6501011001001', '#c-ppwp .photos', async p => {
      await p.click('#c-ppwp button[data-run]');
      await p.waitForSelector('#c-ppwp .vres', { timeout: 20000 });
    }],
    ['tps-flagged', '#/tps/6502012009001', '#c-dpr'],
    ['anomalies', '#/anomali/dpr', '#rejected'],
    ['determination-ppwp', '#/penetapan/ppwp', '#det-ppwp'],
    ['determination-dpr', '#/penetapan/dpr', '#det-seats'],
    ['determination-dprd_kab', '#/penetapan/dprd_kab', '#det-seats'],
    ['determination-dpd', '#/penetapan/dpd', '#det-elected'],
    ['recap-unit', '#/rekap/ppwp/650101/0', '#u-status'],
    ['search', '#/cari?q=tanjung', 'ul.hits', async p => { await p.goto(at(env, '#/ppwp/65/6501')); await p.waitForSelector('table.ct'); await p.goto(at(env, '#/cari?q=tanjung')); await p.waitForSelector('ul.hits'); }],
    ['home-en', '#/', '#sum-ppwp .prog', async p => { await p.click('#lang'); await p.waitForFunction(() => document.documentElement.lang === 'en'); }],
  ];
  for (const width of [360, 1280]) {
    const context = await browser.newContext({ viewport: { width, height: width === 360 ? 740 : 800 } });
    const page = watch(await context.newPage());
    const wrote = [];
    let wide = [];
    for (const [name, hash, sel, act] of shots) {
      await page.goto(at(env, hash));
      await page.waitForSelector(sel);
      if (act) await act(page);
      await page.waitForLoadState('networkidle');
      const file = join(dir, `${name}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      wrote.push(file);
      const sw = await page.evaluate(() => document.documentElement.scrollWidth);
      if (sw > width) wide.push(`${name} ${sw}px`);
      if (name === 'home-en') await page.click('#lang');
    }
    note(`screenshots at ${width} px: ${wrote.join(' ')}`);
    check(`at ${width} px no page is wider than the screen (wide tables scroll inside their box)`, wide.length === 0, wide.join(', '));
    await context.close();
  }
});
