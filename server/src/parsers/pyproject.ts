// STUB — replaced by the pyproject.toml parser.
import { emptyOptions, type ParsedDocument } from '../core/model';
export function parsePyproject(_text: string): ParsedDocument {
  return { format: 'pyproject', dependencies: [], problems: [], options: emptyOptions(), includes: [] };
}
