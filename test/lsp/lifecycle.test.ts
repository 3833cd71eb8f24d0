import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LspClient, REPO_ROOT, fileUri, withClient } from '../support/lspClient';

const packageVersion = (JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

test('initialize advertises incremental sync and names the server', async () => {
  await withClient({}, async (client) => {
    const { capabilities, serverInfo } = client.initializeResult;
    assert.deepEqual(capabilities.textDocumentSync, { openClose: true, change: 2 /* Incremental */ });
    assert.deepEqual(serverInfo, { name: 'pypi-provenance', version: packageVersion });
  });
});

test('shutdown then exit ends the server with code 0', async () => {
  const client = await LspClient.start();
  assert.equal(await client.shutdown(), 0);
  assert.equal(client.alive, false);
});

test('the server exits when the client goes away (stdin closes)', async () => {
  const client = await LspClient.start();
  const exited = new Promise<string>((resolve) => client.child.on('exit', () => resolve('exited')));
  const stuck = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 10_000).unref());
  client.child.stdin.end();
  assert.equal(await Promise.race([exited, stuck]), 'exited');
  client.kill();
});

test('only dependency files are analyzed: by file name, or by the pip-requirements language id', async () => {
  await withClient({}, async (client) => {
    const dir = '/tmp/pypi-provenance-lifecycle';
    const notes = fileUri(`${dir}/notes.txt`);
    const cargo = fileUri(`${dir}/Cargo.toml`);
    const byLanguage = fileUri(`${dir}/deps.txt`);
    const pyproject = fileUri(`${dir}/pyproject.toml`);
    client.open(notes, '[[[ not a requirement ===\n', { languageId: 'plaintext' });
    client.open(cargo, '[package\nname = ', { languageId: 'toml' });
    client.open(byLanguage, 'requests\n', { languageId: 'pip-requirements' });
    client.open(pyproject, '[project\n');
    await client.waitForDiagnostics(byLanguage);
    const broken = await client.waitForDiagnostics(pyproject);
    assert.ok(broken.some((d) => d.code === 'syntax'), 'pyproject.toml is analyzed');
    // A round trip after the opens: anything published for them would have arrived by now.
    await client.request('shutdown');
    assert.equal(client.publishes.filter((p) => p.uri === notes || p.uri === cargo).length, 0);
    await client.notify('exit');
  });
});

test('with dynamic registration, the server registers for configuration changes and -r/-c target files', async () => {
  await withClient({ capabilities: { workspace: { didChangeWatchedFiles: { dynamicRegistration: true } } } }, async (client) => {
    const uri = fileUri('/tmp/pypi-provenance-lifecycle/registrations/requirements.txt');
    client.open(uri, 'x==1\n');
    await client.waitForDiagnostics(uri);
    assert.deepEqual(client.registrations.map((r) => r.method).sort(), ['workspace/didChangeConfiguration', 'workspace/didChangeWatchedFiles']);
  });
});

test('without --stdio the server still speaks stdio', async () => {
  await withClient({ serverArgs: [] }, async (client) => {
    assert.equal(client.initializeResult.serverInfo?.name, 'pypi-provenance');
  });
});
