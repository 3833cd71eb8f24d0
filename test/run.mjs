// Runs every test file under test/ with Node's test runner, TypeScript through tsx.
// Usage: node test/run.mjs [substring…]  (only files whose path contains one of the substrings)
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const skipDirs = new Set(['node_modules', 'out', 'fixtures-generated', 'vscode']);

function collect(dir, found) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (!skipDirs.has(entry)) collect(path, found);
    } else if (entry.endsWith('.test.ts')) {
      found.push(relative(root, path));
    }
  }
  return found;
}

const filters = process.argv.slice(2);
const files = collect(join(root, 'test'), []).filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
// The key that authenticates cache entries (server/src/core/cacheKey.ts) lives in a temp folder
// for the run, never in the real home directory; tests that look at it give their own.
const keyDirectory = mkdtempSync(join(tmpdir(), 'pypi-provenance-test-key-'));
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, PYPI_PROVENANCE_KEY_DIRECTORY: join(keyDirectory, 'key') },
});
rmSync(keyDirectory, { recursive: true, force: true });
process.exit(result.status ?? 1);
