// Every page works under its Content-Security-Policy (no inline script, nothing from another
// origin): no policy violation while each page loads and draws, and the shop still works.
export default async function ({ browser, context, base, activity, campaign, check }) {
  const visit = async (ctx, path, ready) => {
    const p = await ctx.newPage();
    await p.addInitScript(() => {
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
    });
    const res = await p.goto(base + path);
    await p.waitForSelector(ready, { timeout: 15000 }).catch(() => {});
    await p.waitForTimeout(500);
    const csp = res.headers()['content-security-policy'] || '';
    const seen = await p.evaluate(() => window.__csp);
    check(`CSP on ${path}: set, no inline script, nothing violated`, csp.includes("script-src 'self'") && !csp.includes("'unsafe-inline' 'unsafe-eval'") && seen.length === 0, { csp, seen });
    await p.close();
  };
  await visit(context, '/admin/dashboard/overview', 'canvas#top');
  await visit(context, `/admin/dashboard/${activity}`, '#kp .kpi');
  await visit(context, `/admin/dashboard/campaign/${campaign}`, '#kp .kpi');
  await visit(context, `/admin/dashboard/cohort/${activity}`, 'canvas#ltv');
  await visit(context, '/admin/campaigns', 'form#na');
  await visit(context, '/admin/operations', '[data-ops="opsAccepted"]');
  await visit(context, '/docs/integration', 'h1');
  await visit(context, `/demo/shop/activity/${activity}`, '#enter-button');
  const anonymous = await browser.newContext();
  await visit(anonymous, '/admin/login', 'input[name=key]');
  await anonymous.close();
}
