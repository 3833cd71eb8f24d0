/** Which dependency of a parsed document a position is on (its requirement, name or version text). */
import type { ParsedDocument, Position, Range } from '../core/model';

export function dependencyAt(parsed: ParsedDocument, position: Position): number | undefined {
  const index = parsed.dependencies.findIndex((dependency) => {
    const { requirement, name, version } = dependency.ranges;
    return [requirement, name, version].some((range) => range !== undefined && contains(range, position));
  });
  return index >= 0 ? index : undefined;
}

/** Inclusive of the end, so a hover right after the last character still finds it. */
function contains(range: Range, position: Position): boolean {
  const after = (a: Position, b: Position) => a.line > b.line || (a.line === b.line && a.character >= b.character);
  return after(position, range.start) && after(range.end, position);
}
