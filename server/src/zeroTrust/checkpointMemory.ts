/**
 * Transparency-log checkpoint memory (issue 11 item 6): per log (its ID and the checkpoint's
 * origin line, which names the shard) and tree size, the root hash of the first verified
 * checkpoint seen. A log is append-only: every checkpoint it signs for one size must carry one
 * root. A verified checkpoint that carries another proves that the log shows different clients
 * different trees (a split view): `log-inconsistent`. Caught with no extra request — every
 * attestation carries a checkpoint.
 *
 * Only checkpoints whose signature the verifier checked are observed (VerifiedAttestation's
 * `checkpoint`, itself read back from disk only with this user's MAC). Trust state, not cache:
 * signed entries in CHECKPOINT_SUBDIRECTORY, which Clear Cache keeps: one journal every process
 * appends to (signedJournal.ts), since a checkpoint is added for every attestation verified. An
 * entry is never replaced: the first root stays the one every later checkpoint is held to.
 */
import { VERDICTS } from '../core/verdicts';
import type { CacheKeySource } from '../core/cacheKey';
import type { Finding } from '../core/finding';
import type { Range } from '../core/model';
import { shown } from './messages';
import { messageOf, type EntryCodec } from './signedEntries';
import { createSignedJournal } from './signedJournal';

export const CHECKPOINT_SUBDIRECTORY = 'log-checkpoints-v1';

/** A checkpoint the verifier verified, with the log it belongs to. */
export interface ObservedCheckpoint {
  /** The log's ID (base64), as the attestation's transparency entry names it. */
  logId: string;
  origin: string;
  treeSize: number;
  /** Lowercase hex. */
  rootHash: string;
}

export interface RememberedCheckpoint extends ObservedCheckpoint {
  /** When it was first seen, ISO 8601 (this machine's clock). */
  firstSeen: string;
  /** The release whose attestation carried it then, e.g. `demo 1.0` (for the message). */
  seenIn: string;
}

export interface CheckpointObservation {
  /** True when this call recorded it (nothing was remembered for the log and size). */
  firstUse: boolean;
  remembered: RememberedCheckpoint;
}

export interface CheckpointMemory {
  /** Records the checkpoint unless one of its log and size is remembered; returns the remembered one. Never throws. */
  observe(checkpoint: ObservedCheckpoint, seenIn: string): Promise<CheckpointObservation>;
}

export interface CheckpointMemoryOptions {
  cacheDirectory?: string;
  key?: CacheKeySource;
  log?: (message: string) => void;
  now?: () => number;
}

const nameOf = (checkpoint: Pick<ObservedCheckpoint, 'logId' | 'origin' | 'treeSize'>) => `${checkpoint.logId}\n${checkpoint.origin}\n${checkpoint.treeSize}`;

const CHECKPOINT_CODEC: EntryCodec<RememberedCheckpoint> = {
  nameOf,
  fields: (entry) => ({ v: 1, ...entry }),
  content: (entry) => JSON.stringify([entry.rootHash, entry.firstSeen, entry.seenIn]),
  parse(data) {
    const { logId, origin, treeSize, rootHash, firstSeen, seenIn } = data;
    if (data.v !== 1 || typeof logId !== 'string' || typeof origin !== 'string' || !Number.isSafeInteger(treeSize)) return undefined;
    if (typeof rootHash !== 'string' || !/^[0-9a-f]{64}$/.test(rootHash) || typeof firstSeen !== 'string' || typeof seenIn !== 'string') return undefined;
    return { logId, origin, treeSize: treeSize as number, rootHash, firstSeen, seenIn };
  },
  discarded(name) {
    const [, origin, size] = name.split('\n');
    return `discarding a remembered checkpoint of ${shown(origin)} at size ${size}: the entry is corrupt or not authenticated by this user's key`;
  },
};

export function createCheckpointMemory(options: CheckpointMemoryOptions = {}): CheckpointMemory {
  const now = options.now ?? Date.now;
  // A journal, not a file per entry: a checkpoint is added for every attestation verified.
  const disk = createSignedJournal(
    { cacheDirectory: options.cacheDirectory, subdirectory: CHECKPOINT_SUBDIRECTORY, maxBytes: 64 * 1024, key: options.key, log: options.log, kept: 'transparency-log checkpoints', entryWords: 'a checkpoint entry' },
    CHECKPOINT_CODEC,
  );
  /** Entries known in this process: authenticated ones read or written (they never change), and all of them without a disk. */
  const memory = new Map<string, RememberedCheckpoint>();

  return {
    async observe(checkpoint, seenIn) {
      const entry: RememberedCheckpoint = {
        logId: checkpoint.logId,
        origin: checkpoint.origin,
        treeSize: checkpoint.treeSize,
        rootHash: checkpoint.rootHash.toLowerCase(),
        firstSeen: new Date(now()).toISOString(),
        seenIn,
      };
      const name = nameOf(entry);
      const held = memory.get(name);
      if (held) return { firstUse: false, remembered: held };
      try {
        const existing = (await disk.recordFirst(entry))?.existing;
        if (existing) {
          memory.set(name, existing);
          return { firstUse: false, remembered: existing };
        }
      } catch (error) {
        disk.unusable(`the checkpoint journal cannot be used (${messageOf(error)})`);
      }
      memory.set(name, entry);
      return { firstUse: true, remembered: entry };
    },
  };
}

/** A verified checkpoint that contradicts the remembered one, with where it was found. */
export interface CheckpointConflict {
  remembered: RememberedCheckpoint;
  seen: ObservedCheckpoint;
  /** The file whose attestation carried the contradicting checkpoint. */
  filename: string;
}

/** Observes every checkpoint; the ones whose root differs from the remembered root of their log and size. */
export async function checkCheckpoints(memory: CheckpointMemory, seenIn: string, files: readonly { filename: string; checkpoints: readonly ObservedCheckpoint[] }[]): Promise<CheckpointConflict[]> {
  const conflicts: CheckpointConflict[] = [];
  const reported = new Set<string>();
  for (const file of files) {
    for (const seen of file.checkpoints) {
      const { remembered } = await memory.observe(seen, seenIn);
      const key = `${nameOf(seen)}\n${seen.rootHash}`;
      if (remembered.rootHash === seen.rootHash.toLowerCase() || reported.has(key)) continue;
      reported.add(key);
      conflicts.push({ remembered, seen, filename: file.filename });
    }
  }
  return conflicts;
}

/** The `log-inconsistent` finding (error) for the conflicts of one dependency; undefined for none. */
export function logInconsistentFinding(conflicts: readonly CheckpointConflict[], range: Range, dependencyIndex?: number): Finding | undefined {
  if (conflicts.length === 0) return undefined;
  const parts = conflicts.map(({ remembered, seen, filename }) => {
    const size = seen.treeSize.toLocaleString('en-US');
    const then = `${remembered.firstSeen.slice(0, 10)}${remembered.seenIn ? `, for ${shown(remembered.seenIn)}` : ''}`;
    return `${shown(seen.origin)} signed a tree of ${size} entries with root ${shortHash(seen.rootHash)} (in the attestation of ${shown(filename)}) and with root ${shortHash(remembered.rootHash)} (seen on ${then})`;
  });
  const logs = new Set(conflicts.map((conflict) => conflict.seen.origin)).size;
  return {
    code: 'log-inconsistent',
    message: `${VERDICTS['log-inconsistent']}: the transparency ${logs === 1 ? 'log shows' : 'logs show'} different histories to different clients (a split view): ${parts.join('; ')}. One size must have one root; a log that forks cannot vouch that these signatures were made in public.`,
    range,
    ...(dependencyIndex !== undefined ? { dependency: dependencyIndex } : {}),
  };
}

/** A root hash as a person compares it: the first 16 hex digits (64 bits). */
export function shortHash(hex: string): string {
  return `${hex.slice(0, 16)}…`;
}
