/** What the extension-host tests share: the workspace's files, the extension, waiting for diagnostics. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'pypi-provenance.pypi-provenance';
export const SOURCE = 'pypi-provenance';
const DEFAULT_WAIT_MS = 30_000;

export function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need a workspace folder (the runner opens test/vscode/workspace, copied)');
  return vscode.Uri.joinPath(folder.uri, relative);
}

export async function activateExtension(): Promise<void> {
  const extension = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded`);
  await extension.activate();
}

export async function openFile(relative: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(workspaceFile(relative));
  await vscode.window.showTextDocument(document, { preview: false });
  return document;
}

/** Our diagnostics of a document, with the code as a string. */
export function diagnosticsOf(uri: vscode.Uri): Array<vscode.Diagnostic & { codeText: string }> {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === SOURCE)
    .map((d) => Object.assign(d, { codeText: String(typeof d.code === 'object' ? d.code.value : d.code) }));
}

/** Waits until the document's diagnostics satisfy `done`; fails with what it saw after `timeoutMs`. */
export async function waitForDiagnostics(uri: vscode.Uri, done: (diagnostics: ReturnType<typeof diagnosticsOf>) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<ReturnType<typeof diagnosticsOf>> {
  const key = uri.toString();
  if (done(diagnosticsOf(uri))) return diagnosticsOf(uri);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      reject(new Error(`diagnostics of ${vscode.workspace.asRelativePath(uri)} did not arrive within ${timeoutMs} ms; last: ${describe(diagnosticsOf(uri))}`));
    }, timeoutMs);
    const listener = vscode.languages.onDidChangeDiagnostics((event) => {
      if (!event.uris.some((u) => u.toString() === key)) return;
      const diagnostics = diagnosticsOf(uri);
      if (!done(diagnostics)) return;
      clearTimeout(timer);
      listener.dispose();
      resolve(diagnostics);
    });
  });
}

export function hasCodes(...codes: string[]): (diagnostics: ReturnType<typeof diagnosticsOf>) => boolean {
  return (diagnostics) => codes.every((code) => diagnostics.some((d) => d.codeText === code));
}

export function describe(diagnostics: ReturnType<typeof diagnosticsOf>): string {
  return JSON.stringify(diagnostics.map((d) => `${d.codeText}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`));
}

/** The one diagnostic with this code on this line. */
export function findDiagnostic(diagnostics: ReturnType<typeof diagnosticsOf>, code: string, line: number): vscode.Diagnostic & { codeText: string } {
  const found = diagnostics.filter((d) => d.codeText === code && d.range.start.line === line);
  assert.equal(found.length, 1, `expected one ${code} diagnostic on line ${line + 1}, got ${describe(diagnostics)}`);
  return found[0]!;
}

export function assertRange(range: vscode.Range, startLine: number, startCharacter: number, endLine: number, endCharacter: number): void {
  assert.deepEqual([range.start.line, range.start.character, range.end.line, range.end.character], [startLine, startCharacter, endLine, endCharacter]);
}

/** A suite's teardown: every editor closed, the folder it wrote its files into removed. */
export async function closeEditorsAndRemove(relative: string): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await Promise.resolve(vscode.workspace.fs.delete(workspaceFile(relative), { recursive: true, useTrash: false })).catch(() => undefined);
}
