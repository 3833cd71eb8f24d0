/**
 * The provenance report as data, what the report panel shows: per dependency file its
 * dependencies, most severe first, each with its status in words, its publisher, its findings'
 * messages (as the editor shows them) and its release files with upload times (UTC, as the hover
 * writes them) and transparency-log entries. Pure. Everything in a report comes from the index:
 * links are made only of known shapes (GitHub, GitLab, Sigstore search, PyPI), and the panel
 * writes every text with textContent.
 */
import { STATUS_ORDER, STATUS_WORDS, SEVERITY_ORDER, statusLabel, type SeverityLevel } from '../status/words';
import { workspaceTotals, type FileFacts } from '../status/summary';
import { isKnownStatus, type DependencyReport, type DocumentReport, type FileReport, type Publisher } from './types';

export interface ReportEntry {
  uri: string;
  report?: DocumentReport;
  /** Why there is no report for this file. */
  error?: string;
}

/** A published diagnostic of a document, as the editor has it. */
export interface PublishedFinding {
  code: string;
  severity: SeverityLevel;
  message: string;
  line: number;
}

/** A piece of text, linked when the URL has a known shape. */
export interface Linked {
  text: string;
  url?: string;
}

export interface FindingModel {
  code: string;
  /** `off` when the severity setting hides it from the editor (the report still lists it). */
  severity: SeverityLevel | 'off';
  message: string;
}

export interface FileModel {
  filename: string;
  status: string;
  statusLabel: string;
  uploaded?: string;
  logEntry?: Linked;
  message?: string;
}

export interface DependencyModel {
  name: string;
  version?: Linked;
  status: string;
  statusLabel: string;
  /** The worst severity among its findings: what the report sorts by. */
  severity: SeverityLevel | 'none';
  /** Zero-based line of the requirement, the target of its link. */
  line?: number;
  /** "requirements.txt:3". */
  location: string;
  publisher: Linked[];
  lockedIn?: string;
  findings: FindingModel[];
  files: FileModel[];
}

export interface DocumentModel {
  uri: string;
  name: string;
  error?: string;
  dependencies: DependencyModel[];
}

export interface ReportModel {
  generatedAt: string;
  totals: string;
  documents: DocumentModel[];
  /** Every status present, with its count and meaning: the filter's choices. */
  statuses: Array<{ status: string; label: string; meaning: string; count: number }>;
}

export interface ModelOptions {
  generatedAt: Date;
  /** The heading of a file, e.g. its workspace-relative path. */
  displayPath: (uri: string) => string;
  /** The document's published diagnostics. */
  findings: (uri: string) => readonly PublishedFinding[];
  /** Whether the index is PyPI (then versions link to pypi.org). */
  pypi: boolean;
}

const MAX_TEXT = 500;
const SEVERITY_RANK: Readonly<Record<string, number>> = { error: 0, warning: 1, information: 2, hint: 3, off: 4, none: 5 };
const STATUS_RANK = new Map<string, number>(STATUS_ORDER.map((status, i) => [status, i]));

export function buildReportModel(entries: readonly ReportEntry[], options: ModelOptions): ReportModel {
  const documents = entries.map((entry) => documentModel(entry, options));
  const counts = new Map<string, number>();
  for (const dependency of documents.flatMap((d) => d.dependencies)) counts.set(dependency.status, (counts.get(dependency.status) ?? 0) + 1);
  const facts: FileFacts[] = entries.map((entry) => ({ name: options.displayPath(entry.uri), report: entry.report, levels: options.findings(entry.uri).map((f) => f.severity) }));
  return {
    generatedAt: utc(options.generatedAt.toISOString()),
    totals: entries.length === 0 ? 'No dependency files (requirements*.txt, pyproject.toml, pylock.toml, uv.lock, poetry.lock) were found in the workspace.' : workspaceTotals(facts),
    documents,
    statuses: STATUS_ORDER.filter((s) => counts.has(s)).map((s) => ({ status: s, label: STATUS_WORDS[s].label, meaning: STATUS_WORDS[s].meaning, count: counts.get(s)! })),
  };
}

function documentModel(entry: ReportEntry, options: ModelOptions): DocumentModel {
  const name = options.displayPath(entry.uri);
  if (!entry.report) return { uri: entry.uri, name, error: bounded(entry.error ?? 'the server did not answer'), dependencies: [] };
  const published = options.findings(entry.uri);
  const dependencies = entry.report.dependencies.map((dependency) => dependencyModel(dependency, name, published, options));
  return { uri: entry.uri, name, dependencies: sortBySeverity(dependencies) };
}

/** Most severe first, then the worst status, then the order in the file. */
export function sortBySeverity(dependencies: readonly DependencyModel[]): DependencyModel[] {
  return dependencies
    .map((dependency, i) => ({ dependency, i }))
    .sort((a, b) => SEVERITY_RANK[a.dependency.severity]! - SEVERITY_RANK[b.dependency.severity]! || rankOf(a.dependency.status) - rankOf(b.dependency.status) || a.i - b.i)
    .map(({ dependency }) => dependency);
}

function rankOf(status: string): number {
  return STATUS_RANK.get(status) ?? 0;
}

function dependencyModel(dependency: DependencyReport, documentName: string, published: readonly PublishedFinding[], options: ModelOptions): DependencyModel {
  const start = dependency.range?.start?.line;
  const end = dependency.range?.end?.line ?? start;
  const line = typeof start === 'number' && Number.isSafeInteger(start) && start >= 0 ? start : undefined;
  const codes = Array.isArray(dependency.diagnostics) ? dependency.diagnostics.filter((c): c is string => typeof c === 'string') : [];
  const findings = [...new Set(codes)].flatMap((code): FindingModel[] => {
    const shown = published.filter((f) => f.code === code && line !== undefined && f.line >= line && f.line <= (end ?? line));
    if (shown.length === 0) return [{ code, severity: 'off', message: 'Not shown in the editor (its severity setting is off).' }];
    return [...new Map(shown.map((f) => [f.message, f])).values()].map((f) => ({ code, severity: f.severity, message: bounded(f.message) }));
  });
  findings.sort((a, b) => SEVERITY_RANK[a.severity]! - SEVERITY_RANK[b.severity]!);
  const worst = SEVERITY_ORDER.find((level) => findings.some((f) => f.severity === level)) ?? 'none';
  const status = isKnownStatus(dependency.status) ? dependency.status : 'error';
  const name = bounded(String(dependency.name));
  const version = typeof dependency.version === 'string' && dependency.version !== '' ? bounded(dependency.version) : undefined;
  const lockedIn: unknown = dependency.lockedIn;
  return {
    name,
    version: version === undefined ? undefined : { text: version, url: options.pypi ? pypiUrl(name, version) : undefined },
    status,
    statusLabel: statusLabel(status),
    severity: worst,
    line,
    location: line === undefined ? documentName : `${documentName}:${line + 1}`,
    publisher: publisherParts(dependency.publisher),
    lockedIn: typeof lockedIn === 'string' ? bounded(lockedIn) : undefined,
    findings,
    files: (Array.isArray(dependency.files) ? dependency.files : []).map(fileModel),
  };
}

function fileModel(file: FileReport): FileModel {
  const status = isKnownStatus(String(file.status)) ? String(file.status) : 'error';
  const logIndex = file.logIndex;
  return {
    filename: bounded(String(file.filename)),
    status,
    statusLabel: statusLabel(status),
    uploaded: typeof file.uploadTime === 'string' ? utc(file.uploadTime) : undefined,
    logEntry: typeof logIndex === 'number' && Number.isSafeInteger(logIndex) && logIndex >= 0 ? { text: `log entry ${logIndex}`, url: `https://search.sigstore.dev/?logIndex=${logIndex}` } : undefined,
    message: typeof file.message === 'string' && file.message !== '' ? bounded(file.message) : undefined,
  };
}

/**
 * The publisher as [host/repository, workflow] (each linked when the shape is known), written
 * `github.com/pypa/sampleproject (release.yml)` as the diagnostics, hover and CLI write it
 * (server/src/zeroTrust/messages.ts describePublisher); a Google publisher as its e-mail.
 */
export function publisherParts(publisher: Publisher | null | undefined): Linked[] {
  if (!publisher || typeof publisher !== 'object') return [];
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? bounded(value) : undefined);
  const kind = text(publisher.kind) ?? '';
  const repository = text(publisher.repository);
  const parts: Linked[] = [];
  const safePath = (value: string, pattern: RegExp) => pattern.test(value) && !value.split('/').includes('..');
  if (kind === 'GitHub' && repository) {
    const repo = safePath(repository, /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/) ? repository : undefined;
    parts.push({ text: `github.com/${repository}`, url: repo && `https://github.com/${repo}` });
    const workflow = text(publisher.workflow);
    if (workflow) parts.push({ text: workflow, url: repo && /^[A-Za-z0-9_.-]+$/.test(workflow) && workflow !== '..' ? `https://github.com/${repo}/blob/HEAD/.github/workflows/${workflow}` : undefined });
  } else if (kind === 'GitLab' && repository) {
    const repo = safePath(repository, /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/) ? repository : undefined;
    parts.push({ text: `gitlab.com/${repository}`, url: repo && `https://gitlab.com/${repo}` });
    const workflow = text(publisher.workflow_filepath);
    if (workflow) parts.push({ text: workflow, url: repo && safePath(workflow, /^[A-Za-z0-9_.\/-]+$/) ? `https://gitlab.com/${repo}/-/blob/HEAD/${workflow}` : undefined });
  } else if (kind === 'Google' && text(publisher.email)) {
    parts.push({ text: text(publisher.email)! }, { text: 'Google' });
  } else if (kind) {
    parts.push({ text: `${kind} publisher` });
  }
  return parts;
}

function pypiUrl(name: string, version: string): string | undefined {
  return /^[A-Za-z0-9._-]+$/.test(name) && /^[A-Za-z0-9.+!_-]+$/.test(version) ? `https://pypi.org/project/${name}/${version}/` : undefined;
}

/** "2024-11-06 22:37 UTC", as the hover card writes times. */
export function utc(time: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(time);
  return match ? `${match[1]} ${match[2]} UTC` : bounded(time);
}

/** One line, bounded: index text in a report. */
function bounded(text: string): string {
  const line = text.replace(/[\r\n\t\u2028\u2029]+/g, ' ');
  return line.length > MAX_TEXT ? `${line.slice(0, MAX_TEXT)}…` : line;
}
