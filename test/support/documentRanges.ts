/**
 * What the property tests of the TOML dependency files check on every document: each range a
 * real position of the text, start before end, every problem a `syntax` one; and the random
 * edits they make to valid texts.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { LineIndex } from '../../server/src/core/lineIndex';
import type { ParsedDocument, Position, Range } from '../../server/src/core/model';

/** Every range the document reports: problems, dependencies, hashes, files, identities. */
export function allRanges(doc: ParsedDocument): Range[] {
  const ranges: Range[] = doc.problems.map((p) => p.range);
  for (const dep of doc.dependencies) {
    ranges.push(dep.ranges.requirement, dep.ranges.name);
    if (dep.ranges.version) ranges.push(dep.ranges.version);
    for (const hash of dep.hashes) ranges.push(hash.range);
    for (const file of dep.files ?? []) ranges.push(file.range, ...file.hashes.map((h) => h.range));
    for (const identity of dep.attestationIdentities ?? []) ranges.push(identity.range);
  }
  return ranges;
}

export function assertRangesInside(text: string, doc: ParsedDocument): void {
  const lines = new LineIndex(text);
  const valid = (p: Position) => Number.isInteger(p.line) && Number.isInteger(p.character) && assert.deepEqual(lines.positionAt(lines.offsetAt(p)), p);
  for (const range of allRanges(doc)) {
    valid(range.start);
    valid(range.end);
    assert.ok(lines.offsetAt(range.start) <= lines.offsetAt(range.end), JSON.stringify(range));
  }
  for (const problem of doc.problems) assert.equal(problem.code, 'syntax');
}

export function textAt(text: string, range: Range | undefined): string {
  assert.ok(range, 'range missing');
  const lines = new LineIndex(text);
  return text.slice(lines.offsetAt(range.start), lines.offsetAt(range.end));
}

/** Each problem as `message @ the text it points at`, for assertions that read like the file. */
export function problemsAt(text: string, doc: ParsedDocument): string[] {
  return doc.problems.map((p) => `${p.message} @ ${textAt(text, p.range)}`);
}

/** Characters that matter to TOML and to the parsers, plus junk. */
export const tokenChar = fc.constantFrom(...'[]{}"\'=,.#\\\n\r\t -_=<>~!;@/:0123456789abcXYZ\u0000\u00e9\uFFFD\uD800'.split(''));

/** Any text at all: binary junk, or runs of the characters TOML cares about. */
export const randomText = fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.string({ unit: tokenChar, maxLength: 200 }));

/** Valid package names, versions and line endings, for texts that must parse cleanly. */
export const packageName = fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9._-]{0,12}[A-Za-z0-9])?$/);
export const releaseVersion = fc.array(fc.nat({ max: 300 }), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('.'));
export const newline = fc.constantFrom('\n', '\r\n');

export const mutation = fc.record({ at: fc.nat(), remove: fc.nat({ max: 6 }), insert: fc.string({ unit: tokenChar, maxLength: 6 }) });

export function mutate(text: string, edits: { at: number; remove: number; insert: string }[]): string {
  let out = text;
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % (out.length + 1);
    out = out.slice(0, at) + edit.insert + out.slice(at + edit.remove);
  }
  return out;
}
