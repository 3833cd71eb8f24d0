/**
 * Where the trusted root comes from: a `trustedRoot` file (a private Sigstore, tests), a TUF
 * refresh (injected, never attempted offline), or the Sigstore public-good root embedded in
 * @sigstore/tuf's `seeds.json`, which works with no network at all.
 */
import { TrustedRootError } from './trustMaterial';

export type TrustedRootSource = 'file' | 'tuf' | 'embedded';

/** Fetches the current trusted root (JSON) through TUF; the caller's cache is its business. */
export type TrustedRootRefresher = () => Promise<unknown>;

export interface ResolveTrustedRootOptions {
  /** The `trustedRoot` setting; empty or undefined means the public-good root. */
  trustedRootPath?: string;
  offline: boolean;
  readFile: (path: string) => Promise<string>;
  /** Optional TUF refresh; skipped when `offline`. */
  refresh?: TrustedRootRefresher;
}

export interface ResolvedTrustedRoot {
  json: unknown;
  source: TrustedRootSource;
  /** Set when a refresh was tried and failed, so the embedded root is in use. */
  warning?: string;
}

const PUBLIC_GOOD_TUF_MIRROR = 'https://tuf-repo-cdn.sigstore.dev';

/** The public-good trusted root shipped inside @sigstore/tuf (no network). */
export function embeddedTrustedRoot(): unknown {
  // A require (not fs) so a bundler inlines the JSON into the bundle.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const seeds: unknown = require('@sigstore/tuf/seeds.json');
  const target = (seeds as Record<string, { targets?: Record<string, string> } | undefined>)[PUBLIC_GOOD_TUF_MIRROR]?.targets?.['trusted_root.json'];
  if (typeof target !== 'string') throw new TrustedRootError('@sigstore/tuf ships no public-good trusted_root.json');
  return JSON.parse(Buffer.from(target, 'base64').toString('utf8'));
}

export async function resolveTrustedRoot(options: ResolveTrustedRootOptions): Promise<ResolvedTrustedRoot> {
  const path = options.trustedRootPath?.trim();
  if (path) {
    let text: string;
    try {
      text = await options.readFile(path);
    } catch (error) {
      throw new TrustedRootError(`cannot read the trusted root ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      return { json: JSON.parse(text), source: 'file' };
    } catch {
      throw new TrustedRootError(`the trusted root ${path} is not JSON`);
    }
  }
  if (!options.offline && options.refresh) {
    try {
      return { json: await options.refresh(), source: 'tuf' };
    } catch (error) {
      return { json: embeddedTrustedRoot(), source: 'embedded', warning: `TUF refresh failed (${error instanceof Error ? error.message : String(error)}); using the embedded Sigstore root` };
    }
  }
  return { json: embeddedTrustedRoot(), source: 'embedded' };
}

/**
 * A refresher backed by @sigstore/tuf: verifies the TUF metadata chain from the embedded root
 * and caches metadata and targets under `cachePath`. Only call it when not offline.
 */
export function tufRefresher(cachePath: string, timeoutMs = 30_000): TrustedRootRefresher {
  return async () => {
    const { initTUF } = await import('@sigstore/tuf');
    const tuf = await initTUF({ cachePath, mirrorURL: PUBLIC_GOOD_TUF_MIRROR, timeout: timeoutMs, retry: false });
    return JSON.parse(await tuf.getTarget('trusted_root.json'));
  };
}
