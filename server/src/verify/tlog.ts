/**
 * Transparency log evidence for one entry: for Rekor v1 (dsse/0.0.1) the signed entry timestamp
 * (SET), the RFC 6962 Merkle inclusion proof, the signed checkpoint it ends in, and the entry body
 * against the envelope and certificate actually being verified. Rekor v2 (dsse/0.0.2) has no SET
 * and no integrated time: the log key must be valid at the time an RFC 3161 timestamp vouches for
 * (checked by the caller), and the proof, checkpoint and body are checked the same way.
 *
 * Same checks as sigstore-python's `_verify_tlog_entries`/`_validate_dsse_v001_entry_body` and
 * @sigstore/verify's tlog module, with two additions from sigstore-python: the checkpoint's root
 * hash and size must equal the proof's, and the body's verifier certificate must be the signing
 * certificate. Both SET and inclusion proof are required (PyPI requires the proof).
 */
import { createHash, verify as cryptoVerify } from 'node:crypto';
import { ENTRY_VERSIONS, type TransparencyEntry } from './attestation';
import { fail, within } from './checks';
import { pemToDer } from './certificate';
import type { LogKey, TrustMaterial } from './trustMaterial';

export interface VerifiedLogEntry {
  log: LogKey;
  logIndex: number;
  /** Seconds since the epoch: Rekor v1's integrated time, or the timestamp's for Rekor v2. */
  integratedTime: number;
  /** The signed checkpoint the inclusion proof ends in, verified with the log's key. */
  checkpoint: VerifiedCheckpoint;
}

/** What a verified checkpoint (signed note) commits the log to: its tree of `treeSize` entries has `rootHash`. */
export interface VerifiedCheckpoint {
  /** The note's first line, e.g. `rekor.sigstore.dev - 1193050959916656506` (the log and its shard). */
  origin: string;
  treeSize: number;
  /** Lowercase hex SHA-256. */
  rootHash: string;
}

/**
 * Runs every log check for `entry`; throws CheckFailure naming the first that fails.
 * `timestampedAt` (ms) is the signed time of a Rekor v2 entry, which has none of its own.
 */
export function verifyLogEntry(entry: TransparencyEntry, trust: TrustMaterial, statement: Buffer, signature: Buffer, certificate: Buffer, timestampedAt?: number): VerifiedLogEntry {
  const rekorV2 = entry.version === ENTRY_VERSIONS.rekorV2;
  if (rekorV2 && timestampedAt === undefined) fail('timestamp', 'a Rekor v2 entry has no time of its own and the attestation carries no RFC 3161 timestamp');
  const time = rekorV2 ? (timestampedAt as number) : entry.integratedTime * 1000;
  const logs = trust.tlogsFor(entry.logId, time);
  if (logs.length === 0) {
    const known = trust.tlogs.some((log) => log.logId.equals(entry.logId));
    const unusable = trust.unusableLog(entry.logId);
    const logName = entry.logId.toString('base64');
    if (known) fail('transparency-log', `the log's key was not valid at the ${rekorV2 ? 'timestamp\'s time' : 'integrated time'}`);
    fail('transparency-log', unusable ? `the trusted root's entry for log ${logName} cannot be used: ${unusable}` : `log ${logName} is not in the trusted root`);
  }
  const log = rekorV2 ? logs[0] : verifySet(entry, logs);
  const checkpoint = verifyInclusion(entry, log);
  if (rekorV2) verifyBodyV2(entry, statement, signature, certificate);
  else verifyBody(entry, statement, signature, certificate);
  return { log, logIndex: entry.logIndex, integratedTime: Math.floor(time / 1000), checkpoint };
}

function verifySet(entry: TransparencyEntry, logs: LogKey[]): LogKey {
  if (!entry.signedEntryTimestamp) fail('set', 'the entry has no inclusion promise');
  // Rekor signs the canonical JSON (keys sorted, no spaces) of these four fields.
  const payload = Buffer.from(
    `{"body":"${entry.canonicalizedBody.toString('base64')}","integratedTime":${entry.integratedTime},"logID":"${entry.logId.toString('hex')}","logIndex":${entry.logIndex}}`,
    'utf8',
  );
  const log = logs.find((candidate) => verifySignature(candidate, payload, entry.signedEntryTimestamp as Buffer));
  if (!log) fail('set', 'the signed entry timestamp does not verify with the log\'s key');
  return log;
}

function verifyInclusion(entry: TransparencyEntry, log: LogKey): VerifiedCheckpoint {
  const proof = entry.inclusionProof;
  if (!proof) fail('inclusion-proof', 'the entry has no inclusion proof');
  if (proof.rootHash.length !== 32 || proof.hashes.some((hash) => hash.length !== 32)) fail('inclusion-proof', 'proof hashes must be SHA-256 digests');
  const leaf = hashLeaf(entry.canonicalizedBody);
  const root = rootFromInclusionProof(proof.logIndex, proof.treeSize, leaf, proof.hashes);
  if (!root.equals(proof.rootHash)) fail('inclusion-proof', 'the calculated root hash does not match the proof\'s root hash');
  if (!proof.checkpoint) fail('checkpoint', 'the inclusion proof has no checkpoint');
  return verifyCheckpoint(proof.checkpoint, log, proof.treeSize, proof.rootHash);
}

/**
 * Verifies a signed note (https://github.com/transparency-dev/formats/blob/main/log/README.md):
 * "origin\nsize\nbase64(root)\n[extensions]\n\n— name base64(keyhint||sig)\n…". One signature
 * whose 4-byte key hint matches the log ID must verify over the note text; the note's size and
 * root must be the proof's. Returns what the note commits the log to.
 */
export function verifyCheckpoint(envelope: string, log: LogKey, treeSize: number, rootHash: Buffer): VerifiedCheckpoint {
  return within('checkpoint', (): VerifiedCheckpoint => {
    const split = envelope.indexOf('\n\n');
    if (split < 0) fail('checkpoint', 'the checkpoint has no signature block');
    const note = envelope.slice(0, split + 1);
    const lines = note.slice(0, -1).split('\n');
    if (lines.length < 3 || lines[0].length === 0) fail('checkpoint', 'the checkpoint body needs an origin, a size and a root hash');
    if (!/^\d{1,16}$/.test(lines[1]) || Number(lines[1]) !== treeSize) fail('checkpoint', 'the checkpoint\'s tree size differs from the inclusion proof\'s');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(lines[2]) || !Buffer.from(lines[2], 'base64').equals(rootHash)) {
      fail('checkpoint', 'the checkpoint\'s root hash differs from the inclusion proof\'s');
    }
    const data = Buffer.from(note, 'utf8');
    const keyHint = log.logId.subarray(0, 4);
    let sawSignature = false;
    for (const match of envelope.slice(split + 2).matchAll(/^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/gm)) {
      sawSignature = true;
      const bytes = Buffer.from(match[2], 'base64');
      if (bytes.length > 4 && bytes.subarray(0, 4).equals(keyHint) && verifySignature(log, data, bytes.subarray(4))) {
        return { origin: lines[0], treeSize, rootHash: rootHash.toString('hex') };
      }
    }
    return fail('checkpoint', sawSignature ? 'no checkpoint signature verifies with the log\'s key' : 'the checkpoint is not signed');
  });
}

/**
 * The Merkle tree root implied by an inclusion proof (RFC 9162 §2.1.3.2). Numbers rather than
 * BigInt: Rekor indices are far below 2^53, and the arithmetic below stays exact there.
 */
export function rootFromInclusionProof(index: number, size: number, leafHash: Buffer, proof: Buffer[]): Buffer {
  if (!(index >= 0 && index < size)) fail('inclusion-proof', `log index ${index} is outside the tree of size ${size}`);
  let fn = index;
  let sn = size - 1;
  let hash = leafHash;
  for (const sibling of proof) {
    if (sn === 0) fail('inclusion-proof', 'the inclusion proof has too many hashes');
    if (fn % 2 === 1 || fn === sn) {
      hash = hashChildren(sibling, hash);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      hash = hashChildren(hash, sibling);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) fail('inclusion-proof', 'the inclusion proof has too few hashes');
  return hash;
}

export function hashLeaf(leaf: Buffer): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(leaf).digest();
}

function hashChildren(left: Buffer, right: Buffer): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/**
 * The dsse/0.0.1 body must describe this envelope: payload hash = SHA-256(statement), exactly one
 * signature equal to the envelope's, whose verifier is the signing certificate (PEM).
 */
function verifyBody(entry: TransparencyEntry, statement: Buffer, signature: Buffer, certificate: Buffer): void {
  const body = within('tlog-body', () => JSON.parse(entry.canonicalizedBody.toString('utf8')) as unknown);
  if (!isObject(body) || body.kind !== entry.kind || body.apiVersion !== entry.version) {
    fail('tlog-body', `the body is not a ${entry.kind}/${entry.version} entry`);
  }
  const spec = isObject(body.spec) ? body.spec : fail('tlog-body', 'the body has no spec');
  const payloadHash = isObject(spec.payloadHash) ? spec.payloadHash : fail('tlog-body', 'the body has no payload hash');
  if (payloadHash.algorithm !== 'sha256') fail('tlog-body', 'the body\'s payload hash is not SHA-256');
  const expected = createHash('sha256').update(statement).digest('hex');
  if (typeof payloadHash.value !== 'string' || payloadHash.value.toLowerCase() !== expected) fail('tlog-body', 'the body\'s payload hash does not match the statement');
  const signatures = Array.isArray(spec.signatures) ? spec.signatures : [];
  if (signatures.length !== 1 || !isObject(signatures[0])) fail('tlog-body', `expected exactly one signature in the body, found ${signatures.length}`);
  const logged = signatures[0] as Record<string, unknown>;
  if (typeof logged.signature !== 'string' || !Buffer.from(logged.signature, 'base64').equals(signature)) {
    fail('tlog-body', 'the body\'s signature differs from the envelope\'s');
  }
  const verifier = typeof logged.verifier === 'string' ? pemToDer(Buffer.from(logged.verifier, 'base64').toString('utf8')) : [];
  if (verifier.length !== 1) fail('tlog-certificate', 'the body\'s verifier is not one PEM certificate');
  if (!verifier[0].equals(certificate)) fail('tlog-certificate', 'the certificate in the log entry is not the signing certificate');
}

/**
 * The dsse/0.0.2 body (protobuf JSON of rekor.v2.Entry, `spec.dsseV002`) must describe this
 * envelope: payload hash SHA2_256 = SHA-256(statement), exactly one signature equal to the
 * envelope's, whose verifier is the signing certificate (DER).
 */
function verifyBodyV2(entry: TransparencyEntry, statement: Buffer, signature: Buffer, certificate: Buffer): void {
  const body = within('tlog-body', () => JSON.parse(entry.canonicalizedBody.toString('utf8')) as unknown);
  if (!isObject(body) || body.kind !== entry.kind || body.apiVersion !== entry.version) fail('tlog-body', `the body is not a ${entry.kind}/${entry.version} entry`);
  const spec = isObject(body.spec) && isObject(body.spec.dsseV002) ? body.spec.dsseV002 : fail('tlog-body', 'the body has no dsseV002 spec');
  const payloadHash = isObject(spec.payloadHash) ? spec.payloadHash : fail('tlog-body', 'the body has no payload hash');
  if (payloadHash.algorithm !== 'SHA2_256') fail('tlog-body', 'the body\'s payload hash is not SHA-256');
  const expected = createHash('sha256').update(statement).digest();
  if (typeof payloadHash.digest !== 'string' || !Buffer.from(payloadHash.digest, 'base64').equals(expected)) fail('tlog-body', 'the body\'s payload hash does not match the statement');
  const signatures = Array.isArray(spec.signatures) ? spec.signatures : [];
  if (signatures.length !== 1 || !isObject(signatures[0])) fail('tlog-body', `expected exactly one signature in the body, found ${signatures.length}`);
  const logged = signatures[0] as Record<string, unknown>;
  if (typeof logged.content !== 'string' || !Buffer.from(logged.content, 'base64').equals(signature)) fail('tlog-body', 'the body\'s signature differs from the envelope\'s');
  const verifier = isObject(logged.verifier) && isObject(logged.verifier.x509Certificate) ? logged.verifier.x509Certificate.rawBytes : undefined;
  if (typeof verifier !== 'string') fail('tlog-certificate', 'the body\'s verifier is not an X.509 certificate');
  if (!Buffer.from(verifier, 'base64').equals(certificate)) fail('tlog-certificate', 'the certificate in the log entry is not the signing certificate');
}

function verifySignature(log: LogKey, data: Buffer, signature: Buffer): boolean {
  try {
    return cryptoVerify(log.digest, data, log.publicKey, signature);
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
