/**
 * What the status bar says, as data. The item speaks of the active dependency file only ("4
 * verified · 1 invalid") and is red only when that file has errors; the workspace's totals go in
 * its tooltip. From the server's reports when it answers `pypiProvenance/report`, else from the
 * published diagnostics. Pure, so it is unit-tested without VS Code; the words are words.ts's.
 */
import { isKnownStatus, type DocumentReport } from '../report/types';
import { STATUS_ORDER, STATUS_WORDS, count, severityCounts, statusCounts, type SeverityLevel } from './words';

export type Tone = 'none' | 'ok' | 'warning' | 'error';
export type DiagnosticLevel = SeverityLevel;

export interface StatusSummary {
  /** Codicon name, `sync~spin` while dependencies are pending. */
  icon: string;
  text: string;
  /** Plain lines; the status bar item shows them as its tooltip. */
  details: string[];
  tone: Tone;
}

/** What is known of one dependency file. */
export interface FileFacts {
  /** Its name as shown (workspace-relative path). */
  name: string;
  report?: DocumentReport;
  /** The severities of its published diagnostics. */
  levels: readonly DiagnosticLevel[];
}

export const IDLE_SUMMARY: StatusSummary = { icon: 'shield', text: 'PyPI Provenance', details: ['No dependency file checked yet.'], tone: 'none' };

/**
 * The item for the active editor: `active` is its dependency file (undefined when the editor
 * shows something else), `workspace` every dependency file known (the active one included).
 */
export function summarizeStatus(active: FileFacts | undefined, workspace: readonly FileFacts[]): StatusSummary {
  const totals = workspaceLines(workspace);
  if (!active) return { icon: 'shield', text: 'PyPI Provenance', details: totals.length > 0 ? totals : IDLE_SUMMARY.details, tone: 'none' };
  const levels = levelCounts(active.levels);
  const tone: Tone = levels.error > 0 ? 'error' : levels.warning > 0 ? 'warning' : 'ok';
  const statuses = active.report ? statusCountsOf([active.report]) : undefined;
  const dependencies = statuses ? [...statuses.values()].reduce((a, b) => a + b, 0) : 0;
  const pending = statuses?.get('pending') ?? 0;
  let text: string;
  if (statuses && pending > 0) text = `${dependencies - pending}/${dependencies} checked`;
  else if (statuses && dependencies > 0) text = shortText(statuses, dependencies);
  else if (statuses) text = 'no dependencies';
  else text = severityCounts(levels);
  const icon = pending > 0 ? 'sync~spin' : tone === 'error' ? 'error' : tone === 'warning' ? 'warning' : dependencies > 0 && statuses?.get('verified') === dependencies ? 'verified' : 'shield';
  const findings = `Findings: ${severityCounts(levels)}`;
  const head = active.report ? `${active.name}: ${count(dependencies, 'dependency', 'dependencies')}` : active.name;
  const details = [head, ...meanings(statuses), findings, ...(workspace.length > 1 ? ['', ...totals] : [])];
  return { icon, text, details, tone };
}

/** "1 invalid · 4/5 verified": the most worrying status and how many verified; "5 verified" when all are. */
function shortText(statuses: ReadonlyMap<string, number>, total: number): string {
  const verified = statuses.get('verified') ?? 0;
  if (verified === total) return `${total} ${STATUS_WORDS.verified.label}`;
  const worst = STATUS_ORDER.find((s) => s !== 'verified' && (statuses.get(s) ?? 0) > 0)!;
  return `${statuses.get(worst)} ${STATUS_WORDS[worst].label} · ${verified}/${total} ${STATUS_WORDS.verified.label}`;
}

function workspaceLines(files: readonly FileFacts[]): string[] {
  return files.length === 0 ? [] : [`Workspace: ${workspaceTotals(files)}`];
}

/** "12 dependencies in 3 files: 10 verified · 2 unattested; 2 warnings". */
export function workspaceTotals(files: readonly FileFacts[]): string {
  const reports = files.flatMap((file) => (file.report ? [file.report] : []));
  const findings = severityCounts(levelCounts(files.flatMap((file) => file.levels)));
  if (reports.length === 0) return `${count(files.length, 'dependency file')}: ${findings}`;
  const statuses = statusCountsOf(reports);
  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  return `${count(total, 'dependency', 'dependencies')} in ${count(files.length, 'file')}${total > 0 ? `: ${statusCounts(statuses)}` : ''}; ${findings}`;
}

function meanings(statuses: ReadonlyMap<string, number> | undefined): string[] {
  if (!statuses) return [];
  return STATUS_ORDER.filter((s) => (statuses.get(s) ?? 0) > 0).map((s) => `  ${statuses.get(s)} ${STATUS_WORDS[s].label}: ${STATUS_WORDS[s].meaning}`);
}

/** Dependencies per status; a status the client does not know counts as `error` ("not checked"). */
export function statusCountsOf(reports: readonly DocumentReport[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const report of reports) {
    for (const dependency of report.dependencies) {
      const status = isKnownStatus(dependency.status) ? dependency.status : 'error';
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
  }
  return counts;
}

export function levelCounts(levels: readonly DiagnosticLevel[]): Record<DiagnosticLevel, number> {
  const counts: Record<DiagnosticLevel, number> = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const level of levels) counts[level]++;
  return counts;
}
