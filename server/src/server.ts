/**
 * The language server's entry: `node server/out/server.js --stdio` (LSP 3.17).
 * Everything it does is in lsp/languageServer.ts; this file only makes the connection.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { keepHeapNearLive } from './core/heapGrowth';
import { collectWhenQuiet } from './core/quietCollection';
import { errorText } from './pipeline/contract/logger';
import { startLanguageServer } from './lsp/languageServer';
import { defaultCacheDirectory } from './resolution/cacheDirectory';

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

keepHeapNearLive();
// Between bursts of work the server gives back the heap a burst grew to.
collectWhenQuiet();

// stdio unless the client picked another transport (the library throws when none is named).
if (!process.argv.some((arg) => /^--(stdio|node-ipc|socket|pipe)\b/.test(arg))) process.argv.push('--stdio');
const connection = createConnection(ProposedFeatures.all);
const server = startLanguageServer(connection, { version: packageVersion(), env: process.env, defaultCacheDirectory: defaultCacheDirectory(process.env) });

// The last net under the handlers' own guards: whatever escapes is logged, and the server lives on.
// Except a broken pipe to the client: there is no one left to serve (and logging would fail again).
function lastResort(kind: string, error: unknown): void {
  if ((error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE') process.exit(1);
  try {
    server.logger.error(`${kind}: ${errorText(error)}`);
  } catch {
    // The connection is gone too.
  }
}
process.on('uncaughtException', (error) => lastResort('Uncaught exception', error));
process.on('unhandledRejection', (reason) => lastResort('Unhandled rejection', reason));

connection.listen();
