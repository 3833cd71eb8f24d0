/**
 * Commands only the extension-host suite calls (registered in Test mode only): what the report
 * panel and the status bar show, and the report page's messages delivered as the page would
 * post them (a test cannot click inside a webview), and answers for modal dialogs (modal.ts).
 */
import * as vscode from 'vscode';
import { TestCommands } from '../constants';
import { REPORT_VIEW_TYPE } from '../report/reportPanel';
import type { CommandContext } from './commands';
import { scriptModals } from './modal';

export function registerTestCommands(context: CommandContext): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand(TestCommands.report, () => context.reportPanel.state),
    vscode.commands.registerCommand(TestCommands.reportMessage, (message: unknown) => context.reportPanel.handle(message)),
    // What VS Code does after a reload: a new panel of the view type, handed to the serializer with the page's saved state.
    vscode.commands.registerCommand(TestCommands.reviveReport, (state: unknown) => {
      const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, 'PyPI Provenance Report', vscode.ViewColumn.Beside, {});
      context.reportPanel.revive(panel, state);
      return context.reportPanel.state;
    }),
    vscode.commands.registerCommand(TestCommands.statusBar, () => context.status.state),
    vscode.commands.registerCommand(TestCommands.answerModals, (answers: Array<string | null> = []) => scriptModals(answers.map((answer) => answer ?? undefined))),
  ];
}
