/**
 * The answer of `pypiProvenance/report` (CONTRACT.md §5), as the client reads it. Only what the
 * client shows is checked; anything else the server adds is carried along untouched.
 */
export type ProvenanceStatus = 'verified' | 'unattested' | 'partial' | 'invalid' | 'unpinned' | 'not-found' | 'error' | 'pending';

export const STATUSES: readonly ProvenanceStatus[] = ['verified', 'partial', 'unattested', 'unpinned', 'not-found', 'error', 'invalid', 'pending'];

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** The PEP 740 publisher object as the index served it. */
export interface Publisher {
  kind?: string;
  repository?: string;
  workflow?: string;
  workflow_filepath?: string;
  environment?: string;
  email?: string;
  [key: string]: unknown;
}

export interface FileReport {
  filename: string;
  sha256?: string | null;
  status: ProvenanceStatus | string;
  publisher?: Publisher | null;
  logIndex?: number | null;
  uploadTime?: string | null;
  message?: string | null;
}

export interface DependencyReport {
  name: string;
  version?: string | null;
  range?: Range;
  status: ProvenanceStatus | string;
  publisher?: Publisher | null;
  files?: FileReport[];
  diagnostics?: string[];
  /** A pyproject.toml requirement's lock file, when the version came from it (CONTRACT.md §5). */
  lockedIn?: string;
}

export interface DocumentReport {
  uri: string;
  dependencies: DependencyReport[];
}

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
