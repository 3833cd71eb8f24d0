/**
 * The provenance report as Markdown: per dependency file a table of its dependencies (status,
 * publisher, findings), then the files of each release with their transparency-log entries.
 * Pure. Everything in a report comes from the index, so all of it is escaped and only links of
 * known shapes are made from it.
 */
import { summarizeReports } from '../status/summary';
import type { DependencyReport, DocumentReport, FileReport, Publisher } from './types';

export interface ReportEntry {
  uri: string;
  report?: DocumentReport;
  /** Why there is no report for this file. */
  error?: string;
}

export interface ReportOptions {
  generatedAt: Date;
  /** The heading of a file, e.g. its workspace-relative path. */
  displayPath: (uri: string) => string;
  /** A link that opens the document at a zero-based line, or undefined for none. */
  locationLink?: (uri: string, line: number) => string | undefined;
  /** The documentation of a diagnostic code. */
  codeLink: (code: string) => string;
  /** The project's page on the index, when there is one (PyPI). */
  projectLink?: (name: string, version: string | undefined) => string | undefined;
}

const STATUS_MARK: Readonly<Record<string, string>> = {
  verified: '✅',
  partial: '🟡',
  unattested: '⚪',
  unpinned: '➖',
  'not-found': '❓',
  error: '⚠️',
  invalid: '❌',
  pending: '⏳',
};

const MAX_TEXT = 300;

export function renderReportMarkdown(entries: readonly ReportEntry[], options: ReportOptions): string {
  const reports = entries.flatMap((entry) => (entry.report ? [entry.report] : []));
  const summary = summarizeReports(reports);
  const lines: string[] = ['# PyPI Provenance report', ''];
  lines.push(`Generated ${options.generatedAt.toISOString()} · ${entries.length} dependency ${entries.length === 1 ? 'file' : 'files'} · ${escapeMarkdown(summary.text)}`, '');
  if (entries.length === 0) lines.push('No dependency files (requirements\\*.txt, pyproject.toml, pylock.toml) were found in the workspace.', '');
  for (const entry of entries) lines.push(...renderDocument(entry, options));
  lines.push('---', '', `Status: ${Object.entries(STATUS_MARK).map(([status, mark]) => `${mark} ${status}`).join(' · ')}`, '');
  return lines.join('\n');
}

function renderDocument(entry: ReportEntry, options: ReportOptions): string[] {
  const lines = [`## ${escapeMarkdown(options.displayPath(entry.uri))}`, ''];
  if (!entry.report) return [...lines, `_No report: ${escapeMarkdown(entry.error ?? 'the server did not answer')}_`, ''];
  const dependencies = entry.report.dependencies;
  if (dependencies.length === 0) return [...lines, '_No dependencies._', ''];
  lines.push('| | Dependency | Version | Status | Publisher | Findings |', '|---|---|---|---|---|---|');
  for (const dependency of dependencies) lines.push(renderRow(entry.uri, dependency, options));
  lines.push('');
  const withFiles = dependencies.filter((d) => (d.files?.length ?? 0) > 0);
  if (withFiles.length > 0) {
    lines.push('### Release files', '');
    for (const dependency of withFiles) {
      lines.push(`**${escapeMarkdown(dependency.name)} ${escapeMarkdown(dependency.version ?? '')}**`, '');
      for (const file of dependency.files ?? []) lines.push(...renderFile(file));
      lines.push('');
    }
  }
  return lines;
}

function renderRow(uri: string, dependency: DependencyReport, options: ReportOptions): string {
  const status = String(dependency.status);
  const line = dependency.range?.start?.line;
  const location = typeof line === 'number' ? options.locationLink?.(uri, line) : undefined;
  const name = link(escapeMarkdown(dependency.name), location);
  const version = dependency.version ? link(escapeMarkdown(dependency.version), options.projectLink?.(dependency.name, dependency.version)) : '';
  const findings = (dependency.diagnostics ?? []).map((code) => link(escapeMarkdown(code), options.codeLink(code))).join(', ');
  return `| ${STATUS_MARK[status] ?? '•'} | ${name} | ${version} | ${escapeMarkdown(status)} | ${renderPublisher(dependency.publisher)} | ${findings} |`;
}

function renderFile(file: FileReport): string[] {
  const parts = [`\`${escapeCode(file.filename)}\``, escapeMarkdown(String(file.status))];
  if (file.publisher) parts.push(renderPublisher(file.publisher));
  if (file.uploadTime) parts.push(`uploaded ${escapeMarkdown(file.uploadTime)}`);
  if (typeof file.logIndex === 'number' && Number.isSafeInteger(file.logIndex) && file.logIndex >= 0) {
    parts.push(link(`log entry ${file.logIndex}`, `https://search.sigstore.dev/?logIndex=${file.logIndex}`));
  }
  const lines = [`- ${STATUS_MARK[String(file.status)] ?? '•'} ${parts.join(' · ')}`];
  if (file.message) lines.push(`  - ${escapeMarkdown(file.message)}`);
  return lines;
}

/** The publisher as "GitHub owner/repo · workflow · environment", linked when the shape is known. */
export function renderPublisher(publisher: Publisher | null | undefined): string {
  if (!publisher || typeof publisher !== 'object') return '';
  const kind = typeof publisher.kind === 'string' ? publisher.kind : '';
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const repository = text(publisher.repository);
  const parts: string[] = [];
  if (kind === 'GitHub' && repository) {
    const repo = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repository) && !repository.includes('..') ? repository : undefined;
    parts.push(`GitHub ${link(escapeMarkdown(repository), repo && `https://github.com/${repo}`)}`);
    const workflow = text(publisher.workflow);
    if (workflow) parts.push(link(escapeMarkdown(workflow), repo && /^[A-Za-z0-9_.-]+$/.test(workflow) ? `https://github.com/${repo}/blob/HEAD/.github/workflows/${workflow}` : undefined));
  } else if (kind === 'GitLab' && repository) {
    const repo = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(repository) && !repository.includes('..') ? repository : undefined;
    parts.push(`GitLab ${link(escapeMarkdown(repository), repo && `https://gitlab.com/${repo}`)}`);
    const workflow = text(publisher.workflow_filepath);
    if (workflow) parts.push(link(escapeMarkdown(workflow), repo && /^[A-Za-z0-9_.\/-]+$/.test(workflow) && !workflow.includes('..') ? `https://gitlab.com/${repo}/-/blob/HEAD/${workflow}` : undefined));
  } else {
    parts.push(escapeMarkdown([kind, text(publisher.email) ?? repository].filter(Boolean).join(' ')));
  }
  const environment = text(publisher.environment);
  if (environment) parts.push(`environment ${escapeMarkdown(environment)}`);
  return parts.filter(Boolean).join(' · ');
}

/** Text from the index, made inert: no emphasis, links, HTML or table breaks, one line, bounded. */
export function escapeMarkdown(text: string): string {
  const oneLine = text.replace(/[\r\n\t\u2028\u2029]+/g, ' ');
  const bounded = oneLine.length > MAX_TEXT ? `${oneLine.slice(0, MAX_TEXT)}…` : oneLine;
  return bounded.replace(/[\\`*_[\]|<>&~#!()]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`));
}

/** Inside a code span only the backtick and line breaks matter. */
function escapeCode(text: string): string {
  return text.replace(/[\r\n`]+/g, ' ').slice(0, MAX_TEXT);
}

function link(label: string, url: string | undefined): string {
  if (!url) return label;
  return `[${label}](${url.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)})`;
}
