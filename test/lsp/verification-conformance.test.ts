/**
 * A real PyPI provenance object through the built server with the production Sigstore root
 * (the embedded public-good root, no `trustedRoot` setting): the test index serves
 * pypa/sampleproject 4.0.0 with warehouse's fixture `sampleproject-4.0.0.tar.gz.provenance`. The
 * sdist itself is not among the fixtures; only its sha256 (the attestation's subject) is checked,
 * so the index lists the file with that hash. Skipped when ../shared/fixtures is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { startIndexServer } from '../support/indexServer';
import { REPO_ROOT, fileUri, LspClient } from '../support/lspClient';
import { FAST_INDEX_ENV, TempDirs, hover, report } from './verificationSupport';

const FIXTURES = path.resolve(REPO_ROOT, '../shared/fixtures');
const PROVENANCE = path.join(FIXTURES, 'warehouse', 'sampleproject-4.0.0.tar.gz.provenance');
const SDIST_SHA256 = '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b';
const skip = existsSync(PROVENANCE) ? false : `fixtures absent (${PROVENANCE})`;

test('pypa/sampleproject 4.0.0 with its real provenance verifies against the public-good root, and the hover shows its publisher', { skip }, async (t) => {
  const dirs = new TempDirs();
  const index = await startIndexServer();
  const client = await LspClient.start({ settings: { indexUrl: index.url, cacheDirectory: dirs.make('conformance-cache') }, env: FAST_INDEX_ENV });
  try {
    index.setProject('sampleproject', {
      files: [
        {
          filename: 'sampleproject-4.0.0.tar.gz',
          version: '4.0.0',
          content: Buffer.alloc(0),
          sha256: SDIST_SHA256,
          size: 0,
          uploadTime: '2024-11-06T22:37:20.000000Z',
          provenance: JSON.parse(readFileSync(PROVENANCE, 'utf8')),
        },
      ],
    });
    const uri = fileUri(path.join(dirs.make('conformance'), 'requirements.txt'));
    client.open(uri, 'sampleproject==4.0.0\n');
    const dependency = (await report(client, uri)).dependencies[0];
    assert.equal(dependency.status, 'verified', JSON.stringify(dependency));
    assert.deepEqual(dependency.publisher, { kind: 'GitHub', repository: 'pypa/sampleproject', workflow: 'release.yml', environment: '' });
    assert.deepEqual(dependency.diagnostics, []);
    assert.equal(dependency.files[0].logIndex, 147137139);

    const card = await hover(client, uri, 0, 3);
    const text = card!.contents.value;
    t.diagnostic(`hover for pypa/sampleproject 4.0.0:\n${text}`);
    assert.match(text, /^\*\*sampleproject 4\.0\.0\*\* — ✅ \*\*Verified\*\*/);
    assert.match(text, /\| Publisher \| GitHub Actions \|/);
    assert.ok(text.includes('| Repository | [pypa/sampleproject](https://github.com/pypa/sampleproject) |'), text);
    assert.ok(text.includes('| Workflow | [.github/workflows/release.yml](https://github.com/pypa/sampleproject/blob/621e4974ca25ce531773def586ba3ed8e736b3fc/.github/workflows/release.yml) |'), text);
    assert.ok(text.includes('| Environment | (none) |'), text);
    assert.ok(text.includes('| Ref | main |'), text);
    assert.ok(text.includes('| Commit | [621e4974ca25](https://github.com/pypa/sampleproject/commit/621e4974ca25ce531773def586ba3ed8e736b3fc) |'), text);
    assert.ok(text.includes('| Workflow run | [run 11713038981, attempt 1](https://github.com/pypa/sampleproject/actions/runs/11713038981/attempts/1) |'), text);
    assert.ok(text.includes('| Transparency log | [entry 147137139](https://search.sigstore.dev/?logIndex=147137139) |'), text);
    assert.ok(text.includes('| Attestations | PyPI publish v1 |'), text);
    assert.ok(text.includes('| sampleproject-4.0.0.tar.gz | ✅ verified | 2024-11-06 22:37 UTC |'), text);
    assert.match(text, /Checked against the embedded Sigstore public-good root/);
    assert.deepEqual(client.errors(), []);
  } finally {
    await client.shutdown().catch(() => client.kill());
    await index.close();
    dirs.cleanup();
  }
});
