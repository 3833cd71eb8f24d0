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
import type { DependencyReport, FileReport, ProvenanceDetails, Status } from '../core/result';
import { provenanceLinks, refName, type ProvenanceLinks } from './links';

export type HoverFormat = 'markdown' | 'plaintext';

export interface HoverCard {
  report: DependencyReport;
  /** The messages of the dependency's findings (what is wrong), most important first. */
  messages: string[];
  /** The project on its index (links.ts projectLink). */
  projectUrl?: string;
  /** The index's name for the link text, e.g. `pypi.org`. */
  indexName?: string;
  /** Link log entries to search.sigstore.dev (only for the public-good Sigstore). */
  publicGoodLog: boolean;
  /** The index answered 403 for provenance (the feature is off there). */
  provenanceDisabled?: boolean;
  /** Remarks: a stale index answer, ignored index URLs. */
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

const PLATFORMS: Readonly<Record<string, string>> = { GitHub: 'GitHub Actions', GitLab: 'GitLab CI/CD', Google: 'Google Cloud' };

const PREDICATES: Readonly<Record<string, string>> = {
  'https://docs.pypi.org/attestations/publish/v1': 'PyPI publish v1',
  'https://slsa.dev/provenance/v1': 'SLSA provenance v1',
};

export function statusWords(status: Status): Word {
  return STATUS_WORDS[status] ?? STATUS_WORDS.pending;
}

export function renderHover(card: HoverCard, format: HoverFormat): string {
  return format === 'markdown' ? renderMarkdown(card) : renderPlain(card);
}

/** The fact rows of the publisher block: label, text, link. */
interface Fact {
  label: string;
  text: string;
  link?: string;
}

function facts(card: HoverCard): Fact[] {
  const details = publisherDetails(card.report);
  if (!details) return [];
  const links: ProvenanceLinks = provenanceLinks(details, { publicGoodLog: card.publicGoodLog });
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

/** The facts of the first verified file, when no file of the dependency failed verification. */
export function publisherDetails(report: DependencyReport): ProvenanceDetails | undefined {
  if (report.status === 'invalid' || report.files.some((file) => file.status === 'invalid')) return undefined;
  return report.files.find((file) => file.status === 'verified' && file.provenance !== undefined)?.provenance;
}

function headline(card: HoverCard): { title: string; word: Word; sentence: string } {
  const report = card.report;
  const word = statusWords(report.status);
  let sentence = word.sentence;
  if (report.status === 'invalid' && report.diagnostics.includes('identity-mismatch') && !report.files.some((file) => file.status === 'invalid')) {
    sentence = 'Its attestations are valid, but its publisher is not the one recorded or trusted before. Do not install this release until the change is explained.';
  }
  if (report.status === 'unattested' && card.provenanceDisabled) sentence = 'The index has turned provenance off (it answered HTTP 403), so no attestation could be checked.';
  if (report.status === 'verified' && report.files.length > 0) {
    sentence = report.files.length === 1 ? 'Its file has valid attestations (PEP 740) from its Trusted Publisher.' : `All ${report.files.length} files of this release have valid attestations (PEP 740) from its Trusted Publisher.`;
  }
  if (report.status === 'pending') {
    const checked = report.files.filter((file) => file.status !== 'pending').length;
    if (report.files.length > 0) sentence = `Provenance is being checked in the background (${checked} of ${report.files.length} files done).`;
  }
  return { title: `${report.name}${report.version !== null ? ` ${report.version}` : ''}`, word, sentence };
}

function fileStatusText(file: FileReport): string {
  const word = statusWords(file.status);
  return `${word.icon} ${file.status}`;
}

function renderMarkdown(card: HoverCard): string {
  const { title, word, sentence } = headline(card);
  const out: string[] = [`**${md(title)}** — ${word.icon} **${word.word}**`, '', md(sentence)];
  if (card.versionLine !== undefined) out.push('', `_${md(card.versionLine)}_`);
  const rows = facts(card);
  if (rows.length > 0) {
    out.push('', '| | |', '|---|---|');
    for (const row of rows) out.push(`| ${row.label} | ${row.link !== undefined ? link(row.text, row.link) : cell(row.text)} |`);
  }
  if (card.report.files.length > 0) {
    out.push('', '| File | Status | Uploaded |', '|---|---|---|');
    for (const file of card.report.files) out.push(`| ${cell(file.filename)} | ${fileStatusText(file)} | ${file.uploadTime !== undefined ? utc(file.uploadTime) : '—'} |`);
  }
  if (card.messages.length > 0) {
    out.push('');
    for (const message of card.messages) out.push(`- ${md(message)}`);
  }
  if ((card.lateFiles?.length ?? 0) > 0) {
    out.push('', '**Uploaded late:**', '');
    for (const line of card.lateFiles!) out.push(`- ${md(line)}`);
  }
  const notes = [...(card.notes ?? [])];
  if (card.trust !== undefined && card.report.files.some((file) => file.status === 'verified' || file.status === 'invalid')) notes.push(`Checked against ${card.trust}.`);
  if (notes.length > 0) {
    out.push('');
    for (const note of notes) out.push(`_${md(note)}_  `);
  }
  if (card.projectUrl !== undefined) out.push('', link(`${title} on ${card.indexName ?? 'the index'}`, card.projectUrl));
  return out.join('\n');
}

function renderPlain(card: HoverCard): string {
  const { title, word, sentence } = headline(card);
  const out: string[] = [`${title}: ${word.word}`, sentence];
  if (card.versionLine !== undefined) out.push(card.versionLine);
  const rows = facts(card);
  if (rows.length > 0) {
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
