/**
 * Building blocks of the data-file schemas (mastering profiles, surface devices and profiles):
 * zod fields whose messages read well, and one line per problem out of zod's issues.
 */
import { z } from 'zod';
import { showValue } from './session-schema.js';
import { formatPath } from './session.js';

export type ErrorFn = (iss: { code?: string; input?: unknown }) => string | undefined;

/** "missing, expected X" or "expected X, got Y". */
export const typeError =
  (expected: string): ErrorFn =>
  (iss) =>
    iss.input === undefined ? `missing, expected ${expected}` : `expected ${expected}, got ${showValue(iss.input)}`;

/** A non-empty string of at most `max` characters. */
export function text(max: number, what = 'a string') {
  return z
    .string({ error: typeError(what) })
    .min(1, { error: () => 'empty' })
    .max(max, { error: () => `longer than ${max} characters` });
}

/** One of a list of strings; the message lists them. */
export function oneOf<T extends readonly [string, ...string[]]>(values: T) {
  const list = values.join(', ');
  return z.enum(values, { error: (iss) => (iss.input === undefined ? `missing, expected one of ${list}` : `${showValue(iss.input)} is not one of ${list}`) });
}

export const bool = () => z.boolean({ error: typeError('true or false') });

/** Messages for issues no field gave its own text. */
export function fallbackMessage(iss: { code?: string; input?: unknown; expected?: string }): string {
  if (iss.code === 'invalid_type') return iss.input === undefined ? `missing, expected ${iss.expected}` : `expected ${iss.expected}, got ${showValue(iss.input)}`;
  return `${showValue(iss.input)} is not allowed here`;
}

/** One line per problem: `<path>: <what is wrong>`, `what` naming the whole file's object. */
export function issueLines(issues: readonly z.core.$ZodIssue[], what: string): string[] {
  const lines: string[] = [];
  for (const iss of issues) {
    const path = iss.path as PropertyKey[];
    if (iss.code === 'unrecognized_keys') {
      for (const key of iss.keys) lines.push(`${formatPath([...path, key])}: unknown field`);
    } else {
      lines.push(`${formatPath(path) || what}: ${iss.message}`);
    }
  }
  return lines;
}
