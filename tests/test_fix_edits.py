"""Fixes as data: where an analysis hands every fix over as text edits, the rewrite applies
them and nothing else runs: no LibCST import, no parse, no transform."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.test_extension_codemod import PACKAGE as EXTENSION

ROOT = Path(__file__).resolve().parent.parent

# A toy codemod: `shout` words become capitals. Its `ast` analysis attaches each fix as an
# edit; its transform raises, so a run that called it would report the codemod as failed.
# The extension test's descriptor, with an `ast` analysis.
DESCRIPTOR = EXTENSION["__init__.py"].replace(
    'codemod="shout.codemod:ShoutCodemod",',
    'codemod="shout.codemod:ShoutCodemod",\n            fast="shout.fast:analyze",',
)
assert DESCRIPTOR != EXTENSION["__init__.py"]
PACKAGE = {
    "__init__.py": DESCRIPTOR,
    "fast.py": """
        import ast

        from codemods.core.edits import Edit
        from codemods.core.values import Analysis, Finding


        def analyze(file, rules):
            words = {rule.word for rule in rules.of("shout")}
            analysis = Analysis()
            offsets = [0]
            for line in file.text.splitlines(keepends=True):
                offsets.append(offsets[-1] + len(line))
            for node in ast.walk(file.tree):
                if isinstance(node, ast.Name) and node.id in words:
                    start = offsets[node.lineno - 1] + node.col_offset
                    edit = Edit(start, start + len(node.id), node.id.upper())
                    analysis.findings.append(
                        Finding("quiet-word", file.context.path, node.lineno, node.col_offset,
                                f"`{node.id}` said quietly", fix=True, edits=(edit,))
                    )
            return analysis
    """,
    "codemod.py": """
        class ShoutCodemod:
            name = "shout"

            def transform(self, parsed, rules):
                raise AssertionError("the transform ran although every fix is an edit")
    """,
}
SPEC = '[migration]\nname = "toy"\n\n[[shout]]\nword = "hello"\n'
PROGRAM = """
import json, sys
sys.path.insert(0, {home!r})
from pathlib import Path
import shout
from codemods import registry
registry.register(shout.DESCRIPTOR)
from migrator.engine.changes import compute_changes
from migrator.spec import load_spec
root = Path({root!r})
changes = compute_changes(root, load_spec(None, root), ("shout",), jobs=1)
print(json.dumps({{
    "changed": {{r.path: r.new.decode() for r in changes.changed}},
    "errors": [r.error for r in changes.errors],
    "changes": {{r.path: r.changes for r in changes.changed}},
    "libcst": "libcst" in sys.modules,
}}))
"""


def test_edits_are_applied_without_libcst_or_the_transform(tmp_path: Path) -> None:
    home = tmp_path / "extensions"
    (home / "shout").mkdir(parents=True)
    for name, text in PACKAGE.items():
        (home / "shout" / name).write_text(textwrap.dedent(text).lstrip())
    root = tmp_path / "repo"
    root.mkdir()
    (root / "migration.toml").write_text(SPEC)
    # A BOM, CRLF line ends and no final newline: bytes a text edit must keep as they are.
    (root / "greet.py").write_bytes(b"\xef\xbb\xbfhello = 1\r\nprint(hello)  # hello\r\nx = hello")
    (root / "other.py").write_text("x = 1\n")
    done = subprocess.run(
        [sys.executable, "-c", PROGRAM.format(home=str(home), root=str(root))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result == {
        "changed": {"greet.py": "\ufeffHELLO = 1\r\nprint(HELLO)  # hello\r\nx = HELLO"},
        "errors": [],
        "changes": {"greet.py": {"shout": 3}},
        "libcst": False,
    }
