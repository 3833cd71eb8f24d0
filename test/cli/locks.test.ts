// `check` on a project with its lock: uv.lock and poetry.lock found in a directory and read as
// locks (every locked package reported, no false `syntax`), and the pyproject.toml beside them
// taking the locked versions (`lockedIn`), in text, json and sarif.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { poetryLockText, serveLockedProjects, uvLockText, type LockedRelease } from '../support/lockFixtures';
import { makeTree, runCli, type JsonReport } from './cliRunner';
import { startIndexServer, type IndexServer } from '../support/indexServer';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let index: IndexServer;
let flags: string[];
let cache: string;
let releases: LockedRelease[];
before(async () => {
  index = await startIndexServer();
  releases = serveLockedProjects(index);
  cache = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-lock-cli-'));
  flags = ['--index-url', index.url, '--cache-dir', cache];
});
after(async () => {
  await index.close();
  rmSync(cache, { recursive: true, force: true });
});

const PYPROJECT = '[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["attrs>=24", "idna", "six>=1"]\n';

type Doc = JsonReport['documents'][number];

function byFile(report: JsonReport, name: string): Doc {
  const doc = report.documents.find((d) => path.basename(d.uri) === name);
  assert.ok(doc, `${name} is in the report`);
  return doc;
}

test('a directory with pyproject.toml + uv.lock: the lock read as a lock, the pyproject through it', async () => {
  const tree = makeTree({ 'pyproject.toml': PYPROJECT, 'uv.lock': uvLockText(index.url, releases) });
  try {
    const { stdout, code } = await runCli(['check', ...flags, '--trust-workspace', '--format', 'json', '.'], { cwd: tree.root });
    const report = JSON.parse(stdout) as JsonReport;
    const lock = byFile(report, 'uv.lock');
    assert.deepEqual(lock.dependencies.map((d) => [d.name, d.version]), [['attrs', '25.1.0'], ['idna', '3.10'], ['app', null]]);
    assert.ok(!lock.findings.some((f) => f.code === 'syntax'), JSON.stringify(lock.findings));
    assert.deepEqual(lock.dependencies.slice(0, 2).map((d) => d.status), ['unattested', 'unattested']);
    const pyproject = byFile(report, 'pyproject.toml');
    assert.deepEqual(pyproject.dependencies.map((d) => [d.name, d.version, d.lockedIn]), [['attrs', '25.1.0', 'uv.lock'], ['idna', '3.10', 'uv.lock'], ['six', null, undefined]]);
    assert.deepEqual(pyproject.dependencies[0].diagnostics, ['no-provenance']);
    assert.ok(!pyproject.dependencies[0].diagnostics.includes('unpinned'));
    const six = pyproject.findings.find((f) => f.dependency === 2);
    assert.equal(six?.code, 'unpinned');
    assert.equal(six?.message, 'six is not in uv.lock: run `uv lock`');
    assert.equal(code, 0, stdout);
  } finally {
    tree.remove();
  }
});

test('a tampered hash in uv.lock: hash-not-on-index on the locked hash, in the lock and on the pyproject line', async () => {
  const tampered = releases.map((r, i) => (i === 0 ? { ...r, tamperedWheelHash: 'ab'.repeat(32) } : r));
  const text = uvLockText(index.url, tampered);
  const tree = makeTree({ 'pyproject.toml': PYPROJECT, 'uv.lock': text });
  try {
    const { stdout, code } = await runCli(['check', ...flags, '--trust-workspace', '--format', 'json', '.'], { cwd: tree.root });
    const report = JSON.parse(stdout) as JsonReport;
    const finding = byFile(report, 'uv.lock').findings.find((f) => f.code === 'hash-not-on-index');
    const lines = text.split('\n');
    const line = lines.findIndex((l) => l.includes('ab'.repeat(32)));
    const start = lines[line].indexOf('sha256:');
    assert.deepEqual(finding?.range, { start: { line, character: start }, end: { line, character: start + 'sha256:'.length + 64 } });
    const pyproject = byFile(report, 'pyproject.toml');
    assert.ok(pyproject.dependencies[0].diagnostics.includes('hash-not-on-index'));
    assert.equal(pyproject.dependencies[0].status, 'invalid');
    assert.equal(code, 1);
  } finally {
    tree.remove();
  }
});

test('a directory with pyproject.toml + poetry.lock, in text and sarif too', async () => {
  const tree = makeTree({ 'pyproject.toml': PYPROJECT, 'poetry.lock': poetryLockText(releases) });
  try {
    const json = JSON.parse((await runCli(['check', ...flags, '--format', 'json', '.'], { cwd: tree.root })).stdout) as JsonReport;
    const lock = byFile(json, 'poetry.lock');
    assert.deepEqual(lock.dependencies.map((d) => [d.name, d.version, d.status]), [['attrs', '25.1.0', 'unattested'], ['idna', '3.10', 'unattested']]);
    assert.ok(!lock.findings.some((f) => f.code === 'syntax'));
    const pyproject = byFile(json, 'pyproject.toml');
    assert.deepEqual(pyproject.dependencies.map((d) => d.lockedIn), ['poetry.lock', 'poetry.lock', undefined]);
    assert.equal(pyproject.findings.find((f) => f.dependency === 2)?.message, 'six is not in poetry.lock: run `poetry lock`');

    const text = (await runCli(['check', ...flags, '.'], { cwd: tree.root })).stdout;
    assert.match(text, /^poetry\.lock \(2 dependencies\)$/m);
    assert.match(text, /^ {2}attrs\s+25\.1\.0\s+unattested/m);
    const sarif = JSON.parse((await runCli(['check', ...flags, '--format', 'sarif', 'poetry.lock'], { cwd: tree.root })).stdout);
    const results = sarif.runs[0].results as Array<{ ruleId: string }>;
    assert.ok(results.length > 0 && results.every((r) => r.ruleId !== 'syntax'), JSON.stringify(results.map((r) => r.ruleId)));
  } finally {
    tree.remove();
  }
});
