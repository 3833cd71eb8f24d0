// STUB — replaced by the language server.
