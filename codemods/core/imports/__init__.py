"""The import-editing service: every codemod that adds, drops or retargets imports uses it.

`edits` builds import statements, drops names from them and applies planned node edits;
`rewrite` retargets a file's imports (and the uses and path strings they bind) to new paths,
planned from `sites` with the scope questions of `scopes`; `build` writes the new statements.
"""
