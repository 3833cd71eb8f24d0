// The layering rule (.dependency-cruiser.cjs, README "Layout"): the code base keeps it, and a
// climbing import breaks it, so that `npm test` (and CI) fails on one.
import { spawnSync } from 'node:child_process';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const repoRoot = path.resolve(__dirname, '../..');
const config = path.join(repoRoot, '.dependency-cruiser.cjs');
const depcruise = path.join(repoRoot, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

/** dependency-cruiser's violations of the layering rule over `folders` of `cwd`. */
function violations(cwd: string, folders: string[]): Violation[] {
  const run = spawnSync(process.execPath, [depcruise, ...folders, '--config', config, '--output-type', 'json'], { cwd, encoding: 'utf8' });
  assert.ok(run.stdout.trim().startsWith('{'), `dependency-cruiser did not answer: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

const described = (found: Violation[]) => found.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();

test('no folder of the server, the client or the protocol imports a layer above it', () => {
  assert.deepEqual(described(violations(repoRoot, ['server/src', 'client/src', 'protocol/src'])), []);
});

/** A tree laid out like the repository's, with the given files. */
function plantedTree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-layers-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

test('a climbing import is caught, named by the boundary it crosses', () => {
  const root = plantedTree({
    'server/src/lsp/guard.ts': 'export const shellOnly = 1;\n',
    'server/src/core/model.ts': "import { shellOnly } from '../lsp/guard';\nexport const model = shellOnly;\n",
    'server/src/pipeline/createStages.ts': 'export const stages = [];\n',
    'server/src/pipeline/contract/stages.ts': 'export interface FindingStage { name: string }\n',
    'server/src/verification/stage.ts':
      "import type { FindingStage } from '../pipeline/contract/stages';\nimport { stages } from '../pipeline/createStages';\nexport const stage: FindingStage = { name: String(stages.length) };\n",
  });
  try {
    assert.deepEqual(described(violations(root, ['server/src'])), [
      'core-imports-only-core: server/src/core/model.ts → server/src/lsp/guard.ts',
      'lsp-only-from-server-ts: server/src/core/model.ts → server/src/lsp/guard.ts',
      // The contract the stage implements is below it; the stage list that runs it is not.
      'verification-below-zero-trust: server/src/verification/stage.ts → server/src/pipeline/createStages.ts',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the client takes the report types from protocol/, as types only, and never the server', () => {
  const root = plantedTree({
    'protocol/src/report.ts': 'export type Status = string;\nexport const STATUSES = [];\n',
    'server/src/core/result.ts': 'export const STATUS_PRECEDENCE = [];\n',
    'client/src/report/types.ts':
      "import type { Status } from '../../../protocol/src/report';\nimport { STATUSES } from '../../../protocol/src/report';\nimport { STATUS_PRECEDENCE } from '../../../server/src/core/result';\nexport const all: Status[] = [...STATUSES, ...STATUS_PRECEDENCE];\n",
  });
  try {
    assert.deepEqual(described(violations(root, ['client/src', 'protocol/src', 'server/src'])), [
      'client-does-not-import-server: client/src/report/types.ts → server/src/core/result.ts',
      'protocol-is-types-only: client/src/report/types.ts → protocol/src/report.ts',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
