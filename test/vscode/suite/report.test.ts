/**
 * The report panel and the status bar, against the editor test index: the panel's model (sorted
 * by severity, the findings' messages, times as the hover writes them), a link of the page
 * opening the file at the requirement's line, the panel revived from its saved state (a reload);
 * the status bar speaking of the active file only, red only for its errors.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateExtension, closeEditorsAndRemove, openFile, waitForDiagnostics, workspaceFile } from './helpers';
import { requireTestIndex, writeWorkspaceFile, type TestIndex } from './testIndex';

const SCRATCH = 'report-tests';

interface PanelState {
  open: boolean;
  html: string;
  model?: {
    totals: string;
    statuses: Array<{ status: string; count: number }>;
    documents: Array<{ uri: string; name: string; dependencies: Array<{ name: string; status: string; statusLabel: string; severity: string; line?: number; findings: Array<{ code: string; message: string }>; files: Array<{ uploaded?: string }> }> }>;
  };
}

interface StatusState {
  text: string;
  tooltip: string;
  background?: string;
}

async function statusBarWhen(done: (state: StatusState) => boolean, timeoutMs = 20_000): Promise<StatusState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const raw = await vscode.commands.executeCommand<StatusState>('pypiProvenance.test.statusBar');
    // The tooltip is Markdown made of escaped text: read it as the user does.
    const state = { ...raw, tooltip: raw.tooltip.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1') };
    if (done(state)) return state;
    if (Date.now() > deadline) assert.fail(`the status bar did not show what was expected; last: ${JSON.stringify(state)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

suite('Report panel and status bar', () => {
  let index: TestIndex;

  suiteSetup(async () => {
    await activateExtension();
    index = requireTestIndex();
  });

  suiteTeardown(() => closeEditorsAndRemove(SCRATCH));

  test('the report is a panel: most severe first, messages not bare codes, UTC times; its link opens the file at the line', async () => {
    const { verified, unattested } = index.projects;
    const file = workspaceFile(`${SCRATCH}/requirements.txt`);
    // Line 1 verified, line 2 unattested (no-provenance), line 3 a project the index lacks (an error).
    await writeWorkspaceFile(file, `${verified.name}==${verified.version}\n${unattested.name}==${unattested.version}\nnot-on-the-index==1.0\n`);
    await openFile(`${SCRATCH}/requirements.txt`);
    await waitForDiagnostics(file, (d) => d.some((x) => x.codeText === 'project-not-found') && d.some((x) => x.codeText === 'no-provenance'));

    const result = await vscode.commands.executeCommand<{ shown: boolean; reason?: string }>('pypiProvenance.showReport');
    assert.equal(result.shown, true, result.reason);
    const state = await vscode.commands.executeCommand<PanelState>('pypiProvenance.test.report');
    assert.equal(state.open, true);
    assert.match(state.html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'nonce-[^']+'; script-src 'nonce-/);
    const document = state.model!.documents.find((d) => d.uri === file.toString());
    assert.ok(document, `the report lists ${SCRATCH}/requirements.txt: ${state.model!.documents.map((d) => d.name).join(', ')}`);
    assert.deepEqual(document.dependencies.map((d) => [d.name, d.severity]), [['not-on-the-index', 'error'], [unattested.name, 'information'], [verified.name, 'none']]);
    const missing = document.dependencies[0]!;
    assert.equal(missing.findings[0]!.code, 'project-not-found');
    assert.notEqual(missing.findings[0]!.message, 'project-not-found');
    assert.match(missing.findings[0]!.message, /not-on-the-index/, 'the message, as the Problems panel has it');
    assert.equal(missing.statusLabel, 'not found');
    const verifiedRow = document.dependencies[2]!;
    assert.equal(verifiedRow.status, 'verified');
    assert.ok(verifiedRow.files.length > 0 && verifiedRow.files.every((f) => f.uploaded === undefined || / UTC$/.test(f.uploaded)), JSON.stringify(verifiedRow.files));
    assert.ok(state.model!.statuses.some((s) => s.status === 'verified'), 'the status filter lists verified');

    // The page posts {type: 'open'} when its link is clicked: the file opens, the requirement selected.
    await vscode.commands.executeCommand('workbench.action.focusFirstEditorGroup');
    const opened = await vscode.commands.executeCommand<boolean>('pypiProvenance.test.reportMessage', { type: 'open', uri: file.toString(), line: missing.line });
    assert.equal(opened, true);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is active');
    assert.equal(editor.document.uri.toString(), file.toString());
    assert.equal(editor.selection.start.line, 2);
    assert.equal(editor.document.getText(editor.selection), 'not-on-the-index==1.0');
    // Something the report does not list is not opened.
    assert.equal(await vscode.commands.executeCommand<boolean>('pypiProvenance.test.reportMessage', { type: 'open', uri: workspaceFile('settings.toml').toString(), line: 0 }), false);

    // After a reload VS Code hands the serializer the state the page saved: the same report again.
    const revived = await vscode.commands.executeCommand<PanelState>('pypiProvenance.test.reviveReport', { model: state.model, sort: 'name', hidden: [] });
    assert.equal(revived.open, true);
    assert.deepEqual(revived.model, state.model);
    const junk = await vscode.commands.executeCommand<PanelState>('pypiProvenance.test.reviveReport', { model: { nonsense: true } });
    assert.deepEqual(junk.model!.documents, [], 'a state of another shape is not drawn');
  });

  test('the status bar speaks of the active file, and is red only when it has errors', async () => {
    const { verified } = index.projects;
    const clean = workspaceFile(`${SCRATCH}/clean/requirements.txt`);
    const broken = workspaceFile(`${SCRATCH}/broken/requirements.txt`);
    await writeWorkspaceFile(clean, `${verified.name}==${verified.version}\n`);
    await writeWorkspaceFile(broken, 'not-on-the-index==1.0\n');
    await openFile(`${SCRATCH}/broken/requirements.txt`);
    await waitForDiagnostics(broken, (d) => d.some((x) => x.codeText === 'project-not-found'));
    // Red as soon as the error is published; then the file's report names the status.
    const red = await statusBarWhen((s) => s.background === 'statusBarItem.errorBackground' && / not found/.test(s.text));
    assert.match(red.text, /^\$\(error\) 1 not found · 0\/1 verified$/);
    assert.match(red.tooltip, /broken\/requirements\.txt: 1 dependency/);
    assert.match(red.tooltip, /Findings: 1 error/);

    await openFile(`${SCRATCH}/clean/requirements.txt`);
    const calm = await statusBarWhen((s) => / 1 verified$/.test(s.text));
    assert.equal(calm.background, undefined, 'not red: the active file has no error, whatever other files have');
    assert.match(calm.text, /^\$\(verified\) 1 verified$/);
    assert.match(calm.tooltip, /Workspace: \d+ dependencies in \d+ files: .*not found/);
    assert.doesNotMatch(calm.text, /error/);
  });
});
