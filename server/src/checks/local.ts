/**
 * The findings that need nothing but the document: its parse problems, `unpinned`,
 * `missing-hashes` (pip's hash-checking mode) and `weak-hash`. Same rules for all three formats.
 *
 * Decisions:
 * - `unpinned` also goes to URL, path and editable requirements (and pylock packages without a
 *   version): their files do not come from the index, so their provenance cannot be verified
 *   either; the message says which case it is.
 * - Hash-checking mode is pip's, so only requirements files have it. It is on when the file
 *   says `--require-hashes` or any requirement has a `--hash` (pip decides this over the whole
 *   install, including `-r` files; a document is judged on its own), unless the file says
 *   `--no-require-hashes`, which keeps hashes from turning it on. Then every requirement with
 *   no hash gets `missing-hashes`, with the reason pip would give: editables and VCS URLs cannot be
 *   hashed at all, local directories neither. A URL whose fragment carries `#sha256=…` counts as
 *   hashed, as pip counts it.
 * - pip also refuses, in hash-checking mode, a requirement from the index that is not pinned
 *   with `==`/`===` even when it has hashes; that one's `unpinned` message says so.
 */
import { isDiagnosticCode } from '../core/codes';
import type { Finding } from '../core/finding';
import type { Dependency, HashPin, ParsedDocument } from '../core/model';

/** Algorithms pip refuses for `--hash`. */
export const WEAK_ALGORITHMS: ReadonlySet<string> = new Set(['md5', 'sha1', 'sha224']);

export function localFindings(doc: ParsedDocument): Finding[] {
  const findings: Finding[] = [];
  for (const problem of doc.problems) {
    const finding: Finding = { code: isDiagnosticCode(problem.code) ? problem.code : 'syntax', message: problem.message, range: problem.range };
    if (problem.defaultSeverity !== undefined) finding.defaultSeverity = problem.defaultSeverity;
    findings.push(finding);
  }
  // `--no-require-hashes` (pip 26) keeps a --hash from turning the mode on; --require-hashes still does.
  const implied = !Object.prototype.hasOwnProperty.call(doc.options.other, 'no-require-hashes') && doc.dependencies.some((d) => d.hashes.length > 0);
  const hashMode = doc.format === 'requirements' && (doc.options.requireHashes || implied);
  const hashModeReason = doc.options.requireHashes ? '--require-hashes is given' : 'some requirement in this file has --hash';

  doc.dependencies.forEach((dep, index) => {
    const unpinned = unpinnedMessage(dep, hashMode);
    if (unpinned) findings.push({ code: 'unpinned', message: unpinned, range: dep.ranges.requirement, dependency: index });
    if (hashMode && dep.hashes.length === 0 && !urlFragmentHash(dep.url)) {
      findings.push({ code: 'missing-hashes', message: missingHashMessage(dep, hashModeReason), range: dep.ranges.requirement, dependency: index });
    }
    for (const hash of allHashes(dep)) {
      if (WEAK_ALGORITHMS.has(hash.algorithm)) {
        findings.push({
          code: 'weak-hash',
          message: `Weak hash: pip refuses ${hash.algorithm} hashes; use sha256 (or sha384, sha512)`,
          range: hash.range,
          dependency: index,
        });
      }
    }
  });
  return findings;
}

function label(dep: Dependency): string {
  return dep.rawName || dep.url || 'this requirement';
}

function unpinnedMessage(dep: Dependency, hashMode: boolean): string | undefined {
  if (dep.pinnedVersion !== undefined) return undefined;
  // The lock beside a pyproject.toml was read and could not give a version: say why.
  if (dep.lock?.message !== undefined) return dep.lock.message;
  if (dep.editable) return `${label(dep)} is an editable project, not a release on the index: its files cannot be verified`;
  if (dep.url !== undefined) return `${label(dep)} comes from a URL or path, not from the index: its files cannot be verified`;
  const base = `${label(dep)} is not pinned to one exact version (==X or ===X): its files cannot be verified`;
  if (hashMode && dep.hashes.length > 0) return `${base}; pip's hash-checking mode also refuses it until it is pinned with ==`;
  return base;
}

function missingHashMessage(dep: Dependency, reason: string): string {
  const name = label(dep);
  const prefix = `Hash-checking mode is on (${reason}), but`;
  if (dep.editable) return `${prefix} ${name} is editable: pip cannot install editable requirements in this mode, there is no single file to hash`;
  if (dep.url !== undefined && /^(git|hg|svn|bzr)[+:]/i.test(dep.url)) {
    return `${prefix} ${name} is a version-control URL, which pip cannot hash`;
  }
  if (dep.url !== undefined && !/^[a-z][a-z0-9+.-]+:/i.test(dep.url) && !ARCHIVE.test(dep.url)) {
    return `${prefix} ${name} is a local directory, which pip cannot hash`;
  }
  if (dep.url !== undefined) return `${prefix} ${name} has no --hash (or #sha256= in its URL)`;
  if (dep.pinnedVersion === undefined) return `${prefix} ${name} has no --hash, and pip also needs it pinned with ==`;
  return `${prefix} ${name} has no --hash`;
}

const ARCHIVE = /\.(whl|zip|tar\.gz|tgz|tar|tar\.bz2|tbz|tar\.xz|txz|tlz|tar\.lz|tar\.lzma)$/i;

function allHashes(dep: Dependency): HashPin[] {
  if (!dep.files || dep.files.length === 0) return dep.hashes;
  return [...dep.hashes, ...dep.files.flatMap((f) => f.hashes)];
}

/** A `#sha256=…`-style hash in a URL's fragment, which pip checks like a --hash. */
function urlFragmentHash(url: string | undefined): boolean {
  if (!url) return false;
  const hash = url.indexOf('#');
  return hash >= 0 && /(?:^|&)(sha512|sha384|sha256|sha224|sha1|md5)=[0-9a-fA-F]+(?:&|$)/.test(url.slice(hash + 1));
}
