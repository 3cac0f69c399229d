/**
 * OSC with the web remote in headless Chromium: a control server of the demo session in this
 * process, serving the built page, with the native OSC server and the X32 dialect's server on
 * its store. liblo's oscsend (an independent client) moves faders on both ports and the page
 * shows them; a fader dragged on the page reaches an X32 client that holds /xremote.
 *
 * Needs `npm run build` (dist/ and web-remote/dist/). Without /usr/bin/chromium or oscsend the
 * file is skipped locally and says so; on CI (CI=true) it fails.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteLayout } from '../../src/control/layout-info.js';
import type { ParamRegistry } from '../../src/model/registry.js';
import { NativeOscServer } from '../../src/osc/native.js';
import { FADER_LEVEL } from '../../src/osc/x32-laws.js';
import { X32Server } from '../../src/osc/x32-server.js';
import type { ControlServer } from '../../src/server/control-server.js';
import { findChromium, launchBrowser, missingBuild } from '../helpers/browser.js';
import { openMixerPage, startDemoControl } from '../helpers/demo-control.js';
import { hasLiblo, oscClient, oscsend, type OscTestClient } from '../helpers/osc.js';

const chromiumPath = findChromium();
if (chromiumPath === undefined) console.warn('tests/browser: /usr/bin/chromium not found: the OSC browser test is skipped');
const liblo = hasLiblo('tests/browser/osc.test.ts');

const TOKEN = 'browser-osc-token-7d20';

describe.skipIf(chromiumPath === undefined || !liblo)('OSC and the web remote in Chromium', () => {
  let cs: ControlServer;
  let native: NativeOscServer;
  let x32: X32Server;
  let browser: Browser;
  let page: Page;
  let app: OscTestClient;
  let registry: ParamRegistry;
  const fader = (address: string): Locator => page.locator(`[data-address="${address}"]`);
  const shown = (address: string): Promise<string | null> => fader(address).getAttribute('aria-valuenow');

  beforeAll(async () => {
    const missing = missingBuild();
    if (missing !== undefined) throw new Error(missing);
    const demo = await startDemoControl(TOKEN);
    ({ cs, registry } = demo);
    const { session, meters } = demo;
    native = await NativeOscServer.start({ store: cs.store, registry, meters, port: 0, host: '127.0.0.1' });
    x32 = await X32Server.start({ store: cs.store, registry, layout: remoteLayout(session, registry.layout), meters, port: 0, host: '127.0.0.1' });
    app = await oscClient(x32.port);
    browser = await launchBrowser(chromiumPath);
    page = await openMixerPage(browser, cs.http.port, TOKEN);
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await native?.close();
    await x32?.close();
    await cs?.close();
  });

  it('oscsend moves a fader on the native port, and the page shows it', async () => {
    oscsend(native.port, '/ch/2/fader', 'f', '-17.5');
    await expect.poll(() => shown('ch/2/fader'), { timeout: 3000 }).toBe('-17.5');
    oscsend(native.port, '/ch/3/fader/pos', 'f', '0');
    await expect.poll(() => shown('ch/3/fader'), { timeout: 3000 }).toBe(String(Math.round(registry.descriptor('ch/3/fader').taper.fromPosition(0) * 10) / 10));
  });

  it('oscsend moves a fader on the X32 port by the 1024-step law, and the page shows it', async () => {
    oscsend(x32.port, '/ch/04/mix/fader', 'f', '0.5');
    const db = FADER_LEVEL.fromFloat(Math.fround(0.5));
    await expect.poll(() => cs.store.value('ch/4/fader')).toBeCloseTo(db, 9);
    await expect.poll(() => shown('ch/4/fader'), { timeout: 3000 }).toBe(String(Math.round(db * 10) / 10));
  });

  it('a fader dragged on the page reaches an X32 client that holds /xremote', async () => {
    app.send('/xremote');
    await new Promise((r) => setTimeout(r, 100));
    app.got.length = 0;
    const before = cs.store.value('ch/9/fader');
    const box = (await fader('ch/9/fader').boundingBox())!;
    const thumb = (await page.locator('[data-address="ch/9/fader"] [data-thumb]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, thumb.y + thumb.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => cs.store.value('ch/9/fader')).not.toBe(before);
    const now = cs.store.value('ch/9/fader');
    // The last /ch/09/mix/fader the client got is the page's final value, by the X32 law.
    await expect
      .poll(() => app.got.filter((g) => g.msg?.address === '/ch/09/mix/fader').at(-1)?.msg?.args[0], { timeout: 3000 })
      .toEqual({ type: 'f', value: Math.fround(FADER_LEVEL.toFloat(now)) });
  });
});
