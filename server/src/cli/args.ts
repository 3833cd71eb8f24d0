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

/** `--color`: `auto` decides from the terminal and the environment (output/style.ts). */
export type ColorMode = 'auto' | 'always' | 'never';
export const COLOR_MODES: readonly ColorMode[] = ['auto', 'always', 'never'];

export interface CheckCommand {
  kind: 'check';
  /** Files and directories as given. */
  inputs: string[];
  format: OutputFormat;
  settings: Settings;
  /** `--strict`: an `index-error` fails the run (CONTRACT.md §2, §6). */
  strict: boolean;
  /** `--color`; `auto` when not given. */
  color: ColorMode;
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
  'color': { type: 'string' },
  'help': { type: 'boolean', short: 'h' },
} as const;

type CheckOptionName = keyof typeof CHECK_OPTIONS;

/** Parses the arguments after `node cli.js`. Paths are resolved against `cwd`. Throws UsageError. */
export function parseCommandLine(argv: readonly string[], cwd: string): Command {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('no command given; try `pypi-provenance check FILE…`');
  if (command === '--help' || command === '-h' || command === 'help') return { kind: 'help', topic: rest[0] === 'check' ? 'check' : 'main' };
  if (command === '--version' || command === '-V' || command === 'version') return { kind: 'version' };
  if (command.startsWith('-')) throw new UsageError(`options come after the command, as in \`pypi-provenance check [options] FILE…\`; got ${optionName(command)} first`);
  if (command !== 'check') throw new UsageError(`unknown command ${quote(command)}; the command is \`check\``);
  return parseCheck(rest, cwd);
}

function parseCheck(args: readonly string[], cwd: string): Command {
  const { values, positionals } = parseFlags(args);
  if (values.help) return { kind: 'help', topic: 'check' };

  const format = values.format ?? 'text';
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}; got ${quote(format)}`);
  const color = values.color ?? 'auto';
  if (!(COLOR_MODES as readonly string[]).includes(color)) throw new UsageError(`--color must be one of ${COLOR_MODES.join(', ')}; got ${quote(color)}`);

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
  return { kind: 'check', inputs: positionals, format: format as OutputFormat, settings, strict: values.strict === true, color: color as ColorMode };
}

/**
 * The flags, read leniently (`strict: false`, with tokens) and then checked here, so that every
 * mistake gets our own message: Node's strict messages ("Unknown option '--x'. To specify a
 * positional argument starting with a '-', place it at the end of the command after '--'…")
 * speak of parseArgs, not of this tool. A message names the option as typed, never a value
 * given with it (an index URL may carry credentials).
 */
function parseFlags(args: readonly string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: CHECK_OPTIONS, allowPositionals: true, strict: false, tokens: true });
  } catch {
    // Lenient parsing has nothing left to reject; should it, still say it in our words.
    throw new UsageError('the options could not be read');
  }
  for (const token of parsed.tokens) {
    if (token.kind !== 'option') continue;
    const shown = optionName(token.rawName, token.name);
    if (!isCheckOption(token.name)) throw new UsageError(unknownOptionMessage(token.rawName));
    const type = CHECK_OPTIONS[token.name].type;
    if (type === 'boolean' && token.value !== undefined) throw new UsageError(`${shown} takes no value; write just ${token.rawName}`);
    if (type === 'string' && token.value === undefined) throw new UsageError(`${shown} needs a value${valueHint(token.name)}`);
    // `--format --offline`: lenient parsing takes the next option as the value; say what happened.
    if (type === 'string' && token.inlineValue === false && token.value !== undefined && token.value.startsWith('-') && token.value !== '-') {
      throw new UsageError(`${shown} needs a value${valueHint(token.name)}; the next argument starts with '-' (for a value that does, write ${token.rawName.startsWith('--') ? `${token.rawName}=-…` : `--${token.name}=-…`})`);
    }
  }
  // What strict parsing would give: strings are strings, booleans booleans (checked above).
  return parsed as unknown as { values: ParsedValues; positionals: string[] };
}

type ParsedValues = {
  [K in CheckOptionName]?: (typeof CHECK_OPTIONS)[K] extends { type: 'boolean' } ? boolean : (typeof CHECK_OPTIONS)[K] extends { multiple: true } ? string[] : string;
};

function isCheckOption(name: string): name is CheckOptionName {
  return Object.prototype.hasOwnProperty.call(CHECK_OPTIONS, name);
}

/** `--format`, or `-f (--format)` for the short form. The value after `=` is never part of it. */
function optionName(rawName: string, name?: string): string {
  const bare = rawName.split('=')[0];
  const shown = bare.length > 40 ? `${bare.slice(0, 37)}...` : bare;
  return name !== undefined && !bare.startsWith('--') && isCheckOption(name) ? `${shown} (--${name})` : shown;
}

const VALUE_HINTS: Partial<Record<CheckOptionName, string>> = {
  'format': ' (text, json or sarif)',
  'color': ' (auto, always or never)',
  'index-url': ' (a URL)',
  'trusted-root': ' (a file)',
  'cache-dir': ' (a directory)',
  'late-upload-days': ' (a number of days)',
  'min-release-age-days': ' (a number of days)',
  'severity': ' (CODE=LEVEL)',
};

function valueHint(name: CheckOptionName): string {
  return VALUE_HINTS[name] ?? '';
}

/** "unknown option --fromat (did you mean --format?)"; a file whose name starts with '-' goes after `--`. */
function unknownOptionMessage(rawName: string): string {
  const shown = optionName(rawName);
  const typed = rawName.replace(/^-+/, '').split('=')[0].toLowerCase();
  const close = typed.length < 2 ? undefined : (Object.keys(CHECK_OPTIONS) as CheckOptionName[]).find((name) => name === typed || editDistance(name, typed) <= 2);
  if (close !== undefined) return `unknown option ${shown} (did you mean --${close}?)`;
  return `unknown option ${shown}; a file whose name starts with '-' goes after \`--\`, as in \`pypi-provenance check -- ${shown}\``;
}

/** Levenshtein distance, for suggestions between short option names. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
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
