import { formatOfPath } from '../core/format';
import type { DocumentFormat } from '../core/model';

/** The formats of lock files: a tool wrote them, and each package in them is pinned. */
export type LockFormat = Extract<DocumentFormat, 'pylock' | 'uvlock' | 'poetrylock'>;

/**
 * Which lock file a file name is (`uv.lock`, `poetry.lock`, `pylock.toml`, `pylock.NAME.toml`);
 * undefined for any other. The names themselves are decided by core/format.ts `formatOfPath`.
 */
export function lockFileKind(basename: string): LockFormat | undefined {
  const format = formatOfPath(basename);
  return format === 'uvlock' || format === 'poetrylock' || format === 'pylock' ? format : undefined;
}
