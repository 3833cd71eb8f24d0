/**
 * Cooldown (issue 11 item 3): most malicious releases are caught within days, so a pin to a
 * release whose first file is younger than `minReleaseAgeDays` gets `fresh-release`. The clock is
 * a parameter.
 */
import type { Finding } from '../core/finding';
import type { Range } from '../core/model';
import { shown } from './messages';

const DAY_MS = 24 * 60 * 60 * 1000;

/** `fresh-release` when the release's first upload is younger than `minDays` (0: never); undefined otherwise. */
export function freshReleaseFinding(
  release: { project: string; version: string; firstUpload?: string },
  minDays: number,
  now: number,
  range: Range,
  dependencyIndex?: number,
): Finding | undefined {
  if (!(minDays > 0) || release.firstUpload === undefined) return undefined;
  const at = Date.parse(release.firstUpload);
  if (Number.isNaN(at)) return undefined;
  const age = now - at;
  if (age >= minDays * DAY_MS) return undefined;
  const days = Math.max(0, Math.floor(age / DAY_MS));
  const age_ = days === 0 ? 'less than a day ago' : `${days} day${days === 1 ? '' : 's'} ago`;
  const until = new Date(at + minDays * DAY_MS).toISOString().slice(0, 10);
  return {
    code: 'fresh-release',
    message: `Fresh release: ${shown(`${release.project} ${release.version}`)} was first uploaded ${age_} (${release.firstUpload.slice(0, 10)}), within the ${minDays}-day cooldown; most malicious releases are caught within days. To wait, pin the previous release or resolve with pip --uploaded-prior-to or uv exclude-newer set before ${until}.`,
    range,
    ...(dependencyIndex !== undefined ? { dependency: dependencyIndex } : {}),
  };
}
