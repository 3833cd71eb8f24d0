// Incremental sync: edits update the diagnostics, stale versions are never published after newer
// ones, and closing a document clears its diagnostics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { fileUri, withClient } from '../support/lspClient';

let counter = 0;
const uri = () => fileUri(`/tmp/pypi-provenance-edits/${++counter}/requirements.txt`);
const at = (line: number, character: number) => ({ line, character });
// The file's own findings: no index is reachable here, and when the default index's index-error
// arrives depends only on how fast DNS fails.
const summary = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.code !== 'index-error').map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`).sort();

test('incremental edits: insert, pin, delete — each version gets its own diagnostics', async () => {
  await withClient({}, async (client) => {
    const doc = uri();
    client.open(doc, 'flask==3.0.0\nrequests\n');
    assert.deepEqual(summary(await client.waitForDiagnostics(doc)), ['unpinned@1:0-1:8']);

    assert.equal(client.edit(doc, { start: at(1, 8), end: at(1, 8) }, '==2.32.3'), 2);
    assert.deepEqual(summary(await client.waitForDiagnostics(doc)), []);

    client.edit(doc, { start: at(0, 0), end: at(0, 0) }, 'attrs\n');
    assert.deepEqual(summary(await client.waitForDiagnostics(doc)), ['unpinned@0:0-0:5']);

    // Typing a hash into line 1 turns on pip's hash-checking mode for the whole file.
    client.edit(doc, { start: at(1, 12), end: at(1, 12) }, ' --hash=sha1:' + 'a'.repeat(40));
    assert.deepEqual(summary(await client.waitForDiagnostics(doc)), ['missing-hashes@0:0-0:5', 'missing-hashes@2:0-2:16', 'unpinned@0:0-0:5', 'weak-hash@1:20-1:65']);

    client.edit(doc, { start: at(0, 0), end: at(2, 0) }, '');
    const last = await client.waitForPublish(doc);
    assert.equal(last.version, 5);
    assert.deepEqual(summary(last.diagnostics), []);
  });
});

test('several changes in one notification apply in order; a full replace works too', async () => {
  await withClient({}, async (client) => {
    const doc = uri();
    client.open(doc, 'a==1\nb==2\n');
    await client.waitForDiagnostics(doc);
    client.change(doc, [
      { range: { start: at(0, 1), end: at(0, 4) }, text: '' }, // "a\nb==2\n"
      { range: { start: at(1, 0), end: at(1, 0) }, text: 'c\n' }, // "a\nc\nb==2\n"
    ]);
    assert.deepEqual(summary(await client.waitForDiagnostics(doc)), ['unpinned@0:0-0:1', 'unpinned@1:0-1:1']);
    client.replaceAll(doc, 'x==1\n!!\n');
    assert.deepEqual(summary(await client.waitForDiagnostics(doc)).map((s) => s.split('@')[0]), ['syntax']);
  });
});

test('edits touching a continuation line keep ranges on the right characters', async () => {
  await withClient({}, async (client) => {
    const doc = uri();
    client.open(doc, 'flask==3.0.0 \\\n    --hash=sha256:' + 'b'.repeat(64) + '\nidna==3.10\n');
    assert.deepEqual(summary(await client.waitForDiagnostics(doc)), ['missing-hashes@2:0-2:10']);
    // Replace the sha256 hash on the continuation line with a (shorter) md5 one.
    client.edit(doc, { start: at(1, 11), end: at(1, 82) }, 'md5:' + 'c'.repeat(32));
    assert.deepEqual(summary(await client.waitForDiagnostics(doc)), ['missing-hashes@2:0-2:10', 'weak-hash@1:11-1:47']);
    // Break the continuation: the hash line stands alone and is no requirement.
    client.edit(doc, { start: at(0, 12), end: at(0, 14) }, '');
    const broken = summary(await client.waitForDiagnostics(doc));
    assert.ok(broken.some((s) => s.startsWith('syntax@1:')), broken.join(' '));
  });
});

test('a burst of edits ends with the last version published, and versions never go back', async () => {
  await withClient({}, async (client) => {
    const doc = uri();
    client.open(doc, '');
    await client.waitForDiagnostics(doc);
    let version = 1;
    for (let i = 0; i < 30; i++) version = client.edit(doc, { start: at(i, 0), end: at(i, 0) }, `pkg${i}\n`);
    const final = await client.waitForPublish(doc, { version });
    assert.equal(final.diagnostics.length, 30);
    const versions = client.publishes.filter((p) => p.uri === doc).map((p) => p.version ?? 0);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), `published versions in order: ${versions.join(',')}`);
    assert.ok(versions.length < 31, 'edits are debounced, not analyzed one by one');
  });
});

test('close clears the diagnostics; reopening brings them back', async () => {
  await withClient({}, async (client) => {
    const doc = uri();
    client.open(doc, 'requests\n');
    assert.equal((await client.waitForDiagnostics(doc)).length, 1);
    client.close(doc);
    const cleared = await client.waitForPublish(doc);
    assert.deepEqual(cleared.diagnostics, []);
    client.open(doc, 'requests\nflask\n', { version: 7 });
    const reopened = await client.waitForPublish(doc);
    assert.equal(reopened.version, 7);
    assert.equal(reopened.diagnostics.length, 2);
  });
});

test('closing during the debounce publishes nothing stale afterwards', async () => {
  await withClient({}, async (client) => {
    const doc = uri();
    client.open(doc, 'requests\n');
    await client.waitForDiagnostics(doc);
    client.edit(doc, { start: at(1, 0), end: at(1, 0) }, 'flask\n');
    client.close(doc);
    await client.waitForPublish(doc);
    // Another document's publish proves the server moved on past the closed one's debounce.
    const other = uri();
    await new Promise((resolve) => setTimeout(resolve, 400));
    client.open(other, 'x\n');
    await client.waitForDiagnostics(other);
    assert.deepEqual(client.latest(doc)?.diagnostics, []);
  });
});
