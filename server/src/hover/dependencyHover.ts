/**
 * The hover of the dependency under a position, from what the analysis of the document knows now:
 * its findings, and what the verification stage recorded so far (a dependency still being worked
 * on is `pending`). Never waits for anything. Pure.
 */
import type { Finding } from '../core/finding';
import type { Dependency, ParsedDocument, Position, Range } from '../core/model';
import { severityFor, type Severity } from '../core/codes';
import type { Settings } from '../pipeline/contract/settings';
import { buildDocumentReport } from '../pipeline/report';
import type { DocumentResults } from '../verification/documentResults';
import { zeroTrustHoverLines } from '../zeroTrust/hoverLines';
import type { ZeroTrustResults } from '../zeroTrust/service';
import { renderHover, SEVERITY_RANK, type HoverCard, type HoverFormat, type RenderOptions } from './card';
import { projectLink } from './links';
import { dependencyAt } from './locate';

export interface HoverSubject {
  uri: string;
  parsed: ParsedDocument;
  findings: readonly Finding[];
  /** The `severity` setting the document's diagnostics were published with. */
  severity?: Settings['severity'];
}

export interface DependencyHover {
  /** Index into parsed.dependencies. */
  dependency: number;
  card: HoverCard;
  text: string;
}

export function dependencyHover(
  subject: HoverSubject,
  position: Position,
  results: DocumentResults | undefined,
  format: HoverFormat,
  zeroTrust?: ZeroTrustResults,
  options: RenderOptions = {},
): DependencyHover | undefined {
  const index = dependencyAt(subject.parsed, position);
  if (index === undefined) return undefined;
  const card = hoverCard(subject, index, results, zeroTrust, position);
  return { dependency: index, card, text: renderHover(card, format, options) };
}

/**
 * The card of a dependency. With `position`, the messages of the diagnostics published there are
 * left out: the editor shows those itself next to the hover (VS Code's problem block), and saying
 * them twice only makes the card taller.
 */
export function hoverCard(subject: HoverSubject, index: number, results: DocumentResults | undefined, zeroTrust?: ZeroTrustResults, position?: Position): HoverCard {
  const report = buildDocumentReport(subject.uri, subject.parsed, subject.findings, results?.dependencyResults(subject.parsed)).dependencies[index];
  const dependency = subject.parsed.dependencies[index];
  const state = results?.dependency(subject.parsed, index);
  const document = results?.get(subject.parsed);
  const published = subject.findings
    .filter((finding) => finding.dependency === index)
    .map((finding, order) => ({ finding, order, severity: severityFor(finding.code, subject.severity, finding.defaultSeverity) }))
    .filter((entry): entry is typeof entry & { severity: Severity } => entry.severity !== 'off')
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || a.order - b.order);
  const messages = published.filter((entry) => position === undefined || !contains(entry.finding.range, position)).map((entry) => entry.finding.message);
  const page = state?.resolution?.pages[0]?.url;
  const trustLines = zeroTrustHoverLines(zeroTrust?.dependency(subject.parsed, index));
  const card: HoverCard = {
    report,
    messages: [...new Set(messages)],
    publicGoodLog: document?.publicGood === true,
    provenanceDisabled: state?.provenanceDisabled,
    notes: [...(state?.resolution?.notes ?? []), ...trustLines.notes],
  };
  if (published.length > 0) {
    const top = published[0];
    const also = [...new Set(published.filter((entry) => entry.severity === top.severity && entry.finding.code !== top.finding.code).map((entry) => entry.finding.code))];
    card.verdict = { code: top.finding.code, severity: top.severity, ...(also.length > 0 ? { also } : {}) };
  }
  if (trustLines.lateFiles.length > 0) card.lateFiles = trustLines.lateFiles;
  const versionLine = versionLineOf(dependency);
  if (versionLine !== undefined) card.versionLine = versionLine;
  const projectUrl = projectLink(report.name, dependency.pinnedVersion, page);
  if (projectUrl !== undefined) {
    card.projectUrl = projectUrl;
    card.indexName = new URL(projectUrl).hostname;
  }
  if (document?.trust !== undefined) card.trust = document.trust;
  if (document?.failure !== undefined) card.messages.push(document.failure);
  return card;
}

/** Whether a position is inside a range (end inclusive, as an editor hovers the last character's edge). */
function contains(range: Range, position: Position): boolean {
  const after = (a: Position, b: Position) => a.line > b.line || (a.line === b.line && a.character >= b.character);
  return after(position, range.start) && after(range.end, position);
}

/** Where a pyproject.toml requirement's version came from, and which lock won when the folder holds several. */
function versionLineOf(dependency: Dependency): string | undefined {
  const lock = dependency.lock;
  if (lock === undefined || !lock.locked) return undefined;
  const over = lock.passedOver.length > 0 ? ` (the folder also holds ${lock.passedOver.join(', ')}; ${lock.file} comes first)` : '';
  const what = dependency.pinnedVersion !== undefined ? `This requirement is locked at ${dependency.pinnedVersion}` : 'This requirement is locked to a source that is not an index';
  return `${what} in ${lock.file}${over}.`;
}
