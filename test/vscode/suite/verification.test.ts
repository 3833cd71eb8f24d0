/**
 * Resolution and verification in a real VS Code, against the editor test index that the runner
 * started in its own process (test/editor/editorIndex.ts: a release signed by the test Sigstore,
 * whose trusted root is the `trustedRoot` user setting; a release to hash-pin; a second, empty
 * index that only workspace files name). The tests write their requirements files into a
 * folder of the workspace and remove it at the end, so the other suites see the workspace as
 * it is in test/vscode/workspace.
 *
 * The restricted-mode test runs only in the runner's second pass (PYPI_PROVENANCE_VSCODE_PASS
 * = restricted): a fresh window with workspace trust on that never trusted the folder. An
 * extension host cannot leave the trust it started with, so the first pass skips it and runs
 * its trusted counterpart instead.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, closeEditorsAndRemove, describe, diagnosticsOf, findDiagnostic, hasCodes, openFile, waitForDiagnostics, workspaceFile } from './helpers';
import { counters, releaseHashes, requireTestIndex, resetCounters, waitForHover, writeWorkspaceFile, type TestIndex } from './testIndex';

const PASS = process.env.PYPI_PROVENANCE_VSCODE_PASS ?? 'trusted';
/** The workspace folder the tests write their files into. */
const SCRATCH = 'verification-tests';
const ADD_HASH_PINS = 'Add hash pins';

/** A requirements file that names the workspace index (`--index-url`, `--extra-index-url`) and pins a project of the setting's index on line 3. */
function namingWorkspaceIndex(index: TestIndex): string {
  const other = new URL(index.workspaceIndexUrl);
  return [`--index-url ${other.href}`, `--extra-index-url ${other.origin}/extra/simple/`, `${index.projects.hashes.name}==${index.projects.hashes.version}`, ''].join('\n');
}

async function writeAndOpen(relative: string, text: string): Promise<vscode.TextDocument> {
  await writeWorkspaceFile(workspaceFile(`${SCRATCH}/${relative}`), text);
  return openFile(`${SCRATCH}/${relative}`);
}

/** The enabled "Add hash pins" quick fix at a range, asked again while the index has not answered (the server then offers it disabled). */
async function addHashPinsAction(uri: vscode.Uri, range: vscode.Range, timeoutMs = 20_000): Promise<vscode.CodeAction> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const actions = (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value)) ?? [];
    const fix = actions.find((action) => action.title.startsWith(ADD_HASH_PINS) && !action.disabled);
    if (fix) return fix;
    if (Date.now() > deadline) assert.fail(`no enabled "${ADD_HASH_PINS}" within ${timeoutMs} ms; got ${JSON.stringify(actions.map((a) => ({ title: a.title, disabled: a.disabled?.reason })))}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

suite('Verification against the test index', () => {
  let index: TestIndex;

  suiteSetup(async () => {
    await activateExtension();
    index = requireTestIndex();
  });

  suiteTeardown(() => closeEditorsAndRemove(SCRATCH));

  test('hover on a verified dependency shows the publisher repository and workflow', async () => {
    const { verified } = index.projects;
    const document = await writeAndOpen('verified/requirements.txt', `# attested by ${verified.repository}\n${verified.name}==${verified.version}\n`);
    // Verification runs in the background; until it is done the card says so. Ask until it is.
    const markdown = await waitForHover(document.uri, new vscode.Position(1, 3), (text) => text.includes(verified.repository));
    assert.match(markdown, /\*\*Verified\*\*/, markdown);
    assert.ok(markdown.includes(`](https://github.com/${verified.repository})`), `the repository links to GitHub:\n${markdown}`);
    assert.ok(markdown.includes(`.github/workflows/${verified.workflow}`), `the workflow is shown:\n${markdown}`);
    assert.ok(markdown.includes(`${verified.name.replace(/-/g, '_')}-${verified.version}.tar.gz`), `the card lists the files:\n${markdown}`);
    // Short: this client renders HTML in hovers, so the details fold into <details> ("More").
    const [main, more] = markdown.split('<details>');
    assert.ok(more !== undefined && main.includes(`Published by [github.com/${verified.repository}]`), `a short card with the details folded:\n${markdown}`);
    assert.ok(!main.includes('| Publisher |') && more.includes('| Publisher |'), `the fact table is behind "More":\n${markdown}`);
    // The comment line is no dependency: no card there.
    const comment = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(0, 3));
    assert.ok(!JSON.stringify(comment ?? []).includes('Verified'), 'no provenance card on the comment line');
  });

  test('a pyproject.toml with uv.lock beside it: the hover of a range requirement is the locked release, "locked at … in uv.lock"', async () => {
    const { verified } = index.projects;
    const lock = ['version = 1', 'revision = 3', '', '[[package]]', `name = "${verified.name}"`, `version = "${verified.version}"`, `source = { registry = "${index.url}" }`, ''].join('\n');
    await writeWorkspaceFile(workspaceFile(`${SCRATCH}/locked/uv.lock`), lock);
    const document = await writeAndOpen('locked/pyproject.toml', `[project]\nname = "app"\nversion = "0.1.0"\ndependencies = ["${verified.name}>=0.1"]\n`);
    const markdown = await waitForHover(document.uri, new vscode.Position(3, 19), (text) => text.includes(verified.repository));
    assert.ok(markdown.includes(`locked at ${verified.version} in uv.lock`), markdown);
    assert.match(markdown, /\*\*Verified\*\*/, markdown);
    assert.ok(!diagnosticsOf(document.uri).some((d) => d.code === 'unpinned'), describe(diagnosticsOf(document.uri)));
  });

  test('Add hash pins applies, and the file then passes the hash-mode check', async () => {
    const { hashes, verified } = index.projects;
    // Line 2 has a hash, so hash-checking mode is on and line 1 lacks one.
    const [verifiedHash] = await releaseHashes(index.url, verified.name, verified.version);
    const rest = `${verified.name}==${verified.version} --hash=sha256:${verifiedHash}\n`;
    const document = await writeAndOpen('hashes/requirements.txt', `${hashes.name}==${hashes.version}\n${rest}`);
    const before = await waitForDiagnostics(document.uri, hasCodes('missing-hashes'));
    const missing = findDiagnostic(before, 'missing-hashes', 0);

    const fix = await addHashPinsAction(document.uri, missing.range);
    assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
    assert.ok(fix.edit, 'the fix carries its edit');
    assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the edit applies');

    // pip-compile --generate-hashes: one hash of every file of the release per continuation line, sorted.
    const sorted = (await releaseHashes(index.url, hashes.name, hashes.version)).sort();
    assert.equal(sorted.length, 2, 'the release has an sdist and a wheel');
    const pinned = [`${hashes.name}==${hashes.version} \\`, ...sorted.map((hex, i) => `    --hash=sha256:${hex}${i < sorted.length - 1 ? ' \\' : ''}`)].join('\n');
    assert.equal(document.getText(), `${pinned}\n${rest}`);

    // The edited version's own analysis: no missing-hashes, and the index stages ran on it
    // (no-provenance: octo-hashes is unattested) without finding a hash the index lacks.
    const after = await waitForDiagnostics(document.uri, (d) => !d.some((x) => x.codeText === 'missing-hashes') && d.some((x) => x.codeText === 'no-provenance' && x.range.start.line === 0));
    const hashFindings = after.filter((d) => ['missing-hashes', 'hash-not-on-index', 'weak-hash', 'syntax'].includes(d.codeText));
    assert.deepEqual(hashFindings, [], describe(after));
    await document.save();
  });

  test('a trusted workspace uses the index its requirements file names (what restricted mode must not do)', async function () {
    if (PASS === 'restricted') return this.skip();
    assert.equal(vscode.workspace.isTrusted, true, 'this pass runs with workspace trust off: trusted');
    const { hashes } = index.projects;
    await resetCounters(index);
    const document = await writeAndOpen('trusted/requirements.txt', namingWorkspaceIndex(index));
    // The workspace-named index is empty: the project is not found there.
    await waitForDiagnostics(document.uri, (d) => d.some((x) => x.codeText === 'project-not-found' && x.range.start.line === 2));
    const seen = await counters(index);
    assert.ok((seen.workspaceIndex.paths[`/simple/${hashes.name}/`] ?? 0) >= 1, `the file's --index-url was asked: ${JSON.stringify(seen)}`);
    assert.equal(seen.index.paths[`/simple/${hashes.name}/`] ?? 0, 0, `the setting's index was not asked for ${hashes.name}: ${JSON.stringify(seen)}`);
  });

  test('restricted mode contacts no index named by the workspace', async function () {
    if (PASS !== 'restricted') return this.skip();
    assert.equal(vscode.workspace.isTrusted, false, 'the restricted pass opens a folder nobody trusted');
    const { hashes } = index.projects;
    // The workspace's settings name the workspace index as indexUrl too; VS Code does not apply
    // that restricted setting in Restricted Mode, and the file's --index-url must not count.
    const workspaceSettings = Buffer.from(await vscode.workspace.fs.readFile(workspaceFile('.vscode/settings.json'))).toString('utf8');
    assert.ok(workspaceSettings.includes(index.workspaceIndexUrl), 'the workspace settings name the workspace index');
    assert.equal(vscode.workspace.getConfiguration('pypiProvenance').get('indexUrl'), index.url);

    await resetCounters(index);
    const document = await writeAndOpen('restricted/requirements.txt', namingWorkspaceIndex(index));
    // Resolved and verified on the setting's index (octo-hashes is there, unattested: no-provenance),
    // not on the file's (empty: project-not-found).
    const outcomes = new Set(['no-provenance', 'project-not-found', 'index-error']);
    const diagnostics = await waitForDiagnostics(document.uri, (d) => d.some((x) => outcomes.has(x.codeText) && x.range.start.line === 2));
    assert.deepEqual(diagnostics.filter((d) => outcomes.has(d.codeText)).map((d) => d.codeText), ['no-provenance'], describe(diagnostics));
    const seen = await counters(index);
    assert.ok((seen.index.paths[`/simple/${hashes.name}/`] ?? 0) >= 1, `the setting's index was asked: ${JSON.stringify(seen)}`);
    assert.equal(seen.workspaceIndex.total, 0, `no request reached the workspace-named index: ${JSON.stringify(seen.workspaceIndex.paths)}`);
    assert.deepEqual(diagnosticsOf(document.uri).filter((d) => d.codeText === 'index-error'), []);
  });
});
