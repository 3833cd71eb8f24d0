/**
 * Late files: a file whose `upload-time` is more than `lateUploadDays` after the first file of
 * its release. PyPI now refuses new files on releases older than 14 days, but older releases
 * may still carry files added long after the release: a way to slip a new wheel into a release
 * everyone already pins.
 */
import type { Finding } from '../core/finding';
import type { Range } from '../core/model';
import { lateUploadMessage } from './messages';

export const DEFAULT_LATE_UPLOAD_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;
/** warehouse#19727: from this day PyPI refuses a new file for a release older than 14 days. */
export const PYPI_REFUSAL_SINCE = '2026-07-08T00:00:00Z';
export const PYPI_REFUSAL_DAYS = 14;

function isPypi(indexUrl: string): boolean {
  try {
    return new URL(indexUrl).hostname.toLowerCase() === 'pypi.org';
  } catch {
    return false;
  }
}

/** A late file PyPI would have refused: uploaded after the rule began and over 14 days after the release's first file. */
function refusedByPypi(file: LateFile, first: LateUploadResult['first']): boolean {
  if (first === undefined) return false;
  const at = Date.parse(file.uploadTime);
  return at >= Date.parse(PYPI_REFUSAL_SINCE) && at - Date.parse(first.uploadTime) > PYPI_REFUSAL_DAYS * DAY_MS;
}

export interface UploadedFile {
  filename: string;
  /** ISO 8601 / RFC 3339, as the index (or the lock) gives it. */
  uploadTime?: string;
}

export interface LateFile {
  filename: string;
  uploadTime: string;
  /** Whole days after the release's first file. */
  days: number;
}

export interface LateUploadResult {
  /** The release's first file (earliest upload time); undefined when no file has one. */
  first?: { filename: string; uploadTime: string };
  /** Late files, earliest first. */
  late: LateFile[];
}

export interface LateUploadOptions {
  /**
   * Which files may be reported (e.g. only the files a lock names); all files of the release
   * still count for finding its first file. Default: every file.
   */
  subject?: (filename: string) => boolean;
}

/**
 * `releaseFiles`: every file of the release as the index lists it. A `lateUploadDays` that is
 * not a non-negative number is taken as the default (14).
 */
export function findLateUploads(releaseFiles: readonly UploadedFile[], lateUploadDays: number, options: LateUploadOptions = {}): LateUploadResult {
  const days = typeof lateUploadDays === 'number' && Number.isFinite(lateUploadDays) && lateUploadDays >= 0 ? lateUploadDays : DEFAULT_LATE_UPLOAD_DAYS;
  const timed = releaseFiles
    .map((file) => ({ filename: file.filename, uploadTime: file.uploadTime, at: file.uploadTime !== undefined ? Date.parse(file.uploadTime) : NaN }))
    .filter((file): file is { filename: string; uploadTime: string; at: number } => file.uploadTime !== undefined && !Number.isNaN(file.at));
  if (timed.length === 0) return { late: [] };
  timed.sort((a, b) => a.at - b.at || (a.filename < b.filename ? -1 : 1));
  const first = timed[0];
  const limit = days * DAY_MS;
  const late = timed
    .filter((file) => file.at - first.at > limit && (options.subject?.(file.filename) ?? true))
    .map((file) => ({ filename: file.filename, uploadTime: file.uploadTime, days: Math.floor((file.at - first.at) / DAY_MS) }));
  return { first: { filename: first.filename, uploadTime: first.uploadTime }, late };
}

/** One `late-upload` finding naming the late files, or undefined when none is late. */
export function lateUploadFinding(result: LateUploadResult, range: Range, options: { dependencyIndex?: number; indexUrl?: string } = {}): Finding | undefined {
  if (result.late.length === 0) return undefined;
  const refused = options.indexUrl !== undefined && isPypi(options.indexUrl) ? result.late.filter((file) => refusedByPypi(file, result.first)) : [];
  return {
    code: 'late-upload',
    message:
      lateUploadMessage(result.late) +
      (refused.length > 0
        ? `. PyPI refuses files for releases older than ${PYPI_REFUSAL_DAYS} days since ${PYPI_REFUSAL_SINCE.slice(0, 10)}, yet it serves ${refused.map((file) => file.filename).join(', ')}: an index anomaly`
        : ''),
    range,
    ...(refused.length > 0 ? { defaultSeverity: 'error' as const } : {}),
    ...(options.dependencyIndex !== undefined ? { dependency: options.dependencyIndex } : {}),
  };
}
