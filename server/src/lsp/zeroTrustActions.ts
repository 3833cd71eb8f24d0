/**
 * The zero-trust code actions (issue 6):
 * - `Record attestation identities` on a pylock.toml package whose locked files verified: writes
 *   their verified publishers as `[[packages.attestation-identities]]` (zeroTrust/recordIdentities.ts),
 *   changing nothing else in the file; and the variant for every such package of the file, beside
 *   it as a quickfix and as the source action `source.recordAttestationIdentities`. The edit is
 *   computed in `codeAction/resolve` when the client can resolve it (on a large lock it takes a
 *   while), inline otherwise.
 * - `Trust the new publisher` on a requirements.txt/pyproject.toml dependency whose verified
 *   publisher differs from the one trusted before: runs the server command
 *   `pypiProvenance.trustPublisher`, which replaces the trusted publisher in the trust store and
 *   analyses the open documents again.
 * Both read what the zero-trust stage learned about the document's current analysis; a document
 * whose text moved on since gets no action until it is analysed again.
 */
import { CodeActionKind, TextDocumentEdit, type CodeAction, type CodeActionParams, type Diagnostic, type Range, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { Dependency } from '../core/model';
import type { Publisher } from '../core/result';
import { identitiesToRecord, recordIdentitiesEdit, recordIdentitiesEdits } from '../zeroTrust/recordIdentities';
import { describePublisher } from '../zeroTrust/messages';
import type { ZeroTrustServices } from '../zeroTrust/service';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { DocumentAnalysis, OpenDocument } from './documentAnalyses';
import type { Settings } from '../pipeline/contract/settings';

export const RECORD_IDENTITIES_TITLE = 'Record attestation identities';
export const RECORD_ALL_IDENTITIES_TITLE = 'Record attestation identities of every package';
export const TRUST_PUBLISHER_TITLE = 'Trust the new publisher';
export const TRUST_PUBLISHER_COMMAND = 'pypiProvenance.trustPublisher';
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
}

/** What a record action carries to codeAction/resolve. */
interface RecordData {
  pypiProvenance: 'record-identities';
  uri: string;
  version: number;
  /** The package's index in the parsed document; null: every package. */
  dependency: number | null;
}

/** The arguments of `pypiProvenance.trustPublisher`. */
export interface TrustPublisherArguments {
  uri: string;
  /** The index as the trust store keys it (no credentials). */
  index: string;
  project: string;
  version: string;
  publisher: Publisher;
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
  const related = (dependency: Dependency) => (params.context?.diagnostics ?? []).filter((d) => isRelated(d, dependency));
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
    return actions;
  }

  if (!wantQuickFix) return [];
  analysis.parsed.dependencies.forEach((dependency, index) => {
    if (!onLines(dependency.ranges.requirement, params.range)) return;
    const trust = host.zeroTrust.results.dependency(analysis.parsed, index)?.outcome?.trust;
    if (!trust) return;
    for (const { publisher } of trust.mismatches) {
      const title = trust.mismatches.length > 1 ? `${TRUST_PUBLISHER_TITLE} ${describePublisher(publisher, 'workflow')}` : TRUST_PUBLISHER_TITLE;
      const args: TrustPublisherArguments = { uri, index: trust.index, project: trust.project, version: trust.version, publisher };
      actions.push({ title, kind: CodeActionKind.QuickFix, diagnostics: related(dependency), command: { title, command: TRUST_PUBLISHER_COMMAND, arguments: [args] } });
    }
  });
  return actions;
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

export interface TrustCommandHost {
  settings(): Promise<Readonly<Settings>>;
  zeroTrust: ZeroTrustServices;
  /** Analyse the open documents again (another one may pin the same project). */
  reanalyze(): void;
}

/** `pypiProvenance.trustPublisher`: true when the publisher is now the trusted one. Bad arguments are refused (false). */
export async function executeTrustPublisher(args: unknown, host: TrustCommandHost): Promise<boolean> {
  const request = trustArguments(Array.isArray(args) ? args[0] : undefined);
  if (!request) return false;
  await host.zeroTrust.trustPublisher(await host.settings(), request);
  host.reanalyze();
  return true;
}

function trustArguments(value: unknown): TrustPublisherArguments | undefined {
  if (!isObject(value)) return undefined;
  const { uri, index, project, version, publisher } = value;
  if (typeof uri !== 'string' || typeof index !== 'string' || typeof project !== 'string' || typeof version !== 'string') return undefined;
  if (index === '' || project === '' || version === '' || !isObject(publisher) || typeof publisher.kind !== 'string' || publisher.kind === '') return undefined;
  // A publisher is flat JSON: strings (or null for an absent environment).
  if (!Object.values(publisher).every((field) => typeof field === 'string' || field === null)) return undefined;
  return { uri, index, project, version, publisher: publisher as Publisher };
}

function currentAnalysis(uri: string, host: ZeroTrustActionHost): { document: OpenDocument; analysis: DocumentAnalysis } | undefined {
  const document = host.document(uri);
  const analysis = host.analysis(uri);
  if (!document || !analysis || analysis.version !== document.version || analysis.text !== document.text) return undefined;
  return { document, analysis };
}

/** pylock packages with verified publishers and no identities recorded in the lock. */
function recordCandidates(analysis: DocumentAnalysis, zeroTrust: ZeroTrustServices): Candidate[] {
  const candidates: Candidate[] = [];
  analysis.parsed.dependencies.forEach((dependency, index) => {
    const outcome = zeroTrust.results.dependency(analysis.parsed, index)?.outcome;
    if (!outcome || outcome.publishers.length === 0) return;
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

function onLines(requirement: Range, range: Range | undefined): boolean {
  if (!range?.start || !range.end) return false;
  return requirement.start.line <= range.end.line && requirement.end.line >= range.start.line;
}

/** The lines of a pylock package as far as the parse knows them: its name, its locked files, its identities. */
function packageSpan(dependency: Dependency): Range {
  const ranges = [dependency.ranges.requirement, ...(dependency.files ?? []).map((file) => file.range), ...(dependency.attestationIdentities ?? []).map((identity) => identity.range)];
  return {
    start: { line: Math.min(...ranges.map((range) => range.start.line)), character: 0 },
    end: { line: Math.max(...ranges.map((range) => range.end.line)), character: 0 },
  };
}

function isRelated(diagnostic: Diagnostic, dependency: Dependency): boolean {
  if (diagnostic?.source !== DIAGNOSTIC_SOURCE || !RELATED_CODES.has(String(diagnostic.code))) return false;
  const r = dependency.ranges.requirement;
  const d = diagnostic.range;
  const before = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character < b.character);
  return !before(d.end, r.start) && !before(r.end, d.start);
}

function workspaceEdit(uri: string, version: number, edits: TextEdit[], documentChanges: boolean): WorkspaceEdit {
  return documentChanges ? { documentChanges: [TextDocumentEdit.create({ uri, version }, edits)] } : { changes: { [uri]: edits } };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
