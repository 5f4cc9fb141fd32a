// Alerts: a firing rule shows as a banner on its scope's dashboard; the admin section on
// /admin/campaigns lists rules, adds and removes one, and shows a rule's delivery log.
export default async function ({ page, base, key, api, check, out }) {
  const post = (p, b) => api(p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(b) });
  // A new campaign has no events: "no events for 1 minute" fires at the next evaluation. Its
  // webhook points at a closed port, so the log records the refused attempts.
  const camp = await post('/api/v1/campaigns', { name: 'alerts-ui-' + Date.now(), budget: 0 });
  const rule = await post('/api/v1/alerts', { scope: 'CAMPAIGN', scopeId: camp.id, kind: 'NO_EVENTS', threshold: 1, webhookUrl: 'http://127.0.0.1:9/hook' });
  check('an admin creates an alert rule', rule.id > 0 && rule.secret.startsWith('whsec_'), rule);
  let firing = { total: 0 };
  for (let i = 0; i < 60 && firing.total === 0; i++) {
    await new Promise((r) => setTimeout(r, 250));
    firing = await api(`/api/v1/dashboard/campaign/${camp.id}/alerts`);
  }
  check('the rule fires within the evaluation interval', firing.total === 1 && firing.alerts[0].ruleId === rule.id, firing);
  await page.goto(`${base}/admin/dashboard/campaign/${camp.id}`);
  await page.waitForSelector('#alerts-banner li[data-rule]', { timeout: 10000 }).catch(() => {});
  const banner = await page.$eval('#alerts-banner', (b) => ({ hidden: b.hidden, text: b.textContent })).catch(() => null);
  check('the campaign dashboard shows the firing alert', banner && !banner.hidden && /이벤트 없음|No events/.test(banner.text), banner);
  await page.screenshot({ path: `${out}/alerts-banner.png`, fullPage: false });

  await page.goto(`${base}/admin/campaigns`);
  await page.waitForSelector(`#alert-rules tr[data-rule="${rule.id}"]`);
  const row = await page.$eval(`#alert-rules tr[data-rule="${rule.id}"]`, (r) => r.textContent);
  check('the admin section lists the rule as firing', /발생 중|Firing/.test(row), row);
  await page.click(`button[data-log="${rule.id}"]`);
  await page.waitForSelector('#alert-log table tr:nth-child(2)', { timeout: 10000 }).catch(() => {});
  const log = await page.$$eval('#alert-log table tr', (rs) => rs.slice(1).map((r) => r.textContent));
  const apiLog = await api(`/api/v1/alerts/${rule.id}/deliveries`);
  check('the delivery log shows each attempt', log.length > 0 && log.length <= apiLog.total && apiLog.deliveries.every((d) => d.status == null && d.error), { log, apiLog });

  // Add a rule through the form, then remove it.
  await page.selectOption('#alert-new select[name=target]', `CAMPAIGN:${camp.id}`);
  await page.selectOption('#alert-new select[name=kind]', 'STOCK_BELOW');
  await page.fill('#alert-new input[name=threshold]', '15');
  await page.fill('#alert-new input[name=webhookUrl]', 'https://hooks.example/axon');
  await page.click('#alert-new button');
  await page.waitForFunction(() => /whsec_/.test(document.getElementById('alert-secret').textContent));
  const rules = (await api(`/api/v1/alerts?scope=CAMPAIGN&scopeId=${camp.id}`)).rules;
  const added = rules.find((r) => r.kind === 'STOCK_BELOW' && r.threshold === 15);
  check('the form adds a rule', !!added, rules);
  await page.screenshot({ path: `${out}/alerts-admin.png`, fullPage: true });
  if (added) {
    await page.waitForSelector(`button[data-del="${added.id}"]`);
    await page.click(`button[data-del="${added.id}"]`);
    await page.waitForFunction((id) => !document.querySelector(`tr[data-rule="${id}"]`), added.id);
    const left = (await api(`/api/v1/alerts?scope=CAMPAIGN&scopeId=${camp.id}`)).rules.map((r) => r.id);
    check('the delete button removes it', !left.includes(added.id) && left.includes(rule.id), left);
  }
  await fetch(`${base}/api/v1/alerts/${rule.id}`, { method: 'DELETE', headers: { Authorization: 'Bearer ' + key } });
}
