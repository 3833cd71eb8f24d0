// The file name a lock's URL ends in (lockFileParts.lastUrlSegment, over core/format's
// withoutQueryOrFragment): what the hover, the report and the index match a locked file by.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withoutQueryOrFragment } from '../../server/src/core/format';
import { lastUrlSegment } from '../../server/src/parsers/lockFileParts';

test('a lock URL gives the file name it ends in: no query or fragment, percent-decoded when valid', () => {
  const base = 'https://files.example.org/packages/ab/cd';
  assert.equal(lastUrlSegment(`${base}/requests-2.32.3-py3-none-any.whl`), 'requests-2.32.3-py3-none-any.whl');
  assert.equal(lastUrlSegment(`${base}/requests-2.32.3.tar.gz#sha256=00ff`), 'requests-2.32.3.tar.gz');
  assert.equal(lastUrlSegment(`${base}/a.whl?x=1#y`), 'a.whl');
  assert.equal(lastUrlSegment(`${base}/a.whl#y?x=1`), 'a.whl');
  assert.equal(lastUrlSegment(`${base}/my%20pkg-1.0.tar.gz`), 'my pkg-1.0.tar.gz');
  assert.equal(lastUrlSegment(`${base}/bad%zz.whl`), 'bad%zz.whl', 'invalid percent-encoding is kept as written');
  assert.equal(lastUrlSegment(`${base}/`), undefined);
  assert.equal(lastUrlSegment('?only'), undefined);
  assert.equal(lastUrlSegment(undefined), undefined);
  assert.equal(withoutQueryOrFragment('https://x/p?q#f'), 'https://x/p');
  assert.equal(withoutQueryOrFragment('https://x/p#f?q'), 'https://x/p');
  assert.equal(withoutQueryOrFragment('https://x/p'), 'https://x/p');
});
