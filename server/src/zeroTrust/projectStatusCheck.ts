/**
 * PEP 792 project status (issue 11 item 4): a project the index marks quarantined is
 * `project-quarantined` (error), archived `project-archived`, deprecated `project-deprecated`
 * (warnings). The index's reason is quoted apart from our words, sanitized and bounded: it is the
 * index's text, not ours. It needs only the project page, so it is raised even when the pinned
 * version is not found (PyPI serves a quarantined project with no files).
 */
import { VERDICTS } from '../core/verdicts';
import type { DiagnosticCode } from '../core/codes';
import type { Finding } from '../core/finding';
import type { Dependency } from '../core/model';
import type { ProjectStatusMarker } from '../index/projectStatus';
import { redactUrl } from '../index/redact';
import type { Resolution } from '../index/resolve';
import type { ProjectPage } from '../index/simpleApi';
import type { ZeroTrustOutcome } from './dependencyChecks';
import { shown } from './messages';

const CODES: Partial<Record<ProjectStatusMarker, DiagnosticCode>> = {
  quarantined: 'project-quarantined',
  archived: 'project-archived',
  deprecated: 'project-deprecated',
};

const MEANING: Partial<Record<ProjectStatusMarker, string>> = {
  quarantined: 'the index is reviewing it, possibly as malware, and it should not be installed',
  archived: 'its maintainers expect no further releases, so fixes (security fixes too) will not come',
  deprecated: 'its maintainers consider it obsolete; look for the project that replaces it',
};

/** The index a page belongs to (the page URL without its project segment), redacted for showing. */
export function pageIndex(page: Pick<ProjectPage, 'url'>): string {
  try {
    return redactUrl(new URL('../', page.url).href);
  } catch {
    return redactUrl(page.url);
  }
}

/** The index's reason as a quotation: sanitized, one line, bounded, its own quote marks neutralized. */
export function quotedReason(reason: string): string {
  return `“${shown(reason.replace(/\s+/g, ' ').replace(/[\u201C\u201D"]/g, "'"))}”`;
}

/** One finding per page that marks the project archived, deprecated or quarantined (active and unknown say nothing). */
export function projectStatusFindings(dependency: Dependency, dependencyIndex: number | undefined, resolution: Pick<Resolution, 'pages' | 'name'>): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<string>();
  const project = shown(dependency.rawName || dependency.name || resolution.name);
  for (const page of resolution.pages) {
    const status = page.projectStatus;
    if (!status) continue;
    const code = CODES[status.status];
    if (code === undefined) continue;
    const index = pageIndex(page);
    if (seen.has(`${code} ${index}`)) continue;
    seen.add(`${code} ${index}`);
    const because = status.reason !== undefined ? ` The index gives as reason: ${quotedReason(status.reason)}.` : ' The index gives no reason.';
    findings.push({
      code,
      message: `${VERDICTS[code]}: ${project} is ${status.status} on the index (${index}): ${MEANING[status.status]}.${because}`,
      range: dependency.ranges.requirement,
      ...(dependencyIndex !== undefined ? { dependency: dependencyIndex } : {}),
    });
  }
  return findings;
}

/** The outcome of a dependency that did not resolve (no files of the version) but whose page marks a status; undefined when there is none. */
export function projectStatusOutcome(dependency: Dependency, dependencyIndex: number | undefined, resolution: Pick<Resolution, 'pages' | 'name'>): ZeroTrustOutcome | undefined {
  const findings = projectStatusFindings(dependency, dependencyIndex, resolution);
  return findings.length > 0 ? { findings, publishers: [], late: { late: [] }, notes: [] } : undefined;
}

/** What of the pages' statuses a remembered check depends on. */
export function projectStatusKey(resolution: Pick<Resolution, 'pages'>): unknown[] {
  return resolution.pages.map((page) => (page.projectStatus ? [page.projectStatus.status, page.projectStatus.reason ?? null] : null));
}
