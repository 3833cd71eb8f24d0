/**
 * One distribution file through the pipeline: fetch its provenance object (through the index
 * client, whose HTTP cache revalidates it with the ETag rather than fetching it blindly), look its
 * attestations up among the verdicts remembered on this machine, verify the rest on a CPU slot of
 * the executor, remember the new verdicts. Each file once, however many documents ask; answers
 * are memoized for `freshMs` (errors until their retry time).
 *
 * The outcome of a fetch:
 * - no `provenance` URL on the index page, or 404: `unattested`;
 * - 403: the index has turned the provenance feature off — `unattested`, `provenanceDisabled`,
 *   never a failure of the dependency;
 * - any other failure: `error` (an `index-error`), asked again later.
 */
import { WILL_RETRY } from '../core/format';
import type { IndexError } from '../index/errors';
import type { ProvenanceAnswer } from '../index/indexClient';
import { unattested, type Distribution, type FileVerification } from '../verify/index';
import { keyedAttestations, keyedProvenanceDigest, provenanceDigest, stableJson } from './attestationKey';
import type { VerifyExecutor } from './executor';
import { RememberingVerifier, type FileJobResult } from './fileVerifier';
import { CancelledError, type QueueOwner, type VerificationQueue } from './queue';
import type { ResultStore } from './resultStore';

/** A file of a release as resolution found it on the index. */
export interface VerificationTarget {
  filename: string;
  sha256?: string;
  provenanceUrl?: string;
  uploadTime?: string;
}

export interface FileOutcome {
  status: 'verified' | 'invalid' | 'unattested' | 'error';
  /** Set when the verifier looked at the file (also for a 404: no attestations). */
  verification?: FileVerification;
  /** Why not verified: the failed check (invalid), the failure (error), the 403 (provenanceDisabled). */
  message: string | null;
  /** The index answered 403 for the provenance: the feature is turned off there. */
  provenanceDisabled?: boolean;
  /** An error to try again later; `retryAt` says when (ms since the epoch). */
  retryAt?: number;
  /** The code an `error` is reported with: `index-error` (fetching failed) unless this says otherwise. */
  errorCode?: 'index-error' | 'verification-error';
}

export interface FileCheckStats {
  /** Files whose provenance was fetched (or looked up in the HTTP cache). */
  files: number;
  /** Attestations verified by the executor. */
  attestationsVerified: number;
  /** Attestations whose verdict came from the results remembered on this machine. */
  attestationsRemembered: number;
}

export interface FileChecksOptions {
  /** GET a provenance URL through the index client. */
  fetchProvenance: (url: string) => Promise<ProvenanceAnswer>;
  store: ResultStore;
  /** The executor to verify on (made on first need, so an all-remembered run starts no worker). */
  executor: () => VerifyExecutor;
  trust: { json: unknown; scope: string };
  queue: VerificationQueue;
  /** Counters to add to (shared by the contexts of one server); a private object by default. */
  stats?: FileCheckStats;
  freshMs?: number;
  retryDelay?: { first: number; max: number };
  now?: () => number;
}

interface Memo {
  outcome: FileOutcome;
  checkedAt: number;
  /**
   * The provenance object the outcome is of, while the index client still holds it (a re-check of
   * the very object costs nothing). Weak: 400 of them held here were 4–5 MB of an idle server.
   */
  provenance?: WeakRef<object>;
  digest?: string;
  failures: number;
}

const weakly = (provenance: unknown): WeakRef<object> | undefined => (typeof provenance === 'object' && provenance !== null ? new WeakRef(provenance) : undefined);

export const DEFAULT_FRESH_MS = 60_000;
/** Files whose outcome is memoized at most (the least recently checked go first). */
export const MAX_MEMO_ENTRIES = 20_000;

export class FileChecks {
  readonly stats: FileCheckStats;
  private readonly memo = new Map<string, Memo>();
  private composer?: RememberingVerifier;
  private readonly now: () => number;
  private readonly freshMs: number;
  private readonly retryDelay: { first: number; max: number };

  constructor(private readonly options: FileChecksOptions) {
    this.stats = options.stats ?? { files: 0, attestationsVerified: 0, attestationsRemembered: 0 };
    this.now = options.now ?? Date.now;
    this.freshMs = options.freshMs ?? DEFAULT_FRESH_MS;
    this.retryDelay = options.retryDelay ?? { first: 30_000, max: 5 * 60_000 };
  }

  /** The memoized outcome, if still current; never starts work. */
  peek(target: VerificationTarget): FileOutcome | undefined {
    const memo = this.memo.get(fileKey(target));
    if (!memo) return undefined;
    const now = this.now();
    if (memo.outcome.retryAt !== undefined) return now < memo.outcome.retryAt ? memo.outcome : undefined;
    return now - memo.checkedAt < this.freshMs ? memo.outcome : undefined;
  }

  /**
   * The last outcome known for the file, however old (what a hover shows while it is checked
   * again); undefined when it was never checked.
   */
  last(target: VerificationTarget): FileOutcome | undefined {
    return this.memo.get(fileKey(target))?.outcome;
  }

  /** Rejects only with CancelledError (nobody wants the answer any more). */
  check(target: VerificationTarget, owner: QueueOwner, order: number): Promise<FileOutcome> {
    const current = this.peek(target);
    if (current) return Promise.resolve(current);
    const key = fileKey(target);
    return this.options.queue.track(`${this.options.trust.scope}|${key}`, owner, order, async (job) => {
      let outcome: FileOutcome;
      try {
        outcome = await this.run(target, key, job.cpu);
      } catch (error) {
        if (error instanceof CancelledError) throw error;
        outcome = { status: 'error', message: `verification failed internally (${error instanceof Error ? error.message : String(error)})` };
      }
      return this.remember(key, outcome);
    });
  }

  private async run(target: VerificationTarget, key: string, cpu: <R>(work: () => Promise<R>) => Promise<R>): Promise<FileOutcome> {
    if (target.provenanceUrl === undefined) return fromVerification(unattested());
    this.stats.files++;
    const answer = await this.options.fetchProvenance(target.provenanceUrl);
    if (answer.kind === 'none') return fromVerification(unattested());
    if (answer.kind === 'error') return fetchFailure(answer.error);

    const provenance: unknown = answer.provenance;
    const previous = this.memo.get(key);
    if (previous && previous.outcome.retryAt === undefined && previous.provenance !== undefined && previous.provenance.deref() === provenance) return previous.outcome;
    // The JSON text only when needed: a worker job, or a digest the attestation keys cannot give.
    let json: string | undefined;
    const jsonOf = () => (json ??= stableJson(provenance));
    const distribution: Distribution | undefined = target.sha256 !== undefined ? { filename: target.filename, sha256: target.sha256 } : undefined;
    const keyed = distribution !== undefined ? keyedAttestations(this.options.trust.scope, provenance, distribution) : [];
    const digest = (distribution !== undefined ? keyedProvenanceDigest(provenance, keyed) : undefined) ?? provenanceDigest(jsonOf());
    if (previous && previous.outcome.retryAt === undefined && previous.digest === digest) {
      previous.provenance = weakly(provenance);
      return previous.outcome;
    }
    if (distribution === undefined) {
      return {
        status: 'invalid',
        message: 'subject digest check failed: the index lists no sha256 for this file, so no attestation can be tied to it',
        verification: { status: 'invalid', check: 'subject-digest', message: 'subject digest check failed: the index lists no sha256 for this file', publisher: null, attestations: [] },
      };
    }
    const keys = keyed.map((entry) => entry.key);
    const known = await this.options.store.lookup(keys);
    let result: FileJobResult;
    if (keys.length > 0 && keys.every((k) => known.has(k))) {
      // Every verdict is remembered: composing them costs no cryptography, so no worker round trip.
      result = this.composerVerifier().verifyFile({ provenance, distribution, known: Object.fromEntries(known), keyed });
    } else {
      result = await cpu(() => this.options.executor().run({ provenanceJson: jsonOf(), distribution, known: Object.fromEntries(known) }));
    }
    this.stats.attestationsVerified += result.verified;
    this.stats.attestationsRemembered += known.size;
    await this.options.store.save(result.fresh.filter((entry) => entry.outcome.status === 'verified'));
    const outcome = fromVerification(result.verification);
    this.memoize(key, { outcome, checkedAt: this.now(), provenance: weakly(provenance), digest, failures: 0 });
    return outcome;
  }

  private remember(key: string, outcome: FileOutcome): FileOutcome {
    const previous = this.memo.get(key);
    if (outcome.status === 'error') {
      const failures = (previous?.outcome.status === 'error' ? previous.failures : 0) + 1;
      const delay = Math.min(this.retryDelay.first * 2 ** (failures - 1), this.retryDelay.max);
      const stored: FileOutcome = { ...outcome, retryAt: this.now() + delay };
      // An earlier good answer is kept for display; the error is what `peek` answers until the retry.
      this.memoize(key, { ...(previous ?? {}), outcome: stored, checkedAt: this.now(), failures });
      return stored;
    }
    const memo = this.memo.get(key);
    if (memo && memo.outcome === outcome) memo.checkedAt = this.now();
    else this.memoize(key, { outcome, checkedAt: this.now(), failures: 0 });
    return outcome;
  }

  private memoize(key: string, memo: Memo): void {
    this.memo.delete(key);
    this.memo.set(key, memo);
    if (this.memo.size > MAX_MEMO_ENTRIES) this.memo.delete(this.memo.keys().next().value as string);
  }

  private composerVerifier(): RememberingVerifier {
    return (this.composer ??= RememberingVerifier.forRoot(this.options.trust.json, this.options.trust.scope));
  }
}

export function fileKey(target: VerificationTarget): string {
  return JSON.stringify([target.provenanceUrl ?? null, target.filename, target.sha256?.toLowerCase() ?? null]);
}

function fromVerification(verification: FileVerification): FileOutcome {
  return { status: verification.status, verification, message: verification.message };
}

function fetchFailure(error: IndexError): FileOutcome {
  if (error.status === 403) {
    return {
      status: 'unattested',
      provenanceDisabled: true,
      message: 'the index answered HTTP 403 for the provenance: it has turned the provenance feature off, so nothing could be checked',
      verification: unattested(),
    };
  }
  return { status: 'error', message: `its provenance could not be fetched: ${error.message}${error.reason === 'offline' ? '' : WILL_RETRY}` };
}
