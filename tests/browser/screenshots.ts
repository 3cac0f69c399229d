/**
 * The web remote's screenshots for the docs, taken from the real page in headless Chromium while
 * the demo session plays (so meters, gain reduction and loudness move):
 *
 *   docs/img/remote-mixer.png    the mixer, tablet (1180 × 820)
 *   docs/img/remote-channel.png  the channel view of the lead vocal, tablet
 *   docs/img/remote-master.png   the master view, tablet
 *   docs/img/remote-mymix.png    a performer's MyMix (Anna, aux 2), phone (390 × 844)
 *
 * Run after `npm run build`:  npx tsx tests/browser/screenshots.ts
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { findChromium, launchBrowser, missingBuild, ROOT, startServe, type Serve } from '../helpers/browser.js';

const OUT = path.join(ROOT, 'docs', 'img');
const TOKEN = 'docs-screenshots-token-5d81';

const TABLET: BrowserContextOptions = {
  viewport: { width: 1180, height: 820 },
  deviceScaleFactor: 1,
  hasTouch: true,
  userAgent: 'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
};
const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 1,
  hasTouch: true,
  isMobile: true,
  userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function open(browser: Browser, options: BrowserContextOptions, url: string): Promise<Page> {
  const ctx = await browser.newContext(options);
  const page = await ctx.newPage();
  const res = await page.goto(url);
  if (res?.status() !== 200) throw new Error(`${url}: HTTP ${res?.status()}`);
  await page.waitForFunction(() => document.querySelector('[role="status"]')?.textContent === 'Live', null, { timeout: 10_000 });
  return page;
}

async function view(page: Page, hash: string, settleMs: number): Promise<void> {
  await page.evaluate((h) => (location.hash = h), hash);
  await page.waitForFunction((v) => document.querySelector('.view-root')?.getAttribute('data-view') === v, hash.replace(/^#/, '').split('/')[0]);
  await sleep(settleMs);
}

async function shoot(page: Page, name: string): Promise<void> {
  const file = path.join(OUT, name);
  await page.screenshot({ path: file });
  process.stdout.write(`wrote ${path.relative(ROOT, file)}\n`);
}

async function main(): Promise<number> {
  const chromium = findChromium();
  if (chromium === undefined) {
    process.stderr.write('screenshots: /usr/bin/chromium not found\n');
    return 1;
  }
  const missing = missingBuild();
  if (missing !== undefined) {
    process.stderr.write(`screenshots: ${missing}\n`);
    return 1;
  }
  mkdirSync(OUT, { recursive: true });
  let serve: Serve | undefined;
  let browser: Browser | undefined;
  try {
    [serve, browser] = await Promise.all([startServe({ token: TOKEN, invites: ['Anna:2'] }), launchBrowser(chromium)]);
    // Let the demo play a moment, so the loudness meters have a history.
    const tablet = await open(browser, TABLET, serve.remoteUrl);
    await view(tablet, '#mixer', 2500);
    await shoot(tablet, 'remote-mixer.png');
    await view(tablet, '#channel/7', 2500);
    await shoot(tablet, 'remote-channel.png');

    const anna = serve.invites.get('Anna');
    if (anna === undefined) throw new Error('serve printed no invite for Anna');
    const phone = await open(browser, PHONE, anna);
    await sleep(2500);
    await shoot(phone, 'remote-mymix.png');

    // The master last, after half a minute of play: the leveller has brought the mix toward its
    // target and the loudness history shows more than a sliver.
    await view(tablet, '#master', 20_000);
    await shoot(tablet, 'remote-master.png');
    return 0;
  } finally {
    await browser?.close();
    await serve?.dispose();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`screenshots: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
