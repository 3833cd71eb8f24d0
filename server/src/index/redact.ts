/**
 * Index URLs may carry credentials (`https://user:token@host/simple/`). They are sent as a Basic
 * `Authorization` header and must never show in logs, messages, errors or cache file names:
 * everything user-visible goes through redactUrl / redactSecrets.
 */

/** The URL with any userinfo replaced by `***`; unparsable input is scrubbed textually. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username === '' && parsed.password === '') return parsed.href;
    parsed.username = '***';
    parsed.password = '';
    return parsed.href;
  } catch {
    return redactSecrets(url);
  }
}

/** Scrubs `scheme://userinfo@` out of any text (error messages from libraries, for instance). */
export function redactSecrets(text: string): string {
  // The scheme is bounded in length, so a long run of letters (a hostile 10 MB project name in an
  // error message) costs at most 32 steps per position instead of the rest of the run.
  return text.replace(/([a-z][a-z0-9+.-]{0,31}:\/\/)[^/?#\s@]*@/gi, '$1***@');
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
