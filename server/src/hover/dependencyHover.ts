/**
 * The hover of the dependency under a position, from what the analysis of the document knows now:
 * its findings, and what the verification stage recorded so far (a dependency still being worked
 * on is `pending`). Never waits for anything. Pure.
 */
import type { Finding } from '../core/finding';
import type { Dependency, ParsedDocument, Position } from '../core/model';
import { DEFAULT_SEVERITY } from '../core/codes';
import { buildDocumentReport } from '../pipeline/report';
import type { DocumentResults } from '../verification/documentResults';
import { zeroTrustHoverLines } from '../zeroTrust/hoverLines';
import type { ZeroTrustResults } from '../zeroTrust/service';
import { renderHover, type HoverCard, type HoverFormat } from './card';
import { projectLink } from './links';
import { dependencyAt } from './locate';

export interface HoverSubject {
  uri: string;
  parsed: ParsedDocument;
  findings: readonly Finding[];
}

export interface DependencyHover {
  /** Index into parsed.dependencies. */
  dependency: number;
  card: HoverCard;
  text: string;
}

const SEVERITY_ORDER = { error: 0, warning: 1, information: 2, hint: 3 } as const;

export function dependencyHover(
  subject: HoverSubject,
  position: Position,
  results: DocumentResults | undefined,
  format: HoverFormat,
  zeroTrust?: ZeroTrustResults,
): DependencyHover | undefined {
  const index = dependencyAt(subject.parsed, position);
  if (index === undefined) return undefined;
  const card = hoverCard(subject, index, results, zeroTrust);
  return { dependency: index, card, text: renderHover(card, format) };
}

export function hoverCard(subject: HoverSubject, index: number, results: DocumentResults | undefined, zeroTrust?: ZeroTrustResults): HoverCard {
  const report = buildDocumentReport(subject.uri, subject.parsed, subject.findings, results?.dependencyResults(subject.parsed)).dependencies[index];
  const dependency = subject.parsed.dependencies[index];
  const state = results?.dependency(subject.parsed, index);
  const document = results?.get(subject.parsed);
  const messages = subject.findings
    .filter((finding) => finding.dependency === index)
    .sort((a, b) => SEVERITY_ORDER[DEFAULT_SEVERITY[a.code]] - SEVERITY_ORDER[DEFAULT_SEVERITY[b.code]])
    .map((finding) => finding.message);
  const page = state?.resolution?.pages[0]?.url;
  const trustLines = zeroTrustHoverLines(zeroTrust?.dependency(subject.parsed, index));
  const card: HoverCard = {
    report,
    messages: [...new Set(messages)],
    publicGoodLog: document?.publicGood === true,
    provenanceDisabled: state?.provenanceDisabled,
    notes: [...(state?.resolution?.notes ?? []), ...trustLines.notes],
  };
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

/** Where a pyproject.toml requirement's version came from, and which lock won when the folder holds several. */
function versionLineOf(dependency: Dependency): string | undefined {
  const lock = dependency.lock;
  if (lock === undefined || !lock.locked) return undefined;
  const over = lock.passedOver.length > 0 ? ` (the folder also holds ${lock.passedOver.join(', ')}; ${lock.file} comes first)` : '';
  const what = dependency.pinnedVersion !== undefined ? `This requirement is locked at ${dependency.pinnedVersion}` : 'This requirement is locked to a source that is not an index';
  return `${what} in ${lock.file}${over}.`;
}
