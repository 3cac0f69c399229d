/**
 * The in-memory MIDI transport: what the drivers' tests and the benchmark stand on. Bytes go
 * both ways exactly as given, unplugging closes connections, a missing MIDI subsystem and a
 * wrong port name are the stable errors, and duplicate names are numbered as easymidi does.
 */
import { describe, expect, it } from 'vitest';
import { MixhostError } from '../../src/model/errors.js';
import { MidiParser } from '../../src/surfaces/midi/parser.js';
import { MemoryMidiBackend } from '../../src/surfaces/transport/memory.js';
import type { MidiMessage } from '../../src/surfaces/types.js';
import { codeOf } from '../helpers/surfaces.js';


describe('MemoryMidiBackend', () => {
  it('lists plugged devices, both directions by default, one direction on request', () => {
    const b = new MemoryMidiBackend();
    expect(b.kind).toBe('memory');
    expect(b.list()).toEqual({ inputs: [], outputs: [] });
    b.plug('X-Touch');
    b.plug('Clock Source', { output: false });
    b.plug('LED Box', { input: false });
    expect(b.list()).toEqual({ inputs: ['X-Touch', 'Clock Source'], outputs: ['X-Touch', 'LED Box'] });
    expect(() => b.plug('Nothing', { input: false, output: false })).toThrow(/input or an output/);
  });

  it('delivers device bytes synchronously and unframed, so running status reaches the parser', () => {
    const b = new MemoryMidiBackend();
    const dev = b.plug('MCU');
    const conn = b.open('MCU', 'MCU');
    const chunks: number[][] = [];
    const messages: MidiMessage[] = [];
    const parser = new MidiParser((m) => messages.push(m));
    conn.onBytes((bytes) => {
      chunks.push([...bytes]);
      parser.push(bytes);
    });
    dev.send(0xb0, 0x3c, 0x01);
    expect(chunks).toEqual([[0xb0, 0x3c, 0x01]]); // already there: synchronous
    dev.sendBytes([0x3c, 0x41, 0x90]);
    dev.send(0x22, 0x7f, 0x22, 0x00);
    expect(chunks).toEqual([
      [0xb0, 0x3c, 0x01],
      [0x3c, 0x41, 0x90],
      [0x22, 0x7f, 0x22, 0x00],
    ]);
    expect(messages).toEqual([
      { type: 'cc', channel: 0, controller: 0x3c, value: 1 },
      { type: 'cc', channel: 0, controller: 0x3c, value: 0x41 },
      { type: 'noteon', channel: 0, note: 0x22, velocity: 127 },
      { type: 'noteoff', channel: 0, note: 0x22, velocity: 0 },
    ]);
  });

  it('records every host send() as one entry and calls onReceive with it', () => {
    const b = new MemoryMidiBackend();
    const dev = b.plug('MCU');
    const seen: number[][] = [];
    dev.onReceive((bytes) => seen.push([...bytes]));
    const conn = b.open('MCU', 'MCU');
    const wake = [0xf0, 0x00, 0x00, 0x66, 0x14, 0x00, 0xf7];
    conn.send(wake);
    conn.send([0xe0, 0x40, 0x55, 0xe1, 0x00, 0x40]);
    expect(dev.received).toEqual([wake, [0xe0, 0x40, 0x55, 0xe1, 0x00, 0x40]]);
    expect(seen).toEqual(dev.received);
    expect(conn.sent).toBe(2);
    // The recorded bytes are a copy: changing the sent array later changes nothing.
    wake[1] = 0x7f;
    expect(dev.received[0][1]).toBe(0x00);
  });

  it('gives each listener its own copy of the bytes', () => {
    const b = new MemoryMidiBackend();
    const dev = b.plug('K');
    const conn = b.open('K', undefined);
    const got: number[][] = [];
    conn.onBytes((bytes) => {
      (bytes as number[])[0] = 0; // a careless listener
    });
    conn.onBytes((bytes) => got.push([...bytes]));
    const sent = [0xb0, 0x07, 0x64];
    dev.sendBytes(sent);
    expect(got).toEqual([[0xb0, 0x07, 0x64]]);
    expect(sent).toEqual([0xb0, 0x07, 0x64]);
  });

  it('delivers to every open connection on the device, and not to closed ones', () => {
    const b = new MemoryMidiBackend();
    const dev = b.plug('K');
    const a = b.open('K', undefined);
    const c = b.open('K', undefined);
    const n = { a: 0, c: 0 };
    a.onBytes(() => n.a++);
    c.onBytes(() => n.c++);
    dev.send(0x90, 1, 1);
    c.close();
    dev.send(0x90, 1, 2);
    expect(n).toEqual({ a: 2, c: 1 });
  });

  it('unplug: ports vanish, connections fire onClose("unplugged") once and go quiet', () => {
    const b = new MemoryMidiBackend();
    const dev = b.plug('MCU');
    const other = b.plug('XT');
    const conn = b.open('MCU', 'MCU');
    const xt = b.open('XT', 'XT');
    const closes: string[] = [];
    const bytes: number[][] = [];
    conn.onClose((r) => closes.push(r));
    xt.onClose((r) => closes.push(`xt ${r}`));
    conn.onBytes((x) => bytes.push([...x]));
    dev.unplug();
    dev.unplug(); // twice: nothing more
    expect(closes).toEqual(['unplugged']);
    expect(conn.closed).toBe(true);
    expect(dev.plugged).toBe(false);
    expect(b.list()).toEqual({ inputs: ['XT'], outputs: ['XT'] });
    dev.send(0x90, 0x10, 0x7f); // a device that is gone sends nothing
    expect(bytes).toEqual([]);
    expect(() => conn.send([0x90, 0x10, 0x7f])).not.toThrow();
    expect(dev.received).toEqual([]);
    expect(conn.dropped).toBe(1);
    expect(xt.closed).toBe(false);
    other.send(0x90, 0, 1); // the other unit is untouched
    expect(closes).toEqual(['unplugged']);
  });

  it('a connection whose input and output are different devices closes when either goes', () => {
    const b = new MemoryMidiBackend();
    const inDev = b.plug('Pad In', { output: false });
    b.plug('Pad Out', { input: false });
    const conn = b.open('Pad In', 'Pad Out');
    expect([conn.name, conn.input, conn.output]).toEqual(['Pad In', 'Pad In', 'Pad Out']);
    const closes: string[] = [];
    conn.onClose((r) => closes.push(r));
    inDev.unplug();
    expect(closes).toEqual(['unplugged']);
    conn.send([0xb0, 1, 2]);
    expect(conn.dropped).toBe(1);
  });

  it('replug lists the device again (last, as a new client); the old connection stays closed, a new one works', () => {
    const b = new MemoryMidiBackend();
    const dev = b.plug('MCU');
    b.plug('XT');
    const old = b.open('MCU', 'MCU');
    dev.unplug();
    dev.replug();
    expect(b.list()).toEqual({ inputs: ['XT', 'MCU'], outputs: ['XT', 'MCU'] });
    expect(old.closed).toBe(true);
    old.send([0x90, 0x01, 0x7f]);
    const fresh = b.open('MCU', 'MCU');
    fresh.send([0x90, 0x02, 0x7f]);
    const got: number[][] = [];
    fresh.onBytes((x) => got.push([...x]));
    old.onBytes(() => got.push([0xff]));
    dev.send(0x90, 0x03, 0x7f);
    expect(dev.received).toEqual([[0x90, 0x02, 0x7f]]);
    expect(got).toEqual([[0x90, 0x03, 0x7f]]);
    expect([old.dropped, fresh.dropped]).toEqual([1, 0]);
  });

  it('close() is idempotent, fires no onClose, and later sends are counted, not thrown', () => {
    const b = new MemoryMidiBackend();
    const dev = b.plug('MCU');
    const conn = b.open('MCU', 'MCU');
    const closes: string[] = [];
    conn.onClose((r) => closes.push(r));
    conn.close();
    conn.close();
    expect(conn.closed).toBe(true);
    expect(() => conn.send([0xb0, 0x30, 0x01])).not.toThrow();
    conn.send([0xb0, 0x30, 0x02]);
    expect(conn.dropped).toBe(2);
    expect(dev.received).toEqual([]);
    dev.unplug(); // already closed: no onClose either
    expect(closes).toEqual([]);
  });

  it('an input-only connection counts its sends as dropped', () => {
    const b = new MemoryMidiBackend();
    const dev = b.plug('K');
    const conn = b.open('K', undefined);
    conn.send([0x90, 0x01, 0x7f]);
    expect([conn.dropped, conn.sent, dev.received.length]).toEqual([1, 0, 0]);
  });

  it('open: a name that is not listed is E_MIDI_OPEN naming the port and the ports seen', () => {
    const b = new MemoryMidiBackend();
    b.plug('X-Touch');
    b.plug('nanoKONTROL2');
    const e = codeOf(() => b.open('X-Touch-Ext', 'X-Touch-Ext'));
    expect(e.code).toBe('E_MIDI_OPEN');
    expect(e.message).toBe('no MIDI input "X-Touch-Ext" (inputs seen: "X-Touch", "nanoKONTROL2")');
    const o = codeOf(() => b.open('X-Touch', 'Nope'));
    expect(o).toEqual({ code: 'E_MIDI_OPEN', message: 'no MIDI output "Nope" (outputs seen: "X-Touch", "nanoKONTROL2")' });
    expect(codeOf(() => new MemoryMidiBackend().open('A', undefined)).message).toBe('no MIDI input "A" (inputs seen: none)');
    expect(codeOf(() => b.open(undefined, undefined)).code).toBe('E_MIDI_OPEN');
    // An unplugged device's name is not listed either.
    const gone = b.plug('Gone');
    gone.unplug();
    expect(codeOf(() => b.open('Gone', undefined)).code).toBe('E_MIDI_OPEN');
  });

  it('setUnavailable: list() and open() throw E_MIDI_UNAVAILABLE with the reason, until cleared', () => {
    const b = new MemoryMidiBackend();
    b.plug('MCU');
    b.setUnavailable('no ALSA sequencer');
    expect(codeOf(() => b.list())).toEqual({ code: 'E_MIDI_UNAVAILABLE', message: 'no ALSA sequencer' });
    expect(codeOf(() => b.open('MCU', 'MCU'))).toEqual({ code: 'E_MIDI_UNAVAILABLE', message: 'no ALSA sequencer' });
    b.setUnavailable(undefined);
    expect(b.list()).toEqual({ inputs: ['MCU'], outputs: ['MCU'] });
    expect(b.open('MCU', 'MCU').closed).toBe(false);
  });

  it('numbers duplicate names as easymidi does, inputs and outputs apart, and renumbers on unplug', () => {
    const b = new MemoryMidiBackend();
    const first = b.plug('nanoKONTROL2');
    const second = b.plug('nanoKONTROL2');
    b.plug('nanoKONTROL2', { input: false });
    expect(b.list()).toEqual({ inputs: ['nanoKONTROL2', 'nanoKONTROL21'], outputs: ['nanoKONTROL2', 'nanoKONTROL21', 'nanoKONTROL22'] });
    const c2 = b.open('nanoKONTROL21', 'nanoKONTROL21');
    c2.send([0xb0, 0x20, 0x7f]);
    expect(second.received).toEqual([[0xb0, 0x20, 0x7f]]);
    expect(first.received).toEqual([]);
    const got: number[][] = [];
    c2.onBytes((x) => got.push([...x]));
    first.send(0xb0, 0x00, 0x01);
    second.send(0xb0, 0x00, 0x02);
    expect(got).toEqual([[0xb0, 0x00, 0x02]]);
    // The first unit goes: the second one is now listed under the plain name.
    first.unplug();
    expect(b.list()).toEqual({ inputs: ['nanoKONTROL2'], outputs: ['nanoKONTROL2', 'nanoKONTROL21'] });
    expect(c2.closed).toBe(false); // its device is still there
    second.send(0xb0, 0x00, 0x03);
    expect(got).toEqual([
      [0xb0, 0x00, 0x02],
      [0xb0, 0x00, 0x03],
    ]);
  });

  it('a listener that throws throws out of the device send (a driver bug fails its test)', () => {
    const b = new MemoryMidiBackend();
    const dev = b.plug('K');
    b.open('K', undefined).onBytes(() => {
      throw new Error('driver bug');
    });
    expect(() => dev.send(0x90, 1, 1)).toThrow('driver bug');
  });
});
