import type { Position, Range } from './model';

/**
 * Maps string offsets to LSP positions. Line breaks are `\n`, `\r\n` and lone `\r`, as LSP
 * counts them. Offsets are UTF-16 code units, which is what JavaScript strings index by.
 */
export class LineIndex {
  private readonly lineStarts: number[];
  /** The line of the last positionAt answer, where the next search starts. */
  private lastLine = 0;

  constructor(private readonly text: string) {
    const starts = [0];
    if (!text.includes('\r')) {
      // The usual text, with `\n` line breaks only: indexOf finds them much faster than a loop.
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      } else if (c === 10 /* \n */) {
        starts.push(i + 1);
      }
    }
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    // Parsers ask in document order: the line of the last answer, or the next, is nearly always it.
    let line = this.lastLine;
    if (!this.holds(line, clamped)) {
      line = this.holds(line + 1, clamped) ? line + 1 : this.search(clamped);
      this.lastLine = line;
    }
    return { line, character: clamped - this.lineStarts[line] };
  }

  /** Whether `offset` is on line `line`. */
  private holds(line: number, offset: number): boolean {
    const starts = this.lineStarts;
    return line < starts.length && starts[line] <= offset && (line + 1 >= starts.length || starts[line + 1] > offset);
  }

  /** The line `offset` is on, by binary search. */
  private search(offset: number): number {
    const starts = this.lineStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[position.line];
    const next = position.line + 1 < this.lineStarts.length ? this.lineStarts[position.line + 1] : this.text.length;
    return Math.max(start, Math.min(start + position.character, next));
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }
}
