"""The validators codemod (`[[consolidate]]`): calls of the many old token validators that one
canonical function replaces.

`fast` analyzes with the stdlib `ast` (the scan), `codemod` with LibCST (analysis and rewrite),
`messages` holds the findings' words, `local` rewrites calls to locally bound validators.
`fixtures/` holds its before/after pairs.
"""
