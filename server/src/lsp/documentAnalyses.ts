/**
 * Per-document analysis state and its schedule: parse, run the FindingStages (see stages.ts),
 * publish. Open publishes at once; edits are debounced per URI; results of an old version or
 * old settings are dropped. Knows nothing of the connection: the host publishes.
 */
import type { Diagnostic } from 'vscode-languageserver';
import type { Finding } from '../core/finding';
import { emptyOptions, type DocumentFormat, type ParsedDocument } from '../core/model';
import { parseDocument } from '../parsers/index';
import { locksBeside, withLockedVersions, type OpenText } from '../pipeline/lockStep';
import { defaultParseWorkerScript, OFF_THREAD_LENGTH, ParseWorkers, parsesOffThread } from '../parsers/offThread';
import { toDiagnostics } from './diagnostics';
import { errorText, type Logger } from './guard';
import type { Settings } from '../pipeline/contract/settings';
import type { FindingStage, StageInput } from '../pipeline/contract/stages';

export const DEFAULT_DEBOUNCE_MS = 200;
/**
 * A document analysed again at the same version (the settings changed) keeps its published
 * diagnostics until the new analysis has something to say, or this long: no flicker.
 */
export const REANALYSIS_HOLD_MS = 1500;
/**
 * A document with this many dependencies (or over OFF_THREAD_LENGTH) publishes its local findings
 * before the index stages set up: their set-up for a 2,000-line file costs more than its parse.
 */
export const LOCAL_FIRST_DEPENDENCIES = 200;
/**
 * A large document's progressive publishes are spaced by its size: each one rebuilds and sends
 * every diagnostic (up to MAX_PUBLISHED_DIAGNOSTICS, a few MB of JSON), so publishing every
 * stage update of a 20,000-pin file spent the server's time and memory on publishes no one
 * can read. Below this many findings a document publishes on every update, as before.
 */
export const THROTTLE_FROM_FINDINGS = 1000;
/** Spacing per finding for a large document: 5,000 findings → one publish a second. */
export const PUBLISH_SPACING_PER_FINDING_MS = 0.2;
/** The longest spacing, however large the document: progress still shows this often. */
export const MAX_PUBLISH_SPACING_MS = 3000;

/**
 * A large document under way publishes again once its findings grew (or shrank) by this share of
 * its dependencies — or, if they barely changed, after MAX_QUIET_MS: so its publishes are a few
 * dozen however long its index takes, not one per spacing.
 */
export const PUBLISH_CHANGE_SHARE = 0.05;
export const MAX_QUIET_MS = 10_000;

/** How long a document of `findings` findings (or dependencies) waits between progressive publishes. */
export function publishSpacingMs(findings: number): number {
  if (findings < THROTTLE_FROM_FINDINGS) return 0;
  return Math.min(MAX_PUBLISH_SPACING_MS, findings * PUBLISH_SPACING_PER_FINDING_MS);
}

export interface OpenDocument {
  version: number;
  text: string;
  format: DocumentFormat;
}

export interface AnalysisHost {
  /** The document as it is now, or undefined once it is closed. */
  document(uri: string): OpenDocument | undefined;
  /** The settings to analyze this document with (a folder's own settings in a multi-root workspace); waits for the first read from the client. */
  settings(uri: string): Promise<Readonly<Settings>>;
  /**
   * Send the diagnostics; a promise, if any, settles once they are written out. Until then no
   * other publish of the document is sent: a newer state waits and replaces any older one waiting.
   */
  publish(uri: string, version: number, diagnostics: Diagnostic[]): void | Promise<unknown>;
  logger: Logger;
  /** For `${VAR}` expansion in requirements files. */
  env: Readonly<Record<string, string | undefined>>;
  /** The text of an open document by file system path (a lock being edited beside a pyproject.toml). */
  openText?: OpenText;
  /** Told when an analysis of a document starts (the log names the document and its index). */
  analysing?(analysis: DocumentAnalysis): void;
}

/** One version of one document under one set of settings, and what the stages found in it. */
export interface DocumentAnalysis {
  readonly uri: string;
  readonly version: number;
  readonly format: DocumentFormat;
  readonly text: string;
  readonly parsed: ParsedDocument;
  readonly settings: Readonly<Settings>;
  /** Findings by stage name, in stage order. */
  readonly findingsByStage: ReadonlyMap<string, readonly Finding[]>;
  /** Names of the asynchronous stages that have not settled. */
  readonly pending: ReadonlySet<string>;
}

interface Analysis extends DocumentAnalysis {
  readonly findingsByStage: Map<string, readonly Finding[]>;
  readonly pending: Set<string>;
  readonly controller: AbortController;
  published?: boolean;
}

interface Entry {
  current?: Analysis;
  debounce?: NodeJS.Timeout;
  /** Analyses started but still waiting for settings. */
  starting: number;
  /** The version the last open/change asked for, so the change event that follows an open is not a second analysis. */
  requested?: number;
  /** A publish is due (on the next turn, after the spacing, or once the one in flight is written). */
  publishQueued: boolean;
  /** The analysis the queued publish is for: dropped if another replaced it meanwhile (that one publishes itself). */
  queuedFor?: Analysis;
  /** The host is still writing the last publish. */
  publishInFlight: boolean;
  /** When the last publish was sent (performance.now()), for the spacing of large documents. */
  lastPublishAt: number;
  /** Findings in the last publish, which sets the spacing. */
  lastPublishFindings: number;
  /** The timer of a spaced publish, re-planned when the state changes (the last stage settling publishes at once). */
  publishTimer?: NodeJS.Timeout;
  omittedLogged: number;
  waiters: Array<(analysis: DocumentAnalysis | undefined) => void>;
}

export function allFindings(analysis: DocumentAnalysis): Finding[] {
  return [...analysis.findingsByStage.values()].flat();
}

export class DocumentAnalyses {
  private readonly entries = new Map<string, Entry>();
  /** The parse worker script; undefined when not built, and then large documents are parsed inline. */
  private readonly parseWorker = defaultParseWorkerScript();
  /** A parse worker waits, modules loaded, for large documents: soon after the server starts, and after each. */
  private readonly parseWorkers = new ParseWorkers(this.parseWorker);

  constructor(
    private readonly host: AnalysisHost,
    private readonly stages: readonly FindingStage[],
    private readonly debounceMs = DEFAULT_DEBOUNCE_MS,
  ) {
    this.parseWorkers.prepareSoon();
  }

  /** A dependency file opened: analyze and publish without waiting. */
  open(uri: string): void {
    const reopened = this.entries.has(uri);
    if (!reopened) this.entries.set(uri, { starting: 0, publishQueued: false, publishInFlight: false, lastPublishAt: 0, lastPublishFindings: 0, omittedLogged: 0, waiters: [] });
    // An open of an open document may bring other text under the same version number.
    this.analyzeSoon(uri, 0, reopened);
  }

  /** The text changed: analyze once the edits pause. */
  changed(uri: string): void {
    const entry = this.entries.get(uri);
    if (!entry) return this.open(uri);
    const version = this.host.document(uri)?.version;
    if (version !== undefined && version === entry.requested) return;
    this.analyzeSoon(uri, this.debounceMs);
  }

  closed(uri: string): void {
    const entry = this.entries.get(uri);
    if (!entry) return;
    this.entries.delete(uri);
    if (entry.debounce) clearTimeout(entry.debounce);
    if (entry.publishTimer) clearTimeout(entry.publishTimer);
    entry.current?.controller.abort();
    for (const resolve of entry.waiters.splice(0)) resolve(undefined);
  }

  /**
   * Every open document again, at once: after a settings change, or when something outside the
   * text changed (an included file appeared) — then pass `force`, as version and settings are the same.
   */
  reanalyzeAll(force = false): void {
    for (const uri of this.entries.keys()) this.analyzeSoon(uri, 0, force);
  }

  /** One document again, at once, even at the same version (something it depends on changed). */
  refresh(uri: string): void {
    this.analyzeSoon(uri, 0, true);
  }

  get(uri: string): DocumentAnalysis | undefined {
    return this.entries.get(uri)?.current;
  }

  uris(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * The analysis of the document's current version once no stage of it is pending
   * (what `pypiProvenance/report` with `wait: true` answers from); undefined if it closes first.
   */
  settled(uri: string): Promise<DocumentAnalysis | undefined> {
    const entry = this.entries.get(uri);
    if (!entry) return Promise.resolve(undefined);
    if (this.isSettled(uri, entry)) return Promise.resolve(entry.current);
    return new Promise((resolve) => entry.waiters.push(resolve));
  }

  dispose(): void {
    this.parseWorkers.dispose();
    for (const uri of [...this.entries.keys()]) this.closed(uri);
  }

  private analyzeSoon(uri: string, delayMs: number, force = false): void {
    const entry = this.entries.get(uri);
    if (!entry) return;
    if (entry.debounce) clearTimeout(entry.debounce);
    entry.debounce = undefined;
    entry.requested = this.host.document(uri)?.version;
    const run = () => {
      entry.debounce = undefined;
      this.analyze(uri, entry, force).catch((error) => this.host.logger.error(`Analysis of ${uri} failed: ${errorText(error)}`));
    };
    if (delayMs <= 0) run();
    else entry.debounce = setTimeout(run, delayMs);
  }

  private async analyze(uri: string, entry: Entry, force: boolean): Promise<void> {
    entry.starting++;
    let settings: Readonly<Settings>;
    try {
      settings = await this.host.settings(uri);
    } finally {
      entry.starting--;
    }
    const document = this.host.document(uri);
    if (this.entries.get(uri) !== entry || !document) return;
    // Another analyze that was waiting for the same settings already did this version.
    if (!force && entry.current && entry.current.version === document.version && entry.current.settings === settings) {
      this.notifyIfSettled(uri, entry);
      return;
    }

    let parsed: ParsedDocument;
    if (parsesOffThread(document.text, this.parseWorker)) {
      entry.starting++;
      try {
        parsed = await this.parseWorkers.parse(document.format, document.text, { env: this.host.env, workspaceTrusted: settings.workspaceTrusted });
      } finally {
        entry.starting--;
      }
      // While the worker parsed, the document may have changed or closed: a later analyze owns it.
      if (this.entries.get(uri) !== entry || this.host.document(uri)?.version !== document.version) return;
    } else {
      parsed = this.parse(uri, document, settings);
    }
    if (locksBeside(parsed, uri).length > 0) {
      entry.starting++;
      try {
        parsed = await withLockedVersions(parsed, uri, this.host.openText);
      } finally {
        entry.starting--;
      }
      if (this.entries.get(uri) !== entry || this.host.document(uri)?.version !== document.version) return;
    }

    const replacing = entry.current !== undefined && entry.current.version === document.version;
    entry.current?.controller.abort();
    const analysis: Analysis = {
      uri,
      version: document.version,
      format: document.format,
      text: document.text,
      parsed,
      settings,
      findingsByStage: new Map(),
      pending: new Set(),
      controller: new AbortController(),
    };
    entry.current = analysis;
    try {
      this.host.analysing?.(analysis);
    } catch (error) {
      this.host.logger.error(`Logging the analysis of ${uri} failed: ${errorText(error)}`);
    }
    // A large document publishes its local findings first: the index stages' set-up for its
    // hundreds or thousands of dependencies would hold them back by tens to hundreds of milliseconds.
    const leadingLocal = this.stages.findIndex((stage) => stage.local !== true);
    const large = document.text.length > OFF_THREAD_LENGTH || parsed.dependencies.length >= LOCAL_FIRST_DEPENDENCIES;
    if (!replacing && leadingLocal > 0 && large) {
      for (const stage of this.stages.slice(0, leadingLocal)) this.runStage(uri, entry, analysis, stage);
      this.publish(uri, entry, analysis);
      this.runLater(uri, entry, analysis, this.stages.slice(leadingLocal));
      return;
    }
    for (const stage of this.stages) this.runStage(uri, entry, analysis, stage);
    if (replacing && analysis.pending.size > 0) {
      // The first update or settle of a stage publishes (queuePublish); until then the old diagnostics stay.
      setTimeout(() => {
        if (this.entries.get(uri) === entry && entry.current === analysis && !analysis.published) this.queuePublish(uri, entry, analysis);
      }, REANALYSIS_HOLD_MS).unref?.();
    } else if (entry.publishInFlight || entry.publishQueued) {
      this.queuePublish(uri, entry, analysis);
    } else {
      this.publish(uri, entry, analysis);
    }
    this.notifyIfSettled(uri, entry);
  }

  /** Runs `stages` once the first publish is on its way (a timer lets the connection write it). */
  private runLater(uri: string, entry: Entry, analysis: Analysis, stages: readonly FindingStage[]): void {
    // Counted as starting, so `settled` does not answer before these stages have begun.
    entry.starting++;
    setTimeout(() => {
      entry.starting--;
      if (this.entries.get(uri) === entry && entry.current === analysis && !analysis.controller.signal.aborted) {
        for (const stage of stages) this.runStage(uri, entry, analysis, stage);
        // What stages answered synchronously goes out at once; the pending ones publish as they settle.
        if (stages.some((stage) => (analysis.findingsByStage.get(stage.name)?.length ?? 0) > 0)) this.queuePublish(uri, entry, analysis);
      }
      this.notifyIfSettled(uri, entry);
    }, 0);
  }

  private parse(uri: string, document: OpenDocument, settings: Readonly<Settings>): ParsedDocument {
    try {
      return parseDocument(document.format, document.text, { env: this.host.env, workspaceTrusted: settings.workspaceTrusted });
    } catch (error) {
      // Parsers promise never to throw; if one does, the user still gets a clear diagnostic.
      this.host.logger.error(`Parsing ${uri} failed: ${errorText(error)}`);
      const start = { line: 0, character: 0 };
      return {
        format: document.format,
        dependencies: [],
        problems: [{ code: 'syntax', message: 'This file could not be parsed (internal error; the language server log has details)', range: { start, end: start } }],
        options: emptyOptions(),
        includes: [],
      };
    }
  }

  private runStage(uri: string, entry: Entry, analysis: Analysis, stage: FindingStage): void {
    const live = () => this.entries.get(uri) === entry && entry.current === analysis && !analysis.controller.signal.aborted;
    const input: StageInput = {
      uri,
      version: analysis.version,
      format: analysis.format,
      text: analysis.text,
      parsed: analysis.parsed,
      settings: analysis.settings,
      signal: analysis.controller.signal,
      update: (findings) => {
        if (!live()) return;
        analysis.findingsByStage.set(stage.name, findings);
        this.queuePublish(uri, entry, analysis);
      },
    };
    let result: Finding[] | Promise<Finding[]>;
    try {
      result = stage.run(input);
    } catch (error) {
      this.host.logger.error(`Stage '${stage.name}' failed on ${uri}: ${errorText(error)}`);
      return;
    }
    if (Array.isArray(result)) {
      analysis.findingsByStage.set(stage.name, result);
      return;
    }
    analysis.pending.add(stage.name);
    Promise.resolve(result).then(
      (findings) => {
        if (!live()) return;
        if (Array.isArray(findings)) analysis.findingsByStage.set(stage.name, findings);
        else this.host.logger.error(`Stage '${stage.name}' answered no list of findings on ${uri}`);
        this.stageSettled(uri, entry, analysis, stage.name);
      },
      (error) => {
        if (!live()) return; // An aborted stage's rejection is expected, not news.
        this.host.logger.error(`Stage '${stage.name}' failed on ${uri}: ${errorText(error)}`);
        this.stageSettled(uri, entry, analysis, stage.name);
      },
    );
  }

  private stageSettled(uri: string, entry: Entry, analysis: Analysis, stage: string): void {
    analysis.pending.delete(stage);
    this.queuePublish(uri, entry, analysis);
  }

  /**
   * Stages settling together (or updating in a burst) make one publish. At most one publish of a
   * document is queued and one in flight; the queued one is built when it goes out, so it is
   * always the newest state. A large document's progressive publishes are spaced
   * (publishSpacingMs); the one that completes the analysis goes out as soon as the last is written.
   */
  private queuePublish(uri: string, entry: Entry, analysis: Analysis): void {
    entry.queuedFor = analysis;
    if (entry.publishQueued) {
      if (entry.publishTimer === undefined) return;
      clearTimeout(entry.publishTimer);
      entry.publishTimer = undefined;
      return this.schedulePublish(uri, entry);
    }
    entry.publishQueued = true;
    if (!entry.publishInFlight) this.schedulePublish(uri, entry);
  }

  private schedulePublish(uri: string, entry: Entry): void {
    const current = entry.current;
    // Sized by the document, not only by what it shows so far: the findings of a large document
    // arrive a few at a time, and each publish still rebuilds them all.
    const size = current ? Math.max(entry.lastPublishFindings, current.parsed.dependencies.length) : 0;
    const spacing = !current || current.pending.size === 0 ? 0 : publishSpacingMs(size);
    let wait = entry.lastPublishAt + spacing - performance.now();
    if (spacing > 0 && current) {
      let findings = 0;
      for (const list of current.findingsByStage.values()) findings += list.length;
      if (Math.abs(findings - entry.lastPublishFindings) < size * PUBLISH_CHANGE_SHARE) wait = Math.max(wait, entry.lastPublishAt + MAX_QUIET_MS - performance.now());
    }
    const send = () => {
      entry.publishTimer = undefined;
      if (this.entries.get(uri) !== entry || !entry.publishQueued || entry.publishInFlight) return;
      entry.publishQueued = false;
      const analysis = entry.current;
      if (!analysis || analysis !== entry.queuedFor) return this.notifyIfSettled(uri, entry);
      try {
        this.publish(uri, entry, analysis);
      } catch (error) {
        this.host.logger.error(`Publishing diagnostics for ${uri} failed: ${errorText(error)}`);
      }
      this.notifyIfSettled(uri, entry);
    };
    if (spacing <= 0 || wait <= 0) setImmediate(send);
    else entry.publishTimer = setTimeout(send, wait);
  }

  private publish(uri: string, entry: Entry, analysis: Analysis): void {
    const findings = allFindings(analysis);
    const { diagnostics, omitted } = toDiagnostics(findings, analysis.settings.severity);
    if (omitted > 0 && omitted !== entry.omittedLogged) {
      this.host.logger.warn(`${uri}: ${omitted} diagnostics not published (more than ${diagnostics.length}); the most severe are shown`);
    }
    entry.omittedLogged = omitted;
    entry.lastPublishFindings = findings.length;
    analysis.published = true;
    const written = this.host.publish(uri, analysis.version, diagnostics);
    entry.lastPublishAt = performance.now();
    if (!written) return;
    entry.publishInFlight = true;
    const done = () => {
      entry.publishInFlight = false;
      if (this.entries.get(uri) !== entry) return;
      // The state changed while this was written: the newest goes next (spaced if still under way).
      if (entry.publishQueued) this.schedulePublish(uri, entry);
      else this.notifyIfSettled(uri, entry);
    };
    written.then(done, done);
  }

  private isSettled(uri: string, entry: Entry): boolean {
    const current = entry.current;
    return (
      current !== undefined &&
      entry.debounce === undefined &&
      entry.starting === 0 &&
      !entry.publishQueued &&
      !entry.publishInFlight &&
      current.pending.size === 0 &&
      current.version === this.host.document(uri)?.version
    );
  }

  private notifyIfSettled(uri: string, entry: Entry): void {
    if (entry.waiters.length === 0 || !this.isSettled(uri, entry)) return;
    for (const resolve of entry.waiters.splice(0)) resolve(entry.current);
  }
}
