/**
 * What is known about the workspace's dependency files: the server's report per document when
 * it answers `pypiProvenance/report`, else the diagnostics it published. Reports are refreshed
 * (without waiting) whenever a dependency file's diagnostics change, so the summary stays live.
 */
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { DIAGNOSTIC_SOURCE } from '../constants';
import { DOCUMENT_SELECTOR } from '../documentSelector';
import type { PublishedFinding } from '../report/model';
import type { DocumentReport } from '../report/types';
import { UnsupportedRequestError, requestReport } from '../server/requests';
import { summarizeStatus, type DiagnosticLevel, type FileFacts, type StatusSummary } from './summary';

export type ReportSupport = 'unknown' | 'supported' | 'unsupported';

const REFRESH_DELAY_MS = 250;

const LEVELS: Readonly<Record<vscode.DiagnosticSeverity, DiagnosticLevel>> = {
  [vscode.DiagnosticSeverity.Error]: 'error',
  [vscode.DiagnosticSeverity.Warning]: 'warning',
  [vscode.DiagnosticSeverity.Information]: 'information',
  [vscode.DiagnosticSeverity.Hint]: 'hint',
};

export class WorkspaceResults implements vscode.Disposable {
  private readonly reports = new Map<string, DocumentReport>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private support: ReportSupport = 'unknown';

  readonly onDidChange = this.changed.event;

  constructor(
    private readonly client: BaseLanguageClient,
    private readonly output: vscode.OutputChannel,
  ) {
    this.subscriptions.push(
      this.changed,
      vscode.languages.onDidChangeDiagnostics((event) => {
        const ours = event.uris.filter((uri) => isDependencyFile(uri));
        if (ours.length === 0) return;
        for (const uri of ours) this.scheduleRefresh(uri.toString());
        this.changed.fire();
      }),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri.toString())),
    );
  }

  get reportSupport(): ReportSupport {
    return this.support;
  }

  /** A method, not a getter: callers ask again after an await, and TypeScript must not narrow. */
  reportUnsupported(): boolean {
    return this.support === 'unsupported';
  }

  /** After a request: the server has the report request, or it answered MethodNotFound. */
  noteSupport(supported: boolean): void {
    const next: ReportSupport = supported ? 'supported' : 'unsupported';
    if (next === this.support) return;
    this.support = next;
    if (!supported) this.output.appendLine('[client] the server has no pypiProvenance/report: the status bar summarizes diagnostics');
    this.changed.fire();
  }

  set(report: DocumentReport): void {
    this.reports.set(report.uri, report);
    this.changed.fire();
  }

  forget(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
    if (this.reports.delete(uri)) this.changed.fire();
  }

  /** The status bar's summary for the active editor's document (undefined: not a dependency file). */
  summary(active?: vscode.Uri): StatusSummary {
    const files = this.files();
    const key = active?.toString();
    return summarizeStatus(files.find((file) => file.uri === key), files);
  }

  /** Every dependency file known: the open ones and those with a report. */
  files(): Array<FileFacts & { uri: string }> {
    const uris = new Set<string>(this.support === 'supported' ? this.reports.keys() : []);
    for (const document of vscode.workspace.textDocuments) if (isDependencyFile(document.uri)) uris.add(document.uri.toString());
    return [...uris].map((uri) => this.facts(uri));
  }

  private facts(uri: string): FileFacts & { uri: string } {
    const parsed = vscode.Uri.parse(uri);
    const levels = publishedFindings(uri).map((finding) => finding.severity);
    const report = this.support === 'supported' ? this.reports.get(uri) : undefined;
    return { uri, name: vscode.workspace.asRelativePath(parsed), report, levels };
  }

  private scheduleRefresh(uri: string): void {
    if (this.support === 'unsupported') return;
    clearTimeout(this.timers.get(uri));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        void this.refresh(uri);
      }, REFRESH_DELAY_MS),
    );
  }

  private async refresh(uri: string): Promise<void> {
    if (!this.client.isRunning()) return;
    try {
      const report = await requestReport(this.client, uri, false);
      this.noteSupport(true);
      this.set(report);
    } catch (error) {
      if (error instanceof UnsupportedRequestError) this.noteSupport(false);
      // Any other failure (the document closed meanwhile, a restart) leaves the last summary.
    }
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

/** A document's diagnostics from this server, as the editor shows them (the report lists their messages). */
export function publishedFindings(uri: string): PublishedFinding[] {
  return vscode.languages
    .getDiagnostics(vscode.Uri.parse(uri))
    .filter((d) => d.source === DIAGNOSTIC_SOURCE)
    .map((d) => ({ code: String(typeof d.code === 'object' ? d.code.value : d.code), severity: LEVELS[d.severity], message: d.message, line: d.range.start.line }));
}

/** Whether a URI is one of the documents the server is given (an open dependency file). */
export function isDependencyFile(uri: vscode.Uri): boolean {
  const key = uri.toString();
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
  return document !== undefined && vscode.languages.match(DOCUMENT_SELECTOR, document) > 0;
}
