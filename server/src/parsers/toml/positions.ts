/**
 * The fast way to a TomlTable tree (see document.ts): one pass over the text that reads TOML 1.0
 * — checks it, decodes its values (lexemes.ts) — and records where each key, value and table
 * is, building the same tree as the exact path in parse.ts (toml-eslint-parser), span for span.
 *
 * It gives up on anything it does not read with certainty: every syntax error, and rare valid
 * spellings too — a header or dotted key reaching into a table
 * that dotted keys made, nesting deeper than MAX_TOML_DEPTH. Then `undefined` sends the document
 * to the exact parser, which gives the answer and, for a broken document, the exact error (the
 * exact parser reads TOML 1.0 too, so what only TOML 1.1 allows is refused there). Never throws.
 */
import type { TomlArray, TomlEntry, TomlSpan, TomlString, TomlTable, TomlValue } from './document';
import { giveUp, isForbiddenControl, isLocalDate, isQuote, readBareValue, readLineString, readMultilineString, startsMultilineString } from './lexemes';
import { MAX_TOML_DEPTH } from './scan';
import { CLOSE_BRACE, CLOSE_BRACKET, COMMA, DOT, EQUALS, HASH, NEWLINE, OPEN_BRACE, OPEN_BRACKET, RETURN, SPACE, TAB } from './charCodes';

/** The tree of `source` when it reads with certainty; undefined when the exact parser must decide. */
export function fastTomlTree(source: string): TomlTable | undefined {
  try {
    const scanner = new FastTomlScanner(source);
    while (!scanner.step());
    return scanner.root;
  } catch {
    // GiveUp, or a stack overflow on deep nesting: the exact parser decides either way.
    return undefined;
  }
}

interface KeySegment {
  name: string;
  start: number;
  end: number;
}

/** How many array items or inline-table keys are read between two looks at `overBudget`. */
const BUDGET_STRIDE = 256;

function isBareKeyChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d;
}

/** Characters of a bare value: numbers, booleans, date-times (`+-.:_`, letters for `e`, `inf`, `T`, `Z`, hex). */
function isBareValueChar(c: number): boolean {
  return isBareKeyChar(c) || c === 0x2b || c === DOT || c === 0x3a;
}

/**
 * The scanner, a line at a time: `step` reads one key/value line or header, so a caller can
 * read a large document in slices between other work. `overBudget`, when given, is asked now and
 * then inside a long array or inline table; when it says yes the scanner gives up, so no one
 * line holds the caller longer than it allows (the caller then reads the document elsewhere).
 */
export class FastTomlScanner {
  private pos = 0;
  readonly root: TomlTable;
  /** The table the key/value lines now being read go into, and its array when it is a `[[name]]` element. */
  private section: TomlTable;
  private sectionArray: TomlArray | undefined;
  /** Arrays and inline tables open; past MAX_TOML_DEPTH the exact parser says so. */
  private depth = 0;

  constructor(
    private readonly text: string,
    private readonly overBudget?: () => boolean,
  ) {
    this.root = { kind: 'table', entries: new Map(), origin: 'root', start: 0, end: text.length, header: { start: 0, end: this.lineEnd(0) } };
    this.section = this.root;
  }

  /** Reads the next line; true once the whole text is read (then `root` is the tree). Throws GiveUp. */
  step(): boolean {
    const text = this.text;
    this.skipBlankLines();
    if (this.pos >= text.length) return true;
    if (text.charCodeAt(this.pos) === OPEN_BRACKET) {
      this.header();
    } else {
      const end = this.keyValue(this.section);
      if (this.section !== this.root) {
        this.section.end = end;
        if (this.sectionArray !== undefined && end > this.sectionArray.end) this.sectionArray.end = end;
      }
    }
    this.endOfLine();
    return false;
  }

  private checkBudget(count: number): void {
    if (this.overBudget !== undefined && count % BUDGET_STRIDE === 0 && count > 0 && this.overBudget()) giveUp();
  }

  // ── lines ──────────────────────────────────────────────────────────────

  private lineEnd(from: number): number {
    let end = from;
    const text = this.text;
    while (end < text.length && text.charCodeAt(end) !== NEWLINE && text.charCodeAt(end) !== RETURN) end++;
    return end;
  }

  private skipSpaces(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c !== SPACE && c !== TAB) return;
      this.pos++;
    }
  }

  /** A comment from its `#` to the end of its line, which holds no control character but tabs. */
  private skipComment(): void {
    const text = this.text;
    let i = this.pos + 1;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === NEWLINE || c === RETURN) break;
      if (isForbiddenControl(c)) giveUp();
      i++;
    }
    this.pos = i;
  }

  /** A newline (LF or CRLF; a lone CR is no newline) at pos, when there is one. */
  private skipNewline(): boolean {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (c === NEWLINE) {
      this.pos++;
      return true;
    }
    if (c === RETURN) {
      if (text.charCodeAt(this.pos + 1) !== NEWLINE) giveUp();
      this.pos += 2;
      return true;
    }
    return false;
  }

  /** Whitespace, comments and newlines (between lines, or between an array's items). */
  private skipBlankLines(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === SPACE || c === TAB) this.pos++;
      else if (c === HASH) this.skipComment();
      else if (!this.skipNewline()) return;
    }
  }

  /** After a key/value or a header: spaces, a comment, then a newline or the end. */
  private endOfLine(): void {
    this.skipSpaces();
    const text = this.text;
    if (this.pos < text.length && text.charCodeAt(this.pos) === HASH) this.skipComment();
    if (this.pos >= text.length) return;
    if (!this.skipNewline()) giveUp();
  }

  // ── keys ───────────────────────────────────────────────────────────────

  /** A dotted key; the scanner stops right after its last segment. */
  private key(): KeySegment[] {
    const segments: KeySegment[] = [];
    const text = this.text;
    for (;;) {
      this.skipSpaces();
      const start = this.pos;
      const c = text.charCodeAt(start);
      let name: string;
      if (isQuote(c)) {
        // A multi-line string is no key.
        if (startsMultilineString(text, start)) giveUp();
        const read = readLineString(text, start);
        name = read.value;
        this.pos = read.end;
      } else {
        let end = start;
        while (end < text.length && isBareKeyChar(text.charCodeAt(end))) end++;
        if (end === start) giveUp();
        name = text.slice(start, end);
        this.pos = end;
      }
      segments.push({ name, start, end: this.pos });
      const afterSegment = this.pos;
      this.skipSpaces();
      if (text.charCodeAt(this.pos) !== DOT) {
        this.pos = afterSegment;
        return segments;
      }
      this.pos++;
    }
  }

  // ── headers ────────────────────────────────────────────────────────────

  /** `[a.b]` or `[[a.b]]`: the table the following lines fill. */
  private header(): void {
    const text = this.text;
    const start = this.pos;
    const isArray = text.charCodeAt(start + 1) === OPEN_BRACKET;
    this.pos += isArray ? 2 : 1;
    const keys = this.key();
    this.skipSpaces();
    if (text.charCodeAt(this.pos) !== CLOSE_BRACKET) giveUp();
    this.pos++;
    if (isArray) {
      if (text.charCodeAt(this.pos) !== CLOSE_BRACKET) giveUp();
      this.pos++;
    }
    const header: TomlSpan = { start, end: this.pos };

    let container = this.root;
    for (let i = 0; i < keys.length - 1; i++) {
      const segment = keys[i];
      const existing = container.entries.get(segment.name);
      if (existing === undefined) {
        const where = { start: segment.start, end: segment.end };
        const implicit: TomlTable = { kind: 'table', entries: new Map(), origin: 'implicit', ...where, header: where };
        container.entries.set(segment.name, { key: segment.name, keySpan: { ...where }, value: implicit });
        container = implicit;
        continue;
      }
      const value = existing.value;
      // `[a.b]` after `[[a]]` names a table in a's last element. An inline table is closed; one
      // that dotted keys made takes sub-tables (`[tool.ruff.lint.per-file-ignores]` after
      // `lint.select = …`), though no header may define it.
      const next = value.kind === 'array' && value.ofTables ? value.items[value.items.length - 1] : value;
      if (next?.kind !== 'table' || next.origin === 'inline') giveUp();
      container = next;
    }

    const last = keys[keys.length - 1];
    const keySpan = { start: last.start, end: last.end };
    const existing = container.entries.get(last.name);
    if (isArray) {
      const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'array-header', start, end: header.end, header };
      let array: TomlArray;
      if (existing === undefined) {
        array = { kind: 'array', items: [table], ofTables: true, start, end: header.end };
        container.entries.set(last.name, { key: last.name, keySpan, value: array });
      } else {
        if (existing.value.kind !== 'array' || !existing.value.ofTables) giveUp();
        array = existing.value;
        array.items.push(table);
        if (header.end > array.end) array.end = header.end;
      }
      this.enter(table, array);
      return;
    }
    if (existing === undefined) {
      const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'header', start, end: header.end, header };
      container.entries.set(last.name, { key: last.name, keySpan, value: table });
      this.enter(table, undefined);
      return;
    }
    // A table is defined once; `[a]` after `[a.b]` defines the table `[a.b]` implied, and from now on it has a header.
    if (existing.value.kind !== 'table' || existing.value.origin !== 'implicit') giveUp();
    Object.assign(existing.value, { origin: 'header', start, end: header.end, header });
    this.enter(existing.value, undefined);
  }

  private enter(table: TomlTable, array: TomlArray | undefined): void {
    this.section = table;
    this.sectionArray = array;
  }

  // ── key/value pairs ────────────────────────────────────────────────────

  /** `a.b.c = v` into `table` (dotted tables made as needed); the offset where the value ends. */
  private keyValue(table: TomlTable): number {
    const text = this.text;
    const start = this.pos;
    const keys = this.key();
    const keyEnd = this.pos;
    this.skipSpaces();
    if (text.charCodeAt(this.pos) !== EQUALS) giveUp();
    this.pos++;
    this.skipSpaces();

    let target = table;
    const madeDotted: TomlTable[] | undefined = keys.length > 1 ? [] : undefined;
    for (let i = 0; i < keys.length - 1; i++) {
      const segment = keys[i];
      const existing = target.entries.get(segment.name);
      if (existing !== undefined) {
        // Dotted keys extend only the tables dotted keys of this same table made.
        if (existing.value.kind !== 'table' || existing.value.origin !== 'dotted') giveUp();
        target = existing.value;
      } else {
        const dotted: TomlTable = { kind: 'table', entries: new Map(), origin: 'dotted', start, end: start, header: { start, end: keyEnd } };
        target.entries.set(segment.name, { key: segment.name, keySpan: { start: segment.start, end: segment.end }, value: dotted });
        madeDotted?.push(dotted);
        target = dotted;
      }
    }
    const last = keys[keys.length - 1];
    if (target.entries.has(last.name)) giveUp();
    const value = this.value();
    for (const dotted of madeDotted ?? []) dotted.end = value.end;
    const entry: TomlEntry = { key: last.name, keySpan: { start: last.start, end: last.end }, value };
    target.entries.set(last.name, entry);
    return value.end;
  }

  // ── values ─────────────────────────────────────────────────────────────

  private value(): TomlValue {
    const text = this.text;
    const c = text.charCodeAt(this.pos);
    if (isQuote(c)) return this.string();
    if (c !== OPEN_BRACKET && c !== OPEN_BRACE) return this.bare();
    if (++this.depth > MAX_TOML_DEPTH) giveUp();
    const value = c === OPEN_BRACKET ? this.array() : this.inlineTable();
    this.depth--;
    return value;
  }

  private string(): TomlString {
    const text = this.text;
    const start = this.pos;
    const basic = text.charCodeAt(start) === 0x22;
    const multiline = startsMultilineString(text, start);
    const read = multiline ? readMultilineString(text, start) : readLineString(text, start);
    this.pos = read.end;
    return { kind: 'string', value: read.value, style: basic ? 'basic' : 'literal', multiline, start, end: read.end };
  }

  private array(): TomlArray {
    const text = this.text;
    const start = this.pos;
    this.pos++;
    const items: TomlValue[] = [];
    for (;;) {
      // Newlines and comments may sit between items, even in an array inside an inline table.
      this.skipBlankLines();
      if (text.charCodeAt(this.pos) === CLOSE_BRACKET) break;
      this.checkBudget(items.length);
      items.push(this.value());
      this.skipBlankLines();
      const c = text.charCodeAt(this.pos);
      if (c === COMMA) {
        this.pos++;
        continue;
      }
      if (c !== CLOSE_BRACKET) giveUp();
      break;
    }
    this.pos++;
    return { kind: 'array', items, ofTables: false, start, end: this.pos };
  }

  private inlineTable(): TomlTable {
    const text = this.text;
    const start = this.pos;
    this.pos++;
    const table: TomlTable = { kind: 'table', entries: new Map(), origin: 'inline', start, end: start, header: { start, end: start } };
    this.skipSpaces();
    if (text.charCodeAt(this.pos) !== CLOSE_BRACE) {
      for (;;) {
        this.checkBudget(table.entries.size);
        this.keyValue(table);
        this.skipSpaces();
        const c = text.charCodeAt(this.pos);
        if (c === COMMA) {
          this.pos++;
          this.skipSpaces();
          // A trailing comma is TOML 1.1 only (so is a newline, which skipSpaces leaves in place).
          if (text.charCodeAt(this.pos) === CLOSE_BRACE) giveUp();
          continue;
        }
        if (c !== CLOSE_BRACE) giveUp();
        break;
      }
    }
    this.pos++;
    table.end = this.pos;
    table.header = { start, end: this.pos };
    return table;
  }

  /** A number, a boolean or a date-time. */
  private bare(): TomlValue {
    const text = this.text;
    const start = this.pos;
    let end = start;
    while (end < text.length && isBareValueChar(text.charCodeAt(end))) end++;
    // `1979-05-27 07:32:00`: a space may separate a date and its time.
    if (text.charCodeAt(end) === SPACE && isLocalDate(text.slice(start, end)) && /^\d{2}:/.test(text.slice(end + 1, end + 4))) {
      end++;
      while (end < text.length && isBareValueChar(text.charCodeAt(end))) end++;
    }
    if (end === start) giveUp();
    const read = readBareValue(text.slice(start, end), start, end);
    if (read === undefined) giveUp();
    this.pos = end;
    return read;
  }
}
