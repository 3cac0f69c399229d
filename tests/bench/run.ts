/**
 * `npm run bench [-- --json] [-- PREFIX]`: runs the benchmarks whose name starts with PREFIX
 * (all by default) and prints one result per line (`{"name","value","unit",...}` with --json).
 */
import { benchMeters, benchSetToFeedback } from './control.bench.js';
import { benchAllocation, benchAllocationPerChange, benchStrips } from './engine.bench.js';
import { benchLoudness } from './loudness.bench.js';
import { benchMidiToFeedback } from './midi.bench.js';
import { benchOscSets } from './osc.bench.js';
import { benchX32FullSync } from './x32.bench.js';
import { benchMaster } from './master.bench.js';
import { benchRender } from './render.bench.js';
import { benchControlToAudio, benchSoak } from './rt.bench.js';
import { emit, type BenchResult } from './report.js';

const BENCHES: ReadonlyArray<{ names: string[]; run: () => BenchResult[] | Promise<BenchResult[]> }> = [
  { names: ['engine.strips_realtime_1core'], run: benchStrips },
  { names: ['engine.bytes_allocated_per_block'], run: benchAllocation },
  { names: ['engine.bytes_allocated_per_change'], run: benchAllocationPerChange },
  { names: ['render.realtime_factor', 'render.vs_ffmpeg'], run: benchRender },
  { names: ['loudness.measure_vs_ffmpeg'], run: benchLoudness },
  { names: ['master.chain_realtime_factor'], run: benchMaster },
  { names: ['rt.control_to_audio_ms'], run: benchControlToAudio },
  { names: ['rt.soak_deadline_misses', 'rt.cpu_load_64ch'], run: benchSoak },
  { names: ['control.set_to_feedback_p99_ms'], run: benchSetToFeedback },
  { names: ['remote.meters_32_clients_cpu'], run: benchMeters },
  { names: ['midi.in_to_feedback_p99_ms'], run: benchMidiToFeedback },
  { names: ['osc.set_per_s'], run: benchOscSets },
  { names: ['osc.x32_full_sync_s'], run: benchX32FullSync },
];

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const json = args.includes('--json');
  const prefix = args.find((a) => !a.startsWith('--')) ?? '';
  const chosen = BENCHES.filter((b) => b.names.some((n) => n.startsWith(prefix)));
  if (chosen.length === 0) {
    process.stderr.write(`no benchmark starts with '${prefix}'; known: ${BENCHES.flatMap((b) => b.names).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  for (const b of chosen) {
    for (const r of await b.run()) if (r.name.startsWith(prefix)) emit(r, json);
  }
}

void main();
