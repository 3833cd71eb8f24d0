/**
 * What the hover card says about a dependency's zero-trust state beyond its findings' messages:
 * the late files one per line, and notes (the publisher trusted on this machine, what could not
 * be decided). Pure.
 */
import { describePublisher, lateUploadLines, listOf, shown } from './messages';
import type { ZeroTrustDependencyState } from './service';

export interface ZeroTrustHoverLines {
  lateFiles: string[];
  notes: string[];
}

export function zeroTrustHoverLines(state: ZeroTrustDependencyState | undefined): ZeroTrustHoverLines {
  const lines: ZeroTrustHoverLines = { lateFiles: [], notes: [] };
  if (!state) return lines;
  const outcome = state.outcome;
  if (outcome) {
    lines.lateFiles = lateUploadLines(outcome.late.late);
    // Short notes: the card names the publisher and the files already; these say what this machine remembers.
    const trust = outcome.trust;
    const fileSet = outcome.fileSet;
    const files = fileSet ? `${fileSet.files.length === 1 ? 'its file' : `its ${fileSet.files.length} files`}` : undefined;
    const trustFirstUse = trust !== undefined && trust.mismatches.length === 0 && trust.observed.some((entry) => entry.result === 'first-use');
    if (trustFirstUse && fileSet?.firstUse) {
      lines.notes.push(`First use on this machine: this publisher and ${files} are remembered; a change later is flagged.`);
    } else {
      if (trustFirstUse) lines.notes.push(`First use on this machine: this publisher of ${shown(trust!.project)} is remembered; another one later is flagged.`);
      else if (trust && trust.mismatches.length === 0 && trust.trusted && (trust.trusted.also ?? []).length > 0) {
        // Both kept (the user accepted a second publisher).
        const all = [trust.trusted, ...(trust.trusted.also ?? [])].map((entry) => `${describePublisher(entry.publisher, 'workflow')} since ${shown(entry.version)}`);
        lines.notes.push(`Publishers trusted on this machine: ${listOf(all)}.`);
      } else if (trust && trust.mismatches.length === 0 && trust.trusted) lines.notes.push(`The same publisher as trusted on this machine since ${shown(trust.trusted.version)}.`);
      if (fileSet?.firstUse) lines.notes.push(`First use on this machine: ${files} ${fileSet.files.length === 1 ? 'is' : 'are'} remembered; a file added or replaced later is flagged.`);
      else if (fileSet) lines.notes.push(`The same ${fileSet.files.length === 1 ? 'file' : `${fileSet.files.length} files`} as first seen on this machine on ${shown(fileSet.firstSeen.slice(0, 10))}.`);
    }
    const owners = outcome.ownership;
    if (owners) {
      const who = owners.roles.length > 0 ? owners.roles.map((role) => `${shown(role.user)} (${shown(role.role)})`).join(', ') : 'nobody listed';
      const organization = owners.organization !== null ? `; organization ${shown(owners.organization)}` : '';
      lines.notes.push(
        owners.firstUse
          ? `Owners remembered on this machine: ${who}${organization}; a change later will be flagged.`
          : owners.accepted !== undefined
            ? `Owners as accepted on ${shown(owners.accepted.slice(0, 10))}: ${who}${organization}.`
            : `Owners when first seen on ${shown(owners.firstSeen.slice(0, 10))}: ${who}${organization}.`,
      );
    }
    // The notes are made of shown() pieces already.
    lines.notes.push(...outcome.notes.map((note) => `${note.charAt(0).toUpperCase()}${note.slice(1)}.`));
  }
  if (!state.settled) lines.notes.push('Publisher history is being checked.');
  return lines;
}
