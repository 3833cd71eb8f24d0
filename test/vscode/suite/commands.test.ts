/** The commands are contributed, registered and run to completion without the user. */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { activateExtension, diagnosticsOf, hasCodes, waitForDiagnostics, workspaceFile } from './helpers';

const COMMANDS = ['pypiProvenance.verifyWorkspace', 'pypiProvenance.showReport', 'pypiProvenance.clearCache', 'pypiProvenance.showOutput'];

suite('Commands', () => {
  suiteSetup(activateExtension);

  test('all four are registered', async () => {
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const command of COMMANDS) assert.ok(registered.has(command), `${command} is registered`);
  });

  test('Verify Dependencies in Workspace checks every dependency file, and no other', async () => {
    const result = await vscode.commands.executeCommand<{ files: number; cancelled: boolean; summary: string }>('pypiProvenance.verifyWorkspace');
    // requirements.txt, requirements/dev.in, pyproject.toml, pylock.toml — not settings.toml or MANIFEST.in.
    assert.equal(result.files, 4);
    assert.equal(result.cancelled, false);
    assert.notEqual(result.summary, '');
    const dev = await waitForDiagnostics(workspaceFile('requirements/dev.in'), hasCodes('unpinned'));
    assert.equal(dev[0]!.range.start.line, 0);
    assert.ok(diagnosticsOf(workspaceFile('requirements.txt')).length > 0);
  });

  test('Show Provenance Report shows the report, or says plainly that the server has none yet', async () => {
    const result = await vscode.commands.executeCommand<{ shown: boolean; files?: number; dependencies?: number; reason?: string }>('pypiProvenance.showReport');
    if (result.shown) {
      assert.ok((result.files ?? 0) >= 4, `the report covers the workspace's files: ${JSON.stringify(result)}`);
      const state = await vscode.commands.executeCommand<{ model?: { documents: Array<{ dependencies: Array<{ name: string }> }> } }>('pypiProvenance.test.report');
      assert.ok(state.model?.documents.some((d) => d.dependencies.some((x) => x.name === 'requests')), 'requests is listed');
    } else {
      assert.match(result.reason ?? '', /pypiProvenance\/report/);
    }
  });

  test('Clear Cache removes the cached index answers from the cache directory', async () => {
    const cache = mkdtempSync(path.join(os.tmpdir(), 'pypi-provenance-clear-'));
    const configuration = vscode.workspace.getConfiguration('pypiProvenance');
    await configuration.update('cacheDirectory', cache, vscode.ConfigurationTarget.Workspace);
    try {
      const responses = path.join(cache, 'index-http-v1');
      const filesIn = (dir: string) => (existsSync(dir) ? readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length : 0);
      await vscode.commands.executeCommand('pypiProvenance.verifyWorkspace');
      for (let i = 0; i < 100 && filesIn(responses) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(filesIn(responses) > 0, 'the check cached index answers');
      // Files the re-analysis after clearing cannot write again: one in the cache, one in the trust memory.
      const cached = path.join(responses, 'planted-answer');
      const trusted = path.join(cache, 'trusted-publishers-v2', 'planted-trust.json');
      writeFileSync(cached, 'x');
      mkdirSync(path.dirname(trusted), { recursive: true });
      writeFileSync(trusted, '{}');
      const result = await vscode.commands.executeCommand<string>('pypiProvenance.clearCache');
      assert.equal(result, 'cleared');
      assert.equal(existsSync(cached), false, 'the cached index answers are gone');
      assert.equal(existsSync(trusted), true, 'the trust memory stays');
    } finally {
      await configuration.update('cacheDirectory', undefined, vscode.ConfigurationTarget.Workspace);
      rmSync(cache, { recursive: true, force: true });
    }
  });

  test('Show Output runs', async () => {
    await vscode.commands.executeCommand('pypiProvenance.showOutput');
  });
});
