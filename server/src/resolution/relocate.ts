/**
 * A Resolution is computed once for the first dependency that asks and shared with every other
 * dependency (in any document) pinning the same thing on the same index. Its findings carry the
 * first one's ranges and dependency index; this moves them onto another dependency's.
 *
 * Dependencies that share a resolution have the same hash pins and locked files in the same
 * order (they are part of the sharing key), so each range of the one has its counterpart in the other.
 */
import type { Finding } from '../core/finding';
import type { Dependency, LockedFile, Range } from '../core/model';
import type { Resolution } from '../index/resolve';

function rangeKey(range: Range): string {
  return `${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}`;
}

export function relocateResolution(resolution: Resolution, from: Dependency, fromIndex: number | undefined, to: Dependency, toIndex: number | undefined): Resolution {
  if (from === to && fromIndex === toIndex) return resolution;
  const ranges = new Map<string, Range>();
  const pair = (a: Range | undefined, b: Range | undefined) => {
    if (a !== undefined && b !== undefined && !ranges.has(rangeKey(a))) ranges.set(rangeKey(a), b);
  };
  pair(from.ranges.requirement, to.ranges.requirement);
  pair(from.ranges.name, to.ranges.name);
  pair(from.ranges.version, to.ranges.version);
  from.hashes.forEach((pin, i) => pair(pin.range, to.hashes[i]?.range));
  const lockedFiles = new Map<LockedFile, LockedFile>();
  from.files?.forEach((file, i) => {
    const counterpart = to.files?.[i];
    if (!counterpart) return;
    lockedFiles.set(file, counterpart);
    pair(file.range, counterpart.range);
    file.hashes.forEach((pin, k) => pair(pin.range, counterpart.hashes[k]?.range));
  });

  const findings = resolution.findings.map((finding): Finding => {
    const moved: Finding = { ...finding, range: ranges.get(rangeKey(finding.range)) ?? to.ranges.requirement };
    if (toIndex !== undefined) moved.dependency = toIndex;
    else delete moved.dependency;
    return moved;
  });
  const files = resolution.files.map((file) => (file.locked !== undefined ? { ...file, locked: lockedFiles.get(file.locked) ?? file.locked } : file));
  return { ...resolution, findings, files };
}
