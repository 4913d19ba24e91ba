"""The singletons codemod: instances of engine, factory and bridge classes held in module or class
globals.

`fast` analyzes with the stdlib `ast` (the scan), `codemod` with LibCST (analysis and rewrite),
`messages` holds the findings' words, `fix` builds the getter. `fixtures/` holds its
before/after pairs.
"""
