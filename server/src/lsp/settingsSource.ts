/**
 * Where the server's settings come from, in layers: the defaults, then
 * `initializationOptions.settings.pypiProvenance`, then (when the client has the capability)
 * `workspace/configuration` for the `pypiProvenance` section, re-read on
 * `workspace/didChangeConfiguration`. Clients without the capability may push the section in
 * didChangeConfiguration's `settings` instead. A document's own settings (a folder's
 * `.vscode/settings.json` in a multi-root workspace) are read with `scopeUri` = the document.
 */
import type { InitializeParams } from 'vscode-languageserver';
import { errorText, type Logger } from './guard';
import { DEFAULT_SETTINGS, SETTINGS_SECTION, parseSettings, type Settings } from '../pipeline/contract/settings';

/** The part of the connection this needs: `connection.workspace.getConfiguration`. */
export interface ConfigurationClient {
  getConfiguration(item: string | { scopeUri?: string; section: string }): Promise<unknown>;
}

/** A client that never answers workspace/configuration must not hold diagnostics back forever. */
export const CONFIGURATION_TIMEOUT_MS = 5000;

export class SettingsSource {
  private initial: Readonly<Settings> = DEFAULT_SETTINGS;
  private current: Readonly<Settings> = DEFAULT_SETTINGS;
  private pull = false;
  private readSequence = 0;
  private readonly listeners: Array<(settings: Readonly<Settings>) => void> = [];
  private readonly rereadListeners: Array<() => void> = [];
  /** Each document's settings, read for the current generation (bumped by every change). */
  private readonly scoped = new Map<string, { settings: Readonly<Settings>; generation: number }>();
  private generation = 0;
  private readonly warned = new Set<string>();
  private markReady!: () => void;
  private hasRead = false;
  private readonly ready = new Promise<void>((resolve) => (this.markReady = () => {
    this.hasRead = true;
    resolve();
  }));

  constructor(
    private readonly client: ConfigurationClient,
    private readonly logger: Logger,
  ) {}

  /** From the initialize request: the client's capability and its initializationOptions. */
  initialize(params: Pick<InitializeParams, 'capabilities' | 'initializationOptions'>): void {
    this.pull = params.capabilities?.workspace?.configuration === true;
    const options: unknown = params.initializationOptions;
    const section = isRecord(options) && isRecord(options.settings) ? options.settings[SETTINGS_SECTION] : undefined;
    this.initial = parseSettings(section, this.warn);
    this.current = this.initial;
    if (!this.pull) this.markReady();
  }

  /** After `initialized` (the first moment the server may ask the client). */
  async initialized(): Promise<void> {
    try {
      if (this.pull) await this.read();
    } finally {
      this.markReady();
    }
  }

  /** The settings, once the first read has answered. */
  async get(): Promise<Readonly<Settings>> {
    await this.ready;
    return this.current;
  }

  /** The settings once the first read has answered, without waiting; undefined before. */
  readNow(): Readonly<Settings> | undefined {
    return this.hasRead ? this.current : undefined;
  }

  /** The settings now, without waiting (hover, report). */
  now(): Readonly<Settings> {
    return this.current;
  }

  /**
   * The settings of one document: `workspace/configuration` with its URI as `scopeUri`, once per
   * change of the settings (the same object while nothing changed, so an analysis can tell).
   * Without the capability, or if the read fails, the workspace's.
   */
  async forDocument(uri: string): Promise<Readonly<Settings>> {
    const workspace = await this.get();
    if (!this.pull) return workspace;
    const cached = this.scoped.get(uri);
    if (cached && cached.generation === this.generation) return cached.settings;
    const generation = this.generation;
    let raw: unknown;
    try {
      raw = await withTimeout(this.client.getConfiguration({ scopeUri: uri, section: SETTINGS_SECTION }), CONFIGURATION_TIMEOUT_MS);
    } catch (error) {
      this.warnOnce(`Reading the ${SETTINGS_SECTION} settings of a document from the client failed (${errorText(error)}); using the workspace's`);
      return cached?.settings ?? workspace;
    }
    const parsed = parseSettings(raw, this.warnOnce, this.initial);
    const same = (other: Readonly<Settings> | undefined) => other !== undefined && JSON.stringify(other) === JSON.stringify(parsed);
    const settings = same(cached?.settings) ? cached!.settings : same(this.current) ? this.current : Object.freeze(parsed);
    if (generation === this.generation) this.scoped.set(uri, { settings, generation });
    return settings;
  }

  /** A document closed: its settings are read again if it opens again. */
  forget(uri: string): void {
    this.scoped.delete(uri);
  }

  onDidChange(listener: (settings: Readonly<Settings>) => void): void {
    this.listeners.push(listener);
  }

  /** After every settings change the client reports, whether or not the workspace's values changed (a folder's may have). */
  onDidReread(listener: () => void): void {
    this.rereadListeners.push(listener);
  }

  /** workspace/didChangeConfiguration: pull again, or take the pushed section. */
  async didChangeConfiguration(pushed: unknown): Promise<void> {
    this.generation++;
    this.warned.clear();
    if (this.pull) await this.read();
    else if (isRecord(pushed) && SETTINGS_SECTION in pushed) this.set(parseSettings(pushed[SETTINGS_SECTION], this.warn, this.initial));
    for (const listener of this.rereadListeners) {
      try {
        listener();
      } catch (error) {
        this.logger.error(`Settings listener failed: ${errorText(error)}`);
      }
    }
  }

  private async read(): Promise<void> {
    const sequence = ++this.readSequence;
    let raw: unknown;
    try {
      raw = await withTimeout(this.client.getConfiguration(SETTINGS_SECTION), CONFIGURATION_TIMEOUT_MS);
    } catch (error) {
      this.logger.warn(`Reading the ${SETTINGS_SECTION} settings from the client failed (${errorText(error)}); keeping the current ones`);
      return;
    }
    // A later read already answered: its values are the newer ones.
    if (sequence !== this.readSequence) return;
    this.set(parseSettings(raw, this.warn, this.initial));
  }

  private set(next: Settings): void {
    if (JSON.stringify(next) === JSON.stringify(this.current)) return;
    this.current = Object.freeze(next);
    for (const listener of this.listeners) {
      try {
        listener(this.current);
      } catch (error) {
        this.logger.error(`Settings listener failed: ${errorText(error)}`);
      }
    }
  }

  private readonly warn = (message: string): void => this.logger.warn(message);

  /** Per-document reads repeat the workspace's values: each problem is said once per change. */
  private readonly warnOnce = (message: string): void => {
    if (this.warned.has(message)) return;
    this.warned.add(message);
    this.logger.warn(message);
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
