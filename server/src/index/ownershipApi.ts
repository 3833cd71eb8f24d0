/**
 * The `ownership` object of PyPI's JSON API (`GET {index root}/pypi/{name}/json`, CONTRACT §3):
 * `{ "roles": [{ "role": "Owner", "user": "alice" }, …], "organization": "acme" | null }`, the
 * roles sorted Owners first, then by user (warehouse `legacy/api/json.py`). Only that object is
 * read of an answer that also holds the whole project; it is checked here so that nothing
 * hostile (a million roles, a role object nested to the sky) reaches a message.
 */
import { IndexError } from './errors';
import { redactUrl } from './redact';
import { mediaType } from './simpleApi';

export interface ProjectRole {
  /** `Owner` or `Maintainer` on PyPI. */
  role: string;
  /** The user's name on the index. */
  user: string;
}

export interface ProjectOwnership {
  roles: ProjectRole[];
  /** The organization that owns the project, or null. */
  organization: string | null;
}

/** More roles than any real project has: the answer is refused rather than shown. */
const MAX_ROLES = 1000;
const MAX_NAME_LENGTH = 200;

/** `{index root}/pypi/{name}/json` for a simple-index URL ending in `simple/`; undefined for any other (its JSON API, if any, is unknown). */
export function jsonApiUrl(indexUrl: string, normalizedName: string): string | undefined {
  const base = indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`;
  if (!base.endsWith('/simple/')) return undefined;
  return `${base.slice(0, -'simple/'.length)}pypi/${encodeURIComponent(normalizedName)}/json`;
}

/** The ownership in a JSON API answer; undefined when the answer has none. An answer of another shape is an IndexError. */
export function parseOwnership(body: string | Buffer, contentType: string | undefined, url: string): ProjectOwnership | undefined {
  const where = redactUrl(url);
  const type = mediaType(contentType);
  if (type !== 'application/json') throw new IndexError('bad-content-type', `${where} answered ${type === '' ? 'no content type' : type}, not application/json`);
  let data: unknown;
  try {
    data = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch {
    throw new IndexError('bad-json', `${where} answered JSON that does not parse`);
  }
  if (!isObject(data)) throw new IndexError('bad-response', `${where} answered JSON that is not an object`);
  if (!('ownership' in data)) return undefined;
  const ownership = data.ownership;
  if (!isObject(ownership) || !Array.isArray(ownership.roles)) throw new IndexError('bad-response', `${where} answered an ownership that is not an object with roles`);
  if (ownership.roles.length > MAX_ROLES) throw new IndexError('bad-response', `${where} answered more than ${MAX_ROLES} roles`);
  const roles: ProjectRole[] = [];
  for (const role of ownership.roles) {
    if (!isObject(role) || !isName(role.role) || !isName(role.user)) throw new IndexError('bad-response', `${where} answered a role that is not a role and a user name`);
    roles.push({ role: role.role, user: role.user });
  }
  const organization = ownership.organization ?? null;
  if (organization !== null && !isName(organization)) throw new IndexError('bad-response', `${where} answered an organization that is not a name`);
  return { roles, organization };
}

function isName(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= MAX_NAME_LENGTH;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
