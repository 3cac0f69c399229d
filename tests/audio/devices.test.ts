import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { enumerateDevices, findDevice, listAudioDevices, parseDeviceList, type AudioDeviceList } from '../../src/audio/devices.js';
import { loadPortAudio, type NativeDeviceInfo, type PortAudioBinding } from '../../src/audio/portaudio-binding.js';
import { MixhostError } from '../../src/model/errors.js';
import { alsaEnv, useAlsaConfigInProcess } from '../helpers/alsa.js';
import { startJack } from '../helpers/jack.js';

const run = promisify(execFile);
const CLI = path.resolve('dist/cli/main.js');
const root = mkdtempSync(path.join(os.tmpdir(), 'mixhost-devices-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
const freshDir = (): string => {
  const d = path.join(root, `d${++n}`);
  mkdirSync(d);
  return d;
};

/**
 * The machine's own ALSA setup with no user config (HOME in a temp folder: ALSA's pulse plugin
 * creates a folder there): no devices without a sound card.
 */
function machineEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CONFIG_HOME: home, ALSA_CONFIG_PATH: '/usr/share/alsa/alsa.conf' };
  delete env.JACK_DEFAULT_SERVER;
  return env;
}
const hasSoundCard = existsSync('/dev/snd');

function errorOf(f: () => unknown): MixhostError {
  try {
    f();
  } catch (e) {
    if (e instanceof MixhostError) return e;
    throw e;
  }
  throw new Error('expected a MixhostError');
}

describe('listAudioDevices with the project ALSA config', () => {
  const dir = freshDir();
  const { env, inFile } = alsaEnv(dir);
  let list: AudioDeviceList;

  it('lists mh_null, mh_fileout and mh_filein with 128 channels each way at 44100 Hz', async () => {
    writeFileSync(inFile, Buffer.alloc(4096));
    list = await listAudioDevices({ env });
    expect(list.available).toBe(true);
    expect(list.hostApis).toEqual(['ALSA', 'OSS']);
    const byName = new Map(list.devices.map((d) => [d.name, d]));
    for (const name of ['mh_null', 'mh_fileout', 'mh_filein']) {
      const d = byName.get(name);
      expect(d, name).toBeDefined();
      expect(d).toMatchObject({ hostApi: 'ALSA', maxInputs: 128, maxOutputs: 128, defaultSampleRate: 44100 });
    }
    // The first device of the config is ALSA's default here (there is no pcm.default of ours).
    expect(list.devices.filter((d) => d.isDefaultOutput).map((d) => d.name)).toEqual(['mh_null']);
    expect(list.devices.filter((d) => d.isDefaultInput).map((d) => d.name)).toEqual(['mh_null']);
    expect(list.devices.map((d) => d.index)).toEqual(list.devices.map((_, i) => i));
  });

  it('mh_filein has no inputs when its file does not exist at enumeration', async () => {
    const other = freshDir();
    const l = await listAudioDevices({ env: alsaEnv(other).env });
    expect(l.devices.find((d) => d.name === 'mh_filein')).toMatchObject({ maxInputs: 0, maxOutputs: 128 });
    expect(errorOf(() => findDevice(l, 'mh_filein', { inputs: 2, outputs: 0 })).message).toBe(
      `audio device ${l.devices.find((d) => d.name === 'mh_filein')?.index} 'mh_filein' has 0 input channel(s); 2 needed`,
    );
  });

  it('findDevice: by index, exact name, unique substring; default', () => {
    const idx = (name: string): number => list.devices.find((d) => d.name === name)!.index;
    const stereo = { inputs: 0, outputs: 2 };
    expect(findDevice(list, idx('mh_fileout'), stereo).name).toBe('mh_fileout');
    expect(findDevice(list, String(idx('mh_fileout')), stereo).name).toBe('mh_fileout');
    expect(findDevice(list, 'mh_null', stereo).index).toBe(idx('mh_null'));
    expect(findDevice(list, 'FILEOUT', stereo).name).toBe('mh_fileout');
    expect(findDevice(list, 'filein', { inputs: 8, outputs: 0 }).name).toBe('mh_filein');
    expect(findDevice(list, undefined, stereo).name).toBe('mh_null');
    expect(findDevice(list, undefined, { inputs: 2, outputs: 0 }).name).toBe('mh_null');
  });

  it('findDevice: ambiguous, unknown and too few channels are E_AUDIO_DEVICE with the names', () => {
    const idx = (name: string): number => list.devices.find((d) => d.name === name)!.index;
    const amb = errorOf(() => findDevice(list, 'mh_file', { inputs: 0, outputs: 2 }));
    expect(amb.code).toBe('E_AUDIO_DEVICE');
    expect(amb.message).toBe(
      `audio device 'mh_file' is ambiguous: it matches ${idx('mh_fileout')} 'mh_fileout', ${idx('mh_filein')} 'mh_filein', ${idx('mh_fileio')} 'mh_fileio'; give the index or the full name`,
    );
    const unknown = errorOf(() => findDevice(list, 'nope', { inputs: 0, outputs: 2 }));
    expect(unknown.code).toBe('E_AUDIO_DEVICE');
    expect(unknown.message).toMatch(/^no audio device matches 'nope'; devices: /);
    for (const d of list.devices) expect(unknown.message).toContain(`${d.index} '${d.name}'`);
    const badIndex = errorOf(() => findDevice(list, 999, { inputs: 0, outputs: 2 }));
    expect(badIndex.message).toMatch(/^no audio device with index 999; devices: .*'mh_null'/);
    const few = errorOf(() => findDevice(list, 'mh_null', { inputs: 0, outputs: 129 }));
    expect(few.code).toBe('E_AUDIO_DEVICE');
    expect(few.message).toBe(`audio device ${idx('mh_null')} 'mh_null' has 128 output channel(s); 129 needed`);
  });
});

describe('findDevice without devices', () => {
  it('says why: no sound card, or PortAudio unavailable', () => {
    const none = errorOf(() => findDevice({ available: true, devices: [], hostApis: ['ALSA'] }, undefined, { inputs: 0, outputs: 2 }));
    expect(none.code).toBe('E_AUDIO_DEVICE');
    expect(none.message).toBe('no audio devices (no sound card?); use the null backend (--audio null)');
    const unavailable = errorOf(() =>
      findDevice({ available: false, reason: 'naudiodon2 is not installed', devices: [], hostApis: [] }, 'x', { inputs: 0, outputs: 2 }),
    );
    expect(unavailable.message).toBe('no audio devices (PortAudio unavailable: naudiodon2 is not installed); use the null backend (--audio null)');
  });
});

describe('enumerateDevices', () => {
  const dev = (id: number, name: string, api: string): NativeDeviceInfo => ({
    id, name, hostAPIName: api, maxInputChannels: 2, maxOutputChannels: 2, defaultSampleRate: 48000,
    defaultLowInputLatency: 0, defaultLowOutputLatency: 0, defaultHighInputLatency: 0, defaultHighOutputLatency: 0,
  });
  const fake = (defaultHostAPI: number, defOut: number, defIn: number): PortAudioBinding => ({
    getDevices: () => [dev(0, 'a0', 'ALSA'), dev(1, 'a1', 'ALSA'), dev(2, 'o0', 'OSS'), dev(3, 'o1', 'OSS')],
    getHostAPIs: () => ({
      defaultHostAPI,
      HostAPIs: [
        { id: 0, name: 'ALSA', type: 'ALSA', deviceCount: 2, defaultInput: 1, defaultOutput: 1 },
        { id: 1, name: 'OSS', type: 'OSS', deviceCount: 2, defaultInput: defIn, defaultOutput: defOut },
      ],
    }),
    create: () => {
      throw new Error('not used');
    },
  });
  const defaults = (l: AudioDeviceList): string[] => l.devices.flatMap((d) => [...(d.isDefaultInput ? [`in:${d.name}`] : []), ...(d.isDefaultOutput ? [`out:${d.name}`] : [])]);

  it("marks the default host API's default devices (global indices, as PortAudio documents them)", () => {
    expect(defaults(enumerateDevices(fake(0, 3, 2)))).toEqual(['in:a1', 'out:a1']);
    expect(defaults(enumerateDevices(fake(1, 3, 2)))).toEqual(['in:o0', 'out:o1']);
  });
  it('reads an index that names no device of its host API as an index within it; 4294967295 is none', () => {
    expect(defaults(enumerateDevices(fake(1, 1, 0)))).toEqual(['in:o0', 'out:o1']);
    expect(defaults(enumerateDevices(fake(1, 4294967295, 4294967295)))).toEqual([]);
  });
  it('never throws: a failing PortAudio is a reason', () => {
    const broken: PortAudioBinding = {
      getDevices: () => {
        throw new Error('Could not initialize PortAudio: Insufficient memory');
      },
      getHostAPIs: () => ({ defaultHostAPI: 0, HostAPIs: [] }),
      create: () => {
        throw new Error('not used');
      },
    };
    expect(enumerateDevices(broken)).toEqual({
      available: false,
      reason: 'PortAudio did not initialise: Could not initialize PortAudio: Insufficient memory',
      devices: [],
      hostApis: [],
    });
  });
});

describe('listAudioDevices failure paths', () => {
  it('a timeout gives available:false with a reason', async () => {
    const l = await listAudioDevices({ timeoutMs: 1, env: alsaEnv(freshDir()).env });
    expect(l).toEqual({
      available: false,
      reason: 'device enumeration did not finish within 0.001 s (an audio driver or server not answering)',
      devices: [],
      hostApis: [],
    });
  });
  it('parseDeviceList rejects what is not a device list', () => {
    const good = { available: true, devices: [], hostApis: ['ALSA'] };
    expect(parseDeviceList(good)).toEqual(good);
    expect(parseDeviceList(null)).toBeUndefined();
    expect(parseDeviceList({ ...good, hostApis: [1] })).toBeUndefined();
    expect(parseDeviceList({ ...good, devices: [{ index: '0', name: 'x' }] })).toBeUndefined();
    expect(parseDeviceList({ ...good, reason: 5 })).toBeUndefined();
  });
});

/** Machines without an ALSA sequencer (CI, containers) have no MIDI: the listing says why. */
const NO_MIDI = process.platform === 'linux' && !existsSync('/dev/snd/seq');
const NO_SEQ_REASON = 'no ALSA sequencer (/dev/snd/seq): MIDI needs the snd-seq kernel module (modprobe snd-seq), and in a container the device passed in (--device /dev/snd)';

describe('mixhost devices', () => {
  it('--json prints exactly one JSON object on stdout, and leaves no crash.log', async () => {
    const cwd = freshDir();
    const { env } = alsaEnv(freshDir());
    const r = await run(process.execPath, [CLI, 'devices', '--json'], { cwd, env });
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const out = JSON.parse(lines[0]) as { audio: AudioDeviceList; midi: unknown };
    expect(Object.keys(out)).toEqual(['audio', 'midi']);
    expect(out.midi).toEqual(NO_MIDI ? { available: false, reason: NO_SEQ_REASON, inputs: [], outputs: [] } : expect.objectContaining({ available: true }));
    expect(out.audio.available).toBe(true);
    expect(out.audio.devices.map((d) => d.name)).toEqual(expect.arrayContaining(['mh_null', 'mh_fileout', 'mh_filein']));
    expect(readdirSync(cwd)).toEqual([]);
    // ALSA's and JACK's prints during enumeration stay in the probe's pipes.
    expect(r.stderr).toBe('');
  });

  it('prints a table with each device', async () => {
    const { env } = alsaEnv(freshDir());
    const r = await run(process.execPath, [CLI, 'devices'], { cwd: freshDir(), env });
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('audio devices (PortAudio host APIs: ALSA, OSS):');
    expect(lines[1]).toMatch(/^\s+#\s+name\s+host API\s+in\s+out\s+rate\s+low latency in\/out\s+default$/);
    expect(lines.some((l) => /^\s+\d+\s+mh_fileout\s+ALSA\s+128\s+128\s+44100 Hz\s+-\/- ms$/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s+\d+\s+mh_null\s+ALSA\s+128\s+128\s+44100 Hz\s+-\/- ms\s+in, out$/.test(l))).toBe(true);
    if (NO_MIDI) expect(lines[lines.length - 1]).toBe(`midi: not available (${NO_SEQ_REASON}); serve looks again while it runs`);
  });

  it.skipIf(hasSoundCard)('without a sound card: no devices, a clear note, exit 0', async () => {
    const dir = freshDir();
    const env = machineEnv(freshDir());
    const r = await run(process.execPath, [CLI, 'devices'], { cwd: dir, env });
    expect(r.stdout).toBe(
      'no audio devices (no sound card?); mixhost serve will use the null backend (host APIs: ALSA, OSS)\n' +
        (NO_MIDI ? `midi: not available (${NO_SEQ_REASON}); serve looks again while it runs\n` : ''),
    );
    // Here ALSA prints dozens of "cannot find card" lines; none reaches our output.
    expect(r.stderr).toBe('');
    const j = await run(process.execPath, [CLI, 'devices', '--json'], { cwd: dir, env });
    expect(JSON.parse(j.stdout)).toEqual({
      audio: { available: true, devices: [], hostApis: ['ALSA', 'OSS'] },
      midi: NO_MIDI ? { available: false, reason: NO_SEQ_REASON, inputs: [], outputs: [] } : expect.objectContaining({ available: true }),
    });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an unknown flag is E_USAGE (exit 2)', async () => {
    const err = await run(process.execPath, [CLI, 'devices', '--nope', '--json'], { cwd: freshDir() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 2 });
    const out = JSON.parse((err as { stdout: string }).stdout) as { error: { code: string } };
    expect(out.error.code).toBe('E_USAGE');
  });
});

describe('mh_fileout through the binding', () => {
  it('writes the samples bit-exact into the raw file (after PortAudio priming silence)', async () => {
    const dir = freshDir();
    const alsa = useAlsaConfigInProcess(dir);
    try {
      const loaded = loadPortAudio();
      if ('error' in loaded) throw new Error(loaded.error);
      const list = enumerateDevices(loaded.binding);
      const dev = findDevice(list, 'mh_fileout', { inputs: 0, outputs: 2 });
      const frames = 4800;
      const buf = Buffer.alloc(frames * 8);
      const f = new Float32Array(buf.buffer, buf.byteOffset, frames * 2);
      for (let i = 0; i < frames; i++) {
        f[2 * i] = 0.5 * Math.sin((2 * Math.PI * 1000 * i) / 48000) + 0.25;
        f[2 * i + 1] = -f[2 * i];
      }
      const io = loaded.binding.create({
        outOptions: { deviceId: dev.index, channelCount: 2, sampleFormat: 1, sampleRate: 48000, framesPerBuffer: 128, maxQueue: 2, closeOnError: true },
      });
      io.start();
      for (let o = 0; o < buf.length; o += 1024) expect(await io.write(buf.subarray(o, o + 1024))).toBeUndefined();
      await io.quit('WAIT');
      const raw = readFileSync(alsa.outFile);
      let lead = 0;
      while (lead * 8 < raw.length && raw.readBigUInt64LE(lead * 8) === 0n) lead++;
      // Measured: 768 frames of priming silence for float32 at 128 frames per buffer.
      expect(lead).toBe(768);
      expect(raw.subarray(lead * 8, lead * 8 + buf.length).equals(buf)).toBe(true);
      expect(raw.subarray(lead * 8 + buf.length).every((b) => b === 0)).toBe(true);
    } finally {
      alsa.restore();
    }
  });
});

describe('mh_jack on a JACK dummy server', () => {
  it('appears with 128 channels at the server rate, and again after a kill and restart', async (ctx) => {
    const jack = await startJack({ rate: 48000, period: 128, channels: 64 });
    if (!jack) return ctx.skip('jackd is not installed');
    try {
      const dir = freshDir();
      const env = { ...alsaEnv(dir).env, JACK_DEFAULT_SERVER: jack.name, JACK_NO_START_SERVER: '1' };
      const l = await listAudioDevices({ env });
      expect(l.devices.find((d) => d.name === 'mh_jack')).toMatchObject({ hostApi: 'ALSA', maxInputs: 128, maxOutputs: 128, defaultSampleRate: 48000 });
      expect(findDevice(l, 'mh_jack', { inputs: 64, outputs: 64 }).name).toBe('mh_jack');
      // Another server name: the device is not there (each test's server is its own).
      const other = await listAudioDevices({ env: { ...env, JACK_DEFAULT_SERVER: `${jack.name}none` } });
      expect(other.devices.map((d) => d.name)).not.toContain('mh_jack');
      jack.kill();
      await jack.restart();
      const again = await listAudioDevices({ env });
      expect(again.devices.find((d) => d.name === 'mh_jack')?.maxOutputs).toBe(128);
    } finally {
      await jack.stop();
    }
  });
});
