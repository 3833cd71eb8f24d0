/**
 * The commands. Each returns what it did, so the extension-host tests can assert on it;
 * none rejects: failures are shown to the user and logged.
 */
import * as vscode from 'vscode';
import { Commands, EXTENSION_NAME } from '../constants';
import { workspaceTotals } from '../status/summary';
import { publishedFindings } from '../status/workspaceResults';
import { buildReportModel } from '../report/model';
import type { ReportPanel } from '../report/reportPanel';
import { UnsupportedRequestError, requestClearCache } from '../server/requests';
import { afterProgress } from './progressNotification';
import { checkWorkspace, type PassContext } from './workspacePass';
import { confirmAcceptPublisher } from './acceptPublisher';
import { forgetTrustMemory } from './forgetTrustMemory';

export interface CommandContext extends PassContext {
  reportPanel: ReportPanel;
  /** The `indexUrl` in effect, to link projects to PyPI only when the index is PyPI. */
  indexUrl: () => string;
}

export interface VerifyResult {
  files: number;
  reports: number;
  cancelled: boolean;
  /** The status bar's text afterwards. */
  summary: string;
}

export type ReportResult = { shown: true; files: number; dependencies: number } | { shown: false; reason: string };
export type ClearCacheResult = 'cleared' | 'unsupported' | 'failed';

export function registerCommands(context: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(Commands.verifyWorkspace, () => verifyWorkspace(context)),
    vscode.commands.registerCommand(Commands.showReport, () => showReport(context)),
    vscode.commands.registerCommand(Commands.clearCache, () => clearCache(context)),
    vscode.commands.registerCommand(Commands.showOutput, () => context.output.show(true)),
    vscode.commands.registerCommand(Commands.forgetTrustedPublishers, () => forgetTrustMemory(context.client, context.output, 'trustedPublishers')),
    vscode.commands.registerCommand(Commands.forgetReleaseFileSets, () => forgetTrustMemory(context.client, context.output, 'releaseFileSets')),
    vscode.commands.registerCommand(Commands.confirmAcceptPublisher, (args: unknown) => confirmAcceptPublisher(context.client, context.output, args)),
  ];
}

async function verifyWorkspace(context: CommandContext): Promise<VerifyResult> {
  const pass = await checkWorkspace(context, { title: `${EXTENSION_NAME}: verifying dependencies` });
  const reports = pass.entries.filter((entry) => entry.report).length;
  const summary = workspaceTotals(context.results.files());
  const result = { files: pass.files.length, reports, cancelled: pass.cancelled, summary };
  // Not awaited: a notification waits for the user, the command does not. Shown once the
  // progress notification is gone, in its place (one notification, not two stacked).
  if (pass.files.length === 0) {
    void afterProgress(pass.progressClosed, () => vscode.window.showInformationMessage(`${EXTENSION_NAME}: no dependency files (requirements*.txt, pyproject.toml, pylock.toml, uv.lock, poetry.lock) in the workspace.`));
  } else if (!pass.cancelled) {
    void afterProgress(pass.progressClosed, () => vscode.window.showInformationMessage(`${EXTENSION_NAME}: checked ${pass.truncated ? 'the first ' : ''}${summary}.`, 'Show Report', 'Show Problems'))
      .then((choice) => {
        if (choice === 'Show Report') void vscode.commands.executeCommand(Commands.showReport);
        if (choice === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
      });
  }
  return result;
}

async function showReport(context: CommandContext): Promise<ReportResult> {
  if (context.results.reportUnsupported()) return reportUnavailable();
  const pass = await checkWorkspace(context, { title: `${EXTENSION_NAME}: building the provenance report`, reportsOnly: true });
  if (context.results.reportUnsupported()) return reportUnavailable(pass.progressClosed);
  if (pass.cancelled) return { shown: false, reason: 'cancelled' };
  const pypi = /^https:\/\/pypi\.org\/simple\/?$/.test(context.indexUrl());
  const model = buildReportModel(pass.entries, {
    generatedAt: new Date(),
    displayPath: (uri) => vscode.workspace.asRelativePath(vscode.Uri.parse(uri)),
    findings: publishedFindings,
    pypi,
  });
  context.reportPanel.show(model);
  return { shown: true, files: model.documents.length, dependencies: model.documents.reduce((n, d) => n + d.dependencies.length, 0) };
}

function reportUnavailable(progressClosed: Promise<void> = Promise.resolve()): ReportResult {
  const reason = 'This version of the language server has no provenance report yet (pypiProvenance/report). Its findings are in the Problems panel.';
  void afterProgress(progressClosed, () => vscode.window.showWarningMessage(`${EXTENSION_NAME}: ${reason}`, 'Show Problems')).then((choice) => {
    if (choice) void vscode.commands.executeCommand('workbench.actions.view.problems');
  });
  return { shown: false, reason };
}

/** "Removed 12 cached files (1.4 MB); trusted publishers and release file sets kept", from the answer of CONTRACT §5. */
export function clearedMessage(answer: unknown): string {
  const { removedFiles, removedBytes } = (typeof answer === 'object' && answer !== null ? answer : {}) as { removedFiles?: unknown; removedBytes?: unknown };
  if (typeof removedFiles !== 'number' || typeof removedBytes !== 'number') return 'cache cleared; trusted publishers and release file sets kept.';
  const megabytes = removedBytes / 1_000_000;
  const size = megabytes >= 0.1 || removedBytes === 0 ? `${megabytes.toFixed(1)} MB` : `${Math.max(1, Math.round(removedBytes / 1000))} kB`;
  return `Removed ${removedFiles} cached ${removedFiles === 1 ? 'file' : 'files'} (${size}); trusted publishers and release file sets kept.`;
}

async function clearCache(context: CommandContext): Promise<ClearCacheResult> {
  try {
    const answer = await requestClearCache(context.client);
    void vscode.window.showInformationMessage(`${EXTENSION_NAME}: ${clearedMessage(answer)}`);
    return 'cleared';
  } catch (error) {
    if (error instanceof UnsupportedRequestError) {
      void vscode.window.showInformationMessage(`${EXTENSION_NAME}: this version of the language server keeps no cache to clear.`);
      return 'unsupported';
    }
    const message = error instanceof Error ? error.message : String(error);
    context.output.appendLine(`[client] clearing the cache failed: ${message}`);
    void vscode.window.showErrorMessage(`${EXTENSION_NAME}: clearing the cache failed: ${message}`, 'Show Output').then((choice) => {
      if (choice) context.output.show(true);
    });
    return 'failed';
  }
}
