/**
 * The values only the VS Code client knows, laid over the user's `pypiProvenance` settings
 * before the server sees them (workspace/configuration answers and initializationOptions):
 * - `workspaceTrusted` is always VS Code's workspace trust, whatever a settings file says, so a
 *   workspace cannot declare itself trusted;
 * - an empty `cacheDirectory` becomes the extension's global storage folder.
 */
export interface ClientFacts {
  workspaceTrusted: boolean;
  /** The extension's storage folder, the cache when the setting is empty. */
  defaultCacheDirectory: string;
}

export function withClientFacts(section: unknown, facts: ClientFacts): Record<string, unknown> {
  const settings: Record<string, unknown> = isRecord(section) ? { ...section } : {};
  settings.workspaceTrusted = facts.workspaceTrusted;
  const cache = settings.cacheDirectory;
  if (typeof cache !== 'string' || cache.trim() === '') settings.cacheDirectory = facts.defaultCacheDirectory;
  return settings;
}

/**
 * The initializationOptions of CONTRACT.md §2, and `hoverHtml`: this client renders HTML in hover
 * Markdown (createClient.ts turns `supportHtml` on), so the card can fold its details away.
 */
export function initializationOptions(section: unknown, facts: ClientFacts): { settings: Record<string, unknown>; hoverHtml: true } {
  return { settings: { pypiProvenance: withClientFacts(section, facts) }, hoverHtml: true };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
