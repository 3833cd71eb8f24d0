/**
 * The command line → what to do. Flags carry the same values as the `pypiProvenance` settings
 * (CONTRACT.md §2) and go through the same validation (pipeline/contract/settings.ts `parseSettings`), so the
 * CLI and the server accept exactly the same values. Anything wrong is a UsageError (exit 2).
 */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { isDiagnosticCode } from '../core/codes';
import { DEFAULT_SETTINGS, parseSeverityLevel, parseSettings, type Settings } from '../pipeline/contract/settings';

export type OutputFormat = 'text' | 'json' | 'sarif';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif'];

export interface CheckCommand {
  kind: 'check';
  /** Files and directories as given. */
  inputs: string[];
  format: OutputFormat;
  settings: Settings;
  /** `--strict`: an `index-error` fails the run (CONTRACT.md §2, §6). */
  strict: boolean;
}

export type Command = CheckCommand | { kind: 'help'; topic: 'main' | 'check' } | { kind: 'version' };

export class UsageError extends Error {}

const CHECK_OPTIONS = {
  'format': { type: 'string', short: 'f' },
  'index-url': { type: 'string' },
  'trusted-root': { type: 'string' },
  'cache-dir': { type: 'string' },
  'offline': { type: 'boolean' },
  'late-upload-days': { type: 'string' },
  'min-release-age-days': { type: 'string' },
  'trust-workspace': { type: 'boolean' },
  'severity': { type: 'string', multiple: true },
  'strict': { type: 'boolean' },
  'help': { type: 'boolean', short: 'h' },
} as const;

/** Parses the arguments after `node cli.js`. Paths are resolved against `cwd`. Throws UsageError. */
export function parseCommandLine(argv: readonly string[], cwd: string): Command {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('no command given; try `pypi-provenance check FILE…`');
  if (command === '--help' || command === '-h' || command === 'help') return { kind: 'help', topic: rest[0] === 'check' ? 'check' : 'main' };
  if (command === '--version' || command === '-V' || command === 'version') return { kind: 'version' };
  if (command !== 'check') throw new UsageError(`unknown command ${quote(command)}; the command is \`check\``);
  return parseCheck(rest, cwd);
}

function parseCheck(args: readonly string[], cwd: string): Command {
  const { values, positionals } = parseFlags(args);
  if (values.help) return { kind: 'help', topic: 'check' };

  const format = values.format ?? 'text';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}; got ${quote(format)}`);

  const raw: Record<string, unknown> = {};
  if (values['index-url'] !== undefined) {
    // The value is never echoed: an index URL may carry credentials.
    if (values['index-url'].trim() === '') throw new UsageError('--index-url needs a URL');
    raw.indexUrl = values['index-url'];
  }
  if (values['trusted-root'] !== undefined) raw.trustedRoot = absolutePath(values['trusted-root'], '--trusted-root', cwd);
  if (values['cache-dir'] !== undefined) raw.cacheDirectory = absolutePath(values['cache-dir'], '--cache-dir', cwd);
  if (values.offline) raw.offline = true;
  if (values['trust-workspace']) raw.workspaceTrusted = true;
  if (values['min-release-age-days'] !== undefined) {
    const days = values['min-release-age-days'].trim();
    if (!/^\d{1,6}$/.test(days)) throw new UsageError(`--min-release-age-days must be a whole number of days (0 or more); got ${quote(values['min-release-age-days'])}`);
    raw.minReleaseAgeDays = Number(days);
  }
  if (values['late-upload-days'] !== undefined) {
    const days = values['late-upload-days'].trim();
    if (!/^\d{1,6}$/.test(days)) throw new UsageError(`--late-upload-days must be a whole number of days (0 or more); got ${quote(values['late-upload-days'])}`);
    raw.lateUploadDays = Number(days);
  }
  if (values.severity !== undefined) raw.severity = parseSeverityFlags(values.severity);

  const problems: string[] = [];
  const settings = parseSettings(raw, (message) => problems.push(message), DEFAULT_SETTINGS);
  if (problems.length > 0) {
    // parseSettings speaks of settings; say it in flags. Only indexUrl can fail here, as the rest was checked above.
    throw new UsageError(raw.indexUrl !== undefined && problems.some((p) => p.includes('indexUrl')) ? '--index-url must be an http(s) URL without a query or fragment' : problems.join('; '));
  }

  // An empty argument is usually an unset shell variable, not a wish to check the working directory.
  if (positionals.some((p) => p.trim() === '')) throw new UsageError('an empty file name was given');
  if (positionals.length === 0) throw new UsageError('no files given; name dependency files or directories to search, e.g. `pypi-provenance check .`');
  return { kind: 'check', inputs: positionals, format: format as OutputFormat, settings, strict: values.strict === true };
}

function parseFlags(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], options: CHECK_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // Node's messages name the option, never its value: nothing secret is echoed.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** `--severity CODE=LEVEL`, repeatable; a later one for the same code wins. */
function parseSeverityFlags(flags: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq < 0) throw new UsageError(`--severity expects CODE=LEVEL, e.g. --severity no-provenance=error; got ${quote(flag)}`);
    const code = flag.slice(0, eq).trim();
    const level = flag.slice(eq + 1).trim();
    if (!isDiagnosticCode(code)) throw new UsageError(`--severity: unknown diagnostic code ${quote(code)}; run \`pypi-provenance check --help\` for the list`);
    const parsed = parseSeverityLevel(level);
    if (parsed === undefined) throw new UsageError(`--severity ${code}: the level must be error, warning, information, hint or off; got ${quote(level)}`);
    map[code] = parsed;
  }
  return map;
}

function absolutePath(value: string, flag: string, cwd: string): string {
  if (value.trim() === '') throw new UsageError(`${flag} needs a path`);
  return path.resolve(cwd, value);
}

/** A user-given value in a message, shortened: it could be anything, even a pasted secret. */
function quote(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
}
