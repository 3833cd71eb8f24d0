/** The position-aware TOML layer shared by the pyproject.toml and pylock.toml parsers. */
export * from './document';
export { parseToml, parseTomlExact, MAX_TOML_LENGTH, type TomlParseResult, type TomlSyntaxError } from './parse';
export { mapString, stringContentSpan, wholeStringSpan, type StringSourceMap } from './strings';
export { shown, TomlProblems } from './problems';
export { readTomlDocument, readTomlDocumentInSteps, type ElementWanted, type TomlFormat, type TomlReader } from './readDocument';
