/**
 * The real uv.lock and poetry.lock files of ../shared/corpus (public repositories' locks, read in
 * place): no false `syntax`, every package from an index pinned with hashed files, every range
 * on the package's name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseUvLock } from '../../server/src/parsers/uvLock';
import { parsePoetryLock } from '../../server/src/parsers/poetryLock';
import { lockFileKind } from '../../server/src/parsers/lockFiles';
import { LineIndex } from '../../server/src/core/lineIndex';
import type { ParsedDocument, Range } from '../../server/src/core/model';

const corpus = path.resolve(__dirname, '../..', '../shared/corpus');

function lockFiles(dir: string, found: string[] = []): string[] {
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) lockFiles(full, found);
    else if (entry === 'uv.lock' || entry === 'poetry.lock') found.push(full);
  }
  return found;
}

function rangeText(text: string, lines: LineIndex, range: Range): string {
  for (const end of [range.start, range.end]) assert.deepEqual(lines.positionAt(lines.offsetAt(end)), end, 'a range outside the document');
  return text.slice(lines.offsetAt(range.start), lines.offsetAt(range.end));
}

/** How many packages the text declares, and how many of them come from an index, counted on the text itself. */
function declared(kind: 'uvlock' | 'poetrylock', text: string): { packages: number; fromIndex: number } {
  const packages = text.match(/^\[\[package\]\]$/gm)?.length ?? 0;
  if (kind === 'uvlock') return { packages, fromIndex: text.match(/^source = \{ registry = "https?:/gm)?.length ?? 0 };
  const notFromIndex = text.match(/^\[package\.source\]\r?\ntype = "(git|url|file|directory)"/gm)?.length ?? 0;
  return { packages, fromIndex: packages - notFromIndex };
}

const files = existsSync(corpus) ? lockFiles(corpus) : [];

test('real uv.lock and poetry.lock files: no syntax problem, every index package pinned with hashed files', (t) => {
  if (files.length === 0) {
    t.skip(existsSync(corpus) ? `no uv.lock or poetry.lock under ${corpus}` : `corpus not found: ${corpus} (the shared corpus is not mounted here)`);
    return;
  }
  const summary: string[] = [];
  for (const file of files) {
    const kind = lockFileKind(path.basename(file));
    assert.ok(kind === 'uvlock' || kind === 'poetrylock', file);
    const text = readFileSync(file, 'utf8');
    const doc: ParsedDocument = kind === 'uvlock' ? parseUvLock(text) : parsePoetryLock(text);
    const where = path.relative(corpus, file);
    assert.deepEqual(doc.problems, [], where);

    const lines = new LineIndex(text);
    const expected = declared(kind, text);
    assert.equal(doc.dependencies.length, expected.packages, `${where}: packages`);
    const fromIndex = doc.dependencies.filter((d) => d.pinnedVersion !== undefined);
    assert.equal(fromIndex.length, expected.fromIndex, `${where}: packages from an index`);
    let lockedFiles = 0;
    for (const dep of doc.dependencies) {
      assert.equal(rangeText(text, lines, dep.ranges.name), dep.rawName, `${where}: name range of ${dep.rawName}`);
      assert.equal(dep.ranges.requirement, dep.ranges.name);
      if (dep.ranges.version) rangeText(text, lines, dep.ranges.version);
      for (const locked of dep.files ?? []) {
        rangeText(text, lines, locked.range);
        for (const hash of locked.hashes) assert.equal(rangeText(text, lines, hash.range), `${hash.algorithm}:${hash.hex}`);
      }
      if (dep.pinnedVersion === undefined) {
        assert.ok(dep.url !== undefined, `${where}: ${dep.name} is neither from an index nor from a URL or path`);
        continue;
      }
      assert.ok((dep.files ?? []).length > 0, `${where}: ${dep.name} ${dep.pinnedVersion} locks no file`);
      for (const locked of dep.files ?? []) {
        assert.ok(locked.filename, `${where}: ${dep.name}: a file without a name`);
        assert.ok(locked.hashes.length > 0, `${where}: ${dep.name}: ${locked.filename} has no hash`);
        lockedFiles++;
      }
    }
    const others = doc.dependencies.filter((d) => d.pinnedVersion === undefined).map((d) => `${d.rawName} (${d.url})`);
    summary.push(`${where}: ${doc.dependencies.length} packages, ${fromIndex.length} from an index (${lockedFiles} files), other: ${others.join(', ') || 'none'}`);
  }
  t.diagnostic(`${files.length} lock files\n${summary.join('\n')}`);
});
