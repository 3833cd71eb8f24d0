/**
 * Accepting a change of a project's owners (`owners-changed`): without it the warning stays until
 * the memory is forgotten, and a warning nobody can settle gets turned off — with it every later
 * change. The action `Accept the new owners of X: added mallory (Owner)` runs the server command
 * `pypiProvenance.acceptOwners`, which makes the owners the index reports now the reference of the
 * owners memory (the first sighting's date is kept; `accepted` says when). Like accepting a
 * publisher it is refused for a release another finding flags (acceptGuards.ts) and applies only
 * what the current analysis still finds: the arguments point at a finding, they never vouch.
 */
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver/node';
import type { AcceptOwnersArguments, AcceptOwnersResult } from '../../../protocol/src/commands';
import type { ProjectOwnership } from '../index/ownershipApi';
import { shown } from '../zeroTrust/messages';
import { describeOwnershipChange } from '../zeroTrust/ownershipMemory';
import type { ZeroTrustServices } from '../zeroTrust/service';
import { acceptBlocked, currentAnalysis, isObject, relatedDiagnostics } from './acceptGuards';
import type { DocumentAnalysis, OpenDocument } from './documentAnalyses';

export const ACCEPT_OWNERS_COMMAND = 'pypiProvenance.acceptOwners';
const OWNERS_CODES: ReadonlySet<string> = new Set(['owners-changed']);

interface OwnersOffer {
  args: AcceptOwnersArguments;
  title: string;
}

function ownersOffer(uri: string, analysis: DocumentAnalysis, index: number, zeroTrust: ZeroTrustServices): OwnersOffer | undefined {
  const dependency = analysis.parsed.dependencies[index];
  const state = zeroTrust.results.dependency(analysis.parsed, index);
  const owners = state?.outcome?.ownership;
  if (!dependency || !state?.settled || !owners?.change || !owners.current || owners.index === undefined) return undefined;
  if (acceptBlocked(analysis, index, state.outcome?.findings ?? [])) return undefined;
  const current = copyOwnership(owners.current);
  return {
    args: { uri, dependency: index, project: dependency.name, index: owners.index, ownership: current },
    title: `Accept the new owners of ${shown(dependency.rawName || dependency.name)}: ${describeOwnershipChange(owners.change).join('; ')}`,
  };
}

/** The accept-owners action of one dependency, when its analysis found a change it may accept. */
export function acceptOwnersActions(uri: string, analysis: DocumentAnalysis, index: number, zeroTrust: ZeroTrustServices, diagnostics: readonly Diagnostic[] | undefined): CodeAction[] {
  const offer = ownersOffer(uri, analysis, index, zeroTrust);
  if (!offer) return [];
  const dependency = analysis.parsed.dependencies[index];
  return [{ title: offer.title, kind: CodeActionKind.QuickFix, diagnostics: relatedDiagnostics(diagnostics, dependency, OWNERS_CODES), command: { title: offer.title, command: ACCEPT_OWNERS_COMMAND, arguments: [offer.args] } }];
}

export interface AcceptOwnersHost {
  document(uri: string): OpenDocument | undefined;
  analysis(uri: string): DocumentAnalysis | undefined;
  zeroTrust: ZeroTrustServices;
  /** Analyse the open documents again (another one may pin the same project). */
  reanalyze(): void;
}

/** `pypiProvenance.acceptOwners`: refused unless the current analysis offers exactly this change. */
export async function executeAcceptOwners(args: unknown, host: AcceptOwnersHost): Promise<AcceptOwnersResult> {
  const request = ownersArguments(Array.isArray(args) ? args[0] : undefined);
  if (!request) return { accepted: false, reason: 'malformed arguments' };
  const current = currentAnalysis(request.uri, host);
  if (!current) return { accepted: false, reason: 'the document is not analysed as it is now' };
  const offered = ownersOffer(request.uri, current.analysis, request.dependency, host.zeroTrust);
  if (!offered || offered.args.project !== request.project || offered.args.index !== request.index || !sameOwnership(offered.args.ownership, request.ownership)) {
    return { accepted: false, reason: 'the analysis offers no such acceptance (the owners did not change, changed again, or the release is flagged)' };
  }
  await host.zeroTrust.acceptOwners(current.analysis.settings, { index: offered.args.index, project: offered.args.project, ownership: offered.args.ownership });
  host.reanalyze();
  return { accepted: true };
}

function ownersArguments(value: unknown): AcceptOwnersArguments | undefined {
  if (!isObject(value)) return undefined;
  const { uri, dependency, project, index, ownership } = value;
  if (typeof uri !== 'string' || typeof project !== 'string' || project === '' || typeof index !== 'string' || index === '') return undefined;
  if (typeof dependency !== 'number' || !Number.isInteger(dependency) || dependency < 0) return undefined;
  if (!isObject(ownership) || !Array.isArray(ownership.roles)) return undefined;
  if (ownership.organization !== null && typeof ownership.organization !== 'string') return undefined;
  if (!ownership.roles.every((role) => isObject(role) && typeof role.role === 'string' && typeof role.user === 'string')) return undefined;
  return { uri, dependency, project, index, ownership: copyOwnership(ownership as unknown as ProjectOwnership) };
}

function copyOwnership(ownership: ProjectOwnership): ProjectOwnership {
  return { roles: ownership.roles.map((role) => ({ role: role.role, user: role.user })), organization: ownership.organization };
}

function sameOwnership(a: ProjectOwnership, b: ProjectOwnership): boolean {
  return a.organization === b.organization && a.roles.length === b.roles.length && a.roles.every((role, i) => role.role === b.roles[i].role && role.user === b.roles[i].user);
}
