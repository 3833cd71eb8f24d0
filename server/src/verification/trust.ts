/**
 * The trust material verification runs with, per `trustedRoot` setting:
 * - a path: that file (a private Sigstore, or tests), read once per path;
 * - '': the Sigstore public-good root embedded offline, at once — and, when not `offline` and a
 *   refresher is given, a TUF refresh in the background. A refreshed root that differs from the
 *   embedded one replaces it for later verifications (listeners are told); a failed refresh is a
 *   logged warning and the embedded root stays. Verification never waits for the network.
 */
import { createHash } from 'node:crypto';
import { embeddedTrustedRoot, resolveTrustedRoot, TrustMaterial, TrustedRootError, type TrustedRootRefresher, type TrustedRootSource } from '../verify/index';
import { trustScope } from './attestationKey';

export interface TrustSnapshot {
  json: unknown;
  source: TrustedRootSource;
  /** The persistent results' scope (attestationKey.ts). */
  scope: string;
  /** Changes whenever the material does (a refresh replaced it). */
  id: string;
  /** For messages: "the embedded Sigstore public-good root", "the trusted root /path". */
  description: string;
}

/** An unusable trusted root: every verification under it answers `error` with this message. */
export interface TrustFailure {
  error: string;
}

export interface TrustProviderOptions {
  readFile: (path: string) => Promise<string>;
  /** Makes a TUF refresher caching under the cache directory; unset: never refresh. */
  refresher?: (cacheDirectory: string | undefined) => TrustedRootRefresher | undefined;
  log?: (level: 'warn' | 'info', message: string) => void;
  /**
   * When the refresh may start: it loads the TUF client (some hundreds of milliseconds of module
   * loading on the thread that runs it) and nothing waits for it, so a server starts it once its
   * first burst of work is over. Default: at once.
   */
  whenQuiet?: (start: () => void) => void;
}

export interface TrustRequest {
  trustedRoot: string;
  offline: boolean;
  cacheDirectory?: string;
}

export class TrustProvider {
  private readonly byPath = new Map<string, Promise<TrustSnapshot | TrustFailure>>();
  private publicGood?: TrustSnapshot;
  private refreshStarted = false;
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly options: TrustProviderOptions) {}

  /** Told when the public-good material changed under a running server (a TUF refresh landed). */
  onDidChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  async forSettings(request: TrustRequest): Promise<TrustSnapshot | TrustFailure> {
    const path = request.trustedRoot.trim();
    if (path !== '') {
      let loaded = this.byPath.get(path);
      if (!loaded) {
        loaded = this.loadFile(path);
        this.byPath.set(path, loaded);
      }
      return loaded;
    }
    if (!request.offline) this.startRefresh(request.cacheDirectory);
    return (this.publicGood ??= snapshot(embeddedTrustedRoot(), 'embedded'));
  }

  /** Forget file roots (the setting changed, or the file may have): they are read again on next use. */
  forgetFiles(): void {
    this.byPath.clear();
  }

  private async loadFile(path: string): Promise<TrustSnapshot | TrustFailure> {
    try {
      const resolved = await resolveTrustedRoot({ trustedRootPath: path, offline: true, readFile: this.options.readFile });
      TrustMaterial.fromJSON(resolved.json);
      return snapshot(resolved.json, resolved.source, `the trusted root ${path}`);
    } catch (error) {
      const why = error instanceof TrustedRootError || error instanceof Error ? error.message : String(error);
      this.options.log?.('warn', `pypiProvenance.trustedRoot: ${why}`);
      // Not remembered: a fixed file is picked up by the next analysis.
      this.byPath.delete(path);
      return { error: `the trusted root ${path} cannot be used: ${why}` };
    }
  }

  private startRefresh(cacheDirectory: string | undefined): void {
    if (this.refreshStarted) return;
    const refresh = this.options.refresher?.(cacheDirectory);
    if (!refresh) return;
    this.refreshStarted = true;
    (this.options.whenQuiet ?? ((start) => start()))(() => this.refreshWith(refresh));
  }

  private refreshWith(refresh: TrustedRootRefresher): void {
    void (async () => {
      const resolved = await resolveTrustedRoot({ offline: false, readFile: this.options.readFile, refresh });
      if (resolved.warning) {
        this.options.log?.('warn', resolved.warning);
        return;
      }
      try {
        TrustMaterial.fromJSON(resolved.json);
      } catch (error) {
        this.options.log?.('warn', `the TUF-refreshed Sigstore root is unusable (${(error as Error).message}); using the embedded one`);
        return;
      }
      const refreshed = snapshot(resolved.json, resolved.source);
      const current = (this.publicGood ??= snapshot(embeddedTrustedRoot(), 'embedded'));
      if (refreshed.id === current.id) return;
      this.publicGood = refreshed;
      this.options.log?.('info', 'Using the Sigstore public-good trusted root refreshed through TUF');
      for (const listener of this.listeners) listener();
    })().catch((error: unknown) => this.options.log?.('warn', `TUF refresh failed (${String(error)}); using the embedded Sigstore root`));
  }
}

function snapshot(json: unknown, source: TrustedRootSource, description?: string): TrustSnapshot {
  const id = createHash('sha256').update(JSON.stringify(json) ?? '').digest('hex');
  return {
    json,
    source,
    scope: trustScope(source, json),
    id,
    description: description ?? (source === 'tuf' ? 'the Sigstore public-good root (refreshed through TUF)' : 'the embedded Sigstore public-good root'),
  };
}

export function isTrustFailure<T extends object>(value: T | TrustFailure): value is TrustFailure {
  return 'error' in value && typeof (value as TrustFailure).error === 'string';
}
