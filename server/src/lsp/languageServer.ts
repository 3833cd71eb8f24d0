/**
 * Wires the modules to an LSP connection: capabilities, document sync, settings, the analysis
 * schedule and its publishing. Every handler goes through `guard` (guard.ts).
 *
 * The FindingStages and the services they share come from pipeline/createStages.ts (the CLI runs
 * the same list). Features of later issues plug in there (a stage) or here: a request handler
 * registered with `onRequest`/`connection.onHover` below, reading `analyses.get(uri)` /
 * `analyses.settled(uri)`, `settings.now()` and `services`.
 */
import {
  TextDocuments,
  TextDocumentSyncKind,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  type CodeAction,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { formatOfPath } from '../core/format';
import type { DocumentFormat } from '../core/model';
import { createStageServices, createStages, type StageHost, type StageServices } from '../pipeline/createStages';
import type { HoverFormat } from '../hover/card';
import { CODE_ACTION_KINDS, hashPinCodeActions } from './codeActions';
import { DocumentAnalyses, DEFAULT_DEBOUNCE_MS, type OpenDocument } from './documentAnalyses';
import { errorText, guard, guardVoid, type Logger } from './guard';
import { documentPath, includedPaths } from '../pipeline/includesStage';
import { isPyprojectIn, lockFolder } from '../pipeline/lockStep';
import { pathToFileURL } from 'node:url';
import { setTimeout as delay } from 'node:timers/promises';
import { hoverFormat, hoverRenderOptions, provenanceHover } from './provenanceHover';
import type { RenderOptions } from '../hover/card';
import { REPORT_METHOD, provenanceReport } from './reportRequest';
import { RetrySchedule } from './retrySchedule';
import { SETTINGS_SECTION, type Settings } from '../pipeline/contract/settings';
import { SettingsSource } from './settingsSource';
import type { FindingStage } from '../pipeline/contract/stages';
import { CACHE_SUBDIRECTORIES, removeSubdirectories } from '../pipeline/cacheLayout';
import { effectiveCacheDirectory } from '../resolution/cacheDirectory';
import { THROW_METHOD, THROW_UNCAUGHT_METHOD, testFaultsEnabled } from '../pipeline/testFaults';
import { attachVerificationProgress } from './verificationProgress';
import { analysisLogger } from './analysisLog';
import { ACCEPT_OWNERS_COMMAND, executeAcceptOwners } from './acceptOwners';
import { ACCEPT_PUBLISHER_COMMAND, RECORD_IDENTITIES_KIND, executeAcceptPublisher, resolveZeroTrustCodeAction, zeroTrustCodeActions, type ZeroTrustActionHost } from './zeroTrustActions';
import { FORGET_TRUST_MEMORY_METHOD, TRUST_MEMORY_METHOD, clientHasConfirmCommand, forgetTrustMemory, trustMemoryCounts } from './trustMemory';

/** What TextDocuments.listen takes (the package does not export the interface's name). */
type TextDocumentConnection = Parameters<TextDocuments<TextDocument>['listen']>[0];

export const SERVER_NAME = 'pypi-provenance';
/** The lock files a pyproject.toml takes its versions from; the client watches them for the server (dynamic registration). */
const LOCK_FILES_GLOB = '**/{uv.lock,poetry.lock,pylock.toml,pylock.*.toml}';
export const CLEAR_CACHE_METHOD = 'pypiProvenance/clearCache';
/** The longest a shutdown waits for the cache files still to be written. */
const SHUTDOWN_FLUSH_MS = 5_000;
export const REQUIREMENTS_LANGUAGE_ID = 'pip-requirements';

export interface ServerOptions {
  version: string;
  env: Readonly<Record<string, string | undefined>>;
  /** Where index answers persist when the `cacheDirectory` setting is '' (resolution/cacheDirectory.ts); undefined: memory only. */
  defaultCacheDirectory?: string;
  /** Replaces the default stages (tests, benchmarks). */
  stages?: readonly FindingStage[];
  debounceMs?: number;
}

export interface LanguageServer {
  logger: Logger;
  documents: TextDocuments<TextDocument>;
  analyses: DocumentAnalyses;
  settings: SettingsSource;
  services: StageServices;
}

/** The parser a document needs, or undefined when it is not a dependency file (and is ignored). */
export function formatOfDocument(uri: string, languageId: string): DocumentFormat | undefined {
  return formatOfPath(uri) ?? (languageId === REQUIREMENTS_LANGUAGE_ID ? 'requirements' : undefined);
}

export function startLanguageServer(connection: Connection, options: ServerOptions): LanguageServer {
  const logger = connectionLogger(connection);
  const testFaults = testFaultsEnabled(options.env);
  // Documents whose dependencies the index could not answer for are analyzed again later.
  const retries = new RetrySchedule((uri) => {
    if (formats.has(uri)) analyses.refresh(uri);
  }, logger);
  const stageHost: StageHost = {
    env: options.env,
    logger,
    defaultCacheDirectory: options.defaultCacheDirectory,
    scheduleRetry: (uri, delayMs) => retries.schedule(uri, delayMs),
    longLived: true,
  };
  const services = createStageServices(stageHost);
  const stages = options.stages ?? createStages(stageHost, services);

  const documents = new TextDocuments(TextDocument);
  const formats = new Map<string, DocumentFormat>();
  const documentOf = (uri: string): OpenDocument | undefined => {
    const document = documents.get(uri);
    const format = formats.get(uri);
    return document && format ? { version: document.version, text: document.getText(), format } : undefined;
  };
  const analysisLog = analysisLogger((line) => logger.info(line), options.env);
  const settings = new SettingsSource({ getConfiguration: (item) => (typeof item === 'string' ? connection.workspace.getConfiguration(item) : connection.workspace.getConfiguration(item)) }, logger);
  const analyses = new DocumentAnalyses(
    {
      document: documentOf,
      settings: (uri) => settings.forDocument(uri),
      likelySettings: () => settings.readNow(),
      // The promise settles once the message is written: DocumentAnalyses sends no other publish of the document until then.
      publish: (uri, version, diagnostics) => connection.sendDiagnostics({ uri, version, diagnostics }).catch((error) => logger.error(`Publishing diagnostics failed: ${errorText(error)}`)),
      logger,
      env: options.env,
      openText: (absolutePath) => documents.get(pathToFileURL(absolutePath).href)?.getText(),
      analysing: (analysis) => analysisLog.analysing(analysis),
    },
    stages,
    options.debounceMs ?? DEFAULT_DEBOUNCE_MS,
  );
  // Before the reanalysis: a `trustedRoot` file is read again under the new settings.
  settings.onDidChange(() => services.verification.settingsChanged());
  settings.onDidReread(() => analyses.reanalyzeAll());

  /** The open pyproject.toml files whose lock is one of these paths are analysed again. */
  const refreshPyprojectsBeside = (paths: readonly string[]): void => {
    const folders = new Set(paths.map(lockFolder).filter((folder) => folder !== undefined));
    if (folders.size === 0) return;
    for (const uri of analyses.uris()) if ([...folders].some((folder) => isPyprojectIn(uri, folder))) analyses.refresh(uri);
  };

  let dynamicConfigurationRegistration = false;
  let dynamicWatchRegistration = false;
  let codeActionDisabledSupport = false;
  let documentChangesSupport = false;
  let codeActionResolveSupport = false;
  let hoverContentFormat: HoverFormat = 'markdown';
  let hoverRender: RenderOptions = {};
  let workDoneProgressSupport = false;
  let confirmAcceptSupport = false;
  connection.onInitialize(
    guard(
      logger,
      'initialize',
      (params): InitializeResult => {
        settings.initialize(params);
        dynamicConfigurationRegistration = params.capabilities?.workspace?.didChangeConfiguration?.dynamicRegistration === true;
        dynamicWatchRegistration = params.capabilities?.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
        codeActionDisabledSupport = params.capabilities?.textDocument?.codeAction?.disabledSupport === true;
        documentChangesSupport = params.capabilities?.workspace?.workspaceEdit?.documentChanges === true;
        const resolvable = params.capabilities?.textDocument?.codeAction?.resolveSupport?.properties;
        codeActionResolveSupport = Array.isArray(resolvable) && resolvable.includes('edit');
        hoverContentFormat = hoverFormat(params.capabilities);
        hoverRender = hoverRenderOptions(params.initializationOptions);
        workDoneProgressSupport = params.capabilities?.window?.workDoneProgress === true;
        confirmAcceptSupport = clientHasConfirmCommand(params.capabilities);
        return {
          capabilities: {
            textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
            codeActionProvider: { codeActionKinds: [...CODE_ACTION_KINDS, RECORD_IDENTITIES_KIND], resolveProvider: true },
            executeCommandProvider: { commands: [ACCEPT_PUBLISHER_COMMAND, ACCEPT_OWNERS_COMMAND] },
            hoverProvider: true,
          },
          serverInfo: { name: SERVER_NAME, version: options.version },
        };
      },
      { capabilities: { textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental } } },
    ),
  );
  connection.onInitialized(
    guardVoid(logger, 'initialized', async () => {
      const register = (what: string, registration: Promise<unknown>) =>
        registration.catch((error) => logger.warn(`Registering for ${what} failed: ${errorText(error)}`));
      const registrations = [
        // VS Code sends didChangeConfiguration only to servers that register for it.
        dynamicConfigurationRegistration ? register('configuration changes', connection.client.register(DidChangeConfigurationNotification.type, { section: SETTINGS_SECTION })) : undefined,
        // `-r`/`-c` targets appearing or vanishing on disk change a requirements file's diagnostics.
        dynamicWatchRegistration ? register('file changes', connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{txt,in}' }, { globPattern: LOCK_FILES_GLOB }] })) : undefined,
      ];
      // Not after the registrations: a client slow to answer them must not hold diagnostics back.
      await settings.initialized();
      await Promise.all(registrations);
    }),
  );
  connection.onDidChangeWatchedFiles(
    guardVoid(logger, 'workspace/didChangeWatchedFiles', (params) => {
      const changed = new Set((params?.changes ?? []).map((change) => documentPath(change.uri)).filter((p) => p !== undefined));
      for (const uri of analyses.uris()) {
        const analysis = analyses.get(uri);
        if (analysis && includedPaths(analysis).some((p) => changed.has(p))) analyses.refresh(uri);
      }
      refreshPyprojectsBeside([...changed]);
    }),
  );
  connection.onDidChangeConfiguration(guardVoid(logger, 'workspace/didChangeConfiguration', (params) => settings.didChangeConfiguration(params?.settings)));

  documents.onDidOpen(
    guardVoid(logger, 'textDocument/didOpen', ({ document }) => {
      const format = formatOfDocument(document.uri, document.languageId);
      if (!format) return;
      formats.set(document.uri, format);
      analyses.open(document.uri);
    }),
  );
  documents.onDidChangeContent(
    guardVoid(logger, 'textDocument/didChange', ({ document }) => {
      if (formats.has(document.uri)) analyses.changed(document.uri);
      // A lock edited in the editor (saved or not) gives the pyproject.toml beside it new versions.
      const path = documentPath(document.uri);
      if (path !== undefined) refreshPyprojectsBeside([path]);
    }),
  );
  documents.onDidClose(
    guardVoid(logger, 'textDocument/didClose', ({ document }) => {
      if (!formats.delete(document.uri)) return;
      retries.cancel(document.uri);
      analyses.closed(document.uri);
      settings.forget(document.uri);
      analysisLog.forget(document.uri);
      services.verification.queue.forget(document.uri);
      void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] }).catch(() => undefined);
    }),
  );
  documents.listen(guardedSync(connection, logger));

  // Zero trust (server/src/zeroTrust): record pylock identities, accept a changed publisher.
  const zeroTrustActionHost = (): ZeroTrustActionHost => ({
    document: documentOf,
    analysis: (uri) => analyses.get(uri),
    zeroTrust: services.zeroTrust,
    resolveSupport: codeActionResolveSupport,
    disabledSupport: codeActionDisabledSupport,
    documentChangesSupport,
    confirmSupport: confirmAcceptSupport,
  });
  connection.onCodeAction(
    guard(
      logger,
      'textDocument/codeAction',
      async (params, token) => {
        const hashPins = await hashPinCodeActions(
          params,
          {
            document: documentOf,
            analysis: (uri) => analyses.get(uri),
            settled: (uri) => analyses.settled(uri),
            settings: () => (typeof params?.textDocument?.uri === 'string' ? settings.forDocument(params.textDocument.uri) : settings.get()),
            resolution: services.resolution,
            env: options.env,
            disabledSupport: codeActionDisabledSupport,
            documentChangesSupport,
          },
          () => token.isCancellationRequested,
        );
        if (token.isCancellationRequested) return [];
        return [...hashPins, ...zeroTrustCodeActions(params, zeroTrustActionHost())];
      },
      [] as CodeAction[],
    ),
  );
  // A failing resolve answers the action as it came (no edit) rather than nothing.
  connection.onCodeActionResolve((action) => guard(logger, 'codeAction/resolve', () => resolveZeroTrustCodeAction(action, zeroTrustActionHost()), action)());
  connection.onExecuteCommand(
    guard(
      logger,
      'workspace/executeCommand',
      async (params) => {
        if (params?.command === ACCEPT_OWNERS_COMMAND) {
          const result = await executeAcceptOwners(params.arguments, { document: documentOf, analysis: (uri) => analyses.get(uri), zeroTrust: services.zeroTrust, reanalyze: () => analyses.reanalyzeAll(true) });
          if (result.accepted) logger.info('Project owners accepted.');
          else logger.warn(`Accepting project owners refused: ${result.reason}.`);
          return result;
        }
        if (params?.command !== ACCEPT_PUBLISHER_COMMAND) return null;
        const result = await executeAcceptPublisher(params.arguments, {
          document: documentOf,
          analysis: (uri) => analyses.get(uri),
          zeroTrust: services.zeroTrust,
          documentChangesSupport,
          applyEdit: async (label, edit) => (await connection.workspace.applyEdit({ label, edit })).applied,
          reanalyze: () => analyses.reanalyzeAll(true),
        });
        if (result.accepted) logger.info(`Publisher accepted (${result.mode}).`);
        else logger.warn(`Accepting a publisher refused: ${result.reason}.`);
        return result;
      },
      null,
    ),
  );

  // Provenance (server/src/verification): the hover card, the report request, background progress.
  connection.onHover(guard(logger, 'textDocument/hover', (params) => provenanceHover(params, analyses, services.verification, hoverContentFormat, services.zeroTrust.results, services.resolution, hoverRender), null));
  connection.onRequest(
    REPORT_METHOD,
    guard(logger, REPORT_METHOD, (params: unknown) => provenanceReport(params, { analyses, verification: services.verification, zeroTrust: services.zeroTrust, stages, settings: () => settings.get(), env: options.env }), null),
  );
  attachVerificationProgress(services.verification.queue, connection.window, () => workDoneProgressSupport, logger);

  /**
   * The settings of the workspace and of every open document, one per effective cache directory:
   * a folder of a multi-root workspace may keep its cache elsewhere, and Clear Cache or forgetting
   * the trust memory must reach it too.
   */
  async function settingsByCacheDirectory(): Promise<Map<string | undefined, Readonly<Settings>>> {
    const all = [await settings.get(), ...(await Promise.all(documents.keys().map((uri) => settings.forDocument(uri))))];
    const byDirectory = new Map<string | undefined, Readonly<Settings>>();
    for (const each of all) {
      const directory = effectiveCacheDirectory(each.cacheDirectory, options.defaultCacheDirectory);
      if (!byDirectory.has(directory)) byDirectory.set(directory, each);
    }
    return byDirectory;
  }

  // CONTRACT §5: the cached index answers and verdicts go, on disk and in memory; trust memory stays.
  connection.onRequest(
    CLEAR_CACHE_METHOD,
    guard(
      logger,
      CLEAR_CACHE_METHOD,
      async () => {
        const removed = { removedFiles: 0, removedBytes: 0 };
        for (const directory of (await settingsByCacheDirectory()).keys()) {
          const gone = removeSubdirectories(directory, CACHE_SUBDIRECTORIES);
          removed.removedFiles += gone.removedFiles;
          removed.removedBytes += gone.removedBytes;
        }
        services.resolution.reset();
        services.verification.forgetResults();
        analyses.reanalyzeAll(true);
        logger.info(`Cache cleared: ${removed.removedFiles} files (${removed.removedBytes} bytes); trusted publishers kept.`);
        return removed;
      },
      null,
    ),
  );

  // The trust memory (trusted publishers, release file sets): counted for a confirmation, forgotten on request.
  const trustMemoryHost = { settingsInUse: async () => [...(await settingsByCacheDirectory()).values()], zeroTrust: services.zeroTrust, reanalyze: () => analyses.reanalyzeAll(true), logger };
  connection.onRequest(TRUST_MEMORY_METHOD, guard(logger, TRUST_MEMORY_METHOD, () => trustMemoryCounts(trustMemoryHost), null));
  connection.onRequest(FORGET_TRUST_MEMORY_METHOD, guard(logger, FORGET_TRUST_MEMORY_METHOD, (params: unknown) => forgetTrustMemory(params, trustMemoryHost), null));

  connection.onShutdown(
    guard(
      logger,
      'shutdown',
      async () => {
        retries.dispose();
        analyses.dispose();
        // Cache files are written behind the answers: they are written before the answer (the exit
        // follows it), within a bound — a disk that hangs must not hold the shutdown either.
        await Promise.race([services.resolution.flushWrites(), delay(SHUTDOWN_FLUSH_MS, undefined, { ref: false })]);
        // Not awaited: a request still hanging on a slow index must not hold the shutdown answer.
        void services.dispose().catch((error) => logger.warn(`Closing index connections failed: ${errorText(error)}`));
      },
      undefined,
    ),
  );

  if (testFaults) {
    connection.onRequest(
      THROW_METHOD,
      guard(logger, THROW_METHOD, () => {
        throw new Error('test fault: request handler threw');
      }, null),
    );
    connection.onNotification(
      THROW_METHOD,
      guardVoid(logger, THROW_METHOD, () => {
        throw new Error('test fault: notification handler threw');
      }),
    );
    connection.onNotification(THROW_UNCAUGHT_METHOD, () => {
      setTimeout(() => {
        throw new Error('test fault: uncaught exception');
      }, 0);
    });
  }

  return { logger, documents, analyses, settings, services };
}

function connectionLogger(connection: Connection): Logger {
  return {
    error: (message) => connection.console.error(message),
    warn: (message) => connection.console.warn(message),
    info: (message) => connection.console.info(message),
  };
}

/**
 * The document-sync notifications as TextDocuments receives them, each guarded and checked for
 * the shape TextDocuments relies on: a malformed notification is logged and dropped instead of
 * putting a document with non-string text into the manager.
 */
function guardedSync(connection: Connection, logger: Logger): TextDocumentConnection {
  const dropMalformed = (method: string) => logger.error(`${method}: malformed parameters; ignored`);
  return {
    onDidOpenTextDocument: (handler) =>
      connection.onDidOpenTextDocument(
        guardVoid(logger, 'textDocument/didOpen', (params) => {
          const doc = params?.textDocument;
          if (!doc || typeof doc.uri !== 'string' || typeof doc.text !== 'string' || typeof doc.version !== 'number' || typeof doc.languageId !== 'string') return dropMalformed('textDocument/didOpen');
          return handler(params);
        }),
      ),
    onDidChangeTextDocument: (handler) =>
      connection.onDidChangeTextDocument(
        guardVoid(logger, 'textDocument/didChange', (params) => {
          const doc = params?.textDocument;
          const changes: unknown = params?.contentChanges;
          if (!doc || typeof doc.uri !== 'string' || typeof doc.version !== 'number' || !Array.isArray(changes) || !changes.every(isContentChange)) return dropMalformed('textDocument/didChange');
          return handler(params);
        }),
      ),
    onDidCloseTextDocument: (handler) =>
      connection.onDidCloseTextDocument(
        guardVoid(logger, 'textDocument/didClose', (params) => {
          if (typeof params?.textDocument?.uri !== 'string') return dropMalformed('textDocument/didClose');
          return handler(params);
        }),
      ),
    onWillSaveTextDocument: (handler) => connection.onWillSaveTextDocument(guardVoid(logger, 'textDocument/willSave', handler)),
    onWillSaveTextDocumentWaitUntil: (handler) => connection.onWillSaveTextDocumentWaitUntil(guard(logger, 'textDocument/willSaveWaitUntil', handler, null)),
    onDidSaveTextDocument: (handler) => connection.onDidSaveTextDocument(guardVoid(logger, 'textDocument/didSave', handler)),
  };
}

function isContentChange(change: unknown): boolean {
  if (typeof change !== 'object' || change === null) return false;
  const { text, range } = change as { text?: unknown; range?: unknown };
  if (typeof text !== 'string') return false;
  return range === undefined || isRange(range);
}

function isRange(value: unknown): boolean {
  const range = value as { start?: { line?: unknown; character?: unknown }; end?: { line?: unknown; character?: unknown } } | null;
  return (
    typeof range === 'object' &&
    range !== null &&
    typeof range.start?.line === 'number' &&
    typeof range.start.character === 'number' &&
    typeof range.end?.line === 'number' &&
    typeof range.end.character === 'number'
  );
}
