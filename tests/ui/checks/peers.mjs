// What every peer's dashboard has (issue 10): breakdown selectors, drop-off lists with a CSV
// download, the conversion-window control, the date range with "compare with previous period",
// the cohort retention matrix, a legible heat map, phone-width pages and entries paging.
// Every number on screen is compared with the API's answer for the same view.

const pct = (v) => new Intl.NumberFormat('ko-KR', { minimumFractionDigits: 0, maximumFractionDigits: 2 }).format(v) + '%';
const won = (v) => '₩' + new Intl.NumberFormat('ko-KR').format(Math.round(v));
const cells = (page, sel) => page.$$eval(sel, (rows) => rows.map((r) => [...r.children].map((c) => c.textContent)));
const param = (page, k) => new URL(page.url()).searchParams.get(k);
// Contrast of each matched element's text on its own background (WCAG ratio).
const contrasts = (page, sel) => page.$$eval(sel, (els) => els.map((e) => {
  const rgb = (c) => c.match(/\d+(\.\d+)?/g).slice(0, 3).map(Number);
  const lum = (x) => x.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }).reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const st = getComputedStyle(e), a = lum(rgb(st.color)), b = lum(rgb(st.backgroundColor));
  return { text: e.textContent, ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05), size: parseFloat(st.fontSize) };
}));

export default async function ({ context, page, base, api, check, fmt, out, activity, campaign }) {
  const period = 'period=30d';
  // Traffic from two sources and two devices, so a split has more than one row.
  const ua = { mobile: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1', desktop: 'Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/120.0 Safari/537.36' };
  const url = (src) => `https://shop.example/campaign-activity/${activity}/view?utm_source=${src}`;
  await fetch(base + '/api/v1/behavior/events', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify([
    { triggerType: 'PAGE_VIEW', anonymousId: 'peers-1', pageUrl: url('naver'), userAgent: ua.desktop, referrer: 'https://search.naver.com/x' },
    { triggerType: 'PAGE_VIEW', anonymousId: 'peers-2', pageUrl: url('kakao'), userAgent: ua.mobile },
    { triggerType: 'CLICK', anonymousId: 'peers-2', pageUrl: url('kakao'), userAgent: ua.mobile },
    { triggerType: 'PAGE_VIEW', anonymousId: 'peers-3', pageUrl: url('kakao'), userAgent: ua.mobile }]) });
  await new Promise((r) => setTimeout(r, 300));

  // 1. Breakdown selector on the activity funnel: the table is the API's split.
  await page.goto(`${base}/admin/dashboard/${activity}?${period}`);
  await page.waitForSelector('#bd');
  await page.selectOption('#bd', 'utm_source');
  await page.waitForSelector('#breakdown');
  const bdApi = await api(`/api/v1/dashboard/activity/${activity}?${period}&breakdown=utm_source`);
  const want = bdApi.data.breakdown.rows.map((r) => [r.value, fmt(r.totalVisits), fmt(r.uniqueVisitors), fmt(r.totalParticipants), fmt(r.approvedCount), fmt(r.purchaseCount), won(r.gmv), pct(r.engagementRate), pct(r.conversionRate)]);
  const shownBd = (await cells(page, '#breakdown tr')).slice(1);
  check('activity breakdown by utm_source shows the API numbers', want.length >= 3 && JSON.stringify(shownBd) === JSON.stringify(want), { shownBd, want });
  check('the breakdown is kept in the URL', param(page, 'breakdown') === 'utm_source', page.url());
  const bdDef = await page.textContent('#breakdown-card .def');
  check('the breakdown says how it splits, in the page language', /[가-힣]/.test(bdDef) && !/split by|credited/.test(bdDef), bdDef);
  await page.reload();
  await page.waitForSelector('#breakdown');
  check('a reload keeps the breakdown', (await page.inputValue('#bd')) === 'utm_source');
  await page.screenshot({ path: out + '/peers-activity.png', fullPage: true });
  await page.selectOption('#bd', '');
  await page.waitForFunction(() => !document.querySelector('#breakdown') && document.querySelector('#bd'));
  check('choosing none removes the split', param(page, 'breakdown') === null);

  // … and on the overview.
  await page.goto(`${base}/admin/dashboard/overview?${period}`);
  await page.waitForSelector('#bd');
  await page.selectOption('#bd', 'device');
  await page.waitForSelector('#breakdown');
  const ovApi = await api(`/api/v1/dashboard/overview?${period}&breakdown=device`);
  const ovWant = ovApi.data.breakdown.rows.map((r) => [r.value, fmt(r.totalVisits), fmt(r.totalParticipants), fmt(r.purchaseCount), won(r.gmv)]);
  const ovShown = (await cells(page, '#breakdown tr')).slice(1).map((r) => [r[0], r[1], r[3], r[5], r[6]]);
  check('overview breakdown by device shows the API numbers', ovWant.length >= 2 && JSON.stringify(ovShown) === JSON.stringify(ovWant), { ovShown, ovWant });
  await page.screenshot({ path: out + '/peers-overview.png', fullPage: true });

  // 2. Drop-off list per step, paged, with the CSV download.
  await page.goto(`${base}/admin/dashboard/${activity}?${period}`);
  await page.waitForSelector('#dropoff');
  const dropApi = await api(`/api/v1/dashboard/activity/${activity}/funnel/dropoff?step=VISIT&${period}&page=0&size=10`);
  const dropShown = (await cells(page, '#dropoff tr')).slice(1);
  check('drop-off list shows the API page', dropShown.length === dropApi.persons.length && dropShown.every((r, i) => r[0] === dropApi.persons[i].personId),
    { shown: dropShown.slice(0, 2), api: dropApi.persons.slice(0, 2) });
  check('drop-off total is the API total', (await page.textContent('#dropoff-total b')) === fmt(dropApi.totalElements));
  const dropped = await page.textContent('#ordered tr[data-step=VISIT] [data-col=dropped]');
  check('the ordered table\'s drop-off is the list\'s length', dropped === fmt(dropApi.totalElements), { dropped, total: dropApi.totalElements });
  await page.click('#dropoff-card [data-page-next]');
  await page.waitForFunction(() => document.querySelector('#dropoff-card [data-page-of]')?.textContent.startsWith('2 '));
  const dropApi1 = await api(`/api/v1/dashboard/activity/${activity}/funnel/dropoff?step=VISIT&${period}&page=1&size=10`);
  check('drop-off paging shows the next API page', (await page.textContent('#dropoff tr:nth-child(2) td')) === dropApi1.persons[0].personId);
  await page.click('[data-dropstep=ENGAGE]');
  await page.waitForFunction(() => document.querySelector('#dropoff-total')?.textContent.includes('참여까지'));
  const engApi = await api(`/api/v1/dashboard/activity/${activity}/funnel/dropoff?step=ENGAGE&${period}&size=10`);
  check('the ENGAGE drop-off list is the API\'s', (await page.textContent('#dropoff-total b')) === fmt(engApi.totalElements) &&
    (await page.$$('#dropoff tr')).length - 1 === engApi.persons.length, engApi.totalElements);
  const csv = await page.evaluate(async () => {
    const a = document.querySelector('#dropoff-csv');
    const r = await fetch(a.href, { credentials: 'same-origin' });
    return { type: r.headers.get('content-type'), disposition: r.headers.get('content-disposition'), download: a.hasAttribute('download'), text: await r.text() };
  });
  const lines = csv.text.trim().split(/\r?\n/);
  check('drop-off CSV download: text/csv with a header row and every person', csv.type.startsWith('text/csv') && csv.download && /attachment/.test(csv.disposition) &&
    lines[0] === 'personId,userId,anonymousId,sessionId,reachedAt' && lines.length - 1 === engApi.totalElements, { type: csv.type, head: lines[0], rows: lines.length - 1, total: engApi.totalElements });

  // 3. The conversion window: the ordered numbers follow the control.
  await page.selectOption('#cw', '1');
  await page.waitForFunction(() => /conversionWindowHours=1(&|$)/.test(location.search) && document.querySelector('#ordered-card h2')?.textContent.includes('1'));
  const cw = await api(`/api/v1/dashboard/activity/${activity}?${period}&widgets=funnel&conversionWindowHours=1`);
  const cwNone = await api(`/api/v1/dashboard/activity/${activity}?${period}&widgets=funnel`);
  const orderedShown = await page.$$eval('#ordered [data-col=ordered]', (xs) => xs.map((x) => x.textContent));
  check('the ordered funnel shows the API numbers for a 1 h window', JSON.stringify(orderedShown) === JSON.stringify(cw.data.funnel.ordered.users.map(fmt)), { orderedShown, api: cw.data.funnel.ordered.users });
  const series = await page.evaluate(() => Chart.getChart('funnel').data.datasets[2].data);
  check('the funnel chart\'s ordered series follows the window', JSON.stringify(series) === JSON.stringify(cw.data.funnel.ordered.users), series);
  console.log(JSON.stringify({ ordered: { none: cwNone.data.funnel.ordered.users, '1h': cw.data.funnel.ordered.users } }));
  await page.reload();
  await page.waitForSelector('#ordered');
  check('a reload keeps the conversion window', (await page.inputValue('#cw')) === '1');
  await page.selectOption('#cw', '');
  await page.waitForFunction(() => !/conversionWindowHours/.test(location.search) && document.querySelector('#ordered'));

  // 4. Date range and "compare with previous period", kept in the URL.
  await page.goto(`${base}/admin/dashboard/${activity}`);
  await page.waitForSelector('.toolbar [data-run][aria-pressed=true]');
  const meta = await api(`/api/v1/activities/${activity}`);
  const day = (iso) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
  check('the date inputs show the activity run', (await page.inputValue('#sd')) === day(meta.startDate), { sd: await page.inputValue('#sd'), start: meta.startDate });
  const badges = () => page.$$eval('#kp .kpi .change', (x) => x.length);
  await page.waitForSelector('#kp .kpi');
  check('change badges shown while comparing', (await badges()) === 10);
  await page.uncheck('#compare');
  await page.waitForFunction(() => location.search.includes('compare=off') && document.querySelector('#compare') && !document.querySelector('#compare').checked);
  await page.waitForSelector('#kp .kpi');
  check('compare off hides the change badges', (await badges()) === 0);
  await page.reload();
  await page.waitForSelector('#compare');
  await page.waitForSelector('#kp .kpi');
  check('a reload keeps compare off', !(await page.isChecked('#compare')) && (await badges()) === 0 && (await page.getAttribute('.toolbar [data-run]', 'aria-pressed')) === 'true');
  await page.check('#compare');
  await page.waitForFunction(() => !location.search.includes('compare=off') && document.querySelectorAll('#kp .kpi .change').length === 10);
  check('compare on shows them again', true);
  const start = day(Date.now() - 10 * 86400000), end = day(Date.now() - 3 * 86400000);
  await page.fill('#sd', end);
  await page.fill('#ed', start);
  const before = page.url();
  await page.click('#apply');
  check('a reversed range is refused beside the inputs', (await page.textContent('#rangeerr')).length > 0 && page.url() === before);
  await page.fill('#sd', start);
  await page.fill('#ed', end);
  await page.click('#apply');
  await page.waitForFunction((s) => location.search.includes('startDate=' + s) && document.querySelector('#apply.on'), start);
  await page.reload();
  await page.waitForSelector('#apply.on');
  const rangeApi = await api(`/api/v1/dashboard/activity/${activity}?period=custom&startDate=${start}&endDate=${end}&widgets=overview`);
  check('a custom range survives a reload and shows its numbers', param(page, 'startDate') === start && param(page, 'endDate') === end &&
    (await page.inputValue('#sd')) === start && (await page.textContent('[data-kpi="방문"]')) === fmt(rangeApi.data.overview.totalVisits), { url: page.url() });

  // 5. The retention matrix on the cohort page, monthly and weekly.
  await page.goto(`${base}/admin/dashboard/cohort/${activity}`);
  await page.waitForSelector('#retention');
  for (const g of ['month', 'week']) {
    if (g === 'week') {
      await page.click('[data-granularity=week]');
      await page.waitForFunction(() => document.querySelector('#retention th:nth-child(3)')?.textContent === 'W0');
    }
    const m = await api(`/api/v1/dashboard/cohort/activity/${activity}/retention?granularity=${g}`);
    const rows = (await cells(page, '#retention tr')).slice(1);
    const wantRows = m.cohorts.map((c) => [c.cohort, fmt(c.size), ...c.retention.map(pct)]);
    const filled = rows.map((r, i) => r.slice(0, (wantRows[i] || []).length)), rest = rows.flatMap((r, i) => r.slice((wantRows[i] || []).length));
    check(`the ${g}ly retention matrix is the API's`, m.cohorts.length > 0 && JSON.stringify(filled) === JSON.stringify(wantRows) && rest.every((c) => c === ''), { rows: rows.slice(0, 2), wantRows: wantRows.slice(0, 2) });
    const rc = await contrasts(page, '#retention td.cell');
    check(`${g}ly retention cells are legible`, rc.length > 0 && rc.every((c) => c.ratio >= 4.5 && c.size >= 12), rc.filter((c) => c.ratio < 4.5).slice(0, 3));
  }
  check('the granularity is kept in the URL', param(page, 'granularity') === 'week');
  await page.screenshot({ path: out + '/peers-cohort.png', fullPage: true });

  // 6. The heat map at 1440 px: all 24 hours in view, every number legible.
  const wide = await context.newPage();
  await wide.setViewportSize({ width: 1440, height: 900 });
  await wide.goto(`${base}/admin/dashboard/campaign/${campaign}?${period}`);
  await wide.waitForSelector('#heat td');
  const fit = await wide.evaluate(() => {
    const t = document.querySelector('#heat'), w = t.closest('.tablewrap'), r = w.getBoundingClientRect();
    const hours = [...t.rows[0].cells].slice(1);
    return { hours: hours.length, scroll: w.scrollWidth, client: w.clientWidth, inside: hours.every((h) => h.getBoundingClientRect().right <= r.right + 0.5 && h.getBoundingClientRect().left >= r.left - 0.5) };
  });
  check('the heat map shows all 24 hours unclipped at 1440 px', fit.hours === 24 && fit.scroll <= fit.client && fit.inside, fit);
  const hc = await contrasts(wide, '#heat td');
  check('every heat-map number is legible (contrast >= 4.5, >= 12 px)', hc.length === 168 && hc.every((c) => c.ratio >= 4.5 && c.size >= 12), hc.filter((c) => c.ratio < 4.5).slice(0, 3));
  const heatApi = await api(`/api/v1/dashboard/campaign/${campaign}?${period}&widgets=heatmap`);
  check('heat-map cells are the API counts', JSON.stringify(hc.map((c) => c.text)) === JSON.stringify(heatApi.data.heatmap.byWeekdayHour.flat().map(fmt)));
  await wide.screenshot({ path: out + '/peers-campaign-1440.png', fullPage: true });
  await wide.close();

  // … and every dashboard page at 390 px: nothing wider than the phone; wide tables scroll in their card.
  const phone = await context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  const pages = [['overview', '/admin/dashboard/overview?' + period, '#eff tr'], ['campaign', `/admin/dashboard/campaign/${campaign}?${period}`, '#heat td'],
    ['activity', `/admin/dashboard/${activity}?${period}&breakdown=utm_source`, '#dropoff tr'], ['cohort', `/admin/dashboard/cohort/${activity}`, '#retention td'], ['campaigns', '/admin/campaigns', '#na']];
  for (const [name, path, ready] of pages) {
    await phone.goto(base + path);
    await phone.waitForSelector(ready);
    const w = await phone.evaluate(() => document.documentElement.scrollWidth);
    check(`${name} page fits 390 px (scrollWidth ${w})`, w <= 390, w);
    if (name === 'campaign') {
      const s = await phone.evaluate(() => { const w = document.querySelector('#heat').closest('.tablewrap'); return { scroll: w.scrollWidth, client: w.clientWidth, overflow: getComputedStyle(w).overflowX }; });
      check('the heat map scrolls inside its card at 390 px', s.scroll > s.client && s.overflow === 'auto', s);
    }
    await phone.screenshot({ path: `${out}/peers-${name}-390.png`, fullPage: true });
  }
  await phone.close();

  // 7. Entries paging on the campaigns board.
  await page.goto(base + '/admin/campaigns');
  await page.click(`[data-entries="${activity}"]`);
  await page.waitForSelector('#entries [data-page-of]');
  const e0 = await api(`/api/v1/activities/${activity}/entries?page=0&size=20`);
  check('entries say page 1 of y', (await page.textContent('#entries [data-page-of]')) === `1 / ${fmt(e0.totalPages)} 페이지` && (await page.isDisabled('#entries [data-page-prev]')), await page.textContent('#entries [data-page-of]'));
  await page.click('#entries [data-page-next]');
  await page.waitForFunction(() => document.querySelector('#entries [data-page-of]').textContent.startsWith('2 '));
  const e1 = await api(`/api/v1/activities/${activity}/entries?page=1&size=20`);
  const firstUser = await page.textContent('#entries-table tr:nth-child(2) td');
  check('next shows the API\'s second page', e0.totalPages > 1 && firstUser === e1.entries[0].userId && (await page.$$('#entries-table tr')).length - 1 === e1.entries.length, { firstUser, api: e1.entries[0]?.userId });
  await page.click('#entries [data-page-prev]');
  await page.waitForFunction(() => document.querySelector('#entries [data-page-of]').textContent.startsWith('1 '));
  check('previous goes back to the first page', (await page.textContent('#entries-table tr:nth-child(2) td')) === e0.entries[0].userId);
  await page.screenshot({ path: out + '/peers-campaigns.png', fullPage: true });
}
