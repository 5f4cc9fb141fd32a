// The Swagger UI at /docs: served by the server itself (nothing from another origin), its
// initializer an external script, so it renders the operations under our CSP without a
// violation; "Try it out" calls the API with a key.
export default async function ({ browser, base, key, check, out }) {
  const ctx = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const p = await ctx.newPage();
  await p.addInitScript(() => {
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
  });
  const foreign = [];
  p.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  const res = await p.goto(base + '/docs');
  await p.waitForSelector('.opblock-summary', { timeout: 20000 }).catch(() => {});
  await p.waitForTimeout(500);
  const csp = res.headers()['content-security-policy'] || '';
  const ops = await p.locator('.opblock-summary').count();
  const seen = await p.evaluate(() => window.__csp);
  check('docs: /docs renders the operations', ops >= 80 && p.url().endsWith('/docs/'), { ops, url: p.url() });
  check('docs: the CSP is set and nothing violated it', csp.includes("script-src 'self'") && seen.length === 0, { csp, seen });
  check('docs: nothing is loaded from another origin', foreign.length === 0, { foreign });
  check('docs: no script error', errors.length === 0, { errors });
  const catalogue = await p.locator('text=SOLD_OUT').count();
  check('docs: the error-code catalogue is on the page', catalogue > 0, { catalogue });
  await p.screenshot({ path: `${out}/docs-1440.png` });
  // Try it out: GET /api/v1/campaigns with the admin key through the UI's own request.
  await p.locator('button.authorize').first().click();
  const input = p.locator('.auth-container input').first();
  await input.fill(key);
  await p.locator('.auth-btn-wrapper button.authorize, .auth-btn-wrapper .btn.modal-btn.auth').first().click();
  await p.locator('.btn-done, button.close-modal').first().click().catch(() => {});
  const op = p.locator('#operations-campaigns-campaigns_list');
  await op.locator('.opblock-summary').click();
  // Try-it-out is on by configuration; the button would switch it off again.
  await op.locator('button.execute').waitFor({ timeout: 5000 }).catch(() => {});
  if (!(await op.locator('button.execute').count())) await op.locator('button.try-out__btn').click();
  await op.locator('button.execute').click({ timeout: 10000 }).catch(() => {});
  await op.locator('.live-responses-table tbody .response-col_status').first().waitFor({ timeout: 10000 }).catch(() => {});
  const status = (await op.locator('.live-responses-table tbody .response-col_status').first().textContent().catch(() => '')).trim();
  check('docs: Try it out calls the API with the key', status === '200', { status });
  const after = await p.evaluate(() => window.__csp);
  check('docs: still no CSP violation after a call', after.length === 0, { after });
  await ctx.close();
}
