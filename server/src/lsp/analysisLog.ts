/**
 * The log line that names each document checked and the index it is checked against, as the
 * index choice (index/whichIndex.ts) makes it for the document: the file's own `--index-url`
 * when the workspace is trusted, else the `indexUrl` setting, PIP_INDEX_URL or PyPI. Said again
 * only when it changes (not at each keystroke). URLs are redacted (never a credential or a
 * token in a path).
 */
import { fileURLToPath } from 'node:url';
import { chooseIndex, type IndexSource } from '../index/whichIndex';
import { isResolvable, settingIndexUrl } from '../resolution/resolutionService';
import type { DocumentAnalysis } from './documentAnalyses';

const SOURCE_WORDS: Readonly<Record<IndexSource, string>> = {
  package: "the lock's package index",
  document: "the file's --index-url",
  setting: 'the indexUrl setting',
  environment: 'PIP_INDEX_URL',
  default: 'the default',
};

export function analysisLine(analysis: Pick<DocumentAnalysis, 'uri' | 'parsed' | 'settings'>, env: Readonly<Record<string, string | undefined>>): string {
  const { parsed, settings } = analysis;
  const choice = chooseIndex({
    settingIndexUrl: settingIndexUrl(settings),
    workspaceTrusted: settings.workspaceTrusted,
    documentIndexUrl: parsed.options.indexUrl,
    documentExtraIndexUrls: parsed.options.extraIndexUrls,
    env,
  });
  const pinned = parsed.dependencies.filter(isResolvable);
  const own = settings.workspaceTrusted ? pinned.filter((dependency) => dependency.indexUrl !== undefined && dependency.indexUrl.trim() !== '').length : 0;
  const parts = [`Checking ${documentName(analysis.uri)}: ${pinned.length === 1 ? '1 pinned dependency' : `${pinned.length} pinned dependencies`} against ${choice.displayUrl} (${SOURCE_WORDS[choice.source]})`];
  if (choice.extraIndexUrls.length > 0) parts.push(`and ${choice.extraIndexUrls.length === 1 ? '1 extra index' : `${choice.extraIndexUrls.length} extra indexes`} (--extra-index-url)`);
  if (own > 0) parts.push(`${own === 1 ? '1 package names' : `${own} packages name`} its own index`);
  if (settings.offline) parts.push('offline: cache only');
  const ignored = choice.ignored.map((i) => `${i.url}: ${i.reason}`);
  return `${parts.join('; ')}${ignored.length > 0 ? `; ignored ${ignored.join(', ')}` : ''}`;
}

/** Logs the line for each analysis when it differs from the last one said for the document. */
export function analysisLogger(log: (line: string) => void, env: Readonly<Record<string, string | undefined>>): { analysing(analysis: DocumentAnalysis): void; forget(uri: string): void } {
  const last = new Map<string, string>();
  return {
    analysing(analysis) {
      const line = analysisLine(analysis, env);
      if (last.get(analysis.uri) === line) return;
      last.set(analysis.uri, line);
      log(line);
    },
    forget: (uri) => void last.delete(uri),
  };
}

function documentName(uri: string): string {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : uri;
  } catch {
    return uri;
  }
}
