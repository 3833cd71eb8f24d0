/**
 * Modal confirmations. In VS Code a modal is `showWarningMessage` with `{ modal: true }`; the
 * extension-host suite cannot click one, so in Test mode `TestCommands.answerModals` queues the
 * answers and records what was asked (the message, its detail and the buttons), which the test
 * asserts on: the same function builds the dialog either way.
 */
import * as vscode from 'vscode';

export interface ModalQuestion {
  message: string;
  detail: string;
  buttons: string[];
}

/** Answers queued by a test; undefined outside Test mode. */
let scripted: { answers: Array<string | undefined>; asked: ModalQuestion[] } | undefined;

/** Shows a modal warning; resolves to the button chosen, or undefined (Cancel, Escape). */
export async function askModal(question: ModalQuestion): Promise<string | undefined> {
  if (scripted) {
    scripted.asked.push(question);
    return scripted.answers.shift();
  }
  return vscode.window.showWarningMessage(question.message, { modal: true, detail: question.detail }, ...question.buttons);
}

/** Test mode: the next modals answer these in turn (undefined: cancelled); returns the questions asked since the last call. */
export function scriptModals(answers: Array<string | undefined>): ModalQuestion[] {
  const asked = scripted?.asked ?? [];
  scripted = { answers: [...answers], asked: [] };
  return asked;
}
