/**
 * The sessions and the control flood the real-time tests and benchmarks share.
 */
import type { RenderHost } from '../../src/engine/rt/render-host.js';
import type { ParamRegistry } from '../../src/model/registry.js';
import { parseSession, type Session } from '../../src/model/session.js';

const STEMS = ['kick', 'snare', 'hats', 'bass', 'pad', 'lead', 'vox'];

/**
 * `channels` full strips (high-pass, gate, compressor, 4-band EQ, an aux and an FX send) playing
 * the demo stems, as many interface inputs open (their audio is the device's, the strips play
 * the stems), and 20 outputs patched: master, monitor and the 8 aux mixes.
 */
export function soakSession(channels: number, sampleRate: number, blockSize: number): Session {
  const list = Array.from({ length: channels }, (_, i) => ({
    source: { demo: STEMS[i % STEMS.length] },
    hpf: { on: true, freq: 80 },
    gate: { on: true, threshold: -50 },
    comp: { on: true, threshold: -24, ratio: 4 },
    eq: [{ gain: 3 }, { gain: -2 }, { gain: 2 }, { gain: -3 }],
    sends: [{ bus: 1 + (i % 8), level: -10 }],
    fxSends: [{ fx: 1, level: -20 }],
    fader: -12,
  }));
  const outputs: Record<string, [number, number]> = { master: [1, 2], monitor: [3, 4] };
  for (let a = 1; a <= 8; a++) outputs[`aux${a}`] = [3 + 2 * a, 4 + 2 * a];
  return parseSession(
    JSON.stringify({ format: 'mixhost-session', version: 1, name: 'soak', sampleRate, channels: list, audio: { inputs: channels, blockSize, outputs } }),
  );
}

/**
 * Flood the render worker with parameter changes from this thread: every millisecond, `perTick`
 * changes to faders, EQ gains, pans and send levels of every channel. Returns a stop function
 * that says how many changes were sent.
 */
export function startFlood(host: RenderHost, registry: ParamRegistry, channels: number, perTick = 3): () => number {
  const targets: number[] = [];
  for (let c = 1; c <= channels; c++) {
    for (const p of ['fader', 'eq/1/gain', 'eq/3/gain', 'pan', `send/${1 + ((c - 1) % 8)}/level`]) targets.push(registry.index(`ch/${c}/${p}`));
  }
  let sent = 0;
  let k = 0;
  const timer = setInterval(() => {
    for (let j = 0; j < perTick; j++, k++) {
      host.set(targets[k % targets.length], -20 + ((k * 7919) % 200) / 10);
      sent++;
    }
  }, 1);
  return () => {
    clearInterval(timer);
    return sent;
  };
}
