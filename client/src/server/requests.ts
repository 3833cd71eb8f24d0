/**
 * The server's custom requests, each typed, with "the server does not have it (yet)" told apart
 * from other failures so that commands can say so plainly instead of failing.
 */
import type * as vscode from 'vscode';
import { ErrorCodes, ResponseError, type BaseLanguageClient } from 'vscode-languageclient';
import { Requests } from '../constants';
import { isDocumentReport, type DocumentReport } from '../report/types';

/** The server answered that it has no handler for this request. */
export class UnsupportedRequestError extends Error {
  constructor(readonly method: string) {
    super(`The language server does not support ${method} yet.`);
  }
}

export async function requestReport(client: BaseLanguageClient, uri: string, wait: boolean, token?: vscode.CancellationToken): Promise<DocumentReport> {
  const answer: unknown = await send(client, Requests.report, { textDocument: { uri }, wait }, token);
  if (!isDocumentReport(answer)) throw new Error(`${Requests.report} answered with something that is not a report`);
  return answer;
}

export async function requestClearCache(client: BaseLanguageClient, token?: vscode.CancellationToken): Promise<unknown> {
  return send(client, Requests.clearCache, {}, token);
}

/** Entries of each trust memory (pypiProvenance/trustMemory and …/forgetTrustMemory). */
export interface TrustMemoryCounts {
  trustedPublishers: number;
  releaseFileSets: number;
}

export async function requestTrustMemory(client: BaseLanguageClient): Promise<TrustMemoryCounts> {
  return countsOf(await send(client, Requests.trustMemory, null), Requests.trustMemory);
}

export async function requestForgetTrustMemory(client: BaseLanguageClient, choice: { trustedPublishers?: boolean; releaseFileSets?: boolean }): Promise<TrustMemoryCounts> {
  return countsOf(await send(client, Requests.forgetTrustMemory, choice), Requests.forgetTrustMemory);
}

function countsOf(answer: unknown, method: string): TrustMemoryCounts {
  const { trustedPublishers, releaseFileSets } = (typeof answer === 'object' && answer !== null ? answer : {}) as Record<string, unknown>;
  if (typeof trustedPublishers !== 'number' || typeof releaseFileSets !== 'number') throw new Error(`${method} answered with something that is not a count`);
  return { trustedPublishers, releaseFileSets };
}

async function send(client: BaseLanguageClient, method: string, params: unknown, token?: vscode.CancellationToken): Promise<unknown> {
  try {
    return await (token ? client.sendRequest(method, params, token) : client.sendRequest(method, params));
  } catch (error) {
    if (isMethodNotFound(error)) throw new UnsupportedRequestError(method);
    throw error;
  }
}

function isMethodNotFound(error: unknown): boolean {
  return (error instanceof ResponseError || typeof error === 'object') && (error as { code?: unknown } | null)?.code === ErrorCodes.MethodNotFound;
}
