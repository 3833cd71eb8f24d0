/**
 * The words users read about publishers and history, in diagnostics, hovers and the report:
 *   "Publisher changed from github.com/a/b (1.2.0) to github.com/c/d (1.3.0)"
 *   "Provenance lost: 1.2.0 was attested by github.com/a/b (release.yml), 1.3.0 has no attestations"
 *   "2 files uploaded 60 days after the release"
 * Every value that comes from an index or a file (publisher fields, versions, file names) goes
 * through `shown`: control and bidirectional-override characters replaced, long text clipped.
 */
import type { Publisher } from '../core/result';

/** How much of a publisher to name: `short` the repository (or e-mail), `workflow` adds the workflow, `full` the environment too. */
export type PublisherDetail = 'short' | 'workflow' | 'full';

const DETAILS: readonly PublisherDetail[] = ['short', 'workflow', 'full'];
const MAX_SHOWN = 100;
const MAX_FILES_LISTED = 3;

/** A hostile string made safe to show on one line. */
export function shown(text: string): string {
  return shownUpTo(text, MAX_SHOWN);
}

/** shown, in at most `max` characters. */
export function shownUpTo(text: string, max: number): string {
  // C0/C1 controls, line/paragraph separators, bidi embeddings/overrides/isolates.
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
  return printable.length > max ? `${printable.slice(0, max - 1)}…` : printable;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? shown(value) : undefined;
}

/**
 * A publisher in a few words: `github.com/pypa/sampleproject`, with `workflow` detail
 * `github.com/pypa/sampleproject (release.yml)`, with `full` detail
 * `github.com/pypa/sampleproject (release.yml, environment pypi)`. GitLab likewise; Google is
 * its service account e-mail; other kinds are named with their fields.
 */
export function describePublisher(publisher: Publisher | null | undefined, detail: PublisherDetail = 'short'): string {
  if (!publisher || typeof publisher.kind !== 'string') return 'an unknown publisher';
  const kind = publisher.kind;
  if (kind === 'GitHub' || kind === 'GitLab') {
    const { base, workflow } = forgeParts(publisher);
    if (detail === 'short') return base;
    if (detail === 'workflow') return `${base} (${workflow})`;
    const environment = text(publisher.environment);
    return `${base} (${workflow}, ${environment !== undefined ? `environment ${environment}` : 'no environment'})`;
  }
  if (kind === 'Google') return `${text(publisher.email) ?? '(no e-mail)'}${detail === 'short' ? '' : ' (Google)'}`;
  const fields = Object.keys(publisher)
    .filter((name) => name !== 'kind' && text(publisher[name]) !== undefined)
    .sort()
    .map((name) => `${shown(name)} ${text(publisher[name])}`);
  const named = `${shown(kind)} publisher`;
  return detail === 'short' || fields.length === 0 ? named : `${named} (${fields.join(', ')})`;
}

/**
 * The two parts of a GitHub or GitLab publisher as describePublisher writes them, for callers that
 * link each part (the hover card): `github.com/pypa/sampleproject` and `release.yml`. Undefined for
 * other kinds.
 */
export function publisherLinkParts(publisher: Publisher | null | undefined): { base: string; workflow: string } | undefined {
  if (!publisher || (publisher.kind !== 'GitHub' && publisher.kind !== 'GitLab')) return undefined;
  return forgeParts(publisher);
}

function forgeParts(publisher: Publisher): { base: string; workflow: string } {
  const host = publisher.kind === 'GitHub' ? 'github.com' : 'gitlab.com';
  const base = `${host}/${text(publisher.repository) ?? '(no repository)'}`;
  const workflow = text(publisher.kind === 'GitHub' ? publisher.workflow : publisher.workflow_filepath) ?? 'no workflow';
  return { base, workflow };
}

/**
 * Labels for publishers the caller knows to be different, at the least detail that tells them
 * apart (at least `minimum`): `github.com/a/b` and `github.com/c/d`, but
 * `github.com/a/b (release.yml)` and `github.com/a/b (deploy.yml)`.
 */
export function distinctLabels(publishers: readonly Publisher[], minimum: PublisherDetail = 'short'): string[] {
  return labelsWithDetail(publishers, minimum).labels;
}

function labelsWithDetail(publishers: readonly Publisher[], minimum: PublisherDetail): { labels: string[]; detail: PublisherDetail } {
  const start = DETAILS.indexOf(minimum);
  for (const detail of DETAILS.slice(start)) {
    const labels = publishers.map((publisher) => describePublisher(publisher, detail));
    if (new Set(labels).size === labels.length) return { labels, detail };
  }
  return { labels: publishers.map((publisher) => describePublisher(publisher, 'full')), detail: 'full' };
}

function and(items: readonly string[], conjunction = 'and'): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${conjunction} ${items[items.length - 1]}`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** `a.whl, b.whl, c.whl and 2 more`. */
export function fileList(files: readonly string[]): string {
  const names = files.map(shown);
  if (names.length <= MAX_FILES_LISTED) return and(names);
  return `${names.slice(0, MAX_FILES_LISTED).join(', ')} and ${names.length - MAX_FILES_LISTED} more`;
}

export interface ReleasePublishers {
  version: string;
  /** Distinct publishers. */
  publishers: readonly Publisher[];
}

/** "Publisher changed from github.com/a/b (1.2.0) to github.com/c/d (1.3.0)". `to` lists the new publishers only. */
export function publisherChangedMessage(from: ReleasePublishers, to: ReleasePublishers): string {
  const { labels, detail } = labelsWithDetail([...from.publishers, ...to.publishers], 'short');
  const fromLabels = and(labels.slice(0, from.publishers.length));
  const toLabels = and(labels.slice(from.publishers.length));
  // Labels with their workflow in parentheses already: "… (release.yml) in 1.2.0", not "(release.yml) (1.2.0)".
  const version = (v: string) => (detail === 'short' ? ` (${shown(v)})` : ` in ${shown(v)}`);
  return `Publisher changed from ${fromLabels}${version(from.version)} to ${toLabels}${version(to.version)}`;
}

/** "Publisher changed within 1.3.0: its files have different publishers: github.com/a/b (3 files), github.com/c/d (x-1.3.0.tar.gz)" — PyPI's "inconsistent". */
export function inconsistentPublishersMessage(version: string, groups: readonly { publisher: Publisher; files: readonly string[] }[]): string {
  const labels = distinctLabels(groups.map((group) => group.publisher));
  const parts = groups.map((group, i) => `${labels[i]} (${group.files.length === 1 ? shown(group.files[0]) : plural(group.files.length, 'file')})`);
  return `Publisher changed within ${shown(version)}: its files have different publishers: ${parts.join(', ')}`;
}

export interface AttestedRelease {
  version: string;
  publisher: Publisher;
  /** The publisher trusted on first use (the trust store), rather than a release verified now. */
  trusted?: boolean;
}

/**
 * "Provenance lost: 1.2.0 was attested by github.com/a/b (release.yml), 1.3.0 has no attestations";
 * `alsoWithout` names the releases in between that have none either.
 */
export function provenanceLostMessage(attested: AttestedRelease, version: string, alsoWithout: readonly string[] = []): string {
  const when = attested.trusted ? ' when it was first trusted' : '';
  const between = alsoWithout.length > 0 ? ` (nor ${alsoWithout.length === 1 ? 'has' : 'have'} ${and(alsoWithout.map(shown))})` : '';
  return `Provenance lost: ${shown(attested.version)} was attested by ${describePublisher(attested.publisher, 'workflow')}${when}, ${shown(version)} has no attestations${between}`;
}

export interface LateFileDays {
  filename: string;
  /** Whole days after the release's first file. */
  days: number;
}

/** "2 files uploaded 60 days after the release" (or "… 20 to 75 days …"). */
export function lateUploadSummary(late: readonly LateFileDays[]): string {
  const days = late.map((file) => file.days);
  const least = Math.min(...days);
  const most = Math.max(...days);
  const span = least === most ? plural(least, 'day') : `${least} to ${most} days`;
  return `${plural(late.length, 'file')} uploaded ${span} after the release`;
}

/** Verdict first, the files named: "Uploaded late: 2 files 60 days after the release: a.whl, b.whl". */
export function lateUploadMessage(late: readonly LateFileDays[]): string {
  const days = late.map((file) => file.days);
  const least = Math.min(...days);
  const most = Math.max(...days);
  const span = least === most ? plural(least, 'day') : `${least} to ${most} days`;
  return `Uploaded late: ${plural(late.length, 'file')} ${span} after the release: ${fileList(late.map((file) => file.filename))}`;
}

/** One line per late file, for the hover: "x.whl: 60 days after the release (2024-12-01)". */
export function lateUploadLines(late: readonly (LateFileDays & { uploadTime: string })[]): string[] {
  return late.map((file) => `${shown(file.filename)}: ${plural(file.days, 'day')} after the release (${shown(file.uploadTime.slice(0, 10))})`);
}

export interface ObservedPublisher {
  publisher: Publisher;
  version: string;
}

/**
 * The trust store's mismatch, verdict first, both identities named:
 * "Publisher differs from the one trusted since 3.0.0: 4.0.0 is published by github.com/c/d
 * (release.yml), not by github.com/a/b (release.yml)".
 */
export function trustedIdentityMismatchMessage(project: string, trusted: ObservedPublisher & { also?: readonly ObservedPublisher[] }, observed: ObservedPublisher): string {
  const all = [trusted, ...(trusted.also ?? [])];
  const labels = distinctLabels([...all.map((entry) => entry.publisher), observed.publisher], 'workflow');
  const observedLabel = labels[labels.length - 1];
  if (all.length === 1) return `Publisher differs from the one trusted since ${shown(trusted.version)}: ${shown(project)} ${shown(observed.version)} is published by ${observedLabel}, not by ${labels[0]}`;
  // Kept both (the user's choice): "not by either publisher trusted: a since 1.0.0 or c since 2.0.0".
  const trustedLabels = all.map((entry, i) => `${labels[i]} since ${shown(entry.version)}`);
  return `Publisher differs from the ${all.length} trusted on this machine: ${shown(project)} ${shown(observed.version)} is published by ${observedLabel}, not by ${all.length === 2 ? 'either' : 'any'} publisher trusted: ${and(trustedLabels, 'or')}`;
}

/** "a", "a and b", "a, b and c" (or with another conjunction). */
export function listOf(items: readonly string[], conjunction = 'and'): string {
  return and(items, conjunction);
}

function recordedList(identities: readonly { kind: string; fields: Readonly<Record<string, string>> }[], detail: PublisherDetail = 'workflow'): string {
  const labels = identities.map((identity) => describePublisher({ kind: identity.kind, ...identity.fields }, detail));
  return and([...new Set(labels)], 'or');
}

/**
 * "Publisher differs from the one recorded in the lock: sampleproject 4.0.0 is published by
 * github.com/c/d (release.yml), not by github.com/a/b (release.yml)".
 */
export function identityMismatchLockedMessage(
  label: string,
  publisher: Publisher,
  identities: readonly { kind: string; fields: Readonly<Record<string, string>> }[],
  files: readonly string[],
  checkedFiles: number,
): string {
  const which = files.length < checkedFiles ? ` (${fileList(files)})` : '';
  const recorded = identities.length === 1 ? 'the one recorded in the lock' : 'the ones recorded in the lock';
  // The observed publisher in full (its environment may be what differs); the recorded ones too when only that tells them apart.
  const sameWorkflow = identities.some((identity) => describePublisher({ kind: identity.kind, ...identity.fields }, 'workflow') === describePublisher(publisher, 'workflow'));
  return `Publisher differs from ${recorded}: ${shown(label)} is published by ${describePublisher(publisher, 'full')}${which}, not by ${recordedList(identities, sameWorkflow ? 'full' : 'workflow')}`;
}

/** "No provenance for the recorded publisher: the lock records github.com/a/b (release.yml) for sampleproject 4.0.0, but x.whl has no attestations". */
export function lockedWithoutProvenanceMessage(
  label: string,
  identities: readonly { kind: string; fields: Readonly<Record<string, string>> }[],
  files: readonly string[],
  checkedFiles: number,
): string {
  const what = identities.length === 1 ? 'the publisher' : 'the publishers';
  const which =
    files.length === checkedFiles && checkedFiles > 1 ? 'none of its files has attestations' : files.length === 1 ? `${shown(files[0])} has no attestations` : `${fileList(files)} have no attestations`;
  return `No provenance for the recorded publisher: the lock records ${what} ${recordedList(identities)} for ${shown(label)}, but ${which}`;
}
