/**
 * How many inputs each fast-check property tries. `npm test` runs every property at the size its
 * file gives (what CI can afford); `PYPI_PROVENANCE_FUZZ_SCALE=50` multiplies every one of them
 * for a bigger run:
 *
 *   fc.assert(fc.property(…), { numRuns: fuzzRuns(300) });   // 300, or 15,000 at scale 50
 *
 * With `PYPI_PROVENANCE_FUZZ_TALLY=FILE` each test file appends one JSON line to FILE at exit,
 * `{"file":…,"properties":N,"runs":M}`, so a big run can say how many inputs it tried in all.
 */
import { appendFileSync } from 'node:fs';
import path from 'node:path';

/** fast-check's own default, for properties that had no numRuns of their own. */
export const DEFAULT_RUNS = 100;

function scaleFromEnvironment(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return 1;
  const scale = Number(raw);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`PYPI_PROVENANCE_FUZZ_SCALE must be a positive number, not ${JSON.stringify(raw)}`);
  return scale;
}

export const FUZZ_SCALE = scaleFromEnvironment(process.env.PYPI_PROVENANCE_FUZZ_SCALE);

let properties = 0;
let runs = 0;
const tallyFile = process.env.PYPI_PROVENANCE_FUZZ_TALLY;
if (tallyFile) {
  process.on('exit', () => {
    if (properties > 0) appendFileSync(tallyFile, `${JSON.stringify({ file: path.relative(process.cwd(), process.argv[1] ?? ''), properties, runs, scale: FUZZ_SCALE })}\n`);
  });
}

/** `base` inputs scaled by PYPI_PROVENANCE_FUZZ_SCALE (at least one), counted for the tally. */
export function fuzzRuns(base: number = DEFAULT_RUNS): number {
  const scaled = Math.max(1, Math.round(base * FUZZ_SCALE));
  properties++;
  runs += scaled;
  return scaled;
}
