/**
 * The words the CLI's text output uses for a dependency's status: never a severity's word (the
 * status `error` reads "not checked", so "3 errors" always means findings), the same words as the
 * VS Code status bar and report (client/src/status/words.ts). `--format json` keeps the
 * contract's status values.
 */
import type { Status } from '../core/result';

export const STATUS_LABEL: Readonly<Record<Status, string>> = {
  'verified': 'verified',
  'partial': 'partly attested',
  'unattested': 'unattested',
  'invalid': 'invalid',
  'not-found': 'not found',
  'error': 'not checked',
  'pending': 'being checked',
  'unpinned': 'unpinned',
};

export function statusLabel(status: Status): string {
  return STATUS_LABEL[status] ?? String(status);
}
