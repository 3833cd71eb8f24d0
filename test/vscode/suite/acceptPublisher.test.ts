/**
 * Accepting a changed publisher and forgetting the trust memory in a real VS Code (issue 10
 * items 3 and 4): the server's code action on a pylock.toml `identity-mismatch` names both
 * publishers and runs the client's confirmation command; its modal (answered through the
 * test-only `pypiProvenance.test.answerModals`, which records what was asked) names both, Cancel
 * changes nothing, Replace rewrites the recorded identity in the document, Keep both records the
 * new one beside it. Forget Trusted Publishers asks with the number of entries, removes them from
 * the cache directory, and the re-check records first use again; Cancel keeps everything.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, closeEditorsAndRemove, describe, diagnosticsOf, hasCodes, openFile, waitForDiagnostics, workspaceFile } from './helpers';
import { requireTestIndex, writeWorkspaceFile, type TestIndex } from './testIndex';

const SCRATCH = 'accept-publisher-tests';
const OLD = 'old-org/octo-pkg';

interface ModalQuestion {
  message: string;
  detail: string;
  buttons: string[];
}

/** Queues answers for the next modals; returns what the modals asked since the last call. */
function answerModals(...answers: Array<string | null>): Thenable<ModalQuestion[]> {
  return vscode.commands.executeCommand<ModalQuestion[]>('pypiProvenance.test.answerModals', answers);
}

/** A pylock.toml locking every file of the verified release, recording `repository` as its publisher. */
async function lockOf(index: TestIndex, repository: string): Promise<string> {
  const { name, version, workflow } = index.projects.verified;
  const pageUrl = new URL(`${name}/`, index.url);
  const response = await fetch(pageUrl, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
  assert.equal(response.status, 200);
  const page = (await response.json()) as { files: Array<{ filename: string; url: string; hashes: { sha256: string } }> };
  const files = page.files.filter((file) => file.filename.startsWith(`${name.replace(/-/g, '_')}-${version}`));
  const entry = (file: (typeof files)[number]) => `{ name = "${file.filename}", url = "${new URL(file.url, pageUrl).href}", hashes = { sha256 = "${file.hashes.sha256}" } }`;
  const sdist = files.find((file) => file.filename.endsWith('.tar.gz'));
  const wheels = files.filter((file) => file.filename.endsWith('.whl'));
  return [
    'lock-version = "1.0"',
    'created-by = "extension-host tests"',
    '',
    '[[packages]]',
    `name = "${name}"`,
    `version = "${version}"`,
    ...(sdist ? [`sdist = ${entry(sdist)}`] : []),
    ...(wheels.length > 0 ? ['wheels = [', ...wheels.map((wheel) => `  ${entry(wheel)},`), ']'] : []),
    '',
    '[[packages.attestation-identities]]',
    'kind = "GitHub"',
    `repository = "${repository}"`,
    `workflow = "${workflow}"`,
    '',
  ].join('\n');
}

/** The accept action at the mismatch, asked again until the zero-trust checks have settled. */
async function acceptAction(uri: vscode.Uri, range: vscode.Range, timeoutMs = 20_000): Promise<vscode.CodeAction> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value)) ?? [];
    const accept = actions.find((action) => action.title.startsWith('Accept '));
    if (accept) return accept;
    if (Date.now() > deadline) assert.fail(`no accept action within ${timeoutMs} ms; got ${JSON.stringify(actions.map((a) => a.title))}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function replaceText(document: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(document.uri, new vscode.Range(0, 0, document.lineCount, 0), text);
  assert.ok(await vscode.workspace.applyEdit(edit));
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

suite('Accepting a changed publisher, forgetting trust memory', () => {
  let index: TestIndex;

  suiteSetup(async () => {
    await activateExtension();
    index = requireTestIndex();
  });

  suiteTeardown(async () => {
    await answerModals();
    await closeEditorsAndRemove(SCRATCH);
  });

  test('the accept action names both publishers and asks in a modal: Cancel keeps the lock, Replace replaces the recorded identity, Keep both adds it', async () => {
    const { name, repository } = index.projects.verified;
    const original = await lockOf(index, OLD);
    await writeWorkspaceFile(workspaceFile(`${SCRATCH}/lock/pylock.toml`), original);
    const document = await openFile(`${SCRATCH}/lock/pylock.toml`);
    const [mismatch] = (await waitForDiagnostics(document.uri, hasCodes('identity-mismatch'))).filter((d) => d.codeText === 'identity-mismatch');
    const action = await acceptAction(document.uri, mismatch!.range);
    assert.equal(action.title, `Accept github.com/${repository} as the publisher of ${name} (was github.com/${OLD})`);
    assert.equal(action.command?.command, 'pypiProvenance.confirmAcceptPublisher');
    const run = () => vscode.commands.executeCommand<{ accepted: boolean; mode?: string; reason?: string }>(action.command!.command, ...(action.command!.arguments ?? []));

    // Cancel: nothing changes.
    await answerModals(null);
    assert.deepEqual(await run(), { accepted: false, reason: 'cancelled' });
    const [asked] = await answerModals('Replace');
    assert.equal(asked!.message, `Accept github.com/${repository} as the publisher of ${name}?`);
    assert.deepEqual(asked!.buttons, ['Replace', 'Keep both']);
    assert.match(asked!.detail, new RegExp(`The lock records github\\.com/${OLD} as the publisher of ${name}; the files of ${name} 1\\.0\\.0 are published by github\\.com/${repository}\\.`));
    assert.equal(document.getText(), original);

    // Replace: the recorded identity is the new one, the old one is gone, the mismatch clears.
    assert.deepEqual(await run(), { accepted: true, mode: 'replace' });
    assert.ok(document.getText().includes(`repository = "${repository}"`), document.getText());
    assert.ok(!document.getText().includes(OLD), document.getText());
    await waitForDiagnostics(document.uri, (ds) => !ds.some((d) => d.codeText === 'identity-mismatch'));

    // Keep both: back to the old identity, accept again, both recorded.
    await replaceText(document, original);
    const [again] = (await waitForDiagnostics(document.uri, hasCodes('identity-mismatch'))).filter((d) => d.codeText === 'identity-mismatch');
    const keep = await acceptAction(document.uri, again!.range);
    await answerModals('Keep both');
    assert.deepEqual(await vscode.commands.executeCommand(keep.command!.command, ...(keep.command!.arguments ?? [])), { accepted: true, mode: 'keep-both' });
    const text = document.getText();
    assert.ok(text.includes(`repository = "${OLD}"`) && text.includes(`repository = "${repository}"`), text);
    assert.ok(text.indexOf(OLD) < text.indexOf(`repository = "${repository}"`), 'the new identity comes after the recorded one');
    const cleared = await waitForDiagnostics(document.uri, (ds) => !ds.some((d) => d.codeText === 'identity-mismatch'));
    assert.deepEqual(cleared.filter((d) => d.severity === vscode.DiagnosticSeverity.Error), [], describe(diagnosticsOf(document.uri)));
    // Saved, so that closing the editor asks nothing.
    assert.ok(await document.save());
  });

  test('Forget Trusted Publishers asks with the number of entries, removes them, and the re-check records first use again; Cancel keeps them', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-forget-'));
    const configuration = vscode.workspace.getConfiguration('pypiProvenance');
    await configuration.update('cacheDirectory', cache, vscode.ConfigurationTarget.Workspace);
    try {
      const trusted = path.join(cache, 'trusted-publishers-v2');
      const fileSets = path.join(cache, 'release-files-v1');
      // Entry files, and the lines of a store's journal (the release file sets are one: entries.jsonl).
      const entries = (dir: string) => {
        if (!existsSync(dir)) return [];
        const files = readdirSync(dir).filter((n) => /^[0-9a-f]{64}\.json$/.test(n));
        const journal = path.join(dir, 'entries.jsonl');
        return [...files, ...(existsSync(journal) ? readFileSync(journal, 'utf8').split('\n').filter(Boolean) : [])];
      };
      const { name, version } = index.projects.verified;
      await writeWorkspaceFile(workspaceFile(`${SCRATCH}/forget/requirements.txt`), `${name}==${version}\n`);
      await openFile(`${SCRATCH}/forget/requirements.txt`);
      await waitFor(() => entries(trusted).length > 0 && entries(fileSets).length > 0, 'the first use was recorded');
      // An entry the re-check cannot write again: it must be gone afterwards.
      const planted = path.join(trusted, `${'f'.repeat(64)}.json`);
      writeFileSync(planted, '{}');

      // Cancel: nothing is forgotten.
      await answerModals(null);
      assert.deepEqual(await vscode.commands.executeCommand('pypiProvenance.forgetTrustedPublishers'), { forgotten: 0, reason: 'cancelled' });
      assert.ok(existsSync(planted));
      const [cancelled] = await answerModals('Forget');
      const count = entries(trusted).length;
      assert.equal(cancelled!.message, `Forget ${count} trusted ${count === 1 ? 'publisher' : 'publishers'}?`);
      assert.deepEqual(cancelled!.buttons, ['Forget']);
      assert.match(cancelled!.detail, /later change of publisher is flagged/);

      const result = await vscode.commands.executeCommand<{ forgotten: number }>('pypiProvenance.forgetTrustedPublishers');
      assert.deepEqual(result, { forgotten: count });
      assert.equal(existsSync(planted), false, 'the trusted publishers are gone from the cache directory');
      assert.ok(entries(fileSets).length > 0, 'the release file sets stay');
      // The open file is checked again: its publisher is a first use, recorded again.
      await waitFor(() => entries(trusted).length > 0, 'the re-check recorded the first use');

      // The file sets: asked with their own words.
      await answerModals('Forget');
      const forgotten = await vscode.commands.executeCommand<{ forgotten: number }>('pypiProvenance.forgetReleaseFileSets');
      const [asked] = await answerModals();
      assert.match(asked!.message, /^Forget \d+ release file sets?\?$/);
      assert.ok(forgotten.forgotten > 0);
    } finally {
      await configuration.update('cacheDirectory', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(cache, { recursive: true, force: true });
    }
  });
});
