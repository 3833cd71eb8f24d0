/**
 * TOML text → a position-aware TomlTable tree (see document.ts), or the first syntax error.
 *
 * Built on toml-eslint-parser rather than @iarna/toml or smol-toml: diagnostics must point at
 * exact characters, and it is the maintained TOML parser that gives source offsets for every
 * key and value (it validates TOML 1.0 fully, including duplicate keys and table redefinition).
 * It stops at the first error, so a broken file yields one problem and no tree.
 */
import { parseTOML, type AST } from 'toml-eslint-parser';
import type { TomlArray, TomlEntry, TomlSpan, TomlTable, TomlValue } from './document';

export interface TomlSyntaxError {
  message: string;
  /** Document offsets of what to underline. */
  span: TomlSpan;
}

export type TomlParseResult = { ok: true; root: TomlTable } | { ok: false; error: TomlSyntaxError };

/**
 * Above this many UTF-16 units a document is not parsed: the parser's token list takes about
 * 90 bytes per source character, so a much larger file would risk the server's heap.
 */
export const MAX_TOML_LENGTH = 10 * 1024 * 1024;

const TOO_DEEP = 'the document is nested too deeply or has a string too long to read';

/** Parses TOML 1.0 (what Python's tomllib, and so pip and the PEPs, read). Never throws. */
export function parseToml(text: string): TomlParseResult {
  if (text.length > MAX_TOML_LENGTH) {
    const mb = (text.length / (1024 * 1024)).toFixed(1);
    return failure(`file is too large to analyse (${mb} MiB; the limit is ${MAX_TOML_LENGTH / (1024 * 1024)} MiB)`, { start: 0, end: 0 });
  }
  // A byte order mark is not TOML, but editors and Windows tools write one; a space keeps offsets.
  const source = text.charCodeAt(0) === 0xfeff ? ' ' + text.slice(1) : text;
  let program: AST.TOMLProgram;
  try {
    program = parseTOML(source, { tomlVersion: '1.0' });
  } catch (error) {
    return failure(...describeParseError(error, source));
  }
  try {
    return { ok: true, root: buildTree(program, source) };
  } catch (error) {
    // Deeply nested arrays can exhaust the stack; anything else here would be a bug in this file.
    const reason = error instanceof RangeError ? TOO_DEEP : 'the document could not be read';
    return failure(`Invalid TOML: ${reason}`, { start: 0, end: 0 });
  }
}

function failure(message: string, span: TomlSpan): TomlParseResult {
  return { ok: false, error: { message, span } };
}

function describeParseError(error: unknown, text: string): [string, TomlSpan] {
  const index = typeof (error as { index?: unknown })?.index === 'number' ? (error as { index: number }).index : 0;
  const at = Math.max(0, Math.min(index, text.length));
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

function buildTree(program: AST.TOMLProgram, text: string): TomlTable {
  const top = program.body[0];
  // The root has no header; its first line stands in for it (e.g. "`lock-version` is missing").
  const root: TomlTable = { kind: 'table', entries: new Map(), origin: 'root', start: 0, end: text.length, header: { start: 0, end: endOfLine(text, 0) } };
  for (const node of top.body) {
    if (node.type === 'TOMLKeyValue') {
      addKeyValue(root, node);
      continue;
    }
    const table = tableForHeader(root, node, text);
    if (table === undefined) continue;
    for (const keyValue of node.body) addKeyValue(table, keyValue);
  }
  return root;
}

function keyName(key: AST.TOMLBare | AST.TOMLQuoted): string {
  return key.type === 'TOMLBare' ? key.name : key.value;
}

function span(node: { range: [number, number] }): TomlSpan {
  return { start: node.range[0], end: node.range[1] };
}

/** `[a.b]` / `[[a.b]]`: finds or creates the table a header names (the parser resolved array indices). */
function tableForHeader(root: TomlTable, node: AST.TOMLTable, text: string): TomlTable | undefined {
  const header = headerSpan(node, text);
  const path = node.resolvedKey;
  const last = path.length - 1;
  let container: TomlTable | TomlArray = root;
  for (let i = 0; i < last; i++) {
    const segment = path[i];
    const createArray = node.kind === 'array' && i === last - 1;
    const next = step(container, segment, createArray, node, header);
    if (next === undefined) return undefined;
    container = next;
  }
  const final = path[last];
  if (node.kind === 'array') {
    if (container.kind !== 'array' || typeof final !== 'number') return undefined;
    const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'array-header', ...span(node), header };
    container.items[final] = table;
    container.end = Math.max(container.end, table.end);
    return table;
  }
  if (container.kind !== 'table' || typeof final !== 'string') return undefined;
  const existing = container.entries.get(final);
  if (existing !== undefined) {
    if (existing.value.kind !== 'table') return undefined;
    // `[a]` after `[a.b]` defines the table `[a.b]` implied: from now on it has a header.
    Object.assign(existing.value, { origin: 'header', ...span(node), header });
    return existing.value;
  }
  const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'header', ...span(node), header };
  container.entries.set(final, { key: final, keySpan: span(node.key.keys[node.key.keys.length - 1]), value: table });
  return table;
}

function step(
  container: TomlTable | TomlArray,
  segment: string | number,
  createArray: boolean,
  node: AST.TOMLTable,
  header: TomlSpan,
): TomlTable | TomlArray | undefined {
  if (typeof segment === 'number') {
    if (container.kind !== 'array') return undefined;
    const item = container.items[segment];
    return item !== undefined && (item.kind === 'table' || item.kind === 'array') ? item : undefined;
  }
  if (container.kind !== 'table') return undefined;
  const existing = container.entries.get(segment);
  if (existing !== undefined) {
    const value = existing.value;
    return value.kind === 'table' || value.kind === 'array' ? value : undefined;
  }
  const keyNode = node.key.keys.find((k) => keyName(k) === segment) ?? node.key;
  const created: TomlTable | TomlArray = createArray
    ? { kind: 'array', items: [], ofTables: true, start: node.range[0], end: node.range[1] }
    : { kind: 'table', entries: new Map(), origin: 'implicit', ...span(keyNode), header: span(keyNode) };
  container.entries.set(segment, { key: segment, keySpan: span(keyNode), value: created });
  return created;
}

/** `[name]` or `[[name]]` including the brackets. */
function headerSpan(node: AST.TOMLTable, text: string): TomlSpan {
  let end = node.key.range[1];
  const brackets = node.kind === 'array' ? 2 : 1;
  for (let seen = 0; seen < brackets && end < node.range[1]; ) {
    const c = text[end];
    if (c === ']') seen++;
    else if (c !== ' ' && c !== '\t') break;
    end++;
  }
  return { start: node.range[0], end };
}

/** `a.b.c = v` inside `table`: creates the dotted tables `a` and `a.b` as needed. */
function addKeyValue(table: TomlTable, node: AST.TOMLKeyValue): void {
  const keys = node.key.keys;
  let target = table;
  for (let i = 0; i < keys.length - 1; i++) {
    const name = keyName(keys[i]);
    const existing = target.entries.get(name);
    if (existing !== undefined) {
      if (existing.value.kind !== 'table') return;
      target = existing.value;
      continue;
    }
    const dotted: TomlTable = { kind: 'table', entries: new Map(), origin: 'dotted', ...span(node), header: span(node.key) };
    target.entries.set(name, { key: name, keySpan: span(keys[i]), value: dotted });
    target = dotted;
  }
  const last = keys[keys.length - 1];
  const entry: TomlEntry = { key: keyName(last), keySpan: span(last), value: convertValue(node.value) };
  target.entries.set(entry.key, entry);
}

function convertValue(node: AST.TOMLContentNode): TomlValue {
  const where = span(node);
  switch (node.type) {
    case 'TOMLArray':
      return { kind: 'array', items: node.elements.map(convertValue), ofTables: false, ...where };
    case 'TOMLInlineTable': {
      const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'inline', ...where, header: where };
      for (const keyValue of node.body) addKeyValue(table, keyValue);
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
