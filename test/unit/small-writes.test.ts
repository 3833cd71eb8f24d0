// The stores' synchronous small writes (server/src/core/smallWrites.ts) behave as node:fs/promises
// does: the same files, the same error codes, large or chunked data and directories left to it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { promises as nodeFs } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tempPathFor, withSmallSyncWrites } from '../../server/src/core/smallWrites';

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'pypi-provenance-small-writes-'));
}

test('small writes, renames and removals land as node:fs/promises would put them', async () => {
  const dir = scratch();
  try {
    const fs = withSmallSyncWrites(nodeFs);
    const target = path.join(dir, 'entry.json');
    const temp = tempPathFor(target);
    await fs.writeFile(temp, '{"a":1}');
    await fs.rename(temp, target);
    assert.equal(readFileSync(target, 'utf8'), '{"a":1}');
    assert.equal(existsSync(temp), false);
    const second = tempPathFor(target);
    await fs.writeFile(second, '{"a":2}');
    await fs.rm(second, { force: true });
    assert.equal(existsSync(second), false);
    // Removing what is not there: fine with force, ENOENT without.
    await fs.rm(second, { force: true });
    await assert.rejects(fs.rm(second, { force: false }), { code: 'ENOENT' });
    // Chunked data and a directory go the asynchronous way, with its answers.
    const large = path.join(dir, 'large.bin');
    await fs.writeFile(large, [Buffer.from('head\n'), Buffer.from('body')] as never);
    assert.equal(readFileSync(large, 'utf8'), 'head\nbody');
    const sub = path.join(dir, 'sub');
    mkdirSync(sub);
    writeFileSync(path.join(sub, 'x'), 'x');
    await assert.rejects(fs.rm(sub, { force: true }));
    await fs.rm(sub, { force: true, recursive: true });
    assert.equal(existsSync(sub), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('temp names are unique within the process and end in .tmp', () => {
  const names = new Set(Array.from({ length: 1000 }, () => tempPathFor('/x/entry.json')));
  assert.equal(names.size, 1000);
  for (const name of names) assert.match(name, new RegExp(`^/x/entry\\.json\\.${process.pid}\\.[0-9a-f]{12}[0-9a-z]+\\.tmp$`));
});

test('appends land in order; a store without appendFile gets none', async () => {
  const dir = scratch();
  try {
    const fs = withSmallSyncWrites(nodeFs);
    const journal = path.join(dir, 'journal.jsonl');
    await fs.appendFile(journal, 'a\n');
    await fs.appendFile(journal, 'b\n');
    assert.equal(readFileSync(journal, 'utf8'), 'a\nb\n');
    const { writeFile, rename, rm } = nodeFs;
    const bare = withSmallSyncWrites({ writeFile, rename, rm }) as { appendFile?: unknown };
    assert.equal(bare.appendFile, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
