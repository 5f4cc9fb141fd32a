// Live dashboards (issue 10 item 7): every widget of the activity, campaign and overview pages
// follows the SSE stream in place; the live badge turns grey and the page reconnects with
// exponential backoff when the stream drops; a failed widget shows its own error and retry;
// an activity without data shows how to install the tracker.
const STREAM = '**/api/v1/dashboard/stream/**';
const PERIOD = 'period=30d';

export default async function ({ context, page, base, api, check, fmt, out, activity, campaign }) {
  const track = (activityId, who) => fetch(base + '/api/v1/behavior/events', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ triggerType: 'PAGE_VIEW', anonymousId: who, ...(activityId ? { properties: { activityId } } : { pageUrl: base + '/nowhere' }) }) });
  const live = () => page.waitForFunction(() => document.body.dataset.live === 'on', null, { timeout: 15000 });
  const kpi = (label) => page.evaluate((l) => { const e = [...document.querySelectorAll('[data-kpi="' + l + '"]')].find((x) => !x.closest('#rtk')); return e ? e.textContent : null; }, label);
  const waitKpi = (label, want, timeout = 10000) => page.waitForFunction(([l, w]) => [...document.querySelectorAll('[data-kpi="' + l + '"]')].some((x) => !x.closest('#rtk') && x.textContent === w), [label, want], { timeout }).then(() => true, () => false);
  const chartData = (id, i = 0) => page.evaluate(([c, k]) => Chart.getChart(c).data.datasets[k].data.slice(), [id, i]);

  // 1. Activity: KPIs, funnel, comparison and the hourly inflow follow the stream, in place.
  await page.goto(`${base}/admin/dashboard/${activity}?${PERIOD}`);
  await page.waitForFunction(() => window.Chart && Chart.getChart('funnel') && Chart.getChart('cmp') && Chart.getChart('inflow') && document.querySelector('[data-kpi]'));
  await live();
  const badge = await page.evaluate(() => ({ text: document.querySelector('.livestat').textContent, dot: getComputedStyle(document.querySelector('.livestat .live')).backgroundColor }));
  check('live badge: green "실시간 연결됨" while connected', badge.text === '실시간 연결됨' && badge.dot === 'rgb(43, 138, 62)', badge);
  await page.fill('.qa input[name=q]', '질문 작성 중');
  await page.evaluate(() => { window.__charts = ['funnel', 'cmp', 'inflow', 'gauge'].map((c) => Chart.getChart(c)); window.scrollTo(0, 300); window.__marker = document.querySelector('.qa'); });
  const scroll0 = await page.evaluate(() => window.scrollY);
  const a0 = await api(`/api/v1/dashboard/activity/${activity}?${PERIOD}`);
  const visits0 = a0.data.overview.totalVisits, purchases0 = a0.data.overview.purchaseCount;
  const funnel0 = await chartData('funnel'), promo0 = await chartData('cmp'), inflow0 = await chartData('inflow');
  check('activity page shows the API numbers before the update', (await kpi('방문')) === fmt(visits0) && JSON.stringify(funnel0) === JSON.stringify(a0.data.funnel.steps.map((s) => s.value)), { kpi: await kpi('방문'), visits0, funnel0 });
  const product = (await api(`/api/v1/activities/${activity}`)).productId;
  await track(+activity, 'ui-live-visit');
  const bought = await api('/api/v1/purchases', { method: 'POST', body: JSON.stringify({ userId: 'ui-live-buyer-' + Date.now(), productId: product, activityId: +activity, price: 1000, quantity: 1, orderId: 'ui-live-' + Date.now() }) });
  check('a promotion purchase was recorded', bought.purchaseType === 'CAMPAIGNACTIVITY' || bought.activityId === +activity, bought);
  check('activity KPI visits rose live', await waitKpi('방문', fmt(visits0 + 1)), { before: visits0, now: await kpi('방문') });
  check('activity KPI purchases rose live', await waitKpi('구매', fmt(purchases0 + 1)), { before: purchases0, now: await kpi('구매') });
  await page.waitForTimeout(300);
  const a1 = await api(`/api/v1/dashboard/activity/${activity}?${PERIOD}`);
  const funnel1 = await chartData('funnel'), promo1 = await chartData('cmp'), inflow1 = await chartData('inflow');
  check('funnel chart data changed live to the API answer', funnel1[0] === funnel0[0] + 1 && JSON.stringify(funnel1) === JSON.stringify(a1.data.funnel.steps.map((s) => s.value)), { funnel0, funnel1 });
  const sum = (xs) => xs.reduce((s, v) => s + v, 0);
  check('comparison chart (promotion purchases) changed live', sum(promo1) === sum(promo0) + 1 && JSON.stringify(promo1) === JSON.stringify(a1.data.comparison.daily.map((d) => d.promotion)), { promo0: promo0.slice(-3), promo1: promo1.slice(-3) });
  check('hourly inflow chart changed live', sum(inflow1) === sum(inflow0) + 1, { inflow0: sum(inflow0), inflow1: sum(inflow1) });
  const kept = await page.evaluate(() => ({ sameCharts: ['funnel', 'cmp', 'inflow', 'gauge'].every((c, i) => Chart.getChart(c) === window.__charts[i]), sameBox: document.querySelector('.qa') === window.__marker, typed: document.querySelector('.qa input[name=q]').value, y: window.scrollY }));
  check('charts updated in place; the question box, its text and the scroll stay', kept.sameCharts && kept.sameBox && kept.typed === '질문 작성 중' && Math.abs(kept.y - scroll0) < 2, { ...kept, scroll0 });

  // Campaign and overview pages follow their streams too.
  await page.goto(`${base}/admin/dashboard/campaign/${campaign}?${PERIOD}`);
  await page.waitForFunction(() => window.Chart && Chart.getChart('acts') && document.querySelector('[data-kpi]'));
  await live();
  const c0 = await api(`/api/v1/dashboard/campaign/${campaign}?widgets=overview,activities&${PERIOD}`);
  const row = c0.data.activities.findIndex((r) => r.activityId === +activity);
  await page.evaluate(() => { window.__acts = Chart.getChart('acts'); });
  await track(+activity, 'ui-live-campaign');
  check('campaign KPI visits rose live', await waitKpi('방문', fmt(c0.data.overview.totalVisits + 1)), { before: c0.data.overview.totalVisits, now: await kpi('방문') });
  await page.waitForTimeout(300);
  const acts = await chartData('acts');
  check('campaign activities chart changed live, in place', row >= 0 && acts[row] === c0.data.activities[row].totalVisits + 1 && (await page.evaluate(() => Chart.getChart('acts') === window.__acts)), { row, acts, before: c0.data.activities.map((r) => r.totalVisits) });

  await page.goto(`${base}/admin/dashboard/overview?${PERIOD}`);
  await page.waitForFunction(() => window.Chart && Chart.getChart('traffic') && document.querySelector('[data-kpi]'));
  await live();
  const o0 = await api(`/api/v1/dashboard/overview?${PERIOD}`);
  const traffic0 = sum(await chartData('traffic'));
  await page.evaluate(() => { window.__traffic = Chart.getChart('traffic'); });
  await track(+activity, 'ui-live-overview');
  check('overview KPI visits rose live', await waitKpi('방문', fmt(o0.data.totals.totalVisits + 1)), { before: o0.data.totals.totalVisits, now: await kpi('방문') });
  await track(null, 'ui-live-unattributed');
  const trafficUp = await page.waitForFunction((t) => Chart.getChart('traffic').data.datasets[0].data.reduce((s, v) => s + v, 0) === t + 2, traffic0, { timeout: 10000 }).then(() => true, () => false);
  check('overview traffic chart changed live, in place', trafficUp && (await page.evaluate(() => Chart.getChart('traffic') === window.__traffic)), { traffic0, now: sum(await chartData('traffic')) });

  // 2. The stream drops: grey badge, reconnects with backoff (1 s, 2 s, 4 s …), green again,
  // and the data that arrived meanwhile is shown. The fourth attempt gets one real push and
  // ends (a stream that drops after data flowed: a restart, a proxy timeout): green, grey again,
  // and the wait starts over at 1 s. (The page logs every change of its live state.)
  await page.addInitScript(() => document.addEventListener('DOMContentLoaded', () => { window.__liveLog = []; new MutationObserver(() => window.__liveLog.push(document.body.dataset.live)).observe(document.body, { attributes: true, attributeFilter: ['data-live'] }); }));
  const frame = JSON.stringify(await api(`/api/v1/dashboard/activity/${activity}?widgets=overview,funnel,comparison,realtime&${PERIOD}`));
  const attempts = [];
  await context.route(STREAM, (r) => { attempts.push(Date.now()); return attempts.length === 4 ? r.fulfill({ status: 200, contentType: 'text/event-stream', body: 'event: dashboard-update\ndata: ' + frame + '\n\n' }) : r.abort(); });
  await page.goto(`${base}/admin/dashboard/${activity}?${PERIOD}`);
  await page.waitForFunction(() => window.Chart && Chart.getChart('funnel') && document.querySelector('[data-kpi]'));
  const grey = await page.waitForFunction(() => document.body.dataset.live === 'off', null, { timeout: 5000 }).then(() => true, () => false);
  const off = await page.evaluate(() => ({ text: document.querySelector('.livestat').textContent, dot: getComputedStyle(document.querySelector('.livestat .live')).backgroundColor, failed: document.querySelectorAll('.failed').length }));
  check('stream down: grey "연결 끊김 · 재연결 중", widgets still shown', grey && off.text === '연결 끊김 · 재연결 중' && off.dot === 'rgb(107, 115, 133)' && off.failed === 0, off);
  await page.screenshot({ path: out + '/live-disconnected.png' });
  const visitsDown = (await api(`/api/v1/dashboard/activity/${activity}?widgets=overview&${PERIOD}`)).data.overview.totalVisits;
  await track(+activity, 'ui-live-while-down');
  for (let i = 0; i < 150 && attempts.length < 6; i++) await page.waitForTimeout(100);
  const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
  const near = (g, want) => g >= 0.8 * want && g < 1.5 * want + 1000;
  check('reconnects with exponential backoff (1 s, 2 s, 4 s …)', gaps.length >= 3 && [1000, 2000, 4000].every((w, i) => near(gaps[i], w)), { gaps });
  check('a stream that delivered data and dropped starts over at 1 s', gaps.length >= 5 && near(gaps[3], 1000) && near(gaps[4], 2000), { gaps });
  const log = await page.evaluate(() => window.__liveLog.join(' '));
  check('it was green while the push came, grey when it ended', /^off( off)* on off/.test(log), log);
  await context.unroute(STREAM);
  const back = await page.waitForFunction(() => document.body.dataset.live === 'on', null, { timeout: 12000 }).then(() => true, () => false);
  check('stream back: green "실시간 연결됨" again', back && (await page.textContent('.livestat')) === '실시간 연결됨', await page.textContent('.livestat'));
  check('after the reconnect the page shows what arrived meanwhile', await waitKpi('방문', fmt(visitsDown + 1), 5000), { before: visitsDown, now: await kpi('방문') });

  // 3. One widget fails: its card says so with a retry button, the rest of the page works.
  await context.route(STREAM, (r) => r.abort()); // the stream would redraw (heal) the widget at once
  const failing = (url) => url.pathname === `/api/v1/dashboard/activity/${activity}` && url.searchParams.get('widgets') === 'funnel';
  await context.route(failing, (r) => r.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'INTERNAL', message: 'funnel broke' }) }));
  await page.goto(`${base}/admin/dashboard/${activity}?${PERIOD}`);
  await page.waitForSelector('#fu .werr button', { timeout: 10000 });
  await page.waitForFunction(() => window.Chart && Chart.getChart('cmp') && Chart.getChart('gauge') && document.querySelector('#kp [data-kpi]'));
  const failed = await page.evaluate(() => ({ err: document.querySelector('#fu .werr').textContent, button: document.querySelector('#fu .werr button').textContent,
    canvasHidden: getComputedStyle(document.getElementById('funnel')).display === 'none', others: [...document.querySelectorAll('.failed')].map((e) => e.id), h1: !!document.querySelector('h1'), qa: !!document.querySelector('.qa') }));
  check('a failed widget shows its own error and a retry button', failed.err.includes('불러오지 못했습니다') && failed.err.includes('funnel broke') && failed.button === '다시 시도' && failed.canvasHidden, failed);
  check('the rest of the page still works', JSON.stringify(failed.others) === '["fu"]' && failed.h1 && failed.qa, failed);
  await page.screenshot({ path: out + '/live-widget-error.png', fullPage: true });
  await context.unroute(failing);
  await page.click('#fu .werr button');
  await page.waitForFunction(() => Chart.getChart('funnel') && !document.querySelector('#fu.failed'), null, { timeout: 10000 });
  const fa = await api(`/api/v1/dashboard/activity/${activity}?widgets=funnel&${PERIOD}`);
  check('retry loads the widget', JSON.stringify(await chartData('funnel')) === JSON.stringify(fa.data.funnel.steps.map((s) => s.value)), await chartData('funnel'));
  await context.unroute(STREAM);
  // With the stream up, a failed widget heals itself with the next push.
  await context.route(failing, (r) => r.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"INTERNAL","message":"funnel broke"}' }));
  await page.goto(`${base}/admin/dashboard/${activity}?${PERIOD}`);
  const healed = await page.waitForFunction(() => document.body.dataset.live === 'on' && Chart.getChart('funnel') && !document.querySelector('#fu.failed'), null, { timeout: 10000 }).then(() => true, () => false);
  check('the stream redraws a failed widget', healed);
  await context.unroute(failing);

  // 4. A fresh activity: no charts of zeros but how to install the tracker; its first event
  // turns the page into the dashboard, live.
  const day = 86400000;
  const camp = await api('/api/v1/campaigns', { method: 'POST', body: JSON.stringify({ name: 'UI 빈 활동 캠페인 ' + Date.now(), budget: 1000 }) });
  const fresh = await api(`/api/v1/campaigns/${camp.id}/activities`, { method: 'POST', body: JSON.stringify({ name: '빈 활동', activityType: 'FIRST_COME_FIRST_SERVE', limitCount: 10,
    startDate: new Date(Date.now() - day).toISOString(), endDate: new Date(Date.now() + 7 * day).toISOString(), price: 1000 }) });
  check('a fresh activity was created', Number.isInteger(fresh.id), fresh);
  await page.goto(`${base}/admin/dashboard/${fresh.id}`);
  await page.waitForSelector('#empty', { timeout: 10000 });
  await live();
  const empty = await page.evaluate(() => ({ title: document.querySelector('#empty h2').textContent, code: document.querySelector('#empty code').textContent,
    guide: document.querySelector('#empty a[href^="/docs/integration"]')?.getAttribute('href'), charts: document.querySelectorAll('canvas').length, kpis: document.querySelectorAll('[data-kpi]').length, qa: !!document.querySelector('.qa') }));
  check('an empty activity says "아직 데이터가 없습니다" instead of charts of zeros', empty.title === '아직 데이터가 없습니다' && empty.charts === 0 && empty.kpis === 0 && empty.qa, empty);
  check('it shows the tracker snippet for this server and activity', empty.code.includes(`<script async src="${base}/axon.js"></script>`) && empty.code.includes(`activityId: ${fresh.id}`) && empty.code.includes('window.axonConfig'), empty.code);
  await page.screenshot({ path: out + '/live-empty.png', fullPage: true });
  const guide = await context.newPage();
  await guide.goto(base + empty.guide);
  check('the guide link opens the tracker section', empty.guide === '/docs/integration#1-the-tracker' && (await guide.$('[id="1-the-tracker"]')) !== null && (await guide.textContent('[id="1-the-tracker"]')) === '1. The tracker', empty.guide);
  await guide.close();
  await track(fresh.id, 'ui-live-first');
  const turned = await waitKpi('방문', fmt(1));
  check('the first event turns the empty page into the dashboard, live', turned && !(await page.$('#empty')) && (await page.evaluate(() => !!(window.Chart && Chart.getChart('funnel')))), { turned });

  // English: the same states, localised.
  await page.evaluate(() => localStorage.setItem('axon_lang', 'en'));
  const camp2 = await api('/api/v1/campaigns', { method: 'POST', body: JSON.stringify({ name: 'UI empty en ' + Date.now(), budget: 1000 }) });
  const fresh2 = await api(`/api/v1/campaigns/${camp2.id}/activities`, { method: 'POST', body: JSON.stringify({ name: 'empty', activityType: 'FIRST_COME_FIRST_SERVE', limitCount: 10,
    startDate: new Date(Date.now() - day).toISOString(), endDate: new Date(Date.now() + 7 * day).toISOString(), price: 1000 }) });
  await context.route(STREAM, (r) => r.abort());
  await context.route(failing, (r) => r.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"INTERNAL","message":"funnel broke"}' }));
  await page.goto(`${base}/admin/dashboard/${activity}?${PERIOD}`);
  await page.waitForSelector('#fu .werr button', { timeout: 10000 });
  await page.waitForFunction(() => document.body.dataset.live === 'off');
  check('english: "disconnected · reconnecting" and "Retry"', (await page.textContent('.livestat')) === 'disconnected · reconnecting' && (await page.textContent('#fu .werr button')) === 'Retry', { badge: await page.textContent('.livestat') });
  await context.unroute(failing);
  await context.unroute(STREAM);
  await page.goto(`${base}/admin/dashboard/${fresh2.id}`);
  await page.waitForSelector('#empty', { timeout: 10000 });
  check('english: "No data yet"', (await page.textContent('#empty h2')) === 'No data yet', await page.textContent('#empty h2'));
  await page.evaluate(() => localStorage.setItem('axon_lang', 'ko'));
}
