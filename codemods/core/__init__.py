"""Shared infrastructure of every codemod: values, rules, dotted paths, needles, the LibCST
base and the stdlib-`ast` tree and scope model. Imports no codemod package.
"""
