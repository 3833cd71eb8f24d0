/**
 * Run in a child process by bench/large.bench.ts: generates one large document, parses it once
 * and prints `{ ms, peakRssMb, baseRssMb, problems, dependencies }` as JSON. A child of its own,
 * so the peak resident set is this parse's and not the bench's.
 */
import { parse as parseValues } from 'smol-toml';
import type { DocumentFormat } from '../server/src/core/model';
import { parseDocument } from '../server/src/parsers/index';
import { LARGE_DOCUMENTS } from '../test/support/largeDocuments';

/** The anchor's input: the packages of a generated uv.lock as JSON, about `bytes` long. */
function uvLockAsJson(bytes: number): string {
  const packages: unknown[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i++) {
    const url = `https://files.pythonhosted.org/packages/ab/cd/${'e'.repeat(60)}/package_${i}-1.0-py3-none-any.whl`;
    const file = { url, hash: `sha256:${'0'.repeat(64)}`, size: 9000 + i, 'upload-time': '2024-07-26T18:15:02.05Z' };
    const entry = { name: `package-${i}`, version: '1.0', source: { registry: 'https://pypi.org/simple' }, dependencies: [{ name: `package-${i >> 1}` }], sdist: file, wheels: [file, file, file] };
    length += JSON.stringify(entry).length;
    packages.push(entry);
  }
  return JSON.stringify({ version: 1, revision: 3, package: packages });
}

/** `json-anchor`, `value-parser:KIND` (smol-toml alone on KIND's text), or a LARGE_DOCUMENTS kind. */
const [kind, megabytes] = process.argv.slice(2);
const valueParser = kind.startsWith('value-parser:');
const generated = LARGE_DOCUMENTS[valueParser ? kind.slice('value-parser:'.length) : kind];
const format: DocumentFormat | 'json' | 'values' = kind === 'json-anchor' ? 'json' : valueParser ? 'values' : generated.format;
const generate = kind === 'json-anchor' ? uvLockAsJson : generated.generate;
const text = generate(Number(megabytes) * 1_000_000);
const rssMb = () => process.resourceUsage().maxRSS / 1024;
const baseRssMb = rssMb();
const start = performance.now();
const parsed =
  format === 'json'
    ? { problems: [], dependencies: (JSON.parse(text) as { package: unknown[] }).package }
    : format === 'values'
      ? { problems: [], dependencies: (parseValues(text) as { package?: unknown[] }).package ?? [] }
      : parseDocument(format, text);
const ms = performance.now() - start;
const firstProblem = parsed.problems[0]?.message;
process.stdout.write(JSON.stringify({ ms, peakRssMb: rssMb(), baseRssMb, problems: parsed.problems.length, firstProblem, dependencies: parsed.dependencies.length }) + '\n');
