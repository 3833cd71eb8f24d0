/**
 * Which server the client starts. In the repository (Development/Test mode) the TypeScript
 * build `server/out/server.js`, so `tsc -b --watch` output is used at once and source maps point
 * at server/src; in the packaged extension the esbuild bundle `dist/server/server.js`, the only
 * one the .vsix ships (.vscodeignore). The bundle sits two levels down so that the server finds
 * `../../package.json` for its version, as the TypeScript build does.
 */
import * as path from 'node:path';

export const SOURCE_SERVER = ['server', 'out', 'server.js'] as const;
export const BUNDLED_SERVER = ['dist', 'server', 'server.js'] as const;

/**
 * Node's arguments for the server process (the editor's, and the test client's: test/support).
 * A young generation of 4 MB semi-spaces instead of V8's 16 MB: the server's garbage is short-lived
 * (answers parsed, hashed and dropped), so the larger nursery only held more memory — measured on
 * 200 pins × 2 files, the server's RSS was 19 MB lower and its CPU no higher. Worker threads share
 * the process's V8 flags, so they are held to it too.
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=4'];

export function serverModulePath(extensionPath: string, preferSources: boolean, exists: (file: string) => boolean): string {
  const sources = path.join(extensionPath, ...SOURCE_SERVER);
  const bundle = path.join(extensionPath, ...BUNDLED_SERVER);
  const order = preferSources ? [sources, bundle] : [bundle, sources];
  const found = order.find(exists);
  if (!found) throw new Error(`The language server is missing: neither ${bundle} nor ${sources} exists (run \`npm run build\` or \`npm run bundle\`).`);
  return found;
}
