/** The LanguageClient for our server: transport, documents, settings and the trust/cache middleware. */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { LanguageClient, RevealOutputChannelOn, TransportKind, type LanguageClientOptions, type ServerOptions, type StaticFeature } from 'vscode-languageclient/node';
import { CLIENT_ID, Commands, DIAGNOSTIC_SOURCE, EXTENSION_NAME, SETTINGS_SECTION } from '../constants';
import { DOCUMENT_SELECTOR } from '../documentSelector';
import { initializationOptions, withClientFacts, type ClientFacts } from './clientSettings';
import { SERVER_EXEC_ARGV, serverModulePath } from './serverModule';

export interface ClientContext {
  extensionPath: string;
  extensionMode: vscode.ExtensionMode;
  output: vscode.OutputChannel;
  /** Read at every settings request: trust can be granted while the server runs. */
  facts: () => ClientFacts;
}

export function createLanguageClient(context: ClientContext): LanguageClient {
  const module = serverModulePath(context.extensionPath, context.extensionMode !== vscode.ExtensionMode.Production, fs.existsSync);
  context.output.appendLine(`[client] server: ${module}`);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV] } },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: [...SERVER_EXEC_ARGV, '--nolazy', '--inspect=6019'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [...DOCUMENT_SELECTOR],
    diagnosticCollectionName: DIAGNOSTIC_SOURCE,
    outputChannel: context.output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    synchronize: { configurationSection: SETTINGS_SECTION },
    // The hover card folds its details into <details> (initializationOptions.hoverHtml); no commands are trusted.
    markdown: { supportHtml: true },
    initializationOptions: () => initializationOptions(vscode.workspace.getConfiguration().get(SETTINGS_SECTION), context.facts()),
    middleware: {
      workspace: {
        // The server pulls its section; the answer is where trust and the cache folder go in.
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) return answers;
          return answers.map((answer, i) => (params.items[i]?.section === SETTINGS_SECTION ? withClientFacts(answer, context.facts()) : answer));
        },
      },
    },
  };
  const client = new LanguageClient(CLIENT_ID, EXTENSION_NAME, serverOptions, clientOptions);
  client.registerFeature(clientCommandsFeature);
  return client;
}

/**
 * Tells the server which code-action commands this client runs itself (rust-analyzer's
 * `experimental.commands` convention): the accept-publisher action then asks the user in a modal
 * (commands/acceptPublisher.ts) instead of coming as one action per mode.
 */
const clientCommandsFeature: StaticFeature = {
  fillClientCapabilities(capabilities) {
    const experimental = (capabilities.experimental ?? {}) as Record<string, unknown>;
    capabilities.experimental = { ...experimental, commands: { commands: [Commands.confirmAcceptPublisher] } };
  },
  initialize: () => undefined,
  getState: () => ({ kind: 'static' }),
  clear: () => undefined,
};
