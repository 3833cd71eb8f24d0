/**
 * Ownership memory (issue 11 item 7): per (index, project) the owners, maintainers and
 * organization that the index's JSON API reported at first use (PyPI's `ownership` object). A
 * later answer that differs is `owners-changed`: xz-utils showed that a normal-looking change of
 * maintainers is how a takeover looks. The first answer stays the reference (CONTRACT §4: "differ
 * from those seen at first use").
 *
 * An index without that API (404, no `ownership` key, not a `…/simple/` URL) is not asked again
 * while the process runs (`OwnershipCheck.unavailable`). A failed request says nothing and is
 * tried again next time. Trust state, not cache: signed entries, lines of one journal every
 * process appends to (signedJournal.ts), in OWNERSHIP_SUBDIRECTORY, which Clear Cache keeps.
 */
import { VERDICTS } from '../core/verdicts';
import type { CacheKeySource } from '../core/cacheKey';
import type { Finding } from '../core/finding';
import type { Range } from '../core/model';
import { normalizeName } from '../core/names';
import type { OwnershipAnswer } from '../index/indexClient';
import type { ProjectOwnership, ProjectRole } from '../index/ownershipApi';
import { redactUrl } from '../index/redact';
import { shown } from './messages';
import { isObject, messageOf, type EntryCodec } from './signedEntries';
import { createSignedJournal } from './signedJournal';
import { normalizeIndexUrl } from './trustStore';

export const OWNERSHIP_SUBDIRECTORY = 'project-owners-v1';

export interface RememberedOwnership extends ProjectOwnership {
  index: string;
  project: string;
  /** When first seen, ISO 8601 (this machine's clock). */
  firstSeen: string;
  /** When the user accepted these owners after a change (ISO 8601); absent: as first seen. */
  accepted?: string;
}

export interface OwnershipObservation {
  firstUse: boolean;
  remembered: RememberedOwnership;
}

export interface OwnershipMemory {
  /** Records the ownership unless one is remembered; returns the remembered one. Never throws. */
  observe(index: string, project: string, ownership: ProjectOwnership): Promise<OwnershipObservation>;
  /**
   * Makes `ownership` the reference (the user accepted a change); later answers are compared
   * with it. Throws when it cannot be recorded on a disk that should hold it.
   */
  accept(index: string, project: string, ownership: ProjectOwnership): Promise<void>;
}

export interface OwnershipMemoryOptions {
  cacheDirectory?: string;
  key?: CacheKeySource;
  log?: (message: string) => void;
  now?: () => number;
}

const OWNERSHIP_CODEC: EntryCodec<RememberedOwnership> = {
  nameOf: (entry) => `${entry.index}\n${entry.project}`,
  fields: (entry) => ({ v: 1, ...entry }),
  // An entry without `accepted` authenticates the same content as before accepting existed.
  content: (entry) => JSON.stringify([entry.firstSeen, entry.organization, entry.roles.map((role) => [role.role, role.user]), ...(entry.accepted !== undefined ? [entry.accepted] : [])]),
  parse(data) {
    const { index, project, firstSeen, organization, roles, accepted } = data;
    if (data.v !== 1 || typeof index !== 'string' || typeof project !== 'string' || typeof firstSeen !== 'string') return undefined;
    if (accepted !== undefined && typeof accepted !== 'string') return undefined;
    if (organization !== null && typeof organization !== 'string') return undefined;
    if (!Array.isArray(roles) || !roles.every((role) => isObject(role) && typeof role.role === 'string' && typeof role.user === 'string')) return undefined;
    return { index, project, firstSeen, organization, roles: (roles as ProjectRole[]).map((role) => ({ role: role.role, user: role.user })), ...(accepted !== undefined ? { accepted } : {}) };
  },
  discarded(name) {
    const [index, project] = name.split('\n');
    return `discarding the remembered owners of ${shown(project)} on ${shown(redactUrl(index))}: the entry is corrupt or not authenticated by this user's key`;
  },
};

export function createOwnershipMemory(options: OwnershipMemoryOptions = {}): OwnershipMemory {
  const now = options.now ?? Date.now;
  const disk = createSignedJournal(
    { cacheDirectory: options.cacheDirectory, subdirectory: OWNERSHIP_SUBDIRECTORY, maxBytes: 1024 * 1024, key: options.key, log: options.log, kept: 'project owners', entryWords: 'a project-owners entry' },
    OWNERSHIP_CODEC,
  );
  const memory = new Map<string, RememberedOwnership>();
  const entryOf = (rawIndex: string, rawProject: string, ownership: ProjectOwnership): RememberedOwnership => ({
    index: normalizeIndexUrl(rawIndex),
    project: normalizeName(rawProject),
    firstSeen: new Date(now()).toISOString(),
    organization: ownership.organization,
    roles: ownership.roles.map((role) => ({ role: role.role, user: role.user })),
  });

  return {
    async observe(rawIndex, rawProject, ownership) {
      const entry = entryOf(rawIndex, rawProject, ownership);
      const name = OWNERSHIP_CODEC.nameOf(entry);
      const held = memory.get(name);
      if (held) return { firstUse: false, remembered: held };
      try {
        const first = await disk.recordFirst(entry);
        if (first !== undefined) return first.existing ? { firstUse: false, remembered: first.existing } : { firstUse: true, remembered: entry };
      } catch (error) {
        disk.unusable(`a project-owners entry cannot be written (${messageOf(error)})`);
      }
      memory.set(name, entry);
      return { firstUse: true, remembered: entry };
    },

    async accept(rawIndex, rawProject, ownership) {
      const fresh = entryOf(rawIndex, rawProject, ownership);
      const name = OWNERSHIP_CODEC.nameOf(fresh);
      const cacheKey = await disk.prepare();
      const before = memory.get(name) ?? (cacheKey !== undefined ? await disk.read(cacheKey, name) : undefined);
      // The first sighting stays what it was; `accepted` says when the reference last changed.
      await disk.replaceOrHold({ ...fresh, firstSeen: before?.firstSeen ?? fresh.firstSeen, accepted: fresh.firstSeen }, memory);
    },
  };
}

export interface OwnershipChange {
  added: ProjectRole[];
  removed: ProjectRole[];
  changed: { user: string; was: string; now: string }[];
  organization?: { was: string | null; now: string | null };
}

/** Who was added, removed or changed role, and whether the organization changed. */
export function compareOwnership(then: ProjectOwnership, now: ProjectOwnership): OwnershipChange {
  const rolesOf = (ownership: ProjectOwnership) => {
    const map = new Map<string, string[]>();
    for (const { role, user } of ownership.roles) map.set(user, [...(map.get(user) ?? []), role].sort());
    return map;
  };
  const before = rolesOf(then);
  const after = rolesOf(now);
  const change: OwnershipChange = { added: [], removed: [], changed: [] };
  for (const [user, roles] of after) {
    const was = before.get(user);
    if (was === undefined) change.added.push({ user, role: roles.join(', ') });
    else if (was.join(', ') !== roles.join(', ')) change.changed.push({ user, was: was.join(', '), now: roles.join(', ') });
  }
  for (const [user, roles] of before) if (!after.has(user)) change.removed.push({ user, role: roles.join(', ') });
  if (then.organization !== now.organization) change.organization = { was: then.organization, now: now.organization };
  return change;
}

export function isOwnershipChange(change: OwnershipChange): boolean {
  return change.added.length > 0 || change.removed.length > 0 || change.changed.length > 0 || change.organization !== undefined;
}

/** The `owners-changed` finding (warning); undefined when nothing changed. */
export function ownersChangedFinding(project: string, remembered: RememberedOwnership, change: OwnershipChange, range: Range, dependencyIndex?: number): Finding | undefined {
  if (!isOwnershipChange(change)) return undefined;
  return {
    code: 'owners-changed',
    message: `${VERDICTS['owners-changed']}: the owners of ${shown(project)} changed since ${remembered.accepted !== undefined ? 'accepted' : 'first seen'} on ${(remembered.accepted ?? remembered.firstSeen).slice(0, 10)}: ${describeOwnershipChange(change).join('; ')}. A change of maintainers is how a project takeover looks; make sure this one is expected.`,
    range,
    ...(dependencyIndex !== undefined ? { dependency: dependencyIndex } : {}),
  };
}

/** The change in words, a part each: "added mallory (Owner)", "removed alice (Maintainer)", "organization changed from a to b". */
export function describeOwnershipChange(change: OwnershipChange): string[] {
  const parts: string[] = [];
  const people = (roles: ProjectRole[]) => roles.map((role) => `${shown(role.user)} (${shown(role.role)})`).join(', ');
  if (change.added.length > 0) parts.push(`added ${people(change.added)}`);
  if (change.removed.length > 0) parts.push(`removed ${people(change.removed)}`);
  for (const { user, was, now } of change.changed) parts.push(`${shown(user)} changed from ${shown(was)} to ${shown(now)}`);
  if (change.organization) {
    const { was, now } = change.organization;
    parts.push(was === null ? `now owned by the organization ${shown(now ?? '')}` : now === null ? `no longer owned by the organization ${shown(was)}` : `organization changed from ${shown(was)} to ${shown(now)}`);
  }
  return parts;
}

/** What the hover, report and JSON show of a project's remembered owners. */
export interface OwnershipState {
  firstUse: boolean;
  firstSeen: string;
  /** As first seen. */
  roles: ProjectRole[];
  organization: string | null;
  /** When the user last accepted a change of owners (then `roles` are those accepted). */
  accepted?: string;
  /** Set when the index now reports other owners. */
  change?: OwnershipChange;
  /** With `change`: the owners the index reports now (what accepting the change would remember), and the index (as the memory keys it). */
  current?: ProjectOwnership;
  index?: string;
}

/** What checkOwnership needs: the index's JSON API, the memory, and the indexes known to have none. */
export interface OwnershipCheck {
  fetch(indexUrl: string, name: string): Promise<OwnershipAnswer>;
  memory: OwnershipMemory;
  /** Indexes (normalizeIndexUrl) without the API, learned while the process runs: not asked again. */
  unavailable: Set<string>;
  /** The first request to each index while it is in flight: the others wait for it, so an index without the API is asked once. */
  probes?: Map<string, Promise<unknown>>;
}

/** Asks the index for the project's ownership and compares it with the remembered one. Never throws. */
export async function checkOwnership(
  check: OwnershipCheck,
  input: { indexUrl: string; project: string; displayName: string; range: Range; dependencyIndex?: number },
): Promise<{ state?: OwnershipState; finding?: Finding; note?: string }> {
  const index = normalizeIndexUrl(input.indexUrl);
  const probe = check.probes?.get(index);
  if (probe) await probe.catch(() => undefined);
  if (check.unavailable.has(index)) return {};
  let answer: OwnershipAnswer;
  try {
    const asking = check.fetch(input.indexUrl, input.project);
    if (check.probes && !check.probes.has(index) && !probe) {
      check.probes.set(index, asking);
      // Once the first answer is in, later checks ask on their own (concurrently).
      void asking.finally(() => check.probes?.set(index, Promise.resolve())).catch(() => undefined);
    }
    answer = await asking;
  } catch (error) {
    return { note: `the project's owners could not be asked for: ${messageOf(error)}` };
  }
  if (answer.kind === 'none') {
    check.unavailable.add(index);
    return {};
  }
  if (answer.kind === 'error') return { note: `the project's owners could not be read: ${answer.error.message}` };
  const seen = await check.memory.observe(index, input.project, answer.ownership);
  const remembered = seen.remembered;
  const state: OwnershipState = {
    firstUse: seen.firstUse,
    firstSeen: remembered.firstSeen,
    ...(remembered.accepted !== undefined ? { accepted: remembered.accepted } : {}),
    roles: remembered.roles,
    organization: remembered.organization,
  };
  if (seen.firstUse) return { state };
  const change = compareOwnership(remembered, answer.ownership);
  const finding = ownersChangedFinding(input.displayName, remembered, change, input.range, input.dependencyIndex);
  return finding ? { state: { ...state, change, current: answer.ownership, index }, finding } : { state };
}
