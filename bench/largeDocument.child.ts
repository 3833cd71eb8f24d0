/**
 * Run in a child process by bench/large.bench.ts: generates one large document, parses it once
 * and prints `{ ms, peakRssMb, baseRssMb, problems, dependencies }` as JSON. A child of its own,
 * so the peak resident set is this parse's and not the bench's.
 */
import type { DocumentFormat } from '../server/src/core/model';
import { parseDocument } from '../server/src/parsers/index';
import { largePylock, largePyproject, largeRequirements, largeUvLock, manyUnpinnedRequirements, nestedInlineTables } from '../test/support/largeDocuments';

const generators: Record<string, [DocumentFormat | 'json' | 'anchor-toml', (bytes: number) => string]> = {
  unpinned: ['requirements', manyUnpinnedRequirements],
  requirements: ['requirements', largeRequirements],
  pyproject: ['pyproject', largePyproject],
  pylock: ['pylock', largePylock],
  nested: ['pyproject', nestedInlineTables],
  'uv.lock': ['pylock', largeUvLock],
};

const [kind, megabytes] = process.argv.slice(2);
const [format, generate] = generators[kind];
const text = generate(Number(megabytes) * 1_000_000);
const rssMb = () => process.resourceUsage().maxRSS / 1024;
const baseRssMb = rssMb();
const start = performance.now();
const parsed = parseDocument(format as DocumentFormat, text);
const ms = performance.now() - start;
process.stdout.write(JSON.stringify({ ms, peakRssMb: rssMb(), baseRssMb, problems: parsed.problems.length, firstProblem: parsed.problems[0]?.message, dependencies: parsed.dependencies.length }) + '\n');
