/**
 * TOML text → a position-aware TomlTable tree (see document.ts), or the first syntax error.
 *
 * Two ways, one tree. The fast one (positions.ts, lexemes.ts): one pass that checks TOML 1.0,
 * decodes the values and records every span, giving up on anything it does not read with
 * certainty; it takes a few bytes per source character and is many times faster. The exact one,
 * here: toml-eslint-parser, the maintained TOML parser that gives source offsets for every key
 * and value and validates TOML 1.0 fully (duplicate keys, table redefinition). A document the
 * fast way does not accept — any syntax error, or anything only TOML 1.1 allows — is read the
 * exact way, so a broken file gets the exact parser's message at its exact place, and TOML 1.0
 * stays the language read (what Python's tomllib, and so pip and uv's users, read).
 *
 * The exact parser's syntax tree and token list take about 90 bytes per source character, so a
 * large document is parsed in slices of whole tables (split where scan.ts finds top-level
 * headers) and the slices' trees are merged here; what only the whole document can show (a table
 * defined in two slices, a key added to a table of another slice) is checked while merging. It
 * stops at the first error, so a broken file yields one problem and no tree.
 */
import type { AST } from 'toml-eslint-parser';
import type { TomlArray, TomlSpan, TomlTable, TomlValue } from './document';
import { MAX_LOCK_LENGTH } from '../limits';
import { FastTomlScanner, fastTomlTree } from './positions';
import { MAX_TOML_DEPTH, scanToml } from './scan';

export interface TomlSyntaxError {
  message: string;
  /** Document offsets of what to underline. */
  span: TomlSpan;
}

export type TomlParseResult = { ok: true; root: TomlTable } | { ok: false; error: TomlSyntaxError };

/**
 * Above this many UTF-16 units no document is parsed, whatever its format (each format has its
 * own, lower or equal, limit in ../limits.ts, which readTomlDocument applies first).
 */
export const MAX_TOML_LENGTH = MAX_LOCK_LENGTH;

/** About this many UTF-16 units are given to the parser at once (whole tables, so often more). */
export const TOML_SLICE_LENGTH = 256 * 1024;

const TOO_DEEP = 'the document is nested too deeply or has a string too long to read';

let exactParser: typeof import('toml-eslint-parser') | undefined;
/** Loaded on first use: it takes tens of milliseconds to load, and a valid document never needs it. */
function parseTOML(slice: string): AST.TOMLProgram {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  exactParser ??= require('toml-eslint-parser') as typeof import('toml-eslint-parser');
  return exactParser.parseTOML(slice, { tomlVersion: '1.0' });
}

/** Parses TOML 1.0 (what Python's tomllib, and so pip and the PEPs, read). Never throws. */
export function parseToml(text: string): TomlParseResult {
  return parseWith(text, true);
}

/** parseToml the exact way only (toml-eslint-parser): for tests comparing the two ways. */
export function parseTomlExact(text: string): TomlParseResult {
  return parseWith(text, false);
}

function parseWith(text: string, fast: boolean): TomlParseResult {
  if (text.length > MAX_TOML_LENGTH) {
    const mb = (text.length / (1024 * 1024)).toFixed(1);
    return failure(`file is too large to analyse (${mb} MiB; the limit is ${MAX_TOML_LENGTH / (1024 * 1024)} MiB)`, { start: 0, end: 0 });
  }
  const source = withoutByteOrderMark(text);
  if (fast) {
    const root = fastTomlTree(source);
    if (root !== undefined) return { ok: true, root };
  }
  const scan = scanToml(source);
  if (scan.tooDeepAt !== undefined) {
    const at = scan.tooDeepAt;
    return failure(`Invalid TOML: arrays and inline tables are nested more than ${MAX_TOML_DEPTH} levels deep`, { start: at, end: endOfLine(source, at) });
  }
  const builder = new TreeBuilder(source);
  for (const [from, to] of slices(source, scan.headers)) {
    let program: AST.TOMLProgram;
    const slice = from === 0 && to === source.length ? source : source.slice(from, to);
    try {
      program = parseTOML(slice);
    } catch (error) {
      return failure(...describeParseError(error, source, from));
    }
    try {
      const conflict = builder.add(program, from);
      if (conflict !== undefined) return failure(`Invalid TOML: ${conflict.message}`, conflict.span);
    } catch (error) {
      // Deeply nested arrays can exhaust the stack; anything else here would be a bug in this file.
      const reason = error instanceof RangeError ? TOO_DEEP : 'the document could not be read';
      return failure(`Invalid TOML: ${reason}`, { start: 0, end: 0 });
    }
  }
  return { ok: true, root: builder.root };
}

/**
 * parseToml's fast way a line at a time (FastTomlScanner.step), for reading a large document in
 * slices between other work; undefined for a text over the size limit. When the scanner gives up
 * (a syntax error, anything it does not read with certainty, or one line longer than
 * `overBudget` allows), parseToml gives the answer, elsewhere.
 */
export function fastTomlScanner(text: string, overBudget?: () => boolean): FastTomlScanner | undefined {
  return text.length > MAX_TOML_LENGTH ? undefined : new FastTomlScanner(withoutByteOrderMark(text), overBudget);
}

/** A byte order mark is not TOML, but editors and Windows tools write one; a space keeps offsets. */
function withoutByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
}

/** [from, to) ranges of whole tables, each about TOML_SLICE_LENGTH long; one range for a small text. */
function slices(source: string, headers: readonly number[]): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let from = 0;
  for (const header of headers) {
    if (header - from >= TOML_SLICE_LENGTH && startsTopLevelArrayElement(source, header)) {
      ranges.push([from, header]);
      from = header;
    }
  }
  ranges.push([from, source.length]);
  return ranges;
}

/**
 * Whether the header at `at` is `[[name]]` with a one-part name: only there can a slice start,
 * since a slice the parser reads alone must not begin inside an element that an earlier slice
 * opened (`[packages.tool.pdm]` or `[[packages.wheels]]` followed by the next `[[packages]]`
 * would read as a key defined twice).
 */
function startsTopLevelArrayElement(source: string, at: number): boolean {
  if (!source.startsWith('[[', at)) return false;
  const close = source.indexOf(']]', at + 2);
  if (close < 0) return false;
  return /^[ \t]*[A-Za-z0-9_-]+[ \t]*$/.test(source.slice(at + 2, close));
}

function failure(message: string, span: TomlSpan): TomlParseResult {
  return { ok: false, error: { message, span } };
}

function describeParseError(error: unknown, text: string, base: number): [string, TomlSpan] {
  const index = typeof (error as { index?: unknown })?.index === 'number' ? (error as { index: number }).index : 0;
  const at = Math.max(0, Math.min(base + index, text.length));
  // The parser recurses per nesting level and spreads each string's characters into one call,
  // so deep nesting or a string of a few hundred thousand characters overflows the stack.
  const detail = error instanceof RangeError ? TOO_DEEP : error instanceof Error ? error.message : String(error);
  return [`Invalid TOML: ${detail}`, { start: at, end: endOfLine(text, at) }];
}

/** From `at` to the end of its line, so the whole offending line tail is underlined. */
function endOfLine(text: string, at: number): number {
  let end = at;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  return end;
}

interface Conflict {
  message: string;
  span: TomlSpan;
}

function keyName(key: AST.TOMLBare | AST.TOMLQuoted): string {
  return key.type === 'TOMLBare' ? key.name : key.value;
}

function dottedName(keys: readonly (AST.TOMLBare | AST.TOMLQuoted)[]): string {
  return keys.map((key) => shownKey(keyName(key))).join('.');
}

function shownKey(name: string): string {
  const line = /^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name);
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

/**
 * Merges the parser's trees, slice by slice, into one TomlTable tree with document offsets.
 * Headers are resolved by their key names as TOML 1.0 says (the parser's own resolution sees one
 * slice only): a `[[name]]` array grows across slices, and a table defined twice or a key given
 * twice is a conflict, whichever slices the two definitions are in.
 */
class TreeBuilder {
  /** The root has no header; its first line stands in for it (e.g. "`lock-version` is missing"). */
  readonly root: TomlTable;
  private base = 0;

  constructor(private readonly text: string) {
    this.root = { kind: 'table', entries: new Map(), origin: 'root', start: 0, end: text.length, header: { start: 0, end: endOfLine(text, 0) } };
  }

  /** Adds one slice's program, whose offsets start at `base`; the first conflict, if any. */
  add(program: AST.TOMLProgram, base: number): Conflict | undefined {
    this.base = base;
    for (const node of program.body[0].body) {
      if (node.type === 'TOMLKeyValue') {
        const conflict = this.addKeyValue(this.root, node);
        if (conflict !== undefined) return conflict;
        continue;
      }
      const table = this.tableForHeader(node);
      if (!('kind' in table)) return table;
      for (const keyValue of node.body) {
        const conflict = this.addKeyValue(table, keyValue);
        if (conflict !== undefined) return conflict;
      }
    }
    return undefined;
  }

  private span(node: { range: [number, number] }): TomlSpan {
    return { start: node.range[0] + this.base, end: node.range[1] + this.base };
  }

  /** `[a.b]` / `[[a.b]]`: finds or creates the table a header names. */
  private tableForHeader(node: AST.TOMLTable): TomlTable | Conflict {
    const header = this.headerSpan(node);
    const keys = node.key.keys;
    const name = dottedName(keys);
    let container = this.root;
    for (let i = 0; i < keys.length - 1; i++) {
      const segment = keyName(keys[i]);
      const existing = container.entries.get(segment);
      if (existing === undefined) {
        const where = this.span(keys[i]);
        const implicit: TomlTable = { kind: 'table', entries: new Map(), origin: 'implicit', ...where, header: where };
        container.entries.set(segment, { key: segment, keySpan: where, value: implicit });
        container = implicit;
        continue;
      }
      const value = existing.value;
      // `[a.b]` after `[[a]]` names a table in a's last element.
      const next = value.kind === 'array' && value.ofTables ? value.items[value.items.length - 1] : value;
      if (next?.kind !== 'table' || next.origin === 'inline') return { message: `\`${name}\` extends a value that is not a table`, span: header };
      container = next;
    }
    const last = keys[keys.length - 1];
    const final = keyName(last);
    const keySpan = this.span(last);
    const existing = container.entries.get(final);
    const where = this.span(node);
    if (node.kind === 'array') {
      const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'array-header', ...where, header };
      if (existing === undefined) {
        const array: TomlArray = { kind: 'array', items: [table], ofTables: true, ...where };
        container.entries.set(final, { key: final, keySpan, value: array });
        return table;
      }
      if (existing.value.kind !== 'array' || !existing.value.ofTables) return { message: `\`${name}\` is already defined as a value that is not an array of tables`, span: header };
      existing.value.items.push(table);
      existing.value.end = Math.max(existing.value.end, table.end);
      return table;
    }
    if (existing === undefined) {
      const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'header', ...where, header };
      container.entries.set(final, { key: final, keySpan, value: table });
      return table;
    }
    if (existing.value.kind !== 'table' || existing.value.origin !== 'implicit') return { message: `table \`${name}\` is defined more than once`, span: header };
    // `[a]` after `[a.b]` defines the table `[a.b]` implied: from now on it has a header.
    Object.assign(existing.value, { origin: 'header', ...where, header });
    return existing.value;
  }

  /** `[name]` or `[[name]]` including the brackets. */
  private headerSpan(node: AST.TOMLTable): TomlSpan {
    const start = node.range[0] + this.base;
    let end = node.key.range[1] + this.base;
    const stop = node.range[1] + this.base;
    const brackets = node.kind === 'array' ? 2 : 1;
    for (let seen = 0; seen < brackets && end < stop; ) {
      const c = this.text[end];
      if (c === ']') seen++;
      else if (c !== ' ' && c !== '\t') break;
      end++;
    }
    return { start, end };
  }

  /** `a.b.c = v` inside `table`: creates the dotted tables `a` and `a.b` as needed. */
  private addKeyValue(table: TomlTable, node: AST.TOMLKeyValue): Conflict | undefined {
    const keys = node.key.keys;
    let target = table;
    for (let i = 0; i < keys.length - 1; i++) {
      const name = keyName(keys[i]);
      const existing = target.entries.get(name);
      if (existing !== undefined) {
        const value = existing.value;
        // Dotted keys may extend tables they made, never one a header or an inline table defined.
        if (value.kind !== 'table' || (value.origin !== 'dotted' && value.origin !== 'implicit')) {
          return { message: `\`${dottedName(keys)}\` extends \`${shownKey(name)}\`, which is already defined`, span: this.span(keys[i]) };
        }
        target = value;
        continue;
      }
      const dotted: TomlTable = { kind: 'table', entries: new Map(), origin: 'dotted', ...this.span(node), header: this.span(node.key) };
      target.entries.set(name, { key: name, keySpan: this.span(keys[i]), value: dotted });
      target = dotted;
    }
    const last = keys[keys.length - 1];
    const key = keyName(last);
    const keySpan = this.span(last);
    if (target.entries.has(key)) return { message: `key \`${dottedName(keys)}\` is defined more than once`, span: keySpan };
    const value = this.convertValue(node.value);
    if (!('kind' in value)) return value;
    target.entries.set(key, { key, keySpan, value });
    return undefined;
  }

  private convertValue(node: AST.TOMLContentNode): TomlValue | Conflict {
    const where = this.span(node);
    switch (node.type) {
      case 'TOMLArray': {
        const items: TomlValue[] = [];
        for (const element of node.elements) {
          const item = this.convertValue(element);
          if (!('kind' in item)) return item;
          items.push(item);
        }
        return { kind: 'array', items, ofTables: false, ...where };
      }
      case 'TOMLInlineTable': {
        const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'inline', ...where, header: where };
        for (const keyValue of node.body) {
          const conflict = this.addKeyValue(table, keyValue);
          if (conflict !== undefined) return conflict;
        }
        return table;
      }
      case 'TOMLValue':
        switch (node.kind) {
          case 'string':
            return { kind: 'string', value: node.value, style: node.style, multiline: node.multiline, ...where };
          case 'integer':
            return { kind: 'integer', value: node.value, bigint: node.bigint, ...where };
          case 'float':
            return { kind: 'float', value: node.value, ...where };
          case 'boolean':
            return { kind: 'boolean', value: node.value, ...where };
          default:
            return { kind: 'datetime', dateTimeKind: node.kind, text: node.datetime, ...where };
        }
    }
  }
}
