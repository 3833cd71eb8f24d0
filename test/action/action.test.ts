// action.yml (CONTRACT.md §1) run as a GitHub runner runs it (actionRunner.ts): the build step in
// the action's own checkout, then the check step against a workspace with a requirements file
// and the test index. `npm` is a stub that records its calls (the build itself is `npm run build`,
// which the other tests run); the check step runs the real built CLI. Also runs the README's CI
// snippet: its `uses:` step's inputs, and that the SARIF upload reads the file the action wrote.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import type * as Sarif from 'sarif';
import { makeProject, startIndexServer, type IndexServer } from '../support/indexServer';
import { REPO_ROOT, requireBuiltCli } from '../cli/cliRunner';
import { readAction, runAction, type ActionStep } from './actionRunner';

const action = readAction(path.join(REPO_ROOT, 'action.yml'));
/** The only `uses:` steps the action may have: nothing under this project's name. */
const ACCEPTED_USES = /^actions\/setup-node@v\d+$/;

let index: IndexServer;
let stubs: string;
let npmLog: string;
let cache: string;

before(async () => {
  requireBuiltCli();
  index = await startIndexServer();
  index.setProject(makeProject('attrs', { releases: ['25.1.0'] }));
  index.setProject(makeProject('broken', { releases: ['1.0.0'] }));
  // An answer that is no index page: `index-error`, at once (no retries).
  index.setMode('broken', { kind: 'raw', status: 200, contentType: 'application/vnd.pypi.simple.v1+json', body: 'not json' });
  stubs = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-stubs-'));
  npmLog = path.join(stubs, 'npm.log');
  writeFileSync(path.join(stubs, 'npm'), `#!/bin/sh\necho "$PWD: npm $*" >> '${npmLog}'\n`);
  chmodSync(path.join(stubs, 'npm'), 0o755);
  cache = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-action-cache-'));
});
after(async () => {
  await index.close();
  rmSync(stubs, { recursive: true, force: true });
  rmSync(cache, { recursive: true, force: true });
});

function workspace(files: Record<string, string>): { root: string; remove(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-workspace-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(root, name), text);
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}

const REQUIREMENTS = 'attrs==25.1.0\nbroken==1.0.0\n';

async function run(root: string, given: Record<string, unknown>) {
  writeFileSync(npmLog, '');
  return runAction(action, { actionPath: REPO_ROOT, workspace: root, with: { 'index-url': index.url, 'cache-dir': cache, ...given }, pathPrefix: [stubs] });
}

function readSarif(file: string): Sarif.Log {
  return JSON.parse(readFileSync(file, 'utf8')) as Sarif.Log;
}

function resultsOf(log: Sarif.Log): Array<{ rule: string; uri: string; line: number }> {
  return (log.runs[0]?.results ?? []).map((result) => ({
    rule: String(result.ruleId),
    uri: String(result.locations?.[0]?.physicalLocation?.artifactLocation?.uri),
    line: Number(result.locations?.[0]?.physicalLocation?.region?.startLine),
  }));
}

test('action.yml: a composite action whose inputs mirror the CLI flags, using nothing under this project\'s name', () => {
  assert.equal(action.runs.using, 'composite');
  for (const input of ['paths', 'format', 'output', 'index-url', 'strict', 'severity', 'trusted-root', 'cache-dir', 'offline', 'late-upload-days']) {
    assert.ok(action.inputs[input], `input ${input}`);
    assert.ok(action.inputs[input]!.description, `input ${input} is described`);
  }
  for (const step of action.runs.steps) if (step.uses) assert.match(step.uses, ACCEPTED_USES);
  // Inputs reach the scripts through env, never pasted into them.
  for (const step of action.runs.steps) assert.doesNotMatch(step.run ?? '', /\$\{\{/, `no expression inside the script of ${step.name}`);
});

test('the action builds in its own checkout, then checks the workspace: SARIF in the output file, exit 0 without errors', async () => {
  const ws = workspace({ 'requirements.txt': REQUIREMENTS });
  try {
    const result = await run(ws.root, {});
    assert.equal(result.code, 0, JSON.stringify(result.steps.map((s) => s.stderr)));
    assert.deepEqual(result.skipped, ['actions/setup-node@v4']);
    assert.deepEqual(readFileSync(npmLog, 'utf8').trim().split('\n'), [`${REPO_ROOT}: npm ci --no-audit --no-fund --ignore-scripts`, `${REPO_ROOT}: npm run build`]);
    const file = path.join(ws.root, 'pypi-provenance.sarif');
    const results = resultsOf(readSarif(file));
    assert.ok(results.some((r) => r.rule === 'index-error' && r.uri === 'requirements.txt' && r.line === 2), JSON.stringify(results));
    assert.ok(results.some((r) => r.rule === 'no-provenance' && r.line === 1), JSON.stringify(results));
    assert.deepEqual(result.outputs.check, { output: 'pypi-provenance.sarif', 'exit-code': '0' });
  } finally {
    ws.remove();
  }
});

test('strict: true fails the step on an index-error, and the SARIF is still written (into a new folder)', async () => {
  const ws = workspace({ 'requirements.txt': REQUIREMENTS });
  try {
    const result = await run(ws.root, { strict: true, output: 'reports/provenance.sarif' });
    assert.equal(result.code, 1);
    assert.equal(result.outputs.check?.['exit-code'], '1');
    assert.ok(resultsOf(readSarif(path.join(ws.root, 'reports', 'provenance.sarif'))).some((r) => r.rule === 'index-error'));
  } finally {
    ws.remove();
  }
});

test('without an index-error strict changes nothing; severity moves a code to error', async () => {
  const ws = workspace({ 'requirements.txt': 'attrs==25.1.0\n' });
  try {
    assert.equal((await run(ws.root, { strict: 'true' })).code, 0);
    const severe = await run(ws.root, { severity: 'no-provenance=error, late-upload=off', format: 'json', output: 'report.json' });
    assert.equal(severe.code, 1);
    const json = JSON.parse(readFileSync(path.join(ws.root, 'report.json'), 'utf8')) as { documents: Array<{ dependencies: Array<{ diagnostics: string[] }> }> };
    assert.deepEqual(json.documents[0]!.dependencies[0]!.diagnostics, ['no-provenance']);
  } finally {
    ws.remove();
  }
});

test('paths: several, and an input that looks like shell code stays a file name', async () => {
  const ws = workspace({ 'requirements.txt': 'attrs==25.1.0\n', 'dev-requirements.txt': 'broken==1.0.0\n' });
  try {
    const result = await run(ws.root, { paths: 'requirements.txt\ndev-requirements.txt', output: '' });
    assert.equal(result.code, 0);
    const log = result.steps.at(-1)!.stdout;
    assert.match(log, /"uri": "requirements.txt"/);
    assert.match(log, /"uri": "dev-requirements.txt"/);
    const hostile = await run(ws.root, { paths: '$(touch pwned) `touch pwned2`', output: '' });
    assert.equal(hostile.code, 2, 'no such files: bad usage');
    assert.ok(!existsSync(path.join(ws.root, 'pwned')) && !existsSync(path.join(ws.root, 'pwned2')), 'nothing was run');
  } finally {
    ws.remove();
  }
});

test('a boolean input that is not true or false is an error annotation, exit 2', async () => {
  const ws = workspace({ 'requirements.txt': 'attrs==25.1.0\n' });
  try {
    const result = await run(ws.root, { strict: 'yes' });
    assert.equal(result.code, 2);
    assert.match(result.steps.at(-1)!.stdout, /::error title=pypi-provenance::input strict must be true or false/);
  } finally {
    ws.remove();
  }
});

interface Workflow {
  permissions?: Record<string, string>;
  jobs: Record<string, { permissions?: Record<string, string>; steps: Array<ActionStep & { if?: string }> }>;
}

test("the README's CI snippet: its inputs run through the action, and the upload reads the SARIF it wrote", async () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => yaml.load(m[1]!) as Workflow).filter((w) => typeof w === 'object' && w && 'jobs' in w);
  assert.equal(blocks.length, 1, 'one workflow in the README');
  const [job] = Object.values(blocks[0]!.jobs);
  assert.ok(job);
  assert.doesNotMatch(readme, /npx --yes pypi-provenance/, 'no package nobody published');
  const ours = job.steps.filter((step) => step.uses && !/^(actions|github)\//.test(step.uses));
  assert.equal(ours.length, 1, 'one step uses this action');
  assert.match(ours[0]!.uses!, /^[^/]+\/[^/@]+@.+$/, 'uses: OWNER/REPO@REF');
  const upload = job.steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif@'));
  assert.ok(upload, 'the findings are uploaded to code scanning');
  assert.equal(upload.if, 'always()', 'uploaded also when the check fails');
  assert.equal((job.permissions ?? blocks[0]!.permissions)?.['security-events'], 'write');

  const ws = workspace({ 'requirements.txt': REQUIREMENTS });
  try {
    // The README's inputs, pointed at the test index (the README's run would ask PyPI).
    const given = ours[0]!.with ?? {};
    const result = await run(ws.root, given);
    assert.equal(result.code, String(given.strict) === 'true' ? 1 : 0, 'an index-error fails a strict run');
    const sarifFile = String(upload.with?.sarif_file);
    assert.equal(sarifFile, result.outputs.check?.output);
    assert.ok(resultsOf(readSarif(path.join(ws.root, sarifFile))).some((r) => r.rule === 'index-error'));
  } finally {
    ws.remove();
  }
});
