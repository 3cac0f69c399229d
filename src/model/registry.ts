import { clampValue, type ParamDescriptor } from './descriptor.js';
import { MixhostError } from './errors.js';
import type { MixLayout } from './layout.js';
import { buildDescriptors } from './params.js';

// Defined in errors.ts (so that commands load it without the parameter registry); importers
// of registry.js keep working.
export { MixhostError };

/**
 * One registry of every parameter of a mix. Each descriptor has a fixed index; the engine reads
 * values from a flat table (`Float64Array`) by that index, so the table can later live in shared
 * memory between the control plane and the render worker.
 */
export class ParamRegistry {
  readonly descriptors: readonly ParamDescriptor[];
  private readonly byAddress: ReadonlyMap<string, number>;

  constructor(readonly layout: MixLayout) {
    this.descriptors = buildDescriptors(layout);
    const map = new Map<string, number>();
    this.descriptors.forEach((d, i) => {
      if (map.has(d.address)) throw new Error(`duplicate parameter address ${d.address}`);
      map.set(d.address, i);
    });
    this.byAddress = map;
  }

  get size(): number {
    return this.descriptors.length;
  }

  /** Index of an address, or -1 if there is none. */
  find(address: string): number {
    return this.byAddress.get(address) ?? -1;
  }

  /** Index of an address; throws `E_PARAM_UNKNOWN` if there is none. */
  index(address: string): number {
    const i = this.byAddress.get(address);
    if (i === undefined) throw new MixhostError('E_PARAM_UNKNOWN', `unknown parameter address '${address}'`);
    return i;
  }

  descriptor(address: string): ParamDescriptor {
    return this.descriptors[this.index(address)];
  }

  /** A new parameter table holding every default. */
  createTable(): Float64Array {
    const t = new Float64Array(this.descriptors.length);
    this.descriptors.forEach((d, i) => (t[i] = d.default));
    return t;
  }

  /** Write a value in real units, clamped to range; returns the stored value. */
  set(table: Float64Array, address: string, value: number): number {
    const i = this.index(address);
    const v = clampValue(this.descriptors[i], value);
    table[i] = v;
    return v;
  }

  get(table: Float64Array, address: string): number {
    return table[this.index(address)];
  }
}
