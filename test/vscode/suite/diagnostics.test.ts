/** Diagnostics of the local checks arrive in a real VS Code, with the contract's codes and ranges. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, assertRange, diagnosticsOf, findDiagnostic, hasCodes, openFile, waitForDiagnostics, workspaceFile } from './helpers';

suite('Diagnostics', () => {
  suiteSetup(activateExtension);

  test('requirements.txt: unpinned, missing-hashes, weak-hash and syntax, at their ranges', async () => {
    const document = await openFile('requirements.txt');
    const diagnostics = await waitForDiagnostics(document.uri, hasCodes('unpinned', 'missing-hashes', 'weak-hash', 'syntax'));

    // requests>=2.0 (line 2): not pinned, and hash-checking mode is on (flask has --hash).
    const unpinned = findDiagnostic(diagnostics, 'unpinned', 1);
    assertRange(unpinned.range, 1, 0, 1, 13);
    assert.equal(unpinned.severity, vscode.DiagnosticSeverity.Hint);
    assertRange(findDiagnostic(diagnostics, 'missing-hashes', 1).range, 1, 0, 1, 13);
    // django==4.2.0 (line 4): pinned but without --hash.
    const missing = findDiagnostic(diagnostics, 'missing-hashes', 3);
    assertRange(missing.range, 3, 0, 3, 13);
    assert.equal(missing.severity, vscode.DiagnosticSeverity.Error);
    // urllib3 … --hash=md5:… (line 5): the range is the hash value.
    const weak = findDiagnostic(diagnostics, 'weak-hash', 4);
    assertRange(weak.range, 4, 23, 4, 59);
    assert.equal(document.getText(weak.range), 'md5:0123456789abcdef0123456789abcdef');
    // ==broken (line 6).
    const syntax = findDiagnostic(diagnostics, 'syntax', 5);
    assertRange(syntax.range, 5, 0, 5, 8);
    assert.equal(syntax.severity, vscode.DiagnosticSeverity.Error);

    // Each code links to its documentation (codeDescription.href).
    const code = weak.code as { value: string; target: vscode.Uri };
    assert.equal(code.value, 'weak-hash');
    assert.match(code.target.toString(true), /#weak-hash$/);
    // Pinned, hashed flask (line 3) has no local finding (the index's findings come on top later).
    const local = new Set(['syntax', 'unpinned', 'missing-hashes', 'weak-hash']);
    assert.equal(diagnostics.filter((d) => d.range.start.line === 2 && local.has(d.codeText)).length, 0, 'flask is pinned and hashed');
  });

  test('pyproject.toml: the unpinned dependency, inside the string quotes', async () => {
    const document = await openFile('pyproject.toml');
    const diagnostics = await waitForDiagnostics(document.uri, hasCodes('unpinned'));
    const unpinned = findDiagnostic(diagnostics, 'unpinned', 4);
    assertRange(unpinned.range, 4, 5, 4, 10);
    assert.equal(document.getText(unpinned.range), 'attrs');
  });

  test('pylock.toml: a package without a source is a syntax error', async () => {
    const document = await openFile('pylock.toml');
    const diagnostics = await waitForDiagnostics(document.uri, hasCodes('syntax'));
    assert.equal(findDiagnostic(diagnostics, 'syntax', 3).range.start.line, 3);
  });

  test('other TOML files are left alone', async () => {
    const other = await openFile('settings.toml');
    // The server handles messages in order: once a dependency file opened after settings.toml
    // has its diagnostics, settings.toml would have had its own, had it been sent.
    const edit = new vscode.WorkspaceEdit();
    const lock = await vscode.workspace.openTextDocument(workspaceFile('pylock.toml'));
    edit.insert(lock.uri, new vscode.Position(lock.lineCount, 0), '\n[[packages]]\nname = "=bad"\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostics(lock.uri, (d) => d.filter((x) => x.codeText === 'syntax').length >= 2);
    assert.deepEqual(diagnosticsOf(other.uri), []);
    await vscode.commands.executeCommand('workbench.action.files.revert', lock.uri);
  });

  test('diagnostics follow edits (an untitled pip-requirements document)', async () => {
    const document = await vscode.workspace.openTextDocument({ language: 'pip-requirements', content: 'requests\n' });
    await vscode.window.showTextDocument(document);
    await waitForDiagnostics(document.uri, hasCodes('unpinned'));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(document.uri, new vscode.Range(0, 0, 0, 8), 'requests==2.32.3');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostics(document.uri, (d) => !d.some((x) => x.codeText === 'unpinned'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
