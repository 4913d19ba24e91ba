"""The constructors codemod: direct construction of a deprecated class, and dependency-injection
violations of the new one.

`fast` analyzes with the stdlib `ast` (the scan), `codemod` with LibCST (analysis and rewrite),
`messages` holds the refusal reasons and findings' words; `binding`, `plan`, `calls` and
`rewrite` decide and build the new calls. `fixtures/` holds its before/after pairs.
"""
