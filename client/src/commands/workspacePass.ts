/**
 * One pass over the workspace's dependency files, behind a cancellable progress notification:
 * each file is opened (so the server analyses it) and, when the server has the report request,
 * its report is awaited (`wait: true`); otherwise its diagnostics are.
 */
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { DEPENDENCY_FILES_GLOB, EXCLUDED_FOLDERS_GLOB, MAX_WORKSPACE_FILES } from '../documentSelector';
import type { ReportEntry } from '../report/model';
import { UnsupportedRequestError, requestReport } from '../server/requests';
import type { StatusBar } from '../status/statusBar';
import type { WorkspaceResults } from '../status/workspaceResults';
import { withProgressNotification } from './progressNotification';

export interface PassContext {
  client: BaseLanguageClient;
  results: WorkspaceResults;
  status: StatusBar;
  output: vscode.OutputChannel;
}

export interface PassResult {
  files: vscode.Uri[];
  entries: ReportEntry[];
  cancelled: boolean;
  /** More files than MAX_WORKSPACE_FILES: only the first ones were checked. */
  truncated: boolean;
  /** Settles once the pass's progress notification has closed (progressNotification.ts): a closing message goes after it. */
  progressClosed: Promise<void>;
}

/** Files checked at once: the server works on them concurrently; more would only queue. */
const CONCURRENCY = 4;
/** Without the report request, how long to wait for a file's first diagnostics. */
const DIAGNOSTICS_WAIT_MS = 10_000;

export async function findDependencyFiles(token?: vscode.CancellationToken): Promise<{ files: vscode.Uri[]; truncated: boolean }> {
  const found = await vscode.workspace.findFiles(DEPENDENCY_FILES_GLOB, EXCLUDED_FOLDERS_GLOB, MAX_WORKSPACE_FILES + 1, token);
  const files = found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  return { files: files.slice(0, MAX_WORKSPACE_FILES), truncated: files.length > MAX_WORKSPACE_FILES };
}

export interface PassOptions {
  title: string;
  /** For the report: stop as soon as the server turns out to have no report request. */
  reportsOnly?: boolean;
}

export async function checkWorkspace(context: PassContext, { title, reportsOnly = false }: PassOptions): Promise<PassResult> {
  const { result, closed } = await withProgressNotification(vscode.window, { location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => pass(context, reportsOnly, progress, token));
  return { ...result, progressClosed: closed };
}

async function pass(
  context: PassContext,
  reportsOnly: boolean,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
  token: vscode.CancellationToken,
): Promise<Omit<PassResult, 'progressClosed'>> {
  progress.report({ message: 'finding dependency files…' });
  const { files, truncated } = await findDependencyFiles(token);
  if (truncated) context.output.appendLine(`[client] more than ${MAX_WORKSPACE_FILES} dependency files: only the first ${MAX_WORKSPACE_FILES} are checked`);
  const entries: ReportEntry[] = new Array(files.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (!token.isCancellationRequested && next < files.length && !(reportsOnly && context.results.reportUnsupported())) {
      const index = next++;
      const file = files[index]!;
      entries[index] = await checkFile(context, file, reportsOnly, token);
      done++;
      const activity = `${done}/${files.length} dependency files`;
      context.status.setActivity(`Verifying ${activity}`);
      progress.report({ increment: 100 / files.length, message: `${activity} · ${vscode.workspace.asRelativePath(file)}` });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
  } finally {
    context.status.setActivity(undefined);
  }
  return { files, entries: entries.filter((entry) => entry !== undefined), cancelled: token.isCancellationRequested, truncated };
}

async function checkFile(context: PassContext, file: vscode.Uri, reportsOnly: boolean, token: vscode.CancellationToken): Promise<ReportEntry> {
  const uri = file.toString();
  try {
    const document = await vscode.workspace.openTextDocument(file);
    if (!context.results.reportUnsupported()) {
      try {
        const report = await requestReport(context.client, document.uri.toString(), true, token);
        context.results.noteSupport(true);
        context.results.set(report);
        return { uri, report };
      } catch (error) {
        if (!(error instanceof UnsupportedRequestError)) throw error;
        context.results.noteSupport(false);
      }
    }
    if (!reportsOnly) await diagnosticsOf(file, token);
    return { uri, error: 'the language server has no provenance report (pypiProvenance/report); see the Problems panel' };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!token.isCancellationRequested) context.output.appendLine(`[client] checking ${vscode.workspace.asRelativePath(file)} failed: ${message}`);
    return { uri, error: message };
  }
}

/** Resolves when diagnostics for the file arrive (or already exist), on cancel, or after a bound. */
function diagnosticsOf(file: vscode.Uri, token: vscode.CancellationToken): Promise<void> {
  const key = file.toString();
  if (vscode.languages.getDiagnostics(file).length > 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const finish = () => {
      clearTimeout(timer);
      listener.dispose();
      cancel.dispose();
      resolve();
    };
    const timer = setTimeout(finish, DIAGNOSTICS_WAIT_MS);
    const listener = vscode.languages.onDidChangeDiagnostics((event) => {
      if (event.uris.some((uri) => uri.toString() === key)) finish();
    });
    const cancel = token.onCancellationRequested(finish);
  });
}
