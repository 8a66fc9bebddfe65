// Live updates: a desa page and the national summary stay open while the
// forms of five more TPS arrive over HTTP (signed with rekap sign, POSTed to
// the ingest listener); both pages show the new numbers within seconds,
// without a reload, with a newer "diperbarui" stamp. While nothing changes
// the page polls with conditional requests that the server answers 304.
// usage: node tests/browser/test_portal_live.mjs REKAPD_BUILD_DIR [--same-origin]
import { browserTest, at, step, check, note, until, getJson, idNum } from './lib.mjs';

await browserTest(async ({ env, browser, api, watch }) => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const desa = await context.newPage();
  const home = await context.newPage();
  for (const p of [desa, home]) { watch(p); p.setDefaultTimeout(15000); }

  // Every answer to the pages' polls of their documents, as the browser saw it.
  const cdp = await context.newCDPSession(desa);
  await cdp.send('Network.enable');
  // The status on the wire (responseReceivedExtraInfo): when the browser's
  // cache revalidates (the page on another origin), responseReceived
  // reports the kept 200 while the server answered 304.
  const polls = [], ids = new Set();
  cdp.on('Network.requestWillBeSent', e => {
    if (e.request.url.includes('/api/v1/results/ppwp/6501011001.json')) ids.add(e.requestId);
  });
  cdp.on('Network.responseReceivedExtraInfo', e => { if (ids.has(e.requestId)) polls.push(e.statusCode); });

  const before = await api('/api/v1/results/ppwp/6501011001.json');
  const nat0 = await api('/api/v1/results/ppwp/0.json');
  await desa.goto(at(env, '#/ppwp/65/6501/650101/6501011001'));
  await desa.waitForSelector('table.tl');
  await home.goto(at(env, '#/'));
  await home.waitForSelector('#sum-ppwp .prog');
  for (const p of [desa, home]) await p.evaluate(() => { window.__loadedOnce = true; });

  await step('before: the desa shows the TPS counted so far and TPS 002 not yet in', async () => {
    const text = await desa.locator('#summary').textContent();
    const mark = await desa.locator('table.tl tr', { hasText: 'TPS 002' }).textContent();
    return text.includes(`${idNum(before.tps_counted)} dari ${idNum(before.tps_expected)} TPS masuk`) &&
      before.tps_counted < before.tps_expected && mark.includes('belum masuk') || text + mark;
  });

  await step('while nothing changes, the polls are answered 304 (nothing sent again)', async () => {
    polls.length = 0;
    // two polls (every 5 s) and each 304; a loaded machine (CI runs the
    // browser tests side by side) may stretch the timer, so up to 30 s
    const t0 = Date.now();
    while (polls.length < 2 && Date.now() - t0 < 30000)
      await desa.waitForTimeout(500);
    note(`poll answers seen in ${((Date.now() - t0) / 1000).toFixed(1)} s: ` + polls.join(','));
    return polls.length >= 2 && polls.every(s => s === 304) || polls.join(',');
  });

  const stamp0 = Number(await desa.locator('#stamp').getAttribute('data-time'));
  const sent = await env.sendLater();
  await step(`${sent.sent} held-back forms sent over HTTP are accepted`, async () => sent.accepted === sent.sent && sent.sent === 25 || JSON.stringify(sent));
  const after = await until(async () => { const d = await api('/api/v1/results/ppwp/6501011001.json'); return d.tps_counted === d.tps_expected && d; }, 10000);

  await step('the desa page shows every TPS counted, without a reload', async () => {
    const t0 = Date.now();
    const shown = await until(async () => (await desa.locator('#summary').textContent()).includes(`${idNum(after.tps_counted)} dari ${idNum(after.tps_expected)} TPS masuk`), 15000);
    note(`desa updated on the page ${((Date.now() - t0) / 1000).toFixed(1)} s after the API had it`);
    const mark = await desa.locator('table.tl tr', { hasText: 'TPS 002' }).textContent();
    const noReload = await desa.evaluate(() => window.__loadedOnce === true && performance.getEntriesByType('navigation').length === 1);
    return shown && mark.includes('dihitung') && noReload || `${shown} ${mark} ${noReload}`;
  });
  await step('the new votes are in the desa\'s chart', async () => {
    const text = await desa.locator('#summary .bars').textContent();
    return after.selections.every(s => text.includes(idNum(s.votes))) || text;
  });
  await step('the "diperbarui" stamp moved on', async () => {
    const s1 = Number(await desa.locator('#stamp').getAttribute('data-time'));
    const txt = await desa.locator('#stamp').textContent();
    return s1 > stamp0 && /^diperbarui \d\d:\d\d:\d\d$/.test(txt) || `${stamp0} ${s1} ${txt}`;
  });
  await step('the national summary in another tab shows the new national numbers, without a reload', async () => {
    const nat1 = await until(async () => { const d = await api('/api/v1/results/ppwp/0.json'); return d.tps_counted === nat0.tps_counted + 5 && d; }, 10000);
    if (!nat1) return 'the API\'s national PPWP did not count the 5 TPS';
    const shown = await until(async () => (await home.locator('#sum-ppwp').textContent()).includes(`${idNum(nat1.tps_counted)} dari`), 15000);
    const text = await home.locator('#sum-ppwp').textContent();
    const noReload = await home.evaluate(() => window.__loadedOnce === true);
    const hidden = await home.evaluate(() => document.visibilityState);
    return shown && nat1.selections.every(s => text.includes(idNum(s.votes))) && noReload ||
      `shown ${shown} noReload ${noReload} visibility ${hidden} want ${nat1.tps_counted}: ${text.slice(0, 200)}`;
  });
  await context.close();
});
