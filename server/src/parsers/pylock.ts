// STUB — replaced by the pylock.toml parser.
import { emptyOptions, type ParsedDocument } from '../core/model';
export function parsePylock(_text: string): ParsedDocument {
  return { format: 'pylock', dependencies: [], problems: [], options: emptyOptions(), includes: [] };
}
