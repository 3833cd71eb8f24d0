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
