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

export function serverModulePath(extensionPath: string, preferSources: boolean, exists: (file: string) => boolean): string {
  const sources = path.join(extensionPath, ...SOURCE_SERVER);
  const bundle = path.join(extensionPath, ...BUNDLED_SERVER);
  const order = preferSources ? [sources, bundle] : [bundle, sources];
  const found = order.find(exists);
  if (!found) throw new Error(`The language server is missing: neither ${bundle} nor ${sources} exists (run \`npm run build\` or \`npm run bundle\`).`);
  return found;
}
