/**
 * What is known about the workspace's dependency files: the server's report per document when
 * it answers `pypiProvenance/report`, else the diagnostics it published. Reports are refreshed
 * (without waiting) whenever a dependency file's diagnostics change, so the summary stays live.
 */
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { DIAGNOSTIC_SOURCE } from '../constants';
import { DOCUMENT_SELECTOR } from '../documentSelector';
import type { DocumentReport } from '../report/types';
import { UnsupportedRequestError, requestReport } from '../server/requests';
import { summarizeDiagnostics, summarizeReports, type DiagnosticEntry, type DiagnosticLevel, type StatusSummary } from './summary';

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

  summary(): StatusSummary {
    if (this.support === 'supported' && this.reports.size > 0) return summarizeReports([...this.reports.values()]);
    let files = 0;
    const entries: DiagnosticEntry[] = [];
    for (const [uri, diagnostics] of vscode.languages.getDiagnostics()) {
      if (!isDependencyFile(uri)) continue;
      files++;
      for (const diagnostic of diagnostics) {
        if (diagnostic.source !== DIAGNOSTIC_SOURCE) continue;
        const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
        entries.push({ code: String(code ?? 'unknown'), level: LEVELS[diagnostic.severity] });
      }
    }
    return summarizeDiagnostics(entries, files);
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

/** Whether a URI is one of the documents the server is given (an open dependency file). */
export function isDependencyFile(uri: vscode.Uri): boolean {
  const key = uri.toString();
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
  return document !== undefined && vscode.languages.match(DOCUMENT_SELECTOR, document) > 0;
}
