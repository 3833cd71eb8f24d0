import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { LineIndex } from '../../server/src/core/lineIndex';
import type { Dependency } from '../../server/src/core/model';
import { computeHashPinEdit, computeHashPinEdits, sortedSha256, type TextEditLike } from '../../server/src/index/hashPins';

const A = '0ace7980f82c5815ede4cd7bf9f6693684cec2ae47b9b7ade9add533b8627c6b';
const B = '5d2a3a2b5d1b1a7d7b7e0f3c9b6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b';
const C = 'f1e2d3c4b5a6978877665544332211009f8e7d6c5b4a39281706f5e4d3c2b1a0';
const FILES = [{ sha256: C }, { sha256: A }, { sha256: B }];

/**
 * A Dependency for the requirement on `line`, as the requirements parser reports it: the
 * requirement range runs from the name to the end of the specifier/marker.
 */
function requirementAt(text: string, line: number, extra: Partial<Dependency> = {}): Dependency {
  const lines = new LineIndex(text);
  const lineStart = lines.offsetAt({ line, character: 0 });
  const rest = text.slice(lineStart).split(/\r\n|\n|\r/)[0];
  const match = /^(\s*)([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*((?:===?|>=|<=|~=|!=|<|>)[^;#\\]*?)?\s*(;[^#\\]*?)?(?=\s+#|\s+\\|\s+--|\s*$)/.exec(rest);
  assert.ok(match, `no requirement on line ${line}: ${rest}`);
  const nameStart = lineStart + match[1].length;
  const end = lineStart + match[0].length;
  const specifier = (match[4] ?? '').trim();
  const pinned = /^===?\s*([^,\s]+)$/.exec(specifier);
  return {
    name: match[2].toLowerCase(),
    rawName: match[2],
    extras: [],
    specifier,
    pinnedVersion: pinned?.[1],
    marker: match[5]?.slice(1).trim(),
    hashes: [],
    ranges: { requirement: lines.rangeOf(nameStart, end), name: lines.rangeOf(nameStart, nameStart + match[2].length) },
    section: 'requirements',
    ...extra,
  };
}

/** Applies LSP edits (non-overlapping) to a text. */
function apply(text: string, edits: TextEditLike[]): string {
  const lines = new LineIndex(text);
  const sorted = [...edits].sort((a, b) => lines.offsetAt(b.range.start) - lines.offsetAt(a.range.start));
  let out = text;
  for (const edit of sorted) out = out.slice(0, lines.offsetAt(edit.range.start)) + edit.newText + out.slice(lines.offsetAt(edit.range.end));
  return out;
}

function fix(text: string, line = 0, files = FILES): string {
  const result = computeHashPinEdit(text, requirementAt(text, line), files);
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return apply(text, [result.edit]);
}

test('sampleproject==4.0.0 becomes the pip-compile layout, hashes sorted by hex', () => {
  assert.equal(
    fix('sampleproject==4.0.0\n'),
    `sampleproject==4.0.0 \\\n    --hash=sha256:${A} \\\n    --hash=sha256:${B} \\\n    --hash=sha256:${C}\n`,
  );
});

test('one file: one hash line, no trailing backslash', () => {
  assert.equal(fix('sampleproject==4.0.0\n', 0, [{ sha256: A }]), `sampleproject==4.0.0 \\\n    --hash=sha256:${A}\n`);
});

test('a marker stays on the requirement line, before the continuation', () => {
  assert.equal(
    fix('foo==1.0 ; python_version >= "3.8"\n', 0, [{ sha256: B }, { sha256: A }]),
    `foo==1.0 ; python_version >= "3.8" \\\n    --hash=sha256:${A} \\\n    --hash=sha256:${B}\n`,
  );
});

test('a trailing comment moves to the last hash line (before the backslash it would hide the hashes)', () => {
  assert.equal(
    fix('foo==1.0  # pinned for the CVE fix\n', 0, [{ sha256: B }, { sha256: A }]),
    `foo==1.0 \\\n    --hash=sha256:${A} \\\n    --hash=sha256:${B}  # pinned for the CVE fix\n`,
  );
});

test('only the requirement line changes; neighbours, CRLF and a missing final newline are kept', () => {
  const text = '# top\r\n-i https://pypi.org/simple/\r\nfoo==1.0\r\nbar>=2\r\nbaz==3.0';
  assert.equal(fix(text, 2, [{ sha256: A }, { sha256: B }]), `# top\r\n-i https://pypi.org/simple/\r\nfoo==1.0 \\\r\n    --hash=sha256:${A} \\\r\n    --hash=sha256:${B}\r\nbar>=2\r\nbaz==3.0`);
  assert.equal(fix(text, 4, [{ sha256: A }]), `# top\r\n-i https://pypi.org/simple/\r\nfoo==1.0\r\nbar>=2\r\nbaz==3.0 \\\r\n    --hash=sha256:${A}`);
});

test('a requirement already continued onto option lines gets its hashes after them', () => {
  const text = 'foo==1.0 \\\n    --config-settings=editable_mode=compat\nbar==2.0\n';
  assert.equal(
    fix(text, 0, [{ sha256: A }]),
    `foo==1.0 \\\n    --config-settings=editable_mode=compat \\\n    --hash=sha256:${A}\nbar==2.0\n`,
  );
});

test('hashes are de-duplicated, lower-cased, and files without a sha256 add nothing', () => {
  assert.deepEqual(sortedSha256([{ sha256: B.toUpperCase() }, { sha256: B }, {}, { sha256: 'nothex' }, { sha256: A }]), [A, B]);
});

test('the fix does not apply where it cannot', () => {
  const text = 'foo==1.0 --hash=sha256:' + A + '\nbar>=1\nbaz==1.0  # a comment \\\n    --hash=sha256:' + A + '\nqux==1.0\n';
  const hashed = requirementAt(text, 0, { hashes: [{ algorithm: 'sha256', hex: A, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }] });
  assert.deepEqual(computeHashPinEdit(text, hashed, FILES), { ok: false, reason: 'already has --hash options' });
  assert.deepEqual(computeHashPinEdit(text, requirementAt(text, 1), FILES), { ok: false, reason: 'not pinned with ==' });
  assert.deepEqual(computeHashPinEdit(text, requirementAt(text, 2), FILES), { ok: false, reason: 'a comment hides the continuation of this line' });
  assert.deepEqual(computeHashPinEdit(text, requirementAt(text, 4), []), { ok: false, reason: 'the index lists no sha256 for any file of this version' });
  assert.deepEqual(computeHashPinEdit(text, requirementAt(text, 4, { editable: true }), FILES), { ok: false, reason: 'a URL or editable requirement cannot carry hashes' });
});

test('fix all in file: every pinned requirement without hashes, in one set of edits', () => {
  const text = [
    '--index-url https://pypi.org/simple/',
    'requests==2.32.3',
    'idna>=3  # unpinned',
    `certifi==2024.8.30 \\`,
    `    --hash=sha256:${C}`,
    'urllib3==2.2.3 ; python_version >= "3.8"  # via requests',
    'charset-normalizer==3.4.0',
    '',
  ].join('\n');
  const deps = [1, 2, 3, 5, 6].map((line) => requirementAt(text, line));
  deps[2].hashes = [{ algorithm: 'sha256', hex: C, range: { start: { line: 4, character: 11 }, end: { line: 4, character: 82 } } }];
  const result = computeHashPinEdits(text, [
    { dependency: deps[0], files: [{ sha256: B }, { sha256: A }] },
    { dependency: deps[1], files: [{ sha256: A }] },
    { dependency: deps[2], files: [{ sha256: C }] },
    { dependency: deps[3], files: [{ sha256: C }] },
    { dependency: deps[4], files: undefined },
  ]);
  assert.equal(
    apply(text, result.edits),
    [
      '--index-url https://pypi.org/simple/',
      'requests==2.32.3 \\',
      `    --hash=sha256:${A} \\`,
      `    --hash=sha256:${B}`,
      'idna>=3  # unpinned',
      `certifi==2024.8.30 \\`,
      `    --hash=sha256:${C}`,
      'urllib3==2.2.3 ; python_version >= "3.8" \\',
      `    --hash=sha256:${C}  # via requests`,
      'charset-normalizer==3.4.0',
      '',
    ].join('\n'),
  );
  assert.deepEqual(
    result.skipped.map((s) => [s.dependency.name, s.reason]),
    [
      ['idna', 'not pinned with =='],
      ['charset-normalizer', 'not resolved against the index yet'],
    ],
  );
});

/**
 * pip's own reading of a requirements file (pip/_internal/req/req_file.py): continuation
 * lines are joined first, then comments are stripped. Every hash must survive.
 */
function pipLogicalLines(text: string): string[] {
  const out: string[] = [];
  let pending: string[] = [];
  const comment = /(^|\s+)#.*$/;
  for (const line of text.split(/\r\n|\n|\r/)) {
    if (!line.endsWith('\\') || /^\s*#/.test(line)) {
      const whole = pending.length > 0 ? pending.join('') + (/^\s*#/.test(line) ? ` ${line}` : line) : line;
      pending = [];
      out.push(whole.replace(comment, '').trim());
    } else {
      pending.push(line.replace(/^\\+|\\+$/g, ''));
    }
  }
  return out.filter((l) => l !== '');
}

test('the result reads, under pip\'s joining and comment rules, as one requirement with every hash', () => {
  for (const text of ['foo==1.0  # note\n', 'foo==1.0 ; python_version >= "3.8"\n', 'foo==1.0 \\\n    --config-settings=x=y\n', 'foo==1.0']) {
    const logical = pipLogicalLines(fix(text));
    assert.equal(logical.length, 1, JSON.stringify(logical));
    assert.match(logical[0], /^foo==1\.0/);
    for (const hex of [A, B, C]) assert.ok(logical[0].includes(`--hash=sha256:${hex}`), logical[0]);
  }
});

test('pip itself parses the fixed file with every hash (skipped when python3 with pip is absent)', (t) => {
  const probe = spawnSync('python3', ['-c', 'import pip._internal.req.req_file'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    t.skip('python3 with pip is not installed');
    return;
  }
  const text = fix('sampleproject==4.0.0 ; python_version >= "3.8"  # from the docs\n');
  const script = [
    'import sys, json, tempfile',
    'from pip._internal.req.req_file import parse_requirements',
    'from pip._internal.network.session import PipSession',
    'with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:',
    '    f.write(sys.stdin.read())',
    'out = [{"req": r.requirement, "hashes": (r.options or {}).get("hashes")} for r in parse_requirements(f.name, session=PipSession())]',
    'print(json.dumps(out))',
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { input: text, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const parsed = JSON.parse(run.stdout) as Array<{ req: string; hashes: Record<string, string[]> }>;
  assert.equal(parsed.length, 1);
  assert.match(parsed[0].req.trim(), /^sampleproject==4\.0\.0 ; python_version >= "3\.8"$/);
  assert.deepEqual(parsed[0].hashes, { sha256: [A, B, C] });
});
