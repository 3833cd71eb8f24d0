/**
 * What the output channel says about settings: which index a document is checked against, and
 * each change of a `pypiProvenance` setting, old → new. Never a secret: an index URL is shown as
 * its scheme, host and port, and those path segments that are plain words ("simple", "pypi");
 * any other segment, the query, the fragment and the user:password@ part become `***`.
 */
import { SETTINGS_SECTION } from '../constants';

/** Path segments shown as they are: words an index path is made of, never a token. */
const PLAIN_SEGMENT = /^[A-Za-z_][A-Za-z._-]{0,23}$/;

export function safeUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value.trim() === '' ? '(empty)' : '(not a URL)';
  }
  const userinfo = url.username !== '' || url.password !== '' ? '***@' : '';
  const segments = url.pathname.split('/').map((segment) => (segment === '' || (PLAIN_SEGMENT.test(segment) && !/\d/.test(segment)) ? segment : '***'));
  const rest = url.search !== '' || url.hash !== '' ? '?***' : '';
  return `${url.protocol}//${userinfo}${url.host}${segments.join('/')}${rest}`;
}

/** A setting's value in a log line. */
export function safeValue(key: string, value: unknown): string {
  if (value === undefined) return '(default)';
  if (key === 'indexUrl' && typeof value === 'string') return safeUrl(value);
  if (typeof value === 'string') return value === '' ? '""' : JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  return JSON.stringify(value);
}

/** The settings that changed between two snapshots, as log lines. */
export function settingsChanges(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>, where = ''): string[] {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys
    .filter((key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .map((key) => `[client] setting ${SETTINGS_SECTION}.${key}${where} changed: ${safeValue(key, before[key])} → ${safeValue(key, after[key])}`);
}

