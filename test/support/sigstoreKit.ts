/**
 * A private Sigstore for tests: a test Fulcio (root + intermediate CA) issuing Fulcio-style leaf
 * certificates with the Sigstore OIDC claim extensions and an embedded SCT from a test CT log, a
 * test Rekor that logs dsse/0.0.1 entries in a Merkle tree with a signed checkpoint and a SET, a
 * trusted_root.json naming all of it, and DSSE-signed in-toto statements as PEP 740 attestations.
 * With `rekor: 'v2'` the entry goes to a test Rekor v2 log instead (dsse/0.0.2, Ed25519-signed
 * checkpoint, no SET, integrated time 0) and a test timestamp authority adds an RFC 3161 timestamp
 * over the signature, as the proposal for Rekor v2 in PEP 740 attestations carries them.
 *
 * Certificates are built with @peculiar/asn1-x509 and signed with node:crypto; the log side is
 * written from RFC 6962 here, independently of server/src/verify (the audit path is computed
 * with RFC 6962's recursive PATH, the verifier uses RFC 9162's iterative algorithm), so the two
 * check each other. Every stage has a hook so a test can break exactly one property and keep
 * every later signature consistent with the broken value.
 */
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import * as x509 from '@peculiar/asn1-x509';
import { KeyObject, createHash, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

export const OIDS = {
  codeSigning: '1.3.6.1.5.5.7.3.3',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  sctList: '1.3.6.1.4.1.11129.2.4.2',
  sigstore: (arc: number) => `1.3.6.1.4.1.57264.1.${arc}`,
} as const;

export const PUBLISH_V1 = 'https://docs.pypi.org/attestations/publish/v1';
export const SLSA_V1 = 'https://slsa.dev/provenance/v1';

export type KitIdentity =
  | { kind: 'GitHub'; repository: string; workflow: string; ref?: string | null; digest?: string | null; environment?: string | null }
  | { kind: 'GitLab'; repository: string; workflowFilepath: string; ref?: string | null; digest?: string | null; environment?: string | null }
  | { kind: 'Google'; email: string }
  | { kind: 'Email'; email: string; issuer: string };

export const DEFAULT_IDENTITY: KitIdentity = {
  kind: 'GitHub',
  repository: 'octo-org/octo-pkg',
  workflow: 'release.yml',
  ref: 'refs/tags/v1.0.0',
  digest: '0123456789abcdef0123456789abcdef01234567',
  environment: 'pypi',
};

export interface LeafOptions {
  identity?: KitIdentity;
  /** Replace claims by arc (1.3.6.1.4.1.57264.1.<arc>); `undefined` removes the claim. */
  claims?: Record<number, string | undefined>;
  /** Who signs the leaf: the trusted intermediate (default), or a CA outside the trusted root with the same name. */
  issuer?: 'intermediate' | 'rogue';
  /** KeyUsage flags (x509.KeyUsageFlags); null omits the extension. */
  keyUsage?: number | null;
  /** EKU OIDs; null omits the extension. */
  extKeyUsage?: string[] | null;
  basicConstraintsCA?: boolean;
  extraExtensions?: { oid: string; critical: boolean; value: Buffer }[];
  curve?: 'P-256' | 'P-384';
  /** Defaults to [integratedTime − 1 min, integratedTime + 9 min]. */
  validity?: { notBefore: Date; notAfter: Date };
  /** The embedded SCT: valid (default), absent, signed by a key outside the trusted root, or over other TBS bytes. */
  sct?: 'valid' | 'none' | 'unknown-log' | 'bad-signature' | 'wrong-tbs';
}

export interface KitLeaf {
  der: Buffer;
  privateKey: KeyObject;
  identity: KitIdentity;
}

export interface LogProof {
  logIndex: number;
  treeSize: number;
  rootHash: Buffer;
  hashes: Buffer[];
}

export interface AttestOptions {
  filename?: string;
  content?: Buffer;
  predicateType?: string;
  leaf?: LeafOptions;
  /** Sign with an already issued leaf (one certificate for several files, as pypi-attestations does). */
  certificate?: KitLeaf;
  /** Replace the in-toto statement object, or give its exact bytes. */
  statement?: Record<string, unknown>;
  statementBytes?: Buffer;
  /** `wrong-payload`: the signature is valid for other bytes (and the log records that signature). */
  signature?: 'valid' | 'wrong-payload';
  /** Edit the Rekor entry body before it is logged (the proof, checkpoint and SET follow it). */
  body?: (body: DsseBody) => void;
  /** The same for a Rekor v2 (dsse/0.0.2) body. */
  bodyV2?: (body: DsseV2Body) => void;
  /** Seconds since the epoch. */
  integratedTime?: number;
  /** Edit the inclusion proof before the checkpoint is signed over it. */
  proof?: (proof: LogProof) => void;
  checkpoint?: { key?: 'rekor' | 'other'; rootHash?: Buffer; treeSize?: number; omit?: boolean; unsigned?: boolean };
  /**
   * Log the entry in a split view: the log as it was before its latest entry, with this one in
   * that entry's place. Its signed checkpoint has the size of the latest honest one and another
   * root hash (what a log showing different clients different trees signs). The honest log does
   * not move.
   */
  splitView?: boolean;
  /**
   * Log the entry in a small tree of its own (11 entries, the entry at index 6), outside the
   * kit's log: for cases that need a leaf with right-hand siblings.
   */
  standaloneTree?: boolean;
  set?: { key?: 'rekor' | 'other'; omit?: boolean };
  /** Which log records the entry: Rekor v1 (default) or Rekor v2 with an RFC 3161 timestamp. */
  rekor?: 'v1' | 'v2';
  /**
   * The RFC 3161 timestamp (Rekor v2 only, unless `add`): signed by the trusted TSA (default) or
   * another key, over the signature (default) or other bytes, at `time` (seconds; default the
   * integrated time); `omit` leaves it out; `add` also puts one on a Rekor v1 attestation.
   */
  timestamp?: { omit?: boolean; add?: boolean; key?: 'tsa' | 'other'; over?: Buffer; time?: number };
  /** JSON-level edits after everything is signed. */
  entry?: (entry: Record<string, any>) => void;
  attestation?: (attestation: Record<string, any>) => void;
}

export interface DsseBody {
  apiVersion: string;
  kind: string;
  spec: {
    envelopeHash: { algorithm: string; value: string };
    payloadHash: { algorithm: string; value: string };
    signatures: { signature: string; verifier: string }[];
  };
}

/** Rekor v2's dsse/0.0.2 entry (protobuf JSON of rekor.v2.Entry). */
export interface DsseV2Body {
  apiVersion: string;
  kind: string;
  spec: {
    dsseV002: {
      payloadHash: { algorithm: string; digest: string };
      signatures: { content: string; verifier: { keyDetails: string; x509Certificate: { rawBytes: string } } }[];
    };
  };
}

export interface KitAttestation {
  attestation: Record<string, any>;
  distribution: { filename: string; sha256: string };
  /** The PEP 740 publisher object for the leaf's identity. */
  publisher: Record<string, unknown>;
  /** A provenance object holding just this attestation under `publisher`. */
  provenance: Record<string, any>;
  leaf: KitLeaf;
}

export interface SigstoreKit {
  trustedRoot: Record<string, any>;
  /** The default integrated time (seconds). */
  integratedTime: number;
  rekorLogId: Buffer;
  rekorV2LogId: Buffer;
  issueLeaf(options?: LeafOptions, integratedTime?: number): KitLeaf;
  attest(options?: AttestOptions): KitAttestation;
  /** The PEP 740 publisher object for an identity. */
  publisherFor(identity: KitIdentity): Record<string, unknown>;
}

const REKOR_URL = 'https://rekor.test.example';
const REKOR_ORIGIN = 'rekor.test.example - 2605736670972794746';
const REKOR_V2_ORIGIN = 'log2025-1.rekor.test.example';

interface CaKey {
  name: x509.Name;
  key: KeyObject;
  spki: Buffer;
  keyId: Buffer;
  der: Buffer;
}

export function createSigstoreKit(options: { integratedTime?: number } = {}): SigstoreKit {
  const integratedTime = options.integratedTime ?? Date.UTC(2024, 10, 6, 22, 37, 7) / 1000;
  const caValidity = { notBefore: new Date(Date.UTC(2022, 0, 1)), notAfter: new Date(Date.UTC(2031, 0, 1)) };
  const root = makeCa('test-root', null, caValidity, 1);
  const intermediate = makeCa('test-intermediate', root, caValidity, 0);
  const rogue = makeCa('test-intermediate', makeCa('rogue-root', null, caValidity, 1), caValidity, 0);
  const ctKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ctSpki = spkiOf(ctKey.publicKey);
  const ctLogId = sha256(ctSpki);
  const rekorKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const rekorSpki = spkiOf(rekorKey.publicKey);
  const rekorLogId = sha256(rekorSpki);
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // Rekor v2: an Ed25519 log whose ID is its signed-note key ID (the checkpoint's key hint).
  const rekorV2Key = generateKeyPairSync('ed25519');
  const rekorV2Spki = spkiOf(rekorV2Key.publicKey);
  const rekorV2LogId = sha256(Buffer.concat([Buffer.from(`${REKOR_V2_ORIGIN}\n\x01`, 'latin1'), rekorV2Spki.subarray(-32)]));
  // Append-only logs, as Rekor: every checkpoint of one size has one root (unless `splitView`).
  const rekorLog = new KitLog();
  const rekorV2Log = new KitLog();
  const tsaRoot = makeCa('test-tsa-root', null, caValidity, 0);
  const tsa = makeTsaLeaf(tsaRoot, caValidity);

  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: REKOR_URL,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: rekorSpki.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2021-01-01T00:00:00Z' } },
        logId: { keyId: rekorLogId.toString('base64') },
      },
      {
        baseUrl: `https://${REKOR_V2_ORIGIN}`,
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: rekorV2Spki.toString('base64'), keyDetails: 'PKIX_ED25519', validFor: { start: '2021-01-01T00:00:00Z' } },
        logId: { keyId: rekorV2LogId.toString('base64') },
      },
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'test', commonName: 'test-root' },
        uri: 'https://fulcio.test.example',
        certChain: { certificates: [{ rawBytes: intermediate.der.toString('base64') }, { rawBytes: root.der.toString('base64') }] },
        validFor: { start: '2022-01-01T00:00:00Z' },
      },
    ],
    ctlogs: [
      {
        baseUrl: 'https://ctfe.test.example',
        hashAlgorithm: 'SHA2_256',
        publicKey: { rawBytes: ctSpki.toString('base64'), keyDetails: 'PKIX_ECDSA_P256_SHA_256', validFor: { start: '2021-01-01T00:00:00Z' } },
        logId: { keyId: ctLogId.toString('base64') },
      },
    ],
    timestampAuthorities: [
      {
        subject: { organization: 'test', commonName: 'test-tsa' },
        uri: 'https://tsa.test.example',
        certChain: { certificates: [{ rawBytes: tsa.der.toString('base64') }, { rawBytes: tsaRoot.der.toString('base64') }] },
        validFor: { start: '2022-01-01T00:00:00Z' },
      },
    ],
  };

  function issueLeaf(leafOptions: LeafOptions = {}, time = integratedTime): KitLeaf {
    const identity = leafOptions.identity ?? DEFAULT_IDENTITY;
    const issuer = leafOptions.issuer === 'rogue' ? rogue : intermediate;
    const keys = generateKeyPairSync('ec', { namedCurve: leafOptions.curve ?? 'P-256' });
    const spki = spkiOf(keys.publicKey);
    const validity = leafOptions.validity ?? { notBefore: new Date((time - 60) * 1000), notAfter: new Date((time + 540) * 1000) };
    const extensions: x509.Extension[] = [];
    if (leafOptions.keyUsage !== null) extensions.push(extension('2.5.29.15', true, new x509.KeyUsage(leafOptions.keyUsage ?? x509.KeyUsageFlags.digitalSignature)));
    if (leafOptions.extKeyUsage !== null) extensions.push(extension('2.5.29.37', false, new x509.ExtendedKeyUsage(leafOptions.extKeyUsage ?? [OIDS.codeSigning])));
    if (leafOptions.basicConstraintsCA) extensions.push(extension('2.5.29.19', true, new x509.BasicConstraints({ cA: true })));
    extensions.push(extension('2.5.29.14', false, new x509.SubjectKeyIdentifier(sha256(spki).subarray(0, 20))));
    extensions.push(extension('2.5.29.35', false, new x509.AuthorityKeyIdentifier({ keyIdentifier: new x509.KeyIdentifier(issuer.keyId) })));
    extensions.push(extension('2.5.29.17', true, new x509.SubjectAlternativeName([sanOf(identity)])));
    const claims = { ...claimsOf(identity), ...(leafOptions.claims ?? {}) };
    for (const [arc, value] of Object.entries(claims).sort(([a], [b]) => Number(a) - Number(b))) {
      if (value === undefined) continue;
      const bytes = Number(arc) >= 8 ? tlv(0x0c, Buffer.from(value, 'utf8')) : Buffer.from(value, 'utf8');
      extensions.push(rawExtension(OIDS.sigstore(Number(arc)), false, bytes));
    }
    for (const extra of leafOptions.extraExtensions ?? []) extensions.push(rawExtension(extra.oid, extra.critical, extra.value));

    const serial = randomBytes(20);
    serial[0] &= 0x7f;
    const tbs = (exts: x509.Extension[]) =>
      new x509.TBSCertificate({
        version: x509.Version.v3,
        serialNumber: toArrayBuffer(serial),
        signature: new x509.AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.3' }),
        issuer: issuer.name,
        validity: new x509.Validity(validity),
        subject: new x509.Name([]),
        subjectPublicKeyInfo: AsnConvert.parse(spki, x509.SubjectPublicKeyInfo),
        extensions: new x509.Extensions(exts),
      });
    const sctMode = leafOptions.sct ?? 'valid';
    if (sctMode !== 'none') {
      // The precertificate TBS is the final TBS without the SCT extension (RFC 6962 §3.2).
      const precert = Buffer.from(AsnConvert.serialize(tbs(sctMode === 'wrong-tbs' ? extensions.slice(1) : extensions)));
      const sctTime = time * 1000 - 500;
      const signingKey = sctMode === 'unknown-log' || sctMode === 'bad-signature' ? otherKey.privateKey : ctKey.privateKey;
      const logId = sctMode === 'unknown-log' ? sha256(spkiOf(otherKey.publicKey)) : ctLogId;
      const signed = Buffer.concat([Buffer.from([0, 0]), uint(sctTime, 8), uint(1, 2), sha256(issuer.spki), uint(precert.length, 3), precert, uint(0, 2)]);
      const signature = sign('sha256', signed, signingKey);
      const sct = Buffer.concat([Buffer.from([0]), logId, uint(sctTime, 8), uint(0, 2), Buffer.from([4, 3]), uint(signature.length, 2), signature]);
      const list = Buffer.concat([uint(sct.length + 2, 2), uint(sct.length, 2), sct]);
      extensions.push(rawExtension(OIDS.sctList, false, tlv(0x04, list)));
    }
    const der = signCertificate(tbs(extensions), issuer.key, 'sha384');
    return { der, privateKey: keys.privateKey, identity };
  }

  function attest(attestOptions: AttestOptions = {}): KitAttestation {
    const time = attestOptions.integratedTime ?? integratedTime;
    const leaf = attestOptions.certificate ?? issueLeaf(attestOptions.leaf, time);
    const filename = attestOptions.filename ?? 'octo_pkg-1.0.0-py3-none-any.whl';
    const content = attestOptions.content ?? Buffer.from(`contents of ${filename}`);
    const digest = sha256(content).toString('hex');
    const statementObject = attestOptions.statement ?? {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: filename, digest: { sha256: digest } }],
      predicateType: attestOptions.predicateType ?? PUBLISH_V1,
      predicate: null,
    };
    const statement = attestOptions.statementBytes ?? Buffer.from(JSON.stringify(statementObject), 'utf8');
    const signedBytes = attestOptions.signature === 'wrong-payload' ? Buffer.concat([statement, Buffer.from(' ')]) : statement;
    const signature = sign('sha256', pae('application/vnd.in-toto+json', signedBytes), leaf.privateKey);

    const v2 = attestOptions.rekor === 'v2';
    const body: DsseBody | DsseV2Body = v2
      ? {
          apiVersion: '0.0.2',
          kind: 'dsse',
          spec: {
            dsseV002: {
              payloadHash: { algorithm: 'SHA2_256', digest: sha256(statement).toString('base64') },
              signatures: [{ content: signature.toString('base64'), verifier: { keyDetails: 'PKIX_ECDSA_P256_SHA_256', x509Certificate: { rawBytes: leaf.der.toString('base64') } } }],
            },
          },
        }
      : {
          apiVersion: '0.0.1',
          kind: 'dsse',
          spec: {
            envelopeHash: { algorithm: 'sha256', value: sha256(Buffer.from(JSON.stringify({ payload: statement.toString('base64'), signature: signature.toString('base64') }))).toString('hex') },
            payloadHash: { algorithm: 'sha256', value: sha256(statement).toString('hex') },
            signatures: [{ signature: signature.toString('base64'), verifier: Buffer.from(pemOf(leaf.der)).toString('base64') }],
          },
        };
    if (v2) attestOptions.bodyV2?.(body as DsseV2Body);
    else attestOptions.body?.(body as DsseBody);
    const canonicalizedBody = Buffer.from(canonicalJson(body), 'utf8');

    // The entry is appended to the log (one shard of Rekor), whose earlier entries are other people's.
    const leafHash = sha256(Buffer.concat([Buffer.from([0]), canonicalizedBody]));
    const proof: LogProof = attestOptions.standaloneTree ? standaloneProof(leafHash) : (v2 ? rekorV2Log : rekorLog).append(leafHash, attestOptions.splitView === true);
    attestOptions.proof?.(proof);
    const logIndex = v2 ? proof.logIndex : 5_000_000 + proof.logIndex;

    const cp = attestOptions.checkpoint ?? {};
    const origin = v2 ? REKOR_V2_ORIGIN : REKOR_ORIGIN;
    const note = `${origin}\n${cp.treeSize ?? proof.treeSize}\n${(cp.rootHash ?? proof.rootHash).toString('base64')}\n`;
    const checkpointSignature = v2
      ? Buffer.concat([rekorV2LogId.subarray(0, 4), sign(null, Buffer.from(note), cp.key === 'other' ? generateKeyPairSync('ed25519').privateKey : rekorV2Key.privateKey)])
      : Buffer.concat([rekorLogId.subarray(0, 4), sign('sha256', Buffer.from(note), cp.key === 'other' ? otherKey.privateKey : rekorKey.privateKey)]);
    const signerName = v2 ? REKOR_V2_ORIGIN : 'rekor.test.example';
    const envelope = cp.unsigned ? `${note}\n` : `${note}\n\u2014 ${signerName} ${checkpointSignature.toString('base64')}\n`;

    const logId = v2 ? rekorV2LogId : rekorLogId;
    const entry: Record<string, any> = {
      logIndex: String(logIndex),
      logId: { keyId: logId.toString('base64') },
      kindVersion: { kind: 'dsse', version: v2 ? '0.0.2' : '0.0.1' },
      integratedTime: v2 ? '0' : String(time),
      inclusionProof: {
        logIndex: String(proof.logIndex),
        rootHash: proof.rootHash.toString('base64'),
        treeSize: String(proof.treeSize),
        hashes: proof.hashes.map((hash) => hash.toString('base64')),
        checkpoint: { envelope },
      },
      canonicalizedBody: canonicalizedBody.toString('base64'),
    };
    if (!v2 && !attestOptions.set?.omit) {
      const setPayload = canonicalJson({ body: canonicalizedBody.toString('base64'), integratedTime: time, logID: rekorLogId.toString('hex'), logIndex });
      const setKey = attestOptions.set?.key === 'other' ? otherKey.privateKey : rekorKey.privateKey;
      entry.inclusionPromise = { signedEntryTimestamp: sign('sha256', Buffer.from(setPayload), setKey).toString('base64') };
    }
    if (cp.omit) delete entry.inclusionProof.checkpoint;
    attestOptions.entry?.(entry);

    const stamp = attestOptions.timestamp ?? {};
    const timestamps = (v2 || stamp.add) && !stamp.omit
      ? [timestampResponse(tsa, stamp.over ?? signature, (stamp.time ?? time) * 1000, stamp.key === 'other' ? otherKey.privateKey : tsa.key).toString('base64')]
      : undefined;

    const attestation: Record<string, any> = {
      version: 1,
      verification_material: { certificate: leaf.der.toString('base64'), transparency_entries: [entry], ...(timestamps ? { timestamps } : {}) },
      envelope: { statement: statement.toString('base64'), signature: signature.toString('base64') },
    };
    attestOptions.attestation?.(attestation);
    const publisher = publisherFor(leaf.identity);
    return {
      attestation,
      distribution: { filename, sha256: digest },
      publisher,
      provenance: { version: 1, attestation_bundles: [{ publisher, attestations: [attestation] }] },
      leaf,
    };
  }

  return { trustedRoot, integratedTime, rekorLogId, rekorV2LogId, issueLeaf, attest, publisherFor };
}

export function publisherFor(identity: KitIdentity): Record<string, unknown> {
  switch (identity.kind) {
    case 'GitHub':
      return { kind: 'GitHub', repository: identity.repository, workflow: identity.workflow, environment: identity.environment ?? null };
    case 'GitLab':
      return { kind: 'GitLab', repository: identity.repository, workflow_filepath: identity.workflowFilepath, environment: identity.environment ?? null };
    case 'Google':
      return { kind: 'Google', email: identity.email };
    case 'Email':
      return { kind: 'Email', email: identity.email };
  }
}

/** Fulcio's claims for an identity, by arc (fulcio docs/oid-info.md). */
function claimsOf(identity: KitIdentity): Record<number, string | undefined> {
  switch (identity.kind) {
    case 'GitHub':
    case 'GitLab': {
      const host = identity.kind === 'GitHub' ? 'https://github.com' : 'https://gitlab.com';
      const issuer = identity.kind === 'GitHub' ? 'https://token.actions.githubusercontent.com' : 'https://gitlab.com';
      const path = identity.kind === 'GitHub' ? `/.github/workflows/${identity.workflow}` : `//${identity.workflowFilepath}`;
      const at = identity.ref ?? identity.digest ?? 'unknown';
      const workflowUri = `${host}/${identity.repository}${path}@${at}`;
      return {
        1: issuer,
        8: issuer,
        9: workflowUri,
        10: identity.digest ?? undefined,
        11: identity.kind === 'GitHub' ? 'github-hosted' : 'gitlab-hosted',
        12: `${host}/${identity.repository}`,
        13: identity.digest ?? undefined,
        14: identity.ref ?? undefined,
        18: workflowUri,
        20: 'push',
        21: `${host}/${identity.repository}/actions/runs/42/attempts/1`,
        22: 'public',
      };
    }
    case 'Google':
      return { 1: 'https://accounts.google.com', 8: 'https://accounts.google.com' };
    case 'Email':
      return { 1: identity.issuer, 8: identity.issuer };
  }
}

function sanOf(identity: KitIdentity): x509.GeneralName {
  if (identity.kind === 'Google' || identity.kind === 'Email') return new x509.GeneralName({ rfc822Name: identity.email });
  return new x509.GeneralName({ uniformResourceIdentifier: claimsOf(identity)[9] });
}

interface TsaLeaf {
  key: KeyObject;
  der: Buffer;
  /** DER of the issuer Name and the serial INTEGER's content, as the signer identifier names them. */
  issuer: Buffer;
  serial: Buffer;
}

/** A timestamping leaf: EKU timeStamping (critical, as RFC 3161 requires), signed by `root`. */
function makeTsaLeaf(root: CaKey, validity: { notBefore: Date; notAfter: Date }): TsaLeaf {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = spkiOf(keys.publicKey);
  const serial = Buffer.from([0x01, ...randomBytes(8)]);
  const name = new x509.Name([new x509.RelativeDistinguishedName([new x509.AttributeTypeAndValue({ type: '2.5.4.3', value: new x509.AttributeValue({ printableString: 'test-tsa' }) })])]);
  const tbs = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: toArrayBuffer(serial),
    signature: new x509.AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.3' }),
    issuer: root.name,
    validity: new x509.Validity(validity),
    subject: name,
    subjectPublicKeyInfo: AsnConvert.parse(spki, x509.SubjectPublicKeyInfo),
    extensions: new x509.Extensions([
      extension('2.5.29.15', true, new x509.KeyUsage(x509.KeyUsageFlags.digitalSignature)),
      extension('2.5.29.37', true, new x509.ExtendedKeyUsage([OIDS.timeStamping])),
      extension('2.5.29.35', false, new x509.AuthorityKeyIdentifier({ keyIdentifier: new x509.KeyIdentifier(root.keyId) })),
    ]),
  });
  const der = signCertificate(tbs, root.key, 'sha384');
  return { key: keys.privateKey, der, issuer: Buffer.from(AsnConvert.serialize(root.name)), serial };
}

/**
 * An RFC 3161 TimeStampResp (status granted, a CMS SignedData over a TSTInfo whose message
 * imprint is SHA-256(`data`), signed attributes content type and message digest, ECDSA-SHA256),
 * encoded by hand from RFC 3161 §2.4.2 and RFC 5652 §5 with the DER helpers below.
 */
function timestampResponse(tsa: TsaLeaf, data: Buffer, timeMs: number, key: KeyObject): Buffer {
  const SHA256 = seq(oid('2.16.840.1.101.3.4.2.1'));
  const tstInfo = seq(
    tlv(0x02, Buffer.from([1])),
    oid('1.3.6.1.4.1.57264.2'),
    seq(SHA256, tlv(0x04, sha256(data))),
    tlv(0x02, Buffer.from([0x01, ...randomBytes(7)])),
    tlv(0x18, Buffer.from(generalizedTime(timeMs), 'ascii')),
  );
  const attributes = [
    seq(oid('1.2.840.113549.1.9.3'), tlv(0x31, oid('1.2.840.113549.1.9.16.1.4'))),
    seq(oid('1.2.840.113549.1.9.4'), tlv(0x31, tlv(0x04, sha256(tstInfo)))),
  ];
  const signature = sign('sha256', tlv(0x31, Buffer.concat(attributes)), key);
  const signerInfo = seq(
    tlv(0x02, Buffer.from([1])),
    seq(tsa.issuer, tlv(0x02, tsa.serial)),
    SHA256,
    tlv(0xa0, Buffer.concat(attributes)),
    seq(oid('1.2.840.10045.4.3.2')),
    tlv(0x04, signature),
  );
  const signedData = seq(
    tlv(0x02, Buffer.from([3])),
    tlv(0x31, SHA256),
    seq(oid('1.2.840.113549.1.9.16.1.4'), tlv(0xa0, tlv(0x04, tstInfo))),
    tlv(0x31, signerInfo),
  );
  return seq(seq(tlv(0x02, Buffer.from([0]))), seq(oid('1.2.840.113549.1.7.2'), tlv(0xa0, signedData)));
}

function seq(...items: Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let rest7 = Math.floor(arc / 128); rest7 > 0; rest7 = Math.floor(rest7 / 128)) chunk.unshift(0x80 | (rest7 & 0x7f));
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function generalizedTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

function makeCa(commonName: string, parent: CaKey | null, validity: { notBefore: Date; notAfter: Date }, pathLength: number): CaKey {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const spki = spkiOf(keys.publicKey);
  const keyId = sha256(spki).subarray(0, 20);
  const name = new x509.Name([
    new x509.RelativeDistinguishedName([new x509.AttributeTypeAndValue({ type: '2.5.4.10', value: new x509.AttributeValue({ printableString: 'test' }) })]),
    new x509.RelativeDistinguishedName([new x509.AttributeTypeAndValue({ type: '2.5.4.3', value: new x509.AttributeValue({ printableString: commonName }) })]),
  ]);
  const extensions = [
    extension('2.5.29.15', true, new x509.KeyUsage(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign)),
    extension('2.5.29.19', true, new x509.BasicConstraints({ cA: true, pathLenConstraint: pathLength })),
    extension('2.5.29.14', false, new x509.SubjectKeyIdentifier(keyId)),
  ];
  if (parent) extensions.push(extension('2.5.29.35', false, new x509.AuthorityKeyIdentifier({ keyIdentifier: new x509.KeyIdentifier(parent.keyId) })));
  const tbs = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: toArrayBuffer(Buffer.from([1, ...randomBytes(8)])),
    signature: new x509.AlgorithmIdentifier({ algorithm: '1.2.840.10045.4.3.3' }),
    issuer: parent ? parent.name : name,
    validity: new x509.Validity(validity),
    subject: name,
    subjectPublicKeyInfo: AsnConvert.parse(spki, x509.SubjectPublicKeyInfo),
    extensions: new x509.Extensions(extensions),
  });
  const der = signCertificate(tbs, parent ? parent.key : keys.privateKey, 'sha384');
  return { name, key: keys.privateKey, spki, keyId, der };
}

function signCertificate(tbs: x509.TBSCertificate, key: KeyObject, digest: 'sha256' | 'sha384'): Buffer {
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = sign(digest, tbsDer, key);
  const certificate = new x509.Certificate({ tbsCertificate: tbs, signatureAlgorithm: tbs.signature, signatureValue: toArrayBuffer(signature) });
  return Buffer.from(AsnConvert.serialize(certificate));
}

function extension(oid: string, critical: boolean, value: object): x509.Extension {
  return rawExtension(oid, critical, Buffer.from(AsnConvert.serialize(value)));
}

function rawExtension(oid: string, critical: boolean, value: Buffer): x509.Extension {
  return new x509.Extension({ extnID: oid, critical, extnValue: new OctetString(toArrayBuffer(value)) });
}

/** A tree of 11 entries with the leaf at index 6, the others random. */
function standaloneProof(leafHash: Buffer): LogProof {
  const leafIndex = 6;
  const hashes = Array.from({ length: 11 }, (_, i) => (i === leafIndex ? leafHash : sha256(Buffer.concat([Buffer.from([0]), randomBytes(40)]))));
  return { logIndex: leafIndex, treeSize: hashes.length, rootHash: merkleRoot(hashes), hashes: auditPath(leafIndex, hashes) };
}

/**
 * An append-only RFC 6962 Merkle log kept as its frontier: the roots of its perfect subtrees,
 * largest first. The newest leaf's inclusion proof is that frontier (smallest first) and the root
 * folds it in, so an append costs O(log n). It starts with a thousand entries of others.
 */
class KitLog {
  private frontier: { hash: Buffer; size: number }[] = [];
  /** The frontier before the latest append (what a split view branches from). */
  private before: { hash: Buffer; size: number }[] = [];

  constructor(prefix = 1000) {
    for (let i = 0; i < prefix; i++) this.append(sha256(Buffer.concat([Buffer.from([0]), randomBytes(40)])), false);
  }

  append(leafHash: Buffer, splitView: boolean): LogProof {
    const base = splitView ? this.before : this.frontier;
    const index = base.reduce((sum, node) => sum + node.size, 0);
    const hashes = [...base].reverse().map((node) => node.hash);
    const rootHash = hashes.reduce((hash, sibling) => nodeHash(sibling, hash), leafHash);
    if (!splitView) {
      this.before = this.frontier;
      const next = [...this.frontier, { hash: leafHash, size: 1 }];
      while (next.length > 1 && next[next.length - 1].size === next[next.length - 2].size) {
        const right = next.pop()!;
        const left = next.pop()!;
        next.push({ hash: nodeHash(left.hash, right.hash), size: left.size * 2 });
      }
      this.frontier = next;
    }
    return { logIndex: index, treeSize: index + 1, rootHash, hashes };
  }
}

/** RFC 6962 §2.1: MTH over leaf hashes. */
export function merkleRoot(hashes: Buffer[]): Buffer {
  if (hashes.length === 1) return hashes[0];
  const k = largestPowerOfTwoBelow(hashes.length);
  return nodeHash(merkleRoot(hashes.slice(0, k)), merkleRoot(hashes.slice(k)));
}

/** RFC 6962 §2.1.1: PATH(m, D[n]). */
export function auditPath(m: number, hashes: Buffer[]): Buffer[] {
  if (hashes.length <= 1) return [];
  const k = largestPowerOfTwoBelow(hashes.length);
  if (m < k) return [...auditPath(m, hashes.slice(0, k)), merkleRoot(hashes.slice(k))];
  return [...auditPath(m - k, hashes.slice(k)), merkleRoot(hashes.slice(0, k))];
}

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(Buffer.concat([Buffer.from([1]), left, right]));
}

export function pae(payloadType: string, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(payloadType)} ${payloadType} ${payload.length} `), payload]);
}

export function pemOf(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** JSON with object keys sorted, no whitespace (RFC 8785 for the values used here). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function spkiOf(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' });
}

function uint(value: number, size: number): Buffer {
  const buf = Buffer.alloc(size);
  let rest = value;
  for (let i = size - 1; i >= 0; i--) {
    buf[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return buf;
}

function tlv(tag: number, content: Buffer): Buffer {
  let length: Buffer;
  if (content.length < 0x80) length = Buffer.from([content.length]);
  else {
    const bytes: number[] = [];
    for (let rest = content.length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}
