/**
 * The "Add hash pins" quick fix (CONTRACT §7): turns `name==1.0` into the layout
 * `pip-compile --generate-hashes` writes —
 *
 *     name==1.0 \
 *         --hash=sha256:<hex> \
 *         --hash=sha256:<hex>
 *
 * — one hash per file the index lists for that version, sorted by hex. Edits are plain LSP-shaped
 * objects; this module knows nothing of the LSP connection.
 */
import type { Dependency, Range } from '../core/model';
import { LineIndex } from '../core/lineIndex';

/** Structurally an LSP TextEdit. */
export interface TextEditLike {
  range: Range;
  newText: string;
}

export type HashPinResult = { ok: true; edit: TextEditLike; hashes: string[] } | { ok: false; reason: string };

/** What the fix needs of a resolved file. */
export interface HashedFile {
  sha256?: string;
}

const SHA256 = /^[0-9a-f]{64}$/;
const INDENT = '    ';

/** Whether a requirement is one the fix applies to: pinned to one version, no `--hash` yet, not a URL or editable. */
export function hashPinsApplicable(dependency: Dependency): { ok: true } | { ok: false; reason: string } {
  if (dependency.url !== undefined || dependency.editable) return { ok: false, reason: 'a URL or editable requirement cannot carry hashes' };
  if (dependency.pinnedVersion === undefined || !/^\s*===?/.test(dependency.specifier)) return { ok: false, reason: 'not pinned with ==' };
  if (dependency.hashes.length > 0) return { ok: false, reason: 'already has --hash options' };
  return { ok: true };
}

/** The sorted, de-duplicated sha256 digests of the files. */
export function sortedSha256(files: readonly HashedFile[]): string[] {
  const hashes = new Set<string>();
  for (const file of files) {
    const hex = file.sha256?.toLowerCase();
    if (hex !== undefined && SHA256.test(hex)) hashes.add(hex);
  }
  return [...hashes].sort();
}

/**
 * The edit adding one `--hash=sha256:` continuation line per file to the requirement's line.
 * A trailing comment moves to the end of the last hash line: left before the ` \` it would
 * comment out the hashes (pip joins continued lines before it strips comments).
 */
export function computeHashPinEdit(text: string, dependency: Dependency, files: readonly HashedFile[], lines = new LineIndex(text)): HashPinResult {
  const applicable = hashPinsApplicable(dependency);
  if (!applicable.ok) return applicable;
  const hashes = sortedSha256(files);
  if (hashes.length === 0) return { ok: false, reason: 'the index lists no sha256 for any file of this version' };

  const requirementEnd = lines.offsetAt(dependency.ranges.requirement.end);
  let line = dependency.ranges.requirement.end.line;
  for (;;) {
    const start = lines.offsetAt({ line, character: 0 });
    const end = lineContentEnd(text, start);
    const from = Math.max(start, requirementEnd);
    const comment = findComment(text, from, end, start);
    const continued = text.charCodeAt(end - 1) === 92; /* \ */
    if (comment !== undefined && continued) return { ok: false, reason: 'a comment hides the continuation of this line' };
    if (comment === undefined && continued && line + 1 < lines.lineCount) {
      line++;
      continue;
    }
    // A backslash ending the last line of the document continues nothing: the new one replaces it.
    const codeEnd = trimEnd(text, comment ?? (continued ? end - 1 : end), start);
    const commentText = comment !== undefined ? text.slice(comment, end).trimEnd() : '';
    const eol = lineBreakAt(text, end) ?? firstLineBreak(text) ?? '\n';
    const newText =
      ` \\${eol}` + hashes.map((hex) => `${INDENT}--hash=sha256:${hex}`).join(` \\${eol}`) + (commentText !== '' ? `  ${commentText}` : '');
    return { ok: true, hashes, edit: { range: lines.rangeOf(codeEnd, end), newText } };
  }
}

export interface DocumentHashPins {
  edits: TextEditLike[];
  /** Requirements the fix could not hash, with why (unpinned, unresolved, …). */
  skipped: Array<{ dependency: Dependency; reason: string }>;
}

/**
 * "Fix all in file": the edits for every requirement the fix applies to, in document order.
 * `files` undefined for an entry means its resolution is not (yet) known.
 */
export function computeHashPinEdits(text: string, entries: ReadonlyArray<{ dependency: Dependency; files: readonly HashedFile[] | undefined }>): DocumentHashPins {
  const lines = new LineIndex(text);
  const result: DocumentHashPins = { edits: [], skipped: [] };
  for (const { dependency, files } of entries) {
    if (dependency.hashes.length > 0) continue;
    if (files === undefined) {
      const applicable = hashPinsApplicable(dependency);
      result.skipped.push({ dependency, reason: applicable.ok ? 'not resolved against the index yet' : applicable.reason });
      continue;
    }
    const computed = computeHashPinEdit(text, dependency, files, lines);
    if (computed.ok) result.edits.push(computed.edit);
    else result.skipped.push({ dependency, reason: computed.reason });
  }
  result.edits.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  return result;
}

/** End of the line's content (before its line break). */
function lineContentEnd(text: string, start: number): number {
  let i = start;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

/** pip's comment rule: `#` at the start of a line or after whitespace starts a comment. */
function findComment(text: string, from: number, end: number, lineStart: number): number | undefined {
  for (let i = from; i < end; i++) {
    if (text[i] === '#' && (i === lineStart || /\s/.test(text[i - 1]))) return i;
  }
  return undefined;
}

function trimEnd(text: string, end: number, floor: number): number {
  let i = end;
  while (i > floor && /[ \t]/.test(text[i - 1])) i--;
  return i;
}

function lineBreakAt(text: string, offset: number): string | undefined {
  if (text.startsWith('\r\n', offset)) return '\r\n';
  if (text[offset] === '\n' || text[offset] === '\r') return text[offset];
  return undefined;
}

function firstLineBreak(text: string): string | undefined {
  const match = /\r\n|\n|\r/.exec(text);
  return match?.[0];
}
