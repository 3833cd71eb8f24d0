// Issue 15 items 2 and 3: large and hostile documents through the real server over stdio. The
// server stays up, publishes diagnostics that say what happened, keeps serving other documents,
// and its peak resident set stays under a generous bound (read from /proc, Linux only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { sizeLimit } from '../../server/src/parsers/limits';
import type { DocumentReport } from '../../server/src/core/result';
import { parseDocument } from '../../server/src/parsers';
import { atSizeLimit, LARGE_DOCUMENTS, largeRequirements, manyUnpinnedRequirements, nestedInlineTables } from '../support/largeDocuments';
import { fileUri, withClient, type LspClient } from '../support/lspClient';

const dir = '/tmp/pypi-provenance-large-documents';
let counter = 0;
const uriOf = (name: string) => fileUri(`${dir}/${++counter}/${name}`);
const WAIT = { timeoutMs: 240_000 };
/** Far above the ≤ 400 MB the issue asks for, so a loaded machine cannot make it flaky; the bench reports the real figure. */
const PEAK_RSS_BOUND_MB = 800;

function peakRssMb(client: LspClient): number | undefined {
  const status = `/proc/${client.child.pid}/status`;
  if (!existsSync(status)) return undefined;
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(status, 'utf8'));
  return match ? Number(match[1]) / 1024 : undefined;
}

async function assertStillServing(client: LspClient): Promise<void> {
  const small = uriOf('requirements.txt');
  client.open(small, 'requests\n');
  const diagnostics = await client.waitForDiagnostics(small, WAIT);
  assert.ok(diagnostics.some((d) => d.code === 'unpinned'), 'a small document opened after the large one is analysed');
  assert.equal(client.alive, true);
}

test('10 MB requirements files parse in the server: diagnostics published, server alive, memory bounded', async () => {
  await withClient({ settings: { offline: true } }, async (client) => {
    const unpinned = uriOf('requirements.txt');
    client.open(unpinned, manyUnpinnedRequirements(10_000_000));
    const diagnostics = await client.waitForDiagnostics(unpinned, WAIT);
    assert.ok(diagnostics.some((d) => d.code === 'syntax' && /more than 20,000 dependencies/.test(d.message)), 'the cap is said');
    assert.ok(diagnostics.some((d) => d.code === 'unpinned'), 'the dependencies read are checked');

    const hashed = uriOf('requirements.txt');
    client.open(hashed, largeRequirements(10_000_000));
    const capped = await client.waitForDiagnostics(hashed, WAIT);
    // About 47,000 hashed pins: read up to the cap, with no other syntax problem.
    assert.deepEqual(capped.filter((d) => d.code === 'syntax').map((d) => d.message), ['This file has more than 20,000 dependencies; only the first 20,000 are checked']);

    await assertStillServing(client);
    const peak = peakRssMb(client);
    if (peak !== undefined) assert.ok(peak < PEAK_RSS_BOUND_MB, `server peak RSS ${peak.toFixed(0)} MB`);
  });
});

test('over the size limit and nested too deeply: one syntax diagnostic each, and the server goes on', async () => {
  await withClient({ settings: { offline: true } }, async (client) => {
    const cases: Array<[string, string, RegExp]> = [
      ['requirements.txt', `#${'x'.repeat(sizeLimit('requirements'))}\n`, /too large to analyse/],
      ['pyproject.toml', `#${'x'.repeat(sizeLimit('pyproject'))}\n`, /too large to analyse/],
      ['pylock.toml', `#${'x'.repeat(sizeLimit('pylock'))}\n`, /too large to analyse/],
      ['pyproject.toml', nestedInlineTables(8 * 1024 * 1024), /nested more than 128 levels deep/],
      ['pylock.toml', nestedInlineTables(4 * 1024 * 1024), /nested more than 128 levels deep/],
    ];
    for (const [name, text, message] of cases) {
      const uri = uriOf(name);
      client.open(uri, text);
      const diagnostics = await client.waitForDiagnostics(uri, WAIT);
      assert.equal(diagnostics.length, 1, name);
      assert.equal(diagnostics[0].code, 'syntax');
      assert.match(diagnostics[0].message, message);
      client.close(uri);
    }
    await assertStillServing(client);
  });
});

// The worst realistic file of each format as large as its size limit allows: 20,000 pins with six
// hashes each (pip-compile for wheel-rich projects), a pyproject with dependencies in the project
// table, 200 extras and ~2,000 dependency groups each including the one before, a pylock of
// ~10,000 packages with their files. Each is read whole (the report lists every dependency, up to
// the 20,000 cap, which is said), and one unit more is refused with the size-limit diagnostic.
test('every format at its size limit is read whole, one unit over it is refused, and the server goes on', async () => {
  const AT_LIMIT = { timeoutMs: 600_000 };
  await withClient({ settings: { offline: true } }, async (client) => {
    const cases: Array<[kind: string, dependencies: number, capSaid: boolean]> = [
      ['requirements-hashes', 20_000, false],
      ['pyproject-groups', 20_000, true],
      ['pylock', 10_329, false],
    ];
    for (const [kind, dependencies, capSaid] of cases) {
      const { fileName, format, generate } = LARGE_DOCUMENTS[kind];
      const limit = sizeLimit(format);
      const uri = uriOf(fileName);
      client.open(uri, atSizeLimit(kind, limit));
      const diagnostics = await client.waitForDiagnostics(uri, AT_LIMIT);
      const syntax = diagnostics.filter((d) => d.code === 'syntax').map((d) => d.message);
      assert.deepEqual(syntax, capSaid ? ['This file has more than 20,000 dependencies; only the first 20,000 are checked'] : [], kind);
      const report = await client.request<DocumentReport>('pypiProvenance/report', { textDocument: { uri }, wait: false }, AT_LIMIT.timeoutMs);
      assert.equal(report.dependencies.length, dependencies, `${kind}: every dependency up to the cap is read`);
      client.close(uri);

      const over = uriOf(fileName);
      const text = generate(limit + 1);
      assert.ok(text.length > limit);
      client.open(over, text);
      const refused = await client.waitForDiagnostics(over, AT_LIMIT);
      assert.deepEqual(
        refused.map((d) => [d.code, d.message]),
        [['syntax', `This file is too large to analyse (10.1 MiB; the limit for this kind of file is 10 MiB)`]],
        `${kind} one unit over the limit`,
      );
      client.close(over);
    }
    await assertStillServing(client);
    const peak = peakRssMb(client);
    if (peak !== undefined) assert.ok(peak < PEAK_RSS_BOUND_MB, `server peak RSS ${peak.toFixed(0)} MB`);
  });
});

// Issue 9 item 6: a large lock is read on the server's thread in slices (parsers/slicedParse.ts),
// a broken one on a worker; either way the diagnostics are those the whole parse gives.
test('a 2 MB uv.lock read in slices gets its problems where the whole parse puts them; a broken one gets the exact syntax error', async () => {
  await withClient({ settings: { offline: true } }, async (client) => {
    const text = LARGE_DOCUMENTS['uv.lock'].generate(2_000_000).replace('version = "1.1.1"', 'version = "not a version"').replace('size = 9', 'size = -9');
    const expected = parseDocument('uvlock', text).problems;
    assert.equal(expected.length, 2);
    const uri = uriOf('uv.lock');
    client.open(uri, text);
    const diagnostics = (await client.waitForDiagnostics(uri, WAIT)).filter((d) => d.code === 'syntax');
    assert.deepEqual(
      diagnostics.map((d) => [d.message, d.range]),
      expected.map((p) => [p.message, p.range]),
    );

    const broken = uriOf('uv.lock');
    const lines = text.split('\n').length;
    client.open(broken, `${text}x = = 1\n`);
    const syntax = await client.waitForDiagnostics(broken, WAIT);
    assert.equal(syntax.length, 1);
    assert.equal(syntax[0].code, 'syntax');
    assert.equal(syntax[0].range.start.line, lines - 1);
    await assertStillServing(client);
  });
});
