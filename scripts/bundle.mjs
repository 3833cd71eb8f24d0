// Bundles the extension with esbuild into dist/: the client (dist/extension.js, `vscode` left to
// the editor) and the language server and CLI (dist/server/server.js, dist/server/cli.js, two
// levels down so that `../../package.json` still finds the package's version). Node 20, CommonJS.
//
//   node scripts/bundle.mjs               # development: source maps, readable output
//   node scripts/bundle.mjs --production  # what the .vsix ships: minified, no source maps
//   node scripts/bundle.mjs --watch
//   node scripts/bundle.mjs --outdir DIR  # elsewhere than dist/ (tests), same layout inside
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const outdirIndex = process.argv.indexOf('--outdir');
const outdir = outdirIndex >= 0 ? process.argv[outdirIndex + 1] : join(root, 'dist');

/**
 * Two dependencies the server and the CLI load on first need, each from a bundle of its own beside
 * them, so that a process that never needs one never reads or compiles it (of the 4.3 MB server, 2.8 MB
 * were these two): @sigstore/tuf (with tuf-js, make-fetch-happen, cacache, iconv-lite…) runs
 * only when the public-good root is refreshed; undici only when an answer is not in the cache (a
 * warm start whose answers are all fresh sends no request). The code says `import('@sigstore/tuf')`
 * and `require('undici')` (node_modules when unbundled); here they become `./sigstoreTuf.js` and
 * `./undici.js`, resolved beside the bundle.
 */
const BESIDE = { '@sigstore/tuf': 'sigstoreTuf', undici: 'undici' };
/** @type {import('esbuild').Plugin} */
const loadedBeside = {
  name: 'loaded-beside',
  setup(build) {
    build.onResolve({ filter: /^(@sigstore\/tuf|undici)$/ }, (args) => ({ path: `./${BESIDE[args.path]}.js`, external: true }));
  },
};

/** Entry point → output file, relative to the repository. The CLI is bundled once it exists. */
const entries = [
  { in: 'client/src/extension.ts', out: 'extension', external: ['vscode'] },
  { in: 'server/src/server.ts', out: 'server/server', external: [], plugins: [loadedBeside] },
  { in: 'server/src/cli.ts', out: 'server/cli', external: [], plugins: [loadedBeside] },
  // An ES module entry, so that the CommonJS output names its exports for Node's import().
  { in: 'sigstoreTuf.mjs', contents: "export { initTUF } from '@sigstore/tuf';", out: `server/${BESIDE['@sigstore/tuf']}`, external: [] },
  { in: 'undici.cjs', contents: "module.exports = require('undici');", out: `server/${BESIDE.undici}`, external: [] },
  { in: 'server/src/verification/worker.ts', out: 'server/verificationWorker', external: [] },
  { in: 'server/src/verification/tufWorker.ts', out: 'server/tufWorker', external: [], plugins: [loadedBeside] },
  { in: 'server/src/parsers/parseWorker.ts', out: 'server/parseWorker', external: [] },
  { in: 'server/src/index/pageWorker.ts', out: 'server/pageWorker', external: [] },
].filter((entry) => entry.contents !== undefined || existsSync(join(root, entry.in)));

/** @type {import('esbuild').BuildOptions} */
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  // Readable stack traces in the output channel even when minified.
  keepNames: true,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  legalComments: production ? 'linked' : 'inline',
  logLevel: 'warning',
  // vscode-languageclient and some dependencies prefer their ESM builds when allowed; CommonJS is
  // what Node runs the bundle as.
  mainFields: ['module', 'main'],
};

if (!outdir) throw new Error('--outdir needs a directory');
// Not emptied first: another run (npm test, a packaging) may be reading it. Stale files do no
// harm: .vscodeignore ships the bundles by name.
const contexts = await Promise.all(
  entries.map((entry) =>
    esbuild.context({
      ...common,
      ...(entry.contents !== undefined
        ? { stdin: { contents: entry.contents, resolveDir: root, sourcefile: entry.in, loader: 'js' }, outfile: join(outdir, `${entry.out}.js`) }
        : { entryPoints: [{ in: entry.in, out: entry.out }], outdir }),
      external: entry.external,
      plugins: entry.plugins ?? [],
    }),
  ),
);
if (watch) {
  await Promise.all(contexts.map((context) => context.watch()));
  console.log(`bundle: watching ${entries.map((e) => e.in).join(', ')}`);
} else {
  const started = Date.now();
  await Promise.all(contexts.map((context) => context.rebuild()));
  await Promise.all(contexts.map((context) => context.dispose()));
  console.log(`bundle: ${entries.map((e) => relative(root, join(outdir, `${e.out}.js`))).join(', ')} (${production ? 'production' : 'development'}, ${Date.now() - started} ms)`);
}
