/**
 * The answer of `pypiProvenance/report` (CONTRACT.md §5), as the client reads it: the types are
 * the protocol project's (protocol/src/report.ts, the server's too); the checks here run on what
 * arrives. Only what the client shows is checked; anything else the server adds is carried along.
 */
import type * as protocol from '../../../protocol/src/report';

export type { Publisher, Range } from '../../../protocol/src/report';
export type ProvenanceStatus = protocol.Status;

/*
 * The protocol's report as a reader takes it: a server older or newer than this client may leave
 * a field out or send a status this client does not know, so only what identifies an entry is
 * required and statuses stay open strings. Derived from the protocol's types, so a field renamed
 * there fails this compile.
 */
export interface FileReport extends Partial<Omit<protocol.FileReport, 'filename' | 'status'>> {
  filename: string;
  status: ProvenanceStatus | string;
}

export interface DependencyReport extends Partial<Omit<protocol.DependencyReport, 'name' | 'status' | 'files'>> {
  name: string;
  status: ProvenanceStatus | string;
  files?: FileReport[];
}

export interface DocumentReport extends Omit<protocol.DocumentReport, 'dependencies'> {
  dependencies: DependencyReport[];
}

export const STATUSES: readonly ProvenanceStatus[] = ['verified', 'partial', 'unattested', 'unpinned', 'not-found', 'error', 'invalid', 'pending'];

export function isDocumentReport(value: unknown): value is DocumentReport {
  if (typeof value !== 'object' || value === null) return false;
  const { uri, dependencies } = value as { uri?: unknown; dependencies?: unknown };
  return typeof uri === 'string' && Array.isArray(dependencies) && dependencies.every(isDependencyReport);
}

function isDependencyReport(value: unknown): value is DependencyReport {
  if (typeof value !== 'object' || value === null) return false;
  const { name, status } = value as { name?: unknown; status?: unknown };
  return typeof name === 'string' && typeof status === 'string';
}

export function isKnownStatus(status: string): status is ProvenanceStatus {
  return (STATUSES as readonly string[]).includes(status);
}
