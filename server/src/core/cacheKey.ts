/**
 * The per-user secret that authenticates what the stores write into the cache directory (the
 * verified-attestation verdicts, the trusted publishers). The cache directory may be shared (a CI
 * cache, a `cacheDirectory` inside a repository), so anything read back from it is only believed
 * when it carries an HMAC-SHA256 made with this key, which lives elsewhere: a forged or foreign
 * entry then costs a re-verification, never a false "verified".
 *
 * Where the key lives (one rule, per user, never inside a cache directory):
 * - `PYPI_PROVENANCE_KEY_DIRECTORY` when set to an absolute path (tests, unusual setups);
 * - Windows: `%APPDATA%\pypi-provenance`; macOS: `~/Library/Application Support/pypi-provenance`;
 * - elsewhere: `$XDG_CONFIG_HOME/pypi-provenance` (`~/.config/pypi-provenance` when unset).
 * The file is `cache-key`: 64 hex digits, mode 0600, in a 0700 directory, made on first use.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as nodeFs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const KEY_DIRECTORY_ENV = 'PYPI_PROVENANCE_KEY_DIRECTORY';
export const KEY_FILE_NAME = 'cache-key';
const FOLDER_NAME = 'pypi-provenance';
const KEY_BYTES = 32;
const MAC_HEX_LENGTH = 64;
const KEY_FILE_TEXT = /^[0-9a-f]{64}$/;

/** Authenticates store entries. The secret never leaves this object (nor reaches a message). */
export class CacheKey {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    if (secret.length !== KEY_BYTES) throw new Error(`a cache key has ${KEY_BYTES} bytes`);
    this.#secret = Buffer.from(secret);
  }

  /** The MAC of one entry: which store (name and version), under which key, with what content. */
  mac(store: string, entryKey: string, content: string): string {
    // A JSON array of strings is an unambiguous encoding of the three parts.
    return createHmac('sha256', this.#secret).update(JSON.stringify([store, entryKey, content])).digest('hex');
  }

  /** Whether `mac` is this key's MAC of the entry; false for anything missing, truncated or foreign. */
  authentic(store: string, entryKey: string, content: string, mac: unknown): boolean {
    if (typeof mac !== 'string' || mac.length !== MAC_HEX_LENGTH || !/^[0-9a-f]+$/.test(mac)) return false;
    return timingSafeEqual(Buffer.from(this.mac(store, entryKey, content), 'hex'), Buffer.from(mac, 'hex'));
  }

  toJSON(): string {
    return '[cache key]';
  }
}

/** The key, or undefined when it cannot be had (then nothing read from a cache directory is believed). */
export type CacheKeySource = () => Promise<CacheKey | undefined>;

/** The file operations the key needs (node:fs/promises by default). */
export interface CacheKeyFs {
  readFile(path: string, encoding: 'utf8'): Promise<string>;
  writeFile(path: string, data: string, options: { mode: number }): Promise<void>;
  link(existingPath: string, newPath: string): Promise<void>;
  rm(path: string, options: { force: boolean }): Promise<void>;
  mkdir(path: string, options: { recursive: boolean; mode: number }): Promise<unknown>;
}

/** The directory the key lives in, by the rule above. */
export function defaultKeyDirectory(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const given = env[KEY_DIRECTORY_ENV];
  if (given !== undefined && path.isAbsolute(given)) return given;
  if (platform === 'win32') {
    const appData = env.APPDATA;
    const base = appData !== undefined && path.win32.isAbsolute(appData) ? appData : path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(base, FOLDER_NAME);
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', FOLDER_NAME);
  // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg !== undefined && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.config');
  return path.posix.join(base, FOLDER_NAME);
}

/**
 * The key kept in `directory`, read (or made, on first use) once; undefined — logged once — when
 * it can be neither read nor made. Of two processes making it at once, one wins (hard link:
 * exclusive) and the other reads the winner's.
 */
export function cacheKeyIn(directory: string, options: { fs?: CacheKeyFs; log?: (message: string) => void } = {}): CacheKeySource {
  const fs: CacheKeyFs = options.fs ?? (nodeFs as unknown as CacheKeyFs);
  const file = path.join(directory, KEY_FILE_NAME);
  let loaded: Promise<CacheKey | undefined> | undefined;

  async function read(): Promise<CacheKey | 'absent'> {
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ENOENT') return 'absent';
      throw error;
    }
    const hex = text.trim();
    if (!KEY_FILE_TEXT.test(hex)) throw new Error(`${file} is not a key (remove it and a new one is made)`);
    return new CacheKey(Buffer.from(hex, 'hex'));
  }

  async function create(): Promise<CacheKey> {
    await fs.mkdir(directory, { recursive: true, mode: 0o700 });
    const secret = randomBytes(KEY_BYTES);
    const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await fs.writeFile(temp, `${secret.toString('hex')}\n`, { mode: 0o600 });
      try {
        await fs.link(temp, file);
      } catch (error) {
        if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
        const winner = await read();
        if (winner === 'absent') throw error;
        return winner;
      }
      return new CacheKey(secret);
    } finally {
      await fs.rm(temp, { force: true }).catch(() => undefined);
    }
  }

  return () =>
    (loaded ??= (async () => {
      try {
        const found = await read();
        return found !== 'absent' ? found : await create();
      } catch (error) {
        options.log?.(
          `the key that authenticates cached results cannot be read or made (${error instanceof Error ? error.message : String(error)}): results and trusted publishers are kept in memory only`,
        );
        return undefined;
      }
    })());
}

/** A source that always answers this key (tests, and clients that keep the key themselves). */
export function fixedCacheKey(key: CacheKey | undefined): CacheKeySource {
  return () => Promise.resolve(key);
}

/** The user's key at the default location (the shells' choice); undefined when there is no home to keep it in. */
export function userCacheKey(env: Readonly<Record<string, string | undefined>>, log?: (message: string) => void): CacheKeySource {
  let directory: string;
  try {
    directory = defaultKeyDirectory(env);
  } catch (error) {
    return async () => {
      log?.(`the key that authenticates cached results has no home (${error instanceof Error ? error.message : String(error)}): results and trusted publishers are kept in memory only`);
      return undefined;
    };
  }
  return cacheKeyIn(directory, { log });
}
