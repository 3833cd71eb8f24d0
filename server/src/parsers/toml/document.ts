/**
 * A resolved TOML document that remembers where every key and value is in the source text.
 * `[a.b]` headers, `[[a]]` arrays of tables, dotted keys and inline tables all end up as the
 * same nested tables, so callers look keys up without caring how the file spelled them.
 * Offsets are UTF-16 string offsets into the parsed text, end exclusive.
 */

export interface TomlSpan {
  start: number;
  end: number;
}

export interface TomlString extends TomlSpan {
  kind: 'string';
  /** The decoded value (escapes resolved, line-ending backslashes applied, CRLF read as LF). */
  value: string;
  style: 'basic' | 'literal';
  multiline: boolean;
}

export interface TomlInteger extends TomlSpan {
  kind: 'integer';
  value: number;
  bigint: bigint;
}

export interface TomlFloat extends TomlSpan {
  kind: 'float';
  value: number;
}

export interface TomlBoolean extends TomlSpan {
  kind: 'boolean';
  value: boolean;
}

export interface TomlDateTime extends TomlSpan {
  kind: 'datetime';
  dateTimeKind: 'offset-date-time' | 'local-date-time' | 'local-date' | 'local-time';
  /** The date-time exactly as written. */
  text: string;
}

export interface TomlArray extends TomlSpan {
  kind: 'array';
  items: TomlValue[];
  /** True for an array of tables built from `[[name]]` headers. */
  ofTables: boolean;
}

export interface TomlTable extends TomlSpan {
  kind: 'table';
  entries: Map<string, TomlEntry>;
  /**
   * How the table came to be: the document root, a `[name]` header, a `[[name]]` header, an
   * inline `{…}`, a dotted key (`a.b = 1` makes table `a`), or a parent implied by a header
   * (`[a.b]` makes table `a`).
   */
  origin: 'root' | 'header' | 'array-header' | 'inline' | 'dotted' | 'implicit';
  /** Where to point when the table itself is at fault (e.g. a required key is missing): its header. */
  header: TomlSpan;
}

export type TomlValue = TomlString | TomlInteger | TomlFloat | TomlBoolean | TomlDateTime | TomlArray | TomlTable;

export interface TomlEntry {
  key: string;
  /** The last segment of the key as written (with quotes, if quoted). */
  keySpan: TomlSpan;
  value: TomlValue;
}

/** The entry at a path of keys (strings) and array indices (numbers), or undefined. */
export function lookup(root: TomlTable, path: readonly (string | number)[]): TomlEntry | undefined {
  let current: TomlValue = root;
  let found: TomlEntry | undefined;
  for (const segment of path) {
    if (typeof segment === 'number') {
      if (current.kind !== 'array') return undefined;
      const item: TomlValue | undefined = current.items[segment];
      if (item === undefined) return undefined;
      current = item;
      // An array item has no key of its own; report it under the array's entry.
      found = found && { key: found.key, keySpan: found.keySpan, value: item };
    } else {
      if (current.kind !== 'table') return undefined;
      found = current.entries.get(segment);
      if (found === undefined) return undefined;
      current = found.value;
    }
  }
  return found;
}

/** "a string", "an array", … for messages about a value of the wrong type. */
export function describeValue(value: TomlValue): string {
  switch (value.kind) {
    case 'string':
      return 'a string';
    case 'integer':
      return 'an integer';
    case 'float':
      return 'a float';
    case 'boolean':
      return 'a boolean';
    case 'datetime':
      return value.dateTimeKind === 'offset-date-time' ? 'a date-time' : `a ${value.dateTimeKind.replace(/-/g, ' ')}`;
    case 'array':
      return value.ofTables ? 'an array of tables' : 'an array';
    case 'table':
      return 'a table';
  }
}
