/**
 * Where index answers persist when the `cacheDirectory` setting is empty: the OS's per-user cache
 * directory, as other developer tools put theirs (pip: ~/.cache/pip, ~/Library/Caches/pip,
 * %LOCALAPPDATA%\pip\Cache).
 */
import os from 'node:os';
import path from 'node:path';

export const CACHE_FOLDER_NAME = 'pypi-provenance';

export function defaultCacheDirectory(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA;
    const base = local !== undefined && path.win32.isAbsolute(local) ? local : path.win32.join(home, 'AppData', 'Local');
    return path.win32.join(base, CACHE_FOLDER_NAME, 'Cache');
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Caches', CACHE_FOLDER_NAME);
  // The XDG spec says a relative XDG_CACHE_HOME is invalid and must be ignored.
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg !== undefined && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.cache');
  return path.posix.join(base, CACHE_FOLDER_NAME);
}

/** The directory to persist in: the setting when given, else the shell's default (undefined: memory only). */
export function effectiveCacheDirectory(setting: string, shellDefault: string | undefined): string | undefined {
  const trimmed = setting.trim();
  return trimmed !== '' ? trimmed : shellDefault;
}
