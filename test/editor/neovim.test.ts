// The real-editor tier: headless Neovim (Debian's 0.7.2 in CI) opens a requirements file with
// our language server over stdio and we check the diagnostics the editor actually holds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EDITOR_PROJECTS, startEditorIndex } from './editorIndex';
import { findNeovim, runNeovim, serverPath, NvimSeverity, type NeovimResult, type NvimDiagnostic } from './neovim';

const neovim = findNeovim();
const skip = neovim ? false : 'nvim is not on PATH (CI installs Debian `neovim`; locally: apt-get install -y neovim)';

const HEX_A = 'a'.repeat(64);
const HEX_B = '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b';

// Line by line: what the server must say about each (zero-based lines).
const REQUIREMENTS = [
  '# a requirements file with one problem of each local kind', // 0
  `requests>=2.31 --hash=sha256:${HEX_A}`, // 1  unpinned (it has a hash, so no missing-hashes)
  'sampleproject==4.0.0 \\', // 2  pinned, hashed on the continuation line: nothing local
  `    --hash=sha256:${HEX_B}`, // 3
  'six==1.16.0  # no hash while others have one', // 4  missing-hashes: hash-checking mode is on
  'flask[async==3.0.0', // 5  syntax: the extras bracket is never closed
  '', // 6
].join('\n');
const LINES = REQUIREMENTS.split('\n');

/** The diagnostics the local checks produce; network codes (offline here) are left out. */
const LOCAL_CODES = new Set(['syntax', 'unpinned', 'missing-hashes', 'weak-hash']);

function describe(result: NeovimResult): string {
  return JSON.stringify({ error: result.error, neovim: result.neovim, diagnostics: result.diagnostics, logs: result.logs.slice(-20), stderr: result.stderr.slice(-2000) }, null, 2);
}

function only(result: NeovimResult, code: string): NvimDiagnostic {
  const found = result.diagnostics.filter((d) => d.code === code);
  assert.equal(found.length, 1, `exactly one ${code} diagnostic:\n${describe(result)}`);
  return found[0]!;
}

function assertServerBuilt(): void {
  assert.ok(existsSync(serverPath), `${serverPath} is missing: run \`npm run build\` first`);
}

test(`neovim: the editor receives our local diagnostics with codes, severities and ranges (${neovim ?? 'no nvim'})`, { skip }, async (t) => {
  assertServerBuilt();
  const result = await runNeovim({
    files: { 'requirements.txt': REQUIREMENTS },
    open: 'requirements.txt',
    settings: { offline: true },
    expectCodes: ['syntax', 'unpinned', 'missing-hashes'],
    // The hook a later issue uses for a hover on a verified dependency; here it only has to answer.
    hover: { line: 2, character: 3 },
  });
  assert.equal(result.error, null, describe(result));
  assert.ok(result.ok, describe(result));
  // What the editor holds, in the test report (the closing note of a run quotes it).
  for (const d of result.diagnostics) {
    t.diagnostic(`nvim ${result.neovim} ${d.lnum + 1}:${d.col + 1}-${d.end_lnum + 1}:${d.end_col + 1} severity ${d.severity} ${d.code}: ${d.message}`);
  }

  for (const d of result.diagnostics) assert.equal(d.source, 'pypi-provenance', `source of ${JSON.stringify(d)}`);
  const local = result.diagnostics.filter((d) => d.code !== null && LOCAL_CODES.has(d.code));
  assert.deepEqual(
    local.map((d) => `${d.lnum}:${d.code}`).sort(),
    ['1:unpinned', '4:missing-hashes', '5:syntax'],
    `local diagnostics on the expected lines only (not on the continued requirement at 2-3):\n${describe(result)}`,
  );

  const unpinned = only(result, 'unpinned');
  assert.equal(unpinned.severity, NvimSeverity.hint);
  // CONTRACT §5: a requirement's range runs from its name to the end of its specifier/marker.
  assert.deepEqual([unpinned.lnum, unpinned.col], [1, 0]);
  assert.deepEqual([unpinned.end_lnum, unpinned.end_col], [1, 'requests>=2.31'.length]);

  const missing = only(result, 'missing-hashes');
  assert.equal(missing.severity, NvimSeverity.error);
  assert.deepEqual([missing.lnum, missing.col], [4, 0]);
  assert.deepEqual([missing.end_lnum, missing.end_col], [4, 'six==1.16.0'.length]);

  const syntax = only(result, 'syntax');
  assert.equal(syntax.severity, NvimSeverity.error);
  // From where the extras go wrong (`==` where `,` or `]` must come) to the end of the line.
  assert.deepEqual([syntax.lnum, syntax.col, syntax.end_lnum, syntax.end_col], [5, LINES[5]!.indexOf('=='), 5, LINES[5]!.length]);
  assert.ok(syntax.message.length > 0, 'syntax diagnostic explains itself');

  // Neovim converts the LSP (UTF-16) positions it was sent to byte columns; on this ASCII file
  // they agree, and every diagnostic it holds is one the server published.
  for (const d of local) {
    const sent = result.published.find((p) => p.code === d.code && p.range.start.line === d.lnum);
    assert.ok(sent, `the server published ${d.code} at line ${d.lnum}:\n${describe(result)}`);
    assert.deepEqual(
      [sent.range.start.character, sent.range.end.line, sent.range.end.character, sent.severity],
      [d.col, d.end_lnum, d.end_col, d.severity],
    );
  }

  // The hover hook: once the server offers hover, the request must go through without an error.
  assert.ok(!result.logs.some((line) => line.startsWith('hover error')), describe(result));
});

test('neovim: settings given as init_options / workspace/configuration change severities', { skip }, async () => {
  assertServerBuilt();
  const result = await runNeovim({
    files: { 'requirements.txt': REQUIREMENTS },
    open: 'requirements.txt',
    settings: { offline: true, severity: { 'unpinned': 'warning', 'missing-hashes': 'off' } },
    expectCodes: ['syntax', 'unpinned'],
  });
  assert.equal(result.error, null, describe(result));
  assert.equal(only(result, 'unpinned').severity, NvimSeverity.warning, describe(result));
  assert.equal(only(result, 'syntax').severity, NvimSeverity.error);
  assert.ok(!result.diagnostics.some((d) => d.code === 'missing-hashes'), `an "off" code is not published:\n${describe(result)}`);
});

test('neovim: the harness ends a run whose server never answers instead of hanging', { skip }, async () => {
  // A "server" that reads its stdin and never replies: not even `initialize` completes.
  const result = await runNeovim({
    files: { 'requirements.txt': 'sampleproject==4.0.0\n' },
    open: 'requirements.txt',
    settings: {},
    expectCodes: ['syntax'],
    timeoutMs: 1_000,
    settleMs: 0,
    serverCommand: [process.execPath, '-e', 'process.stdin.resume()'],
  });
  assert.equal(result.ok, false);
  assert.match(result.error ?? '', /timed out/, describe(result));
  assert.deepEqual(result.diagnostics, []);
});

/** The text of a textDocument/hover result as Neovim received it (MarkupContent, or MarkedString[]). */
function hoverText(hover: unknown): string {
  const contents = (hover as { contents?: unknown } | null)?.contents;
  if (typeof contents === 'string') return contents;
  if (Array.isArray(contents)) return contents.map((c) => (typeof c === 'string' ? c : String((c as { value?: unknown }).value ?? ''))).join('\n');
  if (contents && typeof contents === 'object') return String((contents as { value?: unknown }).value ?? '');
  return '';
}

test('neovim: the hover on a verified dependency shows the publisher repository and workflow', { skip }, async (t) => {
  assertServerBuilt();
  // The test index serves a release whose provenance the test Sigstore signed; its trusted root
  // is the `trustedRoot` setting, as a user with a private Sigstore would set it.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-nvim-index-'));
  const index = await startEditorIndex({ dir });
  try {
    const { verified } = EDITOR_PROJECTS;
    const result = await runNeovim({
      // `requests` (unpinned, a local finding) tells the harness that the server is analysing the file.
      files: { 'requirements.txt': `requests\n${verified.name}==${verified.version}\n` },
      open: 'requirements.txt',
      settings: { indexUrl: index.url, trustedRoot: index.trustedRootPath },
      expectCodes: ['unpinned'],
      hover: { line: 1, character: 3 },
      // Verification runs in the background: until it is done the card says it is pending.
      hoverWaitFor: verified.repository,
      timeoutMs: 30_000,
    });
    assert.ok(result.ok, describe(result));
    const text = hoverText(result.hover);
    t.diagnostic(`nvim ${result.neovim} hover on ${verified.name}==${verified.version}:\n${text}`);
    assert.ok(!result.logs.some((line) => /^hover (error|unsupported|timeout)/.test(line)), `${describe(result)}\nhover: ${text}`);
    assert.equal((result.hover as { contents?: { kind?: string } }).contents?.kind, 'markdown', 'Neovim asks for Markdown and gets it');
    assert.match(text, /\*\*Verified\*\*/, text);
    assert.ok(text.includes(`](https://github.com/${verified.repository})`), `the publisher repository, linked:\n${text}`);
    assert.ok(text.includes(`.github/workflows/${verified.workflow}`), `the workflow:\n${text}`);
    // The verified dependency has no diagnostic of its own.
    assert.deepEqual(result.diagnostics.filter((d) => d.lnum === 1).map((d) => d.code), [], describe(result));
    // The server fetched the project from the index the settings name.
    assert.ok(index.index.projectCount(verified.name) >= 1);
  } finally {
    await index.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('neovim: a uv.lock is a dependency file: weak-hash on the locked md5 hash at its exact range, no syntax', { skip }, async () => {
  assertServerBuilt();
  const md5 = 'b'.repeat(32);
  const lock = [
    'version = 1',
    'revision = 3',
    'requires-python = ">=3.9"',
    '',
    '[[package]]',
    'name = "sampleproject"',
    'version = "4.0.0"',
    'source = { registry = "https://pypi.org/simple" }',
    `sdist = { url = "https://files.pythonhosted.org/sampleproject-4.0.0.tar.gz", hash = "md5:${md5}", size = 10 }`,
    '',
  ].join('\n');
  const result = await runNeovim({ files: { 'uv.lock': lock }, open: 'uv.lock', languageId: 'toml', settings: { offline: true }, expectCodes: ['weak-hash'] });
  assert.equal(result.error, null, describe(result));
  const weak = only(result, 'weak-hash');
  const line = lock.split('\n')[8];
  assert.deepEqual([weak.lnum, weak.col, weak.end_lnum, weak.end_col], [8, line.indexOf('md5:'), 8, line.indexOf('md5:') + 4 + 32], describe(result));
  assert.equal(weak.severity, NvimSeverity.error);
  assert.ok(!result.diagnostics.some((d) => d.code === 'syntax'), describe(result));
});
