/**
 * `-r`/`-c` targets of a requirements file, resolved as pip resolves them: relative to the
 * directory of the including file, URLs left alone. The file system is the caller's: it passes
 * `canRead`, so this stays pure.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from '../core/finding';
import type { IncludeDirective, ParsedDocument } from '../core/model';

/** True when the file at this absolute path exists and can be read. */
export type CanRead = (absolutePath: string) => boolean;

/**
 * The file path an include points at, or undefined when it is a remote URL (http, https), which
 * pip fetches and this project does not check.
 */
export function resolveIncludeTarget(documentPath: string, target: string): string | undefined {
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(target)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return undefined;
  if (scheme === 'file') {
    try {
      return fileURLToPath(target);
    } catch {
      return undefined;
    }
  }
  const paths = pathFlavour(documentPath);
  return paths.resolve(paths.dirname(documentPath), target);
}

/** A `missing-file` finding for every include of `doc` whose target cannot be read. */
export function checkIncludes(doc: ParsedDocument, documentPath: string, canRead: CanRead): Finding[] {
  const findings: Finding[] = [];
  for (const include of doc.includes) {
    const resolved = resolveIncludeTarget(documentPath, include.target);
    if (resolved === undefined) continue;
    let readable = false;
    try {
      readable = canRead(resolved);
    } catch {
      readable = false;
    }
    if (!readable) findings.push({ code: 'missing-file', message: missingMessage(include), range: include.range });
  }
  return findings;
}

function missingMessage(include: IncludeDirective): string {
  const what = include.kind === 'requirements' ? 'requirements file' : 'constraints file';
  const unexpanded = /\$\{[A-Z0-9_]+\}/.test(include.target) ? ' (an environment variable in its name is not set)' : '';
  return `The ${what} ${include.target} cannot be read${unexpanded}`;
}

/** Windows paths for a document with a drive letter or backslashes, POSIX ones otherwise. */
function pathFlavour(documentPath: string): typeof path.posix {
  return /^[a-zA-Z]:[\\/]/.test(documentPath) || documentPath.includes('\\') ? path.win32 : path.posix;
}
