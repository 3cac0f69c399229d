/**
 * `mixhost devices`' MIDI part: the ports a backend lists, each with the device file it is
 * recognised as, and the listing's lines (the in-memory backend stands in for hardware).
 */
import { describe, expect, it } from 'vitest';
import { formatDevices, listMidiPorts } from '../../src/cli/devices.js';
import { MemoryMidiBackend } from '../../src/surfaces/transport/memory.js';

const NO_AUDIO = { available: true, devices: [], hostApis: ['ALSA'] };

describe('mixhost devices: MIDI', () => {
  it('lists each port with the device file it is taken for, or learn-only', async () => {
    const b = new MemoryMidiBackend();
    b.plug('X-Touch:X-Touch MIDI 1 20:0');
    b.plug('X-Touch-Ext:X-Touch-Ext MIDI 1 24:0');
    b.plug('Keystation 49:Keystation 49 MIDI 1 32:0', { output: false });
    const midi = await listMidiPorts(b);
    expect(midi).toEqual({
      available: true,
      inputs: [
        { name: 'X-Touch:X-Touch MIDI 1 20:0', device: 'behringer-x-touch' },
        { name: 'X-Touch-Ext:X-Touch-Ext MIDI 1 24:0', device: 'behringer-x-touch-extender' },
        { name: 'Keystation 49:Keystation 49 MIDI 1 32:0' },
      ],
      outputs: [
        { name: 'X-Touch:X-Touch MIDI 1 20:0', device: 'behringer-x-touch' },
        { name: 'X-Touch-Ext:X-Touch-Ext MIDI 1 24:0', device: 'behringer-x-touch-extender' },
      ],
    });
    expect(formatDevices(NO_AUDIO, midi).slice(1)).toEqual([
      'midi ports:',
      '  in   X-Touch:X-Touch MIDI 1 20:0  (behringer-x-touch)',
      '  in   X-Touch-Ext:X-Touch-Ext MIDI 1 24:0  (behringer-x-touch-extender)',
      '  in   Keystation 49:Keystation 49 MIDI 1 32:0  (no device file: learn-only)',
      '  out  X-Touch:X-Touch MIDI 1 20:0  (behringer-x-touch)',
      '  out  X-Touch-Ext:X-Touch-Ext MIDI 1 24:0  (behringer-x-touch-extender)',
    ]);
  });

  it('no MIDI subsystem: the reason, no ports; no ports at all: said so', async () => {
    const b = new MemoryMidiBackend();
    b.setUnavailable('no ALSA sequencer');
    const midi = await listMidiPorts(b);
    expect(midi).toEqual({ available: false, reason: 'no ALSA sequencer', inputs: [], outputs: [] });
    expect(formatDevices(NO_AUDIO, midi).at(-1)).toBe('midi: not available (no ALSA sequencer); serve looks again while it runs');
    expect(formatDevices(NO_AUDIO, await listMidiPorts(new MemoryMidiBackend())).at(-1)).toBe('midi: no ports (no controller plugged in?)');
  });
});
