#!/usr/bin/env node
/**
 * The command-line check: `node server/out/cli.js check [options] FILE...` (package.json `bin`
 * names it `pypi-provenance`). Everything it does is in cli/main.ts; this file only binds it to
 * the process.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './cli/main';
import { keepHeapNearLive } from './core/heapGrowth';
import { errorText } from './pipeline/contract/logger';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Exit once the output is written out: a pipe may still be taking it when the work is done. */
function exit(code: number): void {
  process.stdout.write('', () => process.exit(code));
}

// A reader that goes away (`| head`) must not turn into a crash: the exit code still tells the result.
process.stdout.on('error', () => undefined);
keepHeapNearLive();

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd(), version: packageVersion() }).then(exit, (error) => {
  process.stderr.write(`pypi-provenance: internal error: ${errorText(error)}\n`);
  exit(2);
});
