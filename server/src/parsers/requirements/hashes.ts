/** Reading the value of a `--hash=algorithm:hex` option. */

/**
 * Hex digest length of each algorithm pip's hashlib names (md5, sha1, sha224 are refused later, as
 * weak). A Map: the names are the document's, and `constructor` must not find Object's.
 */
export const DIGEST_LENGTHS: ReadonlyMap<string, number> = new Map([
  ['md5', 32],
  ['sha1', 40],
  ['sha224', 56],
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);

/** The algorithms pip accepts for `--hash` (pip's STRONG_HASHES). */
export const STRONG_ALGORITHMS: readonly string[] = ['sha256', 'sha384', 'sha512'];

export type HashValue =
  | { ok: true; algorithm: string; hex: string; warning?: string }
  | { ok: false; message: string };

export function readHashValue(value: string): HashValue {
  const colon = value.indexOf(':');
  if (colon < 0) return { ok: false, message: 'A --hash value must be algorithm:hex, like --hash=sha256:<64 hex digits>' };
  const written = value.slice(0, colon);
  const algorithm = written.toLowerCase();
  const hex = value.slice(colon + 1);
  const length = DIGEST_LENGTHS.get(algorithm);
  if (length === undefined) {
    return { ok: false, message: `Unknown hash algorithm "${truncate(written)}": pip accepts ${STRONG_ALGORITHMS.join(', ')}` };
  }
  if (!/^[0-9a-fA-F]*$/.test(hex)) return { ok: false, message: `The ${algorithm} digest must be hexadecimal` };
  if (hex.length !== length) {
    return { ok: false, message: `A ${algorithm} digest has ${length} hex digits, this one has ${hex.length}` };
  }
  const warning = written !== algorithm ? `pip only accepts the algorithm name in lower case ("${algorithm}")` : undefined;
  return { ok: true, algorithm, hex: hex.toLowerCase(), ...(warning ? { warning } : {}) };
}

function truncate(s: string): string {
  return s.length > 20 ? `${s.slice(0, 17)}…` : s;
}
