/**
 * The links of a provenance hover, built from what the verified certificate says (never from
 * unverified text): the repository, the workflow file at the signing commit, the commit, the CI
 * run, the transparency log entry, and the project on the index. Every link is https and made of
 * percent-encoded path segments, so nothing in a claim can break out of a Markdown link.
 */
import type { ProvenanceDetails } from '../core/result';
import { redactUrl } from '../index/redact';

const HOSTS: Readonly<Record<string, string>> = { GitHub: 'https://github.com', GitLab: 'https://gitlab.com' };

/** The project pages of the indexes that have them; other indexes get their simple page. */
const PROJECT_PAGES: Readonly<Record<string, string>> = { 'pypi.org': 'https://pypi.org/project/', 'test.pypi.org': 'https://test.pypi.org/project/' };

export interface ProvenanceLinks {
  repository?: string;
  workflow?: string;
  commit?: string;
  run?: string;
  transparencyLog?: string;
}

export function provenanceLinks(details: ProvenanceDetails, options: { publicGoodLog: boolean }): ProvenanceLinks {
  const links: ProvenanceLinks = {};
  const host = HOSTS[details.publisherKind];
  const repository = details.repository !== undefined && isRepositoryPath(details.repository) ? details.repository : undefined;
  const base = host !== undefined && repository !== undefined ? `${host}/${segments(repository)}` : undefined;
  if (base !== undefined) links.repository = base;
  else if (details.repositoryUrl !== undefined && isHttps(details.repositoryUrl)) links.repository = details.repositoryUrl;

  const at = details.commit !== undefined && /^[0-9a-f]{7,64}$/i.test(details.commit) ? details.commit : refName(details.ref);
  if (base !== undefined && details.workflowPath !== undefined && at !== undefined) {
    const blob = details.publisherKind === 'GitLab' ? '-/blob' : 'blob';
    links.workflow = `${base}/${blob}/${segments(at)}/${segments(details.workflowPath.replace(/^\/+/, ''))}`;
  }
  if (base !== undefined && details.commit !== undefined && /^[0-9a-f]{7,64}$/i.test(details.commit)) {
    links.commit = `${base}/${details.publisherKind === 'GitLab' ? '-/commit' : 'commit'}/${details.commit}`;
  }
  if (details.runUrl !== undefined && isHttps(details.runUrl)) links.run = safeUrl(details.runUrl);
  if (options.publicGoodLog && Number.isSafeInteger(details.logIndex) && details.logIndex >= 0) links.transparencyLog = `https://search.sigstore.dev/?logIndex=${details.logIndex}`;
  return links;
}

/**
 * The project's page on its index: pypi.org's (and TestPyPI's) project page for the version, else
 * the simple index page the files were read from (without credentials).
 */
export function projectLink(name: string, version: string | undefined, pageUrl: string | undefined): string | undefined {
  if (pageUrl === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(pageUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const page = url.protocol === 'https:' ? PROJECT_PAGES[url.hostname] : undefined;
  if (page !== undefined) return `${page}${encodeURIComponent(name)}/${version !== undefined ? `${encodeURIComponent(version)}/` : ''}`;
  url.username = '';
  url.password = '';
  // A page whose URL carries a token (in its path or query) gets no link: the link would show it.
  if (redactUrl(url.href) !== url.href) return undefined;
  return safeUrl(url.href);
}

/** `refs/heads/main` → `main`, `refs/tags/v1` → `v1`. */
export function refName(ref: string | undefined): string | undefined {
  if (ref === undefined || ref === '') return undefined;
  return ref.replace(/^refs\/(heads|tags)\//, '');
}

function isRepositoryPath(text: string): boolean {
  return /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(text) && !text.split('/').some((part) => part === '.' || part === '..');
}

function segments(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function isHttps(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

/** A URL with the characters that could end a Markdown link destination escaped. */
export function safeUrl(url: string): string {
  return url.replace(/[()<>\s"'`\\[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}
