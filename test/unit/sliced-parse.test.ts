/**
 * A large lock read on the server's thread in slices (server/src/parsers/slicedParse.ts): the
 * same document parseDocument gives, the event loop given back between slices, and everything it
 * cannot read that way — a syntax error, another format, one line that runs too long — handed
 * back (undefined) for the worker, never a wrong or half-read document.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { DocumentFormat } from '../../server/src/core/model';
import { parseDocument } from '../../server/src/parsers';
import { parseToml } from '../../server/src/parsers/toml';
import { LONGEST_LINE_MS, parseInSlices, SLICE_MS, type SliceScheduler } from '../../server/src/parsers/slicedParse';
import { largePoetryLock, largePylock, largeUvLock } from '../support/largeDocuments';

const corpus = path.resolve(__dirname, '../..', '../shared/corpus');

/** A clock that moves `msPerLook` each time it is read, and counts the pauses it is asked for. */
function fakeScheduler(msPerLook: number): SliceScheduler & { pauses: number } {
  let now = 0;
  const scheduler = {
    pauses: 0,
    now: () => (now += msPerLook),
    pause: async () => {
      scheduler.pauses++;
    },
  };
  return scheduler;
}

const LOCKS: Array<[DocumentFormat, (bytes: number) => string]> = [
  ['uvlock', largeUvLock],
  ['poetrylock', largePoetryLock],
  ['pylock', largePylock],
];

test('each lock format read in slices is the document parseDocument gives, and the event loop gets turns meanwhile', async () => {
  for (const [format, generate] of LOCKS) {
    const text = generate(400_000);
    const scheduler = fakeScheduler(0.01);
    const sliced = await parseInSlices(format, text, scheduler);
    assert.ok(sliced !== undefined, `${format}: read in slices`);
    assert.deepEqual(sliced, parseDocument(format, text), format);
    assert.ok(sliced.dependencies.length > 100, format);
    // 0.01 ms a look and a look a line: a pause at least every SLICE_MS / 0.01 looks.
    assert.ok(scheduler.pauses >= 2, `${format}: ${scheduler.pauses} pauses`);
  }
});

test('a lock with problems in its packages is read in slices with the same problems, at the same places', async () => {
  const text = largeUvLock(60_000).replace('version = "1.1.1"', 'version = "not a version"').replace('size = 9', 'size = -9');
  const sliced = await parseInSlices('uvlock', text, fakeScheduler(0.01));
  assert.ok(sliced !== undefined);
  assert.ok(sliced.problems.length >= 2, JSON.stringify(sliced.problems));
  assert.deepEqual(sliced, parseDocument('uvlock', text));
});

test('what slices cannot read comes back undefined, for the worker: a syntax error, another format, an oversized file', async () => {
  const broken = largeUvLock(60_000).replace('[[package]]\nname = "package-3"', '[[package]\nname = "package-3"');
  assert.equal(await parseInSlices('uvlock', broken, fakeScheduler(0.01)), undefined);
  assert.equal(parseDocument('uvlock', broken).problems[0]?.code, 'syntax');
  assert.equal(await parseInSlices('requirements', 'requests==2.32.3\n'), undefined);
  assert.equal(await parseInSlices('pyproject', '[project]\nname = "x"\n'), undefined);
  assert.equal(await parseInSlices('uvlock', 'x'.repeat(11 * 1024 * 1024)), undefined);
});

test('one line that holds the thread past its slice (a huge array) is handed to the worker, not read to the end', async () => {
  const items = Array.from({ length: 20_000 }, (_, i) => `{ name = "p${i}" }`).join(', ');
  const text = `version = 1\nrevision = 3\n[[package]]\nname = "a"\nversion = "1"\nsource = { registry = "https://pypi.org/simple" }\ndependencies = [${items}]\n`;
  // Each look at the clock is 1 ms: the array's line passes SLICE_MS + LONGEST_LINE_MS long before its end.
  const scheduler = fakeScheduler(1);
  assert.equal(await parseInSlices('uvlock', text, scheduler), undefined);
  assert.ok(SLICE_MS + LONGEST_LINE_MS < 20_000 / 256);
  // With time to spare, the same text reads in slices.
  assert.deepEqual(await parseInSlices('uvlock', text, fakeScheduler(0)), parseDocument('uvlock', text));
});

test('real uv.lock, poetry.lock and pylock files of ../shared/corpus read in slices as parseDocument reads them', async (t) => {
  if (!existsSync(corpus)) {
    t.skip(`${corpus} is absent, so there are no real locks to read`);
    return;
  }
  const files: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory)) {
      const full = path.join(directory, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.push(full);
    }
  };
  walk(path.join(corpus, 'locks'));
  if (existsSync(path.join(corpus, 'pylock'))) walk(path.join(corpus, 'pylock'));
  const formats: Record<string, DocumentFormat> = { 'uv.lock': 'uvlock', 'poetry.lock': 'poetrylock' };
  let read = 0;
  for (const file of files) {
    const name = path.basename(file);
    const format = formats[name] ?? (/^pylock\.([^.]+\.)?toml$/.test(name) ? 'pylock' : undefined);
    if (format === undefined) continue;
    const text = readFileSync(file, 'utf8');
    const sliced = await parseInSlices(format, text, fakeScheduler(0.01));
    const whole = parseDocument(format, text);
    if (sliced === undefined) {
      // Only a file that is not valid TOML goes to the worker (pip-audit keeps one as a test asset).
      assert.equal(parseToml(text).ok, false, `${path.relative(corpus, file)} is valid TOML but was not read in slices`);
      continue;
    }
    assert.deepEqual(sliced, whole, path.relative(corpus, file));
    read++;
  }
  assert.ok(read > 0, 'the corpus holds lock files');
});

test('a lock read while it is scanned: a late syntax error still hands it all to the worker, and tables after the packages still count', async () => {
  const lock = largeUvLock(80_000);
  // Packages read, then a broken line near the end: no half-read document.
  assert.equal(await parseInSlices('uvlock', `${lock}[manifest]\nmembers = [\n`, fakeScheduler(0.01)), undefined);
  // A reader that stops early (an unsupported version) still needs the rest to be valid TOML.
  const unsupported = lock.replace('version = 1\n', 'version = 2\n');
  assert.equal(await parseInSlices('uvlock', `${unsupported}x = = 1\n`, fakeScheduler(0.01)), undefined);
  const stopped = await parseInSlices('uvlock', unsupported, fakeScheduler(0.01));
  assert.deepEqual(stopped, parseDocument('uvlock', unsupported));
  assert.equal(stopped?.dependencies.length, 0);
  // `[manifest]` and `[options]` after the packages, and a pylock whose packages have sub-tables.
  const withTables = `${lock}[manifest]\nmembers = ["a", "b"]\n\n[options]\nexclude-newer = "2024-01-01T00:00:00Z"\n`;
  assert.deepEqual(await parseInSlices('uvlock', withTables, fakeScheduler(0.01)), parseDocument('uvlock', withTables));
  const pylock = largePylock(80_000);
  assert.deepEqual(await parseInSlices('pylock', pylock, fakeScheduler(0.01)), parseDocument('pylock', pylock));
});
