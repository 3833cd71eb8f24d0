/**
 * `npm run bench [-- [--quick] [--json] [NAME…]]`: runs the sections of every bench/*.bench.ts
 * (all, or those whose name contains one of NAME) one after another and prints a table for each.
 * `--json` also prints every row as one JSON document at the end (for CI to keep).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatTable, type BenchContext, type BenchRow, type BenchSection } from './harness';

async function loadSections(benchDir: string): Promise<BenchSection[]> {
  const sections: BenchSection[] = [];
  for (const file of readdirSync(benchDir).filter((f) => f.endsWith('.bench.ts')).sort()) {
    const module = (await import(pathToFileURL(path.join(benchDir, file)).href)) as { sections?: BenchSection[]; default?: { sections?: BenchSection[] } };
    const found = module.sections ?? module.default?.sections;
    if (!Array.isArray(found)) throw new Error(`${file} exports no \`sections\` array`);
    sections.push(...found);
  }
  return sections;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const json = args.includes('--json');
  const names = args.filter((a) => !a.startsWith('--'));
  const benchDir = __dirname;
  const context: BenchContext = { repoRoot: path.resolve(benchDir, '..'), quick, log: (message) => process.stderr.write(`  … ${message}\n`) };

  const all = await loadSections(benchDir);
  const chosen = all.filter((s) => names.length === 0 || names.some((n) => s.name.includes(n)));
  if (chosen.length === 0) {
    console.error(`no bench section matches ${names.join(', ')}; there are: ${all.map((s) => s.name).join(', ')}`);
    return 2;
  }
  console.log(`PyPI Provenance benchmarks — Node ${process.version}, ${process.platform}/${process.arch}${quick ? ', --quick' : ''}`);
  const results: Array<{ section: string; rows: BenchRow[]; error?: string }> = [];
  let failed = 0;
  for (const section of chosen) {
    console.log(`\n## ${section.name}: ${section.title}\n`);
    try {
      const rows = await section.run(context);
      console.log(formatTable(rows));
      results.push({ section: section.name, rows });
    } catch (error) {
      failed++;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.log(`FAILED: ${message}`);
      results.push({ section: section.name, rows: [], error: message });
    }
  }
  if (json) console.log(`\n${JSON.stringify({ node: process.version, results }, null, 2)}`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
