/**
 * Issue 15 items 2–3 and issue 9 item 6: large and hostile documents (issue 9's goal for a 3 MB
 * uv.lock: first diagnostics within 300 ms of didOpen, server peak RSS within 150 MB). Each row is one child
 * process (largeDocument.child.ts parses in process; largeServer.child.ts goes through the real
 * server over stdio), so each peak resident set is that case's alone. The anchor row parses a
 * JSON document of the same size with JSON.parse in the same way: what "as fast as the platform"
 * looks like on this machine and in this run.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { BenchRow, BenchSection } from './harness';

interface ChildResult {
  ms: number;
  peakRssMb?: number;
  baseRssMb?: number;
  serverPeakRssMb?: number;
  problems?: number;
  diagnostics?: number;
  first?: string;
  firstProblem?: string;
  dependencies?: number;
  /** The bare value parser (smol-toml, no positions) on the same text, in the same child: the anchor. */
  valueParserMs?: number;
  error?: string;
}

function runChild(repoRoot: string, script: string, args: string[]): ChildResult {
  const output = execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench', script), ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 1024 * 1024,
  });
  return JSON.parse(output.trim().split('\n').pop() ?? '{}') as ChildResult;
}

const CASES: Array<[string, string, string]> = [
  ['json-anchor', '3', 'anchor: JSON.parse of a uv.lock-shaped JSON of 3 MB'],
  ['uv.lock', '3', 'uv.lock, generated, 3 MB (about 2,000 packages)'],
  ['value-parser:uv.lock', '3', 'anchor: smol-toml alone (values, no positions) on that uv.lock'],
  ['uv.lock', '10', 'uv.lock, generated, 10 MB'],
  ['poetry.lock', '3', 'poetry.lock, generated, 3 MB'],
  ['poetry.lock', '10', 'poetry.lock, generated, 10 MB'],
  ['pylock', '3', 'pylock.toml, generated, 3 MB'],
  ['pyproject', '3', 'pyproject.toml, one dependencies array, 3 MB'],
  ['requirements', '10', 'requirements.txt, pip-compile with hashes, 10 MB'],
  ['unpinned', '10', 'requirements.txt, one short name a line, 10 MB'],
  ['nested', '4', 'nested inline tables, 4 MB'],
  ['nested', '8', 'nested inline tables, 8 MB'],
];

const SERVER_CASES: Array<[string, string, string]> = [
  ['uv.lock', '3', 'uv.lock, 3 MB (about 2,000 packages)'],
  ['uv.lock', '10', 'uv.lock, 10 MB'],
  ['poetry.lock', '3', 'poetry.lock, 3 MB'],
  ['poetry.lock', '10', 'poetry.lock, 10 MB'],
  ['pylock', '3', 'pylock.toml, 3 MB'],
  ['requirements', '10', 'requirements.txt with hashes, 10 MB'],
  ['unpinned', '10', 'requirements.txt, one name a line, 10 MB'],
  ['nested', '8', 'nested inline tables, 8 MB'],
];

const parseLarge: BenchSection = {
  name: 'large/parse',
  title: 'large documents: one parse in a fresh child process (time, peak RSS above the generated text)',
  async run({ repoRoot, quick, log }) {
    const rows: BenchRow[] = [];
    for (const [kind, mb, label] of quick ? CASES.slice(0, 4) : CASES) {
      const result = runChild(repoRoot, 'largeDocument.child.ts', [kind, mb]);
      log(`${label}: ${JSON.stringify(result)}`);
      const extra = (result.peakRssMb ?? 0) - (result.baseRssMb ?? 0);
      const said = result.firstProblem ? `; first problem: ${result.firstProblem.slice(0, 60)}` : '';
      rows.push({ metric: `${label}: parse`, value: result.ms, unit: 'ms', note: `${result.dependencies ?? 0} dependencies, ${result.problems ?? 0} problems${said}` });
      rows.push({ metric: `${label}: peak RSS`, value: result.peakRssMb ?? Number.NaN, unit: 'MB', note: `${extra.toFixed(0)} MB above the process with the text generated` });
    }
    return rows;
  },
};

const serverLarge: BenchSection = {
  name: 'large/server',
  title: 'large documents through the real server over stdio (offline): didOpen → first diagnostics, server peak RSS',
  async run({ repoRoot, quick, log }) {
    const rows: BenchRow[] = [];
    for (const [kind, mb, label] of quick ? SERVER_CASES.slice(0, 1) : SERVER_CASES) {
      const result = runChild(repoRoot, 'largeServer.child.ts', [kind, mb]);
      log(`${label}: ${JSON.stringify(result)}`);
      if (result.error !== undefined) throw new Error(`${label}: ${result.error}`);
      rows.push({ metric: `${label}: didOpen → diagnostics`, value: result.ms, unit: 'ms', note: `${result.diagnostics} diagnostics${result.first ? `; first: ${result.first.slice(0, 60)}` : ''}` });
      rows.push({ metric: `${label}: server peak RSS`, value: result.serverPeakRssMb ?? Number.NaN, unit: 'MB', note: 'VmHWM of the server process after the publish' });
      if (result.valueParserMs !== undefined) {
        rows.push({ metric: `${label}: anchor, smol-toml alone on the same text`, value: result.valueParserMs, unit: 'ms', note: 'values only, no positions, in the bench process before the server starts' });
      }
    }
    return rows;
  },
};

export const sections: BenchSection[] = [parseLarge, serverLarge];
