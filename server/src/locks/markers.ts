/**
 * PEP 508 environment markers, evaluated the way `packaging` evaluates them, and the question a
 * lock lookup asks of them: can two markers hold in one environment? ("is the uv fork for
 * `python_full_version < '3.10'` one where `numpy>=2; python_version >= '3.9'` applies?")
 *
 * Written by hand because no maintained JavaScript package evaluates PEP 508 markers; version
 * comparisons are delegated to @renovatebot/pep440. The overlap question is answered by trying
 * the environments that matter: every value the two markers name, strings that contain them
 * (for `in`), and the versions just around each version they name. That is exact for the
 * version and equality comparisons markers make, and gives up (undefined) when the markers
 * cannot be read or name too many variables to try them all.
 */
import { satisfies, valid as validVersion, validRange } from '@renovatebot/pep440';
import { normalizeName } from '../core/names';

export type MarkerEnvironment = Readonly<Record<string, string>>;

type Operand = { variable: string } | { literal: string };
/** `and`/`or` hold all their terms, so a long chain is a loop, not a deep recursion. */
type MarkerNode = { kind: 'and' | 'or'; terms: MarkerNode[] } | { kind: 'compare'; left: Operand; op: string; right: Operand };

/** Old spellings `packaging` still reads. */
const ALIASES: Record<string, string> = {
  'os.name': 'os_name',
  'sys.platform': 'sys_platform',
  'platform.version': 'platform_version',
  'platform.machine': 'platform_machine',
  'platform.python_implementation': 'platform_python_implementation',
  python_implementation: 'platform_python_implementation',
};
const VARIABLES = new Set([
  'python_version',
  'python_full_version',
  'os_name',
  'sys_platform',
  'platform_release',
  'platform_system',
  'platform_version',
  'platform_machine',
  'platform_python_implementation',
  'implementation_name',
  'implementation_version',
  'extra',
]);
const OPERATORS = ['===', '==', '!=', '<=', '>=', '~=', '<', '>'];
/** Variables whose values are versions, so the samples tried include the versions around each one named. */
const PYTHON = new Set(['python_version', 'python_full_version']);
/** Deeper nesting of parentheses than this is not read (no real marker comes near it). */
const MAX_DEPTH = 64;
/** More environments than this are not tried: the answer is "cannot tell". */
const MAX_ENVIRONMENTS = 20_000;

/** The parsed marker, or undefined when it is not a PEP 508 marker. */
export function parseMarkerExpression(text: string): MarkerNode | undefined {
  const tokens = tokenize(text);
  if (tokens === undefined) return undefined;
  let at = 0;
  let depth = 0;
  const peek = () => tokens[at];
  const chain = (kind: 'and' | 'or', term: () => MarkerNode | undefined): MarkerNode | undefined => {
    const terms: MarkerNode[] = [];
    for (;;) {
      const next = term();
      if (next === undefined) return undefined;
      terms.push(next);
      if (peek() !== kind) break;
      at++;
    }
    return terms.length === 1 ? terms[0] : { kind, terms };
  };
  const orExpr = (): MarkerNode | undefined => chain('or', andExpr);
  const andExpr = (): MarkerNode | undefined => chain('and', atom);
  const operand = (): Operand | undefined => {
    const token = tokens[at++];
    if (token === undefined) return undefined;
    if (token.startsWith('"') || token.startsWith("'")) return { literal: token.slice(1, -1) };
    const variable = ALIASES[token] ?? token;
    return VARIABLES.has(variable) ? { variable } : undefined;
  };
  const atom = (): MarkerNode | undefined => {
    if (peek() === '(') {
      if (++depth > MAX_DEPTH) return undefined;
      at++;
      const inner = orExpr();
      depth--;
      if (tokens[at++] !== ')') return undefined;
      return inner;
    }
    const left = operand();
    let op = tokens[at++];
    if (op === 'not' && tokens[at] === 'in') {
      at++;
      op = 'not in';
    }
    if (left === undefined || op === undefined || (op !== 'in' && op !== 'not in' && !OPERATORS.includes(op))) return undefined;
    const right = operand();
    return right === undefined ? undefined : { kind: 'compare', left, op, right };
  };
  const tree = orExpr();
  return at === tokens.length ? tree : undefined;
}

const WORD = /[A-Za-z_][A-Za-z0-9_.]*/y;

function tokenize(text: string): string[] | undefined {
  const tokens: string[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push(c);
      i++;
    } else if (c === '"' || c === "'") {
      const end = text.indexOf(c, i + 1);
      if (end < 0) return undefined;
      tokens.push(text.slice(i, end + 1));
      i = end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      WORD.lastIndex = i;
      const word = WORD.exec(text)![0];
      tokens.push(word);
      i += word.length;
    } else {
      const op = OPERATORS.find((candidate) => text.startsWith(candidate, i));
      if (op === undefined) return undefined;
      tokens.push(op);
      i += op.length;
    }
  }
  return tokens;
}

export function evaluateMarker(node: MarkerNode, environment: MarkerEnvironment): boolean {
  switch (node.kind) {
    case 'and':
      return node.terms.every((term) => evaluateMarker(term, environment));
    case 'or':
      return node.terms.some((term) => evaluateMarker(term, environment));
    case 'compare': {
      const isExtra = 'variable' in node.left ? node.left.variable === 'extra' : 'variable' in node.right && node.right.variable === 'extra';
      const value = (operand: Operand) => {
        const text = 'literal' in operand ? operand.literal : (environment[operand.variable] ?? '');
        return isExtra ? normalizeName(text) : text;
      };
      return compare(value(node.left), node.op, value(node.right));
    }
  }
}

/** Version comparisons already made: trying environments repeats the same few many times. */
const versionComparisons = new Map<string, boolean | undefined>();
const MAX_REMEMBERED = 10_000;

/** As `packaging`: a version comparison when the right side makes a valid specifier, else one of strings. */
function compare(left: string, op: string, right: string): boolean {
  if (op === 'in') return right.includes(left);
  if (op === 'not in') return !right.includes(left);
  const asVersions = op === '===' ? undefined : compareVersions(left, op, right);
  if (asVersions !== undefined) return asVersions;
  switch (op) {
    case '==':
    case '===':
      return left === right;
    case '!=':
      return left !== right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    default:
      return false;
  }
}

/** The comparison of two versions, or undefined when they do not make one (then strings are compared). */
function compareVersions(left: string, op: string, right: string): boolean | undefined {
  const key = `${left}\u0000${op}\u0000${right}`;
  if (versionComparisons.has(key)) return versionComparisons.get(key);
  const specifier = `${op}${right}`;
  const result = validRange(specifier) && validVersion(left) !== null ? satisfies(left, specifier, { prereleases: true }) : undefined;
  if (versionComparisons.size >= MAX_REMEMBERED) versionComparisons.clear();
  versionComparisons.set(key, result);
  return result;
}

/**
 * Whether some environment satisfies both markers (an absent marker always holds); undefined
 * when a marker cannot be read or there are too many environments to try.
 */
export function markersCanHoldTogether(a: string | undefined, b: string | undefined): boolean | undefined {
  const trees: MarkerNode[] = [];
  for (const marker of [a, b]) {
    if (marker === undefined || marker.trim() === '') continue;
    const tree = parseMarkerExpression(marker);
    if (tree === undefined) return undefined;
    trees.push(tree);
  }
  if (trees.length === 0) return true;
  const environments = sampleEnvironments(trees);
  if (environments === undefined) return undefined;
  return environments.some((environment) => trees.every((tree) => evaluateMarker(tree, environment)));
}

/** Every combination of the values worth trying for each variable the markers name. */
function sampleEnvironments(trees: readonly MarkerNode[]): MarkerEnvironment[] | undefined {
  const literals = new Map<string, Set<string>>();
  const visit = (node: MarkerNode) => {
    if (node.kind !== 'compare') {
      node.terms.forEach(visit);
      return;
    }
    const variable = 'variable' in node.left ? node.left.variable : 'variable' in node.right ? node.right.variable : undefined;
    if (variable === undefined) return;
    const key = PYTHON.has(variable) ? 'python' : variable;
    const set = literals.get(key) ?? new Set<string>();
    for (const side of [node.left, node.right]) if ('literal' in side) set.add(side.literal);
    literals.set(key, set);
  };
  trees.forEach(visit);

  const dimensions: Record<string, string>[][] = [];
  for (const [key, values] of literals) {
    if (key === 'python') {
      dimensions.push(pythonSamples(values).map((full) => ({ python_full_version: full, python_version: full.split('.').slice(0, 2).join('.') })));
    } else {
      const samples = new Set(stringSamples(values));
      if (key === 'implementation_version') for (const value of values) for (const near of versionsAround(value)) samples.add(near);
      dimensions.push([...samples].map((value) => ({ [key]: value })));
    }
  }
  const count = dimensions.reduce((n, dimension) => n * dimension.length, 1);
  if (count > MAX_ENVIRONMENTS) return undefined;
  let environments: Record<string, string>[] = [{}];
  for (const dimension of dimensions) environments = environments.flatMap((environment) => dimension.map((part) => ({ ...environment, ...part })));
  return environments;
}

/**
 * Strings to try for a variable: each value named, one that only contains it, each word of it
 * (for `var in 'a b'`), all of them together (for `'a' in var and 'b' in var`), and another.
 */
function stringSamples(values: ReadonlySet<string>): string[] {
  const samples = [...values, '\u0000another value', [...values].join('\u0000')];
  for (const value of values) samples.push(`${value}\u0000`, ...value.split(/\s+/).filter((word) => word.length > 0));
  return samples;
}

const COMMON_PYTHONS = ['2.7.18', ...Array.from({ length: 16 }, (_, minor) => `3.${minor}.0`), ...Array.from({ length: 16 }, (_, minor) => `3.${minor}.1`)];

/** Python versions to try: each named one as a full version, and the versions just below and above it. */
function pythonSamples(values: Iterable<string>): string[] {
  // And the Pythons people run: a comparison that is not a valid specifier compares strings,
  // where "3.9" > "3.11", and the versions around a named one do not cover that.
  const samples = new Set<string>(COMMON_PYTHONS);
  for (const value of values) {
    for (const near of versionsAround(value)) {
      const release = /^\d+(\.\d+)*/.exec(near)?.[0].split('.') ?? [];
      while (release.length < 3) release.push('0');
      samples.add(validVersion(near) !== null && near.split('.').length >= 3 ? near : release.slice(0, 3).join('.'));
    }
  }
  return [...samples];
}

/** `v` itself and the nearest versions on both sides of it at each of its release's places. */
function versionsAround(value: string): string[] {
  const text = value.replace(/\.\*$/, '');
  const match = /^\d+(\.\d+)*/.exec(text);
  if (match === null) return [];
  // Markers compare at most major.minor.micro; a longer release is no reason to try more.
  const release = match[0].split('.').slice(0, 4).map(Number);
  const out = [text];
  for (let place = 0; place < release.length; place++) {
    const head = release.slice(0, place + 1);
    const up = [...head.slice(0, -1), head[place] + 1];
    out.push(up.join('.'), [...head, 1].join('.'), [...head, 99].join('.'));
    if (head[place] > 0) out.push([...head.slice(0, -1), head[place] - 1, 99].join('.'));
  }
  return out;
}
