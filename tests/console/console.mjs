// Drives the coordinators' console in Debian's headless Chromium, the way a
// coordinator would: log in, open an order, read the verification badges,
// play the voice note, look at a photo and its map link, switch language
// (and keep it over the following clicks), and export the dispute packet when the server offers it.
//
// Input (environment): CONSOLE_URL, CONSOLE_USER, CONSOLE_PASSWORD,
// ORDER_NUMBER, EXPECT_ITEMS (photos+voice+notes on the order),
// EXPECT_PACKET ("1" when the export form must exist), DOWNLOAD_DIR,
// SCREENSHOT_DIR (optional: full-page screenshots of what was checked).
// Output: one JSON line of findings on stdout; exit status 1 on any failure.

import { chromium } from 'playwright-core';
import { mkdirSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`missing environment variable ${k}`);
  return v;
};
const base = env('CONSOLE_URL');
const order = env('ORDER_NUMBER');
const expectItems = Number(env('EXPECT_ITEMS'));
const expectPacket = process.env.EXPECT_PACKET === '1';
const downloads = process.env.DOWNLOAD_DIR || '/tmp';
mkdirSync(downloads, { recursive: true });
const shots = process.env.SCREENSHOT_DIR;
if (shots) mkdirSync(shots, { recursive: true });
const shot = async (page, name) => { if (shots) await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true }); };

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

const found = {};
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1024, height: 768 } });
  const page = await context.newPage();
  const failed = [];
  // A form POST answered with an attachment becomes a download, and
  // Chromium reports its navigation as aborted; that one is not a failure.
  const downloads_seen = new Set();
  page.on('download', (d) => downloads_seen.add(d.url()));
  page.on('requestfailed', (r) => failed.push({ url: r.url(), why: r.failure()?.errorText }));
  page.on('response', (r) => { if (r.status() >= 500) failed.push({ url: r.url(), why: String(r.status()) }); });

  // 1. The console sends an anonymous visitor to the login form (Chinese by default).
  await page.goto(`${base}/console/orders`);
  check(page.url().endsWith('/console/login'), `redirected to login, at ${page.url()}`);
  check((await page.locator('html').getAttribute('lang')) === 'zh-CN', 'login page is zh-CN');
  await page.fill('#username', env('CONSOLE_USER'));
  await page.fill('#password', env('CONSOLE_PASSWORD'));
  await Promise.all([page.waitForURL('**/console/orders'), page.click('button[type=submit]')]);
  const cookies = await context.cookies();
  const session = cookies.find((c) => c.name === 'sp_console');
  check(session && session.httpOnly && session.sameSite === 'Strict', 'session cookie is HttpOnly SameSite=Strict');
  check(await page.evaluate(() => !document.cookie.includes('sp_console')), 'scripts cannot read the session cookie');

  // 2. The order is listed; open it.
  const row = page.locator(`tr[data-order="${order}"] a`);
  check((await row.count()) === 1, `order ${order} listed`);
  await Promise.all([page.waitForURL(`**/console/orders/${encodeURIComponent(order)}`), row.click()]);
  check((await page.locator('[data-test=order-number]').innerText()).trim() === order, 'order page shows its number');

  // 3. Every item has a verification badge; the signatures check.
  const items = page.locator('.item');
  found.items = await items.count();
  check(found.items === expectItems, `expected ${expectItems} evidence items, saw ${found.items}`);
  const badges = page.locator('[data-test=badge]');
  found.badges = await badges.count();
  check(found.badges === expectItems, 'one badge per item');
  const badgeText = await badges.allInnerTexts();
  check(badgeText.every((t) => t.includes('签名：由社工') && t.includes('登记设备')), 'every badge names the enrolled device that signed');
  check(badgeText.every((t) => t.includes('无法核实') && t.includes('不能证明')), 'every badge says what a signature cannot prove');
  check(badgeText.every((t) => !t.includes('真实有效')), 'no badge calls an item authentic');
  check(badgeText.every((t) => t.includes('服务器收到时间')), 'every badge gives the server receipt time');
  found.standings = await badges.evaluateAll((els) => els.map((e) => e.dataset.standing));
  check(!found.standings.includes('bad'), `no failed badge: ${found.standings}`);
  found.anchored = badgeText.filter((t) => t.includes('经服务器校准')).length;
  check(found.anchored > 0, 'anchored capture times are shown with their bound');
  // The camera samples carry EXIF time and GPS from 2008 in Italy: those photos are doubtful and say why.
  const photoBadges = await page.locator('.item[data-kind=photo] [data-test=badge]').allInnerTexts();
  check(photoBadges.length > 0 && photoBadges.every((t) => t.includes('存疑') && t.includes('照片可能不是在此地拍摄的')), `photos are doubtful and say why: ${photoBadges}`);
  check(photoBadges.every((t) => !t.includes('通过')), 'no doubtful badge says 通过');
  // Only proven items are ticked for export by default.
  found.picks = await page.locator('[data-test=export-pick]').evaluateAll((els) => els.map((e) => ({ standing: e.dataset.standing, checked: e.querySelector('input').checked })));
  check(found.picks.length === expectItems, `one export checkbox per item: ${JSON.stringify(found.picks)}`);
  check(found.picks.every((p) => p.checked === (p.standing === 'ok')), `only proven items are ticked: ${JSON.stringify(found.picks)}`);
  found.doubtful = found.picks.filter((p) => p.standing === 'warn').length;
  check(found.doubtful > 0, 'the foreign-EXIF photos are doubtful');
  await shot(page, 'order-page-zh');

  // Two photos of one spot from two visits are shown as a before/after pair.
  found.pairs = await page.locator('[data-test=pair]').count();
  check(found.pairs >= 1, 'a before/after pair is shown');
  found.pairDoubts = await page.locator('[data-test=pair] [data-test=pair-standing]').count();
  check(found.pairDoubts >= 1, 'a doubtful photo in a pair is marked there too');

  // 4. The voice note plays in the browser's own audio element.
  const audio = page.locator('audio[data-test=voice]').first();
  check((await audio.count()) === 1, 'a voice note player exists');
  found.audio = await audio.evaluate(async (el) => {
    el.muted = true; // muted playback needs no user gesture
    let playError = null;
    try { await el.play(); } catch (e) { playError = String(e); }
    const start = Date.now();
    while (el.currentTime <= 0 && !el.ended && Date.now() - start < 8000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return { playError, currentTime: el.currentTime, duration: el.duration, error: el.error ? el.error.code : null, paused: el.paused };
  });
  check(found.audio.playError === null && found.audio.error === null, `audio plays: ${JSON.stringify(found.audio)}`);
  check(found.audio.currentTime > 0, `audio time advances: ${JSON.stringify(found.audio)}`);

  // 5. Thumbnails load; the place links to Amap with GCJ-02 coordinates.
  const imgs = page.locator('.item[data-kind=photo] img');
  found.thumbnails = await imgs.count();
  check(found.thumbnails > 0, 'photo thumbnails are shown');
  for (let i = 0; i < found.thumbnails; i++) await imgs.nth(i).scrollIntoViewIfNeeded(); // they load lazily
  await page.waitForFunction(() => [...document.querySelectorAll('.item img')].every((i) => i.complete && i.naturalWidth > 0));
  const widths = await imgs.evaluateAll((els) => els.map((i) => i.naturalWidth));
  check(widths.every((w) => w > 0), `thumbnails decode: ${widths}`);
  found.mapLinks = await page.locator('[data-test=map-link]').evaluateAll((els) => els.map((a) => a.href));
  check(found.mapLinks.length > 0, 'items have map links');
  check((await page.locator('[data-test=note]').count()) > 0, 'on-site note text is shown');

  // 6. English on request.
  await Promise.all([page.waitForLoadState('load'), page.click('[data-test=lang-switch]')]);
  await page.waitForSelector('html[lang=en]');
  check((await page.locator('[data-test=badge]').first().innerText()).includes('Signature'), 'badges in English');
  await shot(page, 'order-page-en');
  // The choice lasts: three clicks through the navigation and back to the order stay in English.
  for (const [link, url] of [['/console/followups', '**/console/followups'], ['/console/audit', '**/console/audit'], ['/console/orders', '**/console/orders']]) {
    await Promise.all([page.waitForURL(url), page.click(`nav a[href="${link}"]`)]);
    check((await page.locator('html').getAttribute('lang')) === 'en', `still English after clicking ${link}`);
  }
  await Promise.all([page.waitForURL(`**/console/orders/${encodeURIComponent(order)}`), page.locator(`tr[data-order="${order}"] a`).click()]);
  check((await page.locator('html').getAttribute('lang')) === 'en', 'still English back on the order');
  found.englishClicks = 4;

  // 7. The dispute packet downloads as a ZIP when the server has the export.
  const exportForm = page.locator('#export-form');
  found.exportForm = (await exportForm.count()) === 1;
  check(found.exportForm === expectPacket, `export form present: ${found.exportForm}, expected ${expectPacket}`);
  if (expectPacket) {
    // Ticking the doubtful photos too, the export first asks for confirmation, listing them.
    const boxes = page.locator('[data-test=export-pick] input');
    for (let i = 0; i < (await boxes.count()); i++) await boxes.nth(i).check();
    await Promise.all([page.waitForURL('**/packet'), page.click('[data-test=export-button]')]);
    const listed = page.locator('[data-test=doubtful-list] li');
    found.confirmListed = await listed.count();
    check(found.confirmListed === found.doubtful, `the confirmation lists the ${found.doubtful} doubtful items, saw ${found.confirmListed}`);
    const listedText = await page.locator('[data-test=doubtful-list]').innerText();
    check(/Photo|照片/.test(listedText) && /EXIF|照片内/.test(listedText), `the confirmation names the items and why: ${listedText}`);
    await shot(page, 'export-confirm');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=confirm-export]')]);
    const path = join(downloads, download.suggestedFilename() || 'packet.zip');
    await download.saveAs(path);
    const head = readFileSync(path).subarray(0, 4);
    found.packet = { name: download.suggestedFilename(), bytes: statSync(path).size, path };
    check(head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04, 'download is a ZIP');
  }

  const real = failed.filter((f) => !(f.why === 'net::ERR_ABORTED' && downloads_seen.has(f.url)));
  check(real.length === 0, `no failed requests: ${real.map((f) => `${f.url} ${f.why}`).join(', ')}`);
  console.log(JSON.stringify({ ok: true, ...found }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e && e.stack || e), ...found }));
  process.exitCode = 1;
} finally {
  await browser.close();
}
