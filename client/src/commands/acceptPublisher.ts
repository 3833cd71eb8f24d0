/**
 * `pypiProvenance.confirmAcceptPublisher` (issue 10 item 3): the server's accept-publisher code
 * action runs it with what is to be accepted (protocol/src/commands.ts). It asks in a modal that
 * names both publishers — "Replace" or "Keep both" — and only then calls the server command with
 * that mode; Cancel does nothing. The server announces nothing here: the client tells it that it
 * has this command (client capabilities, see createClient.ts), and the server then offers this
 * one action instead of one per mode.
 */
import * as vscode from 'vscode';
import { ExecuteCommandRequest, type BaseLanguageClient } from 'vscode-languageclient';
import type { AcceptMode, AcceptPublisherArguments, AcceptPublisherResult } from '../../../protocol/src/commands';
import { EXTENSION_NAME, ServerCommands } from '../constants';
import { askModal, type ModalQuestion } from './modal';

export const REPLACE = 'Replace';
export const KEEP_BOTH = 'Keep both';

export type ConfirmResult = AcceptPublisherResult | { accepted: false; reason: 'cancelled' };

/** The modal: verdict first, both publishers named, what each button does. */
export function acceptQuestion(args: AcceptPublisherArguments): ModalQuestion {
  const { project, publisher, previous } = args.labels;
  const was = listOf(previous);
  const where =
    args.target === 'lock'
      ? `The lock records ${was} as the publisher of ${project}; the files of ${project} ${args.version} are published by ${publisher}.`
      : `This machine trusts ${was} as the publisher of ${project}; ${project} ${args.version} is published by ${publisher}.`;
  const what =
    args.target === 'lock'
      ? `"${REPLACE}" records only ${publisher} in the lock; "${KEEP_BOTH}" records it beside ${was}.`
      : `"${REPLACE}" trusts only ${publisher} from now on; "${KEEP_BOTH}" trusts both.`;
  return {
    message: `Accept ${publisher} as the publisher of ${project}?`,
    detail: `${where}\n\n${what}\n\nA changed publisher is what a taken-over project looks like: accept it only if you know why it changed (a moved repository, a new release workflow).`,
    buttons: [REPLACE, KEEP_BOTH],
  };
}

export async function confirmAcceptPublisher(client: BaseLanguageClient, output: vscode.OutputChannel, args: unknown): Promise<ConfirmResult> {
  if (!isAcceptArguments(args)) {
    output.appendLine('[client] accept publisher: the server sent arguments this client cannot read');
    return { accepted: false, reason: 'malformed arguments' };
  }
  const choice = await askModal(acceptQuestion(args));
  const mode: AcceptMode | undefined = choice === REPLACE ? 'replace' : choice === KEEP_BOTH ? 'keep-both' : undefined;
  if (mode === undefined) return { accepted: false, reason: 'cancelled' };
  try {
    const result = (await client.sendRequest(ExecuteCommandRequest.type, { command: ServerCommands.acceptPublisher, arguments: [{ ...args, mode }] })) as AcceptPublisherResult | null;
    if (result?.accepted) {
      const done = mode === 'replace' ? `${args.labels.publisher} is now the publisher of ${args.labels.project}` : `${args.labels.publisher} and ${listOf(args.labels.previous)} are both accepted for ${args.labels.project}`;
      void vscode.window.showInformationMessage(`${EXTENSION_NAME}: ${done}${args.target === 'lock' ? ' in the lock (save the file to keep it)' : ' on this machine'}.`);
      return result;
    }
    const reason = result?.reason ?? 'the language server did not answer';
    void vscode.window.showWarningMessage(`${EXTENSION_NAME}: nothing was accepted: ${reason}.`);
    return { accepted: false, reason };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    output.appendLine(`[client] accepting the publisher failed: ${reason}`);
    void vscode.window.showErrorMessage(`${EXTENSION_NAME}: accepting the publisher failed: ${reason}`);
    return { accepted: false, reason };
  }
}

function listOf(items: readonly string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function isAcceptArguments(value: unknown): value is AcceptPublisherArguments {
  if (typeof value !== 'object' || value === null) return false;
  const args = value as Partial<AcceptPublisherArguments>;
  const labels = args.labels;
  return (
    (args.target === 'lock' || args.target === 'trust-store') &&
    typeof args.uri === 'string' &&
    typeof args.project === 'string' &&
    typeof args.version === 'string' &&
    typeof args.publisher === 'object' &&
    args.publisher !== null &&
    typeof labels === 'object' &&
    labels !== null &&
    typeof labels.project === 'string' &&
    typeof labels.publisher === 'string' &&
    Array.isArray(labels.previous) &&
    labels.previous.every((label) => typeof label === 'string')
  );
}
