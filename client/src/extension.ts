/**
 * The extension's entry: wires the language client, the status bar, the report panel and the
 * commands. Each lives in its own module; this file only connects them.
 */
import * as vscode from 'vscode';
import { DidChangeConfigurationNotification, type LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands/commands';
import { registerTestCommands } from './commands/testCommands';
import { Commands, EXTENSION_NAME, SETTINGS_SECTION } from './constants';
import { ReportPanel } from './report/reportPanel';
import { createLanguageClient } from './server/createClient';
import { describeIndex, logSettingsChanges } from './server/settingsLog';
import { StatusBar } from './status/statusBar';
import { WorkspaceResults, isDependencyFile } from './status/workspaceResults';

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
  const reportPanel = new ReportPanel({ refresh: () => void vscode.commands.executeCommand(Commands.showReport), log: (line) => output.appendLine(line) });
  const languageClient = client;
  const logOpened = (document: vscode.TextDocument) => {
    if (isDependencyFile(document.uri)) output.appendLine(`[client] checking ${vscode.workspace.asRelativePath(document.uri)} (index ${describeIndex(document.uri)})`);
  };
  const commandContext = {
    client: languageClient,
    results,
    status,
    output,
    reportPanel,
    indexUrl: () => vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>('indexUrl') ?? '',
  };
  context.subscriptions.push(
    output,
    results,
    status,
    reportPanel,
    ...registerCommands(commandContext),
    ...(context.extensionMode === vscode.ExtensionMode.Test ? registerTestCommands(commandContext) : []),
    logSettingsChanges((line) => output.appendLine(line)),
    vscode.workspace.onDidOpenTextDocument(logOpened),
    // Granting trust changes a setting only the client knows: the server re-reads its settings.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      output.appendLine('[client] workspace trusted: the server re-reads its settings');
      void languageClient.sendNotification(DidChangeConfigurationNotification.type, { settings: null }).catch(() => undefined);
    }),
  );
  for (const document of vscode.workspace.textDocuments) logOpened(document);

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
