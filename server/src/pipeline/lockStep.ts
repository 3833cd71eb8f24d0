/**
 * The lock step of a pyproject.toml, between parsing and the stages (locks/lockedPyproject.ts):
 * the lock files beside the document, read from the editor's open documents first (what the user
 * sees, saved or not), then from disk through the safe reader (regular files only, size-bounded).
 * Both shells run it: the CLI with no open documents, the LSP with its own.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { ParsedDocument } from '../core/model';
import { MAX_DOCUMENT_BYTES, readRegularText } from '../core/regularFile';
import { lockFileKind } from '../parsers/lockFiles';
import { lockPyproject } from '../locks/lockedPyproject';
import { documentPath } from './includesStage';

/** The text of an open document by its file system path; undefined when it is not open. */
export type OpenText = (absolutePath: string) => string | undefined;

export async function withLockedVersions(parsed: ParsedDocument, uri: string, openText: OpenText = () => undefined): Promise<ParsedDocument> {
  const names = locksBeside(parsed, uri);
  if (names.length === 0) return parsed;
  const folder = path.dirname(documentPath(uri)!);
  return lockPyproject(parsed, {
    fileNames: names,
    read: async (name) => {
      const full = path.join(folder, name);
      const open = openText(full);
      if (open !== undefined) return open;
      try {
        return await readRegularText(full, MAX_DOCUMENT_BYTES);
      } catch {
        return undefined;
      }
    },
  });
}

/**
 * The lock files beside a pyproject.toml, by name; none for other formats, a document not on disk
 * or a folder that cannot be listed. Synchronous (one directory listing) so that a pyproject with
 * no lock is published on open as at once as any other document.
 */
export function locksBeside(parsed: ParsedDocument, uri: string): string[] {
  const file = parsed.format === 'pyproject' ? documentPath(uri) : undefined;
  if (file === undefined) return [];
  try {
    return readdirSync(path.dirname(file)).filter((name) => lockFileKind(name) !== undefined);
  } catch {
    return [];
  }
}

/** The folder whose pyproject.toml a changed lock file (by path) applies to; undefined when it is no lock. */
export function lockFolder(changedPath: string): string | undefined {
  return lockFileKind(path.basename(changedPath)) === undefined ? undefined : path.dirname(changedPath);
}

/** Whether a document is a pyproject.toml in that folder (re-analysed when its lock changes). */
export function isPyprojectIn(uri: string, folder: string): boolean {
  const file = documentPath(uri);
  return file !== undefined && path.basename(file) === 'pyproject.toml' && path.dirname(file) === folder;
}
