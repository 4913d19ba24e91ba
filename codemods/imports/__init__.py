"""The imports codemod: deprecated, aliased and indirect imports of moved names, and string
references to old paths.

`fast` analyzes with the stdlib `ast` (the scan), `codemod` with LibCST (analysis and rewrite),
`verdicts` holds the parser-free decisions and messages; `sites`, `scopes`, `build`, `edits`,
`calls` and `rewrite` find and rewrite the import sites. `fixtures/` holds its before/after pairs.
"""
