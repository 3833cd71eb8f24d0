import type { DocumentFormat } from '../core/model';

/** The formats of lock files: a tool wrote them, and each package in them is pinned. */
export type LockFormat = Extract<DocumentFormat, 'pylock' | 'uvlock' | 'poetrylock'>;

/** Which lock file a file name is (`uv.lock`, `poetry.lock`, `pylock.toml`, `pylock.NAME.toml`); undefined for any other. */
export function lockFileKind(basename: string): LockFormat | undefined {
  if (basename === 'uv.lock') return 'uvlock';
  if (basename === 'poetry.lock') return 'poetrylock';
  if (basename === 'pylock.toml' || /^pylock\.[^/\\]+\.toml$/.test(basename)) return 'pylock';
  return undefined;
}
