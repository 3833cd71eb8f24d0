/** Settings reach the server: a change in VS Code's settings changes the diagnostics at once. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, hasCodes, openFile, waitForDiagnostics } from './helpers';

suite('Settings', () => {
  suiteSetup(activateExtension);

  test('severity: turning a code off removes its diagnostics, and resetting brings them back', async () => {
    const document = await openFile('pyproject.toml');
    await waitForDiagnostics(document.uri, hasCodes('unpinned'));
    const config = vscode.workspace.getConfiguration('pypiProvenance');
    try {
      await config.update('severity', { unpinned: 'off' }, vscode.ConfigurationTarget.Workspace);
      await waitForDiagnostics(document.uri, (d) => !d.some((x) => x.codeText === 'unpinned'));
      await config.update('severity', { unpinned: 'error' }, vscode.ConfigurationTarget.Workspace);
      const diagnostics = await waitForDiagnostics(document.uri, (d) => d.some((x) => x.codeText === 'unpinned' && x.severity === vscode.DiagnosticSeverity.Error));
      assert.ok(diagnostics.length > 0);
    } finally {
      await config.update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitForDiagnostics(document.uri, (d) => d.some((x) => x.codeText === 'unpinned' && x.severity === vscode.DiagnosticSeverity.Hint));
  });
});
