"""The corpus the analyses and models are checked on (the sample repository, the fixtures and
a generated tree), and parse counting."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import libcst as cst
from libcst.metadata import PositionProvider

from benchmarks.generate import generate
from codemods.core.base import ParsedFile
from codemods.core.tree import AstFile

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "sample_repo"
CODEMODS = Path(__file__).parents[1] / "codemods"


@cache
def generated_tree(tmp: str) -> Path:
    root = Path(tmp) / "generated"
    if not root.exists():
        generate(root, files=120, affected=0.5, seed=7, median_size=1500)
    return root


def corpus_files(generated: Path | None = None) -> Iterator[tuple[str, bytes]]:
    """(repository-relative path, bytes) of every file the parity tests read."""
    for path in sorted(SAMPLE.rglob("*.py")):
        yield path.relative_to(SAMPLE).as_posix(), path.read_bytes()
    for path in sorted(CODEMODS.glob("*/fixtures/*.py")):
        rel = f"{path.parent.parent.name}/{path.name}"
        yield (
            f"netra_backend/app/fixtures/{rel.replace('.', '_', rel.count('.') - 1)}",
            (path.read_bytes()),
        )
    if generated is not None:
        for path in sorted(generated.rglob("*.py")):
            yield path.relative_to(generated).as_posix(), path.read_bytes()


def normalized(analysis) -> tuple:
    """An analysis as comparable data: findings in position order, counts and names."""
    findings = sorted(
        (f.line, f.column, f.rule, f.message, f.fixable, f.manual_review) for f in analysis.findings
    )
    counts = {k: v for k, v in analysis.counts.items() if v}
    names = {k: sorted(v) for k, v in analysis.names.items() if v}
    return findings, counts, names


def cst_spans(parsed: ParsedFile, kinds: tuple[type, ...]) -> dict[tuple, cst.CSTNode]:
    """LibCST nodes of the given kinds keyed by (kind name, start, end)."""
    positions = parsed.wrapper.resolve(PositionProvider)
    spans = {}
    for node, where in positions.items():
        if isinstance(node, kinds):
            key = (type(node).__name__, where.start.line, where.start.column)
            spans[key + (where.end.line, where.end.column)] = node
    return spans


def ast_span(file: AstFile, node: ast.AST) -> tuple:
    line, column = file.position(node)
    end_line = node.end_lineno  # type: ignore[attr-defined]
    text = file.line(end_line)
    end = node.end_col_offset  # type: ignore[attr-defined]
    if not text.isascii():
        end = len(text.encode()[:end].decode("utf-8", "replace"))
    return (type(node).__name__, line, column, end_line, end)


class ParseLog(list):
    """The paths the runner parsed in this process, each once, with `ast` or LibCST."""

    def add(self, path: str) -> None:
        if path not in self:
            self.append(path)


def count_parses(monkeypatch) -> ParseLog:
    """Record every parse of the runner (fast `ast` parse or LibCST parse) in this process."""
    from migrator.engine import runner

    log = ParseLog()
    real_ast, real_cst = runner.AstFile, runner.libcst_parse

    def ast_parse(source, context):
        log.add(context.path)
        return real_ast(source, context)

    def cst_parse(source, context):
        log.add(context.path)
        return real_cst(source, context)

    monkeypatch.setattr(runner, "AstFile", ast_parse)
    monkeypatch.setattr(runner, "libcst_parse", cst_parse)
    return log
