/**
 * A small LSP client for tests: spawns the BUILT server (`node server/out/server.js --stdio`,
 * so run `npm run build` first — `npm test` does) and speaks real JSON-RPC to it over stdio.
 *
 *   const client = await LspClient.start({ settings: { severity: { unpinned: 'off' } } });
 *   const uri = fileUri('/tmp/x/requirements.txt');
 *   client.open(uri, 'requests\n');
 *   const diagnostics = await client.waitForDiagnostics(uri);
 *   await client.shutdown();
 *
 * `waitForDiagnostics` waits for a publish caused by the client's last action: it only looks at
 * publishes received after the last open/change/close of that URI or settings change, and (for
 * an open document) only at ones for its current version. Pass `where` to wait for particular
 * content (e.g. until a later asynchronous stage has reported).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SERVER_EXEC_ARGV } from '../../client/src/server/serverModule';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ClientCapabilities,
  type Diagnostic,
  type InitializeResult,
  type LogMessageParams,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const SERVER_MAIN = path.join(REPO_ROOT, 'server', 'out', 'server.js');
/** The bundled server the extension ships (`npm run build` makes it): what VS Code users run. */
export const BUNDLED_SERVER_MAIN = path.join(REPO_ROOT, 'dist', 'server', 'server.js');
export const SETTINGS_SECTION = 'pypiProvenance';
export const DEFAULT_WAIT_MS = 15_000;

/** window/logMessage types. */
export const MessageType = { Error: 1, Warning: 2, Info: 3, Log: 4 } as const;
/** Diagnostic severities. */
export const Severity = { Error: 1, Warning: 2, Information: 3, Hint: 4 } as const;

export interface LspClientOptions {
  /**
   * The `pypiProvenance` section the client answers workspace/configuration with (undefined:
   * answers null, like a client that has no such settings).
   */
  settings?: Record<string, unknown>;
  /** Whether the client advertises `workspace.configuration` (default true). */
  configuration?: boolean;
  /** A document's own values (a folder's settings), laid over `settings` when the server asks with that `scopeUri`. */
  scopedSettings?: (scopeUri: string) => Record<string, unknown> | undefined;
  initializationOptions?: unknown;
  /** Extra client capabilities, merged over the defaults at the top level of each section. */
  capabilities?: ClientCapabilities;
  /** Added to the server's environment (e.g. PYPI_PROVENANCE_TEST_FAULTS=1). */
  env?: Record<string, string>;
  /** The server's arguments (default `['--stdio']`). */
  serverArgs?: string[];
  /** The server script (default SERVER_MAIN, the unbundled build; BUNDLED_SERVER_MAIN is what the extension runs). */
  serverMain?: string;
  /** Arguments to node itself, before the script (e.g. `--cpu-prof`), after those the editor gives it (SERVER_EXEC_ARGV). */
  nodeArgs?: string[];
}

export interface ReceivedDiagnostics extends PublishDiagnosticsParams {
  /** Order of arrival among all publishes of this client, from 1. */
  sequence: number;
}

export interface WaitOptions {
  /** Only a publish for this document version (default: the version the client last sent, if the document is open). */
  version?: number;
  /** Only publishes after this sequence (default: the client's last action on the URI or on settings). */
  since?: number;
  /** Only a publish whose diagnostics satisfy this. */
  where?: (diagnostics: Diagnostic[]) => boolean;
  timeoutMs?: number;
}

export function fileUri(filePath: string): string {
  return pathToFileURL(filePath).toString();
}

interface Waiter<T> {
  test(): T | undefined;
  resolve(value: T): void;
}

export class LspClient {
  readonly logs: LogMessageParams[] = [];
  readonly publishes: ReceivedDiagnostics[] = [];
  /** Every `$/progress` notification, in order. */
  readonly progress: Array<{ token: string | number; value: unknown }> = [];
  /** What the server registered dynamically (client/registerCapability), in order. */
  readonly registrations: Array<{ id: string; method: string; registerOptions?: unknown }> = [];
  /** The workspace/applyEdit requests the server made, in order. */
  readonly appliedEdits: Array<{ label?: string; edit: unknown }> = [];
  /** How many workspace/configuration requests the server made. */
  configurationRequests = 0;
  initializeResult!: InitializeResult;

  private settings: Record<string, unknown> | undefined;
  private readonly versions = new Map<string, number>();
  private readonly lastAction = new Map<string, number>();
  private lastGlobalAction = 0;
  private readonly waiters = new Set<Waiter<unknown>>();
  private stderrText = '';
  private exitCode: number | null | undefined;
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly connection: ProtocolConnection,
    private readonly options: LspClientOptions,
  ) {
    this.settings = options.settings;
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? null : 0);
        resolve(this.exitCode);
        this.poke();
      }),
    );
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      // Bounded: a server that floods stderr must not exhaust the test process.
      if (this.stderrText.length < 1_000_000) this.stderrText += chunk;
    });
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.publishes.push({ ...params, sequence: this.publishes.length + 1 });
      this.poke();
    });
    connection.onNotification('window/logMessage', (params: LogMessageParams) => {
      this.logs.push(params);
      this.poke();
    });
    connection.onNotification('$/progress', (params: { token: string | number; value: unknown }) => {
      this.progress.push(params);
      this.poke();
    });
    connection.onRequest('workspace/configuration', (params: { items: Array<{ section?: string; scopeUri?: string }> }) => {
      this.configurationRequests++;
      return params.items.map((item) => {
        const scoped = item.scopeUri !== undefined ? this.options.scopedSettings?.(item.scopeUri) : undefined;
        if (item.section === SETTINGS_SECTION && scoped) return { ...this.settings, ...scoped };
        if (item.section === SETTINGS_SECTION) return this.settings ?? null;
        if (item.section === undefined) return { [SETTINGS_SECTION]: this.settings ?? null };
        return null;
      });
    });
    connection.onRequest('client/registerCapability', (params: { registrations: Array<{ id: string; method: string; registerOptions?: unknown }> }) => {
      this.registrations.push(...params.registrations);
      return null;
    });
    connection.onRequest('client/unregisterCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
    connection.onRequest('window/showMessageRequest', () => null);
    connection.onRequest('workspace/workspaceFolders', () => null);
    // Edits the server asks the editor to make: recorded, and answered as applied (the test applies them).
    connection.onRequest('workspace/applyEdit', (params: { label?: string; edit: unknown }) => {
      this.appliedEdits.push(params);
      this.poke();
      return { applied: true };
    });
  }

  /** Spawns the built server, initializes it and sends `initialized`. */
  static async start(options: LspClientOptions = {}): Promise<LspClient> {
    const child = spawn(process.execPath, [...SERVER_EXEC_ARGV, ...(options.nodeArgs ?? []), options.serverMain ?? SERVER_MAIN, ...(options.serverArgs ?? ['--stdio'])], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...options.env },
      stdio: 'pipe',
    });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.onError(() => undefined);
    const client = new LspClient(child, connection, options);
    connection.listen();
    const configuration = options.configuration ?? true;
    const capabilities: ClientCapabilities = {
      ...options.capabilities,
      workspace: { configuration, didChangeConfiguration: { dynamicRegistration: configuration }, ...options.capabilities?.workspace },
      textDocument: { publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, dataSupport: true }, synchronization: { dynamicRegistration: false }, ...options.capabilities?.textDocument },
      window: { workDoneProgress: true, ...options.capabilities?.window },
    };
    client.initializeResult = await client.race(
      connection.sendRequest('initialize', {
        processId: process.pid,
        clientInfo: { name: 'pypi-provenance-test-client' },
        rootUri: null,
        workspaceFolders: null,
        capabilities,
        initializationOptions: options.initializationOptions,
      }),
      'initialize',
    );
    await connection.sendNotification('initialized', {});
    return client;
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Whether the server process is still running. */
  get alive(): boolean {
    return this.exitCode === undefined;
  }

  /** Opens a document; returns its version. */
  open(uri: string, text: string, options: { languageId?: string; version?: number } = {}): number {
    const version = options.version ?? 1;
    this.versions.set(uri, version);
    this.markAction(uri);
    void this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: options.languageId ?? languageIdOf(uri), version, text },
    });
    return version;
  }

  /** Sends content changes (incremental when they have a range); returns the new version. */
  change(uri: string, changes: TextDocumentContentChangeEvent[], version?: number): number {
    const next = version ?? (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, next);
    this.markAction(uri);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version: next }, contentChanges: changes });
    return next;
  }

  /** One incremental edit: replaces `range` with `text`. */
  edit(uri: string, range: Range, text: string): number {
    return this.change(uri, [{ range, text }]);
  }

  /** Replaces the whole text. */
  replaceAll(uri: string, text: string): number {
    return this.change(uri, [{ text }]);
  }

  close(uri: string): void {
    this.versions.delete(uri);
    this.markAction(uri);
    void this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /**
   * New `pypiProvenance` settings: answered to the next workspace/configuration, and announced
   * with didChangeConfiguration (carrying the section itself, for a client without configuration).
   */
  async setSettings(settings: Record<string, unknown> | undefined): Promise<void> {
    this.settings = settings;
    this.lastGlobalAction = this.publishes.length;
    await this.connection.sendNotification('workspace/didChangeConfiguration', {
      settings: (this.options.configuration ?? true) ? null : { [SETTINGS_SECTION]: settings ?? null },
    });
  }

  request<R = unknown>(method: string, params?: unknown, timeoutMs = DEFAULT_WAIT_MS): Promise<R> {
    return this.race(this.connection.sendRequest<R>(method, params), method, timeoutMs);
  }

  notify(method: string, params?: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  /** The latest publish for a URI. */
  latest(uri: string): ReceivedDiagnostics | undefined {
    for (let i = this.publishes.length - 1; i >= 0; i--) if (this.publishes[i].uri === uri) return this.publishes[i];
    return undefined;
  }

  /** The publish sequence now, to pass as `since`. */
  mark(): number {
    return this.publishes.length;
  }

  async waitForDiagnostics(uri: string, options: WaitOptions = {}): Promise<Diagnostic[]> {
    return (await this.waitForPublish(uri, options)).diagnostics;
  }

  waitForPublish(uri: string, options: WaitOptions = {}): Promise<ReceivedDiagnostics> {
    const since = options.since ?? Math.max(this.lastAction.get(uri) ?? 0, this.lastGlobalAction);
    const version = options.version ?? this.versions.get(uri);
    const describe = () => {
      const seen = this.publishes.filter((p) => p.uri === uri).map((p) => `#${p.sequence} v${p.version ?? '-'}: ${p.diagnostics.map((d) => d.code).join(',') || '(none)'}`);
      return `diagnostics for ${uri} (version ${version ?? 'any'}, after #${since}); received: ${seen.slice(-10).join(' | ') || 'nothing'}`;
    };
    return this.waitFor(
      () => {
        for (let i = since; i < this.publishes.length; i++) {
          const publish = this.publishes[i];
          if (publish.uri !== uri) continue;
          if (version !== undefined && publish.version !== undefined && publish.version !== version) continue;
          if (options.where && !options.where(publish.diagnostics)) continue;
          return publish;
        }
        return undefined;
      },
      describe,
      options.timeoutMs,
    );
  }

  /** Waits for a window/logMessage that satisfies `where` (earlier messages count). */
  waitForLog(where: (message: LogMessageParams) => boolean, timeoutMs?: number): Promise<LogMessageParams> {
    return this.waitFor(
      () => this.logs.find(where),
      () => `a log message; received: ${this.logs.map((l) => l.message.split('\n')[0]).slice(-10).join(' | ') || 'nothing'}`,
      timeoutMs,
    );
  }

  /** Log messages at Error level, first lines only — for assertions that nothing went wrong. */
  errors(): string[] {
    return this.logs.filter((l) => l.type === MessageType.Error).map((l) => l.message.split('\n')[0]);
  }

  /** shutdown + exit; resolves with the exit code (kills the server if it does not exit). */
  async shutdown(timeoutMs = 5000): Promise<number | null> {
    if (this.alive) {
      try {
        await this.request('shutdown', undefined, timeoutMs);
        await this.connection.sendNotification('exit');
      } catch {
        // Exits below either way.
      }
    }
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    this.connection.dispose();
    return code;
  }

  /** Ends the server without the protocol (for a test that failed half-way). */
  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
    this.connection.dispose();
  }

  private markAction(uri: string): void {
    this.lastAction.set(uri, this.publishes.length);
  }

  private waitFor<T>(test: () => T | undefined, describe: () => string, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    const found = test();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        test: () => {
          const value = test();
          if (value === undefined && !this.alive) {
            finish();
            reject(new Error(`server exited (code ${this.exitCode}) while waiting for ${describe()}\nstderr:\n${this.stderrText.slice(-4000)}`));
          }
          return value;
        },
        resolve: (value) => {
          finish();
          resolve(value);
        },
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter as Waiter<unknown>);
      };
      this.waiters.add(waiter as Waiter<unknown>);
      waiter.test(); // The server may have exited already.
    });
  }

  private poke(): void {
    for (const waiter of [...this.waiters]) {
      const value = waiter.test();
      if (value !== undefined) waiter.resolve(value);
    }
  }

  /** The answer, or an error when it takes longer than `timeoutMs` or the server exits first. */
  private race<T>(promise: Promise<T>, what: string, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${what} within ${timeoutMs} ms\nstderr:\n${this.stderrText.slice(-4000)}`)), timeoutMs);
      void this.exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`server exited (code ${code}) before answering ${what}\nstderr:\n${this.stderrText.slice(-4000)}`));
      });
      promise.then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }
}

function languageIdOf(uri: string): string {
  const base = uri.slice(uri.lastIndexOf('/') + 1);
  if (base.endsWith('.toml')) return 'toml';
  if (base.endsWith('.in') || (base.endsWith('.txt') && /requirements|constraints/.test(uri))) return 'pip-requirements';
  return 'plaintext';
}

/** Starts a client, runs `body`, and always shuts the server down. */
export async function withClient<T>(options: LspClientOptions, body: (client: LspClient) => Promise<T>): Promise<T> {
  const client = await LspClient.start(options);
  try {
    return await body(client);
  } finally {
    await client.shutdown().catch(() => client.kill());
  }
}
