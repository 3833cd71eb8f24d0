/**
 * Where the trusted root comes from: a `trustedRoot` file (a private Sigstore, tests), a TUF
 * refresh (injected, never attempted offline), or the Sigstore public-good root embedded in
 * @sigstore/tuf's `seeds.json`, which works with no network at all.
 */
import { promises as nodeFs } from 'node:fs';
import { join } from 'node:path';
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
    await discardUnusableTufRoot(cachePath);
    const { initTUF } = await import('@sigstore/tuf');
    const tuf = await initTUF({ cachePath, mirrorURL: PUBLIC_GOOD_TUF_MIRROR, timeout: timeoutMs, retry: false });
    return JSON.parse(await tuf.getTarget('trusted_root.json'));
  };
}

/** The file operations discardUnusableTufRoot needs (node:fs/promises by default). */
export interface TufRootFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  rm(path: string, options: { force: boolean }): Promise<void>;
}

/**
 * tuf-js writes its metadata in place, not atomically, so a full disk or a killed process can
 * leave an empty or torn `root.json`; @sigstore/tuf then fails on it before any network access,
 * on every later refresh. Such a root (not a JSON object with `signed` and `signatures`) is
 * removed, so that @sigstore/tuf seeds the embedded one again and the TUF chain is walked from
 * there. True when one was removed.
 */
export async function discardUnusableTufRoot(cachePath: string, fs: TufRootFs = nodeFs): Promise<boolean> {
  const mirror = new URL(PUBLIC_GOOD_TUF_MIRROR);
  // The folder @sigstore/tuf keeps this mirror's metadata in (its TUFClient names it so).
  const root = join(cachePath, encodeURIComponent(mirror.host + mirror.pathname.replace(/\/$/, '')), 'root.json');
  let text: string;
  try {
    text = await fs.readFile(root, 'utf8');
  } catch {
    return false;
  }
  if (isTufRoot(text)) return false;
  await fs.rm(root, { force: true });
  return true;
}

function isTufRoot(text: string): boolean {
  try {
    const data = JSON.parse(text) as { signed?: { _type?: unknown }; signatures?: unknown } | null;
    return typeof data === 'object' && data !== null && data.signed?._type === 'root' && Array.isArray(data.signatures);
  } catch {
    return false;
  }
}
