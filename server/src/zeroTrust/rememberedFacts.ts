/**
 * What the zero-trust memories remember of one dependency, for the report and the CLI's JSON
 * (`remembered`, CONTRACT §5 additive): the release's files when first seen, the project's owners
 * when first seen, and the checkpoints that contradicted remembered ones. Pure.
 */
import type { RememberedFacts } from '../core/result';
import type { ZeroTrustOutcome } from './dependencyChecks';

export function rememberedFacts(outcome: ZeroTrustOutcome | undefined): RememberedFacts | undefined {
  if (!outcome) return undefined;
  const facts: RememberedFacts = {};
  if (outcome.fileSet) facts.release = { firstSeen: outcome.fileSet.firstSeen, files: outcome.fileSet.files.map((file) => ({ ...file })) };
  if (outcome.ownership) {
    const { firstSeen, accepted, roles, organization } = outcome.ownership;
    facts.owners = { firstSeen, ...(accepted !== undefined ? { accepted } : {}), roles: roles.map((role) => ({ ...role })), organization };
  }
  if (outcome.logConflicts && outcome.logConflicts.length > 0) {
    facts.logConflicts = outcome.logConflicts.map(({ remembered, seen, filename }) => ({
      origin: seen.origin,
      treeSize: seen.treeSize,
      rootHash: seen.rootHash,
      rememberedRootHash: remembered.rootHash,
      rememberedSince: remembered.firstSeen,
      filename,
    }));
  }
  return Object.keys(facts).length > 0 ? facts : undefined;
}
