// Share links and annotations (issue 17 §3, §5): an admin creates a link on /admin/campaigns;
// a fresh browser context without cookies opens it and sees the activity's live numbers and a
// note's marker on the time chart, no admin links; after the admin revokes it the open page
// and a reload say the link was revoked.
export default async function ({ browser, page, base, key, api, check, fmt, out, activity }) {
  const post = (p, b) => api(p, { method: 'POST', body: JSON.stringify(b) });
  const text = 'UI 광고 송출 ' + Date.now();
  const note = await post('/api/v1/annotations', { scope: 'ACTIVITY', scopeId: +activity, at: new Date(Date.now() - 20 * 60000).toISOString(), text });
  check('an admin adds a note', note.id > 0 && note.text === text, note);

  await page.goto(`${base}/admin/campaigns`);
  await page.waitForSelector('#share-new select[name=target]');
  await page.selectOption('#share-new select[name=target]', `ACTIVITY:${activity}`);
  await page.selectOption('#share-new select[name=period]', '30d');
  await page.fill('#share-new input[name=expiresInHours]', '24');
  await page.fill('#share-new input[name=label]', 'ui agency');
  await page.click('#share-new button');
  await page.waitForFunction(() => !document.getElementById('share-created').hidden && document.getElementById('share-url').value.includes('/share/axs_'));
  const url = await page.inputValue('#share-url');
  const listed = (await api('/api/v1/admin/shares')).shares.find((s) => s.label === 'ui agency');
  check('the form creates a link, shows its URL once and lists it', listed && listed.status === 'ACTIVE' && url.startsWith(base + '/share/axs_'), { url, listed });
  await page.waitForSelector(`#share-list tr[data-share-id="${listed && listed.id}"]`).catch(() => {});
  await page.screenshot({ path: `${out}/share-admin.png`, fullPage: true });

  // A stranger: a new context, no cookies.
  const stranger = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const sp = await stranger.newPage();
  const resp = await sp.goto(url);
  check('the shared page opens without login, with no referrer', resp.status() === 200 && resp.headers()['referrer-policy'] === 'no-referrer' && !sp.url().includes('/admin/login'), { status: resp.status(), url: sp.url() });
  await sp.waitForFunction(() => window.Chart && Chart.getChart('inflow') && Chart.getChart('cmp') && document.querySelector('[data-kpi]'), null, { timeout: 15000 });
  await sp.waitForFunction(() => document.body.dataset.live === 'on', null, { timeout: 15000 });
  const ad = await api(`/api/v1/dashboard/activity/${activity}?period=30d`);
  const visits = await sp.textContent('[data-kpi="방문"]');
  check('the shared page shows the API numbers of its period', visits === fmt(ad.data.overview.totalVisits), { visits, api: ad.data.overview.totalVisits });
  const marks = await sp.evaluate(() => ({ inflow: JSON.parse(document.getElementById('inflow').dataset.notes || '[]'), cmp: JSON.parse(document.getElementById('cmp').dataset.notes || '[]'), strip: document.getElementById('notes') && document.getElementById('notes').textContent }));
  check('the note is marked on the time charts and listed', marks.inflow.includes(text) && marks.cmp.includes(text) && (marks.strip || '').includes(text), marks);
  const chrome = await sp.evaluate(() => ({ admin: [...document.querySelectorAll('a')].filter((a) => (a.getAttribute('href') || '').startsWith('/admin')).length, ask: !!document.querySelector('.qa'), exports: document.querySelectorAll('a.export').length, dropoff: !!document.getElementById('dropoff-card') }));
  check('the shared page has no admin links, question box, exports or drop-off list', chrome.admin === 0 && !chrome.ask && chrome.exports === 0 && !chrome.dropoff, chrome);
  const before = await sp.textContent('[data-kpi="방문"]');
  await fetch(base + '/api/v1/behavior/events', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ triggerType: 'PAGE_VIEW', anonymousId: 'ui-share-' + Date.now(), properties: { activityId: +activity } }) });
  const moved = await sp.waitForFunction((b) => document.querySelector('[data-kpi="방문"]').textContent !== b, before, { timeout: 10000 }).then(() => true, () => false);
  check('the shared page is live', moved, before);
  await sp.screenshot({ path: `${out}/share-page.png`, fullPage: true });

  // Revoked on the admin page: the open page says so, and so does a reload.
  await page.click(`button[data-revoke="${listed.id}"]`);
  await page.waitForSelector(`#share-list tr[data-share-id="${listed.id}"] td[data-status="REVOKED"]`, { timeout: 10000 }).catch(() => {});
  check('the admin list shows the link revoked', (await page.$(`#share-list tr[data-share-id="${listed.id}"] td[data-status="REVOKED"]`)) !== null);
  const closed = await sp.waitForSelector('.share-refused[data-code="SHARE_REVOKED"]', { timeout: 20000 }).then(() => true, () => false);
  check('the open shared page says the link was revoked', closed, await sp.textContent('#app').catch(() => null));
  const again = await sp.reload();
  const body = await sp.textContent('body');
  check('a reload shows the revoked message, not JSON', again.status() === 410 && /취소되었습니다/.test(body) && /revoked/.test(body) && !body.includes('"error"'), { status: again.status(), body });
  await sp.screenshot({ path: `${out}/share-revoked.png` });
  await stranger.close();
  await fetch(`${base}/api/v1/annotations/${note.id}`, { method: 'DELETE', headers: { Authorization: 'Bearer ' + key } });
}
