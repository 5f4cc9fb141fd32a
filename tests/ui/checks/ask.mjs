// The question box: each page shows the server's suggestions for its own scope (the global page
// never offers "this activity"), a suggestion is answered like the API answers it, and a
// condition Axon cannot apply (gender, age) is named in the answer shown.
export default async function ({ page, base, api, check, out, activity, campaign }) {
  const pages = [
    ['global', '/admin/dashboard/overview', 'global', null],
    ['campaign', `/admin/dashboard/campaign/${campaign}`, `campaign/${campaign}`, '이 캠페인'],
    ['activity', `/admin/dashboard/${activity}`, `activity/${activity}`, '이 활동'],
  ];
  for (const [name, path, scope, own] of pages) {
    await page.goto(base + path);
    await page.waitForSelector('.qa .suggest button', { timeout: 15000 });
    const shown = await page.$$eval('.qa .suggest button', (bs) => bs.map((b) => b.textContent));
    const listed = (await api(`/api/v1/dashboard/${scope}/query/suggestions?language=ko`)).suggestions;
    check(`${name} page shows its own suggestions`, JSON.stringify(shown) === JSON.stringify(listed), { shown, listed });
    const foreign = name === 'global' ? ['이 활동', '이 캠페인'] : name === 'campaign' ? ['이 활동'] : ['이 캠페인'];
    check(`${name} suggestions speak of the page`, shown.every((q) => !foreign.some((f) => q.includes(f)) && (!own || q.includes(own))), shown);
  }
  // On the campaign page: the last suggestion is answered like the API answers it.
  await page.goto(`${base}/admin/dashboard/campaign/${campaign}`);
  await page.waitForSelector('.qa .suggest button');
  const q = await page.textContent('.qa .suggest button >> nth=-1');
  const before = (await page.$$('.qa .log .a')).length;
  await page.click('.qa .suggest button >> nth=-1');
  await page.waitForFunction((n) => document.querySelectorAll('.qa .log .a').length > n, before, { timeout: 15000 });
  const answer = (await page.$$eval('.qa .log .a', (as) => as[as.length - 1].textContent)).replace(/^A\. /, '');
  const asked = await api(`/api/v1/dashboard/campaign/${campaign}/query`, { method: 'POST', body: JSON.stringify({ query: q }) });
  check('a campaign suggestion is answered like the API', answer === asked.answer && asked.notApplied.length === 0, { q, answer, api: asked });
  // A gender/age question: the answer shown says what was not applied.
  await page.fill('.qa input', '남성 20대 구매율은?');
  await page.click('.qa form button');
  await page.waitForFunction((n) => document.querySelectorAll('.qa .log .a').length > n + 1, before, { timeout: 15000 });
  const said = await page.$$eval('.qa .log .a', (as) => as[as.length - 1].textContent);
  check('the answer names the conditions it did not apply', said.includes('성별 조건(남성), 연령대 조건(20대)은 적용하지 못했습니다'), said);
  await page.screenshot({ path: out + '/ask-campaign.png', fullPage: true });
}
