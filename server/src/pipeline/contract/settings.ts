/**
 * The `pypiProvenance` settings (CONTRACT.md §2): their defaults and the validation of values
 * that come from a client. Pure: the CLI can build the same Settings from its flags.
 *
 * A bad value never fails: it is reported through `warn` and the value underneath it (the
 * default, or the layer below — initializationOptions under workspace/configuration) stays.
 */
import { redactUrl } from '../../index/redact';
import { isDiagnosticCode, type DiagnosticCode, type SeverityOrOff } from '../../core/codes';

export const SETTINGS_SECTION = 'pypiProvenance';

export interface Settings {
  /** PEP 503/691 simple index base URL, always ending in `/`. */
  indexUrl: string;
  /** Path of a Sigstore `trusted_root.json`; '' means the embedded public-good root. */
  trustedRoot: string;
  /** '' means the editor's storage or the OS cache directory, whichever the shell provides. */
  cacheDirectory: string;
  offline: boolean;
  lateUploadDays: number;
  /** A pinned release younger than this many days gets `fresh-release`; 0 turns it off. */
  minReleaseAgeDays: number;
  workspaceTrusted: boolean;
  /** Only the codes the user overrode; core/codes.ts `severityFor` supplies the rest. */
  severity: Partial<Record<DiagnosticCode, SeverityOrOff>>;
}

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple/';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  indexUrl: DEFAULT_INDEX_URL,
  trustedRoot: '',
  cacheDirectory: '',
  offline: false,
  lateUploadDays: 14,
  minReleaseAgeDays: 7,
  workspaceTrusted: false,
  severity: Object.freeze({}),
});

/** Keys a client may send in the section that are not server settings (vscode-languageclient's `trace.server`). */
const CLIENT_ONLY_KEYS = new Set(['trace']);

const SEVERITY_LEVELS: ReadonlySet<string> = new Set(['error', 'warning', 'information', 'hint', 'off']);
const SEVERITY_ALIASES: Readonly<Record<string, SeverityOrOff>> = { info: 'information', warn: 'warning' };

export type Warn = (message: string) => void;

/**
 * Lays the values of `raw` (the `pypiProvenance` object a client sent) over `base`.
 * Keys absent from `raw` keep `base`'s value; `severity` entries are merged code by code.
 */
export function parseSettings(raw: unknown, warn: Warn, base: Readonly<Settings> = DEFAULT_SETTINGS): Settings {
  const result: Settings = { ...base, severity: { ...base.severity } };
  if (raw === undefined || raw === null) return result;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    warn(`${SETTINGS_SECTION}: expected an object of settings, got ${describe(raw)}; using defaults`);
    return result;
  }
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    switch (key) {
      case 'indexUrl': {
        const url = parseIndexUrl(value);
        if (url !== undefined) result.indexUrl = url;
        // The value is never echoed: an index URL may carry credentials.
        else warn(`${SETTINGS_SECTION}.indexUrl: expected an http(s) URL; keeping ${redactUrl(result.indexUrl)}`);
        break;
      }
      case 'trustedRoot':
      case 'cacheDirectory':
        if (typeof value === 'string') result[key] = value;
        else warn(`${SETTINGS_SECTION}.${key}: expected a path string, got ${describe(value)}; ignored`);
        break;
      case 'offline':
      case 'workspaceTrusted':
        if (typeof value === 'boolean') result[key] = value;
        else warn(`${SETTINGS_SECTION}.${key}: expected true or false, got ${describe(value)}; ignored`);
        break;
      case 'lateUploadDays':
        if (typeof value === 'number' && Number.isFinite(value) && value >= 0) result.lateUploadDays = value;
        else warn(`${SETTINGS_SECTION}.lateUploadDays: expected a number of days (0 or more), got ${describe(value)}; ignored`);
        break;
      case 'minReleaseAgeDays':
        if (typeof value === 'number' && Number.isFinite(value) && value >= 0) result.minReleaseAgeDays = value;
        else warn(`${SETTINGS_SECTION}.minReleaseAgeDays: expected a number of days (0 or more), got ${describe(value)}; ignored`);
        break;
      case 'severity':
        mergeSeverity(result.severity, value, warn);
        break;
      default:
        if (!CLIENT_ONLY_KEYS.has(key)) warn(`${SETTINGS_SECTION}.${key}: unknown setting; ignored`);
    }
  }
  return result;
}

function mergeSeverity(into: Settings['severity'], value: unknown, warn: Warn): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    warn(`${SETTINGS_SECTION}.severity: expected a map of diagnostic code to level, got ${describe(value)}; ignored`);
    return;
  }
  for (const [code, level] of Object.entries(value as Record<string, unknown>)) {
    if (!isDiagnosticCode(code)) {
      warn(`${SETTINGS_SECTION}.severity: unknown diagnostic code ${JSON.stringify(code)}; ignored`);
      continue;
    }
    const parsed = parseSeverityLevel(level);
    if (parsed === undefined) {
      warn(`${SETTINGS_SECTION}.severity.${code}: expected error, warning, information, hint or off, got ${describe(level)}; ignored`);
      continue;
    }
    into[code] = parsed;
  }
}

/** `error`/`warning`/`information`/`hint`/`off`, case-insensitive, `info` and `warn` accepted. */
export function parseSeverityLevel(value: unknown): SeverityOrOff | undefined {
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  if (SEVERITY_LEVELS.has(lower)) return lower as SeverityOrOff;
  return SEVERITY_ALIASES[lower];
}

/** An http(s) URL with a trailing `/` (the contract appends `{name}/` to it); '' means the default. */
function parseIndexUrl(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return DEFAULT_INDEX_URL;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // No query or fragment: the contract appends `{name}/` to the base.
  if (url.search !== '' || url.hash !== '') return undefined;
  return url.href.endsWith('/') ? url.href : `${url.href}/`;
}

/** A short description of a bad value's type; strings are not quoted in full (they may be long or secret). */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length <= 40 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `a value of type ${typeof value}`;
}
