/**
 * MIDI surfaces with the web remote in headless Chromium: an X-Touch with an X-Touch Extender on
 * its left and a controller with no device file (learn-only) on the in-memory MIDI transport, a
 * control server of the demo session in this process serving the built page. The engineer
 * learns a control from the page, and then the learnt controller, both Mackie units and the page
 * drive the mix together, each showing what the others do.
 *
 * Needs `npm run build` (dist/ and web-remote/dist/). Without /usr/bin/chromium the file is
 * skipped locally and says so; on CI (CI=true) it fails.
 */
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteLayout } from '../../src/control/layout-info.js';
import type { ParamRegistry } from '../../src/model/registry.js';
import type { ControlServer } from '../../src/server/control-server.js';
import { loadSurfaceData, matchDevice } from '../../src/surfaces/loader.js';
import { SurfaceManager } from '../../src/surfaces/manager.js';
import { MemoryMidiBackend, type MemoryDevice } from '../../src/surfaces/transport/memory.js';
import { findChromium, launchBrowser, missingBuild } from '../helpers/browser.js';
import { openMixerPage, startDemoControl } from '../helpers/demo-control.js';

const chromiumPath = findChromium();
if (chromiumPath === undefined) console.warn('tests/browser: /usr/bin/chromium not found: the surfaces browser test is skipped');

const TOKEN = 'browser-surfaces-token-51c0';

/** The last pitch bend a unit got on a channel, as a 14-bit value. */
function lastFader(dev: MemoryDevice, channel: number): number | undefined {
  let v: number | undefined;
  for (const b of dev.received) for (let i = 0; i + 2 < b.length; i++) if (b[i] === 0xe0 + channel) v = b[i + 1] | (b[i + 2] << 7);
  return v;
}

describe.skipIf(chromiumPath === undefined)('surfaces and the web remote in Chromium', () => {
  let cs: ControlServer;
  let manager: SurfaceManager;
  let browser: Browser;
  let page: Page;
  const backend = new MemoryMidiBackend();
  const xtouch = backend.plug('X-Touch:X-Touch MIDI 1 20:0');
  const ext = backend.plug('X-Touch-Ext:X-Touch-Ext MIDI 1 24:0');
  const keys = backend.plug('Keystation 49:Keystation 49 MIDI 1 32:0');
  let registry: ParamRegistry;
  const fader = (address: string): Locator => page.locator(`[data-address="${address}"]`);
  const pos14 = (address: string): number => Math.round(registry.descriptor(address).taper.toPosition(cs.store.value(address)) * 16383);

  beforeAll(async () => {
    const missing = missingBuild();
    if (missing !== undefined) throw new Error(missing);
    const demo = await startDemoControl(TOKEN);
    ({ cs, registry } = demo);
    const { session, meters } = demo;
    const data = await loadSurfaceData();
    manager = new SurfaceManager({
      ctx: { store: cs.store, registry, layout: remoteLayout(session, registry.layout), meters, clock: Date.now },
      backend,
      data,
      matchDevice: (p) => matchDevice(p, data.devices),
    });
    await manager.start();
    cs.attachSurfaces(manager);
    browser = await launchBrowser(chromiumPath);
    page = await openMixerPage(browser, cs.http.port, TOKEN);
  });

  afterAll(async () => {
    await browser?.close();
    await manager?.close();
    await cs?.close();
  });

  it('the X-Touch with its extender is one surface, and the controller with no device file is learn-only', () => {
    const shape = manager.status().surfaces.map((s) => s.units.map((u) => [u.device, u.connected]));
    expect(shape).toEqual(
      expect.arrayContaining([
        [
          ['behringer-x-touch-extender', true],
          ['behringer-x-touch', true],
        ],
        [['generic-midi', true]],
      ]),
    );
  });

  it('learn from the page: touch ch 3 fader, move the controller; then it moves ch 3, and the page and the extender follow', async () => {
    await page.locator('[data-learn-toggle]').click();
    await fader('ch/3/fader').click();
    const banner = page.locator('[data-learn-banner]');
    await expect.poll(() => banner.textContent()).toMatch(/^Move a control on your MIDI controller for .+ \(\d+ s\)$/);
    expect(manager.status().learning).toBe('ch/3/fader');
    // The modulation wheel, moved a little (learn watches a CC for 250 ms).
    keys.send(0xb0, 0x01, 30);
    keys.send(0xb0, 0x01, 34);
    await expect.poll(() => banner.textContent(), { timeout: 5000 }).toMatch(/^CC 1 \(ch 1\) on keystation-49-keystation-49-midi-1 now moves /);
    await page.locator('[data-learn-toggle]').click();
    await expect.poll(() => page.locator('[data-learn-banner]').isVisible()).toBe(false);

    // The wheel now moves ch 3 (picked up on the way), the page's fader and the extender's motor follow.
    for (const v of [0, 127, 96]) keys.send(0xb0, 0x01, v);
    const want = registry.descriptor('ch/3/fader').taper.fromPosition(96 / 127);
    expect(cs.store.value('ch/3/fader')).toBeCloseTo(want, 9);
    await expect.poll(() => fader('ch/3/fader').getAttribute('aria-valuenow')).toBe(String(Math.round(want * 10) / 10));
    await expect.poll(() => lastFader(ext, 2)).toBe(Math.round((96 / 127) * 16383));
  });

  it('the X-Touch moves the page, the page moves the X-Touch, and a finger on the X-Touch holds the fader against the page', async () => {
    // X-Touch strip 2 is ch 10 (the extender shows 1-8).
    xtouch.send(0x90, 0x69, 0x7f);
    xtouch.send(0xe1, 0x00, 0x40); // 8192: about -10 dB
    const v10 = cs.store.value('ch/10/fader');
    expect(v10).toBeCloseTo(registry.descriptor('ch/10/fader').taper.fromPosition(8192 / 16383), 9);
    await expect.poll(() => fader('ch/10/fader').getAttribute('aria-valuenow')).toBe(String(Math.round(v10 * 10) / 10));
    // While the finger is on it, the page shows who holds it, and a drag there changes nothing.
    await expect.poll(() => page.locator('[data-address="ch/10/fader"]').evaluate((el) => el.closest('[data-strip]')?.textContent ?? el.parentElement?.textContent ?? '')).toContain('X-Touch');
    const box = (await fader('ch/10/fader').boundingBox())!;
    const thumb = (await page.locator('[data-address="ch/10/fader"] [data-thumb]').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, thumb.y + thumb.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.9, { steps: 6 });
    await page.mouse.up();
    expect(cs.store.value('ch/10/fader')).toBe(v10);
    xtouch.send(0x90, 0x69, 0x00);

    // The page moves ch 9 (the X-Touch's strip 1): its motor follows.
    const box9 = (await fader('ch/9/fader').boundingBox())!;
    const thumb9 = (await page.locator('[data-address="ch/9/fader"] [data-thumb]').boundingBox())!;
    const before = cs.store.value('ch/9/fader');
    await page.mouse.move(box9.x + box9.width / 2, thumb9.y + thumb9.height / 2);
    await page.mouse.down();
    await page.mouse.move(box9.x + box9.width / 2, box9.y + box9.height * 0.2, { steps: 8 });
    await page.mouse.up();
    await expect.poll(() => cs.store.value('ch/9/fader')).not.toBe(before);
    await expect.poll(() => lastFader(xtouch, 0)).toBe(pos14('ch/9/fader'));
  });
});
