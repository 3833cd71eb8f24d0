/**
 * Late files (a file uploaded more than `lateUploadDays` after its release's first file) and the
 * words users read for every zero-trust state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import type { Publisher } from '../../server/src/core/result';
import { DEFAULT_LATE_UPLOAD_DAYS, findLateUploads, lateUploadFinding } from '../../server/src/zeroTrust/lateUpload';
import {
  describePublisher,
  distinctLabels,
  fileList,
  lateUploadLines,
  lateUploadMessage,
  lateUploadSummary,
  provenanceLostMessage,
  publisherChangedMessage,
  shown,
} from '../../server/src/zeroTrust/messages';

const RANGE = { start: { line: 1, character: 0 }, end: { line: 1, character: 10 } };
const at = (day: number, hours = 0) => new Date(Date.UTC(2024, 5, 1) + day * 86_400_000 + hours * 3_600_000).toISOString();

test('clean: files uploaded together are not late', () => {
  const result = findLateUploads(
    [
      { filename: 'p-1.0.tar.gz', uploadTime: at(0) },
      { filename: 'p-1.0-py3-none-any.whl', uploadTime: at(0, 1) },
      { filename: 'p-1.0-cp312-cp312-win_amd64.whl', uploadTime: at(3) },
    ],
    14,
  );
  assert.deepEqual(result.late, []);
  assert.deepEqual(result.first, { filename: 'p-1.0.tar.gz', uploadTime: at(0) });
  assert.equal(lateUploadFinding(result, RANGE), undefined);
});

test('files more than lateUploadDays after the first file are late, with whole days', () => {
  const files = [
    { filename: 'p-1.0-cp313-cp313-win_amd64.whl', uploadTime: at(60, 5) },
    { filename: 'p-1.0.tar.gz', uploadTime: at(0) },
    { filename: 'p-1.0-cp313-cp313-macosx_11_0_arm64.whl', uploadTime: at(60) },
    { filename: 'p-1.0-py3-none-any.whl', uploadTime: at(14) },
  ];
  const result = findLateUploads(files, 14);
  assert.deepEqual(result.late.map((file) => [file.filename, file.days]), [
    ['p-1.0-cp313-cp313-macosx_11_0_arm64.whl', 60],
    ['p-1.0-cp313-cp313-win_amd64.whl', 60],
  ]);
  const finding = lateUploadFinding(result, RANGE, { dependencyIndex: 2 });
  assert.deepEqual(finding, {
    code: 'late-upload',
    message: 'Uploaded late: 2 files 60 days after the release: p-1.0-cp313-cp313-macosx_11_0_arm64.whl and p-1.0-cp313-cp313-win_amd64.whl',
    range: RANGE,
    dependency: 2,
  });
  assert.equal(lateUploadSummary(result.late), '2 files uploaded 60 days after the release');
  assert.deepEqual(lateUploadLines(result.late), [
    'p-1.0-cp313-cp313-macosx_11_0_arm64.whl: 60 days after the release (2024-07-31)',
    'p-1.0-cp313-cp313-win_amd64.whl: 60 days after the release (2024-07-31)',
  ]);
  // Exactly 14 days is not "more than" 14; one second more is.
  assert.deepEqual(findLateUploads([{ filename: 'a', uploadTime: at(0) }, { filename: 'b', uploadTime: at(14) }], 14).late, []);
  assert.equal(findLateUploads([{ filename: 'a', uploadTime: '2024-01-01T00:00:00Z' }, { filename: 'b', uploadTime: '2024-01-15T00:00:01Z' }], 14).late.length, 1);
});

test('the release\'s first file counts whichever files are subject; only subject files are reported', () => {
  const files = [
    { filename: 'p-1.0.tar.gz', uploadTime: at(0) },
    { filename: 'p-1.0-a.whl', uploadTime: at(30) },
    { filename: 'p-1.0-b.whl', uploadTime: at(45) },
  ];
  const locked = new Set(['p-1.0-b.whl']);
  const result = findLateUploads(files, 14, { subject: (name) => locked.has(name) });
  assert.deepEqual(result.late.map((file) => file.filename), ['p-1.0-b.whl']);
  assert.equal(result.late[0].days, 45);
  assert.equal(lateUploadMessage(findLateUploads(files, 14).late), 'Uploaded late: 2 files 30 to 45 days after the release: p-1.0-a.whl and p-1.0-b.whl');
});

test('lateUploadDays 0 flags everything after the first file; bad values fall back to the default', () => {
  const files = [{ filename: 'a', uploadTime: at(0) }, { filename: 'b', uploadTime: at(0, 1) }, { filename: 'c', uploadTime: at(20) }];
  assert.deepEqual(findLateUploads(files, 0).late.map((f) => f.filename), ['b', 'c']);
  assert.equal(findLateUploads(files, 0).late[0].days, 0);
  assert.equal(lateUploadSummary(findLateUploads(files, 0).late.slice(0, 1)), '1 file uploaded 0 days after the release');
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '14' as unknown as number]) {
    assert.deepEqual(findLateUploads(files, bad).late.map((f) => f.filename), ['c'], String(bad));
  }
  assert.equal(DEFAULT_LATE_UPLOAD_DAYS, 14);
});

test('files without (or with unreadable) upload times are ignored; none at all: no first file', () => {
  assert.deepEqual(findLateUploads([{ filename: 'a' }, { filename: 'b', uploadTime: 'yesterday' }], 14), { late: [] });
  const result = findLateUploads([{ filename: 'a' }, { filename: 'b', uploadTime: at(0) }, { filename: 'c', uploadTime: at(40) }], 14);
  assert.deepEqual(result.late.map((f) => f.filename), ['c']);
});

test('property: a late file is more than the limit after the earliest file, and every such subject file is late', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 400 * 24 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 60 }), (hours, days) => {
      const files = hours.map((h, i) => ({ filename: `f${i}`, uploadTime: at(0, h) }));
      const result = findLateUploads(files, days);
      const first = Math.min(...hours);
      const expected = hours.map((h, i) => ({ h, name: `f${i}` })).filter(({ h }) => (h - first) * 3_600_000 > days * 86_400_000).map(({ name }) => name).sort();
      assert.deepEqual(result.late.map((f) => f.filename).sort(), expected);
    }),
    { numRuns: fuzzRuns() },
  );
});

const A: Publisher = { kind: 'GitHub', repository: 'a/b', workflow: 'release.yml', environment: null };
const C: Publisher = { kind: 'GitHub', repository: 'c/d', workflow: 'release.yml', environment: '' };

test('the messages as users read them', () => {
  assert.equal(publisherChangedMessage({ version: '1.2.0', publishers: [A] }, { version: '1.3.0', publishers: [C] }), 'Publisher changed from github.com/a/b (1.2.0) to github.com/c/d (1.3.0)');
  assert.equal(provenanceLostMessage({ version: '1.2.0', publisher: A }, '1.3.0'), 'Provenance lost: 1.2.0 was attested by github.com/a/b (release.yml), 1.3.0 has no attestations');
  assert.equal(lateUploadSummary([{ filename: 'x', days: 60 }, { filename: 'y', days: 60 }]), '2 files uploaded 60 days after the release');
  assert.equal(publisherChangedMessage({ version: '1', publishers: [A, C] }, { version: '2', publishers: [{ kind: 'Google', email: 'sa@p.iam.gserviceaccount.com' }] }), 'Publisher changed from github.com/a/b and github.com/c/d (1) to sa@p.iam.gserviceaccount.com (2)');
});

test('describePublisher for every kind and detail', () => {
  assert.equal(describePublisher(A), 'github.com/a/b');
  assert.equal(describePublisher(A, 'workflow'), 'github.com/a/b (release.yml)');
  assert.equal(describePublisher(A, 'full'), 'github.com/a/b (release.yml, no environment)');
  assert.equal(describePublisher({ ...A, environment: 'pypi' }, 'full'), 'github.com/a/b (release.yml, environment pypi)');
  const gitlab = { kind: 'GitLab', repository: 'group/sub/project', workflow_filepath: 'ci/release.yml', environment: null };
  assert.equal(describePublisher(gitlab), 'gitlab.com/group/sub/project');
  assert.equal(describePublisher(gitlab, 'workflow'), 'gitlab.com/group/sub/project (ci/release.yml)');
  assert.equal(describePublisher({ kind: 'Google', email: 'sa@x' }), 'sa@x');
  assert.equal(describePublisher({ kind: 'Google', email: 'sa@x' }, 'workflow'), 'sa@x (Google)');
  assert.equal(describePublisher({ kind: 'ActiveState', project: 'p', organization: 'o' }, 'workflow'), 'ActiveState publisher (organization o, project p)');
  assert.equal(describePublisher(null), 'an unknown publisher');
  assert.equal(describePublisher({ kind: 'GitHub' }, 'workflow'), 'github.com/(no repository) (no workflow)');
  assert.deepEqual(distinctLabels([A, { ...A, environment: 'pypi' }]), ['github.com/a/b (release.yml, no environment)', 'github.com/a/b (release.yml, environment pypi)']);
  assert.deepEqual(distinctLabels([A, C]), ['github.com/a/b', 'github.com/c/d']);
});

test('values from the index are made safe to show', () => {
  assert.equal(shown('a\nb\u202ec\u0000'), 'a?b?c?');
  assert.equal(shown('x'.repeat(300)).length, 100);
  assert.equal(fileList(['a', 'b', 'c', 'd', 'e']), 'a, b, c and 2 more');
  assert.equal(fileList(['a']), 'a');
  const hostile = describePublisher({ kind: 'GitHub', repository: 'evil/\u2066x\u2069\r\n' + 'y'.repeat(400), workflow: 'w' }, 'full');
  assert.doesNotMatch(hostile, /[\r\n\u2066\u2069]/);
  assert.ok(hostile.length < 200);
});
