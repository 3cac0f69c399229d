/**
 * The easymidi transport without hardware: the conversions between easymidi's objects and MIDI
 * bytes, byte for byte and round trip; the backend over a fake easymidi module (listing,
 * opening, delivery, send failures, ports that vanish, listener errors); and, on a machine
 * without the ALSA sequencer, the real backend saying so without calling RtMidi.
 */
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MixhostError } from '../../src/model/errors.js';
import { encodeMidi } from '../../src/surfaces/midi/encode.js';
import { MidiParser } from '../../src/surfaces/midi/parser.js';
import {
  bytesToEasymidi,
  type EasymidiCall,
  type EasymidiMessage,
  type EasymidiModule,
  EasymidiBackend,
  easymidiToBytes,
} from '../../src/surfaces/transport/easymidi.js';
import type { MidiMessage } from '../../src/surfaces/types.js';
import { codeOf } from '../helpers/surfaces.js';

const LCD_HELLO = [0xf0, 0x00, 0x00, 0x66, 0x10, 0x12, 0x00, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0xf7];

/** The message easymidi's Input would emit for an Output.send(type, args) of the same message. */
function asInput([type, args]: EasymidiCall): EasymidiMessage {
  return type === 'sysex' ? { _type: 'sysex', bytes: args } : { ...args, _type: type };
}

describe('easymidiToBytes', () => {
  it('writes each type easymidi emits back as its bytes', () => {
    expect(easymidiToBytes({ _type: 'noteon', channel: 0, note: 0x22, velocity: 0x7f })).toEqual([0x90, 0x22, 0x7f]);
    expect(easymidiToBytes({ _type: 'noteon', channel: 0, note: 0x22, velocity: 0 })).toEqual([0x90, 0x22, 0x00]);
    expect(easymidiToBytes({ _type: 'noteoff', channel: 15, note: 0x68, velocity: 0x40 })).toEqual([0x8f, 0x68, 0x40]);
    expect(easymidiToBytes({ _type: 'cc', channel: 0, controller: 0x3c, value: 0x41 })).toEqual([0xb0, 0x3c, 0x41]);
    expect(easymidiToBytes({ _type: 'program', channel: 9, number: 0x05 })).toEqual([0xc9, 0x05]);
    expect(easymidiToBytes({ _type: 'pitch', channel: 0, value: 10944 })).toEqual([0xe0, 0x40, 0x55]);
    expect(easymidiToBytes({ _type: 'pitch', channel: 8, value: 16383 })).toEqual([0xe8, 0x7f, 0x7f]);
    expect(easymidiToBytes({ _type: 'pitch', channel: 1, value: 0 })).toEqual([0xe1, 0x00, 0x00]);
    expect(easymidiToBytes({ _type: 'channel aftertouch', channel: 0, pressure: 0x3c })).toEqual([0xd0, 0x3c]);
    expect(easymidiToBytes({ _type: 'poly aftertouch', channel: 3, note: 0x40, pressure: 0x21 })).toEqual([0xa3, 0x40, 0x21]);
    expect(easymidiToBytes({ _type: 'sysex', bytes: LCD_HELLO })).toEqual(LCD_HELLO);
    expect(easymidiToBytes({ _type: 'sysex', bytes: [0xf0, 0xf7] })).toEqual([0xf0, 0xf7]);
  });

  it('returns a copy of a SysEx, not easymidi\'s array', () => {
    const bytes = [...LCD_HELLO];
    const out = easymidiToBytes({ _type: 'sysex', bytes });
    out![1] = 0x55;
    expect(bytes[1]).toBe(0x00);
  });

  it('gives undefined for types surfaces do not read and for anything malformed', () => {
    const bad: unknown[] = [
      undefined,
      null,
      42,
      'noteon',
      {},
      { _type: 'clock' },
      { _type: 'activesense' },
      { _type: 'mtc', type: 1, value: 2 },
      { _type: 'position', value: 100 },
      { _type: 'select', song: 1 },
      { _type: 'noteon', note: 1, velocity: 2 }, // no channel
      { _type: 'noteon', channel: 16, note: 1, velocity: 2 },
      { _type: 'noteon', channel: 0, note: 128, velocity: 2 },
      { _type: 'noteon', channel: 0, note: 1, velocity: -1 },
      { _type: 'cc', channel: 0, controller: 1.5, value: 2 },
      { _type: 'cc', channel: 0, controller: 1 },
      { _type: 'pitch', channel: 0, value: 16384 },
      { _type: 'pitch', channel: 0, value: '8192' },
      { _type: 'program', channel: 0 },
      { _type: 'channel aftertouch', channel: 0, value: 3 }, // easymidi calls it pressure
      { _type: 'sysex', bytes: [0xf0, 0x01] }, // unterminated
      { _type: 'sysex', bytes: [0x01, 0xf7] },
      { _type: 'sysex', bytes: [0xf0, 0x90, 0xf7] }, // a status byte inside
      { _type: 'sysex', bytes: 'F0 F7' },
    ];
    for (const m of bad) expect(easymidiToBytes(m), JSON.stringify(m)).toBeUndefined();
  });
});

describe('bytesToEasymidi', () => {
  it('splits a buffer of whole messages into send() calls, SysEx whole', () => {
    const stats = { dropped: 0 };
    const calls = bytesToEasymidi(
      [0x90, 0x22, 0x7f, 0x80, 0x22, 0x00, 0xa1, 0x10, 0x20, 0xb0, 0x30, 0x15, 0xc2, 0x07, 0xd0, 0x2c, 0xe8, 0x7f, 0x7f, ...LCD_HELLO, 0xb0, 0x4a, 0x10],
      stats,
    );
    expect(calls).toEqual([
      ['noteon', { channel: 0, note: 0x22, velocity: 0x7f }],
      ['noteoff', { channel: 0, note: 0x22, velocity: 0 }],
      ['poly aftertouch', { channel: 1, note: 0x10, pressure: 0x20 }],
      ['cc', { channel: 0, controller: 0x30, value: 0x15 }],
      ['program', { channel: 2, number: 7 }],
      ['channel aftertouch', { channel: 0, pressure: 0x2c }],
      ['pitch', { channel: 8, value: 16383 }],
      ['sysex', LCD_HELLO],
      ['cc', { channel: 0, controller: 0x4a, value: 0x10 }],
    ]);
    expect(stats.dropped).toBe(0);
  });

  it('keeps note-on velocity 0 as note-on (the device reads its own bytes)', () => {
    expect(bytesToEasymidi([0x90, 0x10, 0x00])).toEqual([['noteon', { channel: 0, note: 0x10, velocity: 0 }]]);
  });

  it('expands running status', () => {
    expect(bytesToEasymidi([0xd0, 0x0c, 0x1c, 0x2c, 0xb0, 0x40, 0x30, 0x41, 0x31])).toEqual([
      ['channel aftertouch', { channel: 0, pressure: 0x0c }],
      ['channel aftertouch', { channel: 0, pressure: 0x1c }],
      ['channel aftertouch', { channel: 0, pressure: 0x2c }],
      ['cc', { channel: 0, controller: 0x40, value: 0x30 }],
      ['cc', { channel: 0, controller: 0x41, value: 0x31 }],
    ]);
  });

  it('drops and counts what easymidi cannot or should not send', () => {
    const cases: Array<[number[], EasymidiCall[], number]> = [
      [[0x10, 0x20], [], 2], // no status
      [[0x90, 0x10], [], 1], // truncated at the end
      [[0x90, 0x10, 0xb0, 0x01, 0x02], [['cc', { channel: 0, controller: 1, value: 2 }]], 1], // cut by a status
      [[0xf0, 0x01, 0x02], [], 1], // unterminated SysEx
      [[0xf0, 0x01, 0x90, 0x10, 0x7f], [['noteon', { channel: 0, note: 0x10, velocity: 0x7f }]], 1], // SysEx cut
      [[0xf0, 0x7e, 0xf7], [], 1], // easymidi refuses SysEx under 4 bytes
      [[0xf8, 0xfe, 0xf6, 0xf1, 0x01], [], 5], // real-time, tune request, MTC and its data byte
      [[0xf7], [], 1],
      [[0x90, 0x10, 256, 0x90, 0x11, 0x7f], [['noteon', { channel: 0, note: 0x11, velocity: 0x7f }]], 2], // not a byte
      [[0x90, -1, 0x7f], [], 2],
      [[0x90, 0x10, 0.5], [], 2],
    ];
    for (const [bytes, calls, dropped] of cases) {
      const stats = { dropped: 0 };
      expect(bytesToEasymidi(bytes, stats), bytes.join(' ')).toEqual(calls);
      expect(stats.dropped, bytes.join(' ')).toBe(dropped);
    }
  });

  it('round-trips every channel-voice type: bytes -> send() calls -> easymidi input -> the same bytes', () => {
    const messages: MidiMessage[] = [];
    for (let ch = 0; ch < 16; ch++) {
      for (const a of [0, 1, 64, 127]) {
        for (const b of [0, 1, 64, 127]) {
          messages.push({ type: 'noteon', channel: ch, note: a, velocity: b });
          messages.push({ type: 'noteoff', channel: ch, note: a, velocity: b });
          messages.push({ type: 'polypressure', channel: ch, note: a, value: b });
          messages.push({ type: 'cc', channel: ch, controller: a, value: b });
        }
        messages.push({ type: 'program', channel: ch, number: a });
        messages.push({ type: 'chanpressure', channel: ch, value: a });
      }
      for (const v of [0, 1, 127, 128, 8192, 16383]) messages.push({ type: 'pitch', channel: ch, value: v });
    }
    messages.push({ type: 'sysex', bytes: LCD_HELLO });
    for (const m of messages) {
      const bytes = encodeMidi(m);
      const stats = { dropped: 0 };
      const calls = bytesToEasymidi(bytes, stats);
      expect(calls).toHaveLength(1);
      expect(stats.dropped).toBe(0);
      expect(easymidiToBytes(asInput(calls[0])), JSON.stringify(m)).toEqual(bytes);
    }
    // The whole lot as one buffer: one call each, and the parser reads the bytes back.
    const all = messages.flatMap(encodeMidi);
    const back = bytesToEasymidi(all).flatMap((c) => easymidiToBytes(asInput(c)) ?? []);
    expect(back).toEqual(all);
    const parsed: MidiMessage[] = [];
    new MidiParser((x) => parsed.push(x)).push(back);
    expect(parsed).toHaveLength(messages.length);
  });
});

// easymidi's own framing code, run without any RtMidi instance: its Input and Output prototypes'
// parseMessage methods are plain JavaScript. This checks the field names and byte orders above
// against the module the backend really talks to. Loading it loads the native binding's shared
// object (no port, no sequencer client); where that fails, the check is skipped.
const easymidiReal = (() => {
  try {
    return createRequire(import.meta.url)('easymidi') as {
      Input: { prototype: { parseMessage(bytes: number[]): { type: string; msg: Record<string, unknown> } } };
      Output: { prototype: { parseMessage(type: string, args: unknown): Array<number | string> } };
    };
  } catch {
    return undefined;
  }
})();

describe.skipIf(easymidiReal === undefined)("easymidi's own parseMessage (no RtMidi instance)", () => {
  const samples = [
    [0x90, 0x22, 0x7f],
    [0x90, 0x22, 0x00],
    [0x8f, 0x68, 0x40],
    [0xa3, 0x40, 0x21],
    [0xb0, 0x3c, 0x41],
    [0xc9, 0x05],
    [0xd0, 0x3c],
    [0xe0, 0x40, 0x55],
    [0xe8, 0x7f, 0x7f],
    LCD_HELLO,
  ];

  it('its input objects convert back to the exact bytes', () => {
    for (const bytes of samples) {
      const { type, msg } = easymidiReal!.Input.prototype.parseMessage.call({}, [...bytes]);
      expect(easymidiToBytes({ ...msg, _type: type }), bytes.join(' ')).toEqual(bytes);
    }
  });

  it('our send() calls make the exact bytes through its output framing', () => {
    for (const bytes of samples) {
      const [[type, args]] = bytesToEasymidi(bytes);
      const out = easymidiReal!.Output.prototype.parseMessage.call({}, type, structuredClone(args));
      // easymidi writes the SysEx status as the string '240'; RtMidi's Buffer.from() makes it 0xF0.
      expect(out.map(Number), bytes.join(' ')).toEqual(bytes);
    }
  });
});

// ---- the backend over a fake easymidi ----

interface Fake {
  readonly mod: EasymidiModule;
  inputs: string[];
  outputs: string[];
  listError?: Error;
  inputError?: Error;
  outputError?: Error;
  sendError?: Error;
  readonly openInputs: FakeInput[];
  readonly openOutputs: FakeOutput[];
  readonly sent: Array<[string, unknown]>;
}

class FakeInput extends EventEmitter {
  closes = 0;
  constructor(readonly name: string) {
    super();
  }
  close(): void {
    this.closes++;
  }
}

class FakeOutput {
  closes = 0;
  constructor(
    readonly name: string,
    private readonly fake: Fake,
  ) {}
  send(type: string, args: unknown): void {
    if (this.fake.sendError) throw this.fake.sendError;
    this.fake.sent.push([type, args]);
  }
  close(): void {
    this.closes++;
  }
}

function fakeEasymidi(inputs: string[] = [], outputs: string[] = inputs): Fake {
  const fake: Fake = {
    inputs: [...inputs],
    outputs: [...outputs],
    openInputs: [],
    openOutputs: [],
    sent: [],
    mod: {
      getInputs: () => {
        if (fake.listError) throw fake.listError;
        return [...fake.inputs];
      },
      getOutputs: () => {
        if (fake.listError) throw fake.listError;
        return [...fake.outputs];
      },
      Input: class {
        constructor(name: string) {
          if (fake.inputError) throw fake.inputError;
          const i = new FakeInput(name);
          fake.openInputs.push(i);
          return i;
        }
      } as unknown as EasymidiModule['Input'],
      Output: class {
        constructor(name: string) {
          if (fake.outputError) throw fake.outputError;
          const o = new FakeOutput(name, fake);
          fake.openOutputs.push(o);
          return o;
        }
      } as unknown as EasymidiModule['Output'],
    },
  };
  return fake;
}

function backendOver(fake: Fake, errors: Array<[unknown, string]> = []): EasymidiBackend {
  return new EasymidiBackend({ load: () => fake.mod, platform: 'darwin', onListenerError: (e, p) => errors.push([e, p]) });
}


describe('EasymidiBackend (fake easymidi)', () => {
  it('lists what easymidi lists', () => {
    const fake = fakeEasymidi(['X-Touch', 'Midi Through Port-0'], ['X-Touch']);
    const b = backendOver(fake);
    expect(b.kind).toBe('easymidi');
    expect(b.list()).toEqual({ inputs: ['X-Touch', 'Midi Through Port-0'], outputs: ['X-Touch'] });
  });

  it('turns an RtMidi error on list() into E_MIDI_UNAVAILABLE with the original message', () => {
    const fake = fakeEasymidi();
    fake.listError = new Error('Failed to initialise RtMidi');
    expect(codeOf(() => backendOver(fake).list())).toEqual({ code: 'E_MIDI_UNAVAILABLE', message: 'MIDI is not available: Failed to initialise RtMidi' });
  });

  it('a module that does not load is E_MIDI_UNAVAILABLE, tried once', () => {
    let loads = 0;
    const b = new EasymidiBackend({
      platform: 'win32',
      load: () => {
        loads++;
        throw new Error("Cannot find module '@julusian/midi'");
      },
    });
    expect(codeOf(() => b.list())).toEqual({ code: 'E_MIDI_UNAVAILABLE', message: "the easymidi module did not load: Cannot find module '@julusian/midi'" });
    expect(codeOf(() => b.open('A', undefined)).code).toBe('E_MIDI_UNAVAILABLE');
    expect(loads).toBe(1);
  });

  it('on Linux without the sequencer device, never loads easymidi; with it, does', () => {
    let loads = 0;
    const fake = fakeEasymidi(['MCU']);
    const load = (): EasymidiModule => {
      loads++;
      return fake.mod;
    };
    const missing = path.join(os.tmpdir(), `no-such-seq-${process.pid}`);
    const without = new EasymidiBackend({ platform: 'linux', sequencerPath: missing, load });
    const e = codeOf(() => without.list());
    expect(e.code).toBe('E_MIDI_UNAVAILABLE');
    expect(e.message.startsWith(`no ALSA sequencer (${missing})`)).toBe(true);
    expect(codeOf(() => without.open('MCU', 'MCU')).code).toBe('E_MIDI_UNAVAILABLE');
    expect(loads).toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seq-'));
    const seq = path.join(dir, 'seq');
    fs.writeFileSync(seq, '');
    try {
      const withSeq = new EasymidiBackend({ platform: 'linux', sequencerPath: seq, load });
      expect(withSeq.list()).toEqual({ inputs: ['MCU'], outputs: ['MCU'] });
      expect(loads).toBe(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens by exact name; an unknown name is E_MIDI_OPEN listing the ports seen', () => {
    const fake = fakeEasymidi(['X-Touch', 'nanoKONTROL2']);
    const b = backendOver(fake);
    expect(codeOf(() => b.open('X-Touch-Ext', undefined))).toEqual({ code: 'E_MIDI_OPEN', message: 'no MIDI input "X-Touch-Ext" (inputs seen: "X-Touch", "nanoKONTROL2")' });
    expect(codeOf(() => b.open(undefined, 'x-touch'))).toEqual({ code: 'E_MIDI_OPEN', message: 'no MIDI output "x-touch" (outputs seen: "X-Touch", "nanoKONTROL2")' });
    expect(codeOf(() => b.open(undefined, undefined)).code).toBe('E_MIDI_OPEN');
    expect(fake.openInputs).toHaveLength(0);
    const c = b.open('X-Touch', 'X-Touch');
    expect([c.name, c.input, c.output]).toEqual(['X-Touch', 'X-Touch', 'X-Touch']);
    expect(fake.openInputs.map((i) => i.name)).toEqual(['X-Touch']);
    expect(fake.openOutputs.map((o) => o.name)).toEqual(['X-Touch']);
  });

  it('an RtMidi error while opening is E_MIDI_OPEN, and a half-open pair is closed again', () => {
    const fake = fakeEasymidi(['MCU']);
    const b = backendOver(fake);
    fake.outputError = new Error('Failed to initialise RtMidi');
    expect(codeOf(() => b.open('MCU', 'MCU'))).toEqual({ code: 'E_MIDI_OPEN', message: 'MIDI output "MCU" did not open: Failed to initialise RtMidi' });
    expect(fake.openInputs[0].closes).toBe(1);
    fake.outputError = undefined;
    fake.inputError = new Error('No MIDI input found with name: MCU');
    expect(codeOf(() => b.open('MCU', 'MCU'))).toEqual({ code: 'E_MIDI_OPEN', message: 'MIDI input "MCU" did not open: No MIDI input found with name: MCU' });
  });

  it('delivers input as bytes, counts what it does not pass on, and stops when closed', () => {
    const fake = fakeEasymidi(['MCU']);
    const b = backendOver(fake);
    const c = b.open('MCU', 'MCU');
    const chunks: number[][] = [];
    c.onBytes((x) => chunks.push([...x]));
    const input = fake.openInputs[0];
    input.emit('message', { _type: 'cc', channel: 0, controller: 0x3c, value: 0x41 });
    input.emit('message', { _type: 'noteon', channel: 0, note: 0x68, velocity: 0 });
    input.emit('message', { _type: 'clock' });
    input.emit('message', { _type: 'sysex', bytes: [0xf0, 0x00, 0x00, 0x66, 0x14, 0x01, 0xf7] });
    input.emit('message', { _type: 'pitch', channel: 0, value: 99999 });
    expect(chunks).toEqual([
      [0xb0, 0x3c, 0x41],
      [0x90, 0x68, 0x00],
      [0xf0, 0x00, 0x00, 0x66, 0x14, 0x01, 0xf7],
    ]);
    expect(c.ignored).toBe(2);
    c.close();
    c.close();
    expect(input.closes).toBe(1);
    expect(fake.openOutputs[0].closes).toBe(1);
    expect(input.listenerCount('message')).toBe(0);
    input.emit('message', { _type: 'cc', channel: 0, controller: 1, value: 1 });
    expect(chunks).toHaveLength(3);
  });

  it('sends bytes as easymidi calls; a closed or input-only connection counts, never throws', () => {
    const fake = fakeEasymidi(['MCU', 'Keys'], ['MCU']);
    const b = backendOver(fake);
    const c = b.open('MCU', 'MCU');
    c.send([0xe0, 0x40, 0x55, ...LCD_HELLO, 0x90, 0x10]);
    expect(fake.sent).toEqual([
      ['pitch', { channel: 0, value: 10944 }],
      ['sysex', LCD_HELLO],
    ]);
    expect([c.sent, c.dropped]).toEqual([2, 1]); // the truncated note
    const keys = b.open('Keys', undefined);
    expect(() => keys.send([0x90, 0x10, 0x7f])).not.toThrow();
    expect(keys.dropped).toBe(1);
    c.close();
    c.send([0x90, 0x10, 0x7f]);
    expect(c.dropped).toBe(2);
    expect(fake.sent).toHaveLength(2);
  });

  it('a send that RtMidi refuses closes the connection with onClose, once', () => {
    const fake = fakeEasymidi(['MCU']);
    const b = backendOver(fake);
    const c = b.open('MCU', 'MCU');
    const closes: string[] = [];
    c.onClose((r) => closes.push(r));
    fake.sendError = new Error('Internal RtMidi error');
    expect(() => c.send([0x90, 0x10, 0x7f, 0x90, 0x11, 0x7f])).not.toThrow();
    c.send([0x90, 0x12, 0x7f]);
    expect(closes).toEqual(['send failed: Internal RtMidi error']);
    expect(c.closed).toBe(true);
    expect(c.dropped).toBe(2);
    expect(fake.openInputs[0].closes).toBe(1);
  });

  it('list() closes connections whose port vanished (onClose "vanished"), and leaves the others', () => {
    const fake = fakeEasymidi(['X-Touch', 'nanoKONTROL2']);
    const b = backendOver(fake);
    const xt = b.open('X-Touch', 'X-Touch');
    const nano = b.open('nanoKONTROL2', 'nanoKONTROL2');
    const closes: string[] = [];
    xt.onClose((r) => closes.push(`xt ${r}`));
    nano.onClose((r) => closes.push(`nano ${r}`));
    b.list();
    expect(closes).toEqual([]);
    fake.outputs = ['nanoKONTROL2']; // the X-Touch's output went first
    b.list();
    expect(closes).toEqual(['xt vanished']);
    expect([xt.closed, nano.closed]).toEqual([true, false]);
    b.list();
    expect(closes).toEqual(['xt vanished']);
  });

  it('closes the whole family of a duplicated name when one member vanishes (easymidi renumbers)', () => {
    const fake = fakeEasymidi(['nanoKONTROL2', 'nanoKONTROL21', 'nano']);
    const b = backendOver(fake);
    const first = b.open('nanoKONTROL2', 'nanoKONTROL2');
    const second = b.open('nanoKONTROL21', 'nanoKONTROL21');
    const other = b.open('nano', 'nano'); // a different device whose name is a prefix without digits after
    const closes: string[] = [];
    first.onClose(() => closes.push('first'));
    second.onClose(() => closes.push('second'));
    other.onClose(() => closes.push('other'));
    // The first unit is unplugged: the second is now listed as "nanoKONTROL2", so the
    // connection named so is on a dead port, and the one named "nanoKONTROL21" is gone.
    fake.inputs = fake.outputs = ['nanoKONTROL2', 'nano'];
    b.list();
    expect(closes.sort()).toEqual(['first', 'second']);
    expect(other.closed).toBe(false);
  });

  it('catches listener exceptions, reports them with the port, and goes on', () => {
    const fake = fakeEasymidi(['MCU']);
    const errors: Array<[unknown, string]> = [];
    const b = backendOver(fake, errors);
    const c = b.open('MCU', undefined);
    const got: number[][] = [];
    c.onBytes(() => {
      throw new Error('driver bug');
    });
    c.onBytes((x) => got.push([...x]));
    c.onClose(() => {
      throw new Error('close bug');
    });
    expect(() => fake.openInputs[0].emit('message', { _type: 'cc', channel: 0, controller: 1, value: 2 })).not.toThrow();
    expect(got).toEqual([[0xb0, 1, 2]]);
    fake.inputs = [];
    expect(() => b.list()).not.toThrow();
    expect(c.closed).toBe(true);
    expect(c.listenerErrors).toBe(2);
    expect(errors.map(([e, p]) => `${p}: ${(e as Error).message}`)).toEqual(['MCU: driver bug', 'MCU: close bug']);
  });
});

describe('EasymidiBackend on this machine', () => {
  const skip = process.platform !== 'linux' || fs.existsSync('/dev/snd/seq');
  // Where the sequencer exists, the real list() would talk to RtMidi: that is for hardware
  // checks by hand, not for the suite.
  it.skipIf(skip)('without /dev/snd/seq, list() is E_MIDI_UNAVAILABLE (skipped where the ALSA sequencer exists)', () => {
    const e = codeOf(() => new EasymidiBackend().list());
    expect(e.code).toBe('E_MIDI_UNAVAILABLE');
    expect(e.message.startsWith('no ALSA sequencer (/dev/snd/seq)')).toBe(true);
  });
});
