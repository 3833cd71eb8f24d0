// Issue 9 item 6: the parse worker started ahead of need (its modules loaded before the first
// large document arrives) parses the document it is sent exactly as parsing in process does,
// and each parse after it still gets a worker.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { parseDocument } from '../../server/src/parsers/index';
import { ParseWorkers } from '../../server/src/parsers/offThread';
import { largeUvLock } from '../support/largeDocuments';

const SCRIPT = path.resolve(__dirname, '../../server/out/parsers/parseWorker.js');

test('a prepared parse worker parses the lock it is sent as in process; a second parse gets a worker too', { skip: existsSync(SCRIPT) ? false : 'server/out is not built (npm run build)' }, async () => {
  const workers = new ParseWorkers(SCRIPT);
  try {
    workers.prepare();
    const text = largeUvLock(400_000);
    const context = { env: {}, workspaceTrusted: true };
    const inProcess = parseDocument('uvlock', text, context);
    const first = await workers.parse('uvlock', text, context);
    assert.ok(first.dependencies.length > 100);
    assert.deepEqual(first, inProcess);
    // The waiting worker is gone (one document a worker); the next parse still gets one.
    const broken = await workers.parse('uvlock', text.replace('version = 1', 'version = [1'), context);
    assert.equal(broken.problems[0]?.code, 'syntax');
    assert.equal(broken.dependencies.length, 0);
  } finally {
    workers.dispose();
  }
});

test('a waiting parse worker no document uses ends after its idle time', { skip: existsSync(SCRIPT) ? false : 'server/out is not built (npm run build)' }, async () => {
  const workers = new ParseWorkers(SCRIPT, 50);
  try {
    workers.prepare();
    assert.equal(workers.hasWaitingWorker, true);
    for (let i = 0; i < 200 && workers.hasWaitingWorker; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(workers.hasWaitingWorker, false, 'the idle worker ended');
  } finally {
    workers.dispose();
  }
});

test('a large document UTF-8 cannot carry (a lone surrogate) is parsed on the worker as in process', { skip: existsSync(SCRIPT) ? false : 'server/out is not built (npm run build)' }, async () => {
  const workers = new ParseWorkers(SCRIPT);
  try {
    // In a comment and in a package name: the name's problem quotes it back.
    const text = `# made by \uD800 hand\n${largeUvLock(300_000).replace('name = "package-3"', 'name = "package-\uDC003"')}`;
    const context = { env: {}, workspaceTrusted: false };
    const inProcess = parseDocument('uvlock', text, context);
    assert.ok(inProcess.problems.some((problem) => problem.message.includes('\uDC00')));
    assert.deepEqual(await workers.parse('uvlock', text, context), inProcess);
  } finally {
    workers.dispose();
  }
});
