/**
 * PEP 691 JSON project pages (with the PEP 700 and PEP 740 keys), validated strictly: an answer
 * that does not have the documented shape is an IndexError, never a half-read page.
 */
import { normalizeName } from '../core/names';
import { IndexError } from './errors';
import { projectStatusFromJson, type ProjectStatus } from './projectStatus';
import { redactUrl } from './redact';

export const SIMPLE_JSON_V1 = 'application/vnd.pypi.simple.v1+json';

export interface IndexFile {
  filename: string;
  /** Absolute download URL (resolved against the page URL). */
  url: string;
  /**
   * Lower-case algorithm → lower-case hex, as the index lists them; no prototype (the names are
   * the index's, and `constructor` is no hash).
   */
  hashes: Record<string, string>;
  sha256?: string;
  size?: number;
  /** ISO 8601 UTC, as the index wrote it. */
  uploadTime?: string;
  yanked: boolean;
  /** The yank reason when the index gave one. */
  yankedReason?: string;
  /** Absolute URL of the PEP 740 provenance object, when the index has one for this file. */
  provenanceUrl?: string;
  requiresPython?: string;
}

export interface ProjectPage {
  /** The project name as the page gives it. */
  name: string;
  /** `meta.api-version`, e.g. `1.3`. */
  apiVersion: string;
  /** The page URL (after redirects), without credentials. */
  url: string;
  files: IndexFile[];
  /** PEP 700 `versions`, when the index sends it. */
  versions?: string[];
  /** PEP 792 project status, when the index marks one (absent: active). */
  projectStatus?: ProjectStatus;
  /** Things ignored while reading the page (a provenance URL not on a secure origin, a newer minor version). */
  warnings: string[];
}

/** The newest minor version of the v1 API this reader knows (PEP 792 status markers = 1.4). */
const KNOWN_MINOR = 4;
const UPLOAD_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?Z$/;
const HEX = /^[0-9a-f]+$/;

/** The media type of a Content-Type header value, lower case, parameters removed. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Reads a project page. `pageUrl` is where it came from (relative URLs resolve against it);
 * `expectedName`, when given, must normalize to the page's `name`.
 */
export function parseProjectPage(body: Buffer | string, contentType: string | undefined, pageUrl: string, expectedName?: string): ProjectPage {
  const where = redactUrl(pageUrl);
  const type = mediaType(contentType);
  if (type !== SIMPLE_JSON_V1) {
    const what = type === '' ? 'no content type' : type.includes('html') ? `HTML (${type})` : type;
    throw new IndexError('bad-content-type', `${where} answered ${what}, not PEP 691 JSON (${SIMPLE_JSON_V1})`);
  }
  const data = parseJson(body, where);
  const fail = (path: string, problem: string): never => {
    throw new IndexError('bad-response', `${where} is not a valid PEP 691 page: ${path} ${problem}`);
  };
  if (!isObject(data)) return fail('the answer', 'is not a JSON object');
  const meta = data.meta;
  if (!isObject(meta)) return fail('meta', 'is missing or not an object');
  const apiVersion = meta['api-version'];
  if (typeof apiVersion !== 'string') return fail('meta.api-version', 'is missing or not a string');
  const versionMatch = /^(\d+)\.(\d+)$/.exec(apiVersion);
  if (!versionMatch) return fail('meta.api-version', `"${clip(apiVersion)}" is not Major.Minor`);
  if (Number(versionMatch[1]) !== 1) {
    throw new IndexError('unsupported-api-version', `${where} speaks simple API version ${apiVersion}; only version 1.x is supported`);
  }
  const warnings: string[] = [];
  if (Number(versionMatch[2]) > KNOWN_MINOR) warnings.push(`the index speaks simple API ${apiVersion}, newer than 1.${KNOWN_MINOR}`);

  const name = data.name;
  if (typeof name !== 'string' || name === '') return fail('name', 'is missing or not a string');
  if (expectedName !== undefined && normalizeName(name) !== normalizeName(expectedName)) {
    return fail('name', `is "${clip(name)}", not the project asked for (${normalizeName(expectedName)})`);
  }

  let versions: string[] | undefined;
  if (data.versions !== undefined && data.versions !== null) {
    if (!Array.isArray(data.versions) || !data.versions.every((v) => typeof v === 'string')) return fail('versions', 'is not a list of strings');
    versions = data.versions as string[];
  }

  if (!Array.isArray(data.files)) return fail('files', 'is missing or not a list');
  const pageOrigin = new URL(pageUrl).origin;
  const files = data.files.map((entry, i) => parseFile(entry, `files[${i}]`, pageUrl, pageOrigin, fail, warnings));
  const projectStatus = projectStatusFromJson(data, warnings);
  return { name, apiVersion, url: pageUrl, files, versions, warnings, ...(projectStatus ? { projectStatus } : {}) };
}

function parseFile(
  entry: unknown,
  path: string,
  pageUrl: string,
  pageOrigin: string,
  fail: (path: string, problem: string) => never,
  warnings: string[],
): IndexFile {
  if (!isObject(entry)) return fail(path, 'is not an object');
  const filename = entry.filename;
  if (typeof filename !== 'string' || filename === '' || /[\\/\0]/.test(filename)) return fail(`${path}.filename`, 'is missing or not a file name');
  const where = `${path} (${clip(filename)})`;

  if (typeof entry.url !== 'string') return fail(`${where}.url`, 'is missing or not a string');
  const url = resolveUrl(entry.url, pageUrl);
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) return fail(`${where}.url`, 'is not an http(s) URL');

  if (!isObject(entry.hashes)) return fail(`${where}.hashes`, 'is missing or not an object');
  const pairs: Array<[string, string]> = [];
  for (const [algorithm, value] of Object.entries(entry.hashes)) {
    if (typeof value !== 'string' || !HEX.test(value.toLowerCase())) return fail(`${where}.hashes.${clip(algorithm)}`, 'is not a hex digest');
    pairs.push([algorithm.toLowerCase(), value.toLowerCase()]);
  }
  const hashes = hashRecord(pairs);
  const sha256 = hashes.sha256;
  if (sha256 !== undefined && sha256.length !== 64) return fail(`${where}.hashes.sha256`, 'is not 64 hex digits');

  let size: number | undefined;
  if (entry.size !== undefined && entry.size !== null) {
    if (typeof entry.size !== 'number' || !Number.isSafeInteger(entry.size) || entry.size < 0) return fail(`${where}.size`, 'is not a non-negative integer');
    size = entry.size;
  }

  let uploadTime: string | undefined;
  const upload = entry['upload-time'];
  if (upload !== undefined && upload !== null) {
    if (typeof upload !== 'string' || !UPLOAD_TIME.test(upload) || Number.isNaN(Date.parse(upload))) {
      return fail(`${where}.upload-time`, 'is not an ISO 8601 UTC time (yyyy-mm-ddThh:mm:ss.ffffffZ)');
    }
    uploadTime = upload;
  }

  let yanked = false;
  let yankedReason: string | undefined;
  const yank = entry.yanked;
  if (yank !== undefined && yank !== null) {
    if (typeof yank === 'boolean') yanked = yank;
    else if (typeof yank === 'string') {
      yanked = yank !== '';
      if (yanked) yankedReason = yank;
    } else return fail(`${where}.yanked`, 'is neither a boolean nor a string');
  }

  let requiresPython: string | undefined;
  const requires = entry['requires-python'];
  if (requires !== undefined && requires !== null) {
    if (typeof requires !== 'string') return fail(`${where}.requires-python`, 'is not a string');
    requiresPython = requires;
  }

  let provenanceUrl: string | undefined;
  const provenance = entry.provenance;
  if (provenance !== undefined && provenance !== null) {
    if (typeof provenance !== 'string') return fail(`${where}.provenance`, 'is neither a string nor null');
    const resolved = resolveUrl(provenance, pageUrl);
    // PEP 740 wants a secure origin; the page's own origin is accepted too (a local test index).
    if (resolved !== undefined && (resolved.protocol === 'https:' || (resolved.protocol === 'http:' && resolved.origin === pageOrigin))) {
      resolved.username = '';
      resolved.password = '';
      provenanceUrl = resolved.href;
    } else {
      warnings.push(`${where}: provenance URL ignored (not a secure origin): ${redactUrl(resolved?.href ?? clip(provenance))}`);
    }
  }

  url.username = '';
  url.password = '';
  return { filename, url: url.href, hashes, sha256, size, uploadTime, yanked, yankedReason, provenanceUrl, requiresPython };
}

/**
 * A record of the index's names without a prototype (`constructor` is no hash), built as a
 * plain object that then loses its prototype: V8 keeps that compact (about 40 bytes), where an
 * Object.create(null) record is a hash table of about 190, and a large page has one per file.
 */
export function hashRecord(pairs: Iterable<readonly [string, string]>): Record<string, string> {
  const record: Record<string, string> = {};
  for (const [name, value] of pairs) {
    // `__proto__` is the one name an assignment would not make an own property of.
    if (name === '__proto__') Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
    else record[name] = value;
  }
  return Object.setPrototypeOf(record, null) as Record<string, string>;
}

function parseJson(body: Buffer | string, where: string): unknown {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch {
    throw new IndexError('bad-json', `${where} answered with a body that is not valid JSON`);
  }
}

function resolveUrl(value: string, base: string): URL | undefined {
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keeps hostile strings from flooding a message. */
export function clip(text: string): string {
  const printable = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return printable.length > 80 ? `${printable.slice(0, 77)}…` : printable;
}
