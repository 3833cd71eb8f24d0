/**
 * The progress line on stderr: one line rewritten in place, only when stderr is a terminal (a
 * CI log or a redirect gets nothing), and erased before the results are printed.
 */
import { safe } from './output/text';

export interface ProgressLine {
  update(done: number, total: number, current: string | undefined): void;
  clear(): void;
}

const CLEAR_LINE = '\r\u001b[2K';

export function progressLine(stream: { isTTY?: boolean; columns?: number; write(text: string): unknown }): ProgressLine {
  if (stream.isTTY !== true) return { update: () => undefined, clear: () => undefined };
  let shown = false;
  return {
    update(done, total, current) {
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      const line = `Checking ${done}/${total}${current ? ` ${safe(current)}` : ''}`;
      stream.write(`${CLEAR_LINE}${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write(CLEAR_LINE);
      shown = false;
    },
  };
}
