/**
 * The extension's entry: wires the language client, the status bar, the report view and the
 * commands. Each lives in its own module; this file only connects them.
 */
import * as vscode from 'vscode';
import { DidChangeConfigurationNotification, type LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands/commands';
import { EXTENSION_NAME, SETTINGS_SECTION } from './constants';
import { ReportView } from './report/reportView';
import { createLanguageClient } from './server/createClient';
import { StatusBar } from './status/statusBar';
import { WorkspaceResults } from './status/workspaceResults';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel(EXTENSION_NAME);
  const cacheDirectory = context.globalStorageUri.fsPath;
  await vscode.workspace.fs.createDirectory(context.globalStorageUri).then(undefined, () => undefined);

  client = createLanguageClient({
    extensionPath: context.extensionPath,
    extensionMode: context.extensionMode,
    output,
    facts: () => ({ workspaceTrusted: vscode.workspace.isTrusted, defaultCacheDirectory: cacheDirectory }),
  });
  const results = new WorkspaceResults(client, output);
  const status = new StatusBar(client, results);
  const reportView = new ReportView();
  const languageClient = client;
  context.subscriptions.push(
    output,
    results,
    status,
    reportView,
    ...registerCommands({
      client: languageClient,
      results,
      status,
      output,
      reportView,
      indexUrl: () => vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>('indexUrl') ?? '',
    }),
    // Granting trust changes a setting only the client knows: the server re-reads its settings.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.appendLine('[client] workspace trusted: the server re-reads its settings');
      void languageClient.sendNotification(DidChangeConfigurationNotification.type, { settings: null }).catch(() => undefined);
    }),
  );

  try {
    await languageClient.start();
  } catch (error) {
    // The commands and the status bar stay, and say that the server is not running.
    const message = error instanceof Error ? error.message : String(error);
    output.appendLine(`[client] the language server did not start: ${message}`);
    void vscode.window.showErrorMessage(`${EXTENSION_NAME}: the language server did not start: ${message}`, 'Show Output').then((choice) => {
      if (choice) output.show(true);
    });
  }
}

export async function deactivate(): Promise<void> {
  const running = client;
  client = undefined;
  await running?.stop().catch(() => undefined);
}
