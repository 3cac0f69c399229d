/** Child process of the rt benchmarks (see rt.bench.ts): runs one and sends its results. */
import { measureControlToAudio, measureSoak } from './rt.bench.js';

const which = process.argv[2];
const run = which === 'control' ? measureControlToAudio : measureSoak;
run().then(
  (r) => {
    process.send?.(r, () => process.exit(0));
  },
  (e: unknown) => {
    process.stderr.write(`rt benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
