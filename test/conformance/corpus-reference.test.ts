/**
 * The parsers against what pip 26 and packaging 26 make of real files: every file of
 * ../shared/corpus (requirements, pyproject, pylock) is parsed and compared, entry by entry, with
 * its reading in ../shared/corpus/reference (see that folder's README for the format). A new
 * disagreement fails the test; the known ones are in KNOWN_DISAGREEMENTS below, each with why.
 * Skips, saying so, when the corpus is absent.
 *
 * What "agree" means, per entry:
 * - requirements, one per logical line pip reads: pip refuses the line ⇔ we report an error on it;
 *   a requirement: one dependency with pip's name (none for a bare URL or path), pin, extras,
 *   hashes and editable flag; an option line: no dependency.
 * - pyproject, one per requirement string packaging accepts: a dependency of that section with its
 *   name, extras and pin; and per file, packaging or tomllib refuses something ⇔ we report an error.
 * - pylock, one per package: its name, version and files' hashes; and per file, tomllib or
 *   `packaging.pylock` refuses it ⇔ we report an error.
 * Problems at warning severity or below are not errors (see ParseProblem.defaultSeverity).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Dependency, ParsedDocument, ParseProblem } from '../../server/src/core/model';
import { normalizeName } from '../../server/src/core/names';
import { parsePylock } from '../../server/src/parsers/pylock';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { parseRequirements } from '../../server/src/parsers/requirements';

const corpus = path.resolve(__dirname, '../..', '../shared/corpus');
const referenceDir = path.join(corpus, 'reference');

/**
 * Known, justified disagreements: `file#entry` → why. An entry is a requirements line number,
 * `section/index` of a pyproject requirement, `package/index` of a pylock package, or `errors`
 * for whether the file has errors at all.
 */
const MISSING_DIRECTORY =
  'pip ran in an empty folder, where this directory does not exist, so pip refuses it; the parser has no file system and takes a path written as one (./, ../, /, .) as a local directory';
const UV_BARE_URL = 'requirements/astral-sh+uv/crates/uv-requirements-txt/test-data/requirements-txt/bare-url.txt';
const UV_EDITABLE = 'requirements/astral-sh+uv/crates/uv-requirements-txt/test-data/requirements-txt/editable.txt';
const KNOWN_DISAGREEMENTS: Readonly<Record<string, string>> = {
  [`${UV_BARE_URL}#1`]: MISSING_DIRECTORY,
  [`${UV_BARE_URL}#2`]: MISSING_DIRECTORY,
  // `./test/packages/black editable`: a path with a space, which pip would install were it a directory.
  [`${UV_BARE_URL}#4`]: MISSING_DIRECTORY,
  [`${UV_BARE_URL}#5`]: MISSING_DIRECTORY,
  [`${UV_BARE_URL}#6`]: MISSING_DIRECTORY,
  [`${UV_EDITABLE}#2`]: MISSING_DIRECTORY,
  [`${UV_EDITABLE}#20`]: MISSING_DIRECTORY,
  [`${UV_EDITABLE}#23`]: MISSING_DIRECTORY,
  'requirements/aws+aws-sam-cli/tests/integration/testdata/invoke/cdk/assets/asset.ecc03cd9bbdad1c6d9750d997706058e2e6890371efe8dfe21b7b4e9faf5a2df/requirements.txt#1': MISSING_DIRECTORY,
  'requirements/kubeflow+pipelines/backend/src/v2/test/requirements.txt#2': MISSING_DIRECTORY,
  // pip found the empty folder itself (`.`) but no setup.py or pyproject.toml in it.
  'requirements/pylint-dev+pylint/requirements_test_min.txt#1': MISSING_DIRECTORY,
  // An `archive` package's version names no index release, so it is left unpinned on purpose
  // (parsers/pylock.ts): its files are the archive's, not the index's.
  'pylock/ENCCS+python-for-hpc/pylock.toml#package/107': 'an archive package is not pinned to an index version',
  // packaging refuses the file (no `name`), and so do we; its reference still lists the nameless
  // package as written, which we leave out rather than invent a name for.
  'pylock/pypa+pip-audit/test/assets/pylock.package-missing-name.toml#package/0': 'a package without a name is reported, not listed',
};

interface Tally {
  entries: number;
  agreeing: number;
  files: number;
  filesAgreeing: number;
}

interface Disagreement {
  id: string;
  detail: string;
}

type Category = 'requirements' | 'pyproject' | 'pylock';

interface ReferenceLine {
  line: number;
  text: string;
  kind: 'requirement' | 'editable' | 'option' | 'error';
  name?: string | null;
  extras?: string[];
  hashes?: string[];
  pinned?: string | null;
  editable?: boolean;
  error?: string;
}

interface ReferenceRequirement {
  section: string;
  string: string;
  name: string;
  extras: string[];
  pinned?: string;
  url?: string;
}

interface ReferencePackage {
  name: string;
  version?: string;
  files?: { hashes?: string[] }[];
}

interface Reference {
  file: string;
  format: Category;
  lines?: ReferenceLine[];
  requirements?: ReferenceRequirement[];
  errors?: unknown[];
  toml_error?: string;
  packaging_error?: string;
  packages?: ReferencePackage[];
}

function isError(problem: ParseProblem): boolean {
  return (problem.defaultSeverity ?? 'error') === 'error';
}

const sorted = (values: readonly string[]) => [...values].sort();
const same = (a: readonly string[], b: readonly string[]) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));

/** Compares one requirements file, line by line. */
function compareRequirements(ref: Reference, doc: ParsedDocument, out: Disagreement[]): [number, number] {
  const lines = ref.lines ?? [];
  // Our findings go to the logical line they start on: the last one starting at or before them.
  const lineOf = (physical: number) => {
    let found = -1;
    for (let i = 0; i < lines.length && lines[i].line <= physical; i++) found = i;
    return found;
  };
  const deps = lines.map((): Dependency[] => []);
  const errors = lines.map((): ParseProblem[] => []);
  for (const dep of doc.dependencies) {
    const at = lineOf(dep.ranges.requirement.start.line + 1);
    if (at >= 0) deps[at].push(dep);
  }
  for (const problem of doc.problems.filter(isError)) {
    const at = lineOf(problem.range.start.line + 1);
    if (at >= 0) errors[at].push(problem);
  }
  let agreeing = 0;
  lines.forEach((line, i) => {
    const why = requirementLineDisagreement(line, deps[i], errors[i]);
    if (why === undefined) agreeing++;
    else out.push({ id: `${ref.file}#${line.line}`, detail: `${JSON.stringify(line.text.slice(0, 120))}: ${why}` });
  });
  return [lines.length, agreeing];
}

function requirementLineDisagreement(line: ReferenceLine, deps: Dependency[], errors: ParseProblem[]): string | undefined {
  if (line.kind === 'error') return errors.length > 0 ? undefined : `pip refuses it (${line.error?.slice(0, 160)}); we report no error`;
  if (errors.length > 0) return `pip reads it (${line.kind}); we report: ${errors[0].message}`;
  if (line.kind === 'option') return deps.length === 0 ? undefined : `pip reads options only; we found a requirement ${deps[0].rawName}`;
  if (deps.length !== 1) return `pip reads one requirement; we found ${deps.length}`;
  const dep = deps[0];
  const name = line.name ?? '';
  if (dep.name !== name) return `name: pip ${JSON.stringify(name)}, ours ${JSON.stringify(dep.name)}`;
  if ((dep.pinnedVersion ?? null) !== (line.pinned ?? null)) return `pin: pip ${line.pinned}, ours ${dep.pinnedVersion}`;
  if (!same(dep.extras.map(normalizeName), (line.extras ?? []).map(normalizeName))) return `extras: pip ${line.extras}, ours ${dep.extras}`;
  if (!same(dep.hashes.map((h) => `${h.algorithm}:${h.hex}`), line.hashes ?? [])) return 'hashes differ';
  if ((dep.editable ?? false) !== (line.editable ?? false)) return `editable: pip ${line.editable}, ours ${dep.editable}`;
  return undefined;
}

/** Our pyproject dependencies already matched to a reference requirement. */
const usedDeps = new WeakSet<Dependency>();

/** Compares one pyproject.toml: its requirements by section and order, and whether it has errors. */
function comparePyproject(ref: Reference, doc: ParsedDocument, out: Disagreement[]): [number, number] {
  let entries = 0;
  let agreeing = 0;
  const bySection = new Map<string, Dependency[]>();
  for (const dep of doc.dependencies) bySection.set(dep.section, [...(bySection.get(dep.section) ?? []), dep]);
  const seen = new Map<string, number>();
  for (const req of ref.requirements ?? []) {
    const index = seen.get(req.section) ?? 0;
    seen.set(req.section, index + 1);
    entries++;
    const dep = (bySection.get(req.section) ?? []).find((d) => d.rawName === req.name && !usedDeps.has(d));
    const why = dep === undefined ? 'packaging reads it; we have no such dependency' : dep.pinnedVersion !== req.pinned ? `pin: packaging ${req.pinned}, ours ${dep.pinnedVersion}` : !same(dep.extras.map(normalizeName), req.extras.map(normalizeName)) ? `extras: packaging ${req.extras}, ours ${dep.extras}` : (dep.url ?? null) !== (req.url ?? null) ? `url: packaging ${req.url}, ours ${dep.url}` : undefined;
    if (dep) usedDeps.add(dep);
    if (why === undefined) agreeing++;
    else out.push({ id: `${ref.file}#${req.section}/${index}`, detail: `${JSON.stringify(req.string)}: ${why}` });
  }
  entries++;
  const refErrors = ref.toml_error !== undefined || (ref.errors?.length ?? 0) > 0;
  const ours = doc.problems.filter(isError);
  if (refErrors === ours.length > 0) agreeing++;
  else out.push({ id: `${ref.file}#errors`, detail: refErrors ? `packaging refuses ${JSON.stringify(ref.toml_error ?? ref.errors)}; we report no error` : `packaging accepts it; we report: ${ours[0].message}` });
  return [entries, agreeing];
}

/** Compares one pylock.toml: its packages in order, and whether it has errors. */
function comparePylock(ref: Reference, doc: ParsedDocument, out: Disagreement[]): [number, number] {
  let entries = 0;
  let agreeing = 0;
  (ref.packages ?? []).forEach((pkg, i) => {
    entries++;
    const dep = doc.dependencies[i];
    const refHashes = (pkg.files ?? []).flatMap((f) => f.hashes ?? []);
    const ourHashes = (dep?.files ?? []).flatMap((f) => f.hashes.map((h) => `${h.algorithm}:${h.hex}`));
    const why = dep === undefined ? 'packaging reads it; we have no such package' : dep.name !== normalizeName(pkg.name) ? `name: ${pkg.name} vs ${dep.name}` : (dep.pinnedVersion ?? null) !== (pkg.version ?? null) ? `version: ${pkg.version} vs ${dep.pinnedVersion}` : !same(ourHashes, refHashes) ? 'hashes differ' : undefined;
    if (why === undefined) agreeing++;
    else out.push({ id: `${ref.file}#package/${i}`, detail: `${pkg.name}: ${why}` });
  });
  entries++;
  const refError = ref.toml_error ?? ref.packaging_error;
  const ours = doc.problems.filter(isError);
  if ((refError !== undefined) === ours.length > 0) agreeing++;
  else out.push({ id: `${ref.file}#errors`, detail: refError !== undefined ? `refused: ${refError}; we report no error` : `packaging accepts it; we report: ${ours[0].message}` });
  return [entries, agreeing];
}

const PARSE: Record<Category, (text: string) => ParsedDocument> = { requirements: (text) => parseRequirements(text), pyproject: parsePyproject, pylock: parsePylock };
const COMPARE: Record<Category, (ref: Reference, doc: ParsedDocument, out: Disagreement[]) => [number, number]> = { requirements: compareRequirements, pyproject: comparePyproject, pylock: comparePylock };

test('every corpus file reads as pip and packaging read it, but for the known disagreements', (t) => {
  if (!existsSync(path.join(referenceDir, 'index.json'))) {
    t.skip(`no corpus at ${corpus} (../shared/corpus with reference/ beside the worktree)`);
    return;
  }
  const tallies = new Map<Category, Tally>();
  const disagreements: Disagreement[] = [];
  for (const category of ['requirements', 'pyproject', 'pylock'] as const) {
    const tally: Tally = { entries: 0, agreeing: 0, files: 0, filesAgreeing: 0 };
    tallies.set(category, tally);
    for (const json of readFileSync(path.join(referenceDir, `${category}.jsonl`), 'utf8').split('\n')) {
      if (json.trim() === '') continue;
      const ref = JSON.parse(json) as Reference;
      const text = readFileSync(path.join(corpus, ref.file), 'utf8');
      const found: Disagreement[] = [];
      const [entries, agreeing] = COMPARE[category](ref, PARSE[category](text), found);
      tally.entries += entries;
      tally.agreeing += agreeing;
      tally.files++;
      if (found.length === 0) tally.filesAgreeing++;
      disagreements.push(...found);
    }
  }
  for (const [category, tally] of tallies) {
    t.diagnostic(`${category}: ${tally.agreeing}/${tally.entries} entries agree, ${tally.filesAgreeing}/${tally.files} files agree wholly`);
  }
  const known = new Set(disagreements.filter((d) => KNOWN_DISAGREEMENTS[d.id] !== undefined).map((d) => d.id));
  const stale = Object.keys(KNOWN_DISAGREEMENTS).filter((id) => !known.has(id));
  if (stale.length > 0) t.diagnostic(`known disagreements that now agree (remove them from the list): ${stale.join(', ')}`);
  t.diagnostic(`${known.size} known disagreements`);
  // CORPUS_DUMP=FILE writes every disagreement, known or not, for a closer look.
  if (process.env.CORPUS_DUMP) writeFileSync(process.env.CORPUS_DUMP, disagreements.map((d) => `${d.id}\t${d.detail}`).join('\n'));
  const fresh = disagreements.filter((d) => KNOWN_DISAGREEMENTS[d.id] === undefined).map((d) => `${d.id}: ${d.detail}`);
  assert.deepEqual(fresh, [], `${fresh.length} new disagreements with pip/packaging`);
});
