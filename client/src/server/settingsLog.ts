/** Settings in the output channel: each change (per folder too), and the index a document is checked against. Texts: logText.ts. */
import * as vscode from 'vscode';
import { SETTINGS_SECTION } from '../constants';
import { safeUrl, settingsChanges } from './logText';

/** The keys the extension contributes, read for a scope (a folder, or the window). */
export function snapshot(scope?: vscode.Uri): Record<string, unknown> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const values: Record<string, unknown> = {};
  for (const key of ['indexUrl', 'trustedRoot', 'cacheDirectory', 'offline', 'lateUploadDays', 'minReleaseAgeDays', 'severity']) {
    const inspected = config.inspect(key);
    const set = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    if (set !== undefined) values[key] = set;
  }
  return values;
}

/** The index a document is checked against, as the log shows it (the file's own `--index-url` wins when the workspace is trusted). */
export function describeIndex(document: vscode.Uri): string {
  const url = vscode.workspace.getConfiguration(SETTINGS_SECTION, document).get<string>('indexUrl') ?? '';
  return safeUrl(url);
}

/** Logs every change of a setting, per workspace folder too (a folder may have its own indexUrl). */
export function logSettingsChanges(log: (line: string) => void): vscode.Disposable {
  const scopes = () => [undefined, ...(vscode.workspace.workspaceFolders ?? []).map((folder) => folder.uri)];
  const last = new Map<string, Record<string, unknown>>(scopes().map((scope) => [scope?.toString() ?? '', snapshot(scope)]));
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration(SETTINGS_SECTION)) return;
    for (const scope of scopes()) {
      const key = scope?.toString() ?? '';
      const now = snapshot(scope);
      const before = last.get(key) ?? {};
      last.set(key, now);
      // A folder's line only when it differs from the window's change (its own setting changed).
      const where = scope ? ` (folder ${vscode.workspace.asRelativePath(scope, true) || scope.path})` : '';
      const lines = settingsChanges(before, now, where);
      if (scope && lines.length > 0 && JSON.stringify(now) === JSON.stringify(last.get(''))) continue;
      for (const line of lines) log(line);
    }
  });
}
