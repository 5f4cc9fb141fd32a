// Export links: each widget's card downloads its own numbers as CSV (the API's format=csv), and
// the activity page downloads the window's raw events.
export default async function ({ page, base, activity, api, check }) {
  const fetchCsv = (sel) => page.evaluate(async (s) => {
    const a = document.querySelector(s);
    if (!a) return null;
    const r = await fetch(a.href, { credentials: 'same-origin' });
    return { type: r.headers.get('content-type'), download: a.hasAttribute('download'), lines: (await r.text()).trim().split(/\r?\n/) };
  }, sel);
  await page.goto(`${base}/admin/dashboard/${activity}?period=30d`);
  await page.waitForSelector('#fu a[data-export="funnel"]');
  await page.waitForSelector('#rt a[data-export="realtime"]');
  const cards = await page.$$eval('a[data-export]', (xs) => xs.map((x) => x.dataset.export).sort());
  check('every widget of the activity page has its export', ['comparison', 'events', 'funnel', 'overview', 'realtime'].every((n) => cards.includes(n)), cards);
  const funnel = await fetchCsv('#fu a[data-export="funnel"]');
  const apiFunnel = await api(`/api/v1/dashboard/activity/${activity}?period=30d&widgets=funnel`);
  const visit = funnel && funnel.lines[1].split(',');
  check('the funnel CSV is the API\'s funnel', funnel && funnel.type.startsWith('text/csv') && funnel.download &&
    funnel.lines[0].startsWith('step,name,value') && visit[0] === 'VISIT' && +visit[2] === apiFunnel.data.funnel.steps[0].value, { head: funnel && funnel.lines.slice(0, 2) });
  const raw = await fetchCsv('a[data-export="events"]');
  check('the raw events download has a header and rows', raw && raw.lines[0].startsWith('occurredAt,triggerType') && raw.lines.length > 1, raw && raw.lines.slice(0, 2));
  await page.goto(`${base}/admin/dashboard/overview?period=30d`);
  await page.waitForSelector('#ef a[data-export="efficiency"]');
  const eff = await fetchCsv('#ef a[data-export="efficiency"]');
  check('the overview\'s efficiency table downloads', eff && eff.lines.length > 1 && eff.type.startsWith('text/csv'), eff && eff.lines.slice(0, 2));
}
