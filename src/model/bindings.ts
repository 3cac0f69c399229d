/**
 * Bindings from session-file fields to parameter addresses, and the value conversions between
 * the file (booleans, enum labels) and the parameter table (numbers). One table of bindings
 * drives the schema, applying a session and saving one.
 */
import type { ParamDescriptor } from './descriptor.js';
import type { ParamRegistry } from './registry.js';

export type Scalar = boolean | number | string;
/** Every key of T bound: a string is an address suffix, an object a nested group. */
export type Bindings<T> = { readonly [K in keyof T]-?: NonNullable<T[K]> extends Scalar ? string : Bindings<NonNullable<T[K]>> };

/** A group of bindings as the generic code sees it. */
export interface AnyBindings {
  readonly [key: string]: string | AnyBindings;
}

/** The JSON values of an enum: numbers when every label is numeric (HPF slope), else labels. */
export function enumValues(d: ParamDescriptor): readonly (string | number)[] {
  const options = d.options ?? [];
  const numeric = options.length > 0 && options.every((o) => o.trim() !== '' && Number.isFinite(Number(o)));
  return numeric ? options.map(Number) : options;
}

/** File value -> table value (the schema has already checked the type and range). */
export function toTableValue(d: ParamDescriptor, v: unknown): number {
  if (d.unit === 'switch') return v === true ? 1 : 0;
  if (d.unit === 'enum') {
    const i = enumValues(d).indexOf(v as string | number);
    return i < 0 ? d.default : i;
  }
  return v as number;
}

/** Table value -> file value. */
export function fromTableValue(d: ParamDescriptor, v: number): Scalar {
  if (d.unit === 'switch') return v >= 0.5;
  if (d.unit === 'enum') {
    const values = enumValues(d);
    const i = Math.round(v);
    return values[i >= 0 && i < values.length ? i : d.default];
  }
  return v;
}


/** Write every field of `value` that `b` binds into the table, at `prefix` + suffix. */
export function applyBindings(b: AnyBindings, value: unknown, reg: ParamRegistry, table: Float64Array, prefix: string): void {
  if (value === undefined || value === null) return;
  const obj = value as Record<string, unknown>;
  for (const [key, bind] of Object.entries(b)) {
    const v = obj[key];
    if (v === undefined) continue;
    if (typeof bind === 'string') {
      const address = prefix + bind;
      reg.set(table, address, toTableValue(reg.descriptor(address), v));
    } else applyBindings(bind, v, reg, table, prefix);
  }
}

/** Read every field `b` binds from the table, as the file writes it. */
export function readBindings(b: AnyBindings, reg: ParamRegistry, table: Float64Array, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, bind] of Object.entries(b)) {
    if (typeof bind === 'string') {
      const address = prefix + bind;
      out[key] = fromTableValue(reg.descriptor(address), reg.get(table, address));
    } else out[key] = readBindings(bind, reg, table, prefix);
  }
  return out;
}
