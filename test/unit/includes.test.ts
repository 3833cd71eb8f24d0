import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkIncludes, resolveIncludeTarget } from '../../server/src/parsers/includes';
import { parseRequirements } from '../../server/src/parsers/requirements';

test('targets resolve relative to the including file\'s directory', () => {
  assert.equal(resolveIncludeTarget('/proj/reqs/base.txt', 'dev.txt'), '/proj/reqs/dev.txt');
  assert.equal(resolveIncludeTarget('/proj/reqs/base.txt', '../other.txt'), '/proj/other.txt');
  assert.equal(resolveIncludeTarget('/proj/reqs/base.txt', '/abs/x.txt'), '/abs/x.txt');
  assert.equal(resolveIncludeTarget('/proj/base.txt', 'file:///srv/c.txt'), '/srv/c.txt');
  assert.equal(resolveIncludeTarget('/proj/base.txt', 'https://example.com/r.txt'), undefined);
  assert.equal(resolveIncludeTarget('C:\\proj\\base.txt', 'sub\\dev.txt'), 'C:\\proj\\sub\\dev.txt');
});

test('missing-file for each -r / -c target that cannot be read, on the target\'s range', () => {
  const text = '-r present.txt\n-r missing.txt\n-c gone/constraints.txt\n-r https://example.com/remote.txt\n';
  const doc = parseRequirements(text);
  const asked: string[] = [];
  const findings = checkIncludes(doc, '/proj/requirements.txt', (p) => {
    asked.push(p);
    return p === '/proj/present.txt';
  });
  assert.deepEqual(asked, ['/proj/present.txt', '/proj/missing.txt', '/proj/gone/constraints.txt']);
  assert.deepEqual(
    findings.map((f) => [f.code, f.range.start.line, f.range.start.character, f.range.end.character]),
    [
      ['missing-file', 1, 3, 14],
      ['missing-file', 2, 3, 23],
    ],
  );
  assert.match(findings[0].message, /requirements file missing\.txt cannot be read/);
  assert.match(findings[1].message, /constraints file/);
});

test('a throwing canRead counts as unreadable; an unset variable is mentioned', () => {
  const doc = parseRequirements('-r ${REQ_DIR}/x.txt\n');
  const findings = checkIncludes(doc, '/proj/requirements.txt', () => {
    throw new Error('EACCES');
  });
  assert.equal(findings.length, 1);
  assert.match(findings[0].message, /environment variable/);
});

test('no includes, no findings', () => {
  assert.deepEqual(checkIncludes(parseRequirements('a==1\n'), '/p/r.txt', () => false), []);
});
