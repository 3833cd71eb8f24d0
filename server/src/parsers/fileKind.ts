/**
 * What kind of file a path names, for a file given by name (on the command line): one of the
 * formats this project parses, another tool's lock file, or a TOML file of no known kind. Lock
 * files are never read as requirements: `uv.lock`, `poetry.lock` and `pdm.lock` are TOML with
 * their own schemas, and read as requirements they would be nothing but `syntax` errors.
 *
 * Extending: a parser for one of the lock kinds turns its entry in LOCK_FILES into a format
 * (`parsedAs`) instead of a refusal; nothing else here changes.
 */
import { formatOfPath } from '../core/format';
import type { DocumentFormat } from '../core/model';

/** Every kind of file this module tells apart. */
export type FileKind = DocumentFormat | 'pdm-lock' | 'other-toml';

/** The lock files of tools this one does not read yet, by exact file name (uv.lock and poetry.lock are formats: core/format.ts). */
export interface LockFileSpec {
  kind: Exclude<FileKind, DocumentFormat | 'other-toml'>;
  /** The tool, as its users write it. */
  tool: string;
  /** What to run instead, said to the user. */
  advice: string;
  /** The format its parser reads, once there is one; until then the file is refused. */
  parsedAs?: DocumentFormat;
}

export const LOCK_FILES: Readonly<Record<string, LockFileSpec>> = {
  'pdm.lock': { kind: 'pdm-lock', tool: 'PDM', advice: 'check the pyproject.toml beside it, or export the lock with `pdm export -f pylock -o pylock.toml` and check that' },
};

export type InputKind = { ok: true; kind: FileKind; format: DocumentFormat } | { ok: false; kind: FileKind; message: string };

/**
 * The parser for a file named by the user: its format by name; a lock file of another tool by its
 * parser, or refused with what to do instead; else requirements (pip reads any file named with
 * `-r` as one), except a TOML file that is neither pyproject nor pylock.
 */
export function kindOfNamedFile(filePath: string): InputKind {
  const format = formatOfPath(filePath);
  if (format !== undefined) return { ok: true, kind: format, format };
  const base = filePath.split(/[\\/]/).pop() ?? '';
  const lock = Object.prototype.hasOwnProperty.call(LOCK_FILES, base) ? LOCK_FILES[base] : undefined;
  if (lock !== undefined) {
    if (lock.parsedAs !== undefined) return { ok: true, kind: lock.kind, format: lock.parsedAs };
    return { ok: false, kind: lock.kind, message: `${base} is a ${lock.tool} lock file; this tool does not read ${lock.tool} lock files yet: ${lock.advice}` };
  }
  if (base.toLowerCase().endsWith('.toml')) {
    return { ok: false, kind: 'other-toml', message: 'not a dependency file this tool reads (a TOML file must be pyproject.toml, pylock.toml or pylock.*.toml; a lock file uv.lock or poetry.lock)' };
  }
  return { ok: true, kind: 'requirements', format: 'requirements' };
}
