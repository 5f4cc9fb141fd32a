// Every dashboard page carries the business time zone and the favicon in its shell.
export default async function ({ page, base, check }) {
  await page.goto(base + '/admin/dashboard/overview');
  const shell = await page.evaluate(() => ({ tz: document.body.dataset.tz, icon: !!document.querySelector('link[rel=icon]') }));
  check('shell names the business time zone', shell.tz === 'Asia/Seoul', shell);
  check('shell links the favicon', shell.icon, shell);
}
