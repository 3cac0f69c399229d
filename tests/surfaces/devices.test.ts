/**
 * The surface data files: every device and profile shipped loads and validates, each device has
 * its one default profile, ports are recognised by name, and every kind of broken file is
 * refused with its code, the file's name and the field at fault.
 */
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceSchemaText, profileSchemaText } from '../../src/surfaces/device-schema.js';
import { GLOBAL_NOTES } from '../../src/surfaces/mackie/notes.js';
import {
  SurfaceDataError,
  defaultProfile,
  devicesDir,
  loadDevices,
  loadProfiles,
  loadSurfaceData,
  matchDevice,
  parseDevice,
  profilesDir,
  type SurfaceData,
} from '../../src/surfaces/loader.js';
import type { DeviceSpec, GenericControl } from '../../src/surfaces/types.js';

const root = new URL('../../', import.meta.url);
let data: SurfaceData;
let tmp: string;

beforeAll(async () => {
  data = await loadSurfaceData();
  tmp = await mkdtemp(join(tmpdir(), 'mixhost-devices-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** Ids of the `.json` files of a folder, sorted. */
const jsonIds = async (dir: string): Promise<string[]> =>
  (await readdir(dir))
    .filter((n) => n.endsWith('.json'))
    .map((n) => n.slice(0, -'.json'.length))
    .sort();
const device = (id: string): DeviceSpec => {
  const d = data.devices.get(id);
  if (d === undefined) throw new Error(`no device ${id}`);
  return d;
};
const control = (deviceId: string, id: string): GenericControl => {
  const c = device(deviceId).controls?.find((x) => x.id === id);
  if (c === undefined) throw new Error(`no control ${id} on ${deviceId}`);
  return c;
};

describe('the shipped files', () => {
  it('every device and profile file loads and validates', async () => {
    const devIds = await jsonIds(devicesDir());
    const profIds = await jsonIds(profilesDir());
    expect([...data.devices.keys()].sort()).toEqual(devIds);
    expect([...data.profiles.keys()].sort()).toEqual(profIds);
    expect(devIds.length).toBeGreaterThanOrEqual(12);
    for (const id of [
      'mackie-mcu-pro',
      'mackie-mcu-xt',
      'behringer-x-touch',
      'behringer-x-touch-extender',
      'behringer-x-touch-one',
      'behringer-x-touch-mini',
      'icon-platform-m-plus',
      'korg-nanokontrol2',
      'akai-midimix',
      'novation-launch-control-xl',
      'generic-8-fader',
      'generic-midi',
    ]) {
      expect(data.devices.has(id), id).toBe(true);
    }
  });

  it('every device has exactly one default profile, <device>.default', () => {
    for (const id of data.devices.keys()) {
      const defaults = [...data.profiles.values()].filter((p) => p.device === id && p.id.endsWith('.default'));
      expect(defaults.map((p) => p.id), id).toEqual([`${id}.default`]);
      expect(defaultProfile(id, data.profiles)?.device).toBe(id);
    }
    expect(defaultProfile('no-such-device', data.profiles)).toBeUndefined();
  });

  it('the JSON Schemas in docs/ are what `npm run schema` writes', async () => {
    expect(await readFile(new URL('docs/device.schema.json', root), 'utf8')).toBe(deviceSchemaText());
    expect(await readFile(new URL('docs/surface-profile.schema.json', root), 'utf8')).toBe(profileSchemaText());
  });

  it('Mackie units: model bytes, strips, roles, buttons from the note table', () => {
    const mackie = [...data.devices.values()].filter((d) => d.protocol === 'mackie');
    expect(mackie.map((d) => d.id).sort()).toEqual(['behringer-x-touch', 'behringer-x-touch-extender', 'behringer-x-touch-one', 'icon-platform-m-plus', 'mackie-mcu-pro', 'mackie-mcu-xt']);
    for (const d of mackie) {
      for (const b of d.mackie!.buttons) expect(GLOBAL_NOTES[b], `${d.id} ${b}`).toBeTypeOf('number');
      if (d.mackie!.role === 'extender') {
        expect(d.mackie!.buttons).toEqual([]);
        expect(d.capabilities).not.toContain('masterFader');
        expect(d.mackie!.model).toBe(0x15);
      } else {
        expect(d.mackie!.model).toBe(0x14);
      }
    }
    expect(device('mackie-mcu-pro').mackie!.buttons.length).toBe(Object.keys(GLOBAL_NOTES).length);
    expect(device('behringer-x-touch').mackie!.buttons.length).toBe(Object.keys(GLOBAL_NOTES).length);
    expect(device('behringer-x-touch').capabilities).toEqual(expect.arrayContaining(['colorScribble', 'separateMeters', 'masterFader', 'motorFaders', 'faderTouch']));
    expect(device('behringer-x-touch-extender').capabilities).toEqual(expect.arrayContaining(['colorScribble', 'separateMeters']));
    expect(device('behringer-x-touch-extender').capabilities).not.toContain('timecodeDisplay');
    expect(device('behringer-x-touch-one').mackie!.strips).toBe(1);
    expect(device('behringer-x-touch-one').capabilities).not.toContain('masterFader');
    const mPlus = device('icon-platform-m-plus');
    for (const cap of ['lcd', 'meters', 'timecodeDisplay', 'assignmentDisplay'] as const) expect(mPlus.capabilities).not.toContain(cap);
    expect(mPlus.capabilities).toEqual(expect.arrayContaining(['motorFaders', 'faderTouch', 'masterFader']));
  });

  it('generic controls carry the documented message numbers', () => {
    const nano = (id: string) => control('korg-nanokontrol2', id);
    expect([nano('fader1').number, nano('fader8').number, nano('knob1').number, nano('solo1').number, nano('mute1').number, nano('rec8').number]).toEqual([0, 7, 16, 32, 48, 71]);
    expect([nano('track-left'), nano('track-right'), nano('cycle'), nano('marker-set'), nano('marker-left'), nano('marker-right')].map((c) => c.number)).toEqual([58, 59, 46, 60, 61, 62]);
    expect([nano('rewind'), nano('fast-forward'), nano('stop'), nano('play'), nano('record')].map((c) => c.number)).toEqual([43, 44, 42, 41, 45]);
    expect(nano('track-left').feedback).toBeUndefined();
    expect(nano('mute3').feedback).toBe(true);

    const mini = (id: string) => control('behringer-x-touch-mini', id);
    expect([mini('knob1'), mini('knob8'), mini('push1'), mini('top1'), mini('bottom8'), mini('fader')].map((c) => [c.channel, c.message, c.number])).toEqual([
      [11, 'cc', 1],
      [11, 'cc', 8],
      [11, 'note', 0],
      [11, 'note', 8],
      [11, 'note', 23],
      [11, 'cc', 9],
    ]);
    expect(mini('knob1').feedback).toBe(true);

    const mix = (id: string) => control('akai-midimix', id).number;
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => mix(`fader${n}`))).toEqual([19, 23, 27, 31, 49, 53, 57, 61]);
    expect([mix('knob-a1'), mix('knob-b1'), mix('knob-c1'), mix('knob-a5'), mix('knob-c8'), mix('master')]).toEqual([16, 17, 18, 46, 60, 62]);
    expect([mix('mute1'), mix('solo1'), mix('rec1'), mix('mute8'), mix('rec8'), mix('bank-left'), mix('bank-right'), mix('solo')]).toEqual([1, 2, 3, 22, 24, 25, 26, 27]);

    const xl = (id: string) => control('novation-launch-control-xl', id);
    expect([xl('send-a1'), xl('send-b1'), xl('pan8'), xl('fader1'), xl('fader8')].map((c) => [c.channel, c.number])).toEqual([
      [9, 13],
      [9, 29],
      [9, 56],
      [9, 77],
      [9, 84],
    ]);
    expect([1, 4, 5, 8].map((n) => xl(`focus${n}`).number)).toEqual([41, 44, 57, 60]);
    expect([1, 4, 5, 8].map((n) => xl(`control${n}`).number)).toEqual([73, 76, 89, 92]);
    expect([xl('focus1').ledOn, xl('focus1').ledOff, xl('control1').ledOn, xl('up').ledOn]).toEqual([15, 12, 62, 63]);
    expect(device('generic-midi').controls).toEqual([]);
    expect(device('generic-8-fader').controls!.length).toBe(32);
  });

  it('default profiles map the controls a mixer needs', () => {
    const nano = data.profiles.get('korg-nanokontrol2.default')!;
    const target = (control: string) => nano.mappings!.find((m) => m.control === control)?.target;
    expect([target('fader1'), target('knob8'), target('solo2'), target('mute3'), target('rec4')]).toEqual(['strip:1:fader', 'strip:8:pan', 'strip:2:solo', 'strip:3:mute', 'strip:4:select']);
    expect([target('track-left'), target('track-right'), target('marker-left'), target('marker-right'), target('cycle')]).toEqual([
      'action:bank-left',
      'action:bank-right',
      'action:channel-left',
      'action:channel-right',
      'action:sends-on-faders',
    ]);
    expect(nano.takeover).toBe('pickup');
    const mcu = data.profiles.get('mackie-mcu-pro.default')!.mackie!;
    expect(mcu.buttons).toMatchObject({
      'bank-left': 'bank-left',
      'channel-right': 'channel-right',
      flip: 'flip',
      'assign-pan': 'vpot:pan',
      'assign-send': 'vpot:send',
      'assign-eq': 'vpot:eq',
      'assign-dyn': 'vpot:dyn',
      'assign-track': 'vpot:trim',
      'assign-plugin': 'vpot:hpf',
      'view-inputs': 'layer:inputs',
      'view-aux': 'layer:aux',
      'view-instruments': 'layer:fx',
      'view-busses': 'layer:groups',
      'view-outputs': 'layer:master',
      'global-view': 'sends-on-faders',
      'name-value': 'name-value',
    });
    expect([mcu.startLayer, mcu.vpot, mcu.meters, mcu.timecode]).toEqual(['inputs', 'pan', true, 'loudness']);
    const learn = data.profiles.get('generic-midi.default')!;
    expect([learn.bank?.width, learn.mappings?.length ?? 0]).toEqual([8, 0]);
    expect(data.profiles.get('icon-platform-m-plus.default')!.mackie!.buttons.marker).toBe('flip');
  });
});

describe('matchDevice', () => {
  const cases: Array<[string, string | undefined]> = [
    ['X-Touch:X-Touch MIDI 1 20:0', 'behringer-x-touch'],
    ['X-Touch', 'behringer-x-touch'],
    ['X-Touch-Ext:X-Touch-Ext MIDI 1 24:0', 'behringer-x-touch-extender'],
    ['X-Touch One:X-Touch One MIDI 1 28:0', 'behringer-x-touch-one'],
    ['X-TOUCH MINI:X-TOUCH MINI MIDI 1 32:0', 'behringer-x-touch-mini'],
    ['nanoKONTROL2:nanoKONTROL2 MIDI 1 28:0', 'korg-nanokontrol2'],
    ['MIDI Mix:MIDI Mix MIDI 1', 'akai-midimix'],
    ['Launch Control XL:Launch Control XL MIDI 1', 'novation-launch-control-xl'],
    ['Launch Control XL 2:Launch Control XL 2 MIDI 1 36:0', 'novation-launch-control-xl'],
    ['Platform M+ V2.15', 'icon-platform-m-plus'],
    ['MCU Pro USB v3.1', 'mackie-mcu-pro'],
    ['MCU XT Pro USB v3.1', 'mackie-mcu-xt'],
    ['Midi Through:Midi Through Port-0 14:0', undefined],
    ['ardour:mackie control in', undefined],
    ['', undefined],
  ];
  it.each(cases)('%s -> %s', (port, id) => {
    expect(matchDevice(port, data.devices)?.id).toBe(id);
  });

  it('the longest pattern wins, whatever the order of the devices', () => {
    const mk = (id: string, ports: string[]): DeviceSpec => ({ id, name: id, protocol: 'generic', ports, capabilities: [], controls: [] });
    const a = mk('a-main', ['unit']);
    const b = mk('b-ext', ['unit ext']);
    for (const order of [[a, b], [b, a]]) {
      const devices = new Map(order.map((d) => [d.id, d]));
      expect(matchDevice('My UNIT EXT port 2', devices)?.id).toBe('b-ext');
      expect(matchDevice('my unit', devices)?.id).toBe('a-main');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Broken files.

const GOOD_DEVICE = {
  id: 'test-box',
  name: 'Test box',
  protocol: 'generic',
  ports: ['test box'],
  capabilities: ['ledFeedback'],
  controls: [
    { id: 'fader1', kind: 'fader', message: 'cc', channel: 1, number: 7 },
    { id: 'button1', kind: 'button', message: 'note', channel: 1, number: 36, feedback: true },
  ],
};

let dirCount = 0;
async function freshDir(files: Record<string, string>): Promise<string> {
  const dir = join(tmp, `d${dirCount++}`);
  await mkdir(dir);
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

async function failure(p: Promise<unknown>): Promise<SurfaceDataError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SurfaceDataError) return e;
    throw e;
  }
  throw new Error('expected a SurfaceDataError');
}

/** A device file (written as `file`) that must be refused with exactly these issue lines. */
async function badDevice(obj: unknown, issues: string[], file = 'test-box.json'): Promise<SurfaceDataError> {
  const dir = await freshDir({ [file]: JSON.stringify(obj, null, 2) });
  const e = await failure(loadDevices(dir));
  expect(e.code).toBe('E_DEVICE_INVALID');
  expect(e.message.split('\n')[0]).toBe(`${join(dir, file)}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the device`);
  expect(e.issues).toEqual(issues);
  return e;
}

/** A profile file that must be refused (checked against the shipped devices) with exactly these issue lines. */
async function badProfile(obj: Record<string, unknown>, issues: string[]): Promise<SurfaceDataError> {
  const file = `${String(obj.id)}.json`;
  const dir = await freshDir({ [file]: JSON.stringify(obj, null, 2) });
  const e = await failure(loadProfiles(dir, data.devices));
  expect(e.code).toBe('E_PROFILE_INVALID');
  expect(e.message.split('\n')[0]).toBe(`${join(dir, file)}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the surface profile`);
  expect(e.issues).toEqual(issues);
  return e;
}

const withControls = (...controls: unknown[]) => ({ ...GOOD_DEVICE, controls });

describe('broken device files', () => {
  it('a good one loads (the base of the broken ones below)', async () => {
    const dir = await freshDir({ 'test-box.json': JSON.stringify({ $schema: '../docs/device.schema.json', ...GOOD_DEVICE }) });
    const devices = await loadDevices(dir);
    expect(devices.get('test-box')).toEqual(GOOD_DEVICE);
  });

  it('bad JSON: line and column', async () => {
    const text = '{\n  "id": "test-box",\n  "name": "Test box",\n}\n';
    const dir = await freshDir({ 'test-box.json': text });
    const e = await failure(loadDevices(dir));
    expect(e.code).toBe('E_DEVICE_INVALID');
    expect(e.message.split('\n')[0]).toBe(`${join(dir, 'test-box.json')}: not valid JSON`);
    expect(e.issues).toEqual(["line 3, column 21: trailing comma before '}' is not allowed in JSON"]);
  });

  it('a file that holds no object', async () => {
    await badDevice([1, 2], ['device: the file holds a list, not a device object {"id": ..., ...}']);
  });

  it('an unknown capability, an unknown field', async () => {
    await badDevice({ ...GOOD_DEVICE, capabilities: ['ledFeedback', 'telepathy'], colour: 'red' }, [
      'capabilities[1]: "telepathy" is not one of motorFaders, faderTouch, lcd, colorScribble, meters, separateMeters, timecodeDisplay, assignmentDisplay, vpotRings, masterFader, ledFeedback, ringFeedback, noFlash, challenge',
      'colour: unknown field',
    ]);
  });

  it('the id is not the file name', async () => {
    await badDevice(GOOD_DEVICE, ['id: "test-box" differs from the file name other-box.json'], 'other-box.json');
  });

  it('a duplicate control id', async () => {
    await badDevice(withControls(GOOD_DEVICE.controls[0], { id: 'fader1', kind: 'fader', message: 'cc', channel: 1, number: 8 }), ['controls[1].id: "fader1" is already the id of controls[0]']);
  });

  it('numbers out of range for their message, a channel past 16', async () => {
    await badDevice(
      withControls(
        { id: 'a', kind: 'fader', message: 'cc', channel: 1, number: 200 },
        { id: 'b', kind: 'fader', message: 'cc14', channel: 1, number: 40 },
        { id: 'c', kind: 'button', message: 'note', channel: 17, number: 1 },
        { id: 'd', kind: 'fader', message: 'pitchbend', channel: 2, number: 3 },
        { id: 'e', kind: 'knob', message: 'nrpn', channel: 3 },
      ),
      [
        'controls[2].channel: 17 is above 16',
      ],
    );
    await badDevice(
      withControls(
        { id: 'a', kind: 'fader', message: 'cc', channel: 1, number: 200 },
        { id: 'b', kind: 'fader', message: 'cc14', channel: 1, number: 40 },
        { id: 'd', kind: 'fader', message: 'pitchbend', channel: 2, number: 3 },
        { id: 'e', kind: 'knob', message: 'nrpn', channel: 3 },
        { id: 'f', kind: 'knob', message: 'nrpn14', channel: 3, number: 16383 },
      ),
      [
        'controls[0].number: 200 is above 127 for cc',
        'controls[1].number: 40 is above 31 for cc14',
        'controls[2].number: a pitchbend control has no number; leave it out',
        'controls[3].number: missing, a nrpn control needs its parameter number (0..16383)',
      ],
    );
  });

  it('encoding exactly on encoders; LED fields only on buttons with feedback', async () => {
    await badDevice(
      {
        ...withControls(
          { id: 'enc', kind: 'encoder', message: 'cc', channel: 1, number: 16 },
          { id: 'knob', kind: 'knob', message: 'cc', channel: 1, number: 17, encoding: 'binary-offset' },
          { id: 'btn', kind: 'button', message: 'note', channel: 1, number: 1, ledOn: 5 },
          { id: 'fad', kind: 'fader', message: 'cc', channel: 1, number: 18, latching: true },
        ),
      },
      [
        'controls[0].encoding: missing, an encoder needs its encoding (twos-complement, binary-offset, sign-magnitude or sign-magnitude-positive)',
        'controls[1].encoding: only for encoders (this is a knob)',
        'controls[2]: ledOn/ledOff need "feedback": true',
        'controls[3].latching: only for buttons (this is a fader)',
      ],
    );
  });

  it('two controls on one message; a 14-bit pair over a 7-bit CC; CCs taken by NRPN', async () => {
    await badDevice(
      withControls(
        { id: 'a', kind: 'fader', message: 'cc', channel: 1, number: 7 },
        { id: 'b', kind: 'knob', message: 'cc', channel: 1, number: 7 },
        { id: 'c', kind: 'fader', message: 'cc14', channel: 2, number: 1 },
        { id: 'd', kind: 'knob', message: 'cc', channel: 2, number: 33 },
        { id: 'e', kind: 'knob', message: 'nrpn', channel: 4, number: 300 },
        { id: 'f', kind: 'fader', message: 'cc', channel: 4, number: 6 },
        { id: 'g', kind: 'fader', message: 'cc', channel: 5, number: 6 },
      ),
      [
        'controls[1]: CC 7 on channel 1 is also sent by controls[0] (a)',
        'controls[3]: CC 33 on channel 2 is also sent by controls[2] (c)',
        'controls[5]: CC 6 on channel 4 carries the NRPN messages of this device',
      ],
    );
  });

  it('feedback the capabilities do not allow', async () => {
    await badDevice({ ...GOOD_DEVICE, capabilities: [] }, ['controls[1].feedback: a button with feedback needs the capability "ledFeedback"']);
  });

  it('protocol and sections disagree', async () => {
    await badDevice({ ...GOOD_DEVICE, protocol: 'mackie' }, [
      'mackie: missing, a device with protocol "mackie" needs its Mackie facts {"model", "role", "strips", "buttons"}',
      'controls: only for protocol "generic" (the Mackie protocol fixes the controls)',
    ]);
    const { controls: _c, ...noControls } = GOOD_DEVICE;
    await badDevice({ ...noControls, capabilities: [] }, ['controls: missing, a generic device lists its controls (an empty list for a learn-only device)']);
  });

  it('an unknown Mackie button; an extender with global buttons and a master fader', async () => {
    const mackie = { id: 'test-box', name: 'Test', protocol: 'mackie', ports: [], capabilities: ['masterFader'] };
    await badDevice({ ...mackie, mackie: { model: 0x14, role: 'main', strips: 8, buttons: ['flip', 'turbo', 'flip'] } }, [
      'mackie.buttons[1]: "turbo" is not a Mackie button name (see src/surfaces/mackie/notes.ts, e.g. "bank-left", "flip")',
      'mackie.buttons[2]: "flip" is listed twice',
    ]);
    await badDevice({ ...mackie, mackie: { model: 0x15, role: 'extender', strips: 8, buttons: ['flip'] } }, [
      'mackie.buttons: an extender has no global buttons; leave the list empty',
      'capabilities: an extender has no master fader ("masterFader")',
    ]);
  });

  it('a port pattern another device already has', async () => {
    const dir = await freshDir({
      'a-box.json': JSON.stringify({ ...GOOD_DEVICE, id: 'a-box', ports: ['Box'] }),
      'b-box.json': JSON.stringify({ ...GOOD_DEVICE, id: 'b-box', ports: ['other', 'box'] }),
    });
    const e = await failure(loadDevices(dir));
    expect(e.code).toBe('E_DEVICE_INVALID');
    expect(e.message.split('\n')[0]).toBe(`${join(dir, 'b-box.json')}: 1 problem in the device`);
    expect(e.issues).toEqual(['ports[1]: "box" is also a port pattern of a-box; equal patterns cannot tell the devices apart']);
  });

  it('a device without a default profile', async () => {
    const ddir = await freshDir({ 'test-box.json': JSON.stringify(GOOD_DEVICE) });
    const pdir = await freshDir({});
    const e = await failure(loadSurfaceData({ devicesDir: ddir, profilesDir: pdir }));
    expect(e.code).toBe('E_DEVICE_INVALID');
    expect(e.message).toBe(`${join(ddir, 'test-box.json')}: the device has no default profile\n  expected test-box.default.json in the profile folder`);
  });

  it('parseDevice refuses text that is not JSON without throwing anything else', () => {
    expect(() => parseDevice('{"id": 1', 'net')).toThrow(SurfaceDataError);
    expect(() => parseDevice('null', 'net')).toThrow('net: 1 problem in the device');
  });
});

describe('broken profile files', () => {
  const generic = (mappings: unknown[], extra: Record<string, unknown> = {}) => ({
    id: 'korg-nanokontrol2.live',
    device: 'korg-nanokontrol2',
    name: 'Live',
    bank: { width: 8 },
    mappings,
    ...extra,
  });

  it('bad JSON: line and column', async () => {
    const dir = await freshDir({ 'x.json': '{\n  "id": "x",\n  "device": \'korg\'\n}' });
    const e = await failure(loadProfiles(dir, data.devices));
    expect(e.code).toBe('E_PROFILE_INVALID');
    expect(e.message.split('\n')[0]).toBe(`${join(dir, 'x.json')}: not valid JSON`);
    expect(e.issues).toEqual(['line 3, column 13: strings need double quotes']);
  });

  it('a profile for an unknown device', async () => {
    const e = await badProfile({ id: 'nope.default', device: 'nope', name: 'x' }, [
      `device: "nope" is not a known device (known: ${[...data.devices.keys()].sort().join(', ')})`,
    ]);
    expect(e.message).toContain('nope.default.json');
  });

  it('a mapping to an unknown control, and a control mapped twice', async () => {
    await badProfile(generic([{ control: 'knob99', target: 'strip:1:pan' }, { control: 'fader1', target: 'strip:1:fader' }, { control: 'fader1', target: 'strip:2:fader' }]), [
      'mappings[0].control: "knob99" is not a control of korg-nanokontrol2 (controls: fader1, fader2, fader3, fader4, fader5, fader6, fader7, fader8, knob1, knob2, knob3, knob4, …)',
      'mappings[2].control: "fader1" is already mapped by mappings[1]',
    ]);
  });

  it('a strip past the bank width, an unknown role, a malformed target', async () => {
    await badProfile(
      generic([
        { control: 'fader1', target: 'strip:9:fader' },
        { control: 'fader2', target: 'strip:0:fader' },
        { control: 'fader3', target: 'strip:3:volume' },
        { control: 'fader4', target: 'strip:x:fader' },
        { control: 'fader5', target: 'Master Fader' },
        { control: 'fader6', target: 'master/fader' },
      ]),
      [
        'mappings[0].target: strip 9 is past the bank width 8 (strips 1..8)',
        'mappings[1].target: strip 0 is past the bank width 8 (strips 1..8)',
        'mappings[2].target: "volume" is not a strip role (roles: fader, mute, solo, select, pan, vpot, send, trim, hpf, rec)',
        'mappings[3].target: "strip:x:fader" is not a strip target "strip:N:ROLE" (e.g. "strip:1:fader")',
        'mappings[4].target: "Master Fader" is neither "strip:N:ROLE", "action:NAME" nor a parameter address like "master/fader"',
      ],
    );
    await badProfile(generic([{ control: 'fader5', target: 'strip:5:fader' }], { bank: { width: 4 } }), ['mappings[0].target: strip 5 is past the bank width 4 (strips 1..4)']);
    await badProfile(generic([{ control: 'fader1', target: 'strip:9:fader' }], { bank: undefined }), ['mappings[0].target: strip 9 is past the bank width 8 (strips 1..8)']);
  });

  it('an unknown action; an action on a fader; mapping options the control cannot use', async () => {
    await badProfile(
      generic([
        { control: 'cycle', target: 'action:warp' },
        { control: 'fader1', target: 'action:flip' },
        { control: 'knob1', target: 'strip:1:pan', button: 'momentary', step: 0.05 },
        { control: 'mute1', target: 'strip:1:mute', takeover: 'jump' },
        { control: 'fader2', target: 'strip:2:fader', min: 0.5, max: 0.5 },
      ]),
      [
        `mappings[0].target: "warp" is not an action (actions: ${[
          'bank-left', 'bank-right', 'channel-left', 'channel-right', 'flip', 'layer:inputs', 'layer:aux', 'layer:fx', 'layer:groups', 'layer:master',
          'sends-on-faders', 'sends-off', 'vpot:pan', 'vpot:send', 'vpot:trim', 'vpot:hpf', 'vpot:eq', 'vpot:dyn', 'name-value',
        ].join(', ')})`,
        'mappings[1].target: an action needs a button (fader1 is a fader)',
        'mappings[2].button: only for buttons (knob1 is a knob)',
        'mappings[2].step: only for encoders (knob1 is a knob)',
        'mappings[3].takeover: only for faders and knobs (mute1 is a button)',
        'mappings[4]: min and max are both 0.5; the control would do nothing',
      ],
    );
  });

  it('schema errors name the field', async () => {
    await badProfile(generic([{ control: 'fader1', target: 'strip:1:fader', takeover: 'grab', max: 2 }], { takeover: 'snap' }), [
      'takeover: "snap" is not one of pickup, scaled, jump',
      'mappings[0].takeover: "grab" is not one of pickup, scaled, jump',
      'mappings[0].max: 2 is above 1',
    ]);
  });

  it('an unknown Mackie button, one the unit lacks, displays it lacks', async () => {
    await badProfile(
      { id: 'behringer-x-touch-one.live', device: 'behringer-x-touch-one', name: 'Live', mackie: { buttons: { turbo: 'flip', 'global-view': 'sends-on-faders', f1: 'layer:aux' } } },
      [
        'mackie.buttons.turbo: "turbo" is not a Mackie button name (see src/surfaces/mackie/notes.ts)',
        `mackie.buttons["global-view"]: Behringer X-Touch One (MC mode) has no "global-view" button (its buttons: ${device('behringer-x-touch-one').mackie!.buttons.join(', ')})`,
      ],
    );
    await badProfile({ id: 'icon-platform-m-plus.live', device: 'icon-platform-m-plus', name: 'Live', mackie: { buttons: {}, meters: true, timecode: 'loudness' } }, [
      'mackie.meters: iCON Platform M+ has no meters',
      'mackie.timecode: iCON Platform M+ has no time-code display; leave it out or say "off"',
    ]);
    await badProfile({ id: 'mackie-mcu-pro.live', device: 'mackie-mcu-pro', name: 'Live', mackie: { buttons: { flip: 'rewind' } } }, [
      'mackie.buttons.flip: "rewind" is not one of bank-left, bank-right, channel-left, channel-right, flip, layer:inputs, layer:aux, layer:fx, layer:groups, layer:master, sends-on-faders, sends-off, vpot:pan, vpot:send, vpot:trim, vpot:hpf, vpot:eq, vpot:dyn, name-value',
    ]);
  });

  it('sections that do not fit the device\'s protocol', async () => {
    await badProfile({ id: 'mackie-mcu-pro.live', device: 'mackie-mcu-pro', name: 'Live', bank: { width: 8 }, mappings: [] }, [
      'mackie: missing, a profile for the Mackie device "mackie-mcu-pro" says what its buttons do {"buttons": {...}}',
      'mappings: only for generic devices ("mackie-mcu-pro" speaks Mackie Control; use mackie.buttons)',
      'bank: only for generic devices (the Mackie driver counts its units\' strips; use mackie.startLayer)',
    ]);
    await badProfile(generic([], { mackie: { buttons: {} } }), ['mackie: only for Mackie devices ("korg-nanokontrol2" is a generic device; use mappings)']);
  });

  it('ids: the file name, and a default profile of the device it names', async () => {
    const dir = await freshDir({ 'other.json': JSON.stringify(generic([])) });
    const e = await failure(loadProfiles(dir, data.devices));
    expect(e.issues).toEqual(['id: "korg-nanokontrol2.live" differs from the file name other.json']);
    await badProfile(generic([], { id: 'akai-midimix.default' }), ['id: "akai-midimix.default" is a default profile, so it must be "korg-nanokontrol2.default" for device "korg-nanokontrol2"']);
  });
});
