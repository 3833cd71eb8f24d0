/**
 * The zero-trust code actions (issue 6, issue 10 item 3):
 * - `Record attestation identities` on a pylock.toml package whose locked files verified and that
 *   records none yet: writes their verified publishers as `[[packages.attestation-identities]]`
 *   (zeroTrust/recordIdentities.ts), changing nothing else in the file; and the variant for every
 *   such package of the file, beside it as a quickfix and as the source action
 *   `source.recordAttestationIdentities`. The edit is computed in `codeAction/resolve` when the
 *   client can resolve it (on a large lock it takes a while), inline otherwise.
 * - Accepting a changed publisher, on an `identity-mismatch` whose publisher verified: in a
 *   pylock.toml against the recorded identities (the lock is edited), elsewhere against the
 *   publisher trusted on first use (the trust store). Its title names both publishers. Recording
 *   never silences a mismatch: this is a separate action, and the server command
 *   `pypiProvenance.acceptPublisher` applies it only with an explicit mode, `replace` or
 *   `keep-both`. A client that announces `pypiProvenance.confirmAcceptPublisher` (protocol/src/commands.ts)
 *   gets one action running that client command, which asks the user (VS Code: a modal); any
 *   other client gets one action per mode, each title saying what it does.
 * None of them is offered for a release with a file whose attestation failed or that another
 * finding flags (ACCEPT_BLOCKING_CODES, as CONTRACT §7 for hash pins), nor before verification
 * of the document has settled: accepting or recording vouches for the publisher.
 * All read what the zero-trust stage learned about the document's current analysis; a document
 * whose text moved on since gets no action until it is analysed again.
 */
import { CodeActionKind, TextDocumentEdit, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { AcceptMode, AcceptPublisherArguments, AcceptPublisherResult } from '../../../protocol/src/commands';
import type { Dependency } from '../core/model';
import type { Publisher } from '../core/result';
import { publisherKey, samePublisher } from '../zeroTrust/identities';
import { acceptIdentityEdits, identitiesToRecord, recordIdentitiesEdit, recordIdentitiesEdits } from '../zeroTrust/recordIdentities';
import { distinctLabels, listOf, shown } from '../zeroTrust/messages';
import type { ZeroTrustServices } from '../zeroTrust/service';
import { trustedPublishersOf } from '../zeroTrust/trustStore';
import { acceptBlocked, currentAnalysis, dependencySpan, isObject, onLines, packageSpan, relatedDiagnostics } from './acceptGuards';
import { acceptOwnersActions } from './acceptOwners';
import type { DocumentAnalysis, OpenDocument } from './documentAnalyses';

export const RECORD_IDENTITIES_TITLE = 'Record attestation identities';
export const RECORD_ALL_IDENTITIES_TITLE = 'Record attestation identities of every package';
/** The server command that applies an acceptance (only with a mode). */
export const ACCEPT_PUBLISHER_COMMAND = 'pypiProvenance.acceptPublisher';
/** The client command that asks the user first (VS Code's modal). */
export const CONFIRM_ACCEPT_PUBLISHER_COMMAND = 'pypiProvenance.confirmAcceptPublisher';

export { ACCEPT_BLOCKING_CODES } from './acceptGuards';
export const RECORD_IDENTITIES_KIND = `${CodeActionKind.Source}.recordAttestationIdentities`;
/** The kinds these actions come in (registered with the server's other code action kinds). */
export const ZERO_TRUST_ACTION_KINDS = [CodeActionKind.QuickFix, RECORD_IDENTITIES_KIND];

const RELATED_CODES: ReadonlySet<string> = new Set(['identity-mismatch']);

export interface ZeroTrustActionHost {
  document(uri: string): OpenDocument | undefined;
  analysis(uri: string): DocumentAnalysis | undefined;
  zeroTrust: ZeroTrustServices;
  /** The client resolves a code action's `edit` (codeAction/resolve). */
  resolveSupport: boolean;
  disabledSupport: boolean;
  documentChangesSupport: boolean;
  /** The client has `pypiProvenance.confirmAcceptPublisher` (its experimental capability). */
  confirmSupport: boolean;
}

/** What a record action carries to codeAction/resolve. */
interface RecordData {
  pypiProvenance: 'record-identities';
  uri: string;
  version: number;
  /** The package's index in the parsed document; null: every package. */
  dependency: number | null;
}

interface Candidate {
  dependency: Dependency;
  index: number;
  publishers: Publisher[];
}

export function zeroTrustCodeActions(params: CodeActionParams, host: ZeroTrustActionHost): CodeAction[] {
  const uri = params?.textDocument?.uri;
  if (typeof uri !== 'string') return [];
  const current = currentAnalysis(uri, host);
  if (!current) return [];
  const { document, analysis } = current;
  const only = params.context?.only;
  const wantQuickFix = only === undefined || requested(only, CodeActionKind.QuickFix);
  const wantSource = only !== undefined && requested(only, RECORD_IDENTITIES_KIND);
  if (!wantQuickFix && !wantSource) return [];
  const related = (dependency: Dependency) => relatedDiagnostics(params.context?.diagnostics, dependency, RELATED_CODES);
  const actions: CodeAction[] = [];

  if (document.format === 'pylock') {
    const candidates = recordCandidates(analysis, host.zeroTrust);
    const here = wantQuickFix ? candidates.filter((candidate) => onLines(packageSpan(candidate.dependency), params.range)) : [];
    for (const candidate of here) {
      const action: CodeAction = { title: RECORD_IDENTITIES_TITLE, kind: CodeActionKind.QuickFix, diagnostics: related(candidate.dependency) };
      const ready = withRecordEdit(action, { pypiProvenance: 'record-identities', uri, version: document.version, dependency: candidate.index }, document.text, [candidate], host);
      if (ready) actions.push(ready);
    }
    const all = (kind: string, diagnostics: Diagnostic[]) =>
      withRecordEdit({ title: RECORD_ALL_IDENTITIES_TITLE, kind, diagnostics }, { pypiProvenance: 'record-identities', uri, version: document.version, dependency: null }, document.text, candidates, host);
    // Beside a package's action only when there is more than that package to record.
    if (here.length > 0 && candidates.length > here.length) {
      const action = all(CodeActionKind.QuickFix, here.flatMap((candidate) => related(candidate.dependency)));
      if (action && !action.disabled) actions.push(action);
    }
    if (wantSource && candidates.length > 0) {
      const action = all(RECORD_IDENTITIES_KIND, []);
      if (action && !action.disabled) actions.push(action);
    }
  }
  if (!wantQuickFix) return actions;
  analysis.parsed.dependencies.forEach((dependency, index) => {
    if (!onLines(dependencySpan(document.format, dependency), params.range)) return;
    for (const offer of acceptOffers(uri, document.version, analysis, index, host.zeroTrust)) actions.push(...acceptActions(offer, related(dependency), host.confirmSupport));
    actions.push(...acceptOwnersActions(uri, analysis, index, host.zeroTrust, params.context?.diagnostics));
  });
  return actions;
}

/**
 * What may be accepted for one dependency: each verified publisher that differs from the
 * recorded identities (pylock) or the trusted publisher (elsewhere), unless something forbids
 * vouching for the release.
 */
function acceptOffers(uri: string, documentVersion: number, analysis: DocumentAnalysis, index: number, zeroTrust: ZeroTrustServices): AcceptPublisherArguments[] {
  const dependency = analysis.parsed.dependencies[index];
  const state = zeroTrust.results.dependency(analysis.parsed, index);
  const outcome = state?.outcome;
  if (!dependency || !state?.settled || !outcome || acceptBlocked(analysis, index, outcome.findings)) return [];
  const project = dependency.name;
  const version = dependency.pinnedVersion ?? outcome.trust?.version ?? '';
  const offer = (target: AcceptPublisherArguments['target'], publisher: Publisher, previous: readonly Publisher[], extra: { index?: string; version?: string } = {}): AcceptPublisherArguments => {
    const labels = distinctLabels([publisher, ...previous]);
    return {
      target,
      uri,
      documentVersion,
      dependency: index,
      project,
      version: extra.version ?? version,
      ...(extra.index !== undefined ? { index: extra.index } : {}),
      publisher,
      labels: { project: shown(dependency.rawName || dependency.name), publisher: labels[0], previous: labels.slice(1) },
    };
  };
  if (analysis.format === 'pylock') {
    const recorded = (dependency.attestationIdentities ?? []).map((identity): Publisher => ({ kind: identity.kind, ...identity.fields }));
    if (recorded.length === 0) return [];
    const unmatched = new Map<string, Publisher>();
    for (const file of outcome.identities?.files ?? []) for (const publisher of file.unmatched) unmatched.set(publisherKey(publisher), publisher);
    return [...unmatched.values()].filter((publisher) => identitiesToRecord([publisher]).length > 0).map((publisher) => offer('lock', publisher, recorded));
  }
  const trust = outcome.trust;
  if (!trust) return [];
  return trust.mismatches.map(({ publisher, trusted }) => offer('trust-store', publisher, trustedPublishersOf(trusted).map((entry) => entry.publisher), { index: trust.index, version: trust.version }));
}

/** The title of the action that asks: "Accept github.com/c/d as the publisher of X (was github.com/a/b)". */
export function acceptTitle(labels: AcceptPublisherArguments['labels'], mode?: AcceptMode): string {
  const previous = listOf(labels.previous);
  if (mode === 'replace') return `Accept ${labels.publisher} as the publisher of ${labels.project}, replacing ${previous}`;
  if (mode === 'keep-both') return `Accept ${labels.publisher} as another publisher of ${labels.project}, keeping ${previous}`;
  return `Accept ${labels.publisher} as the publisher of ${labels.project} (was ${previous})`;
}

function acceptActions(offer: AcceptPublisherArguments, diagnostics: Diagnostic[], confirmSupport: boolean): CodeAction[] {
  const action = (title: string, command: string, args: AcceptPublisherArguments): CodeAction => ({ title, kind: CodeActionKind.QuickFix, diagnostics, command: { title, command, arguments: [args] } });
  // The client asks the user, then calls the server command with the chosen mode.
  if (confirmSupport) return [action(acceptTitle(offer.labels), CONFIRM_ACCEPT_PUBLISHER_COMMAND, offer)];
  return (['replace', 'keep-both'] as const).map((mode) => action(acceptTitle(offer.labels, mode), ACCEPT_PUBLISHER_COMMAND, { ...offer, mode }));
}

/** codeAction/resolve: the edit of a record action, against the document as it is now. Other actions come back as they are. */
export function resolveZeroTrustCodeAction(action: CodeAction, host: ZeroTrustActionHost): CodeAction {
  const data = recordData(action?.data);
  if (!data || action.edit !== undefined) return action;
  const current = currentAnalysis(data.uri, host);
  // The document changed since the action was offered: its analysis (and the publishers) may not fit the text.
  if (!current || current.document.version !== data.version) return action;
  const candidates = recordCandidates(current.analysis, host.zeroTrust).filter((candidate) => data.dependency === null || candidate.index === data.dependency);
  const edits = recordEdits(current.document.text, candidates);
  if ('reason' in edits) return action;
  return { ...action, edit: workspaceEdit(data.uri, current.document.version, edits.edits, host.documentChangesSupport) };
}

export interface AcceptCommandHost {
  document(uri: string): OpenDocument | undefined;
  analysis(uri: string): DocumentAnalysis | undefined;
  zeroTrust: ZeroTrustServices;
  documentChangesSupport: boolean;
  /** `workspace/applyEdit`: true when the client applied it. */
  applyEdit(label: string, edit: WorkspaceEdit): Promise<boolean>;
  /** Analyse the open documents again (another one may pin the same project). */
  reanalyze(): void;
}

/**
 * `pypiProvenance.acceptPublisher`: accepts the publisher as `mode` says. Refused without a mode,
 * with malformed arguments, or when the current analysis does not offer exactly this acceptance
 * (the document changed, the publisher is not a verified one that differs, something flags the
 * release): the arguments only point at what the analysis found, they never vouch by themselves.
 */
export async function executeAcceptPublisher(args: unknown, host: AcceptCommandHost): Promise<AcceptPublisherResult> {
  const value = Array.isArray(args) ? args[0] : undefined;
  const mode = isObject(value) ? value.mode : undefined;
  if (mode !== 'replace' && mode !== 'keep-both') return { accepted: false, reason: 'no mode: say `replace` or `keep-both`' };
  const request = acceptArguments(value);
  if (!request) return { accepted: false, reason: 'malformed arguments' };
  const current = currentAnalysis(request.uri, host);
  if (!current) return { accepted: false, reason: 'the document is not analysed as it is now' };
  const { document, analysis } = current;
  if (request.target === 'lock' && document.version !== request.documentVersion) return { accepted: false, reason: 'the file changed since the action was offered' };
  const offered = acceptOffers(request.uri, document.version, analysis, request.dependency, host.zeroTrust).find(
    (offer) => offer.target === request.target && offer.project === request.project && offer.version === request.version && offer.index === request.index && samePublisher(offer.publisher, request.publisher),
  );
  if (!offered) return { accepted: false, reason: 'the analysis offers no such acceptance (nothing to accept, or the release is flagged)' };

  if (offered.target === 'trust-store') {
    await host.zeroTrust.trustPublisher(analysis.settings, { index: offered.index!, project: offered.project, version: offered.version, publisher: offered.publisher, mode });
    host.reanalyze();
    return { accepted: true, mode };
  }
  const dependency = analysis.parsed.dependencies[offered.dependency];
  const edits = acceptIdentityEdits(document.text, dependency, offered.publisher, mode);
  if (!edits.ok) return { accepted: false, reason: edits.reason };
  const label = `${acceptTitle(offered.labels, mode)}`;
  const applied = await host.applyEdit(label, workspaceEdit(request.uri, document.version, edits.edits as TextEdit[], host.documentChangesSupport));
  return applied ? { accepted: true, mode } : { accepted: false, reason: 'the editor did not apply the edit' };
}

function acceptArguments(value: unknown): (Omit<AcceptPublisherArguments, 'labels'> & { mode: AcceptMode }) | undefined {
  if (!isObject(value)) return undefined;
  const { target, uri, documentVersion, dependency, project, version, index, publisher, mode } = value;
  if (target !== 'lock' && target !== 'trust-store') return undefined;
  if (typeof uri !== 'string' || typeof project !== 'string' || typeof version !== 'string' || project === '') return undefined;
  if (typeof documentVersion !== 'number' || typeof dependency !== 'number' || !Number.isInteger(dependency) || dependency < 0) return undefined;
  if (target === 'trust-store' && (typeof index !== 'string' || index === '')) return undefined;
  if (index !== undefined && typeof index !== 'string') return undefined;
  if (!isObject(publisher) || typeof publisher.kind !== 'string' || publisher.kind === '') return undefined;
  // A publisher is flat JSON: strings (or null for an absent environment).
  if (!Object.values(publisher).every((field) => typeof field === 'string' || field === null)) return undefined;
  return { target, uri, documentVersion, dependency, project, version, ...(typeof index === 'string' ? { index } : {}), publisher: publisher as Publisher, mode: mode as AcceptMode };
}

/** pylock packages with verified publishers and no identities recorded in the lock. */
function recordCandidates(analysis: DocumentAnalysis, zeroTrust: ZeroTrustServices): Candidate[] {
  const candidates: Candidate[] = [];
  analysis.parsed.dependencies.forEach((dependency, index) => {
    const outcome = zeroTrust.results.dependency(analysis.parsed, index)?.outcome;
    if (!outcome || outcome.publishers.length === 0) return;
    // Recording vouches for the publisher: never for a release whose files or attestations are flagged.
    if (acceptBlocked(analysis, index, outcome.findings)) return;
    // Recording is for a package with none recorded: a publisher that differs from a recorded one is
    // an identity-mismatch, which a one-click record must not silence (issue 10 item 3).
    if ((dependency.attestationIdentities ?? []).length > 0) return;
    if (identitiesToRecord(outcome.publishers).length > 0) candidates.push({ dependency, index, publishers: outcome.publishers });
  });
  return candidates;
}

/** The action with its edit (or, for a client that resolves edits, the data to compute it later); undefined when there is nothing to offer. */
function withRecordEdit(action: CodeAction, data: RecordData, text: string, candidates: readonly Candidate[], host: ZeroTrustActionHost): CodeAction | undefined {
  if (candidates.length === 0) return undefined;
  if (host.resolveSupport) return { ...action, data };
  const edits = recordEdits(text, candidates);
  if ('reason' in edits) return host.disabledSupport ? { ...action, disabled: { reason: edits.reason } } : undefined;
  return { ...action, edit: workspaceEdit(data.uri, data.version, edits.edits, host.documentChangesSupport) };
}

function recordEdits(text: string, candidates: readonly Candidate[]): { edits: TextEdit[] } | { reason: string } {
  if (candidates.length === 1) {
    const result = recordIdentitiesEdit(text, candidates[0].dependency, candidates[0].publishers);
    return result.ok ? { edits: [result.edit] } : { reason: result.reason };
  }
  const { edits, skipped } = recordIdentitiesEdits(
    text,
    candidates.map((candidate) => ({ dependency: candidate.dependency, publishers: candidate.publishers })),
  );
  if (edits.length === 0) return { reason: skipped[0]?.reason ?? 'there is no verified publisher to record' };
  return { edits };
}

function recordData(value: unknown): RecordData | undefined {
  if (!isObject(value) || value.pypiProvenance !== 'record-identities') return undefined;
  const { uri, version, dependency } = value;
  if (typeof uri !== 'string' || typeof version !== 'number') return undefined;
  if (dependency !== null && !(typeof dependency === 'number' && Number.isInteger(dependency) && dependency >= 0)) return undefined;
  return { pypiProvenance: 'record-identities', uri, version, dependency };
}

/** `only` asks for `kind` when it names it or one of its parents (`source` ⊃ `source.recordAttestationIdentities`). */
function requested(only: readonly string[], kind: string): boolean {
  return only.some((k) => kind === k || kind.startsWith(`${k}.`));
}

function workspaceEdit(uri: string, version: number, edits: TextEdit[], documentChanges: boolean): WorkspaceEdit {
  return documentChanges ? { documentChanges: [TextDocumentEdit.create({ uri, version }, edits)] } : { changes: { [uri]: edits } };
}
