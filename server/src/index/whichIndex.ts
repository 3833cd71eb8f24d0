/**
 * Which index a dependency is resolved against (CONTRACT §2, §3). Index URLs named inside
 * workspace files (`--index-url`/`-i`, `--extra-index-url`, pylock `index`) are honoured only in a
 * trusted workspace — an untrusted repository must not be able to send our requests (and the
 * user's credentials) to a server of its choosing.
 */
import { DEFAULT_INDEX_URL } from './indexClient';
import { redactUrl } from './redact';

export interface IndexChoiceInput {
  /** The `indexUrl` setting; undefined or '' when the user did not set one. */
  settingIndexUrl?: string;
  /** The `workspaceTrusted` setting. */
  workspaceTrusted: boolean;
  /** A requirements file's `--index-url` (DocumentOptions.indexUrl). */
  documentIndexUrl?: string;
  /** A requirements file's `--extra-index-url`s (DocumentOptions.extraIndexUrls). */
  documentExtraIndexUrls?: readonly string[];
  /** A pylock package's `index` (Dependency.indexUrl). */
  packageIndexUrl?: string;
  /** The process environment (for PIP_INDEX_URL). */
  env?: Readonly<Record<string, string | undefined>>;
}

export type IndexSource = 'package' | 'document' | 'setting' | 'environment' | 'default';

export interface IndexChoice {
  /** The index to ask; may carry credentials: give it to the client, never show it. */
  indexUrl: string;
  /** Further indexes to ask (trusted `--extra-index-url`s); may carry credentials. */
  extraIndexUrls: string[];
  source: IndexSource;
  /** indexUrl redacted, for hovers and reports. */
  displayUrl: string;
  /** Index URLs the workspace named that are not used, redacted, with the reason. */
  ignored: Array<{ url: string; reason: string }>;
}

export function chooseIndex(input: IndexChoiceInput): IndexChoice {
  const ignored: IndexChoice['ignored'] = [];
  const usable = (url: string | undefined, what: string): url is string => {
    if (url === undefined || url.trim() === '') return false;
    if (isHttpUrl(url.trim())) return true;
    ignored.push({ url: redactUrl(url), reason: `${what} is not an http(s) URL` });
    return false;
  };

  let chosen: { url: string; source: IndexSource } | undefined;
  const fromWorkspace: Array<{ url: string | undefined; source: IndexSource; what: string }> = [
    { url: input.packageIndexUrl, source: 'package', what: 'the pylock package index' },
    { url: input.documentIndexUrl, source: 'document', what: '--index-url' },
  ];
  for (const candidate of fromWorkspace) {
    if (candidate.url === undefined || candidate.url.trim() === '') continue;
    if (!input.workspaceTrusted) {
      ignored.push({ url: redactUrl(candidate.url), reason: `${candidate.what} is ignored: the workspace is not trusted` });
    } else if (!chosen && usable(candidate.url, candidate.what)) {
      chosen = { url: candidate.url.trim(), source: candidate.source };
    }
  }
  if (!chosen && usable(input.settingIndexUrl, 'the indexUrl setting')) chosen = { url: input.settingIndexUrl.trim(), source: 'setting' };
  const fromEnv = input.env?.PIP_INDEX_URL;
  if (!chosen && usable(fromEnv, 'PIP_INDEX_URL')) chosen = { url: fromEnv.trim(), source: 'environment' };
  chosen ??= { url: DEFAULT_INDEX_URL, source: 'default' };

  const extraIndexUrls: string[] = [];
  for (const extra of input.documentExtraIndexUrls ?? []) {
    if (!input.workspaceTrusted) ignored.push({ url: redactUrl(extra), reason: '--extra-index-url is ignored: the workspace is not trusted' });
    else if (usable(extra, '--extra-index-url') && extra.trim() !== chosen.url && !extraIndexUrls.includes(extra.trim())) extraIndexUrls.push(extra.trim());
  }
  return { indexUrl: chosen.url, extraIndexUrls, source: chosen.source, displayUrl: redactUrl(chosen.url), ignored };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}
