// Hostile input and failing handlers: the server answers with `syntax` diagnostics or a log
// line, and keeps serving the next request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PUBLISHED_DIAGNOSTICS } from '../../server/src/lsp/diagnostics';
import { STAGE_REJECT_MARKER, STAGE_THROW_MARKER, TEST_FAULTS_ENV, THROW_METHOD, THROW_UNCAUGHT_METHOD } from '../../server/src/pipeline/testFaults';
import { LspClient, MessageType, fileUri, withClient } from '../support/lspClient';

const dir = '/tmp/pypi-provenance-robustness';
let counter = 0;
const uriOf = (name: string) => fileUri(`${dir}/${++counter}/${name}`);

/** Deterministic junk: every byte value, U+FFFD (what invalid UTF-8 decodes to), lone surrogates, NUL, CR. */
function junk(length: number, seed = 7): string {
  let state = seed;
  const parts: string[] = [];
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    const pick = state % 300;
    if (pick < 256) parts.push(String.fromCharCode(pick));
    else if (pick < 270) parts.push('\ufffd');
    else if (pick < 280) parts.push('\ud800');
    else if (pick < 290) parts.push('\n');
    else parts.push('==[;@\\');
  }
  return parts.join('');
}

/** The server still answers requests: an unknown method gets MethodNotFound, not silence. */
async function assertAnswers(client: LspClient): Promise<void> {
  await assert.rejects(client.request('pypiProvenance/noSuchMethod', {}), (error: { code?: number }) => error.code === -32601);
  assert.equal(client.alive, true);
}

test('binary junk in each format gives syntax diagnostics inside the document, and the server goes on', async () => {
  await withClient({}, async (client) => {
    for (const name of ['requirements.txt', 'pyproject.toml', 'pylock.toml']) {
      const uri = uriOf(name);
      const text = junk(20_000);
      client.open(uri, text);
      const diagnostics = await client.waitForDiagnostics(uri);
      assert.ok(diagnostics.some((d) => d.code === 'syntax' && d.severity === 1), `${name}: a syntax error`);
      const lines = text.split(/\r\n|\r|\n/);
      for (const d of diagnostics) {
        assert.ok(d.range.start.line < lines.length && d.range.end.line < lines.length, `${name}: range inside the document`);
        assert.ok(d.range.end.character <= lines[d.range.end.line].length, `${name}: end inside its line`);
      }
    }
    await assertAnswers(client);
    assert.deepEqual(client.errors(), []);
  });
});

test('invalid TOML: syntax diagnostics on the line of the mistake', async () => {
  await withClient({}, async (client) => {
    const pyproject = uriOf('pyproject.toml');
    client.open(pyproject, '[project]\nname = "x"\ndependencies = ["a", "b"\n\n[tool.x]\n');
    const pylock = uriOf('pylock.toml');
    client.open(pylock, 'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "attrs"\nversion = 25.1.0.0\n');
    const inPyproject = (await client.waitForDiagnostics(pyproject)).filter((d) => d.code === 'syntax');
    const inPylock = (await client.waitForDiagnostics(pylock)).filter((d) => d.code === 'syntax');
    assert.ok(inPyproject.length > 0 && inPyproject.every((d) => d.range.start.line >= 2 && d.range.start.line <= 4), JSON.stringify(inPyproject));
    assert.ok(inPylock.length > 0 && inPylock.every((d) => d.range.start.line === 4), JSON.stringify(inPylock));
    await assertAnswers(client);
  });
});

test('a 10 MB file is analyzed without harm, and the next document still gets its diagnostics', async () => {
  await withClient({}, async (client) => {
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < 10 * 1024 * 1024; i++) {
      const line = i % 50 === 0 ? `pkg-${i} ==[broken ${'x'.repeat(60)}` : `package-number-${i}==1.${i % 97}.0 --hash=sha256:${(i % 16).toString(16).repeat(64)}`;
      lines.push(line);
      size += line.length + 1;
    }
    const big = uriOf('requirements.txt');
    client.open(big, lines.join('\n'));
    const diagnostics = await client.waitForDiagnostics(big, { timeoutMs: 120_000 });
    assert.ok(diagnostics.length <= MAX_PUBLISHED_DIAGNOSTICS);
    const small = uriOf('pyproject.toml');
    client.open(small, '[project\n');
    assert.ok((await client.waitForDiagnostics(small)).some((d) => d.code === 'syntax'));
    await assertAnswers(client);
  });
});

test('past the cap, the most severe diagnostics are published and the log says how many were left out', async () => {
  await withClient({}, async (client) => {
    const uri = uriOf('pyproject.toml');
    const count = MAX_PUBLISHED_DIAGNOSTICS + 1000;
    // Unpinned requirements (a diagnostic each): parse problems have their own, lower cap (parsers/limits.ts).
    const entries = Array.from({ length: count }, (_, i) => `  "pkg${i}",`);
    client.open(uri, `[project]\nname = "x"\ndependencies = [\n${entries.join('\n')}\n]\n`);
    const diagnostics = await client.waitForDiagnostics(uri, { timeoutMs: 60_000 });
    assert.equal(diagnostics.length, MAX_PUBLISHED_DIAGNOSTICS);
    assert.equal(diagnostics[0].range.start.line, 3, 'kept in document order, from the top');
    assert.equal(diagnostics.at(-1)!.range.start.line, 3 + MAX_PUBLISHED_DIAGNOSTICS - 1);
    await client.waitForLog((l) => l.type === MessageType.Warning && l.message.includes('1000 diagnostics not published'));
  });
});

test('malformed notifications are logged and dropped', async () => {
  await withClient({}, async (client) => {
    await client.notify('textDocument/didOpen', { textDocument: { uri: fileUri(`${dir}/requirements.txt`), languageId: 'pip-requirements', version: 1, text: 42 } });
    await client.notify('textDocument/didOpen', {});
    await client.notify('textDocument/didChange', { textDocument: { uri: 'file:///x/requirements.txt', version: 2 }, contentChanges: 'nope' });
    await client.notify('textDocument/didChange', { textDocument: { uri: 'file:///x/requirements.txt', version: 2 }, contentChanges: [{ range: { start: {} }, text: 'x' }] });
    await client.notify('textDocument/didClose', null);
    await client.notify('workspace/didChangeConfiguration', 'garbage');
    await assertAnswers(client);
    const malformed = client.errors().filter((m) => m.includes('malformed parameters'));
    assert.equal(malformed.length, 5, client.errors().join(' / '));
    // A change to a document that was never opened is not an error.
    client.edit(uriOf('requirements.txt'), { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, 'x');
    await assertAnswers(client);
  });
});

test('an edit with a range outside the document is clamped, not fatal', async () => {
  await withClient({}, async (client) => {
    const uri = uriOf('pyproject.toml');
    client.open(uri, '[project]\n');
    await client.waitForDiagnostics(uri);
    client.edit(uri, { start: { line: 99, character: 5 }, end: { line: 120, character: 0 } }, '\n[x');
    const diagnostics = await client.waitForDiagnostics(uri);
    assert.ok(diagnostics.some((d) => d.code === 'syntax'));
    await assertAnswers(client);
  });
});

test('exceptions inside handlers and stages are logged to the client, never fatal', async () => {
  await withClient({ env: { [TEST_FAULTS_ENV]: '1' } }, async (client) => {
    assert.equal(await client.request(THROW_METHOD, {}), null, 'a request whose handler throws is answered (null)');
    await client.waitForLog((l) => l.type === MessageType.Error && l.message.startsWith(`${THROW_METHOD} failed: Error: test fault: request handler threw`));

    await client.notify(THROW_METHOD, {});
    await client.waitForLog((l) => l.message.includes('notification handler threw'));

    await client.notify(THROW_UNCAUGHT_METHOD, {});
    await client.waitForLog((l) => l.type === MessageType.Error && l.message.startsWith('Uncaught exception: Error: test fault: uncaught exception'));

    // A stage that throws, one that rejects: the local stage's findings are still published.
    for (const marker of [STAGE_THROW_MARKER, STAGE_REJECT_MARKER]) {
      const uri = uriOf('pyproject.toml');
      client.open(uri, `# ${marker}\n[project\n`);
      assert.ok((await client.waitForDiagnostics(uri)).some((d) => d.code === 'syntax'));
      await client.waitForLog((l) => l.message.startsWith("Stage 'test-faults' failed on " + uri));
    }
    await assertAnswers(client);
  });
});

test('without the test switch, the fault hooks do not exist', async () => {
  await withClient({}, async (client) => {
    await assert.rejects(client.request(THROW_METHOD, {}), (error: { code?: number }) => error.code === -32601);
  });
});
