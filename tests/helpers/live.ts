/**
 * Starting the render worker from a session in tests, as `mixhost serve` does (the session
 * applied to a parameter table, the meter layout sized from a throwaway engine).
 */
import { RenderHost, type RenderHostOptions } from '../../src/engine/rt/render-host.js';
import type { AudioSpec } from '../../src/engine/rt/protocol.js';
import { MixEngine } from '../../src/engine/mixer.js';
import type { MeterLayout } from '../../src/model/meters.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { applySession, sessionLayout, type Session } from '../../src/model/session.js';

export interface LiveSetup {
  readonly options: RenderHostOptions;
  readonly registry: ParamRegistry;
  readonly meterLayout: MeterLayout;
}

export function liveSetup(session: Session, audio: AudioSpec, extra: Partial<RenderHostOptions> = {}): LiveSetup {
  const layout = sessionLayout(session);
  const registry = new ParamRegistry(layout);
  const params = registry.createTable();
  applySession(session, registry, params);
  const sampleRate = extra.sampleRate ?? session.sampleRate ?? 48000;
  const meterLayout = new MixEngine(registry, { sampleRate, maxBlock: 32 }).meterLayout;
  const options: RenderHostOptions = {
    registry,
    meterCount: meterLayout.size,
    session,
    sessionDir: '.',
    audio,
    sampleRate,
    blockSize: 128,
    params,
    warmUpSeconds: 0.2,
    ...extra,
  };
  return { options, registry, meterLayout };
}

export function startLive(session: Session, audio: AudioSpec, extra: Partial<RenderHostOptions> = {}): Promise<RenderHost> {
  return RenderHost.start(liveSetup(session, audio, extra).options);
}

/** Resolve once `cond()` holds (checked every 20 ms), or fail after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
