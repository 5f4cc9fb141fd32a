// Export links: each widget's card downloads its own numbers as CSV and as Parquet (the API's
// format=csv|parquet), and the activity page downloads the window's raw events in both formats.
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
  // Every CSV button has its Parquet twin, and the Parquet file is a real one: the magic at both
  // ends, the Parquet media type, the widget's file name.
  const twins = await page.$$eval('a[data-export]', (xs) => {
    const key = (x) => x.dataset.export + '|' + x.closest('[id]').id;
    const csv = xs.filter((x) => x.dataset.format === 'csv').map(key).sort();
    const pq = xs.filter((x) => x.dataset.format === 'parquet').map(key).sort();
    return { csv, pq, labels: xs.filter((x) => x.dataset.format === 'parquet').map((x) => x.textContent) };
  });
  check('every widget\'s CSV button has a Parquet button beside it', twins.csv.length >= 5 && JSON.stringify(twins.csv) === JSON.stringify(twins.pq) &&
    twins.labels.every((l) => /Parquet/.test(l)), twins);
  const fetchParquet = (sel) => page.evaluate(async (s) => {
    const a = document.querySelector(s);
    if (!a) return null;
    const r = await fetch(a.href, { credentials: 'same-origin' });
    const b = new Uint8Array(await r.arrayBuffer());
    const magic = (o) => String.fromCharCode(...b.slice(o, o + 4));
    return { href: a.getAttribute('href'), type: r.headers.get('content-type'), name: r.headers.get('content-disposition'), download: a.hasAttribute('download'),
      size: b.length, head: magic(0), tail: magic(b.length - 4), text: new TextDecoder().decode(b) };
  }, sel);
  const pqFunnel = await fetchParquet('#fu a[data-export="funnel"][data-format="parquet"]');
  check('the funnel\'s Parquet button downloads a Parquet file of the funnel', pqFunnel && pqFunnel.download && /format=parquet/.test(pqFunnel.href) &&
    pqFunnel.type === 'application/vnd.apache.parquet' && pqFunnel.head === 'PAR1' && pqFunnel.tail === 'PAR1' &&
    pqFunnel.name === `attachment; filename="activity-${activity}-funnel.parquet"` && pqFunnel.text.includes('rateFromFirst') && pqFunnel.text.includes('users'),
    pqFunnel && { href: pqFunnel.href, type: pqFunnel.type, name: pqFunnel.name, size: pqFunnel.size });
  const pqRaw = await fetchParquet('a[data-export="events"][data-format="parquet"]');
  check('the raw events download as Parquet', pqRaw && pqRaw.type === 'application/vnd.apache.parquet' && pqRaw.head === 'PAR1' && pqRaw.tail === 'PAR1' &&
    pqRaw.text.includes('occurredAt') && pqRaw.size > 100, pqRaw && { href: pqRaw.href, type: pqRaw.type, size: pqRaw.size });
  await page.goto(`${base}/admin/dashboard/overview?period=30d`);
  await page.waitForSelector('#ef a[data-export="efficiency"]');
  const eff = await fetchCsv('#ef a[data-export="efficiency"]');
  check('the overview\'s efficiency table downloads', eff && eff.lines.length > 1 && eff.type.startsWith('text/csv'), eff && eff.lines.slice(0, 2));
  const pqEff = await fetchParquet('#ef a[data-export="efficiency"][data-format="parquet"]');
  check('the overview\'s efficiency table downloads as Parquet', pqEff && pqEff.type === 'application/vnd.apache.parquet' && pqEff.head === 'PAR1' &&
    pqEff.name === 'attachment; filename="overview-efficiency.parquet"', pqEff && { href: pqEff.href, name: pqEff.name });
}
