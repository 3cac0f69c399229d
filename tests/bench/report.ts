/** Bench output: one JSON object per line with --json, else aligned text, both on stdout. */
export interface BenchResult {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly [extra: string]: unknown;
}

export function emit(r: BenchResult, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const { name, value, unit, ...rest } = r;
  const extra = Object.entries(rest)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(3) : JSON.stringify(v)}`)
    .join(' ');
  process.stdout.write(`${name.padEnd(34)} ${String(+value.toFixed(3)).padStart(10)} ${unit.padEnd(10)} ${extra}\n`);
}
