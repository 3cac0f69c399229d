/**
 * Small builders of parameter descriptors, shared by the strip, bus and master definitions.
 */
import type { ParamDescriptor, Unit } from './descriptor.js';
import { FADER_MAX_DB, FADER_OFF_DB, enumTaper, faderTaper, linearTaper, logTaper, switchTaper, type Taper } from './tapers.js';

export type Spec = Omit<ParamDescriptor, 'address'> & { address: string };

export function p(address: string, label: string, unit: Unit, min: number, max: number, def: number, taper: Taper): Spec {
  return { address, label, unit, min, max, default: def, taper };
}
export function fader(address: string, label: string, def = 0): Spec {
  return p(address, label, 'dB', FADER_OFF_DB, FADER_MAX_DB, def, faderTaper);
}
export function sw(address: string, label: string, def = 0): Spec {
  return { ...p(address, label, 'switch', 0, 1, def, switchTaper), steps: 2 };
}
export function en(address: string, label: string, options: readonly string[], def: number): Spec {
  return { ...p(address, label, 'enum', 0, options.length - 1, def, enumTaper(options.length)), steps: options.length, options };
}
export function lin(address: string, label: string, unit: Unit, min: number, max: number, def: number): Spec {
  return p(address, label, unit, min, max, def, linearTaper(min, max));
}
export function log(address: string, label: string, unit: Unit, min: number, max: number, def: number): Spec {
  return p(address, label, unit, min, max, def, logTaper(min, max));
}

