/**
 * The web remote in headless Chromium against a real `mixhost serve` (the demo session on the
 * null backend): fader sync between two tablets with its latency, a performer's invite and a
 * forged message, the login page, meters, and a server restart the page rides out by itself.
 *
 * One browser and one server for the whole file, and the tests run one after the other (a
 * vitest file is sequential), so the suite adds one Chromium to the machine, never more. The
 * restart test comes last: it stops and starts the server the others share.
 *
 * Needs `npm run build` (dist/ and web-remote/dist/). Without /usr/bin/chromium the file is
 * skipped locally and says so; on CI (CI=true) it fails.
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meterDeflection } from '../../web-remote/src/meters.js';
import { findChromium, getParam, launchBrowser, missingBuild, putParam, type Serve, startServe } from '../helpers/browser.js';

const chromiumPath = findChromium();
if (chromiumPath === undefined) console.warn('tests/browser: /usr/bin/chromium not found: the web remote browser tests are skipped');

const TOKEN = 'browser-test-token-7f3a91c2';
const TABLET = { width: 1180, height: 820 };
const PHONE = { width: 390, height: 844 };
/** The demo session's console. */
const CHANNELS = 32;
/** The server's heartbeat (DEFAULT_HEARTBEAT_MS): a silent link is dropped after two of them. */
const HEARTBEAT_MS = 5000;

/** The slider bound to a parameter address (the mixer's console fader for `ch/1/fader`). */
const stripFader = (page: Page, address: string): Locator => page.locator(`[data-address="${address}"]`);
const pill = (page: Page): Locator => page.getByRole('status');

/** The browser's clock in ms since the epoch (shared by all pages of the machine). */
const pageNow = (page: Page): Promise<number> => page.evaluate(() => performance.timeOrigin + performance.now());

async function waitLive(page: Page, timeoutMs = 10_000): Promise<void> {
  await expect.poll(() => pill(page).textContent(), { timeout: timeoutMs, interval: 50 }).toBe('Live');
}

/**
 * Record every change of `aria-valuenow` of the element matching `selector` as
 * [browser time ms, value], in `window.__valueLog[name]`.
 */
async function watchValue(page: Page, selector: string, name: string): Promise<void> {
  await page.evaluate(
    ([sel, key]) => {
      const w = window as unknown as { __valueLog?: Record<string, Array<[number, string | null]>> };
      const logs = (w.__valueLog ??= {});
      const log: Array<[number, string | null]> = (logs[key] = []);
      const target = document.querySelector(sel);
      if (target === null) throw new Error(`no element ${sel}`);
      new MutationObserver(() => log.push([performance.timeOrigin + performance.now(), target.getAttribute('aria-valuenow')])).observe(target, {
        attributes: true,
        attributeFilter: ['aria-valuenow'],
      });
    },
    [selector, name] as const,
  );
}

const valueLog = (page: Page, name: string): Promise<Array<[number, string | null]>> =>
  page.evaluate((key) => (window as unknown as { __valueLog: Record<string, Array<[number, string | null]>> }).__valueLog[key], name);

describe.skipIf(chromiumPath === undefined)('web remote in Chromium', () => {
  let serve: Serve;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  const newPage = async (viewport = TABLET): Promise<Page> => {
    const ctx = await browser.newContext({ viewport });
    contexts.push(ctx);
    return ctx.newPage();
  };
  /** A page joined with the engineer's link, on the mixer, live. */
  const engineerPage = async (): Promise<Page> => {
    const page = await newPage();
    const res = await page.goto(serve.remoteUrl);
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/');
    await waitLive(page);
    await stripFader(page, 'ch/1/fader').waitFor();
    return page;
  };

  beforeAll(async () => {
    const missing = missingBuild();
    if (missing !== undefined) throw new Error(missing);
    [serve, browser] = await Promise.all([startServe({ token: TOKEN, invites: ['Anna:2'] }), launchBrowser(chromiumPath)]);
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await serve?.dispose();
  });

  it('a fader dragged on one tablet shows on another within 100 ms, as the server has it, without an echo', async () => {
    const [a, b] = [await engineerPage(), await engineerPage()];
    const before = await getParam(serve, 'ch/1/fader');
    expect(await stripFader(a, 'ch/1/fader').getAttribute('aria-valuetext')).toBe(before.text);
    expect(await stripFader(b, 'ch/1/fader').getAttribute('aria-valuetext')).toBe(before.text);

    const sel = '[data-address="ch/1/fader"]';
    await watchValue(a, sel, 'a');
    await watchValue(b, sel, 'b');
    // The time page A handled its last pointer move (the set goes out then, or at the latest on pointerup).
    await a.evaluate(() => {
      window.addEventListener('pointermove', () => ((window as unknown as { __lastMove: number }).__lastMove = performance.timeOrigin + performance.now()), true);
    });

    // Real pointer events, from the thumb to a tenth of the travel below the top.
    const box = await stripFader(a, 'ch/1/fader').boundingBox();
    const thumb = await a.locator(`${sel} [data-thumb]`).boundingBox();
    expect(box).not.toBeNull();
    expect(thumb).not.toBeNull();
    const x = thumb!.x + thumb!.width / 2;
    await a.mouse.move(x, thumb!.y + thumb!.height / 2);
    await a.mouse.down();
    await a.mouse.move(x, box!.y + box!.height * 0.1, { steps: 12 });
    const lastMove = await a.evaluate(() => (window as unknown as { __lastMove: number }).__lastMove);
    await a.mouse.up();

    const shownA = await stripFader(a, 'ch/1/fader').getAttribute('aria-valuenow');
    const textA = await stripFader(a, 'ch/1/fader').getAttribute('aria-valuetext');
    expect(Number(shownA)).toBeGreaterThan(before.value + 3);

    // Page B: wait (polling every animation frame) until it shows the same value.
    await b.waitForFunction((want) => document.querySelector('[data-address="ch/1/fader"]')?.getAttribute('aria-valuenow') === want, shownA, {
      polling: 'raf',
      timeout: 5000,
    });
    const logB = await valueLog(b, 'b');
    const shownAtB = logB.find(([, v]) => v === shownA)?.[0];
    expect(shownAtB).toBeDefined();
    const latencyMs = shownAtB! - lastMove;
    console.log(`fader sync: page A's last pointer move -> page B shows ${textA}: ${latencyMs.toFixed(1)} ms`);
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    // The requirement; the figure is measured in the browsers, not by the test runner.
    expect(latencyMs).toBeLessThan(100);

    // The server has what page A shows.
    const server = await getParam(serve, 'ch/1/fader');
    expect(Math.round(server.value * 10) / 10).toBe(Number(shownA));
    expect(server.text).toBe(textA);

    // No echo: page A keeps its value; nothing after the drag moved it elsewhere.
    await a.waitForTimeout(400);
    expect(await stripFader(a, 'ch/1/fader').getAttribute('aria-valuenow')).toBe(shownA);
    const logA = await valueLog(a, 'a');
    const afterMove = logA.filter(([t]) => t > lastMove);
    expect(afterMove.every(([, v]) => v === shownA)).toBe(true);
    expect(logA.at(-1)?.[1]).toBe(shownA);
  });

  it('no fights: while a finger holds a fader on one tablet, the other shows who holds it and cannot move it; after release it can', async () => {
    const [a, b] = [await engineerPage(), await engineerPage()];
    const sel = '[data-address="ch/3/fader"]';
    const grab = async (page: Page, towards: number): Promise<void> => {
      const box = (await stripFader(page, 'ch/3/fader').boundingBox())!;
      const thumb = (await page.locator(`${sel} [data-thumb]`).boundingBox())!;
      const x = thumb.x + thumb.width / 2;
      await page.mouse.move(x, thumb.y + thumb.height / 2);
      await page.mouse.down();
      await page.mouse.move(x, box.y + box.height * towards, { steps: 8 });
    };
    // Page A: finger down and moved, not lifted.
    await grab(a, 0.2);
    const held = await stripFader(a, 'ch/3/fader').getAttribute('aria-valuenow');
    await expect.poll(async () => (await getParam(serve, 'ch/3/fader')).value.toFixed(1), { timeout: 3000 }).toBe(Number(held).toFixed(1));
    // Page B sees the hold (with A's name) and refuses a drag: neither B nor the server moves.
    await expect.poll(() => stripFader(b, 'ch/3/fader').getAttribute('aria-disabled'), { timeout: 3000 }).toBe('true');
    expect(await stripFader(b, 'ch/3/fader').getAttribute('title')).toMatch(/^Held by .+/);
    await grab(b, 0.9);
    await b.mouse.up();
    await b.waitForTimeout(300);
    expect(await stripFader(b, 'ch/3/fader').getAttribute('aria-valuenow')).toBe(held);
    expect((await getParam(serve, 'ch/3/fader')).value.toFixed(1)).toBe(Number(held).toFixed(1));
    // A lets go: B may move it now, and the server follows B.
    await a.mouse.up();
    await expect.poll(() => stripFader(b, 'ch/3/fader').getAttribute('aria-disabled'), { timeout: 3000 }).toBe('false');
    await grab(b, 0.9);
    await b.mouse.up();
    const moved = await stripFader(b, 'ch/3/fader').getAttribute('aria-valuenow');
    expect(Number(moved)).toBeLessThan(Number(held) - 10);
    await expect.poll(async () => (await getParam(serve, 'ch/3/fader')).value.toFixed(1), { timeout: 3000 }).toBe(Number(moved).toFixed(1));
    await expect.poll(() => stripFader(a, 'ch/3/fader').getAttribute('aria-valuenow'), { timeout: 3000 }).toBe(moved);
  });

  it("a performer's invite opens MyMix with aux 2 only; forged sets outside it are refused and change nothing", async () => {
    const page = await newPage(PHONE);
    const invite = serve.invites.get('Anna');
    expect(invite).toBeDefined();
    const res = await page.goto(invite!);
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/mymix');
    await waitLive(page);
    const sliders = page.getByRole('slider');
    await expect.poll(() => sliders.count(), { timeout: 5000 }).toBe(CHANNELS + 2);
    const labels = await sliders.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    expect(labels.filter((l) => l.endsWith(' in my mix'))).toHaveLength(CHANNELS);
    expect(labels.filter((l) => /^Vocal wedge (level|balance)$/.test(l)).sort()).toEqual(['Vocal wedge balance', 'Vocal wedge level']);

    const send3 = await getParam(serve, 'ch/1/send/3/level');
    const master = await getParam(serve, 'master/fader');
    // The forged values differ from the current ones, so a change would show.
    expect(send3.value).not.toBe(0);
    expect(master.value).not.toBe(-90);

    // A second socket from the page itself: same origin, the invite's cookie, no token in hello.
    const seen = await page.evaluate(async () => {
      type M = { type?: unknown; [k: string]: unknown };
      const ws = new WebSocket(`ws://${location.host}/ws`);
      const msgs: M[] = [];
      const waitFor = (pred: (m: M) => boolean, ms: number): Promise<M | undefined> =>
        new Promise((resolve) => {
          const t0 = performance.now();
          const check = (): void => {
            const m = msgs.find(pred);
            if (m !== undefined || performance.now() - t0 > ms) resolve(m);
            else setTimeout(check, 10);
          };
          check();
        });
      ws.onmessage = (ev) => {
        if (typeof ev.data !== 'string') return;
        try {
          const m: unknown = JSON.parse(ev.data);
          if (typeof m === 'object' && m !== null && !Array.isArray(m)) msgs.push(m as M);
        } catch {
          msgs.push({ type: 'unparsable' });
        }
      };
      await new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new Error('socket failed'));
      });
      ws.send(JSON.stringify({ type: 'hello', name: 'forged' }));
      const welcome = await waitFor((m) => m.type === 'welcome', 3000);
      const snapshot = await waitFor((m) => m.type === 'snapshot', 3000);
      ws.send(JSON.stringify({ type: 'set', id: 1, address: 'ch/1/send/3/level', value: 0 }));
      ws.send(JSON.stringify({ type: 'set', id: 2, address: 'master/fader', value: -90 }));
      await waitFor((m) => m.type === 'error' && m.id === 2, 3000);
      const errors = msgs.filter((m) => m.type === 'error').map((m) => ({ id: m.id, code: m.code }));
      ws.close();
      return {
        role: welcome?.role,
        bus: welcome?.bus,
        params: snapshot !== undefined ? Object.keys(snapshot.params as object).sort() : [],
        errors,
      };
    });
    expect(seen.role).toBe('performer');
    expect(seen.bus).toBe(2);
    const expected = [...Array.from({ length: CHANNELS }, (_, i) => `ch/${i + 1}/send/2/level`), 'bus/2/fader', 'bus/2/mute', 'bus/2/pan'].sort();
    expect(seen.params).toHaveLength(35);
    expect(seen.params).toEqual(expected);
    expect(seen.errors).toEqual([
      { id: 1, code: 'E_AUTH_ROLE' },
      { id: 2, code: 'E_AUTH_ROLE' },
    ]);
    expect((await getParam(serve, 'ch/1/send/3/level')).value).toBe(send3.value);
    expect((await getParam(serve, 'master/fader')).value).toBe(master.value);
  });

  it('a channel view opened directly (a reload on #channel/3) is the engineer\'s to change, as one reached from the mixer', async () => {
    const page = await engineerPage();
    await page.goto(`${serve.base}/#channel/3`);
    await page.reload();
    await waitLive(page);
    await page.locator('[data-address="ch/3/eq/2/gain"]').waitFor({ state: 'attached' });
    const controls = await page.locator('.view-channel [data-address]').count();
    expect(controls).toBeGreaterThan(40);
    // The view mounts at `welcome`, before the snapshot: the values' arrival makes them writable.
    await expect.poll(() => page.locator('.view-channel [data-address].mx-ro, .view-channel [data-address][aria-disabled="true"]').count()).toBe(0);
    await expect.poll(() => page.locator('.view-channel select[data-address]:disabled').count()).toBe(0);
  });

  it('a browser without the cookie gets the login page (401) and opens no WebSocket', async () => {
    const page = await newPage();
    const sockets: string[] = [];
    page.on('websocket', (ws) => sockets.push(ws.url()));
    const res = await page.goto(`${serve.base}/`);
    expect(res?.status()).toBe(401);
    await expect.poll(() => page.locator('form.login-form input[name="token"]').count()).toBe(1);
    expect(await page.locator('script').count()).toBe(0);
    await page.waitForTimeout(1000);
    expect(sockets).toEqual([]);
  });

  it("the kick drum's meter on ch/1 rises above the floor within 2 s and keeps moving; ~30 meter frames a second arrive", async () => {
    const page = await engineerPage();
    const t0 = Date.now();
    const meter = page.locator('[data-point="ch/1"]');
    // The meter's data-level is the peak it shows (dBFS, 0.1 dB); its deflection on the meter's scale.
    const deflection = async (): Promise<number> => {
      const level = await meter.getAttribute('data-level');
      return level === null ? 0 : meterDeflection(Number(level));
    };
    await expect.poll(deflection, { timeout: 2000, interval: 20 }).toBeGreaterThan(0.05);
    const riseMs = Date.now() - t0;
    const samples: number[] = [];
    for (let i = 0; i < 20; i++) {
      samples.push(await deflection());
      await page.waitForTimeout(50);
    }
    console.log(`meters: ch/1 above the floor ${riseMs} ms after live; deflection over 1 s ${Math.min(...samples).toFixed(3)}..${Math.max(...samples).toFixed(3)}`);
    expect(riseMs).toBeLessThan(2000);
    expect(new Set(samples.map((s) => s.toFixed(3))).size).toBeGreaterThanOrEqual(3);

    // The frames themselves, on a socket of the page's own: kind byte 1, about 30 a second.
    const frames = await page.evaluate(async () => {
      const ws = new WebSocket(`ws://${location.host}/ws`);
      ws.binaryType = 'arraybuffer';
      let subscribed = false;
      const kinds: number[] = [];
      ws.onmessage = (ev) => {
        if (ev.data instanceof ArrayBuffer) {
          if (subscribed && ev.data.byteLength > 0) kinds.push(new Uint8Array(ev.data)[0]);
          return;
        }
        if (typeof ev.data !== 'string') return;
        let m: unknown;
        try {
          m = JSON.parse(ev.data);
        } catch {
          return;
        }
        if (typeof m !== 'object' || m === null) return;
        const type = (m as { type?: unknown }).type;
        if (type === 'welcome') ws.send(JSON.stringify({ type: 'subscribe', id: 1, meters: ['ch/1'] }));
        if (type === 'subscribed') subscribed = true;
      };
      await new Promise<void>((resolve) => (ws.onopen = () => resolve()));
      ws.send(JSON.stringify({ type: 'hello', name: 'meter probe' }));
      const t = performance.now();
      while (!subscribed && performance.now() - t < 3000) await new Promise((r) => setTimeout(r, 10));
      const start = kinds.length;
      await new Promise((r) => setTimeout(r, 1000));
      const got = kinds.slice(start);
      ws.close();
      return { subscribed, count: got.length, allKind1: got.every((k) => k === 1) };
    });
    console.log(`meters: ${frames.count} frames in 1 s on a second socket`);
    expect(frames.subscribed).toBe(true);
    expect(frames.count).toBeGreaterThanOrEqual(20);
    expect(frames.count).toBeLessThanOrEqual(40);
    expect(frames.allKind1).toBe(true);
  });

  it('after a server restart on the same port the page reconnects by itself and shows the new run', async () => {
    const page = await engineerPage();
    const ch2 = stripFader(page, 'ch/2/fader');
    const before = await getParam(serve, 'ch/2/fader');
    expect(before.value).not.toBe(-20);
    expect(await ch2.getAttribute('aria-valuenow')).toBe(String(before.value));
    await page.evaluate(() => ((window as unknown as { __sameDocument: string }).__sameDocument = 'kept'));

    const stoppedAt = await pageNow(page);
    const stopping = serve.stop();
    // The server closes its sockets as it stops; at worst the page's watchdog (two silent heartbeats) notices.
    await page.waitForFunction(() => /^Reconnecting/.test(document.querySelector('[role="status"]')?.textContent ?? ''), null, {
      polling: 'raf',
      timeout: 2 * HEARTBEAT_MS + 2000,
    });
    const noticedMs = (await pageNow(page)) - stoppedAt;
    expect(await stopping).toBe(0);
    console.log(`restart: the page showed Reconnecting ${noticedMs.toFixed(0)} ms after SIGINT`);
    expect(noticedMs).toBeLessThan(2 * HEARTBEAT_MS);
    // Down: it keeps trying, and says so.
    await page.waitForTimeout(500);
    expect(await pill(page).textContent()).toMatch(/^Reconnecting/);

    await serve.restart();
    const restartedAt = await pageNow(page);
    const set = await putParam(serve, 'ch/2/fader', -20);
    expect(set.value).toBe(-20);
    await page.waitForFunction(() => document.querySelector('[data-address="ch/2/fader"]')?.getAttribute('aria-valuenow') === '-20', null, {
      polling: 'raf',
      timeout: 10_000,
    });
    const shownMs = (await pageNow(page)) - restartedAt;
    console.log(`restart: the page showed the new run's ch/2 at -20 dB ${shownMs.toFixed(0)} ms after the server was up again`);
    expect(shownMs).toBeLessThan(10_000);
    expect(await ch2.getAttribute('aria-valuetext')).toBe('-20.0 dB');
    await waitLive(page);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: string }).__sameDocument)).toBe('kept');
  });
});
