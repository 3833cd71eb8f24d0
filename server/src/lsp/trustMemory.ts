/**
 * The trust memory requests (issue 10 item 4, issue 11 item 1: "a command forgets it"):
 * - `pypiProvenance/trustMemory`, no params: how many entries each memory holds, for the
 *   confirmation that says what would be forgotten: `{ trustedPublishers: n, releaseFileSets: n }`;
 * - `pypiProvenance/forgetTrustMemory`, params `{ trustedPublishers?: boolean, releaseFileSets?: boolean }`:
 *   removes the chosen memories (their subdirectories of every cache directory in use, and what the server
 *   holds in memory), analyses the open documents again — each project's next verified publisher
 *   and each release's files are then a first use — and answers how many entries went.
 * Clear Cache (pypiProvenance/clearCache) never touches either.
 * Also here: whether the client has the confirmation command of the accept-publisher action.
 */
import type { ClientCapabilities } from 'vscode-languageserver/node';
import type { Settings } from '../pipeline/contract/settings';
import type { TrustMemoryCounts, ZeroTrustServices } from '../zeroTrust/service';
import type { Logger } from './guard';
import { CONFIRM_ACCEPT_PUBLISHER_COMMAND } from './zeroTrustActions';

export const TRUST_MEMORY_METHOD = 'pypiProvenance/trustMemory';
export const FORGET_TRUST_MEMORY_METHOD = 'pypiProvenance/forgetTrustMemory';

export interface TrustMemoryHost {
  /** One settings object per cache directory in use (the workspace's and the open documents' folders'). */
  settingsInUse(): Promise<Readonly<Settings>[]>;
  zeroTrust: ZeroTrustServices;
  reanalyze(): void;
  logger: Logger;
}

export async function trustMemoryCounts(host: TrustMemoryHost): Promise<TrustMemoryCounts> {
  const counts = await Promise.all((await host.settingsInUse()).map((settings) => host.zeroTrust.countTrustMemory(settings)));
  return sum(counts);
}

function sum(counts: TrustMemoryCounts[]): TrustMemoryCounts {
  return counts.reduce((total, each) => ({ trustedPublishers: total.trustedPublishers + each.trustedPublishers, releaseFileSets: total.releaseFileSets + each.releaseFileSets }), { trustedPublishers: 0, releaseFileSets: 0 });
}

export async function forgetTrustMemory(params: unknown, host: TrustMemoryHost): Promise<TrustMemoryCounts> {
  const choice = typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {};
  const wanted = { trustedPublishers: choice.trustedPublishers === true, releaseFileSets: choice.releaseFileSets === true };
  if (!wanted.trustedPublishers && !wanted.releaseFileSets) return { trustedPublishers: 0, releaseFileSets: 0 };
  const removed = sum(await Promise.all((await host.settingsInUse()).map((settings) => host.zeroTrust.forgetTrustMemory(settings, wanted))));
  host.logger.info(`Trust memory forgotten: ${removed.trustedPublishers} trusted publishers, ${removed.releaseFileSets} release file sets.`);
  host.reanalyze();
  return removed;
}

/** The client announces client-side commands as rust-analyzer's do: `experimental.commands.commands`. */
export function clientHasConfirmCommand(capabilities: ClientCapabilities | undefined): boolean {
  const experimental: unknown = capabilities?.experimental;
  const commands = typeof experimental === 'object' && experimental !== null ? (experimental as { commands?: { commands?: unknown } }).commands?.commands : undefined;
  return Array.isArray(commands) && commands.includes(CONFIRM_ACCEPT_PUBLISHER_COMMAND);
}
