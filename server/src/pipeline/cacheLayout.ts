/**
 * What the cache directory holds, in one list: which subdirectories are caches (index answers and
 * verification results, safe to remove: they are asked for again) and which are trust memory
 * (what the user or the tool decided to trust; `clearCache` never touches it, CONTRACT §5).
 * A new store adds its subdirectory here.
 */
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RESPONSE_CACHE_SUBDIRECTORY } from '../index/responseCache';
import { RESULTS_SUBDIRECTORY } from '../verification/resultStore';
import { CHECKPOINT_SUBDIRECTORY } from '../zeroTrust/checkpointMemory';
import { FILE_SET_SUBDIRECTORY } from '../zeroTrust/fileSetMemory';
import { OWNERSHIP_SUBDIRECTORY } from '../zeroTrust/ownershipMemory';
import { TRUST_STORE_SUBDIRECTORY } from '../zeroTrust/trustStore';

export const CACHE_SUBDIRECTORIES: readonly string[] = [RESPONSE_CACHE_SUBDIRECTORY, RESULTS_SUBDIRECTORY];
export const TRUST_MEMORY_SUBDIRECTORIES: readonly string[] = [TRUST_STORE_SUBDIRECTORY, FILE_SET_SUBDIRECTORY, CHECKPOINT_SUBDIRECTORY, OWNERSHIP_SUBDIRECTORY];

export interface RemovedFiles {
  removedFiles: number;
  removedBytes: number;
}

/** Removes the given subdirectories of `directory`, counting the files and bytes removed. A missing one counts nothing. */
export function removeSubdirectories(directory: string | undefined, subdirectories: readonly string[]): RemovedFiles {
  const removed: RemovedFiles = { removedFiles: 0, removedBytes: 0 };
  if (directory === undefined) return removed;
  for (const name of subdirectories) {
    const root = join(directory, name);
    count(root, removed);
    rmSync(root, { recursive: true, force: true });
  }
  return removed;
}

function count(path: string, into: RemovedFiles): void {
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) count(child, into);
    else if (entry.isFile()) {
      into.removedFiles++;
      try {
        into.removedBytes += statSync(child).size;
      } catch {
        // Removed meanwhile by another process: nothing to count.
      }
    }
  }
}
