/**
 * The report's per-dependency results: the verification service's (files, publisher, status) with
 * what the zero-trust memories remember of each dependency (`remembered`). Used by the report
 * request and the CLI, so both carry the same facts.
 */
import type { ParsedDocument } from '../core/model';
import { rememberedFacts } from '../zeroTrust/rememberedFacts';
import type { ZeroTrustResults } from '../zeroTrust/service';
import type { DependencyResults } from './contract/dependencyResult';

export function withRememberedFacts(results: DependencyResults | undefined, zeroTrust: { results: ZeroTrustResults } | undefined, parsed: ParsedDocument): DependencyResults | undefined {
  if (!zeroTrust) return results;
  return (index, dependency) => {
    const base = results?.(index, dependency);
    const remembered = rememberedFacts(zeroTrust.results.dependency(parsed, index)?.outcome);
    if (!remembered) return base;
    return { ...(base ?? {}), remembered };
  };
}
