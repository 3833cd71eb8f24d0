/**
 * Run in a child process by bench/large.bench.ts (issue 15 item 7): the index client alone, as
 * built (server/out, so large pages go to its worker thread), fetches the pages named on the
 * command line from the index at `indexUrl`, all at once, into a fresh cache directory. Prints
 * `{ ms, peakRssMb, baseRssMb, loopMaxMs, files, errors, budgetPeakMb }` as JSON; loopMaxMs is
 * the longest the main thread ran without a break meanwhile.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as httpClient from '../server/out/index/httpClient';
import { createIndexClient } from '../server/out/index/indexClient';

/** The process budget's peak (MB), where the build has one (the bench also runs against older builds). */
function budgetPeakMb(): number | undefined {
  const budget = (httpClient as { processByteBudget?: () => { peak: number } }).processByteBudget?.();
  return budget === undefined ? undefined : budget.peak / 1024 / 1024;
}

function statusMb(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

async function main(): Promise<void> {
  const [indexUrl, ...names] = process.argv.slice(2);
  const cacheDirectory = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-page-client-'));
  const client = createIndexClient({ cacheDirectory });
  try {
    // Modules, the connection pool and the worker loaded before anything is measured.
    await client.getProject(indexUrl, 'warmup');
    const baseRssMb = statusMb('VmRSS');
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const start = performance.now();
    const answers = await Promise.all(names.map((name) => client.getProject(indexUrl, name)));
    const ms = performance.now() - start;
    loop.disable();
    const files = answers.reduce((sum, answer) => sum + (answer.kind === 'found' ? answer.page.files.length : 0), 0);
    const errors = answers.flatMap((answer) => (answer.kind === 'error' ? [answer.error.message] : []));
    process.stdout.write(
      JSON.stringify({ ms, peakRssMb: statusMb('VmHWM'), baseRssMb, loopMaxMs: loop.max / 1e6, files, errors, budgetPeakMb: budgetPeakMb() }) + '\n',
    );
  } finally {
    await client.close();
    rmSync(cacheDirectory, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stdout.write(JSON.stringify({ error: String(error) }) + '\n');
  process.exitCode = 1;
});
