/**
 * The demo session's control server in this process (meters at the floor), for tests that put
 * surfaces or OSC on its store, and the web remote's mixer page opened on it in a browser.
 */
import type { Browser, Page } from 'playwright-core';
import { meterLayout, type MeterLayout } from '../../src/model/meters.js';
import { demoSession } from '../../src/model/demo-session.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { applySession, sessionLayout, type Session } from '../../src/model/session.js';
import { startControlServer, type ControlServer } from '../../src/server/control-server.js';

export interface DemoControl {
  readonly session: Session;
  readonly registry: ParamRegistry;
  readonly meters: { readonly layout: MeterLayout; read(dst: Float32Array): boolean };
  readonly cs: ControlServer;
}

export async function startDemoControl(token: string): Promise<DemoControl> {
  const session = demoSession();
  const registry = new ParamRegistry(sessionLayout(session));
  const params = registry.createTable();
  applySession(session, registry, params);
  const meters = { layout: meterLayout(registry.layout), read: (dst: Float32Array) => (dst.fill(-120), true) };
  const cs = await startControlServer({ session, registry, params, meters, token, port: 0, host: '127.0.0.1' });
  return { session, registry, meters, cs };
}

/** A tablet-sized page that joined with the token, live, its channel 1 fader drawn. */
export async function openMixerPage(browser: Browser, httpPort: number, token: string): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1180, height: 820 } })).newPage();
  await page.goto(`http://127.0.0.1:${httpPort}/join?token=${token}`);
  await page.getByRole('status').filter({ hasText: /^Live$/ }).waitFor({ timeout: 10_000 });
  await page.locator('[data-address="ch/1/fader"]').waitFor();
  return page;
}
