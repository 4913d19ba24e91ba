"""The flags codemod: auth-bypass flags, their truthy assignments and the conditions that read them.

`fast` analyzes with the stdlib `ast` (the scan), `codemod` with LibCST (analysis and rewrite),
`messages` holds the findings' words; the rest are rewrite helpers. `fixtures/` holds its
before/after pairs.
"""
