/**
 * `missing-file` for `-r`/`-c` targets of a requirements file that cannot be read. Synchronous
 * (a stat per include) so that it is part of the publish on open rather than a second one.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkIncludes, resolveIncludeTarget } from '../parsers/includes';
import type { FindingStage, StageInput } from './contract/stages';

/** The part of the server's document analysis (lsp/documentAnalyses.ts) that includedPaths reads. */
type DocumentAnalysis = Pick<StageInput, 'uri' | 'parsed'>;

/** The document's file system path; undefined for untitled buffers and other non-file URIs. */
export function documentPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

function isReadableFile(absolutePath: string): boolean {
  if (statSync(absolutePath, { throwIfNoEntry: false })?.isFile() !== true) return false;
  try {
    accessSync(absolutePath, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

export const includesStage: FindingStage = {
  name: 'includes',
  local: true,
  run: ({ uri, parsed }) => {
    const path = documentPath(uri);
    // An unsaved buffer has no directory to resolve relative targets against.
    if (parsed.format !== 'requirements' || parsed.includes.length === 0 || path === undefined) return [];
    return checkIncludes(parsed, path, isReadableFile);
  },
};

/** The files a requirements document includes, so a change to one of them can re-check it. */
export function includedPaths(analysis: DocumentAnalysis): string[] {
  const path = documentPath(analysis.uri);
  if (path === undefined) return [];
  return analysis.parsed.includes.map((include) => resolveIncludeTarget(path, include.target)).filter((p): p is string => p !== undefined);
}
