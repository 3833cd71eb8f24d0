/**
 * The values pip 26 accepts for the options of a requirements file whose values it checks:
 * `--use-feature` (an optparse choice) and `--uploaded-prior-to` (pip's callback: `P<n>D`, or an
 * ISO 8601 date-time as Python 3.11's `datetime.fromisoformat` reads it). Written by hand: no
 * library reads Python's `fromisoformat` forms.
 */

/** pip 26.2's `--use-feature` choices, including ALWAYS_ENABLED_FEATURES. */
export const PIP_FEATURES: readonly string[] = ['fast-deps', 'inprocess-build-deps', 'venv-isolation', 'truststore', 'no-binary-enable-wheel-cache', 'build-constraint'];

/** Why pip refuses `value` for the option `key`, or undefined when it takes it. */
export function optionValueProblem(key: string, value: string): string | undefined {
  if (key === 'use-feature') {
    if (PIP_FEATURES.includes(value)) return undefined;
    return `pip 26 has no feature "${shown(value)}" for --use-feature (it knows ${PIP_FEATURES.join(', ')}), and stops on this line`;
  }
  if (key === 'uploaded-prior-to') {
    if (isUploadedPriorTo(value)) return undefined;
    return `--uploaded-prior-to takes an ISO 8601 date or date-time (2023-01-01, 2023-01-01T00:00:00Z) or a number of days (P3D), not "${shown(value)}"`;
  }
  return undefined;
}

/** pip's `--uploaded-prior-to` forms: `P<n>D` (ASCII digits) or a date-time. */
export function isUploadedPriorTo(value: string): boolean {
  return /^P[0-9]+D$/.test(value) || isPythonIsoDateTime(value);
}

const DATE = String.raw`(?:(\d{4})-(\d{2})-(\d{2})|(\d{4})(\d{2})(\d{2})|(\d{4})-?W(\d{2})(?:-?([1-7]))?)`;
const TIME = String.raw`(\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?`;
const ZONE = String.raw`(?:Z|[+-](\d{2})(?::?(\d{2})(?::?(\d{2})(?:\.\d+)?)?)?)`;
const ISO_DATE_TIME = new RegExp(String.raw`^${DATE}(?:[^0-9]${TIME}${ZONE}?)?$`);

/** Python 3.11's `datetime.fromisoformat`: a calendar or week date, an optional time and offset. */
function isPythonIsoDateTime(value: string): boolean {
  const m = ISO_DATE_TIME.exec(value);
  if (m === null) return false;
  const n = (i: number) => (m[i] === undefined ? undefined : Number(m[i]));
  const year = n(1) ?? n(4);
  const month = n(2) ?? n(5);
  const day = n(3) ?? n(6);
  if (year !== undefined && month !== undefined && day !== undefined) {
    if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return false;
  } else if ((n(7) ?? 0) < 1 || (n(8) ?? 0) < 1 || (n(8) ?? 0) > 53) {
    return false;
  }
  const inRange = (i: number, max: number) => m[i] === undefined || (n(i) as number) <= max;
  return inRange(10, 23) && inRange(11, 59) && inRange(12, 59) && inRange(13, 23) && inRange(14, 59) && inRange(15, 59);
}

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function shown(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}…` : value;
}
