/**
 * The provenance hover card of one dependency, like PyPI's provenance panel: the status in words
 * with an icon, who published it (platform, repository, workflow file at the commit, environment,
 * commit, CI run), the transparency log entry, the predicate types, a table of the release's files
 * with their status and upload time, what is wrong, and a link to the project on the index.
 * Markdown for clients that render it, plain text otherwise. Pure.
 *
 * Publisher facts come only from verified attestations (FileReport.provenance, which the verifier
 * sets only for a verified file) and are shown only when no file of the dependency failed: nothing
 * that failed a check is ever presented as verified.
 */
import type { DiagnosticCode, Severity } from '../core/codes';
import type { DependencyReport, FileReport, ProvenanceDetails, Status } from '../core/result';
import { VERDICTS } from '../core/verdicts';
import { FORCING_INVALID } from '../pipeline/report';
import { describePublisher, publisherLinkParts } from '../zeroTrust/messages';
import { provenanceLinks, refName, type ProvenanceLinks } from './links';

export type HoverFormat = 'markdown' | 'plaintext';

export interface RenderOptions {
  /**
   * The client renders HTML in hover Markdown (the VS Code client asks for it): the details go
   * into a collapsed `<details>` section, so the card stays short. Otherwise they follow inline.
   */
  html?: boolean;
}

/** The dependency's most severe published finding: it leads the headline when it outranks the status. */
export interface CardVerdict {
  code: DiagnosticCode;
  severity: Severity;
  /** Other codes found at the same severity, named after it in the headline ("Yanked, publisher changed"). */
  also?: DiagnosticCode[];
}

export interface HoverCard {
  report: DependencyReport;
  /**
   * The messages of the dependency's findings (what is wrong), most important first, without the
   * ones the editor already shows next to the hover (the diagnostics under the hovered position).
   */
  messages: string[];
  /** The most severe published finding of the dependency, wherever it is. */
  verdict?: CardVerdict;
  /** The project on its index (links.ts projectLink). */
  projectUrl?: string;
  /** The index's name for the link text, e.g. `pypi.org`. */
  indexName?: string;
  /** Link log entries to search.sigstore.dev (only for the public-good Sigstore). */
  publicGoodLog: boolean;
  /** The index answered 403 for provenance (the feature is off there). */
  provenanceDisabled?: boolean;
  /** Remarks: a stale index answer, ignored index URLs, what zero trust knows. */
  notes?: string[];
  /** Which trusted root the verdicts are against. */
  trust?: string;
  /** Where the version shown comes from: "locked at 2.32.3 in uv.lock" (a pyproject through its lock), or the newest match of a range, not locked. */
  versionLine?: string;
  /** Files uploaded late, one line each: "x.whl: 60 days after the release (2024-03-01)" (zeroTrust/messages.ts). */
  lateFiles?: string[];
}

interface Word {
  icon: string;
  word: string;
  sentence: string;
}

const STATUS_WORDS: Readonly<Record<Status, Word>> = {
  'verified': { icon: '✅', word: 'Verified', sentence: 'Every file of this release has valid attestations (PEP 740) from its Trusted Publisher.' },
  'partial': { icon: '⚠️', word: 'Partly attested', sentence: 'Some files of this release have valid attestations; the others have none.' },
  'unattested': { icon: 'ℹ️', word: 'No provenance', sentence: 'No file of this release has attestations (PEP 740): where it was built cannot be verified.' },
  'invalid': { icon: '❌', word: 'Invalid', sentence: 'Verification failed. Do not install this release until the failure is explained.' },
  'error': { icon: '⚠️', word: 'Could not check', sentence: 'The index could not be asked; it is tried again later.' },
  'not-found': { icon: '❓', word: 'Not found', sentence: 'The index has no such project or version.' },
  'pending': { icon: '⏳', word: 'Verifying…', sentence: 'Provenance is being checked in the background.' },
  'unpinned': { icon: '➖', word: 'Not pinned', sentence: 'Not pinned to one exact version, so its files cannot be verified.' },
};

/** How serious each status is, on the severities' scale (lower is worse), to weigh it against the findings. */
const STATUS_LEVEL: Readonly<Record<Status, number>> = { 'invalid': 0, 'not-found': 0, 'error': 1, 'partial': 1, 'unattested': 2, 'unpinned': 3, 'verified': 4, 'pending': 4 };
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { error: 0, warning: 1, information: 2, hint: 3 };
const SEVERITY_ICON: Readonly<Record<Severity, string>> = { error: '❌', warning: '⚠️', information: 'ℹ️', hint: '➖' };

const PLATFORMS: Readonly<Record<string, string>> = { GitHub: 'GitHub Actions', GitLab: 'GitLab CI/CD', Google: 'Google Cloud' };

const PREDICATES: Readonly<Record<string, string>> = {
  'https://docs.pypi.org/attestations/publish/v1': 'PyPI publish v1',
  'https://slsa.dev/provenance/v1': 'SLSA provenance v1',
};

export function statusWords(status: Status): Word {
  return STATUS_WORDS[status] ?? STATUS_WORDS.pending;
}

export function renderHover(card: HoverCard, format: HoverFormat, options: RenderOptions = {}): string {
  return format === 'markdown' ? renderMarkdown(card, options.html === true) : renderPlain(card);
}

/** The fact rows of the publisher block: label, text, link. */
interface Fact {
  label: string;
  text: string;
  link?: string;
}

function facts(details: ProvenanceDetails, links: ProvenanceLinks): Fact[] {
  const rows: Fact[] = [{ label: 'Publisher', text: PLATFORMS[details.publisherKind] ?? details.publisherKind }];
  if (details.repository !== undefined) rows.push({ label: 'Repository', text: details.repository, link: links.repository });
  else if (details.repositoryUrl !== undefined) rows.push({ label: 'Repository', text: details.repositoryUrl, link: links.repository });
  if (details.workflow !== undefined) rows.push({ label: 'Workflow', text: details.workflowPath ?? details.workflow, link: links.workflow });
  if (details.email !== undefined) rows.push({ label: 'Service account', text: details.email });
  if (details.publisherKind !== 'Google') rows.push({ label: 'Environment', text: details.environment ? details.environment : '(none)' });
  if (details.ref !== undefined) rows.push({ label: 'Ref', text: refName(details.ref) ?? details.ref });
  if (details.commit !== undefined) rows.push({ label: 'Commit', text: details.commit.slice(0, 12), link: links.commit });
  if (details.runUrl !== undefined) rows.push({ label: 'Workflow run', text: runText(details.runUrl), link: links.run });
  rows.push({ label: 'Signed', text: utc(new Date(details.integratedTime * 1000).toISOString()) });
  rows.push({ label: 'Transparency log', text: `entry ${details.logIndex}`, link: links.transparencyLog });
  rows.push({ label: 'Attestations', text: details.predicateTypes.map((type) => PREDICATES[type] ?? type).join(', ') });
  return rows;
}

/**
 * The facts of the first verified file, when no file of the dependency failed verification and
 * nothing else made it invalid — but for a publisher that is not the one recorded: who did
 * publish it (from verified attestations) is what the user needs to see then.
 */
export function publisherDetails(report: DependencyReport): ProvenanceDetails | undefined {
  if (report.files.some((file) => file.status === 'invalid')) return undefined;
  if (report.status === 'invalid' && !identityOnly(report)) return undefined;
  return report.files.find((file) => file.status === 'verified' && file.provenance !== undefined)?.provenance;
}

interface Headline {
  title: string;
  /** The lead: the most severe of the status and the findings. */
  icon: string;
  word: string;
  /** The status in words when the lead is a finding that differs from it ("✅ Verified" under "⚠️ Publisher changed"). */
  status?: string;
  sentence: string;
}

/** The attestations verified, but the publisher is not the one recorded (lock or trust on first use). */
function identityOnly(report: DependencyReport): boolean {
  if (report.status !== 'invalid' || !report.diagnostics.includes('identity-mismatch')) return false;
  const otherFailure = report.diagnostics.some((code) => code !== 'identity-mismatch' && (code === 'attestation-invalid' || FORCING_INVALID.has(code as DiagnosticCode)));
  return !otherFailure && !report.files.some((file) => file.status === 'invalid');
}

/**
 * What a release no file of which failed verification was made invalid by (a forcing finding of
 * pipeline/report.ts other than the publisher): that finding leads the card, with its own
 * sentence, not "Verification failed" over a table of verified files.
 */
const FORCED_SENTENCES: Partial<Record<DiagnosticCode, string>> = {
  'project-quarantined': 'The index has quarantined this project (PEP 792): it is under review, possibly as malware. Do not install it.',
  'log-inconsistent': 'Its signatures check out, but the transparency log showed this machine two different histories (a split view), so it cannot vouch that they were made in public. Do not install this release until that is explained.',
  'file-replaced': 'A file of this release is now served with other content than this machine first saw under its name. Do not install this release until that is explained.',
  'hash-not-on-index': 'A hash pinned in your file is not one the index serves for this release. Do not install it until that is explained.',
};

function forcedBy(report: DependencyReport): DiagnosticCode | undefined {
  if (report.status !== 'invalid' || report.files.some((file) => file.status === 'invalid') || report.diagnostics.includes('attestation-invalid')) return undefined;
  return (Object.keys(FORCED_SENTENCES) as DiagnosticCode[]).find((code) => report.diagnostics.includes(code));
}

function headline(card: HoverCard): Headline {
  const report = card.report;
  const status = statusWords(report.status);
  let sentence = status.sentence;
  const forced = identityOnly(report) ? undefined : forcedBy(report);
  if (forced !== undefined) sentence = FORCED_SENTENCES[forced] as string;
  if (identityOnly(report)) {
    sentence = report.files.some((file) => file.status === 'verified')
      ? 'Its attestations are valid, but its publisher is not the one recorded or trusted before. Do not install this release until the change is explained.'
      : 'The publisher recorded for it cannot be checked: its files have no attestations. Do not install this release until that is explained.';
  }
  if (report.status === 'unattested' && card.provenanceDisabled) sentence = 'The index has turned provenance off (it answered HTTP 403), so no attestation could be checked.';
  if (report.status === 'verified' && report.files.length > 0) {
    const files = report.files.length === 1 ? 'Its file has' : report.files.length === 2 ? 'Both files of this release have' : `All ${report.files.length} files of this release have`;
    sentence = `${files} valid attestations (PEP 740) from its Trusted Publisher.`;
  }
  if (report.status === 'pending') {
    const checked = report.files.filter((file) => file.status !== 'pending').length;
    if (report.files.length > 0) sentence = `Provenance is being checked in the background (${checked} of ${report.files.length} files done).`;
  }
  const title = `${report.name}${report.version !== null ? ` ${report.version}` : ''}`;
  const verdict = card.verdict;
  const level = STATUS_LEVEL[report.status] ?? 4;
  // A finding worse than the status leads; so does the one that made the status invalid by itself.
  const leads = verdict !== undefined && (SEVERITY_RANK[verdict.severity] < level || (identityOnly(report) && verdict.code === 'identity-mismatch') || (forced !== undefined && FORCING_INVALID.has(verdict.code)));
  if (!leads) return { title, icon: status.icon, word: status.word, sentence };
  const sameLevel = SEVERITY_RANK[verdict.severity] === level;
  const others = (verdict.also ?? []).filter((code) => code !== verdict.code).map((code) => VERDICTS[code].charAt(0).toLowerCase() + VERDICTS[code].slice(1));
  const word = [VERDICTS[verdict.code], ...new Set(others)].join(', ');
  return { title, icon: SEVERITY_ICON[verdict.severity], word, ...(sameLevel ? {} : { status: `${status.icon} ${status.word}` }), sentence };
}

function fileStatusText(file: FileReport): string {
  const word = statusWords(file.status);
  return `${word.icon} ${file.status}`;
}

/** The publisher in one line, as every other place writes it (zeroTrust/messages.ts describePublisher), each part linked. */
function publisherLine(card: HoverCard, details: ProvenanceDetails, links: ProvenanceLinks, markdown: boolean): string {
  const publisher = card.report.publisher;
  const parts = publisherLinkParts(publisher);
  const linked = (text: string, url: string | undefined) => (markdown && url !== undefined ? link(text, url) : markdown ? md(text) : text);
  const who = parts !== undefined ? `${linked(parts.base, links.repository)} (${linked(parts.workflow, links.workflow)})` : markdown ? md(describePublisher(publisher, 'workflow')) : describePublisher(publisher, 'workflow');
  const commit = details.commit !== undefined ? ` · commit ${linked(details.commit.slice(0, 12), links.commit)}` : '';
  return `Published by ${who}${commit}`;
}

function signedLine(details: ProvenanceDetails, links: ProvenanceLinks, markdown: boolean): string {
  const entry = `${details.logIndex}`;
  const logged = markdown && links.transparencyLog !== undefined ? link(entry, links.transparencyLog) : entry;
  return `Signed ${utc(new Date(details.integratedTime * 1000).toISOString())} · transparency log entry ${logged}`;
}

/** The file table belongs on the card itself unless every file simply verified (then the sentence says it all). */
function filesUpFront(report: DependencyReport): boolean {
  return report.files.length > 0 && !(report.status === 'verified' && report.files.every((file) => file.status === 'verified'));
}

/** Fact rows that the card's "Published by …" and "Signed …" lines carry. */
const SAID_ABOVE: ReadonlySet<string> = new Set(['Repository', 'Commit', 'Signed', 'Transparency log']);

function renderMarkdown(card: HoverCard, html: boolean): string {
  const head = headline(card);
  const out: string[] = [`**${md(head.title)}** — ${head.icon} **${md(head.word)}**${head.status !== undefined ? ` · ${head.status}` : ''}`, '', md(head.sentence)];
  if (card.versionLine !== undefined) out.push('', `_${md(card.versionLine)}_`);
  const details = publisherDetails(card.report);
  const links = details !== undefined ? provenanceLinks(details, { publicGoodLog: card.publicGoodLog }) : undefined;
  if (details !== undefined && links !== undefined) out.push('', `${publisherLine(card, details, links, true)}  `, signedLine(details, links, true));
  const fileTable = (): string[] => {
    const rows = ['| File | Status | Uploaded |', '|---|---|---|'];
    for (const file of card.report.files) rows.push(`| ${cell(file.filename)} | ${fileStatusText(file)} | ${file.uploadTime !== undefined ? utc(file.uploadTime) : '—'} |`);
    return rows;
  };
  const upFront = filesUpFront(card.report);
  if (upFront) out.push('', ...fileTable());
  if (card.messages.length > 0) {
    out.push('');
    for (const message of card.messages) out.push(`- ${md(message)}`);
  }
  const notes = card.notes ?? [];
  // Details: everything a user checks once, not at every hover.
  const more: string[] = [];
  if (details !== undefined && links !== undefined) {
    more.push('', '| | |', '|---|---|');
    // Folded (HTML), the rows the two publisher lines above already say are left out.
    const rows = facts(details, links).filter((row) => !html || !SAID_ABOVE.has(row.label));
    for (const row of rows) more.push(`| ${row.label} | ${row.link !== undefined ? link(row.text, row.link) : cell(row.text)} |`);
  }
  if (!upFront && card.report.files.length > 0) more.push('', ...fileTable());
  if ((card.lateFiles?.length ?? 0) > 0) {
    more.push('', '**Uploaded late:**', '');
    for (const line of card.lateFiles!) more.push(`- ${md(line)}`);
  }
  const trust = card.trust !== undefined && card.report.files.some((file) => file.status === 'verified' || file.status === 'invalid') ? `Checked against ${card.trust}.` : undefined;
  if (html) {
    if (notes.length > 0) {
      out.push('');
      for (const note of notes) out.push(`_${md(note)}_  `);
    }
    if (trust !== undefined) more.push('', `_${md(trust)}_`);
    if (card.projectUrl !== undefined) out.push('', link(`${head.title} on ${card.indexName ?? 'the index'}`, card.projectUrl));
    // Blank lines around the inside, so that Markdown inside the HTML block is still Markdown.
    if (more.length > 0) out.push('', '<details><summary>More: publisher, files, trusted root</summary>', ...more, '', '</details>');
    return out.join('\n');
  }
  out.push(...more);
  const allNotes = [...notes, ...(trust !== undefined ? [trust] : [])];
  if (allNotes.length > 0) {
    out.push('');
    for (const note of allNotes) out.push(`_${md(note)}_  `);
  }
  if (card.projectUrl !== undefined) out.push('', link(`${head.title} on ${card.indexName ?? 'the index'}`, card.projectUrl));
  return out.join('\n');
}

function renderPlain(card: HoverCard): string {
  const head = headline(card);
  const out: string[] = [`${head.title}: ${head.word}${head.status !== undefined ? ` (${head.status.replace(/^\S+ /, '').toLowerCase()})` : ''}`, head.sentence];
  if (card.versionLine !== undefined) out.push(card.versionLine);
  const details = publisherDetails(card.report);
  if (details !== undefined) {
    const links = provenanceLinks(details, { publicGoodLog: card.publicGoodLog });
    out.push(publisherLine(card, details, links, false));
    const rows = facts(details, links);
    out.push('');
    const width = Math.max(...rows.map((row) => row.label.length));
    for (const row of rows) out.push(`${`${row.label}:`.padEnd(width + 2)}${row.text}${row.link !== undefined && row.link !== row.text ? ` <${row.link}>` : ''}`);
  }
  if (card.report.files.length > 0) {
    out.push('', 'Files:');
    for (const file of card.report.files) out.push(`  ${file.filename}  ${file.status}${file.uploadTime !== undefined ? `  uploaded ${utc(file.uploadTime)}` : ''}`);
  }
  if (card.messages.length > 0) {
    out.push('');
    for (const message of card.messages) out.push(`- ${message}`);
  }
  if ((card.lateFiles?.length ?? 0) > 0) {
    out.push('', 'Uploaded late:');
    for (const line of card.lateFiles!) out.push(`  ${line}`);
  }
  for (const note of card.notes ?? []) out.push(note);
  if (card.trust !== undefined && card.report.files.some((file) => file.status === 'verified' || file.status === 'invalid')) out.push(`Checked against ${card.trust}.`);
  if (card.projectUrl !== undefined) out.push('', `On ${card.indexName ?? 'the index'}: ${card.projectUrl}`);
  return out.join('\n');
}

/** `2024-11-06T22:37:07.123456Z` → `2024-11-06 22:37 UTC`; anything else as given. */
export function utc(time: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(time);
  return match ? `${match[1]} ${match[2]} UTC` : time;
}

/** `https://github.com/o/r/actions/runs/1/attempts/2` → `run 1, attempt 2`. */
function runText(url: string): string {
  const github = /\/actions\/runs\/(\d+)(?:\/attempts\/(\d+))?/.exec(url);
  if (github) return `run ${github[1]}${github[2] !== undefined ? `, attempt ${github[2]}` : ''}`;
  const gitlab = /\/-\/jobs\/(\d+)/.exec(url);
  if (gitlab) return `job ${gitlab[1]}`;
  return url;
}

/** Text that renders as itself in Markdown (claims and names are not Markdown). */
export function md(text: string): string {
  return text
    .replace(/[\\`*[\]<>|~]/g, (c) => `\\${c}`)
    // An underscore inside a word (file names: octo_pkg-1.0.tar.gz) never starts emphasis.
    .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
    .replace(/^([#>+-])/gm, '\\$1');
}

function cell(text: string): string {
  return md(text).replace(/\r?\n/g, ' ');
}

function link(text: string, url: string): string {
  return `[${cell(text)}](${url})`;
}
