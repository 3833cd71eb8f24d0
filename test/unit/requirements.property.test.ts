import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { LineIndex } from '../../server/src/core/lineIndex';
import type { ParsedDocument, Position, Range } from '../../server/src/core/model';
import { localFindings } from '../../server/src/checks/local';
import { parsePep508 } from '../../server/src/parsers/pep508';
import { parseRequirements } from '../../server/src/parsers/requirements';

const SHA = '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b';

const VALID_FILE = [
  '# pinned with hashes',
  '--index-url https://pypi.org/simple/',
  '--extra-index-url=https://example.com/simple',
  'sampleproject==4.0.0 \\',
  `    --hash=sha256:${SHA} \\`,
  `    --hash=sha256:${SHA.split('').reverse().join('')}`,
  'requests [security,socks] >= 2.8.1, == 2.8.* ; python_version < "3.8" and os_name == "posix"  # why',
  'urllib3 @ https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip',
  '-r other.txt',
  '-c constraints.txt',
  '-e git+https://github.com/pypa/pip#egg=pip',
  '-e .[dev]',
  './downloads/numpy-1.9.2-cp34-none-win32.whl',
  'foo==${VERSION} -C key=value',
  'zope.interface===5.0-odd',
  '',
].join('\r\n');

/** Pieces that matter to the grammar, so random text reaches the parser's corners. */
const TOKENS = [
  'foo', 'Bar_baz.qux', '==', '===', '>=', '~=', '!=', '<', '1.0', '2.*', '+local', ' ', '  ', '\t', '\n', '\r\n', '\r', '\f',
  '\\', '\\\n', '#', ' #', '[', ']', '(', ')', ',', ';', '; ', '"', "'", '@', 'https://example.com/x-1.0-py3-none-any.whl',
  'git+https://h/r#egg=n', '#egg=', '.', './', '/', '-e', '-r', '-c', '-i', '-', '--', '--hash=', 'sha256:', SHA, 'md5:', '--pre',
  '--index-url', '=', '--config-settings', '-C', 'k=v', '${VERSION}', '${', '}', 'python_version', 'and', 'or', 'not in',
  '(', '\ufffd', '\u0000', '\ufeff', 'é', '\ud83d', '\ud83d\ude00',
];

const tokenText = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((parts) => parts.join(''));

/** A valid file with random edits: inserted tokens, deleted stretches, duplicated stretches. */
const mutatedFile = fc
  .array(
    fc.tuple(fc.constantFrom('insert', 'delete', 'duplicate'), fc.nat(), fc.nat({ max: 40 }), fc.constantFrom(...TOKENS)),
    { minLength: 1, maxLength: 8 },
  )
  .map((edits) => {
    let text = VALID_FILE;
    for (const [kind, at, length, token] of edits) {
      const pos = at % (text.length + 1);
      if (kind === 'insert') text = text.slice(0, pos) + token + text.slice(pos);
      else if (kind === 'delete') text = text.slice(0, pos) + text.slice(pos + length);
      else text = text.slice(0, pos) + text.slice(pos, pos + length) + text.slice(pos);
    }
    return text;
  });

const anyText = fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 }), tokenText, mutatedFile);

function positionIsInside(text: string, index: LineIndex, p: Position): boolean {
  if (p.line < 0 || p.line >= index.lineCount || p.character < 0) return false;
  const offset = index.offsetAt(p);
  // offsetAt clamps, so a valid position maps back to itself.
  const back = index.positionAt(offset);
  return back.line === p.line && back.character === p.character && offset <= text.length;
}

function assertRange(text: string, index: LineIndex, range: Range, what: string): void {
  assert.ok(positionIsInside(text, index, range.start), `${what}: start ${JSON.stringify(range.start)} outside the document`);
  assert.ok(positionIsInside(text, index, range.end), `${what}: end ${JSON.stringify(range.end)} outside the document`);
  assert.ok(index.offsetAt(range.start) <= index.offsetAt(range.end), `${what}: start after end`);
}

function allRanges(doc: ParsedDocument): [string, Range][] {
  const ranges: [string, Range][] = [];
  for (const d of doc.dependencies) {
    ranges.push(['requirement', d.ranges.requirement], ['name', d.ranges.name]);
    if (d.ranges.version) ranges.push(['version', d.ranges.version]);
    for (const h of d.hashes) ranges.push(['hash', h.range]);
  }
  for (const p of doc.problems) ranges.push(['problem', p.range]);
  for (const i of doc.includes) ranges.push(['include', i.range]);
  return ranges;
}

function checkDocument(text: string, doc: ParsedDocument, expanded: boolean): void {
  const index = new LineIndex(text);
  for (const [what, range] of allRanges(doc)) assertRange(text, index, range, what);
  for (const d of doc.dependencies) {
    // A name may run across a `\` continuation; pip reads it with the backslashes and line breaks removed.
    const nameText = text
      .slice(index.offsetAt(d.ranges.name.start), index.offsetAt(d.ranges.name.end))
      .replace(/[\\\n\r\f\v\u001c-\u001e\u0085\u2028\u2029]/g, '');
    if (!expanded) assert.ok(nameText.includes(d.rawName), `name range ${JSON.stringify(nameText)} holds ${JSON.stringify(d.rawName)}`);
    if (d.rawName) assert.equal(d.name, d.name.toLowerCase());
    for (const h of d.hashes) assert.match(h.hex, /^[0-9a-f]+$/);
  }
  for (const f of localFindings(doc)) assertRange(text, index, f.range, `finding ${f.code}`);
}

test('the valid file parses cleanly (the base of the mutations)', () => {
  const doc = parseRequirements(VALID_FILE, { env: { VERSION: '1.0' } });
  assert.deepEqual(doc.problems, []);
  assert.equal(doc.dependencies.length, 8);
});

test('property: random and mutated files never throw; ranges lie inside the document; name ranges hold the raw name', () => {
  fc.assert(
    fc.property(anyText, (text) => {
      checkDocument(text, parseRequirements(text), false);
    }),
    { numRuns: fuzzRuns(1500) },
  );
});

test('property: with ${VAR} expansion, ranges still lie inside the document', () => {
  fc.assert(
    fc.property(anyText, fc.string({ maxLength: 30 }), (text, value) => {
      checkDocument(text, parseRequirements(text, { env: { VERSION: value, X: 'x y\\z' } }), true);
    }),
    { numRuns: fuzzRuns(500) },
  );
});

test('property: parsePep508 never throws and its spans are ordered and inside the text', () => {
  fc.assert(
    fc.property(fc.oneof(tokenText, fc.string({ maxLength: 120 })), (text) => {
      const result = parsePep508(text);
      const spans = result.ok
        ? [result.requirement.span, result.requirement.nameSpan, result.requirement.specifierSpan, result.requirement.versionSpan, result.requirement.markerSpan, result.requirement.urlSpan]
        : [result.span];
      for (const span of spans) {
        if (!span) continue;
        assert.ok(0 <= span.start && span.start <= span.end && span.end <= text.length, JSON.stringify(span));
      }
      if (result.ok) assert.equal(text.slice(result.requirement.nameSpan.start, result.requirement.nameSpan.end), result.requirement.name);
    }),
    { numRuns: fuzzRuns(2000) },
  );
});
