/**
 * The one shared suite that every DSP block passes (and the whole engine too):
 *  - output identical for block sizes 1, 64, 128 and 1000 with static parameters;
 *  - silence in gives silence out (exact zeros);
 *  - no NaN or Inf at any parameter extreme, even at +12 dBFS input;
 *  - recursive state never goes subnormal (the cause of denormal slow-down).
 */
import { describe, expect, it } from 'vitest';

/** A processor under test: reads `inputs`, writes `outputs`, `frames` samples of each. */
export type Processor = (inputs: readonly Float32Array[], outputs: readonly Float32Array[], frames: number) => void;

export interface SuiteSubject {
  readonly inputs: number;
  readonly outputs: number;
  /** Build a fresh processor at this sample rate with parameters set by `config`. */
  make(sampleRate: number, config: string): { process: Processor; subnormalStates(): number };
  /** Named parameter configurations: must include 'default'; extremes are checked for NaN/Inf. */
  readonly configs: readonly string[];
}

export const SUITE_BLOCK_SIZES = [1, 64, 128, 1000] as const;
export const SUITE_MAX_BLOCK = 1024;

/** Deterministic test material: noise bursts, a sine sweep, transients and silence. */
export function testSignal(channels: number, frames: number, sampleRate: number, gain = 0.5, seed = 1): Float32Array[] {
  let s = seed >>> 0 || 1;
  const rnd = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296 - 0.5;
  };
  return Array.from({ length: channels }, (_, c) => {
    const x = new Float32Array(frames);
    for (let i = 0; i < frames; i++) {
      const t = i / sampleRate;
      const seg = Math.floor((i / frames) * 8);
      let v = 0;
      if (seg === 0 || seg === 4) v = 2 * rnd();
      else if (seg === 1 || seg === 5) v = Math.sin(2 * Math.PI * (50 + 8000 * (t % 0.5)) * t + c);
      else if (seg === 2) v = i % 4800 < 40 ? 1 : 0;
      else if (seg === 3 || seg === 6) v = 0.1 * Math.sin(2 * Math.PI * 440 * t) * (1 + rnd() * 0.2);
      x[i] = gain * v;
    }
    return x;
  });
}

/** Run a processor over whole signals, feeding blocks of `blockSize` frames. */
export function runBlocks(process: Processor, inputs: readonly Float32Array[], outputs: number, blockSize: number): Float32Array[] {
  const frames = inputs[0]?.length ?? 0;
  const out = Array.from({ length: outputs }, () => new Float32Array(frames));
  const inBuf = inputs.map(() => new Float32Array(SUITE_MAX_BLOCK));
  const outBuf = out.map(() => new Float32Array(SUITE_MAX_BLOCK));
  for (let pos = 0; pos < frames; pos += blockSize) {
    const n = Math.min(blockSize, frames - pos);
    inputs.forEach((x, c) => inBuf[c].set(x.subarray(pos, pos + n)));
    process(inBuf, outBuf, n);
    outBuf.forEach((b, c) => out[c].set(b.subarray(0, n), pos));
  }
  return out;
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

/** Register the shared suite for one subject. */
export function dspSuite(name: string, subject: SuiteSubject, sampleRates: readonly number[] = [48000]): void {
  describe(`DSP suite: ${name}`, () => {
    for (const sr of sampleRates) {
      it(`gives identical output for block sizes ${SUITE_BLOCK_SIZES.join(', ')} (${sr} Hz)`, () => {
        const input = testSignal(subject.inputs, Math.round(sr * 0.4), sr);
        for (const config of subject.configs) {
          const ref = runBlocks(subject.make(sr, config).process, input, subject.outputs, SUITE_BLOCK_SIZES[0]);
          let energy = 0;
          for (const ch of ref) for (const v of ch) energy += v * v;
          // A processor that outputs nothing would pass trivially: require signal for 'default'.
          if (config === 'default') expect(energy, `${config}: output energy`).toBeGreaterThan(0);
          for (const bs of SUITE_BLOCK_SIZES.slice(1)) {
            const got = runBlocks(subject.make(sr, config).process, input, subject.outputs, bs);
            got.forEach((ch, c) => {
              expect(firstDifference(ch, ref[c]), `${config}, block ${bs}, output ${c}: first differing sample`).toBe(-1);
            });
          }
        }
      });
    }

    it('turns silence into exact silence', () => {
      for (const config of subject.configs) {
        const input = Array.from({ length: subject.inputs }, () => new Float32Array(48000));
        const out = runBlocks(subject.make(48000, config).process, input, subject.outputs, 128);
        out.forEach((ch, c) => expect(ch.findIndex((v) => v !== 0), `${config}, output ${c}: first non-zero sample`).toBe(-1));
      }
    });

    it('never outputs NaN or Inf, at every configuration, at +12 dBFS', () => {
      for (const config of subject.configs) {
        const input = testSignal(subject.inputs, 24000, 48000, 4, 7);
        const out = runBlocks(subject.make(48000, config).process, input, subject.outputs, 128);
        out.forEach((ch, c) => expect(ch.findIndex((v) => !Number.isFinite(v)), `${config}, output ${c}: first non-finite sample`).toBe(-1));
      }
    });

    it('never holds subnormal state while a signal decays into silence', () => {
      for (const config of subject.configs) {
        const sr = 48000;
        const { process, subnormalStates } = subject.make(sr, config);
        const loud = testSignal(subject.inputs, 4800, sr, 0.8, 3);
        const inBuf = loud.map(() => new Float32Array(128));
        const outBuf = Array.from({ length: subject.outputs }, () => new Float32Array(128));
        let worst = 0;
        // 0.1 s of signal, then 20 s of silence, checking the state after every block.
        for (let pos = 0; pos < sr * 20; pos += 128) {
          inBuf.forEach((b, c) => {
            b.fill(0);
            if (pos < 4800) b.set(loud[c].subarray(pos, Math.min(pos + 128, 4800)));
          });
          process(inBuf, outBuf, 128);
          worst = Math.max(worst, subnormalStates());
        }
        expect(worst, `${config}: most subnormal state values seen in one block`).toBe(0);
      }
    });
  });
}

/** Adapter: an in-place DspBlock as a suite processor. */
export function inPlace(block: {
  process(buffers: readonly Float32Array[], frames: number): void;
  subnormalStates(): number;
}): { process: Processor; subnormalStates(): number } {
  return {
    process(inputs, outputs, frames) {
      inputs.forEach((x, c) => outputs[c].set(x.subarray(0, frames)));
      block.process(outputs, frames);
    },
    subnormalStates: () => block.subnormalStates(),
  };
}

/**
 * Run an in-place stereo block over whole signals in blocks of `block`, with an optional hook
 * before each block (to change settings mid-signal). Returns new arrays.
 */
export function runStereo(
  b: { process(buffers: readonly Float32Array[], frames: number): void },
  left: Float32Array,
  right: Float32Array,
  block = 128,
  onBlock?: (pos: number) => void,
): [Float32Array, Float32Array] {
  const l = Float32Array.from(left);
  const r = Float32Array.from(right);
  const bl = new Float32Array(block);
  const br = new Float32Array(block);
  for (let pos = 0; pos < l.length; pos += block) {
    const n = Math.min(block, l.length - pos);
    onBlock?.(pos);
    bl.set(l.subarray(pos, pos + n));
    br.set(r.subarray(pos, pos + n));
    b.process([bl, br], n);
    l.set(bl.subarray(0, n), pos);
    r.set(br.subarray(0, n), pos);
  }
  return [l, r];
}
