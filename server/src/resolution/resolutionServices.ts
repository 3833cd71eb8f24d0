/**
 * The ResolutionService for the settings an analysis runs with. A change of `offline`, the
 * effective cache directory or `indexUrl` makes a new service (a new index client, an empty
 * resolution cache, no back-off left over from the old index); the old one is closed once the
 * requests it still has in flight are done.
 */
import type { HttpClientOptions } from '../index/httpClient';
import { redactSecrets } from '../index/redact';
import type { Settings } from '../pipeline/contract/settings';
import { effectiveCacheDirectory } from './cacheDirectory';
import { ResolutionService, type ResolutionServiceOptions } from './resolutionService';

export interface ResolutionServicesOptions {
  env: Readonly<Record<string, string | undefined>>;
  /** Where to persist when the `cacheDirectory` setting is '' (undefined: memory only). */
  defaultCacheDirectory?: string;
  log?: (message: string) => void;
  /** What the user should see once (a plain-http index). */
  warn?: (message: string) => void;
  http?: HttpClientOptions;
  retryDelay?: { first: number; max: number };
  /** Makes the service (tests inject clocks and clients). */
  create?: (options: ResolutionServiceOptions) => ResolutionService;
}

export type ServiceSettings = Pick<Settings, 'cacheDirectory' | 'offline' | 'indexUrl'>;

export class ResolutionServices {
  private current?: { key: string; service: ResolutionService };
  private readonly retired = new Set<Promise<void>>();

  constructor(private readonly options: ResolutionServicesOptions) {}

  /** The service for these settings, made on first need. */
  forSettings(settings: ServiceSettings): ResolutionService {
    const cacheDirectory = effectiveCacheDirectory(settings.cacheDirectory, this.options.defaultCacheDirectory);
    const key = JSON.stringify([cacheDirectory ?? null, settings.offline, settings.indexUrl]);
    if (this.current?.key === key) return this.current.service;
    if (this.current) this.retire(this.current.service);
    const serviceOptions: ResolutionServiceOptions = {
      cacheDirectory,
      offline: settings.offline,
      env: this.options.env,
      log: this.options.log,
      warn: this.options.warn,
      http: this.options.http,
      retryDelay: this.options.retryDelay,
    };
    const service = this.options.create ? this.options.create(serviceOptions) : new ResolutionService(serviceOptions);
    this.current = { key, service };
    return service;
  }

  /** The service made last, if any (for statistics). */
  get active(): ResolutionService | undefined {
    return this.current?.service;
  }

  /** The cached index answers were removed (clearCache): the next need makes a fresh service, with no answers in memory. */
  reset(): void {
    if (this.current) this.retire(this.current.service, { discardWrites: true });
    this.current = undefined;
  }

  /** Writes the cache files still waiting, of the current service and of the ones closing (a shutdown comes before the exit). */
  async flushWrites(): Promise<void> {
    await Promise.all([this.current?.service.flushWrites(), ...this.retired]);
  }

  async dispose(): Promise<void> {
    if (this.current) this.retire(this.current.service);
    this.current = undefined;
    await Promise.all([...this.retired]);
  }

  private retire(service: ResolutionService, options?: { discardWrites?: boolean }): void {
    const closing = service.close(options).catch((error: unknown) => this.options.log?.(`closing an index client failed: ${redactSecrets(String(error))}`));
    this.retired.add(closing);
    void closing.finally(() => this.retired.delete(closing));
  }
}
