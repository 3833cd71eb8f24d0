/**
 * A multi-root workspace (the runner's multi-root pass: two-folders.code-workspace): folder
 * `first` names the setting's index in its .vscode/settings.json, folder `second` the empty one.
 * Each folder's requirements file must be checked against its own folder's index: the server
 * reads the settings per document (workspace/configuration with scopeUri).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, describe, waitForDiagnostics } from './helpers';
import { counters, requireTestIndex, resetCounters, writeWorkspaceFile } from './testIndex';

const PASS = process.env.PYPI_PROVENANCE_VSCODE_PASS ?? 'trusted';

suite('Multi-root workspace', () => {
  suiteSetup(activateExtension);

  test("each folder's indexUrl is the index of its files", async function () {
    if (PASS !== 'multi-root') return this.skip();
    const index = requireTestIndex();
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.deepEqual(folders.map((f) => f.name), ['first', 'second'], 'the pass opens two folders');
    const [first, second] = folders as [vscode.WorkspaceFolder, vscode.WorkspaceFolder];
    assert.equal(vscode.workspace.getConfiguration('pypiProvenance', first.uri).get('indexUrl'), index.url);
    assert.equal(vscode.workspace.getConfiguration('pypiProvenance', second.uri).get('indexUrl'), index.workspaceIndexUrl);

    const { unattested } = index.projects;
    const text = `${unattested.name}==${unattested.version}\n`;
    await resetCounters(index);
    const files = [vscode.Uri.joinPath(first.uri, 'requirements.txt'), vscode.Uri.joinPath(second.uri, 'requirements.txt')];
    for (const file of files) await writeWorkspaceFile(file, text);
    for (const file of files) await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(file), { preview: false });

    const outcomes = new Set(['no-provenance', 'project-not-found', 'index-error']);
    const outcome = async (file: vscode.Uri) => {
      const diagnostics = await waitForDiagnostics(file, (d) => d.some((x) => outcomes.has(x.codeText)));
      return diagnostics.filter((d) => outcomes.has(d.codeText)).map((d) => d.codeText).join(',') + ` ${describe(diagnostics)}`;
    };
    // first: the setting's index serves the project (unattested); second: the empty index has no such project.
    assert.match(await outcome(files[0]!), /^no-provenance /);
    assert.match(await outcome(files[1]!), /^project-not-found /);
    const seen = await counters(index);
    const page = `/simple/${unattested.name}/`;
    assert.ok((seen.index.paths[page] ?? 0) >= 1 && (seen.workspaceIndex.paths[page] ?? 0) >= 1, `each index was asked by its folder's file: ${JSON.stringify(seen)}`);

    // A folder's setting changed: only that folder's file changes index.
    const config = vscode.workspace.getConfiguration('pypiProvenance', second.uri);
    await config.update('indexUrl', index.url, vscode.ConfigurationTarget.WorkspaceFolder);
    await waitForDiagnostics(files[1]!, (d) => d.some((x) => x.codeText === 'no-provenance') && !d.some((x) => x.codeText === 'project-not-found'));
    await config.update('indexUrl', index.workspaceIndexUrl, vscode.ConfigurationTarget.WorkspaceFolder);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
