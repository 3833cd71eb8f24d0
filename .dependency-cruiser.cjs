// The layering of the code base (README "Layout"), held by dependency-cruiser: each folder is one
// layer and imports only the layers below it. `npm test` runs this (test/layering/layering.test.ts);
// by hand: `npm run lint:layers`. A rule's name says which boundary an import crossed.
//
//   core/  →  parsers/ locks/ index/ verify/ checks/  →  pipeline/contract/  →  resolution/  →
//   verification/  →  zeroTrust/  →  pipeline/  →  hover/ (for lsp/), lsp/, cli/  →  server.ts, cli.ts
//   protocol/ (the report types) sits below everything and is imported with `import type` only.
const src = '^server/src/';
const entryPoints = `${src}(server|cli)\\.ts$`;
const shells = `${src}(hover|lsp|cli)/|${entryPoints}`;
/** pipeline/ outside its contract: the stage list, the runner, the report. */
const pipeline = `${src}pipeline/(?!contract/)`;
const features = `${src}(resolution|verification|zeroTrust)/`;

/** A rule forbidding imports from `from` to `to`. */
function layer(name, comment, from, to) {
  return { name, comment, severity: 'error', from: { path: from }, to: { path: to } };
}

module.exports = {
  forbidden: [
    layer('core-imports-only-core', 'core/ (model, codes, results) is the bottom layer of the server: it imports no other folder.', `${src}core/`, `${src}(?!core/)`),
    layer(
      'foundations-import-only-core',
      'parsers/, locks/, index/, verify/ and checks/ are the pure parts: they may use core/ and each other, nothing above.',
      `${src}(parsers|locks|index|verify|checks)/`,
      `${src}(pipeline|resolution|verification|zeroTrust)/|${shells}`,
    ),
    layer(
      'contract-below-features',
      'pipeline/contract/ (stage contract, settings, logger, progressive run) is what the features implement: it may not use them or the rest of pipeline/.',
      `${src}pipeline/contract/`,
      `${features}|${pipeline}|${shells}`,
    ),
    layer('resolution-below-verification', 'resolution/ is the first feature service: it may not use verification/, zeroTrust/, the pipeline above its contract, or a shell.', `${src}resolution/`, `${src}(verification|zeroTrust)/|${pipeline}|${shells}`),
    layer('verification-below-zero-trust', 'verification/ builds on resolution/: it may not use zeroTrust/, the pipeline above its contract, or a shell.', `${src}verification/`, `${src}zeroTrust/|${pipeline}|${shells}`),
    layer('zero-trust-below-pipeline', 'zeroTrust/ builds on verification/: it may not use the pipeline above its contract, or a shell.', `${src}zeroTrust/`, `${pipeline}|${shells}`),
    layer('pipeline-below-shells', 'pipeline/ (stage list, runner, report) serves the shells: it may not use hover/, lsp/, cli/ or an entry point.', pipeline, shells),
    {
      name: 'hover-only-for-lsp',
      comment: 'hover/ renders the LSP hover card: only lsp/ uses it (the CLI does not).',
      severity: 'error',
      from: { pathNot: `${src}(hover|lsp)/` },
      to: { path: `${src}hover/` },
    },
    {
      name: 'lsp-only-from-server-ts',
      comment: 'lsp/ is the language server shell: nothing but lsp/ itself and server.ts imports it.',
      severity: 'error',
      from: { pathNot: `${src}(lsp/|server\\.ts$)` },
      to: { path: `${src}lsp/` },
    },
    {
      name: 'cli-only-from-cli-ts',
      comment: 'cli/ is the command-line shell: nothing but cli/ itself and cli.ts imports it.',
      severity: 'error',
      from: { pathNot: `${src}(cli/|cli\\.ts$)` },
      to: { path: `${src}cli/` },
    },
    layer('client-does-not-import-server', 'The client bundle talks to the server over LSP only; shared types come from protocol/.', '^client/', '^server/'),
    layer('server-does-not-import-client', 'The server and the CLI run without VS Code.', '^server/', '^client/'),
    layer('protocol-imports-nothing-of-ours', 'protocol/ is below both sides: it imports neither.', '^protocol/', '^(server|client)/'),
    {
      name: 'protocol-is-types-only',
      comment: 'protocol/ is not shipped or built into server/out: import it with `import type` / `export type` only.',
      severity: 'error',
      from: { path: '^(server|client)/' },
      to: { path: '^protocol/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    // Type-only imports climb layers too.
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)out/' },
  },
};
