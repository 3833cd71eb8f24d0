/**
 * What the hover card says about a dependency's zero-trust state beyond its findings' messages:
 * the late files one per line, and notes (the publisher trusted on this machine, what could not
 * be decided). Pure.
 */
import { describePublisher, lateUploadLines, shown } from './messages';
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
    const trust = outcome.trust;
    if (trust && trust.mismatches.length === 0) {
      const firstUse = trust.observed.find((entry) => entry.result === 'first-use');
      if (firstUse) {
        lines.notes.push(`First use: ${describePublisher(firstUse.publisher, 'workflow')} is now the trusted publisher of ${shown(trust.project)} on this machine; another publisher later will be flagged.`);
      } else if (trust.trusted) {
        lines.notes.push(`Publisher trusted on this machine since ${shown(trust.trusted.version)}: ${describePublisher(trust.trusted.publisher, 'workflow')}.`);
      }
    }
    const fileSet = outcome.fileSet;
    if (fileSet) {
      const when = fileSet.firstSeen.slice(0, 10);
      lines.notes.push(
        fileSet.firstUse
          ? `Files of this release remembered on this machine (${fileSet.files.length}); a file added or replaced later will be flagged.`
          : `Release first seen on ${shown(when)} with ${fileSet.files.length} file${fileSet.files.length === 1 ? '' : 's'}: ${fileSet.files.map((file) => shown(file.filename)).join(', ')}.`,
      );
    }
    const owners = outcome.ownership;
    if (owners) {
      const who = owners.roles.length > 0 ? owners.roles.map((role) => `${shown(role.user)} (${shown(role.role)})`).join(', ') : 'nobody listed';
      const organization = owners.organization !== null ? `; organization ${shown(owners.organization)}` : '';
      lines.notes.push(
        owners.firstUse
          ? `Owners remembered on this machine: ${who}${organization}; a change later will be flagged.`
          : `Owners when first seen on ${shown(owners.firstSeen.slice(0, 10))}: ${who}${organization}.`,
      );
    }
    // The notes are made of shown() pieces already.
    lines.notes.push(...outcome.notes.map((note) => `${note.charAt(0).toUpperCase()}${note.slice(1)}.`));
  }
  if (!state.settled) lines.notes.push('Publisher history is being checked.');
  return lines;
}
