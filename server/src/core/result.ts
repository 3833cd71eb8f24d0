/**
 * The one result model of resolution and verification (CONTRACT.md §5), shared by diagnostics,
 * hover, code actions, the report request and the CLI.
 */
import type { DiagnosticCode } from './codes';
import type { Range } from './model';

export type Status = 'verified' | 'unattested' | 'partial' | 'invalid' | 'unpinned' | 'not-found' | 'error' | 'pending';

/** Precedence when several statuses apply (CONTRACT.md §5): the first wins. */
export const STATUS_PRECEDENCE: readonly Status[] = ['invalid', 'error', 'not-found', 'partial', 'unattested', 'verified'];

/** The PEP 740 publisher object as the index served it (GitHub, GitLab, Google, …). */
export interface Publisher {
  kind: string;
  [field: string]: unknown;
}

export interface FileReport {
  filename: string;
  sha256: string;
  status: Status;
  publisher: Publisher | null;
  logIndex?: number;
  uploadTime?: string;
  message: string | null;
}

export interface DependencyReport {
  name: string;
  version: string | null;
  range: Range;
  status: Status;
  publisher: Publisher | null;
  files: FileReport[];
  diagnostics: DiagnosticCode[];
}

export interface DocumentReport {
  uri: string;
  dependencies: DependencyReport[];
}
