// Voice notes and HEIC photos in the coordinators' console, in Debian's
// headless Chromium: an MP3 voice note plays in the page's own audio element
// (autoplay allowed, unmuted), an AMR note, which browsers cannot play, is
// offered as a download with a note saying why, and a HEIC photo shows its
// upright thumbnail.
//
// Input (environment): CONSOLE_URL, CONSOLE_USER, CONSOLE_PASSWORD, ORDER_NUMBER.
// Output: one JSON line of findings on stdout; exit status 1 on any failure.

import { chromium } from 'playwright-core';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`missing environment variable ${k}`);
  return v;
};
const base = env('CONSOLE_URL');
const order = env('ORDER_NUMBER');

function check(cond, what) {
  if (!cond) throw new Error(`check failed: ${what}`);
}

const found = {};
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run',
    '--autoplay-policy=no-user-gesture-required'],
});
try {
  const page = await (await browser.newContext({ viewport: { width: 1024, height: 768 } })).newPage();
  await page.goto(`${base}/console/login`);
  await page.fill('#username', env('CONSOLE_USER'));
  await page.fill('#password', env('CONSOLE_PASSWORD'));
  await Promise.all([page.waitForURL('**/console/orders'), page.click('button[type=submit]')]);
  await page.goto(`${base}/console/orders/${encodeURIComponent(order)}`);

  // One player: the MP3. The AMR note has a download link and the reason instead.
  const players = page.locator('.item[data-kind=voice] audio[data-test=voice]');
  found.players = await players.count();
  check(found.players === 1, `one playable voice note, saw ${found.players}`);
  found.preload = await players.first().getAttribute('preload');
  found.mp3 = await players.first().evaluate(async (el) => {
    let playError = null;
    try { await el.play(); } catch (e) { playError = String(e); }
    const start = Date.now();
    while (el.currentTime <= 0 && !el.ended && Date.now() - start < 8000) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return { playError, currentTime: el.currentTime, ended: el.ended, duration: el.duration, error: el.error ? el.error.code : null };
  });
  check(found.mp3.playError === null && found.mp3.error === null, `MP3 plays: ${JSON.stringify(found.mp3)}`);
  check(found.mp3.currentTime > 0 || found.mp3.ended, `MP3 playback advances: ${JSON.stringify(found.mp3)}`);

  const amr = page.locator('[data-test=voice-download]');
  check((await amr.count()) === 1, 'the AMR note is offered for download');
  found.amrHref = await amr.locator('a').getAttribute('href');
  found.amrNote = (await amr.locator('[data-test=voice-unplayable]').innerText()).trim();
  check(found.amrHref.endsWith('?download=1'), `download link: ${found.amrHref}`);
  check(found.amrNote.includes('AMR'), `the note names the format: ${found.amrNote}`);
  const dl = await page.request.get(new URL(found.amrHref, base).toString());
  found.amrDownload = { status: dl.status(), disposition: dl.headers()['content-disposition'] || '', magic: (await dl.body()).subarray(0, 5).toString('latin1') };
  check(found.amrDownload.status === 200 && found.amrDownload.disposition.startsWith('attachment') && found.amrDownload.disposition.includes('.amr"') && found.amrDownload.magic === '#!AMR',
    `the download is the AMR file: ${JSON.stringify(found.amrDownload)}`);

  // The HEIC photo's thumbnail loads, upright (the phone held it portrait).
  const thumb = page.locator('.item[data-kind=photo] img').first();
  await thumb.scrollIntoViewIfNeeded();
  await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await thumb.elementHandle(), { timeout: 8000 });
  found.heicThumb = await thumb.evaluate((el) => ({ w: el.naturalWidth, h: el.naturalHeight }));
  check(found.heicThumb.h > found.heicThumb.w, `HEIC thumbnail is portrait: ${JSON.stringify(found.heicThumb)}`);
  found.ok = true;
} finally {
  await browser.close();
}
console.log(JSON.stringify(found));
