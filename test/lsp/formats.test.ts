// Diagnostics on open for each of the three formats, with exact ranges, through the real server.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { LspClient, Severity, fileUri, withClient } from '../support/lspClient';

const workspace = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-formats-'));
after(() => rmSync(workspace, { recursive: true, force: true }));

type Row = [code: string, severity: number, startLine: number, startChar: number, endLine: number, endChar: number];

/** Diagnostics as comparable rows, in document order. */
function rows(diagnostics: Diagnostic[]): Row[] {
  return diagnostics
    .map((d): Row => [String(d.code), d.severity ?? 0, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character])
    .sort((a, b) => a[2] - b[2] || a[3] - b[3] || a[0].localeCompare(b[0]));
}

async function diagnose(client: LspClient, relative: string, text: string): Promise<Diagnostic[]> {
  const uri = fileUri(path.join(workspace, relative));
  client.open(uri, text);
  // These are the file's own findings: no index is reachable here, and whether the default
  // index's index-error is in the same publish depends only on how fast DNS fails.
  return (await client.waitForDiagnostics(uri)).filter((d) => d.code !== 'index-error');
}

const REQUIREMENTS = [
  'requests>=2.0  # comment', // 0: unpinned, and missing-hashes (hash mode is on)
  'flask==3.0.0 \\', // 1
  '    --hash=md5:0123456789abcdef0123456789abcdef', // 2: weak-hash on `md5:…`
  'attrs==25.1.0', // 3: missing-hashes
  'bad name!', // 4: syntax
  '-r missing.txt', // 5: missing-file on the target
  '-c present.txt', // 6: exists, nothing
];
const REQUIREMENTS_EXPECTED: Row[] = [
  ['missing-hashes', Severity.Error, 0, 0, 0, 13],
  ['unpinned', Severity.Hint, 0, 0, 0, 13],
  ['weak-hash', Severity.Error, 2, 11, 2, 47],
  ['missing-hashes', Severity.Error, 3, 0, 3, 13],
  ['syntax', Severity.Error, 4, 4, 4, 9],
  ['missing-file', Severity.Error, 5, 3, 5, 14],
];

test('requirements.txt: syntax, unpinned, missing-hashes, weak-hash, missing-file', async () => {
  writeFileSync(path.join(workspace, 'present.txt'), 'idna==3.10\n');
  await withClient({}, async (client) => {
    const diagnostics = await diagnose(client, 'requirements.txt', REQUIREMENTS.join('\n') + '\n');
    assert.deepEqual(rows(diagnostics), REQUIREMENTS_EXPECTED);
    for (const d of diagnostics) {
      assert.equal(d.source, 'pypi-provenance');
      assert.equal(d.codeDescription?.href, `https://github.com/pypi-provenance/pypi-provenance#${d.code}`);
      assert.ok(d.message.length > 0);
    }
    const unpinned = diagnostics.find((d) => d.code === 'unpinned')!;
    assert.deepEqual(unpinned.data, { dependency: 0 });
    // Same file with CRLF line ends: the same ranges.
    assert.deepEqual(rows(await diagnose(client, 'crlf/requirements.txt', REQUIREMENTS.join('\r\n') + '\r\n')).filter((r) => r[0] !== 'missing-file'), REQUIREMENTS_EXPECTED.filter((r) => r[0] !== 'missing-file'));
  });
});

test('requirements.txt: a clean, fully pinned and hashed file has no diagnostics', async () => {
  await withClient({}, async (client) => {
    const text = 'sampleproject==4.0.0 \\\n    --hash=sha256:0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b\n';
    assert.deepEqual(await diagnose(client, 'clean/requirements.txt', text), []);
  });
});

test('requirements.txt: an -r target that appears on disk clears missing-file (didChangeWatchedFiles)', async () => {
  await withClient({}, async (client) => {
    const dir = path.join(workspace, 'watched');
    const uri = fileUri(path.join(dir, 'requirements.txt'));
    client.open(uri, '-r base.txt\n');
    assert.deepEqual(rows(await client.waitForDiagnostics(uri)), [['missing-file', Severity.Error, 0, 3, 0, 11]]);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'base.txt'), 'idna==3.10\n');
    const since = client.mark();
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: fileUri(path.join(dir, 'base.txt')), type: 1 }] });
    assert.deepEqual(await client.waitForDiagnostics(uri, { since }), []);
  });
});

test('pyproject.toml: unpinned and syntax inside the strings of every table', async () => {
  const text = [
    '[project]', // 0
    'name = "demo"', // 1
    'dependencies = [', // 2
    '  "requests>=2",', // 3: unpinned, inside the quotes
    "  'flask==3.0.0',", // 4: pinned: nothing
    '  "bad name!",', // 5: syntax
    ']', // 6
    '[project.optional-dependencies]', // 7
    'test = ["pytest"]', // 8: unpinned
    '[build-system]', // 9
    'requires = ["setuptools>=61"]', // 10: unpinned
  ].join('\n');
  await withClient({}, async (client) => {
    assert.deepEqual(rows(await diagnose(client, 'pyproject.toml', text)), [
      ['unpinned', Severity.Hint, 3, 3, 3, 14],
      ['syntax', Severity.Error, 5, 7, 5, 12],
      ['unpinned', Severity.Hint, 8, 9, 8, 15],
      ['unpinned', Severity.Hint, 10, 13, 10, 27],
    ]);
  });
});

test('pylock.toml: weak-hash on the hash, syntax on the broken package, unpinned without a version', async () => {
  const text = [
    'lock-version = "1.0"', // 0
    'created-by = "test"', // 1
    '[[packages]]', // 2
    'name = "attrs"', // 3
    'version = "25.1.0"', // 4
    '[[packages.wheels]]', // 5
    'name = "attrs-25.1.0-py3-none-any.whl"', // 6
    'url = "https://files.example/attrs-25.1.0-py3-none-any.whl"', // 7
    'hashes = {md5 = "0123456789abcdef0123456789abcdef"}', // 8: weak-hash inside the quotes
    '[[packages]]', // 9
    'name = "idna"', // 10: no version: unpinned; no source: syntax on the table header
    '[[packages]]', // 11: no name: syntax
    'version = "1"', // 12
  ].join('\n');
  await withClient({}, async (client) => {
    assert.deepEqual(rows(await diagnose(client, 'pylock.toml', text)), [
      ['weak-hash', Severity.Error, 8, 17, 8, 49],
      ['syntax', Severity.Error, 9, 0, 9, 12],
      ['unpinned', Severity.Hint, 10, 8, 10, 12],
      ['syntax', Severity.Error, 11, 0, 11, 12],
    ]);
  });
});

test('pylock.*.toml is a lock file too', async () => {
  await withClient({}, async (client) => {
    const diagnostics = await diagnose(client, 'pylock.dev.toml', 'lock-version = "1.0"\n[[packages]]\nversion = "1"\n');
    assert.ok(diagnostics.some((d) => d.code === 'syntax'));
  });
});
