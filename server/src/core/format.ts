import type { DocumentFormat } from './model';

/** Which parser a file name calls for; undefined when it is not a dependency file we know. */
export function formatOfPath(pathOrUri: string): DocumentFormat | undefined {
  const clean = decodeURIComponentSafe(pathOrUri.replace(/[?#].*$/, ''));
  const segments = clean.split(/[\\/]/);
  const base = segments[segments.length - 1] ?? '';
  const parent = segments[segments.length - 2] ?? '';
  if (base === 'pyproject.toml') return 'pyproject';
  if (base === 'pylock.toml' || /^pylock\.[^/\\]+\.toml$/.test(base)) return 'pylock';
  if (/^requirements.*\.txt$/.test(base) || /requirements\.txt$/.test(base) || /^constraints.*\.txt$/.test(base)) return 'requirements';
  if (parent === 'requirements' && base.endsWith('.txt')) return 'requirements';
  if (base.endsWith('.in')) return 'requirements';
  return undefined;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
