// Tracker consent: with data-require-consent nothing is stored or sent before axon.consent(true)
// (then this page's view is sent) and consent(false) removes what was kept; with
// data-respect-dnt a Global Privacy Control signal stops it; data-cookieless sends events but
// keeps nothing in the browser. Uses run.mjs's definition of page views on /shop/*.
import http from 'node:http';

export default async function ({ browser, base, api, check }) {
  const shop = http.createServer((req, res) => {
    const mode = new URL(req.url, 'http://x').searchParams.get('mode');
    const attrs = { consent: 'data-require-consent', dnt: 'data-respect-dnt', cookieless: 'data-cookieless' }[mode];
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><body><h1>Shop</h1>
      <script src="${base}/axon.js" data-user-id="consent-${mode}" ${attrs}></script></body></html>`);
  }).listen(0, '127.0.0.1');
  await new Promise((r) => shop.on('listening', r));
  const origin = `http://127.0.0.1:${shop.address().port}`;
  const count = async (user) => (await api(`/api/v1/behavior/events?userId=${user}&limit=100`)).events.length;
  const stored = (p) => p.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('axon_') && k !== 'axon_consent'));
  const settle = () => new Promise((r) => setTimeout(r, 1800));
  try {
    // Consent required: nothing before, the page view after consent, nothing after withdrawal.
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    const sent = [];
    p.on('request', (r) => { if (r.url().startsWith(base)) sent.push(r.url()); });
    await p.goto(origin + '/shop/consent?mode=consent');
    await p.waitForFunction(() => window.axon && window.axon.__loaded);
    await settle();
    check('consent required: nothing is sent before consent', sent.filter((u) => !u.endsWith('/axon.js')).length === 0, sent);
    check('consent required: nothing is stored before consent', (await stored(p)).length === 0, await stored(p));
    await p.evaluate(() => window.axon.consent(true));
    await p.evaluate(() => window.axon.flush());
    await settle();
    check('consent given: this page view is sent', (await count('consent-consent')) === 1, await count('consent-consent'));
    check('consent given: the anonymous id is kept', (await stored(p)).includes('axon_anon'), await stored(p));
    await p.evaluate(() => window.axon.consent(false));
    check('consent withdrawn: what was kept is removed', (await stored(p)).length === 0, await stored(p));
    await p.evaluate(() => { window.axon.track('after withdrawal', {}, 'CLICK'); window.axon.flush(); });
    await settle();
    check('consent withdrawn: nothing more is sent', (await count('consent-consent')) === 1, await count('consent-consent'));
    await ctx.close();

    // Global Privacy Control with data-respect-dnt: the tracker does nothing.
    const gpc = await browser.newContext();
    await gpc.addInitScript(() => Object.defineProperty(navigator, 'globalPrivacyControl', { get: () => true }));
    const g = await gpc.newPage();
    await g.goto(origin + '/shop/gpc?mode=dnt');
    await g.waitForFunction(() => window.axon && window.axon.__loaded);
    await g.evaluate(() => { window.axon.track('gpc click', {}, 'CLICK'); window.axon.flush(); });
    await settle();
    check('GPC honoured: nothing is sent', (await count('consent-dnt')) === 0, await count('consent-dnt'));
    check('GPC honoured: nothing is stored', (await stored(g)).length === 0, await stored(g));
    await gpc.close();

    // Cookieless: events arrive, nothing is kept in the browser.
    const cl = await browser.newContext();
    const c = await cl.newPage();
    await c.goto(origin + '/shop/cookieless?mode=cookieless');
    await c.waitForFunction(() => window.axon && window.axon.__loaded);
    await settle();
    await c.evaluate(() => window.axon.flush());
    await settle();
    check('cookieless: the page view is sent', (await count('consent-cookieless')) === 1, await count('consent-cookieless'));
    check('cookieless: nothing is kept in the browser', (await c.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('axon_')))).length === 0);
    await cl.close();
  } finally {
    shop.close();
  }
}
