"""The importers pre-pass finds imports by walking statements only: every block kind counts."""

from __future__ import annotations

import ast

from migrator.engine.importers import import_statements

SOURCE = """\
import a
from b import c
def f():
    import d
    class K:
        from e import g
async def h():
    async with x:
        import i
    async for y in z:
        import j
    else:
        import k
if p:
    import l
elif q:
    import m
else:
    import n
try:
    import o
except ImportError:
    import r
else:
    import s
finally:
    import t
while u:
    import v
else:
    import w
with aa:
    import bb
match cc:
    case 1:
        import dd
    case _:
        from . import ee
lam = lambda: __import__("ff")
try:
    pass
except* OSError:
    import gg
"""


def test_every_import_statement_is_found_in_every_kind_of_block() -> None:
    tree = ast.parse(SOURCE)
    walked = {id(node) for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)}
    found = list(import_statements(tree.body))
    assert {id(node) for node in found} == walked
    names = [alias.name for node in found for alias in node.names]
    assert sorted(names) == sorted("a c d g i j k l m n o r s t v w bb dd ee gg".split())
