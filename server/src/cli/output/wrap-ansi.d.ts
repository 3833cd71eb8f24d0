// wrap-ansi 7 (the CommonJS major) ships no types; this is the part of its API the CLI uses.
declare module 'wrap-ansi' {
  interface Options {
    /** Break words longer than the width (default false). */
    hard?: boolean;
    /** Wrap at word boundaries (default true). */
    wordWrap?: boolean;
    /** Trim the whitespace at the ends of each line (default true). */
    trim?: boolean;
  }
  function wrapAnsi(input: string, columns: number, options?: Options): string;
  export = wrapAnsi;
}
