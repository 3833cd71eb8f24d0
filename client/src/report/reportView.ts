/**
 * Shows a generated Markdown report in VS Code's Markdown preview, through a read-only virtual
 * document (nothing is written to the workspace). Without the Markdown extension, the source.
 */
import * as vscode from 'vscode';

export const REPORT_SCHEME = 'pypi-provenance-report';
const REPORT_URI = vscode.Uri.from({ scheme: REPORT_SCHEME, path: '/PyPI Provenance Report.md' });

export class ReportView implements vscode.Disposable, vscode.TextDocumentContentProvider {
  private markdown = '';
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, this);

  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(): string {
    return this.markdown;
  }

  async show(markdown: string): Promise<vscode.Uri> {
    this.markdown = markdown;
    this.changed.fire(REPORT_URI);
    try {
      await vscode.commands.executeCommand('markdown.showPreview', REPORT_URI);
    } catch {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(REPORT_URI), { preview: true });
    }
    return REPORT_URI;
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
