/**
 * `--format text`: for each file a table of its dependencies (version, status, publisher, the
 * codes found) and then its findings one per line as `path:line:column  severity  code  message`
 * (the form terminals and editors turn into links), and one summary line for the run. All of it
 * fits the width it is given (layout.ts): cells and messages wrap, nothing is cut; `--format
 * json` has the same text unwrapped.
 *
 * Everything shown comes from files the user may not have written; control characters are
 * shown escaped so that a hostile file cannot drive the terminal.
 */
import { redactUrl } from '../../index/redact';
import { describePublisher as describePublisherInWords } from '../../zeroTrust/messages';
import { DEFAULT_INDEX_URL } from '../../pipeline/contract/settings';
import type { Severity } from '../../core/codes';
import type { Finding } from '../../core/finding';
import type { DependencyReport, Publisher } from '../../core/result';
import { severityOf, type CheckRun, type CheckedDocument } from '../check';
import { statusLabel } from '../statusWords';
import { summaryLine, tally, uncheckedLine } from '../summary';
import { fitColumns, GAP, hangingWrap, wrapAtSeparators, MIN_WIDTH, naturalWidths, renderTable, wordWidths, type Cell, type ColumnSpec } from './layout';
import { painter, SEVERITY_COLOUR, STATUS_COLOUR, type Colour, type Paint } from './style';

export interface TextOptions {
  colour: boolean;
  /** Columns to fit in (layout.ts outputWidth); no limit when absent. */
  width?: number;
}

const NONE = '—';
const INDENT = '  ';
/** Where a wrapped line of a stacked entry (a dependency, a finding's message) goes on. */
const CONTINUATION = 6;
/** Narrower than this, a finding's message goes below its location instead of beside it. */
const MIN_MESSAGE_WIDTH = 30;

/** A finding the `severity` setting does not turn off, with its severity. */
interface Published {
  finding: Finding;
  severity: Severity;
}

export function renderText(run: CheckRun, options: TextOptions): string {
  const paint = painter(options.colour);
  const width = Math.max(MIN_WIDTH, options.width ?? Number.POSITIVE_INFINITY);
  const blocks = run.documents.map((document) => renderDocument(document, run, paint, width));
  const lines: string[] = [blocks.join('\n\n'), ''];
  const where = indexLine(run);
  if (where) lines.push(...hangingWrap(paint('dim', where), width, 2));
  const counts = tally(run);
  lines.push(...wrapAtSeparators(summaryLine(counts, (what, text) => paint(isSeverity(what) ? SEVERITY_COLOUR[what] : STATUS_COLOUR[what], text)), width, 2));
  const unchecked = uncheckedLine(counts);
  if (unchecked) lines.push(...hangingWrap(paint('bold', unchecked), width, 0));
  return `${lines.join('\n')}\n`;
}

function renderDocument(document: CheckedDocument, run: CheckRun, paint: Paint, width: number): string {
  const dependencies = document.report.dependencies;
  const count = dependencies.length === 1 ? '1 dependency' : `${dependencies.length} dependencies`;
  const lines = [`${paint('bold', safe(document.displayPath))} ${paint('dim', `(${count})`)}`];

  const published: Published[] = [];
  for (const finding of document.findings) {
    const severity = severityOf(finding, run.settings);
    if (severity !== 'off') published.push({ finding, severity });
  }

  if (dependencies.length > 0) {
    const byDependency = groupByDependency(published);
    const rows = dependencies.map((dependency, index) => dependencyRow(dependency, byDependency.get(index) ?? [], paint));
    lines.push(...dependencyTable(rows, paint, width));
  }

  const ordered = [...published].sort((a, b) => a.finding.range.start.line - b.finding.range.start.line || a.finding.range.start.character - b.finding.range.start.character);
  if (ordered.length > 0) {
    lines.push('');
    const rows = ordered.map(({ finding, severity }) => [
      cell(paint, `${safe(document.displayPath)}:${finding.range.start.line + 1}:${finding.range.start.character + 1}`),
      cell(paint, severity, SEVERITY_COLOUR[severity]),
      cell(paint, finding.code, SEVERITY_COLOUR[severity]),
      cell(paint, safe(oneLine(finding.message))),
    ]);
    lines.push(...findingLines(rows, width));
  }
  for (const failure of document.failures) {
    lines.push(...hangingWrap(paint('red', `the '${safe(failure.stage)}' check failed on this file (internal error); its findings are missing`), width, 4, 2));
  }
  if (dependencies.length === 0 && ordered.length === 0 && document.failures.length === 0) lines.push(paint('dim', '  no dependencies'));
  return lines.join('\n');
}

function cell(paint: Paint, text: string, colour?: Colour): Cell {
  return { plain: text, shown: colour ? paint(colour, text) : text };
}

/** Findings by the dependency they are about, so a row does not scan every finding (100k-line files). */
function groupByDependency(published: readonly Published[]): Map<number, Published[]> {
  const groups = new Map<number, Published[]>();
  for (const item of published) {
    if (item.finding.dependency === undefined) continue;
    const group = groups.get(item.finding.dependency);
    if (group) group.push(item);
    else groups.set(item.finding.dependency, [item]);
  }
  return groups;
}

function dependencyRow(dependency: DependencyReport, published: readonly Published[], paint: Paint): Cell[] {
  const codes: Cell[] = [];
  for (const { finding, severity } of published) {
    if (codes.some((c) => c.plain === finding.code)) continue;
    codes.push(cell(paint, finding.code, SEVERITY_COLOUR[severity]));
  }
  return [
    cell(paint, safe(dependency.name), 'bold'),
    dependency.version === null ? cell(paint, NONE, 'dim') : cell(paint, safe(dependency.version)),
    cell(paint, statusLabel(dependency.status), STATUS_COLOUR[dependency.status]),
    dependency.publisher ? cell(paint, safe(describePublisher(dependency.publisher))) : cell(paint, NONE, 'dim'),
    { plain: codes.map((c) => c.plain).join(', '), shown: codes.map((c) => c.shown).join(', ') },
  ];
}

const DEPENDENCY_HEADERS = ['DEPENDENCY', 'VERSION', 'STATUS', 'PUBLISHER', 'FINDINGS'];
/**
 * What gives way when the table is too wide: first the publisher and the findings (they wrap
 * at spaces), then the status (at its space); never narrower than the header. A name or a
 * version is never broken (it is what a reader searches for): a table that cannot keep them
 * whole becomes one entry per dependency.
 */
const DEPENDENCY_COLUMNS: readonly ColumnSpec[] = [
  { shrink: 0, min: 0 },
  { shrink: 0, min: 0 },
  { shrink: 2, min: 6 },
  { shrink: 1, min: 10 },
  { shrink: 1, min: 10 },
];

/**
 * The dependency table in `width` columns; when even its narrowest layout does not fit, one
 * entry per dependency instead: name, version and status, then the publisher and findings
 * below, indented.
 */
function dependencyTable(rows: readonly Cell[][], paint: Paint, width: number): string[] {
  const header = DEPENDENCY_HEADERS.map((title) => cell(paint, title, 'dim'));
  const all = [header, ...rows];
  const available = width - INDENT.length - GAP.length * (DEPENDENCY_HEADERS.length - 1);
  const widths = fitColumns(naturalWidths(all), DEPENDENCY_COLUMNS, available, wordWidths(all));
  if (widths) return renderTable(all, widths).map((line) => `${INDENT}${line}`);
  const lines: string[] = [];
  for (const [name, version, status, publisher, findings] of rows) {
    const title = version.plain === NONE ? name.shown : `${name.shown} ${version.shown}`;
    lines.push(...hangingWrap(`${title}  ${status.shown}`, width, CONTINUATION, INDENT.length));
    if (publisher.plain !== NONE) lines.push(...hangingWrap(`${paint('dim', 'publisher')} ${publisher.shown}`, width, CONTINUATION + 2, CONTINUATION - 2));
    if (findings.plain !== '') lines.push(...hangingWrap(`${paint('dim', 'findings')} ${findings.shown}`, width, CONTINUATION + 2, CONTINUATION - 2));
  }
  return lines;
}

/**
 * Findings as `path:line:column  severity  code  message`, the message wrapping in its own
 * column; when that column would be narrower than MIN_MESSAGE_WIDTH, the message goes on the
 * lines below instead. The location is never broken: terminals and editors make it a link.
 */
function findingLines(rows: readonly Cell[][], width: number): string[] {
  const natural = naturalWidths(rows);
  const head = natural.slice(0, 3).reduce((a, b) => a + b, 0) + GAP.length * 3;
  const messageWidth = width - INDENT.length - head;
  if (messageWidth >= Math.min(MIN_MESSAGE_WIDTH, natural[3])) {
    return renderTable(rows, [...natural.slice(0, 3), messageWidth]).map((line) => `${INDENT}${line}`);
  }
  const heads = renderTable(
    rows.map((row) => row.slice(0, 3)),
    natural.slice(0, 3),
  );
  return rows.flatMap((row, i) => [`${INDENT}${heads[i]}`, ...hangingWrap(row[3].shown, width, CONTINUATION, CONTINUATION)]);
}

/**
 * A publisher as every other place writes it (diagnostics, hover, report):
 * `github.com/pypa/sampleproject (release.yml)`, `gitlab.com/g/p (.gitlab-ci.yml)`, an e-mail.
 */
export function describePublisher(publisher: Publisher): string {
  return describePublisherInWords(publisher, 'workflow');
}

/** The index asked, when it is not PyPI or the run is offline; credentials never shown. */
function indexLine(run: CheckRun): string | undefined {
  const { indexUrl, offline } = run.settings;
  if (indexUrl === DEFAULT_INDEX_URL && !offline) return undefined;
  return `index: ${safe(redactUrl(indexUrl))}${offline ? ' (offline: cache only)' : ''}`;
}

function isSeverity(value: string): value is Severity {
  return value === 'error' || value === 'warning' || value === 'information' || value === 'hint';
}

/** Control characters (C0, DEL, C1) shown as escapes; everything else as it is. */
export function safe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The message on one line: each line break and the blanks around it become one space. */
function oneLine(message: string): string {
  // Split and trim rather than a `\s*\n\s*` regex, which is quadratic on long runs of blanks.
  return message.includes('\n') ? message.split('\n').map((part) => part.trim()).filter((part) => part.length > 0).join(' ') : message;
}
