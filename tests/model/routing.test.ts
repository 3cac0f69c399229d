import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { defaultLayout, inputCount, outputPairs } from '../../src/model/layout.js';
import { MixhostError } from '../../src/model/errors.js';
import { ParamRegistry } from '../../src/model/registry.js';
import { DEFAULT_BLOCK, LIVE_SAMPLE_RATES, MAX_LIVE_CHANNELS, resolveRouting, type AudioRouting } from '../../src/model/routing.js';
import { ALL_OUTPUT_PAIRS, sessionOutputPairs } from '../../src/model/session-audio.js';
import {
  SESSION_SAMPLE_RATES,
  SessionError,
  parseSession,
  sessionFromParams,
  sessionJsonSchema,
  sessionLayout,
  type Session,
} from '../../src/model/session.js';

const root = new URL('../../', import.meta.url);
const base = { format: 'mixhost-session', version: 1 };

function parse(s: object): Session {
  return parseSession(JSON.stringify({ ...base, ...s }));
}

/** The issue lines of a session that must fail. */
function issues(s: object): string[] {
  try {
    parse(s);
  } catch (e) {
    expect(e).toBeInstanceOf(SessionError);
    expect((e as SessionError).code).toBe('E_SESSION_INVALID');
    return (e as SessionError).issues;
  }
  throw new Error('the session was accepted');
}

function route(s: Session, maxInputs: number, maxOutputs: number): AudioRouting {
  return resolveRouting(s, sessionLayout(s), { maxInputs, maxOutputs });
}

function routingError(s: Session, maxInputs: number, maxOutputs: number, layout = sessionLayout(s)): string {
  try {
    resolveRouting(s, layout, { maxInputs, maxOutputs });
  } catch (e) {
    expect(e).toBeInstanceOf(MixhostError);
    expect((e as MixhostError).code).toBe('E_AUDIO_ROUTING');
    return (e as Error).message;
  }
  throw new Error('the routing was resolved');
}

const mixed = {
  channels: [
    { name: 'Kick', source: { demo: 'kick' } },
    { name: 'Vox', source: { input: 3 } },
    { name: 'Keys', stereo: true, source: { input: 5 } },
  ],
};

describe('constants', () => {
  it('live rates, block size and channel limit', () => {
    expect([...LIVE_SAMPLE_RATES]).toEqual([44100, 48000, 88200, 96000]);
    for (const r of LIVE_SAMPLE_RATES) expect(SESSION_SAMPLE_RATES).toContain(r);
    expect(DEFAULT_BLOCK).toBe(128);
    expect(MAX_LIVE_CHANNELS).toBe(64);
  });

  it('the pairs a session has follow its master chains', () => {
    expect(sessionOutputPairs(undefined)).toEqual(outputPairs(defaultLayout()));
    expect(sessionOutputPairs([{}, {}]).slice(-3)).toEqual(['aux8', 'master2', 'master3']);
    expect(ALL_OUTPUT_PAIRS).toHaveLength(2 + 8 + 3);
    expect(ALL_OUTPUT_PAIRS.at(-1)).toBe('master4');
  });
});

describe('resolveRouting: outputs', () => {
  it('without an audio section: master only on a 2-output device', () => {
    const r = route(parse({ channels: [{ source: { demo: 'vox' } }] }), 2, 2);
    expect(r.patch).toEqual([{ pair: 'master', outputs: [1, 2] }]);
    expect(r.outputChannels).toBe(2);
    expect([...r.outputMap]).toEqual([0, 1]);
    expect(r.inputChannels).toBe(0);
    expect([...r.inputMap]).toEqual([-1]);
  });

  it('without an audio section: master and monitor on an 8-output device, nothing else', () => {
    const r = route(parse({ channels: [{}] }), 8, 8);
    expect(r.patch).toEqual([
      { pair: 'master', outputs: [1, 2] },
      { pair: 'monitor', outputs: [3, 4] },
    ]);
    expect(r.outputChannels).toBe(4);
    expect([...r.outputMap]).toEqual([0, 1, 2, 3]);
    // 3 outputs: still master only.
    expect([...route(parse({ channels: [{}] }), 0, 3).outputMap]).toEqual([0, 1]);
  });

  it('an explicit patch: outputMap holds 2p and 2p + 1 of each pair p, -1 in the gaps', () => {
    const s = parse({ channels: [{}], audio: { outputs: { aux2: [7, 8], master: [2, 1], monitor: [5, 6] } } });
    const r = route(s, 0, 20);
    expect(r.outputChannels).toBe(8);
    // master = pair 0, monitor = 1, aux2 = 3.
    expect([...r.outputMap]).toEqual([1, 0, -1, -1, 2, 3, 6, 7]);
    expect(r.patch).toEqual([
      { pair: 'master', outputs: [2, 1] },
      { pair: 'monitor', outputs: [5, 6] },
      { pair: 'aux2', outputs: [7, 8] },
    ]);
  });

  it('master2 is the pair after aux8 (engine outputs 20 and 21)', () => {
    const s = parse({ channels: [{}], outputs: [{ name: 'stream' }], audio: { outputs: { master2: [3, 4], master: [1, 2] } } });
    const r = route(s, 0, 4);
    expect([...r.outputMap]).toEqual([0, 1, 20, 21]);
  });

  it('an empty patch opens no outputs', () => {
    const r = route(parse({ channels: [{}], audio: { outputs: {} } }), 2, 0);
    expect(r.outputChannels).toBe(0);
    expect(r.outputMap).toHaveLength(0);
    expect(r.patch).toEqual([]);
  });

  it('outputs beyond the device are E_AUDIO_ROUTING', () => {
    const s = parse({ channels: [{}], audio: { outputs: { master: [1, 2], aux1: [9, 10] } } });
    expect(routingError(s, 0, 8)).toBe('audio.outputs.aux1[0]: output 9 is beyond the device, which has 8 outputs');
    expect(route(s, 0, 10).outputChannels).toBe(10);
    const one = parse({ channels: [{}] });
    expect(routingError(one, 2, 1)).toBe('the device has 1 output, but the master needs 2 (outputs 1 and 2)');
    expect(routingError(one, 2, 0)).toBe('the device has 0 outputs, but the master needs 2 (outputs 1 and 2)');
  });

  it('a pair the engine layout lacks is E_AUDIO_ROUTING', () => {
    const s = parse({ channels: [{}], outputs: [{}], audio: { outputs: { master2: [1, 2] } } });
    expect(routingError(s, 0, 8, defaultLayout())).toBe(
      'audio.outputs.master2: the mixer has no output pair "master2" (it has master, monitor, aux1, aux2, aux3, aux4, aux5, aux6, aux7, aux8)',
    );
  });
});

describe('resolveRouting: inputs', () => {
  it('mono on input 3 and stereo on input 5 after a demo stem: [-1, 2, 4, 5]', () => {
    const s = parse(mixed);
    const r = route(s, 8, 2);
    expect(inputCount(sessionLayout(s))).toBe(4);
    expect([...r.inputMap]).toEqual([-1, 2, 4, 5]);
    expect(r.inputChannels).toBe(6);
  });

  it('the example of the brief: mono in 3, stereo in 5 -> [2, 4, 5]', () => {
    const r = route(parse({ channels: [{ source: { input: 3 } }, { stereo: true, source: { input: 5 } }] }), 6, 2);
    expect([...r.inputMap]).toEqual([2, 4, 5]);
  });

  it('file, demo and empty channels read no input', () => {
    const s = parse({
      channels: [{ source: { file: 'a.wav' } }, { stereo: true, source: { demo: 'pad' } }, {}, { stereo: true, source: { input: 1 } }, { source: { input: 1 } }],
    });
    const r = route(s, 2, 2);
    expect([...r.inputMap]).toEqual([-1, -1, -1, -1, 0, 1, 0]);
    expect(r.inputChannels).toBe(2);
  });

  it('audio.inputs opens more than the sources use, capped by the device', () => {
    const s = parse({ ...mixed, audio: { inputs: 18 } });
    expect(route(s, 18, 2).inputChannels).toBe(18);
    expect(route(s, 8, 2).inputChannels).toBe(8);
    expect(route(parse({ channels: [{}], audio: { inputs: 0 } }), 8, 2).inputChannels).toBe(0);
  });

  it('a layout larger than the session: its extra channels read nothing', () => {
    const s = parse({ channels: [{ source: { input: 2 } }] });
    const r = resolveRouting(s, defaultLayout([{ stereo: false }, { stereo: true }]), { maxInputs: 2, maxOutputs: 2 });
    expect([...r.inputMap]).toEqual([1, -1, -1]);
  });

  it('inputs beyond the device or beyond 64 are E_AUDIO_ROUTING', () => {
    expect(routingError(parse(mixed), 4, 2)).toBe('channels[2] "Keys" uses inputs 5 and 6, but the device has 4 inputs');
    expect(routingError(parse({ channels: [{ source: { input: 1 } }] }), 0, 2)).toBe('channels[0] uses input 1, but the device has 0 inputs');
    expect(routingError(parse({ channels: [{ source: { input: 65 } }] }), 128, 2)).toBe('channels[0] uses input 65, beyond 64, the most a live stream opens');
  });
});

describe('the audio section in the schema', () => {
  it('accepts a full section and keeps it as written', () => {
    const audio = { device: 'Scarlett 18i20', blockSize: 64, inputs: 18, outputs: { master: [1, 2], monitor: [3, 4], aux1: [5, 6], aux2: [7, 8] } };
    const s = parse({ channels: [{ source: { input: 1 } }], audio });
    expect(s.audio).toEqual(audio);
    expect(parse({ channels: [{}], audio: { device: 3 } }).audio).toEqual({ device: 3 });
    expect(parse({ channels: [{}], audio: {} }).audio).toEqual({});
    expect(parse({ channels: [{}] }).audio).toBeUndefined();
  });

  it('a saved session has no audio section (it is not a parameter); loading keeps it', () => {
    const text = JSON.stringify({ ...base, channels: [{ source: { input: 2 } }], audio: { inputs: 4, outputs: { master: [3, 4] } } });
    const s = parseSession(text);
    const reg = new ParamRegistry(sessionLayout(s));
    const saved = sessionFromParams(reg, reg.createTable(), { channels: s.channels });
    expect('audio' in saved).toBe(false);
    const again = parseSession(JSON.stringify({ ...saved, audio: s.audio }));
    expect(again.audio).toEqual({ inputs: 4, outputs: { master: [3, 4] } });
  });

  it('unknown pair names list the pairs of this session', () => {
    const list = 'master, monitor, aux1, aux2, aux3, aux4, aux5, aux6, aux7, aux8';
    expect(issues({ channels: [{}], audio: { outputs: { aux9: [1, 2] } } })).toEqual([
      `audio.outputs.aux9: "aux9" is not an output pair of this session; the pairs are ${list}`,
    ]);
    expect(issues({ channels: [{}], audio: { outputs: { master2: [1, 2] } } })).toEqual([
      `audio.outputs.master2: "master2" is not an output pair of this session (master2 is the master chain of outputs[0], which this session does not have); the pairs are ${list}`,
    ]);
    expect(issues({ channels: [{}], outputs: [{}], audio: { outputs: { master3: [1, 2] } } })).toEqual([
      `audio.outputs.master3: "master3" is not an output pair of this session (master3 is the master chain of outputs[1], which this session does not have); the pairs are ${list}, master2`,
    ]);
    expect(parse({ channels: [{}], outputs: [{}], audio: { outputs: { master2: [1, 2] } } }).audio?.outputs).toEqual({ master2: [1, 2] });
  });

  it('outputs outside 1..64 and pairs that are not two outputs', () => {
    expect(issues({ channels: [{}], audio: { outputs: { master: [0, 65], monitor: [3], aux1: 'x', aux2: [1.5, 2] } } })).toEqual([
      'audio.outputs.master[0]: 0 is below 1 (outputs are numbered from 1)',
      'audio.outputs.master[1]: 65 is above 64 (a live stream opens at most 64 outputs)',
      'audio.outputs.monitor: 1 output, but a pair takes two: [left, right]',
      'audio.outputs.aux1: expected two outputs [left, right], got "x"',
      'audio.outputs.aux2[0]: 1.5 is not a whole number',
    ]);
    expect(issues({ channels: [{}], audio: { outputs: [] } })).toEqual(['audio.outputs: expected an object such as {"master": [1, 2]}, got a list']);
  });

  it('a physical output used twice names both pairs', () => {
    expect(issues({ channels: [{}], audio: { outputs: { master: [1, 2], monitor: [2, 3], aux1: [5, 5] } } })).toEqual([
      'audio.outputs.monitor[0]: output 2 is already patched to master (right)',
      'audio.outputs.aux1[1]: output 5 is already patched to aux1 (left)',
    ]);
  });

  it('inputs lower than the highest input a channel source uses names the channel', () => {
    expect(issues({ ...mixed, audio: { inputs: 5 } })).toEqual(['audio.inputs: 5 is too few: channels[2] "Keys" uses inputs 5 and 6']);
    expect(issues({ channels: [{ source: { input: 3 } }], audio: { inputs: 0 } })).toEqual(['audio.inputs: 0 is too few: channels[0] uses input 3']);
    expect(parse({ ...mixed, audio: { inputs: 6 } }).audio?.inputs).toBe(6);
  });

  it('blockSize, inputs and device ranges', () => {
    expect(issues({ channels: [{}], audio: { blockSize: 16, inputs: 65, device: -1 } })).toEqual([
      'audio.device: -1 is not a device index (a whole number from 0, as `mixhost devices` lists them)',
      'audio.blockSize: 16 frames is below 32 frames',
      'audio.inputs: 65 is above 64 (a live stream opens at most 64 inputs)',
    ]);
    expect(issues({ channels: [{}], audio: { blockSize: 2048, inputs: -1, device: '' } })).toEqual([
      'audio.device: empty device name',
      'audio.blockSize: 2048 frames is above 1024 frames',
      'audio.inputs: -1 is below 0',
    ]);
    expect(issues({ channels: [{}], audio: { blockSize: 100.5, inputs: 'x', device: true, rate: 48000 } })).toEqual([
      'audio.device: expected a device name or index, got true',
      'audio.blockSize: 100.5 is not a whole number',
      'audio.inputs: expected a whole number 0 to 64, got "x"',
      'audio.rate: unknown field',
    ]);
    expect(parse({ channels: [{}], audio: { blockSize: 32 } }).audio?.blockSize).toBe(32);
    expect(parse({ channels: [{}], audio: { blockSize: 1024 } }).audio?.blockSize).toBe(1024);
  });

  it('cross-field checks still run beside a wrong field elsewhere', () => {
    expect(issues({ channels: [{ source: { input: 3 }, fader: 'x' }], audio: { inputs: 2, outputs: { aux9: [1, 2] } } })).toEqual([
      'channels[0].fader: expected a number (dB), got "x"',
      'audio.outputs.aux9: "aux9" is not an output pair of this session; the pairs are master, monitor, aux1, aux2, aux3, aux4, aux5, aux6, aux7, aux8',
      'audio.inputs: 2 is too few: channels[0] uses input 3',
    ]);
  });

  it('the JSON Schema offers the pair names and the ranges', () => {
    const audio = (sessionJsonSchema() as any).properties.audio;
    expect(audio.additionalProperties).toBe(false);
    expect(audio.properties.outputs.propertyNames.enum).toEqual([...ALL_OUTPUT_PAIRS]);
    expect(audio.properties.outputs.additionalProperties.prefixItems[1]).toMatchObject({ type: 'integer', minimum: 1, maximum: 64 });
    expect(audio.properties.blockSize).toMatchObject({ type: 'integer', minimum: 32, maximum: 1024, default: DEFAULT_BLOCK });
    expect(audio.properties.inputs).toMatchObject({ minimum: 0, maximum: 64 });
  });
});

describe('docs/session.md, Live audio', () => {
  async function section(): Promise<string> {
    const doc = await readFile(new URL('docs/session.md', root), 'utf8');
    const a = doc.indexOf('## Live audio (`audio`)');
    expect(a).toBeGreaterThan(doc.indexOf('## Master chains'));
    return doc.slice(a, doc.indexOf('\n## ', a + 1));
  }
  const jsonBlocks = (s: string) => [...s.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => parseSession(m[1]));
  const textBlocks = (s: string) => [...s.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1].trimEnd());

  it('the laptop example: master on 1-2, one input', async () => {
    const [laptop] = jsonBlocks(await section());
    const r = route(laptop, 2, 2);
    expect(r.patch).toEqual([{ pair: 'master', outputs: [1, 2] }]);
    expect(r.inputChannels).toBe(1);
    expect([...r.inputMap]).toEqual([0, -1, -1]);
  });

  it('the 18-in/20-out example opens 18 inputs and 8 outputs, as the text says', async () => {
    const s = jsonBlocks(await section())[1];
    const r = route(s, 18, 20);
    expect(r.inputChannels).toBe(18);
    expect([...r.inputMap]).toEqual([0, 1, 2, 4, 5]);
    expect(r.outputChannels).toBe(8);
    expect([...r.outputMap]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('prints the messages the code gives', async () => {
    const text = await section();
    const blocks = textBlocks(text);
    const broken = JSON.stringify({
      ...base,
      channels: [{}, {}, {}, { name: 'Keys', stereo: true, source: { input: 5 } }],
      audio: { inputs: 4, outputs: { master: [1, 2], aux9: [3, 4], monitor: [3, 65], aux1: [2, 6] } },
    });
    let message = '';
    try {
      parseSession(broken, 'gig.json');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(blocks).toContain(message);
    const s = jsonBlocks(text)[1];
    const routing = [routingError(s, 2, 20), routingError(s, 18, 4)].map((m) => `mixhost: E_AUDIO_ROUTING: ${m}`).join('\n');
    expect(blocks).toContain(routing);
  });
});
