/**
 * pyproject.toml → the dependency model: `[project] dependencies` and `optional-dependencies`,
 * `[dependency-groups]` (PEP 735) and `[build-system] requires`. Every requirement string is
 * read with the PEP 508 parser and its spans are mapped through the TOML string, so ranges
 * point inside the quotes even across escapes and multi-line strings. Never throws.
 */
import type { Dependency, ParsedDocument } from '../core/model';
import { normalizeName } from '../core/names';
import { MAX_DEPENDENCIES } from './limits';
import { parsePep508 } from './pep508';
import { mapString, readTomlDocument, shown, TomlProblems, type TomlArray, type TomlEntry, type TomlString, type TomlTable, type TomlFormat } from './toml';

/** A valid project, extra or dependency-group name (PEP 508 / PEP 685 / PEP 735). */
const VALID_NAME = /^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$/i;

const PYPROJECT: TomlFormat = {
  format: 'pyproject',
  fileName: 'pyproject.toml',
  read: (root, problems, document) => {
    const reader = new RequirementReader(problems.text, problems, document.dependencies);
    readProject(root, reader);
    readDependencyGroups(root, reader);
    readBuildSystem(root, reader);
  },
};

export function parsePyproject(text: string): ParsedDocument {
  return readTomlDocument(PYPROJECT, text);
}

class RequirementReader {
  constructor(
    readonly text: string,
    readonly problems: TomlProblems,
    private readonly out: Dependency[],
  ) {}

  /** Reads an array that must hold only PEP 508 requirement strings. */
  readArray(entry: TomlEntry | undefined, what: string, section: string): void {
    const array = this.problems.array(entry, what);
    if (array === undefined) return;
    for (const str of this.problems.strings(array, what)) this.read(str, section);
  }

  read(str: TomlString, section: string): void {
    const map = mapString(this.text, str);
    const result = parsePep508(str.value);
    if (!result.ok) {
      this.problems.add(`Invalid requirement: ${result.message}`, map.toDocument(result.span.start, result.span.end));
      return;
    }
    // Past the cap (the one after it still marks where the file stops being checked) a valid
    // requirement is dropped unbuilt: a 10 MiB file has ~100,000, and their ranges were most of
    // the parse's memory. Invalid ones further on are still reported, as before.
    if (this.out.length > MAX_DEPENDENCIES) return;
    const req = result.requirement;
    const range = (start: number, end: number) => this.problems.range(map.toDocument(start, end));
    const dependency: Dependency = {
      name: normalizeName(req.name),
      rawName: req.name,
      extras: req.extras,
      specifier: req.specifier,
      hashes: [],
      ranges: {
        requirement: this.problems.range(map.whole),
        name: range(req.nameSpan.start, req.nameSpan.end),
      },
      section,
    };
    if (req.versionSpan !== undefined) dependency.ranges.version = range(req.versionSpan.start, req.versionSpan.end);
    if (req.pinnedVersion !== undefined) dependency.pinnedVersion = req.pinnedVersion;
    if (req.marker !== undefined) dependency.marker = req.marker;
    if (req.url !== undefined) dependency.url = req.url;
    this.out.push(dependency);
  }
}

function readProject(root: TomlTable, reader: RequirementReader): void {
  const project = reader.problems.table(root.entries.get('project'), '`project`');
  if (project === undefined) return;
  reader.readArray(project.entries.get('dependencies'), '`project.dependencies`', 'project.dependencies');
  const optional = reader.problems.table(project.entries.get('optional-dependencies'), '`project.optional-dependencies`');
  if (optional === undefined) return;
  checkNames(optional, 'extra', reader.problems);
  for (const [extra, entry] of optional.entries) {
    reader.readArray(entry, `extra \`${shown(extra)}\``, `project.optional-dependencies.${extra}`);
  }
}

function readBuildSystem(root: TomlTable, reader: RequirementReader): void {
  const buildSystem = reader.problems.table(root.entries.get('build-system'), '`build-system`');
  if (buildSystem === undefined) return;
  reader.readArray(buildSystem.entries.get('requires'), '`build-system.requires`', 'build-system.requires');
}

/**
 * Invalid names, and names equal after normalization. Two dependency groups that normalize to
 * one name are an error (packaging's resolver refuses them, PEP 735). Two extras are only a
 * warning: pip, packaging and build backends accept them, and projects define both spellings on
 * purpose (SQLAlchemy's `mssql-pymssql` and `mssql_pymssql`) so that either can be installed. The
 * code stays `syntax` (CONTRACT §4 has no better one), at warning severity: it never fails CI.
 */
function checkNames(table: TomlTable, what: 'extra' | 'dependency group', problems: TomlProblems): Map<string, TomlEntry> {
  const byNormalized = new Map<string, TomlEntry>();
  for (const [name, entry] of table.entries) {
    if (!VALID_NAME.test(name)) problems.add(`\`${shown(name)}\` is not a valid ${what} name`, entry.keySpan);
    const normalized = normalizeName(name);
    const first = byNormalized.get(normalized);
    if (first === undefined) {
      byNormalized.set(normalized, entry);
    } else if (what === 'extra') {
      const message = `Extra \`${shown(name)}\` is the same as \`${shown(first.key)}\` after name normalization: installers treat them as one extra`;
      problems.list.push({ code: 'syntax', defaultSeverity: 'warning', message, range: problems.range(entry.keySpan) });
    } else {
      problems.add(`${what} \`${shown(name)}\` is the same as \`${shown(first.key)}\` after name normalization`, entry.keySpan);
    }
  }
  return byNormalized;
}

interface Include {
  target: string;
  value: TomlString;
}

function readDependencyGroups(root: TomlTable, reader: RequirementReader): void {
  const problems = reader.problems;
  const groups = problems.table(root.entries.get('dependency-groups'), '`dependency-groups`');
  if (groups === undefined) return;
  const byNormalized = checkNames(groups, 'dependency group', problems);
  const includes = new Map<string, Include[]>();
  for (const [group, entry] of groups.entries) {
    const array = problems.array(entry, `dependency group \`${shown(group)}\``);
    if (array === undefined) continue;
    const own = readGroup(array, group, reader);
    const normalized = normalizeName(group);
    if (byNormalized.get(normalized) === entry) includes.set(normalized, own);
  }
  for (const list of includes.values()) {
    for (const include of list) {
      if (!byNormalized.has(include.target)) {
        problems.add(`dependency group \`${shown(include.value.value)}\` is not defined`, include.value);
      }
    }
  }
  reportCycles(includes, byNormalized, problems);
}

/** Reads a group's requirement strings; returns its `{include-group = …}` entries. */
function readGroup(array: TomlArray, group: string, reader: RequirementReader): Include[] {
  const problems = reader.problems;
  const includes: Include[] = [];
  for (const item of array.items) {
    if (item.kind === 'string') {
      reader.read(item, `dependency-groups.${group}`);
      continue;
    }
    if (item.kind !== 'table') {
      problems.wrongType(item, `an entry of dependency group \`${shown(group)}\``, 'a requirement string or an `{include-group = "…"}` table');
      continue;
    }
    const entry = item.entries.get('include-group');
    for (const [key, other] of item.entries) {
      if (key !== 'include-group') problems.add(`unknown key \`${shown(key)}\` in a dependency group include (only \`include-group\` is allowed)`, other.keySpan);
    }
    if (entry === undefined) {
      problems.add('a table in a dependency group must be `{include-group = "…"}`', item.header);
      continue;
    }
    const target = problems.string(entry, '`include-group`');
    if (target !== undefined) includes.push({ target: normalizeName(target.value), value: target });
  }
  return includes;
}

/**
 * Reports each include that closes a cycle, e.g. `a -> b -> a`, once: one depth-first search
 * with colours (on the current path, or finished), linear in groups and includes. Each group on
 * the path knows its depth, so a back edge finds where its cycle starts without a search, and
 * the message is built from the cycle's ends only.
 */
function reportCycles(includes: Map<string, Include[]>, names: Map<string, TomlEntry>, problems: TomlProblems): void {
  const depthOnPath = new Map<string, number>();
  const done = new Set<string>();
  const path: string[] = [];
  const display = (normalized: string) => shown(names.get(normalized)?.key ?? normalized);
  // Iterative: a hostile file can chain thousands of groups.
  for (const start of includes.keys()) {
    if (done.has(start)) continue;
    const stack: { group: string; next: number }[] = [{ group: start, next: 0 }];
    depthOnPath.set(start, 0);
    path.push(start);
    while (stack.length > 0) {
      const frame = stack[stack.length - 1];
      const edges = includes.get(frame.group) ?? [];
      if (frame.next >= edges.length) {
        depthOnPath.delete(frame.group);
        done.add(frame.group);
        stack.pop();
        path.pop();
        continue;
      }
      const edge = edges[frame.next++];
      const depth = depthOnPath.get(edge.target);
      if (depth !== undefined) {
        problems.add(`dependency group cycle: ${cycleText(path, depth, edge.target, display)}`, edge.value);
      } else if (!done.has(edge.target) && includes.has(edge.target)) {
        depthOnPath.set(edge.target, path.length);
        path.push(edge.target);
        stack.push({ group: edge.target, next: 0 });
      }
    }
  }
}

/**
 * `path[from…] -> target`, shown whole up to 8 groups and otherwise by its ends, so a cycle
 * through thousands of groups stays readable (and costs no more than a short one to show).
 */
function cycleText(path: readonly string[], from: number, target: string, display: (group: string) => string): string {
  const length = path.length - from + 1;
  const shownGroups = (groups: readonly string[]) => groups.map(display);
  const parts = length <= 8 ? shownGroups([...path.slice(from), target]) : [...shownGroups(path.slice(from, from + 4)), `… ${length - 7} more …`, ...shownGroups([...path.slice(-2), target])];
  return parts.join(' -> ');
}
