/**
 * A pyproject.toml requirement through the lock beside it: which of the lock's packages is the
 * one the requirement resolved to. A lock can hold several versions of one name (uv forks, each
 * with its `resolution-markers`; Poetry's per-marker duplicates): the requirement's specifier and
 * marker choose among them where they can, and otherwise the answer says it is ambiguous.
 */
import { satisfies, validRange } from '@renovatebot/pep440';
import type { Dependency } from '../core/model';
import { normalizeName } from '../core/names';
import { markersCanHoldTogether } from './markers';

/** What the lookup needs of a requirement: its name, its specifier ('' for none) and its marker. */
export interface LockQuery {
  name: string;
  specifier: string;
  marker?: string;
}

export type LockedVersion =
  /** The one package the requirement resolved to (`pinnedVersion` unset when it is not from an index). */
  | { kind: 'locked'; dependency: Dependency }
  /** The lock has no package of that name: it was made before the requirement was added. */
  | { kind: 'not-in-lock' }
  /** The lock records the name, but no version it records satisfies the specifier: the lock is stale. */
  | { kind: 'outside-specifier'; versions: string[] }
  /** Several packages could be the one, and the markers do not tell (say, a fork per Python version). */
  | { kind: 'ambiguous'; candidates: Dependency[] };

export function findLockedVersion(locked: readonly Dependency[], query: LockQuery): LockedVersion {
  const name = normalizeName(query.name);
  const sameName = locked.filter((dependency) => dependency.name === name);
  if (sameName.length === 0) return { kind: 'not-in-lock' };

  const inRange = sameName.filter((dependency) => satisfiesSpecifier(dependency.pinnedVersion, query.specifier));
  if (inRange.length === 0) return { kind: 'outside-specifier', versions: sameName.map((dependency) => dependency.pinnedVersion ?? '') };
  if (inRange.length === 1) return { kind: 'locked', dependency: inRange[0] };

  const overlaps = inRange.map((dependency) => markersCanHoldTogether(query.marker, dependency.marker));
  if (overlaps.includes(undefined)) return { kind: 'ambiguous', candidates: inRange };
  const applicable = inRange.filter((_, i) => overlaps[i]);
  if (applicable.length === 1) return { kind: 'locked', dependency: applicable[0] };
  return { kind: 'ambiguous', candidates: applicable.length > 0 ? applicable : inRange };
}

/**
 * A locked version the resolver chose satisfies the specifier as written, pre-releases included
 * (the lock already chose one). A package not from an index, an empty or unreadable specifier:
 * nothing to hold against it.
 */
function satisfiesSpecifier(version: string | undefined, specifier: string): boolean {
  if (version === undefined || specifier.trim() === '' || !validRange(specifier)) return true;
  return satisfies(version, specifier, { prereleases: true });
}
