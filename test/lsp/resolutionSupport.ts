/**
 * Shared by the LSP tests of index resolution and the "Add hash pins" code actions: temporary
 * workspaces and cache directories, diagnostics as comparable rows, and waiting for the publish
 * that carries the resolution stage's findings.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver-protocol';
import { fileUri, type LspClient } from '../support/lspClient';

export type Row = [code: string, severity: number, startLine: number, startChar: number, endLine: number, endChar: number];

/** Codes only the resolution stage gives. */
export const RESOLUTION_CODES: ReadonlySet<string> = new Set(['project-not-found', 'version-not-found', 'yanked', 'hash-not-on-index', 'index-error']);

/** Short timeouts and retries so hostile answers fail in a test's time; PYPI_PROVENANCE_* knobs of server/src/resolution/tuning.ts. */
export const FAST_INDEX_ENV: Record<string, string> = {
  PYPI_PROVENANCE_HTTP_TIMEOUT_MS: '1500',
  PYPI_PROVENANCE_HTTP_RETRIES: '1',
  PYPI_PROVENANCE_RETRY_DELAY_MS: '400,2000',
  // Whatever the machine has must not decide which index the tests ask.
  PIP_INDEX_URL: '',
};

/**
 * What these tests check: the resolution stage's codes and the local ones. The verification
 * stage runs on the same documents (no-provenance, …); its findings are its own tests' business.
 */
export const CHECKED_CODES: ReadonlySet<string> = new Set([...RESOLUTION_CODES, 'syntax', 'unpinned', 'missing-hashes', 'weak-hash', 'missing-file']);

export function checked(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics.filter((d) => CHECKED_CODES.has(String(d.code)));
}

/** The checked diagnostics as comparable rows, in document order. */
export function rows(diagnostics: Diagnostic[]): Row[] {
  return checked(diagnostics)
    .map((d): Row => [String(d.code), d.severity ?? 0, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character])
    .sort((a, b) => a[2] - b[2] || a[3] - b[3] || a[0].localeCompare(b[0]));
}

/** A temporary directory removed at the end of the test file (call `cleanup` in `after`). */
export class TempDirs {
  private readonly made: string[] = [];

  make(prefix: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), `pypi-provenance-${prefix}-`));
    this.made.push(dir);
    return dir;
  }

  cleanup(): void {
    for (const dir of this.made.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}

export function codeCounts(diagnostics: Diagnostic[], only: ReadonlySet<string> = RESOLUTION_CODES): string {
  return diagnostics
    .map((d) => String(d.code))
    .filter((code) => only.has(code))
    .sort()
    .join(',');
}

/**
 * Opens a document and waits for the publish whose resolution findings are exactly `codes` (a
 * multiset, in any order): the stage's final publish when `codes` is everything it will find.
 */
export async function openAndResolve(client: LspClient, uri: string, text: string, codes: string[], timeoutMs = 15_000): Promise<Diagnostic[]> {
  client.open(uri, text);
  return waitForCodes(client, uri, codes, { timeoutMs });
}

export function waitForCodes(client: LspClient, uri: string, codes: string[], options: { since?: number; timeoutMs?: number } = {}): Promise<Diagnostic[]> {
  const wanted = [...codes].sort().join(',');
  return client.waitForDiagnostics(uri, { ...options, where: (diagnostics) => codeCounts(diagnostics) === wanted });
}

/** Every text the client received from the server: diagnostics' messages, log lines, stderr. */
export function everythingSaid(client: LspClient): string {
  const messages = client.publishes.flatMap((p) => p.diagnostics.map((d) => `${d.message} ${JSON.stringify(d.data ?? null)}`));
  return [...messages, ...client.logs.map((l) => l.message), client.stderr].join('\n');
}

export function uriIn(dir: string, relative: string): string {
  return fileUri(path.join(dir, relative));
}
