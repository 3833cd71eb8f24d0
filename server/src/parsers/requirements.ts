// STUB — replaced by the requirements.txt parser.
import { emptyOptions, type ParsedDocument } from '../core/model';
export function parseRequirements(_text: string, _context: { env?: Readonly<Record<string, string | undefined>> } = {}): ParsedDocument {
  return { format: 'requirements', dependencies: [], problems: [], options: emptyOptions(), includes: [] };
}
