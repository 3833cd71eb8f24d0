/**
 * The status bar item: the active dependency file's summary while the server runs (the
 * workspace's in the tooltip), the server's state otherwise; a click opens the report. Red only
 * when the active file has errors.
 */
import * as vscode from 'vscode';
import { State, type BaseLanguageClient } from 'vscode-languageclient';
import { Commands, EXTENSION_NAME } from '../constants';
import type { StatusSummary } from './summary';
import type { WorkspaceResults } from './workspaceResults';

const RENDER_DELAY_MS = 100;

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('pypiProvenance.status', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Set while a command works on the whole workspace ("Verifying 3/12 …"). */
  private activity: string | undefined;

  constructor(
    private readonly client: BaseLanguageClient,
    private readonly results: WorkspaceResults,
  ) {
    this.item.name = EXTENSION_NAME;
    this.subscriptions.push(
      this.item,
      results.onDidChange(() => this.schedule()),
      client.onDidChangeState(() => this.render()),
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
    );
    this.render();
    this.item.show();
  }

  /** Shows work in progress in place of the summary; undefined returns to the summary. */
  setActivity(activity: string | undefined): void {
    this.activity = activity;
    this.render();
  }

  /** What the item shows now (tests read it through the command's result). */
  get text(): string {
    return this.item.text;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.render();
    }, RENDER_DELAY_MS);
  }

  private render(): void {
    const state = this.client.state;
    if (state === State.Starting) return this.show({ icon: 'sync~spin', text: 'PyPI Provenance', details: ['The language server is starting.'], tone: 'none' }, Commands.showOutput);
    if (state === State.Stopped) return this.show({ icon: 'circle-slash', text: 'PyPI Provenance stopped', details: ['The language server is not running. Click for its log.'], tone: 'none' }, Commands.showOutput, 'statusBarItem.warningBackground');
    if (this.activity) return this.show({ icon: 'sync~spin', text: this.activity, details: ['Checking the dependency files of the workspace.'], tone: 'none' }, Commands.showOutput);
    this.show(this.results.summary(vscode.window.activeTextEditor?.document.uri), Commands.showReport);
  }

  /** What the item shows now, for the tests (through a test-only command). */
  get state(): { text: string; tooltip: string; background: string | undefined } {
    const tooltip = this.item.tooltip;
    return { text: this.item.text, tooltip: typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? ''), background: this.background };
  }

  private background: string | undefined;

  private show(summary: StatusSummary, command: string, background = summary.tone === 'error' ? 'statusBarItem.errorBackground' : undefined): void {
    this.item.text = `$(${summary.icon}) ${summary.text}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${EXTENSION_NAME}**\n\n`);
    for (const line of summary.details) {
      tooltip.appendText(line);
      tooltip.appendMarkdown('  \n');
    }
    if (command === Commands.showReport) tooltip.appendMarkdown('\nClick for the provenance report.');
    this.item.tooltip = tooltip;
    this.item.command = command;
    this.background = background;
    this.item.backgroundColor = background ? new vscode.ThemeColor(background) : undefined;
  }

  dispose(): void {
    clearTimeout(this.timer);
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
