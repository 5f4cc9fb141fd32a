// Both languages on every page: names as titles, no string of the other language left (text,
// tooltips, placeholders, chart labels and tooltips), the activity form (labels, product picker,
// filter editor that round-trips through the API) and the demo shop's messages for every entry
// and payment error code in the shopper's language.
const HANGUL = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;
// Latin words a Korean page may show: the trade's acronyms, file formats, the zone, the brand, grade names.
const GRADES = ['BRONZE', 'SILVER', 'GOLD', 'PLATINUM', 'DIAMOND', 'VIP', 'VVIP', 'VVVIP'];
const KO_LATIN_OK = new Set(['ROAS', 'LTV', 'CAC', 'KST', 'Axon', 'UTM', 'CSV', 'Parquet', ...GRADES]);
const ENUMS = /^(FIRST_COME_FIRST_SERVE|COUPON|GIVEAWAY|DRAFT|ACTIVE|PAUSED|ENDED|APPROVED|PAID|CANCELLED|REJECTED|GOOD|WARN|BAD)$/;
// Filters as the API returns them, keys in one order, to compare with what the editor made.
const norm = (fs) => JSON.stringify((fs || []).map((f) => ({ type: f.type, operator: f.operator, values: f.values })));
const seoulDay = (t) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Seoul', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(t));
const unescape = (s) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

// Everything a person reads on the page: visible text, titles, placeholders, labels of buttons,
// the document title, and each chart's labels, legend and tooltip. Text marked as another
// language (`lang="en"` on the "English" button) and the question log (what people typed) are
// left out.
export function readable() {
  const out = [];
  const root = document.documentElement.lang;
  const skip = (el) => !!el.closest('.qa .log') || [...ancestors(el)].some((e) => e.hasAttribute('lang') && e !== document.documentElement && e.getAttribute('lang') !== root);
  function* ancestors(el) { for (let e = el; e && e.nodeType === 1; e = e.parentElement) yield e; }
  const shown = (el) => (el.tagName === 'OPTION' ? el.closest('select') : el).checkVisibility();
  const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n; (n = w.nextNode());) {
    const p = n.parentElement, s = n.textContent.trim();
    if (!s || !p || p.closest('script,style,datalist') || !shown(p) || skip(p)) continue;
    out.push(s);
  }
  for (const e of document.querySelectorAll('[placeholder],[title],[aria-label],input[type=button],input[type=submit]')) {
    if (!shown(e) || skip(e)) continue;
    for (const a of ['placeholder', 'title', 'aria-label']) if (e.getAttribute(a)) out.push(e.getAttribute(a));
    if (e.type === 'button' || e.type === 'submit') out.push(e.value);
  }
  out.push(document.title);
  for (const c of Object.values((window.Chart && Chart.instances) || {})) {
    (c.data.labels || []).forEach((l) => out.push(String(l)));
    c.data.datasets.forEach((d, i) => {
      if (d.label) out.push(d.label);
      if (!d.data.length) return;
      c.tooltip.setActiveElements([{ datasetIndex: i, index: 0 }], { x: 0, y: 0 });
      c.update();
      const tt = c.tooltip;
      [tt.title, tt.beforeBody, tt.afterBody, tt.footer].flat().forEach((x) => x && out.push(String(x)));
      (tt.body || []).forEach((b) => [b.before, b.lines, b.after].flat().forEach((x) => x && out.push(String(x))));
    });
    c.tooltip.setActiveElements([], { x: 0, y: 0 });
    c.update();
  }
  return out;
}

export default async function ({ browser, context, page, base, api, check, out, activity, campaign }) {
  const products = (await api('/api/v1/products')).products;
  const userData = async () => {
    const cs = (await api('/api/v1/campaigns')).campaigns, as = (await api('/api/v1/activities')).activities;
    const entries = (await api(`/api/v1/activities/${activity}/entries?page=0&size=20`)).entries;
    return [...cs.map((c) => c.name), ...as.map((a) => a.name), ...products.flatMap((p) => [p.name, p.brand, p.category]), ...entries.map((e) => e.userId)]
      .filter(Boolean).sort((a, b) => b.length - a.length);
  };
  // What is left of the page's strings once user data (names, ids) is taken out.
  const leftover = async (p) => {
    const data = await userData();
    return (await p.evaluate(readable)).map((s) => data.reduce((x, d) => x.split(d).join(' '), s)).filter((s) => s.trim());
  };
  const foreign = (lang, strings) => lang === 'en'
    ? strings.filter((s) => HANGUL.test(s))
    : strings.flatMap((s) => (s.match(/[A-Za-z][A-Za-z_]{2,}/g) || []).filter((w) => !KO_LATIN_OK.has(w)).map((w) => w + ' in "' + s.slice(0, 80) + '"'));
  const setLang = async (p, lang) => { await p.goto(base + '/admin/login'); await p.evaluate((l) => localStorage.setItem('axon_lang', l), lang); };

  const meta = await api(`/api/v1/activities/${activity}`);
  const camp = await api(`/api/v1/campaigns/${campaign}`);

  // 1. Titles are names; the id is secondary.
  await setLang(page, 'ko');
  await page.goto(`${base}/admin/dashboard/${activity}?period=30d`);
  await page.waitForFunction(() => window.Chart && Chart.getChart('funnel'));
  let h1 = (await page.textContent('h1')).trim();
  check('activity page title is its name', h1.startsWith(meta.name) && !/^Activity\b/.test(h1) && (await page.title()).includes(meta.name), { h1, title: await page.title(), name: meta.name });
  check('activity page links its campaign by name', (await page.textContent(`.sub a[href="/admin/dashboard/campaign/${meta.campaignId}"]`)).includes(camp.name));
  const html = unescape(await (await page.request.get(`${base}/admin/dashboard/${activity}`)).text());
  check('activity page shell titles the activity by name', html.includes(`<title>Axon · ${meta.name}`), html.match(/<title>[^<]*/)?.[0]);
  await page.goto(`${base}/admin/dashboard/campaign/${campaign}?period=30d`);
  await page.waitForFunction(() => window.Chart && Chart.getChart('acts'));
  h1 = (await page.textContent('h1')).trim();
  check('campaign page title is its name', h1.startsWith(camp.name) && (await page.title()).includes(camp.name), { h1, name: camp.name });
  const chtml = unescape(await (await page.request.get(`${base}/admin/dashboard/campaign/${campaign}`)).text());
  check('campaign page shell titles the campaign by name', chtml.includes(`<title>Axon · ${camp.name}`), chtml.match(/<title>[^<]*/)?.[0]);
  await page.goto(`${base}/admin/dashboard/cohort/${activity}`);
  await page.waitForFunction(() => window.Chart && Chart.getChart('ltv'));
  h1 = (await page.textContent('h1')).trim();
  check('cohort page title is the activity name', h1.startsWith(meta.name) && (await page.title()).includes(meta.name), { h1, name: meta.name });

  // 2. Every page in both languages: nothing of the other language is left.
  const pages = [
    ['overview', '/admin/dashboard/overview?period=30d', () => window.Chart && Chart.getChart('top')],
    ['campaign', `/admin/dashboard/campaign/${campaign}?period=30d`, () => window.Chart && Chart.getChart('acts')],
    ['activity', `/admin/dashboard/${activity}?period=30d`, () => window.Chart && Chart.getChart('funnel') && Chart.getChart('gauge') && document.querySelector('#rtk .kpi')],
    ['cohort', `/admin/dashboard/cohort/${activity}`, () => window.Chart && Chart.getChart('ltv')],
    ['campaigns admin', '/admin/campaigns', () => document.querySelector('#na')],
    ['demo shop', `/demo/shop/activity/${activity}`, () => document.querySelector('#remaining')],
  ];
  for (const lang of ['ko', 'en']) {
    await setLang(page, lang);
    for (const [name, path, ready] of pages) {
      await page.goto(base + path);
      await page.waitForFunction(ready, null, { timeout: 15000 });
      if (name === 'campaigns admin') {
        // Open the entries list and one filter row of each type, so their words are read too.
        await page.click(`[data-entries="${activity}"]`);
        await page.waitForSelector('#entries-table');
        for (const type of ['GRADE', 'AGE', 'REGION', 'RECENT_PURCHASE']) {
          await page.click('#filter-add');
          await page.selectOption('#filters .filter-row:last-child select[name=ftype]', type);
        }
      }
      const bad = foreign(lang, await leftover(page));
      check(`${name} page in ${lang}: no words of the other language`, bad.length === 0, bad.slice(0, 12));
      await page.screenshot({ path: `${out}/i18n-${name.replace(' ', '-')}-${lang}.png`, fullPage: true });
    }
    // The login page, signed out, after a wrong key.
    const guest = await browser.newContext();
    const gp = await guest.newPage();
    await gp.goto(base + '/admin/login');
    await gp.evaluate((l) => localStorage.setItem('axon_lang', l), lang);
    await gp.fill('input[name=key]', 'wrong');
    await gp.click('button');
    await gp.waitForSelector('.error');
    const bad = foreign(lang, (await gp.evaluate(readable)).map((s) => s.replace('AXON_ADMIN_KEY', '')));
    check(`login page in ${lang}: no words of the other language`, bad.length === 0 && (await gp.title()).length > 0, bad);
    await guest.close();
    await page.goto(`${base}/admin/dashboard/campaign/${campaign}?period=30d`);
    await page.waitForFunction(() => window.Chart && Chart.getChart('acts'));
    const days = await page.$$eval('#heat tr th:first-child', (xs) => xs.map((x) => x.textContent).filter(Boolean));
    check(`heat map weekdays in ${lang}`, JSON.stringify(days) === JSON.stringify(lang === 'ko' ? ['월', '화', '수', '목', '금', '토', '일'] : ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']), days);
    await page.goto(`${base}/admin/dashboard/cohort/${activity}`);
    await page.waitForFunction(() => window.Chart && Chart.getChart('ltv'));
    const health = await page.textContent('[data-health]').catch(() => null);
    check(`cohort health in ${lang}`, (lang === 'ko' ? ['좋음', '주의', '위험'] : ['Good', 'Watch', 'At risk']).includes(health), health);
    await page.goto(`${base}/admin/dashboard/${activity}?period=30d`);
    await page.waitForFunction(() => window.Chart && Chart.getChart('funnel'));
    const fl = await page.evaluate(() => Chart.getChart('funnel').data.datasets.map((d) => d.label));
    check(`funnel datasets named in ${lang}`, JSON.stringify(fl) === JSON.stringify(lang === 'ko' ? ['이벤트 수', '사람 수', '순서대로 도달'] : ['Events', 'People', 'In order']), fl);
    const nav = await page.$$eval('header a', (xs) => xs.map((x) => x.textContent));
    check(`the nav follows the toggle (${lang})`, lang === 'ko' ? nav.every((s) => HANGUL.test(s)) : nav.every((s) => !HANGUL.test(s)), nav);
  }

  // 3–5. The activity form: labelled fields, localised choices, the product picker, the filter editor.
  await setLang(page, 'ko');
  await page.goto(base + '/admin/campaigns');
  await page.waitForSelector('#na');
  await page.click('#filter-add');
  const form = await page.evaluate(() => {
    const f = document.getElementById('na');
    const fields = [...f.querySelectorAll('input:not([type=button]):not([type=hidden]):not([type=checkbox]),select,textarea')].filter((e) => e.checkVisibility());
    return {
      unlabelled: fields.filter((e) => !((e.labels && [...e.labels].some((l) => l.textContent.trim())) || e.getAttribute('aria-label'))).map((e) => e.name || e.outerHTML.slice(0, 60)),
      placeholders: fields.map((e) => e.placeholder).filter(Boolean),
      types: [...f.activityType.options].map((o) => [o.value, o.textContent]),
      dates: ['startDate', 'endDate'].map((n) => f[n].labels[0] && f[n].labels[0].textContent),
      raw: fields.filter((e) => e.tagName === 'SELECT').flatMap((s) => [...s.options].map((o) => o.textContent)).filter((t) => /^[A-Z_]{4,}$/.test(t) && !/^(BRONZE|SILVER|GOLD|PLATINUM|DIAMOND|VIP|VVIP|VVVIP)$/.test(t)),
    };
  });
  check('activity form: every field has a label', form.unlabelled.length === 0, form.unlabelled);
  check('activity form: no camelCase, enum or JSON placeholders', form.placeholders.every((p) => !/[a-z][A-Z]|^[A-Z_]{4,}$|[[{]/.test(p)), form.placeholders);
  check('activity form: the type is a localised select', JSON.stringify(form.types.map((x) => x[0])) === '["FIRST_COME_FIRST_SERVE","COUPON","GIVEAWAY"]' && form.types.every(([v, t]) => v !== t && HANGUL.test(t)), form.types);
  check('activity form: dates are labelled in the business zone', form.dates.every((d) => d && d.includes('KST')), form.dates);
  check('activity form: no raw enums in its choices', form.raw.length === 0, form.raw);
  const statusButtons = await page.$$eval('[data-status]', (xs) => xs.map((x) => x.textContent));
  check('status buttons are localised', statusButtons.length > 0 && statusButtons.every((s) => !ENUMS.test(s) && HANGUL.test(s)), statusButtons);
  const cells = await page.$$eval('table tr td', (xs) => xs.map((x) => x.textContent));
  check('the activities table shows no raw enums', cells.every((c) => !ENUMS.test(c)), cells.filter((c) => ENUMS.test(c)).slice(0, 5));

  // The product picker lists GET /api/v1/products by name and price and fills an empty price.
  const opts = await page.$$eval('#na select[name=productId] option', (xs) => xs.map((o) => [o.value, o.textContent]));
  const won = (v) => '₩' + new Intl.NumberFormat('ko-KR').format(v);
  check('product picker lists the products with their prices', opts.length === products.length + 1 && opts[0][0] === '' &&
    products.every((p) => opts.some(([v, t]) => v === String(p.id) && t.includes(p.name) && t.includes(won(p.price)))), opts);
  await page.fill('#na input[name=price]', '');
  await page.selectOption('#na select[name=productId]', String(products[1].id));
  check('picking a product fills an empty price', (await page.inputValue('#na input[name=price]')) === String(products[1].price), await page.inputValue('#na input[name=price]'));
  await page.fill('#na input[name=price]', '777');
  await page.selectOption('#na select[name=productId]', String(products[0].id));
  check('picking a product keeps a price already typed', (await page.inputValue('#na input[name=price]')) === '777');
  await page.fill('#na input[name=price]', '');
  await page.selectOption('#na select[name=productId]', String(products[1].id));

  // Create an activity with four filters through the editor, then read them back.
  await page.click('#filters .filter-remove');
  const name = 'i18n 필터 ' + Date.now();
  await page.selectOption('#na select[name=campaign]', String(campaign));
  await page.fill('#na input[name=name]', name);
  await page.selectOption('#na select[name=activityType]', 'FIRST_COME_FIRST_SERVE');
  await page.fill('#na input[name=limitCount]', '5');
  await page.fill('#na input[name=budget]', '100000');
  await page.fill('#na input[name=startDate]', seoulDay(Date.now()));
  await page.fill('#na input[name=endDate]', seoulDay(Date.now() + 7 * 864e5));
  const row = (n) => `#filters .filter-row:nth-child(${n})`;
  await page.click('#filter-add');
  await page.selectOption(row(1) + ' select[name=ftype]', 'GRADE');
  await page.selectOption(row(1) + ' select[name=fop]', 'IN');
  await page.check(row(1) + ' input[value=GOLD]');
  await page.check(row(1) + ' input[value=VIP]');
  await page.click('#filter-add');
  await page.selectOption(row(2) + ' select[name=ftype]', 'AGE');
  await page.selectOption(row(2) + ' select[name=fop]', 'BETWEEN');
  await page.fill(row(2) + ' input[name=fa]', '20');
  await page.fill(row(2) + ' input[name=fb]', '39');
  await page.click('#filter-add');
  await page.selectOption(row(3) + ' select[name=ftype]', 'REGION');
  await page.selectOption(row(3) + ' select[name=fop]', 'NOT_IN');
  await page.fill(row(3) + ' input[name=fregion]', '부산광역시, 제주특별자치도');
  await page.click('#filter-add');
  await page.selectOption(row(4) + ' select[name=ftype]', 'RECENT_PURCHASE');
  await page.selectOption(row(4) + ' select[name=fop]', 'GTE');
  await page.fill(row(4) + ' input[name=fa]', '2026-09-01T00:00');
  await page.click('#na button');
  await page.waitForFunction((n) => [...document.querySelectorAll('table a')].some((a) => a.textContent === n), name, { timeout: 10000 })
    .catch(async () => check('activity created through the editor', false, await page.textContent('#naerr')));
  const created = (await api('/api/v1/activities')).activities.find((a) => a.name === name);
  const wanted = [
    { type: 'GRADE', operator: 'IN', values: ['GOLD', 'VIP'] },
    { type: 'AGE', operator: 'BETWEEN', values: ['20', '39'] },
    { type: 'REGION', operator: 'NOT_IN', values: ['부산광역시', '제주특별자치도'] },
    { type: 'RECENT_PURCHASE', operator: 'GTE', values: ['2026-09-01T00:00'] },
  ];
  check('filters made in the editor are the API\'s filters', created && norm(created.filters) === norm(wanted), created && created.filters);
  check('the picked product and its price are saved', created && created.productId === products[1].id && created.price === products[1].price, created && [created.productId, created.price]);
  // Editing loads the filters into the editor; a change there is saved; an untouched save keeps them.
  await page.click(`[data-edit="${created.id}"]`);
  const loaded = await page.$$eval('#filters .filter-row', (rows) => rows.map((r) => ({
    type: r.querySelector('[name=ftype]').value, op: r.querySelector('[name=fop]').value,
    grades: [...r.querySelectorAll('input[type=checkbox]:checked')].map((c) => c.value),
    a: r.querySelector('[name=fa]') && r.querySelector('[name=fa]').value, b: r.querySelector('[name=fb]') && r.querySelector('[name=fb]').value,
    region: r.querySelector('[name=fregion]') && r.querySelector('[name=fregion]').value,
  })));
  check('editing an activity loads its filters into the editor', JSON.stringify(loaded) === JSON.stringify([
    { type: 'GRADE', op: 'IN', grades: ['GOLD', 'VIP'], a: null, b: null, region: null },
    { type: 'AGE', op: 'BETWEEN', grades: [], a: '20', b: '39', region: null },
    { type: 'REGION', op: 'NOT_IN', grades: [], a: null, b: null, region: '부산광역시, 제주특별자치도' },
    { type: 'RECENT_PURCHASE', op: 'GTE', grades: [], a: '2026-09-01T00:00', b: null, region: null },
  ]), loaded);
  check('editing shows the picked product', (await page.inputValue('#na select[name=productId]')) === String(products[1].id));
  await page.click(row(3) + ' .filter-remove');
  await page.fill(row(2) + ' input[name=fb]', '49');
  await page.click('#na button');
  await page.waitForFunction(() => { const f = document.getElementById('na'); return f && !f.dataset.edit && !document.querySelector('.loading'); }, null, { timeout: 10000 });
  let after = await api(`/api/v1/activities/${created.id}`);
  check('a filter edited and one removed in the editor are saved', norm(after.filters) === norm([wanted[0], { type: 'AGE', operator: 'BETWEEN', values: ['20', '49'] }, wanted[3]]), after.filters);
  await page.click(`[data-edit="${created.id}"]`);
  await page.click('#na button');
  await page.waitForFunction(() => { const f = document.getElementById('na'); return f && !f.dataset.edit && !document.querySelector('.loading'); }, null, { timeout: 10000 });
  const again = await api(`/api/v1/activities/${created.id}`);
  check('an untouched save keeps filters, dates and product', norm(again.filters) === norm(after.filters) && again.filters.length === 3 && again.startDate === after.startDate && again.endDate === after.endDate && again.productId === after.productId, [again, after]);
  // A filter the editor cannot complete is refused in the page, in words, before any request.
  await page.click('#filter-add');
  await page.selectOption('#filters .filter-row:last-child select[name=ftype]', 'GRADE');
  await page.fill('#na input[name=name]', 'never saved');
  await page.fill('#na input[name=startDate]', seoulDay(Date.now()));
  await page.fill('#na input[name=endDate]', seoulDay(Date.now()));
  await page.click('#na button');
  const err = await page.textContent('#naerr');
  check('an incomplete filter is explained in the page\'s language', HANGUL.test(err) && !/filters\[/.test(err), err);
  await page.screenshot({ path: `${out}/i18n-activity-form.png`, fullPage: true });

  // 6. Shopper messages in the shopper's language.
  const now = Date.now();
  const mk = async (extra) => {
    const a = await api(`/api/v1/campaigns/${campaign}/activities`, { method: 'POST', body: JSON.stringify({ name: 'i18n shop ' + Math.random(), activityType: 'FIRST_COME_FIRST_SERVE', limitCount: 10, price: 1000,
      startDate: new Date(now - 36e5).toISOString(), endDate: new Date(now + 864e5).toISOString(), ...extra }) });
    await api(`/api/v1/activities/${a.id}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'ACTIVE' }) });
    return a.id;
  };
  const gated = await mk({ filters: [{ type: 'GRADE', operator: 'IN', values: ['GOLD', 'VIP'] }] });
  const aged = await mk({ filters: [{ type: 'AGE', operator: 'BETWEEN', values: [40, 49] }] });
  const free = await mk({ paymentRequired: false });
  const paid = await mk({});
  const later = await mk({ startDate: new Date(now + 864e5).toISOString(), endDate: new Date(now + 2 * 864e5).toISOString() });
  const paused = await mk({});
  await api(`/api/v1/activities/${paused}/status`, { method: 'PATCH', body: JSON.stringify({ status: 'PAUSED' }) });
  const expect = {
    ko: { grade: 'GOLD, VIP 등급 고객만 참여할 수 있습니다.', age: '40~49세 고객만 참여할 수 있습니다.', dup: '이미 응모하셨습니다.', expired: '결제 시간이 만료되었습니다. 처음부터 다시 응모해주세요.', won: '당첨', later: '오픈 전', paused: '지금은 응모할 수 없습니다' },
    en: { grade: 'Only GOLD, VIP members can enter.', age: 'Only customers aged 40–49 can enter.', dup: 'You have already entered.', expired: 'Your time to pay has run out. Please enter again from the start.', won: 'You\'re in', later: 'Not open yet', paused: 'Entries are closed right now' },
  };
  const shopAt = async (lang, id) => {
    const p = await context.newPage();
    await setLang(p, lang);
    await p.goto(`${base}/demo/shop/activity/${id}`);
    await p.waitForSelector('#remaining');
    return p;
  };
  const enter = async (p) => {
    await p.evaluate(() => { document.getElementById('result').textContent = ''; });
    await p.click('#enter-button');
    await p.waitForFunction(() => document.getElementById('result').textContent.trim(), null, { timeout: 10000 });
    return (await p.textContent('#result')).trim();
  };
  for (const lang of ['ko', 'en']) {
    const e = expect[lang];
    let p = await shopAt(lang, gated);
    let msg = await enter(p);
    check(`shop (${lang}): not eligible states the grade condition`, msg === e.grade, msg);
    await p.screenshot({ path: `${out}/i18n-shop-not-eligible-${lang}.png`, fullPage: true });
    await p.close();
    p = await shopAt(lang, aged);
    msg = await enter(p);
    check(`shop (${lang}): not eligible states the age condition`, msg === e.age, msg);
    await p.close();
    p = await shopAt(lang, free);
    msg = await enter(p);
    check(`shop (${lang}): a free entry wins`, msg.includes(e.won), msg);
    msg = await enter(p);
    check(`shop (${lang}): a second entry reads as already entered`, msg === e.dup, msg);
    await p.close();
    // An expired shopper session is renewed, not shown as an error.
    p = await shopAt(lang, paid);
    await p.evaluate(() => sessionStorage.setItem('axon_demo_token', 'expired.garbage.token'));
    await p.click('#enter-button');
    await p.waitForSelector('#pay-button', { timeout: 10000 }).catch(() => null);
    check(`shop (${lang}): an expired shopper token is renewed`, (await p.textContent('#result')).includes(e.won), await p.textContent('#result'));
    // A reservation the server no longer honours (a forged token gets the real 403).
    await p.route('**/api/v1/payments/prepare', (r) => r.continue({ postData: JSON.stringify({ reservationToken: 'rsv_forged' }) }));
    await p.click('#pay-button');
    await p.waitForFunction(() => document.getElementById('payres') && document.getElementById('payres').textContent.trim(), null, { timeout: 10000 }).catch(() => null);
    msg = await p.textContent('#payres').catch(() => null);
    check(`shop (${lang}): an expired reservation reads in the shopper's language`, msg === e.expired, msg);
    await p.unroute('**/api/v1/payments/prepare');
    // Every other code the entry and payment calls answer, phrased in the page's language.
    const entryCodes = [[410, 'SOLD_OUT'], [400, 'ACTIVITY_CLOSED'], [409, 'DUPLICATED'], [400, 'PRODUCT_MISMATCH'], [400, 'VALIDATION_ERROR'], [400, 'COUPON_NOT_CONFIGURED'], [404, 'ACTIVITY_NOT_FOUND'], [429, 'RATE_LIMITED'], [500, 'INTERNAL_ERROR'],
      [400, 'NOT_ELIGIBLE', { filter: { type: 'REGION', operator: 'IN', values: ['서울특별시'] }, missing: 'region' }],
      [400, 'NOT_ELIGIBLE', { filter: { type: 'RECENT_PURCHASE', operator: 'GTE', values: ['2026-09-01T00:00:00Z'] }, missing: null }]];
    const payCodes = [[403, 'RESERVATION_EXPIRED'], [410, 'APPROVAL_EXPIRED'], [409, 'ALREADY_PAID'], [409, 'PAYMENT_IN_PROGRESS'], [403, 'INVALID_APPROVAL_TOKEN'], [403, 'TOKEN_NOT_YOURS'], [400, 'VALIDATION_ERROR']];
    const phrased = (code, m) => m && !m.includes(code) && !m.includes('server words') && (lang === 'ko' ? HANGUL.test(m) : !HANGUL.test(m.replace('서울특별시', '')));
    const seen = [];
    for (const [status, code, extra] of payCodes) {
      await p.route('**/api/v1/payments/prepare', (r) => r.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ error: code, message: 'server words', ...extra }) }));
      await p.evaluate(() => { document.getElementById('payres').textContent = ''; });
      await p.click('#pay-button');
      await p.waitForFunction(() => document.getElementById('payres').textContent.trim(), null, { timeout: 5000 }).catch(() => null);
      const m = (await p.textContent('#payres')).trim();
      seen.push([code, m]);
      check(`shop (${lang}): prepare ${code} is phrased`, phrased(code, m), m);
      await p.unroute('**/api/v1/payments/prepare');
    }
    await p.route('**/api/v1/payments/prepare', (r) => r.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ approvalToken: 'apr_x', expiresAt: new Date(Date.now() + 6e5).toISOString() }) }));
    for (const [status, code] of payCodes.slice(1)) {
      await p.route('**/api/v1/payments/confirm', (r) => r.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ error: code, message: 'server words' }) }));
      await p.evaluate(() => { document.getElementById('payres').textContent = ''; });
      await p.click('#pay-button');
      await p.waitForFunction(() => document.getElementById('payres').textContent.trim(), null, { timeout: 5000 }).catch(() => null);
      const m = (await p.textContent('#payres')).trim();
      check(`shop (${lang}): confirm ${code} is phrased`, phrased(code, m), m);
      await p.unroute('**/api/v1/payments/confirm');
    }
    await p.unroute('**/api/v1/payments/prepare');
    await p.click('#pay-cancel');
    for (const [status, code, extra] of entryCodes) {
      await p.route('**/entries', (r) => r.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ error: code, message: 'server words', ...extra }) }));
      const m = await enter(p);
      seen.push([code, m]);
      check(`shop (${lang}): entry ${code}${extra ? ' ' + extra.filter.type : ''} is phrased`, phrased(code, m), m);
      await p.unroute('**/entries');
    }
    const distinct = new Set(seen.map((s) => s[1]));
    check(`shop (${lang}): codes get their own messages`, distinct.size >= seen.length - 2, seen);
    await p.close();
    // States shown before any click: not open yet, paused.
    p = await shopAt(lang, later);
    await p.waitForFunction(() => document.getElementById('enter-button').disabled);
    let state = await p.textContent('#state');
    check(`shop (${lang}): an activity not open yet says so`, state.includes(e.later), state);
    await p.close();
    p = await shopAt(lang, paused);
    await p.waitForFunction(() => document.getElementById('enter-button').disabled);
    state = await p.textContent('#state');
    check(`shop (${lang}): a paused activity says entries are closed`, state.includes(e.paused), state);
    await p.close();
  }
  await setLang(page, 'ko');
}
