import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzRuns } from '../support/fuzz';
import { parsePyproject } from '../../server/src/parsers/pyproject';
import { parsePylock } from '../../server/src/parsers/pylock';
import { parseToml } from '../../server/src/parsers/toml';
import { normalizeName } from '../../server/src/core/names';
import { assertRangesInside, mutate, mutation, newline, packageName as name, randomText, releaseVersion as version, textAt } from '../support/documentRanges';

/** Both parsers on one text: no throw, every range a valid position, start <= end. */
function checkBoth(text: string): void {
  assertRangesInside(text, parsePyproject(text));
  assertRangesInside(text, parsePylock(text));
}

const SHA = 'c75a69e28a550a7e93789579c22aa26b0f5b83b75dc4e08fe092980051e1090a';

const PYPROJECT = [
  '[build-system]',
  'requires = ["setuptools>=61", \'wheel\']',
  '[project]',
  'name = "demo"',
  'dependencies = [',
  '  "requests[socks]==2.32.3 ; python_version >= \'3.8\'",',
  '  """',
  'flask\\',
  '   ==3.0""",',
  ']',
  '[project.optional-dependencies]',
  "test = ['pytest===8.0.0']",
  '[dependency-groups]',
  'dev = [{include-group = "test"}, "ruff"]',
  'test = ["coverage"]',
  '',
].join('\n');

const PYLOCK = [
  'lock-version = "1.0"',
  'created-by = "t"',
  '[[packages]]',
  'name = "attrs"',
  'version = "25.1.0"',
  `sdist = { url = "https://x/attrs-25.1.0.tar.gz", upload-time = 2025-01-25T11:30:10Z, size = 1, hashes = { sha256 = "${SHA}" } }`,
  '[[packages.wheels]]',
  "name = 'attrs-25.1.0-py3-none-any.whl'",
  'url = "https://x/attrs-25.1.0-py3-none-any.whl"',
  `hashes = {sha256 = '${SHA}'}`,
  '[[packages.attestation-identities]]',
  'kind = "GitHub"',
  'repository = "python-attrs/attrs"',
  '[[packages]]',
  'name = "local"',
  'directory = { path = "." }',
  '',
].join('\n');

test('random text never throws and every range is inside the document', () => {
  fc.assert(
    fc.property(randomText, (text) => {
      checkBoth(text);
    }),
    { numRuns: fuzzRuns(300) },
  );
});

test('mutated pyproject.toml and pylock.toml texts never throw and keep ranges inside', () => {
  fc.assert(
    fc.property(fc.constantFrom(PYPROJECT, PYLOCK), fc.array(mutation, { minLength: 1, maxLength: 5 }), (base, edits) => {
      checkBoth(mutate(base, edits));
    }),
    { numRuns: fuzzRuns(400) },
  );
});

const style = fc.constantFrom('basic', 'literal', 'multi-basic', 'multi-literal');

/** A TOML string literal holding `content` (which has no quotes or backslashes). */
function quote(content: string, kind: string, eol: string): string {
  switch (kind) {
    case 'basic':
      return `"${content}"`;
    case 'literal':
      return `'${content}'`;
    case 'multi-basic':
      return `"""${eol}${content}"""`;
    default:
      return `'''${content}'''`;
  }
}

test('valid pyproject.toml: the text at each name and version range is the name and version as written', () => {
  const requirement = fc.record({ name, version, pinned: fc.boolean(), pad: fc.constantFrom('', ' ', '  '), style });
  fc.assert(
    fc.property(fc.array(requirement, { minLength: 1, maxLength: 6 }), fc.array(requirement, { maxLength: 4 }), newline, (deps, group, eol) => {
      const item = (r: { name: string; version: string; pinned: boolean; pad: string; style: string }) =>
        quote(`${r.pad}${r.name}${r.pad}${r.pinned ? '==' : '>='}${r.pad}${r.version}${r.pad}`, r.style, eol);
      const text = ['[project]', `dependencies = [${eol}  ${deps.map(item).join(`,${eol}  `)}${eol}]`, '[dependency-groups]', `g = [${group.map(item).join(', ')}]`, ''].join(eol);
      const doc = parsePyproject(text);
      assert.deepEqual(doc.problems, [], text);
      const all = [...deps, ...group];
      assert.equal(doc.dependencies.length, all.length);
      doc.dependencies.forEach((dep, i) => {
        assert.equal(dep.rawName, all[i].name);
        assert.equal(dep.name, normalizeName(all[i].name));
        assert.equal(textAt(text, dep.ranges.name), all[i].name);
        if (all[i].pinned) assert.equal(textAt(text, dep.ranges.version!), all[i].version);
        else assert.equal(dep.ranges.version, undefined);
        assert.equal(dep.section, i < deps.length ? 'project.dependencies' : 'dependency-groups.g');
      });
      assertRangesInside(text, doc);
    }),
    { numRuns: fuzzRuns(200) },
  );
});

test('valid pyproject.toml with escapes: the text at a name range decodes to the name', () => {
  fc.assert(
    fc.property(name, fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }), (raw, escapeMask) => {
      const escaped = [...raw].map((c, i) => (escapeMask[i % 16] ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c)).join('');
      const text = `[project]\ndependencies = ["${escaped} == 1.0"]\n`;
      const doc = parsePyproject(text);
      assert.deepEqual(doc.problems, []);
      const written = textAt(text, doc.dependencies[0].ranges.name);
      assert.equal(written, escaped);
      const decoded = parseToml(`x = "${written}"`);
      assert.ok(decoded.ok);
      const value = decoded.root.entries.get('x')?.value;
      assert.equal(value?.kind === 'string' && value.value, raw);
    }),
    { numRuns: fuzzRuns(200) },
  );
});

test('valid pylock.toml: name, version and hash ranges hold exactly the values', () => {
  const hex = fc.stringMatching(/^[0-9a-f]{64}$/);
  const pkg = fc.record({ name, version, hex, style, inline: fc.boolean() });
  fc.assert(
    fc.property(fc.array(pkg, { minLength: 1, maxLength: 5 }), newline, (packages, eol) => {
      const lines = ['lock-version = "1.0"', 'created-by = "prop"'];
      for (const p of packages) {
        lines.push('[[packages]]', `name = ${quote(p.name, p.style, eol)}`, `version = ${quote(p.version, p.style, eol)}`);
        const file = `{ url = "https://x/${p.name}-${p.version}-py3-none-any.whl", hashes = { sha256 = ${quote(p.hex, p.style, eol)} } }`;
        if (p.inline) lines.push(`wheels = [${file}]`);
        else lines.push('[[packages.wheels]]', `url = "https://x/${p.name}-${p.version}.whl"`, `hashes.sha256 = ${quote(p.hex, p.style, eol)}`);
      }
      const text = lines.join(eol) + eol;
      const doc = parsePylock(text);
      assert.deepEqual(doc.problems, [], text);
      assert.equal(doc.dependencies.length, packages.length);
      doc.dependencies.forEach((dep, i) => {
        assert.equal(textAt(text, dep.ranges.name), packages[i].name);
        assert.equal(dep.name, normalizeName(packages[i].name));
        assert.equal(textAt(text, dep.ranges.version!), packages[i].version);
        assert.equal(dep.pinnedVersion, packages[i].version);
        assert.equal(dep.files?.length, 1);
        assert.equal(textAt(text, dep.files![0].hashes[0].range), packages[i].hex);
      });
      assertRangesInside(text, doc);
    }),
    { numRuns: fuzzRuns(200) },
  );
});
