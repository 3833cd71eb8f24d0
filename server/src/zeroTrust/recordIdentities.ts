/**
 * The `Record attestation identities` code action: writes verified publishers into a pylock.toml
 * package as PEP 751 `attestation-identities`, changing nothing else in the file.
 *
 * - A `[[packages]]` package gets `[[packages.attestation-identities]]` tables after its last
 *   table (`[[packages.wheels]]`, `[packages.tool]`, … may follow `[[packages]]`); a table header
 *   placed there attaches to that package, because it still is the last element of `packages`.
 * - A package written as an inline table (`packages = [{ … }]`) gets an inline
 *   `attestation-identities = [{ … }]` key.
 * - Identities already written as an inline array are extended inside that array (TOML forbids
 *   adding `[[…]]` tables to an inline array); existing tables are kept and new ones appended.
 * Identities already recorded are not repeated. Every edit is one insertion (or the replacement
 * of a line's tail when extending a multi-line array), and is checked before it is offered: the
 * edited text must parse, the package must then have the identities, and every other value of
 * the document must be unchanged.
 *
 * `acceptIdentityEdits` is the accept-publisher action's edit (issue 10 item 3): with `keep-both`
 * it records the accepted publisher beside those recorded (as above); with `replace` the
 * package's recorded identities give way to it — the first one's table (or the inline array)
 * is rewritten in place, the other tables removed — and the check then wants exactly the
 * accepted identity recorded, everything else unchanged.
 *
 * TOML writing is by hand: the toml libraries on npm serialize whole documents, and the point
 * here is to leave the rest of the document's bytes alone.
 */
import { parseTOML, type AST } from 'toml-eslint-parser';
import { LineIndex } from '../core/lineIndex';
import type { Dependency, Range } from '../core/model';
import { normalizeName } from '../core/names';
import type { Publisher } from '../core/result';
import { parseToml, type TomlTable, type TomlValue } from '../parsers/toml';
import { identityOfPublisher, sameIdentity, setField, type IdentityFields } from './identities';

/** An LSP TextEdit as a plain object. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export type RecordIdentitiesResult = { ok: true; edit: TextEdit; added: IdentityFields[] } | { ok: false; reason: string };

type PackageRef = Pick<Dependency, 'name' | 'ranges'>;

const IDENTITIES_KEY = 'attestation-identities';
const PREFERRED_ORDER = ['kind', 'repository', 'workflow', 'workflow_filepath', 'environment', 'email'];

/** The identities to record for some verified publishers: one per distinct publisher, in order. */
export function identitiesToRecord(publishers: readonly (Publisher | null | undefined)[]): IdentityFields[] {
  const identities: IdentityFields[] = [];
  for (const publisher of publishers) {
    if (!publisher) continue;
    const identity = identityOfPublisher(publisher);
    if (identity === undefined || !representable(identity)) continue;
    if (!identities.some((other) => sameIdentity(other, identity))) identities.push(identity);
  }
  return identities;
}

/** The edit that records `publishers` in the pylock package `dependency` (found by its name's position). */
export function recordIdentitiesEdit(text: string, dependency: PackageRef, publishers: readonly (Publisher | null | undefined)[]): RecordIdentitiesResult {
  const document = prepare(text);
  if (document === undefined) return { ok: false, reason: 'the file is not valid TOML' };
  const planned = planEdit(document, dependency, publishers);
  if (!planned.ok) return planned;
  const problem = checkEdits(document, [planned]);
  if (problem !== undefined) return { ok: false, reason: problem };
  return { ok: true, edit: { range: document.lines.rangeOf(planned.start, planned.end), newText: planned.newText }, added: planned.added };
}

/**
 * The whole-file variant: edits (against the original text, not overlapping, in document
 * order) recording each package's publishers, and the packages left alone with the reason.
 */
export function recordIdentitiesEdits(
  text: string,
  items: readonly { dependency: PackageRef; publishers: readonly (Publisher | null | undefined)[] }[],
): { edits: TextEdit[]; skipped: { dependency: PackageRef; reason: string }[] } {
  const skipped: { dependency: PackageRef; reason: string }[] = [];
  const document = prepare(text);
  if (document === undefined) return { edits: [], skipped: items.map((item) => ({ dependency: item.dependency, reason: 'the file is not valid TOML' })) };
  let planned: PlannedEdit[] = [];
  for (const item of items) {
    const edit = planEdit(document, item.dependency, item.publishers);
    if (!edit.ok) skipped.push({ dependency: item.dependency, reason: edit.reason });
    else if (planned.some((other) => other.packageIndex === edit.packageIndex)) skipped.push({ dependency: item.dependency, reason: 'the package was named twice' });
    else planned.push(edit);
  }
  planned.sort((a, b) => a.start - b.start);
  if (planned.length > 0 && checkEdits(document, planned) !== undefined) {
    // Some edit is wrong (which should not happen): check each alone and keep the good ones.
    const good: PlannedEdit[] = [];
    for (const edit of planned) {
      const problem = checkEdits(document, [edit]);
      if (problem !== undefined) skipped.push({ dependency: edit.dependency, reason: problem });
      else good.push(edit);
    }
    planned = good.length > 0 && checkEdits(document, good) === undefined ? good : [];
    if (good.length > 0 && planned.length === 0) skipped.push(...good.map((edit) => ({ dependency: edit.dependency, reason: 'the edits could not be combined safely' })));
  }
  return { edits: planned.map((edit) => ({ range: document.lines.rangeOf(edit.start, edit.end), newText: edit.newText })), skipped };
}

export type AcceptIdentityResult = { ok: true; edits: TextEdit[]; identity: IdentityFields } | { ok: false; reason: string };

/**
 * The edits that make `publisher` a recorded identity of the pylock package: beside the recorded
 * ones (`keep-both`) or instead of them (`replace`).
 */
export function acceptIdentityEdits(text: string, dependency: PackageRef, publisher: Publisher, mode: 'replace' | 'keep-both'): AcceptIdentityResult {
  const [identity] = identitiesToRecord([publisher]);
  if (identity === undefined) return { ok: false, reason: 'the publisher cannot be recorded as an identity' };
  if (mode === 'keep-both') {
    const result = recordIdentitiesEdit(text, dependency, [publisher]);
    return result.ok ? { ok: true, edits: [result.edit], identity } : result;
  }
  const document = prepare(text);
  if (document === undefined) return { ok: false, reason: 'the file is not valid TOML' };
  const planned = planReplacement(document, dependency, identity);
  if ('reason' in planned) return { ok: false, reason: planned.reason };
  if (planned.edits === undefined) {
    // Nothing recorded yet: recording is all there is to do.
    const result = recordIdentitiesEdit(text, dependency, [publisher]);
    return result.ok ? { ok: true, edits: [result.edit], identity } : result;
  }
  const problem = checkReplacement(document, planned.packageIndex, planned.edits, identity);
  if (problem !== undefined) return { ok: false, reason: problem };
  return { ok: true, edits: planned.edits.map((edit) => ({ range: document.lines.rangeOf(edit.start, edit.end), newText: edit.newText })), identity };
}

interface Splice {
  start: number;
  end: number;
  newText: string;
}

/** The splices replacing a package's recorded identities with `identity`; `edits` undefined when none are recorded. */
function planReplacement(document: PreparedDocument, dependency: PackageRef, identity: IdentityFields): { packageIndex: number; edits?: Splice[] } | { reason: string } {
  const { text, program } = document;
  const offset = document.lines.offsetAt(dependency.ranges.name.start);
  const located = locatePackage(program, offset);
  const moved = { reason: 'the package is not where the analysis found it (the file changed?)' };
  if (located === undefined) return moved;
  const name = located.table.body.find((kv) => keyPath(kv.key).join('.') === 'name')?.value;
  if (name?.type !== 'TOMLValue' || name.kind !== 'string' || normalizeName(name.value) !== dependency.name) return moved;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const inlineEntry = located.table.body.find((kv) => keyPath(kv.key).length === 1 && keyPath(kv.key)[0] === IDENTITIES_KEY);
  if (inlineEntry) {
    if (inlineEntry.value.type !== 'TOMLArray') return { reason: '`attestation-identities` of the package is not an array' };
    return { packageIndex: located.index, edits: [{ start: inlineEntry.value.range[0], end: inlineEntry.value.range[1], newText: `[${inlineTable(identity)}]` }] };
  }
  const tables = located.form === 'header' ? located.nodes.filter((node) => node.kind === 'array' && node.resolvedKey.length === 4 && node.resolvedKey[2] === IDENTITIES_KEY) : [];
  if (tables.length === 0) return { packageIndex: located.index };
  const [first, ...rest] = [...tables].sort((a, b) => a.range[0] - b.range[0]);
  const indent = indentationAt(text, first.range[0]);
  const edits: Splice[] = [
    { start: first.range[0], end: lineEnd(text, first.range[1]), newText: [`[[packages.${IDENTITIES_KEY}]]`, ...tableLines(identity).map((line) => indent + line)].join(eol) },
  ];
  for (const table of rest) {
    // The whole lines of the table, and the blank line before it, so no gap is left behind.
    let start = lineStartOf(text, table.range[0]);
    let end = lineEnd(text, table.range[1]);
    end += text.startsWith('\r\n', end) ? 2 : text[end] === '\n' || text[end] === '\r' ? 1 : 0;
    const before = text.slice(0, start);
    const blank = /(?:\r\n|\n|\r)[ \t]*(?:\r\n|\n|\r)$/.exec(before);
    if (blank) start -= blank[0].length - (blank[0].startsWith('\r\n') ? 2 : 1);
    edits.push({ start, end, newText: '' });
  }
  return { packageIndex: located.index, edits };
}

/** The replaced lock: valid TOML, the package records exactly `identity`, every other value unchanged. */
function checkReplacement(document: PreparedDocument, packageIndex: number, edits: readonly Splice[], identity: IdentityFields): string | undefined {
  const spliced = [...edits].sort((a, b) => b.start - a.start).reduce((result, edit) => result.slice(0, edit.start) + edit.newText + result.slice(edit.end), document.text);
  const after = parseToml(spliced);
  if (!after.ok) return `the edit would make the file invalid TOML (${after.error.message})`;
  const packages = after.root.entries.get('packages')?.value;
  const table = packages?.kind === 'array' ? packages.items[packageIndex] : undefined;
  const identities = table?.kind === 'table' ? table.entries.get(IDENTITIES_KEY)?.value : undefined;
  const recorded = identities?.kind === 'array' ? identities.items.map((item) => (item.kind === 'table' ? identityOfTable(item) : undefined)) : [];
  if (recorded.length !== 1 || recorded[0] === undefined || !sameIdentity(recorded[0], identity)) return 'the accepted identity would not replace the recorded ones';
  const edited = new Set([packageIndex]);
  return JSON.stringify(plain(document.tree, edited)) === JSON.stringify(plain(after.root, edited)) ? undefined : 'the edit would change other values of the file';
}

/** The start of the line `offset` is on. */
function lineStartOf(text: string, offset: number): number {
  return Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
}

/** Applies LSP edits made against `text` (non-overlapping). For tests and the CLI. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const lines = new LineIndex(text);
  const spans = edits
    .map((edit) => ({ start: lines.offsetAt(edit.range.start), end: lines.offsetAt(edit.range.end), newText: edit.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  for (const span of spans) result = result.slice(0, span.start) + span.newText + result.slice(span.end);
  return result;
}

interface PlannedEdit {
  ok: true;
  dependency: PackageRef;
  /** Position of the package in `packages`. */
  packageIndex: number;
  start: number;
  end: number;
  newText: string;
  added: IdentityFields[];
}

type Located =
  | { form: 'header'; index: number; table: AST.TOMLTable; nodes: AST.TOMLTable[] }
  | { form: 'inline'; index: number; table: AST.TOMLInlineTable };

/** The text parsed once for every edit of a request. */
interface PreparedDocument {
  text: string;
  program: AST.TOMLProgram;
  tree: TomlTable;
  lines: LineIndex;
}

function prepare(text: string): PreparedDocument | undefined {
  const program = parse(text);
  const tree = parseToml(text);
  if (program === undefined || !tree.ok) return undefined;
  return { text, program, tree: tree.root, lines: new LineIndex(text) };
}

function planEdit(document: PreparedDocument, dependency: PackageRef, publishers: readonly (Publisher | null | undefined)[]): PlannedEdit | { ok: false; reason: string } {
  const { text, program } = document;
  const wanted = identitiesToRecord(publishers);
  if (wanted.length === 0) return { ok: false, reason: 'there is no verified publisher to record' };
  const offset = document.lines.offsetAt(dependency.ranges.name.start);
  const located = locatePackage(program, offset);
  if (located === undefined) return { ok: false, reason: 'the package is not where the analysis found it (the file changed?)' };
  const body = located.table.body;
  const name = body.find((kv) => keyPath(kv.key).join('.') === 'name')?.value;
  if (name?.type !== 'TOMLValue' || name.kind !== 'string' || normalizeName(name.value) !== dependency.name) {
    return { ok: false, reason: 'the package is not where the analysis found it (the file changed?)' };
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';

  const inlineEntry = body.find((kv) => keyPath(kv.key).length === 1 && keyPath(kv.key)[0] === IDENTITIES_KEY);
  const tables = located.form === 'header' ? located.nodes.filter((node) => node.kind === 'array' && node.resolvedKey.length === 4 && node.resolvedKey[2] === IDENTITIES_KEY) : [];
  if (inlineEntry && inlineEntry.value.type !== 'TOMLArray') return { ok: false, reason: '`attestation-identities` of the package is not an array' };
  const recorded = [
    ...(inlineEntry?.value.type === 'TOMLArray' ? inlineEntry.value.elements.flatMap((element) => (element.type === 'TOMLInlineTable' ? [readIdentity(element.body)] : [])) : []),
    ...tables.map((table) => readIdentity(table.body)),
  ].filter((identity): identity is IdentityFields => identity !== undefined);
  const added = wanted.filter((identity) => !recorded.some((other) => sameIdentity(other, identity)));
  if (added.length === 0) return { ok: false, reason: 'these identities are already recorded' };
  const base = { ok: true as const, dependency, packageIndex: located.index, added };

  if (inlineEntry && inlineEntry.value.type === 'TOMLArray') return { ...base, ...extendArray(text, inlineEntry.value, added, eol) };
  if (located.form === 'inline') {
    const last = located.table.body[located.table.body.length - 1];
    const inline = `${IDENTITIES_KEY} = [${added.map(inlineTable).join(', ')}]`;
    if (last === undefined) return { ...base, start: located.table.range[0] + 1, end: located.table.range[0] + 1, newText: ` ${inline} ` };
    return { ...base, start: last.range[1], end: last.range[1], newText: `, ${inline}` };
  }
  const lastNode = located.nodes.reduce((a, b) => (b.range[1] > a.range[1] ? b : a));
  const at = lineEnd(text, lastNode.range[1]);
  // Indented like the package's other subtables, when it indents them (as the PEP 751 example does).
  const indent = lastNode.resolvedKey.length > 2 ? indentationAt(text, lastNode.range[0]) : '';
  const newText = added
    .map((identity) => `${eol}${eol}${indent}[[packages.${IDENTITIES_KEY}]]${eol}${tableLines(identity).map((line) => indent + line).join(eol)}`)
    .join('');
  return { ...base, start: at, end: at, newText };
}

/** Appends to an inline array of identities: after its last element, or inside `[]`. */
function extendArray(text: string, array: AST.TOMLArray, added: IdentityFields[], eol: string): { start: number; end: number; newText: string } {
  const items = added.map(inlineTable);
  const last = array.elements[array.elements.length - 1];
  if (last === undefined) {
    const inside = array.range[0] + 1;
    return { start: inside, end: inside, newText: items.join(', ') };
  }
  const multiline = /[\r\n]/.test(text.slice(array.range[0], last.range[0]));
  const tailEnd = lineEnd(text, last.range[1]);
  const tail = text.slice(last.range[1], tailEnd);
  // One run of blanks on each side of the comma, never two adjacent ones: linear on long blank tails.
  const tailShape = /^[ \t]*(?:(,)[ \t]*)?(?:#.*)?$/.exec(tail);
  if (!multiline || tailShape === null) return { start: last.range[1], end: last.range[1], newText: items.map((item) => `, ${item}`).join('') };
  // One element per line, as the array has it: the new ones go on their own lines after the last.
  const indent = indentationAt(text, last.range[0]);
  const trailingComma = tailShape[1] === ',';
  const kept = trailingComma ? tail : `,${tail}`;
  const newText = `${kept}${items.map((item, i) => `${eol}${indent}${item}${i < items.length - 1 || trailingComma ? ',' : ''}`).join('')}`;
  return { start: last.range[1], end: tailEnd, newText };
}

function locatePackage(program: AST.TOMLProgram, offset: number): Located | undefined {
  const top = program.body[0].body;
  const within = (node: { range: [number, number] }) => node.range[0] <= offset && offset < node.range[1];
  for (const node of top) {
    if (node.type === 'TOMLKeyValue' && keyPath(node.key).join('\u0000') === 'packages' && node.value.type === 'TOMLArray') {
      const index = node.value.elements.findIndex((element) => element.type === 'TOMLInlineTable' && within(element));
      if (index >= 0) return { form: 'inline', index, table: node.value.elements[index] as AST.TOMLInlineTable };
    }
  }
  const packageTables = top.filter((node): node is AST.TOMLTable => node.type === 'TOMLTable' && node.resolvedKey[0] === 'packages' && typeof node.resolvedKey[1] === 'number');
  const table = packageTables.find((node) => node.kind === 'array' && node.resolvedKey.length === 2 && within(node));
  if (table === undefined) return undefined;
  const index = table.resolvedKey[1] as number;
  return { form: 'header', index, table, nodes: packageTables.filter((node) => node.resolvedKey[1] === index) };
}

function parse(text: string): AST.TOMLProgram | undefined {
  // As parsers/toml does: a byte order mark becomes a space, so offsets stay the same.
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  try {
    return parseTOML(source, { tomlVersion: '1.0' });
  } catch {
    return undefined;
  }
}

function keyPath(key: AST.TOMLKey): string[] {
  return key.keys.map((part) => (part.type === 'TOMLBare' ? part.name : part.value));
}

function readIdentity(body: readonly AST.TOMLKeyValue[]): IdentityFields | undefined {
  const fields: Record<string, string> = {};
  let kind: string | undefined;
  for (const kv of body) {
    const path = keyPath(kv.key);
    if (path.length !== 1 || kv.value.type !== 'TOMLValue' || kv.value.kind !== 'string') continue;
    if (path[0] === 'kind') kind = kv.value.value;
    else setField(fields, path[0], kv.value.value);
  }
  return kind === undefined ? undefined : { kind, fields };
}

/** The spaces and tabs that start the line `offset` is on, when only they precede it. */
function indentationAt(text: string, offset: number): string {
  const lineStart = Math.max(text.lastIndexOf('\n', offset - 1), text.lastIndexOf('\r', offset - 1)) + 1;
  const before = text.slice(lineStart, offset);
  return /^[ \t]*$/.test(before) ? before : '';
}

/** The end of the line `offset` is on (before its line break): where a comment after a value ends. */
function lineEnd(text: string, offset: number): number {
  let end = offset;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  return end;
}

function orderedFields(identity: IdentityFields): [string, string][] {
  const entries: [string, string][] = [['kind', identity.kind], ...Object.entries(identity.fields).filter(([name]) => name !== 'kind')];
  const rank = (name: string) => {
    const i = PREFERRED_ORDER.indexOf(name);
    return i < 0 ? PREFERRED_ORDER.length : i;
  };
  return entries.sort((a, b) => rank(a[0]) - rank(b[0]) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

function tableLines(identity: IdentityFields): string[] {
  return orderedFields(identity).map(([name, value]) => `${tomlKey(name)} = ${tomlString(value)}`);
}

function inlineTable(identity: IdentityFields): string {
  return `{ ${orderedFields(identity).map(([name, value]) => `${tomlKey(name)} = ${tomlString(value)}`).join(', ')} }`;
}

function tomlKey(name: string): string {
  return /^[A-Za-z0-9_-]+$/.test(name) ? name : tomlString(name);
}

/** A TOML basic string. Control characters are escaped; the caller has ruled out lone surrogates. */
function tomlString(value: string): string {
  const escaped = value.replace(/[\u0000-\u001f\u007f"\\]/g, (c) => {
    switch (c) {
      case '"':
        return '\\"';
      case '\\':
        return '\\\\';
      case '\b':
        return '\\b';
      case '\t':
        return '\\t';
      case '\n':
        return '\\n';
      case '\f':
        return '\\f';
      case '\r':
        return '\\r';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}`;
    }
  });
  return `"${escaped}"`;
}

/** TOML strings are Unicode scalar values: a lone surrogate cannot be written. */
function representable(identity: IdentityFields): boolean {
  const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  return [identity.kind, ...Object.keys(identity.fields), ...Object.values(identity.fields)].every((part) => !lone.test(part));
}

/**
 * Applies the edits and checks the result: valid TOML, each edited package holds its added
 * identities, and everything else (every other key and value, the rest of the package
 * included) is what it was. Returns what is wrong, or undefined.
 */
function checkEdits(document: PreparedDocument, edits: readonly PlannedEdit[]): string | undefined {
  const text = document.text;
  const before = { root: document.tree };
  const spliced = [...edits].sort((a, b) => b.start - a.start).reduce((result, edit) => result.slice(0, edit.start) + edit.newText + result.slice(edit.end), text);
  const after = parseToml(spliced);
  if (!after.ok) return `the edit would make the file invalid TOML (${after.error.message})`;
  const packagesAfter = after.root.entries.get('packages')?.value;
  if (packagesAfter?.kind !== 'array') return 'the edit would lose the packages';
  for (const edit of edits) {
    const table = packagesAfter.items[edit.packageIndex];
    const identities = table?.kind === 'table' ? table.entries.get(IDENTITIES_KEY)?.value : undefined;
    if (identities?.kind !== 'array') return 'the identities would not land in the package';
    const recorded = identities.items.flatMap((item) => (item.kind === 'table' ? [identityOfTable(item)] : []));
    if (!edit.added.every((identity) => recorded.some((other) => other !== undefined && sameIdentity(other, identity)))) {
      return 'the identities would not land in the package';
    }
  }
  const edited = new Set(edits.map((edit) => edit.packageIndex));
  const packagesBefore = before.root.entries.get('packages')?.value;
  for (const index of edited) {
    // What was recorded stays, in its order; the new identities come after it.
    const old = packagesBefore?.kind === 'array' && packagesBefore.items[index]?.kind === 'table' ? (packagesBefore.items[index] as TomlTable).entries.get(IDENTITIES_KEY)?.value : undefined;
    const now = (packagesAfter.items[index] as TomlTable).entries.get(IDENTITIES_KEY)!.value;
    const kept = now.kind === 'array' && old?.kind === 'array' ? now.items.slice(0, old.items.length).map(plainValue) : undefined;
    if (old !== undefined && JSON.stringify(plainValue(old)) !== JSON.stringify(kept)) {
      return 'the edit would change the identities already recorded';
    }
  }
  return JSON.stringify(plain(before.root, edited)) === JSON.stringify(plain(after.root, edited)) ? undefined : 'the edit would change other values of the file';
}

function identityOfTable(table: TomlTable): IdentityFields | undefined {
  const fields: Record<string, string> = {};
  let kind: string | undefined;
  for (const [name, entry] of table.entries) {
    if (entry.value.kind !== 'string') continue;
    if (name === 'kind') kind = entry.value.value;
    else setField(fields, name, entry.value.value);
  }
  return kind === undefined ? undefined : { kind, fields };
}

/** A TOML value as plain data (numbers and date-times tagged, table keys sorted). */
function plainValue(node: TomlValue): unknown {
  switch (node.kind) {
    case 'string':
    case 'boolean':
      return node.value;
    case 'integer':
      return `int:${node.bigint}`;
    case 'float':
      return `float:${node.value}`;
    case 'datetime':
      return `datetime:${node.text}`;
    case 'array':
      return node.items.map(plainValue);
    case 'table':
      return Object.fromEntries([...node.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, entry]) => [key, plainValue(entry.value)]));
  }
}

/** The document's values as plain data, without the identities of the edited packages. */
function plain(root: TomlTable, edited: ReadonlySet<number>): unknown {
  const data = plainValue(root) as Record<string, unknown>;
  const packages = data.packages;
  if (Array.isArray(packages)) {
    for (const index of edited) {
      const table = packages[index] as Record<string, unknown> | undefined;
      if (table && typeof table === 'object') delete table[IDENTITIES_KEY];
    }
  }
  return data;
}
