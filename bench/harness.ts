/**
 * The benchmark harness's vocabulary. A bench file is `bench/<topic>.bench.ts` exporting
 * `sections: BenchSection[]`; `npm run bench [-- name…]` runs them (see run.ts).
 */

export interface BenchRow {
  /** What was measured, in words a reader of the table understands. */
  metric: string;
  value: number | string;
  unit?: string;
  /** How it was measured: sample count, input size, … */
  note?: string;
}

export interface BenchContext {
  /** Absolute path of the repository root. */
  repoRoot: string;
  /** `--quick`: fewer repetitions, for a smoke run. */
  quick: boolean;
  /** Progress lines (stderr), kept out of the table. */
  log(message: string): void;
}

export interface BenchSection {
  /** Short, unique; what `npm run bench -- NAME` selects (substring match). */
  name: string;
  /** One line shown above the section's table. */
  title: string;
  run(context: BenchContext): Promise<BenchRow[]>;
}

export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Milliseconds a call takes, `runs` times after `warmup` untimed calls. */
export async function timeRuns(runs: number, warmup: number, body: () => unknown | Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await body();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await body();
    samples.push(performance.now() - start);
  }
  return samples;
}

/** A number rounded for a table: 3 significant digits, no exponent for ordinary magnitudes. */
export function formatValue(value: number | string): string {
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : Math.abs(value) >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** A plain-text table: metric | value unit | note. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((row) => [row.metric, `${formatValue(row.value)}${row.unit ? ` ${row.unit}` : ''}`, row.note ?? '']);
  const header = ['metric', 'value', 'how'];
  const widths = header.map((h, column) => Math.max(h.length, ...cells.map((row) => row[column].length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 1 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}
