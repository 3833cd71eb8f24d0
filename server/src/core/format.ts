import type { DocumentFormat } from './model';

/**
 * Which parser a file name calls for; undefined when it is not a dependency file we know. The one
 * place that decides it: the LSP, the CLI's walk and named inputs, and parsers/lockFiles.ts
 * (`lockFileKind`) all ask this.
 */
export function formatOfPath(pathOrUri: string): DocumentFormat | undefined {
  const clean = decodeURIComponentSafe(withoutQueryOrFragment(pathOrUri));
  const segments = clean.split(/[\\/]/);
  const base = segments[segments.length - 1] ?? '';
  const parent = segments[segments.length - 2] ?? '';
  if (base === 'pyproject.toml') return 'pyproject';
  if (base === 'pylock.toml' || /^pylock\.[^/\\]+\.toml$/.test(base)) return 'pylock';
  // The lock files of uv and Poetry by their exact names (never every `.lock`: pdm.lock, Cargo.lock… are not read).
  if (base === 'uv.lock') return 'uvlock';
  if (base === 'poetry.lock') return 'poetrylock';
  // pip-tools inputs (`requirements.in`) count too, but not every `*.in` (MANIFEST.in is not one).
  if (/^(requirements|constraints).*\.(txt|in)$/.test(base) || /requirements\.(txt|in)$/.test(base)) return 'requirements';
  if (parent === 'requirements' && /\.(txt|in)$/.test(base)) return 'requirements';
  return undefined;
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The text before the first `?` or `#` (a URL's path part), found without a backtracking regex. */
export function withoutQueryOrFragment(url: string): string {
  // indexOf, not a regular expression: lock files call this for each of thousands of files.
  const query = url.indexOf('?');
  const fragment = url.indexOf('#');
  const cut = query < 0 ? fragment : fragment < 0 ? query : Math.min(query, fragment);
  return cut < 0 ? url : url.slice(0, cut);
}

/**
 * What the server adds to a message about a failure it will try again (the index could not be
 * asked, say). A one-shot run (the CLI) tries nothing again, so it takes the note off.
 */
export const WILL_RETRY = ' (will retry)';

/** The message without the retry note (for runs that end, like the CLI's). */
export function withoutRetryNote(message: string): string {
  return message.endsWith(WILL_RETRY) ? message.slice(0, -WILL_RETRY.length) : message;
}

/**
 * A message that leads with its verdict, ErrorLens style, so that a cut-off line (the Problems
 * panel, an inline hint) still says what happened: `Attestation invalid: the signature does not
 * match (x-1.0.tar.gz)`. The file it is about goes last; a retry note stays at the very end.
 */
export function verdictFirst(verdict: string, detail: string, filename?: string): string {
  const retry = detail.endsWith(WILL_RETRY);
  const reason = retry ? detail.slice(0, -WILL_RETRY.length) : detail;
  return `${verdict}: ${reason}${filename !== undefined ? ` (${filename})` : ''}${retry ? WILL_RETRY : ''}`;
}
