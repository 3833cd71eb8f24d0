/**
 * "Forget Trusted Publishers" and "Forget Release File Sets" (issue 10 item 4, issue 11 item 1):
 * the trust memory is what makes a changed publisher or a changed release visible, so forgetting
 * it asks first, in a modal that says what goes and how many entries; the server then removes it
 * (pypiProvenance/forgetTrustMemory) and checks the open files again, and the notification says
 * what was removed. Clear Cache never touches it.
 */
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { EXTENSION_NAME } from '../constants';
import { UnsupportedRequestError, requestForgetTrustMemory, requestTrustMemory, type TrustMemoryCounts } from '../server/requests';
import { askModal, type ModalQuestion } from './modal';

export type ForgetWhat = 'trustedPublishers' | 'releaseFileSets';
export type ForgetResult = { forgotten: number } | { forgotten: 0; reason: 'cancelled' | 'nothing to forget' | 'unsupported' | 'failed' };

const WORDS: Record<ForgetWhat, { one: string; many: string; title: string; meaning: string; after: string }> = {
  trustedPublishers: {
    one: 'trusted publisher',
    many: 'trusted publishers',
    title: 'Forget Trusted Publishers',
    meaning: 'the publisher first verified (or accepted) for each project, against which a later change of publisher is flagged',
    after: 'The next check of each project trusts whichever publisher it verifies first, without flagging a change.',
  },
  releaseFileSets: {
    one: 'release file set',
    many: 'release file sets',
    title: 'Forget Release File Sets',
    meaning: 'the files each release had when first seen, against which a file added, removed or replaced later is flagged',
    after: 'The next check of each release remembers the files the index serves then, without flagging a change.',
  },
};

export function countOf(what: ForgetWhat, count: number): string {
  return `${count} ${count === 1 ? WORDS[what].one : WORDS[what].many}`;
}

export function forgetQuestion(what: ForgetWhat, count: number): ModalQuestion {
  const words = WORDS[what];
  return {
    message: `Forget ${countOf(what, count)}?`,
    detail: `${EXTENSION_NAME} remembers ${words.meaning}. ${words.after}\n\nThe cache is not affected.`,
    buttons: ['Forget'],
  };
}

export async function forgetTrustMemory(client: BaseLanguageClient, output: vscode.OutputChannel, what: ForgetWhat): Promise<ForgetResult> {
  try {
    const counts = await requestTrustMemory(client);
    const count = counts[what];
    if (count === 0) {
      void vscode.window.showInformationMessage(`${EXTENSION_NAME}: there are no ${WORDS[what].many} to forget.`);
      return { forgotten: 0, reason: 'nothing to forget' };
    }
    if ((await askModal(forgetQuestion(what, count))) !== 'Forget') return { forgotten: 0, reason: 'cancelled' };
    const removed: TrustMemoryCounts = await requestForgetTrustMemory(client, { [what]: true });
    void vscode.window.showInformationMessage(`${EXTENSION_NAME}: forgot ${countOf(what, removed[what])}; open dependency files are checked again.`);
    return { forgotten: removed[what] };
  } catch (error) {
    if (error instanceof UnsupportedRequestError) {
      void vscode.window.showInformationMessage(`${EXTENSION_NAME}: this version of the language server cannot forget its trust memory.`);
      return { forgotten: 0, reason: 'unsupported' };
    }
    const message = error instanceof Error ? error.message : String(error);
    output.appendLine(`[client] ${WORDS[what].title.toLowerCase()} failed: ${message}`);
    void vscode.window.showErrorMessage(`${EXTENSION_NAME}: ${WORDS[what].title.toLowerCase()} failed: ${message}`);
    return { forgotten: 0, reason: 'failed' };
  }
}
