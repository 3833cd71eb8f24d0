/**
 * The "Add hash pins" code actions (CONTRACT §7) on requirements files: for a `==`-pinned line
 * without `--hash`, a `quickfix` adding one `--hash=sha256:…` per file the index lists for that
 * version, as pip-compile writes them (index/hashPins.ts makes the text); and "Add hash pins to
 * every pinned requirement", offered both as a `quickfix` beside the single fix and as
 * `source.fixAll.pypiProvenance` (what `source.fixAll` requests and fix-all-on-save ask for).
 *
 * The files come from the shared resolution service: what the resolution stage already knows,
 * else resolved on demand and awaited for a bounded time (the request is asynchronous; the
 * message loop is never held). Pinning records trust in a file, so neither fix is offered for a
 * release the index could not answer for, whose verification has not finished in time, or that a
 * finding flags (index/hashPinBlockers.ts); the file-wide fix names in its title what it skips.
 * On a file with no hash yet, one line's hashes turn on pip's hash-checking for every line: the
 * file-wide fix comes first and is preferred, and the line's fix says so in its title.
 */
import { CodeActionKind, TextDocumentEdit, type CodeAction, type CodeActionParams, type Diagnostic, type Range, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver/node';
import type { Dependency, ParsedDocument } from '../core/model';
import { computeHashPinEdit, computeHashPinEdits, hashPinsApplicable, type HashedFile } from '../index/hashPins';
import { hashPinBlocker } from '../index/hashPinBlockers';
import type { Resolution } from '../index/resolve';
import { parseDocument } from '../parsers/index';
import type { ResolutionRequest, ResolutionService } from '../resolution/resolutionService';
import type { ResolutionServices } from '../resolution/resolutionServices';
import { DIAGNOSTIC_SOURCE } from './diagnostics';
import type { DocumentAnalysis, OpenDocument } from './documentAnalyses';
import type { Settings } from '../pipeline/contract/settings';

export const ADD_HASH_PINS_TITLE = 'Add hash pins';
export const ADD_ALL_HASH_PINS_TITLE = 'Add hash pins to every pinned requirement';
/** The one-line fix on a file with no hashes yet: pip then checks hashes for every line (CONTRACT §7). */
export const ADD_HASH_PINS_FIRST_TITLE = 'Add hash pins (turns on hash-checking for the file)';
export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.pypiProvenance`;
/** Diagnostics the fix resolves. */
const FIXED_CODES: ReadonlySet<string> = new Set(['missing-hashes']);

export interface CodeActionHost {
  document(uri: string): OpenDocument | undefined;
  analysis(uri: string): DocumentAnalysis | undefined;
  /** The document's analysis once every stage has settled (undefined if it closes first). */
  settled(uri: string): Promise<DocumentAnalysis | undefined>;
  /** The settings analyses run with (waits for the client's first answer, as analyses do). */
  settings(): Promise<Readonly<Settings>>;
  resolution: ResolutionServices;
  env: Readonly<Record<string, string | undefined>>;
  /** From the client's capabilities. */
  disabledSupport: boolean;
  documentChangesSupport: boolean;
  /** How long to wait for the index: for the line's fix, and for the fix-all (ms). */
  waitMs?: { single: number; all: number };
}

export const DEFAULT_WAIT_MS = { single: 2_000, all: 5_000 } as const;

/** What the server registers: the kinds it answers. */
export const CODE_ACTION_KINDS = [CodeActionKind.QuickFix, FIX_ALL_KIND];

type Files = { files: readonly HashedFile[] } | { reason: string };

export async function hashPinCodeActions(params: CodeActionParams, host: CodeActionHost, cancelled: () => boolean = () => false): Promise<CodeAction[]> {
  const uri = params.textDocument.uri;
  const document = host.document(uri);
  if (!document || document.format !== 'requirements') return [];
  const only = params.context?.only;
  const wantQuickFix = only === undefined || requested(only, CodeActionKind.QuickFix);
  // Source actions only when asked for by kind: they are not about the cursor's line.
  const wantFixAll = only !== undefined && requested(only, FIX_ALL_KIND);
  if (!wantQuickFix && !wantFixAll) return [];

  const waits = host.waitMs ?? DEFAULT_WAIT_MS;
  const isCurrent = (a: DocumentAnalysis | undefined): a is DocumentAnalysis => a !== undefined && a.version === document.version && a.text === document.text;
  let analysis = host.analysis(uri);
  // What verification says decides whether hashes may be pinned: wait for it, as for the index.
  if (!isCurrent(analysis) || analysis.pending.size > 0) analysis = (await withTimeout(host.settled(uri), wantFixAll ? waits.all : waits.single)) ?? host.analysis(uri);
  if (cancelled()) return [];
  const known = isCurrent(analysis) ? analysis : undefined;
  const settings = known ? known.settings : await host.settings();
  const parsed: ParsedDocument = known ? known.parsed : parseDocument(document.format, document.text, { env: host.env, workspaceTrusted: settings.workspaceTrusted });
  const service = host.resolution.forSettings(settings);

  const applicable = parsed.dependencies.map((dependency, index) => ({ dependency, index })).filter(({ dependency }) => hashPinsApplicable(dependency).ok);
  if (applicable.length === 0) return [];
  // Pinning records trust: never for a release the analysis of this text flagged or has not finished (CONTRACT §7).
  const blockers = new Map<number, string>();
  for (const { dependency, index } of applicable) {
    const findings = known ? [...known.findingsByStage.values()].flat().filter((f) => f.dependency === index) : [];
    const blocker = hashPinBlocker(findings, !known || known.pending.size > 0);
    if (blocker !== undefined) blockers.set(index, `${dependency.name}: ${blocker}`);
  }
  // With no hash in the file yet, one line's hashes turn on pip's hash-checking for every line.
  const firstHashes = parsed.dependencies.every((d) => d.hashes.length === 0);
  const request = (dependency: Dependency, index: number): ResolutionRequest => ({ dependency, dependencyIndex: index, documentOptions: parsed.options, settings });

  const here = wantQuickFix ? applicable.filter(({ dependency, index }) => !blockers.has(index) && onLines(dependency.ranges.requirement, params.range)) : [];
  // The fix-all beside the line's fix only when there is more than that line to fix.
  const fixAllAsQuickFix = here.length > 0 && applicable.length > here.length;
  const needed = (fixAllAsQuickFix || wantFixAll ? applicable : here).filter(({ index }) => !blockers.has(index));
  if (needed.length === 0) return [];
  // Every lookup at once, against one deadline: the request waits at most that long in all.
  const until = Date.now() + (wantFixAll ? waits.all : waits.single);
  const lookups = new Map(needed.map(({ dependency, index }) => [index, filesOf(service, request(dependency, index), until)] as const));
  const fixed = (dependency: Dependency) => (params.context?.diagnostics ?? []).filter((d) => isFixedBy(d, dependency));

  const actions: CodeAction[] = [];
  let lineEdits = 0;
  for (const { dependency, index } of here) {
    const found = await lookups.get(index)!;
    if (cancelled()) return [];
    const computed = 'reason' in found ? found : computeHashPinEdit(document.text, dependency, found.files);
    if ('reason' in computed) continue;
    lineEdits++;
    actions.push({
      title: firstHashes ? ADD_HASH_PINS_FIRST_TITLE : ADD_HASH_PINS_TITLE,
      kind: CodeActionKind.QuickFix,
      diagnostics: fixed(dependency),
      isPreferred: !firstHashes,
      edit: workspaceEdit(uri, document.version, [computed.edit], host.documentChangesSupport),
    });
  }

  if (fixAllAsQuickFix || wantFixAll) {
    const skipped = new Map(blockers);
    const entries = await Promise.all(
      applicable.map(async ({ dependency, index }) => {
        const found = blockers.has(index) ? undefined : await lookups.get(index)!;
        if (found !== undefined && 'reason' in found) skipped.set(index, `${dependency.name}: the index did not answer`);
        return { dependency, files: found !== undefined && 'files' in found ? found.files : undefined };
      }),
    );
    if (cancelled()) return [];
    const { edits } = computeHashPinEdits(document.text, entries);
    if (edits.length > 0) {
      const edit = workspaceEdit(uri, document.version, edits, host.documentChangesSupport);
      const title = skipped.size === 0 ? ADD_ALL_HASH_PINS_TITLE : `${ADD_ALL_HASH_PINS_TITLE} (skips ${[...skipped.values()].join('; ')})`;
      // Beside the line's fix, the fix-all only when it does more than that fix; first when the line's fix would turn on hash-checking for the file.
      if (fixAllAsQuickFix && edits.length > lineEdits) {
        const all: CodeAction = { title, kind: CodeActionKind.QuickFix, diagnostics: here.flatMap(({ dependency }) => fixed(dependency)), edit, ...(firstHashes ? { isPreferred: true } : {}) };
        if (firstHashes) actions.unshift(all);
        else actions.push(all);
      }
      if (wantFixAll) actions.push({ title, kind: FIX_ALL_KIND, edit });
    }
  }
  return actions;
}

/** `only` asks for `kind` when it names it or one of its parents (`source.fixAll` ⊃ `source.fixAll.pypiProvenance`). */
function requested(only: readonly string[], kind: string): boolean {
  return only.some((k) => kind === k || kind.startsWith(`${k}.`));
}

function onLines(requirement: Range, range: Range): boolean {
  return requirement.start.line <= range.end.line && requirement.end.line >= range.start.line;
}

function isFixedBy(diagnostic: Diagnostic, dependency: Dependency): boolean {
  if (diagnostic.source !== DIAGNOSTIC_SOURCE || !FIXED_CODES.has(String(diagnostic.code))) return false;
  const r = dependency.ranges.requirement;
  const d = diagnostic.range;
  const before = (a: { line: number; character: number }, b: { line: number; character: number }) => a.line < b.line || (a.line === b.line && a.character < b.character);
  return !before(d.end, r.start) && !before(r.end, d.start);
}

async function filesOf(service: ResolutionService, request: ResolutionRequest, until: number): Promise<Files> {
  const known = service.peek(request);
  if (known) return filesOfResolution(known);
  const resolution = await withTimeout(service.resolve(request), Math.max(0, until - Date.now()));
  if (!resolution) return { reason: 'the index has not answered yet; try again in a moment' };
  return filesOfResolution(resolution);
}

function filesOfResolution(resolution: Resolution): Files {
  if (resolution.status === 'resolved') return { files: resolution.files };
  const why = resolution.findings[0]?.message;
  return { reason: why !== undefined ? `the files are not known: ${why}` : 'the files of this version are not known' };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    );
  });
}

function workspaceEdit(uri: string, version: number, edits: TextEdit[], documentChanges: boolean): WorkspaceEdit {
  return documentChanges ? { documentChanges: [TextDocumentEdit.create({ uri, version }, edits)] } : { changes: { [uri]: edits } };
}
