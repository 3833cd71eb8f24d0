/**
 * Index URLs may carry credentials: in the userinfo (`https://user:token@host/simple/`), in a path
 * segment (`https://host/TOKEN/simple/`, as Gemfury does), in the query (`?token=…`) or the
 * fragment. Userinfo is sent as a Basic `Authorization` header; none of them may ever show in
 * logs, messages, errors, cache files or their names: everything user-visible goes through
 * redactUrl / redactSecrets, which keep the scheme, the host and the path's shape.
 *
 * Which path segment is a token cannot be known for sure; a segment is masked when it looks like
 * one (a known token prefix, a UUID, or a long run mixing letters and digits), which project
 * names, versions and file names do not (their words are short and split by `-`, `_` or `.`).
 */

const MASK = '***';
/** Prefixes of tokens that private indexes hand out (GitLab, GitHub, PyPI, Artifactory, Slack-style). */
const TOKEN_PREFIX = /^(?:glpat-|gldt-|glcbt-|glptt-|ghp_|gho_|ghs_|ghu_|github_pat_|pypi-|AKCp|cmVmdGtu|xox[abpr]-)/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A hash fragment (`#sha256=…`) is not a secret, and says which file was meant. */
const HASH_FRAGMENT = /^#[a-z0-9_]{1,16}=[0-9a-f]{1,128}$/i;

/** Whether a URL path segment (as written, percent-encoded) looks like a secret. */
export function looksLikeSecret(segment: string): boolean {
  if (segment.length < 16) return false;
  if (TOKEN_PREFIX.test(segment) || UUID.test(segment)) return true;
  for (const word of segment.split(/[-._~]/)) {
    if (word.length >= 32) return true;
    if (word.length >= 16 && /[0-9]/.test(word) && /[a-z]/i.test(word)) return true;
  }
  return false;
}

/**
 * URLs redacted lately: a pure function of its input, and a warm start redacts each of its 600
 * cached answers' URLs several times (parsing a URL costs microseconds each time). Bounded: once
 * full it starts again empty.
 */
const redacted = new Map<string, string>();
const REDACTED_KEPT = 1024;

/** The URL with userinfo, secret-looking path segments, query values and fragment replaced by `***`; unparsable input is scrubbed textually. */
export function redactUrl(url: string): string {
  const known = redacted.get(url);
  if (known !== undefined) return known;
  const result = redactUrlOnce(url);
  if (redacted.size >= REDACTED_KEPT) redacted.clear();
  redacted.set(url, result);
  return result;
}

function redactUrlOnce(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactSecrets(url);
  }
  const userinfo = parsed.username !== '' || parsed.password !== '' ? `${MASK}@` : '';
  const path = parsed.pathname
    .split('/')
    .map((segment) => (looksLikeSecret(segment) ? MASK : segment))
    .join('/');
  const search =
    parsed.search === ''
      ? ''
      : `?${parsed.search
          .slice(1)
          .split('&')
          .map((pair) => {
            const eq = pair.indexOf('=');
            return eq < 0 ? (pair === '' ? '' : MASK) : `${pair.slice(0, eq)}=${MASK}`;
          })
          .join('&')}`;
  const hash = parsed.hash === '' || HASH_FRAGMENT.test(parsed.hash) ? parsed.hash : `#${MASK}`;
  const authority = parsed.host === '' && !parsed.href.startsWith(`${parsed.protocol}//`) ? '' : `//${userinfo}${parsed.host}`;
  return `${parsed.protocol}${authority}${path}${search}${hash}`;
}

const SENTENCE_PUNCTUATION = new Set([')', '.', ',', ';', ':', '!', '?', ']']);

/** The URL without the punctuation that ends a sentence after it (a loop: linear, no regex). */
function withoutSentencePunctuation(found: string): string {
  let end = found.length;
  while (end > 0 && SENTENCE_PUNCTUATION.has(found[end - 1])) end--;
  return found.slice(0, end);
}

/** Every URL in any text (error messages from libraries, for instance) redacted as redactUrl does. */
export function redactSecrets(text: string): string {
  // The scheme is bounded in length, so a long run of letters (a hostile 10 MB project name in an
  // error message) costs at most 32 steps per position instead of the rest of the run; the rest of
  // the URL is one greedy run that never backtracks.
  return text.replace(/[a-z][a-z0-9+.-]{0,31}:\/\/[^\s"'<>`]*/gi, (found) => {
    // Punctuation that ends a sentence is not part of the URL.
    const url = withoutSentencePunctuation(found);
    const tail = found.slice(url.length);
    let redacted: string;
    try {
      new URL(url);
      redacted = redactUrl(url);
    } catch {
      const masked = url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, `$1${MASK}@`);
      const query = masked.search(/[?#]/);
      redacted = query < 0 ? masked : `${masked.slice(0, query)}?${MASK}`;
    }
    return redacted + tail;
  });
}

/**
 * The parts of a URL that redactUrl hides (userinfo, masked path segments, query values, a
 * fragment), decoded as well as written: whatever contains one of them must not be written to disk.
 */
export function secretsOf(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const found = new Set<string>();
  const add = (value: string) => {
    if (value.length < 3) return;
    found.add(value);
    found.add(safeDecode(value));
  };
  add(parsed.username);
  add(parsed.password);
  for (const segment of parsed.pathname.split('/')) if (looksLikeSecret(segment)) add(segment);
  for (const pair of parsed.search.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    add(eq < 0 ? pair : pair.slice(eq + 1));
  }
  if (parsed.hash !== '' && !HASH_FRAGMENT.test(parsed.hash)) add(parsed.hash.slice(1));
  return [...found];
}

export interface SplitCredentials {
  /** The URL without userinfo. */
  url: string;
  /** `Basic …` when the URL carried a user name or password. */
  authorization?: string;
}

/** Separates the userinfo of a URL into an `Authorization: Basic` value (pip does the same). */
export function splitCredentials(url: string): SplitCredentials {
  const parsed = new URL(url);
  if (parsed.username === '' && parsed.password === '') return { url: parsed.href };
  const user = safeDecode(parsed.username);
  const password = safeDecode(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, authorization: `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}` };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
