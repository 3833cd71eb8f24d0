/**
 * What pip makes of the requirement part of a line (pip's `parse_req_from_line` and
 * `parse_editable`): a PEP 508 requirement, a URL, a local path or archive, or an editable
 * project. Spans are offsets into the text given.
 *
 * pip takes text that is not a URL as a local directory only when it looks like a path and the
 * directory exists. This module has no file system, so it takes as a directory only what is
 * written as one: `.`, `..`, or a path starting with `./`, `../`, `/` (or their Windows forms,
 * or a drive letter). Anything else that is not valid PEP 508 is a `syntax` error, with a hint
 * when it looks like a requirements file (`-r` missing) or a directory (`./` missing): a typo must
 * never pass as a path requirement.
 */
import { isValidName, parseMarker, parsePep508, scanName, type Pep508Requirement, type Span } from '../pep508';
import { isPythonSpace } from './logicalLines';

export interface LineRequirement {
  /** The project name as written; '' when the requirement names no project (`./pkg`, a bare URL). */
  rawName: string;
  /** The name, or the whole URL/path when there is no name. */
  nameSpan: Span;
  extras: string[];
  specifier: string;
  pinnedVersion?: string;
  versionSpan?: Span;
  marker?: string;
  /** A URL or local path (as written, extras removed). */
  url?: string;
  /** First character of the name (or URL/path) to the end of the specifier/marker. */
  span: Span;
}

export interface LineProblem {
  message: string;
  span: Span;
}

export type LineRequirementResult =
  | { ok: true; requirement: LineRequirement; problems: LineProblem[] }
  | { ok: false; message: string; span: Span };

/** pip's `is_url`: the text before the first `:` is a scheme pip downloads from. */
const URL_SCHEMES = new Set([
  'http',
  'https',
  'file',
  'ftp',
  'git',
  'git+http',
  'git+https',
  'git+ssh',
  'git+git',
  'git+file',
  'hg+file',
  'hg+http',
  'hg+https',
  'hg+ssh',
  'hg+static-http',
  'svn',
  'svn+ssh',
  'svn+http',
  'svn+https',
  'svn+svn',
  'svn+file',
  'bzr+http',
  'bzr+https',
  'bzr+ssh',
  'bzr+sftp',
  'bzr+ftp',
  'bzr+lp',
  'bzr+file',
]);

const VCS_NAMES = ['git', 'hg', 'svn', 'bzr'];

const ARCHIVE_EXTENSIONS = ['.whl', '.zip', '.tar.gz', '.tgz', '.tar', '.tar.bz2', '.tbz', '.tar.xz', '.txz', '.tlz', '.tar.lz', '.tar.lzma'];

export function urlScheme(text: string): string | undefined {
  const colon = text.indexOf(':');
  return colon < 0 ? undefined : text.slice(0, colon).toLowerCase();
}

export function isUrl(text: string): boolean {
  const scheme = urlScheme(text);
  return scheme !== undefined && URL_SCHEMES.has(scheme);
}

export function isVcsUrl(text: string): boolean {
  const scheme = urlScheme(text);
  return scheme !== undefined && URL_SCHEMES.has(scheme) && VCS_NAMES.some((vcs) => scheme === vcs || scheme.startsWith(`${vcs}+`));
}

function looksLikePath(text: string): boolean {
  return text.includes('/') || text.includes('\\') || text.startsWith('.');
}

/** A path written as one: what this module takes as a local directory without looking at the disk. */
function isExplicitPath(text: string): boolean {
  return text === '.' || text === '..' || /^(?:\.{1,2}[/\\]|[/\\]|[A-Za-z]:[/\\])/.test(text);
}

/** What to add to the message of an invalid requirement that looks like a path, if anything. */
function pathHint(text: string): string {
  if (!looksLikePath(text) || /\s/.test(text)) return '';
  if (/\.(?:txt|in)$/i.test(text)) return ` Did you mean "-r ${truncate(text, 120)}"? A requirements file is included with -r.`;
  return ` If it is a local directory, write it as "./${truncate(text, 120)}": pip takes a path only when it exists or starts with ./, ../ or /.`;
}

function isArchive(path: string): boolean {
  const lower = path.toLowerCase();
  return ARCHIVE_EXTENSIONS.some((ext) => lower.endsWith(ext) && lower.length > ext.length);
}

/** A non-editable requirement line's requirement text. */
export function readRequirement(text: string): LineRequirementResult {
  const { start, end } = trimmed(text);
  if (start === end) return { ok: false, message: 'Expected a requirement', span: { start, end } };
  const body = text.slice(start, end);

  if (isUrl(body)) {
    // pip splits a URL's marker at "; " (with the space), since ";" may occur in URLs.
    const sep = body.indexOf('; ');
    return locationRequirement(text, start, sep < 0 ? end : start + sep, sep < 0 ? undefined : start + sep + 1, end);
  }

  const semi = body.indexOf(';');
  const beforeMarker = semi < 0 ? body : body.slice(0, semi);
  const at = beforeMarker.indexOf('@');
  const pathLike = trimmed(beforeMarker);
  const pathText = stripExtras(beforeMarker.slice(pathLike.start, pathLike.end)).path;
  const archive = isArchive(pathText) && !(at >= 0 && !looksLikePath(beforeMarker.slice(0, at)));
  if (archive) return locationRequirement(text, start, semi < 0 ? end : start + semi, semi < 0 ? undefined : start + semi, end);

  const parsed = parsePep508(body);
  if (parsed.ok) {
    return { ok: true, problems: [], requirement: fromPep508(parsed.requirement, start) };
  }
  if (isExplicitPath(pathText)) {
    const unclosed = unclosedExtras(pathText, start + pathLike.start);
    if (unclosed) return unclosed;
    return locationRequirement(text, start, semi < 0 ? end : start + semi, semi < 0 ? undefined : start + semi, end);
  }
  // pip splits options off at spaces only, so a tab before `--hash` leaves it in the requirement.
  const tabHint = /\t-/.test(body) ? ' (pip sees options only after a space, not after a tab)' : '';
  const hint = pathHint(beforeMarker.trim());
  return { ok: false, message: `Invalid requirement: ${parsed.message}${tabHint}${hint ? `.${hint}` : ''}`, span: shift(parsed.span, start) };
}

/** The value of `-e`/`--editable`. */
export function readEditable(text: string): LineRequirementResult {
  const { start, end } = trimmed(text);
  if (start === end) return { ok: false, message: 'Expected a path or VCS URL after -e', span: { start, end } };
  const body = text.slice(start, end);

  // pip 26 also takes `name[extras] @ URL ; marker` for an editable.
  const parsed = parsePep508(body);
  if (parsed.ok && parsed.requirement.url !== undefined) {
    const r = parsed.requirement;
    const url = r.url as string;
    if (!isVcsUrl(url) && urlScheme(url) !== 'file') {
      return { ok: false, message: notEditableMessage(), span: shift(r.urlSpan as Span, start) };
    }
    return { ok: true, problems: [], requirement: fromPep508(r, start) };
  }

  const { path, extras, open } = stripExtras(body);
  const pathEnd = start + path.length;
  const problems: LineProblem[] = [];
  const extraNames = extras === undefined ? [] : readExtras(text, start + (open as number), end, problems);
  const span = { start, end };
  let url = path;
  const lower = path.toLowerCase();
  const vcsPrefix = VCS_NAMES.find((vcs) => lower.startsWith(`${vcs}:`));
  if (vcsPrefix) url = `${vcsPrefix}+${path}`;
  if (!isUrl(url)) {
    // `./editable[d` is no directory pip could find, and no extras either.
    const unclosed = unclosedExtras(path, start);
    if (unclosed) return unclosed;
    // A local project directory (pip checks that it exists; we cannot).
    return { ok: true, problems, requirement: { rawName: '', nameSpan: { start, end: pathEnd }, extras: extraNames, specifier: '', url: path, span } };
  }
  if (!isVcsUrl(url) && urlScheme(url) !== 'file') return { ok: false, message: notEditableMessage(), span };
  const egg = eggName(text, start, pathEnd, problems);
  if (!egg && urlScheme(url) !== 'file') {
    return { ok: false, message: 'Cannot tell the project name of this editable VCS requirement: write it as "name @ URL"', span };
  }
  return {
    ok: true,
    problems,
    requirement: {
      rawName: egg ? text.slice(egg.start, egg.end) : '',
      nameSpan: egg ?? { start, end: pathEnd },
      extras: extraNames,
      specifier: '',
      url: path,
      span,
    },
  };
}

function notEditableMessage(): string {
  return 'Not a valid editable requirement: use a path to a local project or a VCS URL (git+, hg+, svn+ or bzr+)';
}

/**
 * A URL or local path requirement occupying [start, locationEnd), with a marker after the
 * separator at `markerSep` (the `;`) when there is one.
 */
function locationRequirement(text: string, start: number, locationEnd: number, markerSep: number | undefined, end: number): LineRequirementResult {
  const problems: LineProblem[] = [];
  const loc = trimmedRange(text, start, locationEnd);
  let location = text.slice(loc.start, loc.end);
  const url = isUrl(location);
  let extras: string[] = [];
  let pathEnd = loc.end;
  if (!url) {
    const stripped = stripExtras(location);
    if (stripped.extras !== undefined) {
      pathEnd = loc.start + stripped.path.length;
      extras = readExtras(text, loc.start + (stripped.open as number), loc.end, problems);
      location = stripped.path;
    }
  }
  if (loc.start === loc.end) return { ok: false, message: 'Expected a URL or path before ";"', span: { start, end } };

  let marker: string | undefined;
  let spanEnd = loc.end;
  if (markerSep !== undefined) {
    const m = trimmedRange(text, markerSep + 1, end);
    if (m.start < m.end) {
      const markerText = text.slice(m.start, m.end);
      const parsedMarker = parseMarker(markerText);
      if (!parsedMarker.ok) return { ok: false, message: `Invalid marker: ${parsedMarker.message}`, span: shift(parsedMarker.span, m.start) };
      marker = markerText;
      spanEnd = m.end;
    }
  }

  const named = nameFromLocation(text, loc.start, pathEnd, url, problems);
  return {
    ok: true,
    problems,
    requirement: {
      rawName: named ? text.slice(named.start, named.end) : '',
      nameSpan: named ?? { start: loc.start, end: pathEnd },
      extras,
      specifier: '',
      ...(marker !== undefined ? { marker } : {}),
      url: location,
      span: { start: loc.start, end: spanEnd },
    },
  };
}

/** The project name a URL or path carries: a wheel's file name, else `#egg=`. */
function nameFromLocation(text: string, start: number, end: number, url: boolean, problems: LineProblem[]): Span | undefined {
  const location = text.slice(start, end);
  let pathEnd = location.length;
  if (url) {
    const cut = location.search(/[?#]/);
    if (cut >= 0) pathEnd = cut;
  }
  const path = withoutTrailingSlashes(location.slice(0, pathEnd));
  const slash = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  const filename = path.slice(slash + 1);
  if (filename.endsWith('.whl')) {
    const parts = filename.slice(0, -4).split('-');
    if ((parts.length === 5 || parts.length === 6) && parts.every((p) => p.length > 0) && isValidName(parts[0])) {
      const nameStart = start + slash + 1;
      return { start: nameStart, end: nameStart + parts[0].length };
    }
    problems.push({ message: `"${truncate(filename)}" is not a valid wheel file name (name-version[-build]-python-abi-platform.whl)`, span: { start: start + slash + 1, end: start + pathEnd } });
    return undefined;
  }
  return url ? eggName(text, start, end, problems) : undefined;
}

/** The name in a `#egg=name` (or `&egg=name`) fragment, as pip's Link reads it. */
function eggName(text: string, start: number, end: number, problems: LineProblem[]): Span | undefined {
  const location = text.slice(start, end);
  const match = /[#&]egg=([^&]*)/.exec(location);
  if (!match) return undefined;
  const valueStart = start + match.index + 5;
  const value = match[1];
  // `name[extras]` in an egg fragment is legacy; the name is what matters here.
  const nameEnd = scanName(value, 0);
  const bracket = value.indexOf('[');
  const nameOnly = bracket >= 0 ? value.slice(0, bracket) : value;
  if (nameEnd < 0 || nameEnd !== nameOnly.length) {
    problems.push({ message: 'The #egg= fragment must be a project name', span: { start: valueStart, end: valueStart + value.length } });
    return undefined;
  }
  return { start: valueStart, end: valueStart + nameEnd };
}

/**
 * pip's `strip_extras`: a trailing, non-empty `[...]` on a path, and the path before it without
 * its trailing blanks (`simple-0.1-py2.py3-none-any.whl [ext]` is the wheel with extra `ext`).
 * `open` is the offset of the `[`.
 */
function stripExtras(path: string): { path: string; extras?: string; open?: number } {
  if (!path.endsWith(']')) return { path };
  const open = path.lastIndexOf('[');
  if (open <= 0 || open === path.length - 2 || path.indexOf(']', open) !== path.length - 1) return { path };
  const before = trimmedRange(path, 0, open);
  if (before.end === 0) return { path };
  return { path: path.slice(0, before.end), extras: path.slice(open), open };
}

/** A `[` left open in a local path (`./pkg[dev`): neither a directory pip could find nor extras. */
function unclosedExtras(path: string, offset: number): LineRequirementResult | undefined {
  const open = path.indexOf('[');
  if (open < 0) return undefined;
  const message = path.includes(']', open) ? 'Extras go at the end of a path as a non-empty [a,b]' : 'Expected "]" to close the extras opened here';
  return { ok: false, message, span: { start: offset + open, end: offset + (path.includes(']', open) ? path.length : open + 1) } };
}

/** Extra names in text[start, end) = `[a, b]`. */
function readExtras(text: string, start: number, end: number, problems: LineProblem[]): string[] {
  const inner = text.slice(start + 1, end - 1);
  const names: string[] = [];
  let offset = start + 1;
  for (const part of inner.split(',')) {
    const lead = part.length - part.trimStart().length;
    const name = part.trim();
    if (name && isValidName(name)) names.push(name);
    else if (name || inner.trim()) problems.push({ message: `Invalid extra name "${truncate(name)}"`, span: { start: offset + lead, end: offset + lead + name.length } });
    offset += part.length + 1;
  }
  return names;
}

function trimmed(text: string): Span {
  return trimmedRange(text, 0, text.length);
}

function trimmedRange(text: string, start: number, end: number): Span {
  let s = start;
  let e = end;
  while (s < e && isPythonSpace(text.charCodeAt(s))) s++;
  while (e > s && isPythonSpace(text.charCodeAt(e - 1))) e--;
  return { start: s, end: e };
}

/** A PEP 508 requirement parsed from the line's text at `start`, in line offsets. */
function fromPep508(r: Pep508Requirement, start: number) {
  return {
    rawName: r.name,
    nameSpan: shift(r.nameSpan, start),
    extras: r.extras,
    specifier: r.specifier,
    ...(r.pinnedVersion !== undefined ? { pinnedVersion: r.pinnedVersion, versionSpan: shift(r.versionSpan as Span, start) } : {}),
    ...(r.marker !== undefined ? { marker: r.marker } : {}),
    ...(r.url !== undefined ? { url: r.url } : {}),
    span: shift(r.span, start),
  };
}

function shift(span: Span, by: number): Span {
  return { start: span.start + by, end: span.end + by };
}

function truncate(s: string, limit = 40): string {
  return s.length > limit ? `${s.slice(0, limit - 3)}…` : s;
}

/** `path` without its trailing `/` and `\\` (a loop: `/[/\\]+$/` is quadratic on a long run of them). */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && (path[end - 1] === '/' || path[end - 1] === '\\')) end--;
  return path.slice(0, end);
}
