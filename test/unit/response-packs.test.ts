/**
 * Small index answers packed into append-only files (server/src/index/responsePacks.ts, issue
 * 14): what one instance appends another reads back by its key, the latest line wins, a torn or
 * foreign line is never an answer, a FIFO or a link is never read, and nothing grows without end.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FOLD_AFTER_PACKS, STALE_MS, createResponsePacks } from '../../server/src/index/responsePacks';
import { cacheKey, createResponseCache, LARGE_BODY_BYTES, type CachedResponse } from '../../server/src/index/responseCache';
import { storedEntryText } from '../support/responseCacheDisk';

const made: string[] = [];
after(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'response-packs-'));
  made.push(dir);
  return dir;
}
const key = (n: number) => n.toString(16).padStart(64, '0');
const packs = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('pack-'));

test('what one instance appends, another reads back by its key; the latest line of a key wins', () => {
  const dir = tempDir();
  const writer = createResponsePacks(dir);
  writer.load();
  writer.append(key(1), '{"n":1}');
  writer.append(key(2), '{"n":2,"text":"naïve ✓"}');
  writer.append(key(1), '{"n":3}');
  assert.equal(writer.read(key(1)), '{"n":3}');
  const reader = createResponsePacks(dir);
  reader.load();
  assert.equal(reader.read(key(1)), '{"n":3}');
  assert.equal(reader.read(key(2)), '{"n":2,"text":"naïve ✓"}');
  assert.equal(reader.read(key(3)), undefined);
  assert.equal(packs(dir).length, 1, 'one pack for the instance');
  // Two writers: a file each, and a third instance reads both (the newer pack's line wins).
  const other = createResponsePacks(dir);
  other.load();
  other.append(key(1), '{"n":4}');
  const third = createResponsePacks(dir);
  third.load();
  assert.equal(third.read(key(1)), '{"n":4}');
  assert.equal(third.read(key(2)), '{"n":2,"text":"naïve ✓"}');
});

test('a torn last line, a foreign line, a pack removed or rewritten since: never an answer, only a miss', () => {
  const dir = tempDir();
  const writer = createResponsePacks(dir);
  writer.load();
  writer.append(key(1), '{"n":1}');
  const [pack] = packs(dir);
  appendFileSync(path.join(dir, pack), `not a key line\n${key(9)}x{"n":9}\n${key(2)} {"n":2,"torn`);
  const reader = createResponsePacks(dir);
  reader.load();
  assert.equal(reader.read(key(1)), '{"n":1}');
  assert.equal(reader.read(key(2)), undefined, 'a line without its newline is still being written, or torn');
  assert.equal(reader.has(key(9)), false);
  // Rewritten since it was read: the line at the place is another key's, so it is a miss.
  writeFileSync(path.join(dir, pack), `${key(5)} {"n":5}\n`);
  assert.equal(reader.read(key(1)), undefined);
  assert.equal(reader.has(key(1)), false, 'forgotten once found wrong');
  rmSync(path.join(dir, pack));
  const late = createResponsePacks(dir);
  late.load();
  assert.equal(late.read(key(5)), undefined);
});

test('a FIFO or a link named like a pack is never read (no hang, no other file)', { skip: process.platform === 'win32' ? 'no FIFOs or unprivileged links on Windows' : false }, () => {
  const dir = tempDir();
  const secret = path.join(tempDir(), 'secret.txt');
  writeFileSync(secret, `${key(1)} {"stolen":true}\n`);
  symlinkSync(secret, path.join(dir, 'pack-1-aaaaaa.jsonl'));
  symlinkSync('/dev/zero', path.join(dir, 'pack-2-bbbbbb.jsonl'));
  try {
    execFileSync('mkfifo', [path.join(dir, 'pack-3-cccccc.jsonl')]);
  } catch {
    // No mkfifo: the links are still checked.
  }
  const reader = createResponsePacks(dir);
  reader.load();
  assert.equal(reader.read(key(1)), undefined);
});

test('an own pack past its size is rewritten with its current lines only', () => {
  const dir = tempDir();
  const writer = createResponsePacks(dir, { rotateBytes: 4096 });
  writer.load();
  const body = 'x'.repeat(200);
  for (let round = 0; round < 20; round++) for (let n = 0; n < 5; n++) writer.append(key(n), `{"round":${round},"b":"${body}"}`);
  const [pack] = packs(dir);
  assert.equal(packs(dir).length, 1, 'the old pack is gone');
  assert.ok(statSync(path.join(dir, pack)).size < 3 * 4096, `${statSync(path.join(dir, pack)).size} bytes`);
  const reader = createResponsePacks(dir);
  reader.load();
  for (let n = 0; n < 5; n++) assert.equal(reader.read(key(n)), `{"round":19,"b":"${body}"}`);
});

test('past eight packs, the stale ones (no writer for an hour) are folded into the new pack and removed', () => {
  const dir = tempDir();
  const old = (Date.now() - STALE_MS - 60_000) / 1000;
  for (let i = 0; i <= FOLD_AFTER_PACKS; i++) {
    const writer = createResponsePacks(dir);
    writer.load();
    writer.append(key(i), `{"pack":${i}}`);
    writer.append(key(100), `{"newest":${i}}`);
  }
  const before = packs(dir).sort((a, b) => statSync(path.join(dir, a)).mtimeMs - statSync(path.join(dir, b)).mtimeMs);
  // All but the newest two are stale (their mtime order kept).
  before.slice(0, -2).forEach((name, i) => utimesSync(path.join(dir, name), old + i, old + i));
  const folding = createResponsePacks(dir);
  folding.load();
  assert.deepEqual(packs(dir).length, 3, 'the two live packs and the one the stale ones went into');
  const reader = createResponsePacks(dir);
  reader.load();
  for (let i = 0; i <= FOLD_AFTER_PACKS; i++) assert.equal(reader.read(key(i)), `{"pack":${i}}`);
  assert.equal(reader.read(key(100)), `{"newest":${FOLD_AFTER_PACKS}}`);
});

test('the response cache: a small answer is a pack line; one grown large is a file, and a new instance reads the file, not the old line', async () => {
  const dir = tempDir();
  const sub = path.join(dir, 'index-http-v1');
  const url = 'https://h.example/simple/grows/';
  const accept = 'application/vnd.pypi.simple.v1+json';
  const entry = (body: string | Buffer): CachedResponse => ({ v: 1, url, accept, status: 200, finalUrl: url, fetchedAt: Date.now(), maxAgeSeconds: 600, body });
  const cache = createResponseCache({ directory: dir });
  await cache.write(entry('{"small":true}'));
  assert.deepEqual(readdirSync(sub).filter((name) => name.endsWith('.json')), [], 'no file for a small answer');
  assert.equal((JSON.parse(storedEntryText(sub, cacheKey(url, accept)) ?? 'null') as { body: string }).body, '{"small":true}');
  const large = Buffer.alloc(LARGE_BODY_BYTES + 10, 0x61);
  await cache.write(entry(large));
  assert.ok(existsSync(path.join(sub, `${cacheKey(url, accept)}.json`)));
  const fresh = createResponseCache({ directory: dir });
  const read = await fresh.read(url, accept);
  assert.equal(read?.large?.bytes, large.length, 'the large file, not the small line before it');
  assert.equal((await fresh.readBody(read!))?.length, large.length);
  // Small again: the line wins, and the file is removed.
  const again = createResponseCache({ directory: dir });
  assert.ok(await again.read(url, accept));
  await again.write(entry('{"small":"again"}'));
  assert.equal(existsSync(path.join(sub, `${cacheKey(url, accept)}.json`)), false);
  assert.equal((await createResponseCache({ directory: dir }).read(url, accept))?.body, '{"small":"again"}');
  assert.match(readFileSync(path.join(sub, packs(sub)[0]), 'utf8'), /^[0-9a-f]{64} \{/);
});
