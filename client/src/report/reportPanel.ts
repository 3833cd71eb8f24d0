/**
 * The report as a webview panel (html.ts draws it): one panel, revealed again rather than
 * duplicated; a link in it opens the file at the requirement's line; it survives a window reload
 * (the serializer redraws it from the model the page saved with setState, and the
 * `onWebviewPanel:` activation event in package.json wakes the extension for it).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { renderReportHtml, type PageMessage } from './html';
import type { ReportModel } from './model';

export const REPORT_VIEW_TYPE = 'pypiProvenance.report';
const TITLE = 'PyPI Provenance Report';

export interface ReportPanelHost {
  /** "Check again" in the page. */
  refresh(): void;
  log(line: string): void;
}

/** What the tests read (through a test-only command). */
export interface ReportPanelState {
  open: boolean;
  html: string;
  model?: ReportModel;
}

export class ReportPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private model: ReportModel | undefined;
  private html = '';
  private readonly registration: vscode.Disposable;

  constructor(private readonly host: ReportPanelHost) {
    this.registration = vscode.window.registerWebviewPanelSerializer(REPORT_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel, state: unknown) => this.revive(panel, state),
    });
  }

  show(model: ReportModel): void {
    if (!this.panel) {
      const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, TITLE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false }, webviewOptions());
      this.attach(panel);
    } else {
      this.panel.reveal(undefined, false);
    }
    this.draw(model);
  }

  /** The serializer: a panel VS Code restored after a reload, with the state the page saved. */
  revive(panel: vscode.WebviewPanel, state: unknown): void {
    panel.webview.options = webviewOptions();
    this.panel?.dispose();
    this.attach(panel);
    const saved = (state as { model?: unknown } | undefined)?.model;
    this.draw(isReportModel(saved) ? saved : emptyModel());
  }

  /** A message from the page; answers whether it did something. */
  async handle(message: unknown): Promise<boolean> {
    const m = message as Partial<PageMessage> | null;
    if (m?.type === 'refresh') {
      this.host.refresh();
      return true;
    }
    if (m?.type !== 'open') return false;
    const { uri, line } = m as { uri?: unknown; line?: unknown };
    // Only a file the report lists, at a line it lists: the page asks, the extension decides.
    const document = typeof uri === 'string' ? this.model?.documents.find((d) => d.uri === uri) : undefined;
    if (!document || typeof line !== 'number' || !document.dependencies.some((d) => d.line === line)) {
      this.host.log(`[client] the report asked to open something it does not list; ignored`);
      return false;
    }
    const target = vscode.Uri.parse(document.uri);
    if (target.scheme !== 'file' && target.scheme !== 'untitled') return false;
    const text = await vscode.workspace.openTextDocument(target);
    const at = Math.min(line, Math.max(0, text.lineCount - 1));
    const row = text.lineAt(at);
    const selection = new vscode.Range(at, row.firstNonWhitespaceCharacterIndex, at, row.range.end.character);
    const column = this.panel?.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Beside : vscode.ViewColumn.One;
    const editor = await vscode.window.showTextDocument(text, { selection, viewColumn: column, preserveFocus: false, preview: false });
    editor.revealRange(selection, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return true;
  }

  get state(): ReportPanelState {
    return { open: this.panel !== undefined, html: this.html, model: this.model };
  }

  private attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    panel.webview.onDidReceiveMessage((message) => void this.handle(message).catch((error) => this.host.log(`[client] the report's link failed: ${error instanceof Error ? error.message : String(error)}`)));
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
  }

  private draw(model: ReportModel): void {
    this.model = model;
    this.html = renderReportHtml(model, { nonce: randomBytes(18).toString('base64') });
    if (this.panel) this.panel.webview.html = this.html;
  }

  dispose(): void {
    this.registration.dispose();
    this.panel?.dispose();
  }
}

function webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  // Scripts for sorting, filtering and links; no local resource is readable from the page.
  return { enableScripts: true, enableCommandUris: false, localResourceRoots: [], retainContextWhenHidden: false };
}

function emptyModel(): ReportModel {
  return { generatedAt: '', totals: 'The report was closed with the window; "Check again" builds it anew.', documents: [], statuses: [] };
}

/** The state a page saved: drawn with textContent only, but checked for shape all the same. */
export function isReportModel(value: unknown): value is ReportModel {
  if (typeof value !== 'object' || value === null) return false;
  const model = value as Partial<ReportModel>;
  return (
    typeof model.generatedAt === 'string' &&
    typeof model.totals === 'string' &&
    Array.isArray(model.statuses) &&
    Array.isArray(model.documents) &&
    model.documents.every((d) => typeof d === 'object' && d !== null && typeof d.uri === 'string' && typeof d.name === 'string' && Array.isArray(d.dependencies))
  );
}
