// The "Add hash pins" code actions (CONTRACT §7) through the real server: the exact pip-compile
// layout, the fix-all (quickfix and source.fixAll.pypiProvenance), the diagnostics they fix, what
// happens when the files are not known, and — when python3 with pip is on the machine — pip's own
// hash-checking mode accepting the result, against the test index serving real wheels.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { CodeAction, Diagnostic, TextDocumentEdit, TextEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { localFindings } from '../../server/src/checks/local';
import { parseDocument } from '../../server/src/parsers/index';
import { withClient, type LspClient, type LspClientOptions } from '../support/lspClient';
import { fileFrom, makeProject, startIndexServer, type IndexServer, type TestFile, type TestProject } from '../support/indexServer';
import { FAST_INDEX_ENV, TempDirs, checked, openAndResolve, uriIn } from './resolutionSupport';
import { SignedIndex } from './verificationSupport';

const run = promisify(execFile);
const dirs = new TempDirs();
let index: IndexServer;
const projects = new Map<string, TestProject>();

/** A minimal but valid py3 wheel, made by Python's zipfile (deterministic bytes). */
const MAKE_WHEEL = `
import base64, hashlib, io, sys, zipfile
name, version = sys.argv[1], sys.argv[2]
dist = name.replace('-', '_')
info = f'{dist}-{version}.dist-info'
files = {
    f'{dist}/__init__.py': b'',
    f'{info}/METADATA': f'Metadata-Version: 2.1\\nName: {name}\\nVersion: {version}\\n'.encode(),
    f'{info}/WHEEL': b'Wheel-Version: 1.0\\nGenerator: pypi-provenance-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n',
}
digest = lambda d: base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b'=').decode()
files[f'{info}/RECORD'] = (''.join(f'{p},sha256={digest(d)},{len(d)}\\n' for p, d in files.items()) + f'{info}/RECORD,,\\n').encode()
out = io.BytesIO()
with zipfile.ZipFile(out, 'w', zipfile.ZIP_DEFLATED) as z:
    for p, d in files.items():
        z.writestr(zipfile.ZipInfo(p, (2024, 1, 1, 0, 0, 0)), d)
sys.stdout.buffer.write(out.getvalue())
`;

// The interpreter itself, not a shim: pyenv's shim runs a rehash after `pip install` (even --dry-run)
// that waits up to 60 s on a lock a killed process may have left behind.
const pythonProbe = spawnSync('python3', ['-c', 'import pip, sys, zipfile; print(sys.executable)'], { encoding: 'utf8' });
const python = pythonProbe.status === 0 && pythonProbe.stdout.trim() !== '' ? pythonProbe.stdout.trim() : undefined;
const pipCanDryRun = python !== undefined && spawnSync(python, ['-m', 'pip', 'install', '--help'], { encoding: 'utf8' }).stdout.includes('--dry-run');

/** A release with a real wheel (when Python is here) and an sdist, as pip-compile would hash both. */
function project(name: string, version: string): TestProject {
  const generated = makeProject(name, { releases: [version] });
  if (python === undefined) return generated;
  const wheel = spawnSync(python, ['-c', MAKE_WHEEL, name, version]);
  if (wheel.status !== 0) return generated;
  const sdist = generated.files.find((f) => f.filename.endsWith('.tar.gz'))!;
  const real: TestFile = fileFrom(`${name.replace(/-/g, '_')}-${version}-py3-none-any.whl`, version, wheel.stdout, { uploadTime: sdist.uploadTime });
  return { ...generated, files: [sdist, real] };
}

function sortedHashes(name: string): string[] {
  return projects.get(name)!.files.map((f) => f.sha256).sort();
}

/** The pip-compile layout of a requirement with its hashes. */
function pinned(requirement: string, name: string, comment = ''): string {
  return [`${requirement} \\`, ...sortedHashes(name).map((hex, i, all) => `    --hash=sha256:${hex}${i < all.length - 1 ? ' \\' : comment}`)].join('\n');
}

before(async () => {
  index = await startIndexServer();
  for (const [name, version] of [['demo-a', '1.0'], ['demo-b', '2.0']] as const) {
    const made = project(name, version);
    projects.set(name, made);
    index.setProject(made);
  }
  index.setProject(makeProject('slow-index', { releases: ['1.0'] }));
  index.setMode('slow-index', { kind: 'hang' });
});
after(async () => {
  await index.close();
  dirs.cleanup();
});

const CAPABLE: LspClientOptions['capabilities'] = {
  workspace: { workspaceEdit: { documentChanges: true } },
  textDocument: { codeAction: { disabledSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source.fixAll'] } } } },
};

function options(capabilities: LspClientOptions['capabilities'] = CAPABLE, env: Record<string, string> = {}): LspClientOptions {
  return { settings: { indexUrl: index.url, cacheDirectory: dirs.make('cache') }, env: { ...FAST_INDEX_ENV, ...env }, capabilities };
}

function codeActions(client: LspClient, uri: string, line: number, extra: { only?: string[]; diagnostics?: Diagnostic[] } = {}): Promise<CodeAction[]> {
  return client.request<CodeAction[]>('textDocument/codeAction', {
    textDocument: { uri },
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    context: { diagnostics: extra.diagnostics ?? [], ...(extra.only ? { only: extra.only } : {}) },
  });
}

/** The edits of an action for `uri`, checking that they are for the document's version. */
function editsOf(action: CodeAction, uri: string, version: number): TextEdit[] {
  const changes = action.edit?.documentChanges as TextDocumentEdit[] | undefined;
  assert.ok(changes && changes.length === 1, `${action.title}: one TextDocumentEdit`);
  assert.deepEqual(changes[0].textDocument, { uri, version });
  return changes[0].edits as TextEdit[];
}

function apply(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///x', 'pip-requirements', 1, text), edits);
}

const TEXT = ['# top', 'demo-a==1.0', 'Demo_B==2.0  # pinned for reasons', 'unpinned-thing>=1', ''].join('\n');

test('"Add hash pins" on a pinned line: exactly the pip-compile layout, sorted, with a trailing comment moved after the last hash', async () => {
  await withClient(options(), async (client) => {
    const uri = uriIn(dirs.make('ws'), 'requirements.txt');
    await openAndResolve(client, uri, TEXT, []);

    // No hash in the file yet: one line's hashes would turn on hash-checking for every line, so the
    // file-wide fix comes first and is preferred, and the line's fix says what it does.
    const onA = await codeActions(client, uri, 1);
    assert.deepEqual(onA.map((a) => [a.title, a.kind, a.isPreferred === true]), [
      ['Add hash pins to every pinned requirement', 'quickfix', true],
      ['Add hash pins (turns on hash-checking for the file)', 'quickfix', false],
    ]);
    assert.equal(apply(TEXT, editsOf(onA[1], uri, 1)), ['# top', pinned('demo-a==1.0', 'demo-a'), 'Demo_B==2.0  # pinned for reasons', 'unpinned-thing>=1', ''].join('\n'));

    const onB = await codeActions(client, uri, 2);
    assert.equal(onB[1].title, 'Add hash pins (turns on hash-checking for the file)');
    assert.equal(apply(TEXT, editsOf(onB[1], uri, 1)), ['# top', 'demo-a==1.0', pinned('Demo_B==2.0', 'demo-b', '  # pinned for reasons'), 'unpinned-thing>=1', ''].join('\n'));

    // Lines it does not apply to: a comment, an unpinned requirement.
    assert.deepEqual(await codeActions(client, uri, 0), []);
    assert.deepEqual(await codeActions(client, uri, 3), []);
    // Asked for other kinds only.
    assert.deepEqual(await codeActions(client, uri, 1, { only: ['refactor'] }), []);
    assert.deepEqual(client.errors(), []);
  });
});

test('fix-all as source.fixAll(.pypiProvenance): every pinned line hashed; the result re-parses without missing-hashes, and the server finds nothing wrong with it', async () => {
  await withClient(options(), async (client) => {
    const dir = dirs.make('ws');
    const uri = uriIn(dir, 'requirements.txt');
    const text = ['demo-a==1.0', 'Demo_B==2.0  # pinned for reasons', ''].join('\n');
    client.open(uri, text);

    // Asked at once, before the resolution stage can have settled: resolved on demand.
    for (const only of [['source.fixAll'], ['source.fixAll.pypiProvenance'], ['source']]) {
      const actions = await codeActions(client, uri, 0, { only });
      assert.deepEqual(actions.map((a) => [a.title, a.kind]), [['Add hash pins to every pinned requirement', 'source.fixAll.pypiProvenance']], `only ${only}`);
    }
    assert.deepEqual((await codeActions(client, uri, 0, { only: ['quickfix'] })).map((a) => [a.title, a.kind]), [
      ['Add hash pins to every pinned requirement', 'quickfix'],
      ['Add hash pins (turns on hash-checking for the file)', 'quickfix'],
    ]);

    const [fixAll] = await codeActions(client, uri, 0, { only: ['source.fixAll'] });
    const fixed = apply(text, editsOf(fixAll, uri, 1));
    assert.equal(fixed, [pinned('demo-a==1.0', 'demo-a'), pinned('Demo_B==2.0', 'demo-b', '  # pinned for reasons'), ''].join('\n'));

    const reparsed = parseDocument('requirements', fixed);
    assert.deepEqual(reparsed.problems, []);
    assert.deepEqual(localFindings(reparsed).map((f) => f.code), []);
    assert.deepEqual(reparsed.dependencies.map((d) => [d.name, d.hashes.map((h) => h.hex)]), [
      ['demo-a', sortedHashes('demo-a')],
      ['demo-b', sortedHashes('demo-b')],
    ]);

    // The server agrees: no missing-hashes, no hash-not-on-index. And nothing left to fix.
    client.replaceAll(uri, fixed);
    assert.deepEqual(checked(await client.waitForDiagnostics(uri)), []);
    assert.deepEqual(await codeActions(client, uri, 0, { only: ['source.fixAll'] }), []);

    if (!pipCanDryRun) {
      console.log('python3 -m pip with --dry-run is not available: pip\'s acceptance was not checked (our parser was)');
      return;
    }
    // pip's hash-checking mode, against the test index serving the real wheels.
    const file = path.join(fileURLToPath(uri));
    writeFileSync(file, fixed);
    const pip = (requirements: string) =>
      run(python!, ['-m', 'pip', 'install', '--isolated', '--disable-pip-version-check', '--no-cache-dir', '--dry-run', '--no-deps', '--require-hashes', '--index-url', index.url, '-r', requirements], { timeout: 60_000 });
    const accepted = await pip(file);
    assert.match(accepted.stdout, /Would install demo-a-1\.0 demo-b-2\.0/);
    // Control: pip does check — one wrong digit in demo-a's hashes and it refuses.
    const tampered = path.join(dir, 'tampered.txt');
    writeFileSync(tampered, fixed.replace(/--hash=sha256:([0-9a-f])/g, (_, first: string) => `--hash=sha256:${first === '0' ? '1' : '0'}`));
    await assert.rejects(pip(tampered), (error: { stderr?: string }) => /DO NOT MATCH THE HASHES/.test(String(error.stderr)));
  });
});

test('the fix is attached to the missing-hashes diagnostic of its line', async () => {
  await withClient(options(), async (client) => {
    const uri = uriIn(dirs.make('ws'), 'requirements.txt');
    const wheelHash = projects.get('demo-a')!.files.find((f) => f.filename.endsWith('.whl'))!.sha256;
    const text = ['demo-a==1.0 \\', `    --hash=sha256:${wheelHash}`, 'demo-b==2.0', ''].join('\n');
    const diagnostics = checked(await openAndResolve(client, uri, text, []));
    assert.deepEqual(diagnostics.map((d) => [d.code, d.range.start.line]), [['missing-hashes', 2]]);

    const actions = await codeActions(client, uri, 2, { diagnostics });
    // One line to fix: no fix-all beside it.
    assert.deepEqual(actions.map((a) => a.title), ['Add hash pins']);
    assert.deepEqual(actions[0].diagnostics, diagnostics);
    const fixed = apply(text, editsOf(actions[0], uri, 1));
    assert.equal(fixed, ['demo-a==1.0 \\', `    --hash=sha256:${wheelHash}`, pinned('demo-b==2.0', 'demo-b'), ''].join('\n'));
    client.replaceAll(uri, fixed);
    assert.deepEqual(checked(await client.waitForDiagnostics(uri)), []);
    // The line that already has a hash gets no action.
    assert.deepEqual(await codeActions(client, uri, 0), []);
  });
});

test('never vouches for a flagged or unchecked release: no "Add hash pins" for a tampered attestation, a yanked release, a missing version, a silent index; the file-wide fix skips them and says so', async () => {
  const signed = new SignedIndex(index, dirs.make('root'));
  signed.serve('tampered-one', [{ version: '1.0', sdist: 'tampered' }]);
  index.setProject(makeProject('yanked-one', { releases: [{ version: '1.0', yanked: 'broken build' }] }));
  const text = ['demo-a==1.0', 'tampered-one==1.0', 'yanked-one==1.0', 'demo-b==9.9', 'nope==1.0', ''].join('\n');
  await withClient({ ...options(), settings: { indexUrl: index.url, cacheDirectory: dirs.make('cache'), trustedRoot: signed.trustedRootPath } }, async (client) => {
    const uri = uriIn(dirs.make('ws'), 'requirements.txt');
    client.open(uri, text);
    for (const line of [1, 2, 3, 4]) assert.deepEqual((await codeActions(client, uri, line)).map((a) => a.title), [], `line ${line}`);
    const [fixAll] = await codeActions(client, uri, 0, { only: ['source.fixAll'] });
    assert.equal(
      fixAll.title,
      'Add hash pins to every pinned requirement (skips tampered-one: attestation-invalid; yanked-one: yanked; demo-b: version-not-found; nope: project-not-found)',
    );
    const fixed = apply(text, editsOf(fixAll, uri, 1));
    assert.equal(fixed, [pinned('demo-a==1.0', 'demo-a'), 'tampered-one==1.0', 'yanked-one==1.0', 'demo-b==9.9', 'nope==1.0', ''].join('\n'));
  });
  // The index hangs: nothing offered after a bounded wait, and the server still serves meanwhile.
  await withClient(options(CAPABLE, { PYPI_PROVENANCE_HTTP_TIMEOUT_MS: '20000' }), async (client) => {
    const uri = uriIn(dirs.make('ws'), 'requirements.txt');
    client.open(uri, ['slow-index==1.0', ''].join('\n'));
    assert.deepEqual(await codeActions(client, uri, 0), []);
  });
});

test('without documentChanges support the edit comes as `changes`; other formats get no action', async () => {
  await withClient(options({}), async (client) => {
    const dir = dirs.make('ws');
    const uri = uriIn(dir, 'requirements.txt');
    await openAndResolve(client, uri, 'demo-a==1.0\n', []);
    const [action] = await codeActions(client, uri, 0);
    assert.equal(action.edit?.documentChanges, undefined);
    assert.equal(apply('demo-a==1.0\n', action.edit!.changes![uri]), `${pinned('demo-a==1.0', 'demo-a')}\n`);

    const pyproject = uriIn(dir, 'pyproject.toml');
    client.open(pyproject, '[project]\nname = "x"\nversion = "1"\ndependencies = ["demo-a==1.0"]\n');
    assert.deepEqual(await codeActions(client, pyproject, 3), []);
  });
});
