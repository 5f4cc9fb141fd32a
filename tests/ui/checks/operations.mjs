// The operations page shows the figures of GET /api/v1/operations, refreshes them, and turns two
// readings into an ingestion rate.
export default async function ({ page, base, api, check, fmt, out }) {
  await page.goto(base + '/admin/operations');
  await page.waitForSelector('[data-ops="opsAccepted"]');
  const before = await api('/api/v1/operations');
  const shown = await page.textContent('[data-ops="opsAccepted"]');
  check('operations page shows the stored events', shown === fmt(before.events.accepted), { shown, api: before.events.accepted });
  check('operations page shows the projection lag', (await page.textContent('[data-ops="opsLag"]')) === fmt(before.projection.lag));
  check('operations page names itself in the nav', (await page.textContent('header a[href="/admin/operations"]')) === '운영 현황');
  // Five more events: the page counts them within its next refreshes and shows a rate.
  const events = Array.from({ length: 5 }, (_, i) => ({ triggerType: 'PAGE_VIEW', anonymousId: 'ops-' + i }));
  await api('/api/v1/behavior/events', { method: 'POST', body: JSON.stringify(events) });
  const want = fmt(before.events.accepted + 5);
  await page.waitForFunction((w) => document.querySelector('[data-ops="opsAccepted"]').textContent === w, want, { timeout: 10000 })
    .then(() => check('operations page refreshes its figures', true))
    .catch(async () => check('operations page refreshes its figures', false, await page.textContent('[data-ops="opsAccepted"]')));
  const rate = await page.textContent('[data-ops="opsRate"]');
  check('operations page turns two readings into a rate', /^[0-9.,]+$/.test(rate.trim()), rate);
  await page.screenshot({ path: out + '/operations.png', fullPage: true });
}
