/**
 * The child process of `listAudioDevices()` (src/audio/devices.ts): loads PortAudio, enumerates
 * the devices, sends the list to the parent over the IPC channel and exits.
 *
 * It exists so that what PortAudio, ALSA and JACK print to the C stdout and stderr while they
 * probe lands in pipes the parent drains, never in the output of a `mixhost` command, and so
 * that a driver hanging in enumeration can be killed. Run without an IPC channel (by hand), it
 * prints the list as JSON on stdout after PortAudio's own lines.
 */
import { enumerateDevices, type AudioDeviceList } from './devices.js';
import { loadPortAudio } from './portaudio-binding.js';

function probe(): AudioDeviceList {
  const loaded = loadPortAudio();
  if ('error' in loaded) return { available: false, reason: loaded.error, devices: [], hostApis: [] };
  return enumerateDevices(loaded.binding);
}

const list = probe();
if (process.send) {
  process.send(list, () => process.exit(0));
} else {
  process.stdout.write(`${JSON.stringify(list)}\n`, () => process.exit(0));
}
