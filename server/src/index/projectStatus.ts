/**
 * PEP 792 project status markers, as the simple API (version 1.4) carries them:
 * - JSON: a top-level `project-status` object, `{ "status": "archived", "reason": "…" }` (what
 *   PyPI serves and uv reads); `state` is read where an index writes that instead of `status`,
 *   and the spec's example form, `meta["project-status"]` / `meta["project-status-reason"]`
 *   strings, is read when there is no object;
 * - HTML: `<meta name="pypi:project-status" content="…">` and `pypi:project-status-reason`.
 * A status is advisory: a missing, unknown or malformed marker is ignored (with a page warning
 * for the hover), never a reason to reject the page, and it never throws.
 */
import { Parser } from 'htmlparser2';

export const PROJECT_STATUS_MARKERS = ['active', 'archived', 'quarantined', 'deprecated'] as const;
export type ProjectStatusMarker = (typeof PROJECT_STATUS_MARKERS)[number];

export interface ProjectStatus {
  status: ProjectStatusMarker;
  /** The index's own words, as it wrote them but bounded (MAX_REASON_CHARS); shown only sanitized. */
  reason?: string;
}

/** A reason longer than this is cut: it is the index's text, and a hostile index can send megabytes. */
export const MAX_REASON_CHARS = 1000;
/** Longer values are not even looked at as a marker. */
const MAX_MARKER_CHARS = 40;

/** The status of a PEP 691 JSON page (its parsed object); `warnings` receives what was ignored. */
export function projectStatusFromJson(page: Readonly<Record<string, unknown>>, warnings: string[]): ProjectStatus | undefined {
  const object = own(page, 'project-status');
  if (object !== undefined && object !== null) {
    if (!isObject(object)) {
      warnings.push('the project status the index gives is not an object (ignored)');
      return undefined;
    }
    const marker = own(object, 'status') ?? own(object, 'state');
    return fromValues(marker, own(object, 'reason'), warnings);
  }
  const meta = own(page, 'meta');
  if (isObject(meta) && own(meta, 'project-status') !== undefined) return fromValues(own(meta, 'project-status'), own(meta, 'project-status-reason'), warnings);
  return undefined;
}

/** The status of a PEP 503 HTML page, from its `pypi:project-status` meta tags (the first of each counts). */
export function projectStatusFromHtml(html: string, warnings: string[]): ProjectStatus | undefined {
  const found: { status?: string; reason?: string } = {};
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name !== 'meta') return;
        const key = (attributes.name ?? '').trim().toLowerCase();
        const content = attributes.content;
        if (content === undefined) return;
        if (key === 'pypi:project-status') found.status ??= content;
        else if (key === 'pypi:project-status-reason') found.reason ??= content;
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  if (found.status === undefined) return undefined;
  return fromValues(found.status, found.reason, warnings);
}

function fromValues(marker: unknown, reason: unknown, warnings: string[]): ProjectStatus | undefined {
  if (marker === undefined || marker === null) return undefined;
  if (typeof marker !== 'string') {
    warnings.push('the project status the index gives is not a string (ignored)');
    return undefined;
  }
  const status = marker.length <= MAX_MARKER_CHARS ? marker.trim().toLowerCase() : '';
  if (!(PROJECT_STATUS_MARKERS as readonly string[]).includes(status)) {
    warnings.push(`the index gives an unknown project status "${preview(marker)}" (ignored)`);
    return undefined;
  }
  const result: ProjectStatus = { status: status as ProjectStatusMarker };
  if (typeof reason === 'string' && reason.trim() !== '') result.reason = reason.trim().slice(0, MAX_REASON_CHARS);
  else if (reason !== undefined && reason !== null && typeof reason !== 'string') warnings.push('the project status reason the index gives is not a string (ignored)');
  return result;
}

/** The value of an own property (never one from the prototype: `constructor` is no status). */
function own(object: Readonly<Record<string, unknown>>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function preview(text: string): string {
  const printable = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069"]/g, '?');
  return printable.length > MAX_MARKER_CHARS ? `${printable.slice(0, MAX_MARKER_CHARS - 1)}…` : printable;
}
