/**
 * Laying text out in a given number of terminal columns: how wide the output is, tables whose
 * columns shrink to fit (cells wrap at spaces, a word longer than its column is broken), and
 * paragraphs wrapped with a hanging indent. Widths are display widths (string-width: wide CJK
 * characters count two, escape sequences nothing); wrapping keeps colours intact (wrap-ansi
 * closes and reopens them around each line break).
 */
/// <reference path="./wrap-ansi.d.ts" />
import stringWidth from 'string-width';
import wrapAnsi from 'wrap-ansi';

/** Narrower than this, nothing lines up anyway: lay out as if it were this wide. */
export const MIN_WIDTH = 20;
/** A terminal that does not say how wide it is. */
export const DEFAULT_TERMINAL_WIDTH = 80;

/**
 * The width the text output is laid out for (Infinity: no limit).
 * - A terminal: its own width (process.stdout.columns), which follows a resize; `COLUMNS` is a
 *   shell variable that goes stale, so it only stands in when the terminal does not say.
 * - Not a terminal (a CI log, a pipe, a file): `COLUMNS` when set, else no limit. A CI log
 *   viewer (GitHub Actions, GitLab) is as wide as the browser window, not 80 columns, and wraps
 *   long lines itself; a log or a file is read with grep and copied from, so each finding
 *   stays on one line there, whole. Setting `COLUMNS` in the job lays it out for that width.
 */
export function outputWidth(stream: { isTTY?: boolean; columns?: number }, env: Readonly<Record<string, string | undefined>>): number {
  if (stream.isTTY === true && typeof stream.columns === 'number' && stream.columns > 0) return Math.max(MIN_WIDTH, stream.columns);
  const fromEnv = /^\s*(\d{1,5})\s*$/.exec(env.COLUMNS ?? '');
  if (fromEnv && Number(fromEnv[1]) > 0) return Math.max(MIN_WIDTH, Number(fromEnv[1]));
  return stream.isTTY === true ? DEFAULT_TERMINAL_WIDTH : Number.POSITIVE_INFINITY;
}

export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** The text (colours allowed) in lines of at most `width` columns; one empty line for ''. */
export function wrapLines(text: string, width: number): string[] {
  if (!Number.isFinite(width) || displayWidth(text) <= width) return [text];
  return wrapAnsi(text, Math.max(1, width), { hard: true, trim: true }).split('\n');
}

/** A paragraph within `width`: its first line after `firstIndent` spaces, the next ones after `indent`. */
export function hangingWrap(text: string, width: number, indent: number, firstIndent = 0): string[] {
  if (!Number.isFinite(width) || firstIndent + displayWidth(text) <= width) return [`${' '.repeat(firstIndent)}${text}`];
  return wrapLines(text, Math.max(1, width - Math.max(indent, firstIndent))).map((line, i) => `${' '.repeat(i === 0 ? firstIndent : indent)}${line}`);
}

/**
 * A list such as the summary line ("3 dependencies: 1 verified · 2 unattested; 1 error, 0
 * warnings") wrapped between its items (after ': ', ' · ', '; ', ', '), never inside one, so
 * that a count stays beside its word; continuation lines after `indent` spaces.
 */
export function wrapAtSeparators(text: string, width: number, indent: number): string[] {
  if (!Number.isFinite(width) || displayWidth(text) <= width) return [text];
  const items = text.split(/(?<=: | \u00B7 |; |, )/);
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const room = width - (lines.length === 0 ? 0 : indent);
    if (line !== '' && displayWidth(line + item.trimEnd()) > room) {
      lines.push(line.trimEnd());
      line = '';
    }
    line += item;
  }
  if (line !== '') lines.push(line.trimEnd());
  // An item wider than a line on its own still gets wrapped inside.
  return lines.flatMap((l, i) => hangingWrap(l, width, indent, i === 0 ? 0 : indent));
}

export interface Cell {
  /** The text without colours, for widths. */
  plain: string;
  /** The text as printed (with colours, when on). */
  shown: string;
}

export interface ColumnSpec {
  /**
   * Which columns give up width first: 1 before 2 before 3; 0 never shrinks. Columns of one
   * rank shrink together, the widest first.
   */
  shrink: number;
  /** Narrowest it may become (never more than its widest cell). */
  min: number;
}

/** Words up to this long are never broken inside a table cell; longer ones (an e-mail address, a URL) may be. */
export const UNBREAKABLE_WORD = 24;

/**
 * Column widths for rows whose widest cells are `natural`, in `available` columns (gaps
 * excluded), or undefined when even the narrowest allowed widths do not fit. A column is never
 * narrower than its spec's `min` nor than `words` (its longest word that must not be broken).
 */
export function fitColumns(natural: readonly number[], specs: readonly ColumnSpec[], available: number, words: readonly number[] = []): number[] | undefined {
  const widths = [...natural];
  const floor = specs.map((spec, i) => (spec.shrink === 0 ? natural[i] : Math.min(natural[i], Math.max(spec.min, words[i] ?? 0))));
  let excess = widths.reduce((a, b) => a + b, 0) - available;
  if (excess <= 0) return widths;
  const ranks = [...new Set(specs.map((spec) => spec.shrink).filter((rank) => rank > 0))].sort((a, b) => a - b);
  for (const rank of ranks) {
    const members = specs.map((spec, i) => (spec.shrink === rank ? i : -1)).filter((i) => i >= 0);
    // Water-filling: lower the widest members to the next width down until the excess is gone.
    while (excess > 0) {
      const shrinkable = members.filter((i) => widths[i] > floor[i]);
      if (shrinkable.length === 0) break;
      const widest = Math.max(...shrinkable.map((i) => widths[i]));
      const top = shrinkable.filter((i) => widths[i] === widest);
      const next = Math.max(...shrinkable.filter((i) => widths[i] < widest).map((i) => widths[i]), ...top.map((i) => floor[i]));
      const step = Math.min(widest - next, Math.ceil(excess / top.length));
      for (const i of top) {
        if (excess <= 0) break;
        const cut = Math.min(step, widths[i] - floor[i], excess);
        widths[i] -= cut;
        excess -= cut;
      }
    }
    if (excess <= 0) return widths;
  }
  return undefined;
}

/** The widest cell of each column. */
export function naturalWidths(rows: readonly (readonly Cell[])[]): number[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, displayWidth(cell.plain))));
  return widths;
}

/** The longest word (at most UNBREAKABLE_WORD wide) of each column. */
export function wordWidths(rows: readonly (readonly Cell[])[]): number[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      for (const word of cell.plain.split(' ')) {
        const w = displayWidth(word);
        if (w <= UNBREAKABLE_WORD) widths[i] = Math.max(widths[i] ?? 0, w);
      }
    });
  }
  return widths;
}

export const GAP = '  ';

/**
 * Rows laid out in columns of these widths, cells wrapped inside them, separated by GAP; a row
 * of wrapped cells takes as many lines as its tallest cell. The last column is not padded.
 */
export function renderTable(rows: readonly (readonly Cell[])[], widths: readonly number[]): string[] {
  const lines: string[] = [];
  for (const row of rows) {
    const wrapped = row.map((cell, i) => (displayWidth(cell.plain) <= widths[i] ? [cell.shown] : wrapLines(cell.shown, widths[i])));
    const height = Math.max(...wrapped.map((cellLines) => cellLines.length));
    for (let line = 0; line < height; line++) {
      const parts = wrapped.map((cellLines, i) => {
        const text = cellLines[line] ?? '';
        return i === wrapped.length - 1 ? text : text + ' '.repeat(Math.max(0, widths[i] - displayWidth(text)));
      });
      lines.push(parts.join(GAP).trimEnd());
    }
  }
  return lines;
}
